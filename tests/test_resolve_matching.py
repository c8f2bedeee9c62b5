"""Which candidate is the entry's paper: identifiers, venue names, scores and the decision.

Candidates are the recorded Crossref responses in tests/fixtures where one fits.
"""

from __future__ import annotations

import json

import pytest
from tests.replay_server import crossref_item, fixture

from oflbib.model import Entry, Person, Seed
from oflbib.resolvers import identifiers
from oflbib.resolvers.arxiv import person_from_name
from oflbib.resolvers.crossref import record_from_item
from oflbib.resolvers.matching import (
    AMBIGUOUS, MATCHED, NOT_FOUND, Query, choose, match_score, plausibly_same_title,
    same_paper,
)
from oflbib.resolvers.venuetext import VenueMention, venue_in_text


def recorded_items(name: str) -> list[dict]:
    return json.loads(fixture(f"crossref/{name}"))["message"]["items"]


def record(item: dict):
    return record_from_item(item, "https://api.crossref.org")


EXACT = ("works-query.title-effect_of_native_oxide_layers-a_reactive_molecular_dynamics_study-"
         "rows1.json")
NEAR_MISS = "works-query.title-effect_of_native_oxide_layers-a_study-rows1-near-miss.json"
WRONG_TOP_HIT = "works-query.title-attention_is_all_you_need-query.author-rows1-wrong-top-hit.json"


def test_an_exact_title_is_matched() -> None:
    (candidate,) = map(record, recorded_items(EXACT))
    result = choose(Query("Effect of native oxide layers on copper thin-film tensile "
                          "properties: A reactive molecular dynamics study"), [candidate])
    assert result.status == MATCHED
    assert result.record is not None and result.record.doi == "10.1063/1.4938384"


def test_a_near_miss_title_is_reported_not_taken_even_with_year_and_authors() -> None:
    (candidate,) = map(record, recorded_items(NEAR_MISS))
    query = Query("Effect of native oxide layers on copper thin-film tensile properties: A study",
                  year=2015, authors=("skarlinski", "quesnel"))
    result = choose(query, [candidate])
    assert result.status == AMBIGUOUS
    assert result.record is None
    assert result.candidates[0].record.doi == "10.1063/1.4938384"  # shown to the maintainer


def test_a_similar_but_wrong_top_hit_is_rejected_though_authors_overlap() -> None:
    (candidate,) = map(record, recorded_items(WRONG_TOP_HIT))
    query = Query("Attention is All you Need", 2017,
                  ("vaswani", "shazeer", "parmar", "uszkoreit", "jones", "gomez"))
    result = choose(query, [candidate])
    assert result.status == NOT_FOUND
    assert result.record is None
    assert candidate.title == "Self-Attention with Relative Position Representations"


def test_no_candidates_is_not_found() -> None:
    assert recorded_items("works-query.title-askldjrq3rjaw938h-rows1-no-results.json") == []
    assert choose(Query("askldjrq3rjaw938h"), []).status == NOT_FOUND


def test_case_punctuation_and_markup_do_not_matter() -> None:
    candidate = record(crossref_item("10.1/x", "Whale: Efficient Giant Model Training over "
                                     "Heterogeneous <i>GPUs</i>", year=2022))
    result = choose(Query("Whale: efficient giant model training over heterogeneous {GPUs}.",
                          2022), [candidate])
    assert result.status == MATCHED


def test_two_works_with_one_title_are_ambiguous() -> None:
    title = "Scaling Distributed Training with Adaptive Summation"
    conference = record(crossref_item("10.1/conf", title, year=2021))
    journal = record(crossref_item("10.1/jour", title, year=2021, work_type="journal-article"))
    result = choose(Query(title, 2021), [conference, journal])
    assert result.status == AMBIGUOUS and result.record is None
    assert {c.record.doi for c in result.candidates} == {"10.1/conf", "10.1/jour"}


def test_year_and_venue_break_a_tie_between_look_alikes() -> None:
    title = "Scaling Distributed Training with Adaptive Summation"
    right = record(crossref_item("10.1/right", title, year=2021,
                                 container="Proceedings of Machine Learning and Systems 3"))
    other = record(crossref_item("10.1/other", title, year=2019))
    result = choose(Query(title, 2021, venue="MLSys"), [other, right])
    assert result.status == MATCHED
    assert result.record is not None and result.record.doi == "10.1/right"


def test_the_published_version_wins_over_its_preprint() -> None:
    title = "Unity: Accelerating DNN Training Through Joint Optimization"
    preprint = record(crossref_item("10.1/pre", title, year=2021, work_type="posted-content"))
    published = record(crossref_item("10.1/pub", title, year=2022))
    result = choose(Query(title, 2022), [preprint, published])
    assert result.status == MATCHED
    assert result.record is not None and result.record.doi == "10.1/pub"


def test_a_title_cut_down_to_what_follows_a_long_head_is_its_paper() -> None:
    full = ("Not All GPUs Are Created Equal: Characterizing Variability in Large-Scale, "
            "Accelerator-Rich Systems")
    cut = "Characterizing Variability in Large-Scale, Accelerator-Rich Systems"
    publication = record(crossref_item("10.1/pub", full, year=2022, authors=[("Ada", "Sinha")]))
    preprint = record(crossref_item("10.1/pre", cut, year=2022, authors=[("Ada", "Sinha")],
                                    work_type="posted-content"))
    other = record(crossref_item("10.1/other", "Characterizing Variability in Small Systems",
                                 year=2022))
    result = choose(Query(cut, 2022), [publication, other])
    assert result.status == MATCHED and result.record is not None
    assert result.record.doi == "10.1/pub"
    # The preprint titled so is the same work, not a rival, when the authors are the same.
    assert same_paper(publication, preprint)
    assert not same_paper(publication, record(crossref_item(
        "10.1/x", cut, year=2022, authors=[("Bo", "Near")], work_type="posted-content")))


def test_a_far_year_or_a_non_paper_is_not_taken() -> None:
    title = "Out-of-order backprop: an effective scheduling technique for deep learning"
    too_old = record(crossref_item("10.1/old", title, year=2018))
    volume = record(crossref_item("10.1/vol", title, year=2022, work_type="proceedings"))
    assert choose(Query(title, 2022), [too_old]).status != MATCHED
    assert choose(Query(title, 2022), [volume]).status != MATCHED


def test_scores_reward_agreement_and_punish_disagreement() -> None:
    item = crossref_item("10.1/x", "A Long Enough Title About Training", year=2022,
                         authors=[("Ada", "Lovelace")])
    candidate = record(item)
    title_only = match_score(Query("A Long Enough Title About Training"), candidate)
    agreeing = match_score(Query("A Long Enough Title About Training", 2022, ("lovelace",)),
                           candidate)
    disagreeing = match_score(Query("A Long Enough Title About Training", 2022, ("babbage",)),
                              candidate)
    assert disagreeing < title_only < agreeing


def test_a_preprint_year_is_no_evidence_against_a_later_publication() -> None:
    preprint = record(crossref_item("10.1/x", "A Long Enough Title About Training", year=2020,
                                    work_type="posted-content"))
    assert match_score(Query("A Long Enough Title About Training", 2023, venue="NSDI"),
                       preprint) == pytest.approx(1.0)


def test_a_bare_name_fits_its_papers_full_title_for_an_id_check() -> None:
    full = "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism"
    assert plausibly_same_title("Megatron-LM", full)
    assert not plausibly_same_title("FastMoE: A Fast Mixture-of-Expert Training System", full)


@pytest.mark.parametrize("text, expected", [
    ("https://doi.org/10.1145/3575693.3575703", "10.1145/3575693.3575703"),
    ("doi:10.1109/icdcsw.2003.1203662.", "10.1109/icdcsw.2003.1203662"),
    ("10.5555/3154630.3154669", None),  # ACM's pseudo-DOI
    ("no doi here", None),
])
def test_dois_are_found_and_normalised(text: str, expected: str | None) -> None:
    assert identifiers.normal_doi(text) == expected


@pytest.mark.parametrize("url, doi, arxiv_id", [
    ("https://dl.acm.org/doi/pdf/10.1145/3492321.3519584", "10.1145/3492321.3519584", None),
    ("https://arxiv.org/abs/2103.13262v2", None, "2103.13262"),
    ("https://arxiv.org/pdf/quant-ph/0201082v1.pdf", None, "quant-ph/0201082"),
    ("https://github.com/x/10.1145/3492321", None, None),
])
def test_identifiers_in_links(url: str, doi: str | None, arxiv_id: str | None) -> None:
    assert identifiers.doi_in_url(url) == doi
    assert identifiers.arxiv_in_url(url) == arxiv_id


@pytest.mark.parametrize("text, expected", [
    ("10.1145/3575693.3575703", ("doi", "10.1145/3575693.3575703")),
    ("https://doi.org/10.1145/3575693.3575703", ("doi", "10.1145/3575693.3575703")),
    ("arXiv:2103.13262", ("arxiv", "2103.13262")),
    ("https://arxiv.org/abs/2103.13262", ("arxiv", "2103.13262")),
    ("10.48550/arXiv.2103.13262", ("doi", "10.48550/arXiv.2103.13262")),
    ("https://github.com/alpa-projects/alpa", ("url", "https://github.com/alpa-projects/alpa")),
    ("Alpa: Automating Parallelism", ("title", "Alpa: Automating Parallelism")),
])
def test_what_add_was_given(text: str, expected: tuple[str, str]) -> None:
    assert identifiers.parse_reference(text) == expected


@pytest.mark.parametrize("texts, expected", [
    (("ASPLOS '23: 28th ACM International Conference",), VenueMention("ASPLOS", 2023)),
    (("Proceedings of the Seventeenth European Conference on Computer Systems",),
     VenueMention("EuroSys", None)),
    (("In Proc. NSDI 2023, pages 1-12",), VenueMention("NSDI", 2023)),
    (("2019 IEEE International Conference On Machine Learning And Applications (ICMLA)",), None),
    (("fast 2023 training",), None),
    ((None, "Advances in Neural Information Processing Systems 35"),
     VenueMention("NeurIPS", None)),
])
def test_venues_named_in_source_text(texts: tuple, expected: VenueMention | None) -> None:
    assert venue_in_text(*texts) == expected


def test_arxiv_author_names_keep_particles_in_the_family_name() -> None:
    assert person_from_name("Joost van der Putten") == Person("van der Putten", "Joost")
    assert person_from_name("Peter H. N. de With") == Person("de With", "Peter H. N.")
    assert person_from_name("Plato") == Person(literal="Plato")
    assert person_from_name("Alon De Jagger") == Person("De Jagger", "Alon")
    assert person_from_name("Tuan Van Nguyen") == Person("Nguyen", "Tuan Van")
    assert person_from_name("De Wang") == Person("Wang", "De")
    assert person_from_name("Guy Van den Broeck") == Person("Van den Broeck", "Guy")
    assert person_from_name("Guy Van Den Broeck") == Person("Van Den Broeck", "Guy")
    assert person_from_name("Hieu Van Le") == Person("Le", "Hieu Van")


def test_a_crossref_record_in_the_catalogs_terms() -> None:
    item = json.loads(fixture(
        "crossref/works-doi-10.1109_icdcsw.2003.1203662-proceedings-article.json"))["message"]
    got = record(item)
    assert got.title == "Accurate and explicit differentiation of wireless and congestion losses"
    assert got.authors == (Person("Arya", "V."), Person("Turletti", "T."))
    # Its `issued` date is [[null]]: no year rather than a guess from when it was deposited.
    assert (got.year, got.pages, got.publisher, got.work_type) == \
        (None, "877--882", "IEEE", "proceedings-article")
    assert got.url == "https://api.crossref.org/works/10.1109/icdcsw.2003.1203662"
    posted = record(json.loads(fixture(
        "crossref/works-doi-10.1101_2020.12.01.406702-posted-content.json"))["message"])
    assert "<i>" not in posted.title and "\n" not in posted.title


def test_query_of_an_entry_uses_what_the_catalog_knows() -> None:
    entry = Entry(key="k", kind="paper", title="T", year=2022, venue="OSDI",
                  authors=[Person("Zheng", "Lianmin"), Person(literal="OpenAI")],
                  seed=Seed("T", "OSDI'22"))
    assert Query.of(entry) == Query("T", 2022, ("zheng", "openai"), "OSDI")
