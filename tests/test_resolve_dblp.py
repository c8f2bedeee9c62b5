"""dblp: the source against its recorded answers (tests/fixtures/dblp) and answers shaped
after them, then the engine's use of it: one question per venue-year, bare names, a
preprint and its publication, near-miss distractors."""

from __future__ import annotations

import json

import pytest

from oflbib.model import Person
from oflbib.resolvers.base import PREPRINT, PUBLISHED, SourceError
from oflbib.resolvers.cache import ResponseCache
from oflbib.resolvers.engine import Engine, Want
from oflbib.resolvers.identifiers import dblp_in_url, parse_reference
from oflbib.resolvers.matching import MATCHED, Query, choose
from oflbib.resolvers.registry import SOURCES
from tests.replay_server import (
    DBLP_BIB_HEADERS, DBLP_FIXTURES, DBLP_JSON_HEADERS, Corpus, Reply, dblp_corr_info,
    dblp_hits, dblp_info, dblp_recorded,
)
from oflbib.checks import lint
from tests.resolve_support import dblp_source, load, oflbib

SEARCH = "/search/publ/api"
ATTENTION = "search-publ-q-attention_is_all_you_need-format-json-h3.json"
DIJKSTRA = "search-publ-q-go_to_statement_considered_harmful-format-json-h2-single-author.json"
NOTHING = "search-publ-q-zzzqqqxxnonexistentquery12345-format-json-zero-hits.json"


def on_search(seen) -> bool:
    return seen.path == SEARCH


# ---- the source, on recorded answers ----------------------------------------------------

def test_a_search_reads_the_recorded_answer(replay, timing) -> None:
    replay.on(on_search, dblp_recorded(ATTENTION))
    source = dblp_source(replay, timing)
    (raws,) = source.search(["Attention is all you need"]).values()
    dac, corr, access = [source.record(raw) for raw in raws]
    # A homonym number is dblp's, not the name's.
    assert dac.authors[0] == Person(family="Zhang", given="Xiaopeng")
    assert (dac.role, dac.work_type, dac.venue, dac.pages, dac.year) == (
        PUBLISHED, "proceedings-article", "DAC", "169--174", 2021)  # a venue of the table
    assert dac.doi == "10.1109/DAC18074.2021.9586227" and dac.dblp == "conf/dac/ZhangYY21"
    assert dac.title.endswith("Layout Pattern Generation")  # dblp's final period dropped
    # A CoRR record is a preprint: its arXiv id, no DOI of its own.
    assert (corr.role, corr.arxiv, corr.doi, corr.venue) == (PREPRINT, "2407.15516", None,
                                                             "arXiv")
    assert "You Don't Need" in corr.title  # &apos; unescaped
    assert access.work_type == "journal-article" and access.volume == "13"
    (seen,) = replay.seen
    assert seen.param("format") == "json" and seen.param("q") == "attention is all you need"
    assert "oflbib/test" in seen.headers["user-agent"]


def test_a_single_author_comes_as_an_object(replay, timing) -> None:
    replay.on(on_search, dblp_recorded(DIJKSTRA))
    source = dblp_source(replay, timing)
    (raws,) = source.search(["go to statement considered harmful"]).values()
    letter, chapter = [source.record(raw) for raw in raws]
    assert letter.authors == (Person(family="Dijkstra", given="Edsger W."),)
    assert (letter.volume, letter.number, letter.pages) == ("11", "3", "147--148")
    assert chapter.work_type == "book-chapter"


def test_no_hits_is_an_empty_answer_not_an_error(replay, timing) -> None:
    replay.on(on_search, dblp_recorded(NOTHING))
    assert dblp_source(replay, timing).search(["zzzqqqxxnonexistentquery12345"]) == {
        "zzzqqqxxnonexistentquery12345": []}


def test_a_record_is_read_from_its_bibtex(replay, timing) -> None:
    body = (DBLP_FIXTURES / "rec-series_sci_2023-1062.bib").read_bytes()
    replay.on(lambda s: s.path == "/rec/series/sci/2023-1062.bib",
              Reply(200, body, dict(DBLP_BIB_HEADERS)))
    source = dblp_source(replay, timing)
    (raw,) = source.fetch(["series/sci/2023-1062"]).values()
    record = source.record(raw)
    assert record.doi == "10.1007/978-3-031-16400-2" and record.year == 2023
    assert record.title.startswith("Banach Space Valued Neural Network - Ordinary")
    assert record.authors == (Person(family="Anastassiou", given="George A."),)


def test_a_404_for_a_key_is_an_error_never_no_such_record(replay, timing) -> None:
    """No answer of dblp's for an unknown key was recorded, and a wrong address answers
    404 too: an error (not cached), never "no such record" (cached for weeks)."""
    replay.on(lambda s: s.path.startswith("/rec/"), Reply(404, b"", {}))
    with pytest.raises(SourceError, match="HTTP 404") as failure:
        dblp_source(replay, timing).fetch(["conf/x/Nobody99"])
    assert failure.value.status == 404


def test_requests_are_a_second_apart(replay, timing) -> None:
    replay.on(on_search, dblp_recorded(NOTHING))
    source = dblp_source(replay, timing)
    source.search(["one title here", "another title here", "a third title here"])
    assert len(replay.seen) == 3
    assert sum(timing.slept) >= 2 * 1.0


def test_429_waits_for_retry_after(replay, timing) -> None:
    replay.on(on_search, Reply(429, b"", {"retry-after": "7"}), dblp_recorded(NOTHING))
    source = dblp_source(replay, timing)
    assert source.search(["a title to find"]) == {"a title to find": []}
    assert len(replay.seen) == 2
    assert any(wait >= 7 for wait in timing.slept)


def test_a_broken_body_is_retried_then_an_error(replay, timing) -> None:
    cut = dblp_recorded(ATTENTION)
    cut.body = cut.body[:300]
    replay.on(on_search, cut)
    with pytest.raises(SourceError, match="not well-formed JSON"):
        dblp_source(replay, timing).search(["attention is all you need"])
    assert len(replay.seen) == 4  # the retry policy's tries


def test_a_bot_check_page_is_no_answer_not_no_results(replay, timing) -> None:
    replay.on(on_search, Reply(200, b"<html>Making sure you're not a bot!</html>",
                               {"content-type": "text/html"}))
    with pytest.raises(SourceError, match="not JSON"):
        dblp_source(replay, timing).search(["attention is all you need"])


def test_json_of_another_shape_is_an_error(replay, timing) -> None:
    replay.on(on_search, Reply(200, json.dumps({"error": "x"}).encode(),
                               dict(DBLP_JSON_HEADERS)))
    with pytest.raises(SourceError, match="not a search result"):
        dblp_source(replay, timing).search(["attention is all you need"])


# ---- identifiers ------------------------------------------------------------------------

@pytest.mark.parametrize("url, key", [
    ("https://dblp.org/rec/conf/nsdi/ThorpeZEQJZNX23.html", "conf/nsdi/ThorpeZEQJZNX23"),
    ("https://dblp.org/rec/journals/corr/abs-2407-15516.bib", "journals/corr/abs-2407-15516"),
    ("https://dblp.uni-trier.de/rec/conf/osdi/MaiLWFBP20", "conf/osdi/MaiLWFBP20"),
    ("https://dblp.org/pid/167/1261-9.html", None),
    ("https://example.org/rec/conf/x/y", None),
])
def test_a_dblp_link_names_its_record(url, key) -> None:
    assert dblp_in_url(url) == key


def test_add_accepts_a_dblp_url() -> None:
    assert parse_reference("https://dblp.org/rec/conf/osdi/MaiLWFBP20.html") == (
        "dblp", "conf/osdi/MaiLWFBP20")


# ---- matching and the engine ------------------------------------------------------------

KUNGFU = "KungFu: Making Training in Distributed Machine Learning Adaptive"
KUNGFU_AUTHORS = ["Luo Mai", "Guo Li 0004", "Marcel Wagenländer", "Alexandros Koliousis"]
OSDI20 = [dblp_info("conf/osdi/MaiLWK20", KUNGFU, authors=KUNGFU_AUTHORS, venue="OSDI",
                    year=2020, pages="937-954"),
          dblp_info("conf/osdi/Other20", "Serving DNNs like Clockwork: Performance "
                    "Predictability from the Bottom Up", venue="OSDI", year=2020),
          dblp_info("conf/osdi/Third20", "A Generic Communication Scheduler for Distributed "
                    "DNN Training Acceleration", venue="OSDI", year=2020)]
# The near miss: the same name, another paper, another year and venue.
NEAR = dblp_info("conf/hotos/Near18", "KungFu: Revisiting Martial Arts at Scale",
                 authors=["Bo Near"], venue="HotOS", year=2018)
CORR = dblp_corr_info("2011.00001", KUNGFU, authors=KUNGFU_AUTHORS, year=2020)


def engine_for(replay, timing, tmp_path) -> Engine:
    return Engine([dblp_source(replay, timing)], ResponseCache(tmp_path / "cache", 3600),
                  timing)


def test_a_bare_name_is_found_in_its_proceedings(replay, timing, tmp_path) -> None:
    Corpus(dblp=OSDI20 + [NEAR, CORR]).serve(replay)
    want = Want("kungfu", Query("KungFu", 2020, venue="OSDI"), {}, frozenset())
    found = engine_for(replay, timing, tmp_path).run([want])["kungfu"]
    record = found.records["dblp"]
    assert record.dblp == "conf/osdi/MaiLWK20" and record.pages == "937--954"
    assert record.authors[1] == Person(family="Li", given="Guo")
    # Then its name, for a preprint: the CoRR record's id joins the publication's record.
    assert [s.param("q") for s in replay.seen] == ["OSDI 2020", "kungfu"]
    assert record.arxiv == "2011.00001"


def test_an_exact_title_is_a_hit_beside_its_near_miss(replay, timing, tmp_path) -> None:
    # No venue tag: searched by its words, which a near miss has too (dblp ANDs them).
    revisited = dblp_info("conf/hotos/Near22", KUNGFU + ", Revisited", authors=["Bo Near"],
                          venue="HotOS", year=2022)
    Corpus(dblp=OSDI20 + [NEAR, revisited]).serve(replay)
    want = Want("kungfu", Query(KUNGFU), {}, frozenset())
    found = engine_for(replay, timing, tmp_path).run([want])["kungfu"]
    assert found.records["dblp"].dblp == "conf/osdi/MaiLWK20"
    assert found.searches["dblp"].status == MATCHED
    assert len(found.searches["dblp"].candidates) == 2  # NEAR was a candidate, and lost


def test_one_question_per_venue_year_however_many_papers(replay, timing, tmp_path) -> None:
    Corpus(dblp=OSDI20).serve(replay)
    wants = [Want(f"p{n}", Query(info["title"], 2020, venue="OSDI"), {}, frozenset())
             for n, info in enumerate(OSDI20)]
    found = engine_for(replay, timing, tmp_path).run(wants)
    assert all("dblp" in found[w.key].records for w in wants)
    # (and one for the preprints of the papers with a name: KungFu's)
    assert [s.param("q") for s in replay.seen] == ["OSDI 2020", "kungfu"]
    again = engine_for(replay, timing, tmp_path).run(wants)  # answered by the cache
    assert len(replay.seen) == 2 and again.keys() == found.keys()


def test_publications_find_their_preprints_titled_otherwise_by_name(replay, timing,
                                                                   tmp_path) -> None:
    pets_authors = ["Ada Lovelace", "Charles Babbage"]
    pets = dblp_info("conf/osdi/LovelaceB20", "Pets: Fast Serving of Small Models",
                     authors=pets_authors, venue="OSDI", year=2020)
    preprints = [
        dblp_corr_info("2011.00001", "KungFu: Adaptive Distributed Training",
                       authors=KUNGFU_AUTHORS, year=2020),
        dblp_corr_info("2004.00002", "Pets: Serving Small Models in Microseconds",
                       authors=pets_authors, year=2020),
        # Namesakes: another team's KungFu; the same team's KungFu of years before.
        dblp_corr_info("2011.00003", "KungFu: Fighting Stragglers", authors=["Bo Near"],
                       year=2020),
        dblp_corr_info("1503.00004", "KungFu: A Language for Dataflow",
                       authors=KUNGFU_AUTHORS, year=2015)]
    Corpus(dblp=OSDI20 + [pets] + preprints).serve(replay)
    wants = [Want("kungfu", Query(KUNGFU, 2020, venue="OSDI"), {}, frozenset()),
             Want("pets", Query(pets["title"], 2020, venue="OSDI"), {}, frozenset())]
    found = engine_for(replay, timing, tmp_path).run(wants)
    assert {key: (f.records["dblp"].dblp, f.records["dblp"].arxiv)
            for key, f in found.items()} == {
        "kungfu": ("conf/osdi/MaiLWK20", "2011.00001"),
        "pets": ("conf/osdi/LovelaceB20", "2004.00002")}
    # Both names in one question (dblp's `|`: either word).
    assert [s.param("q") for s in replay.seen] == ["OSDI 2020", "kungfu|pets"]


def test_two_preprints_by_one_name_and_team_give_no_id(replay, timing, tmp_path) -> None:
    twins = [dblp_corr_info(f"2011.0000{n}", f"KungFu: Adaptive Training, part {n}",
                            authors=KUNGFU_AUTHORS, year=2020) for n in (1, 2)]
    Corpus(dblp=OSDI20 + twins).serve(replay)
    want = Want("kungfu", Query(KUNGFU, 2020, venue="OSDI"), {}, frozenset())
    found = engine_for(replay, timing, tmp_path).run([want])["kungfu"]
    assert found.records["dblp"].dblp == "conf/osdi/MaiLWK20"
    assert found.records["dblp"].arxiv is None


def test_a_name_elsewhere_is_not_the_paper(replay, timing, tmp_path) -> None:
    Corpus(dblp=[NEAR]).serve(replay)
    want = Want("kungfu", Query("KungFu", 2020, venue="OSDI"), {}, frozenset())
    found = engine_for(replay, timing, tmp_path).run([want])["kungfu"]
    assert found.records == {}


def test_the_publication_is_preferred_and_keeps_the_preprint_id(replay, timing) -> None:
    source = dblp_source(replay, timing)
    records = [source.record(info) for info in (CORR, OSDI20[0], NEAR)]
    result = choose(Query(KUNGFU, 2020, venue="OSDI"), records)
    assert result.status == MATCHED and result.record is not None
    assert (result.record.dblp, result.record.arxiv) == ("conf/osdi/MaiLWK20", "2011.00001")


def test_a_preprint_titled_otherwise_finds_its_publication_by_name_and_authors(
        replay, timing) -> None:
    source = dblp_source(replay, timing)
    published = source.record(dblp_info(
        "conf/atc/Wang23", "TC-GNN: Bridging Sparse GNN Computation and Dense Tensor Cores "
        "on GPUs", authors=["Yuke Wang", "Boyuan Feng"], venue="USENIX ATC", year=2023))
    preprint = source.record(dblp_corr_info(
        "2112.02052", "TC-GNN: Accelerating Sparse Graph Neural Network Computation Via "
        "Dense Tensor Core on GPUs", authors=["Yuke Wang", "Boyuan Feng"], year=2021))
    query = Query(preprint.title, None, ("wang", "feng"))
    result = choose(query, [preprint, published])
    assert result.record is not None and result.record.venue == "ATC"
    assert result.record.arxiv == "2112.02052"
    stranger = Query(preprint.title, None, ("near",))  # same name, other people
    assert choose(stranger, [published]).status != MATCHED


def test_an_empty_hit_list_comes_without_a_hit_key(replay, timing) -> None:
    reply = dblp_hits("nothing here", [])
    assert "hit" not in json.loads(reply.body)["result"]["hits"]


# ---- the table ---------------------------------------------------------------------------

def test_help_and_choices_come_from_the_source_table(tmp_path) -> None:
    result = oflbib(tmp_path, "resolve", "--help")
    for row in SOURCES:
        assert row.url_variable in result.output and row.name in result.output
        if row.delay_variable:
            assert row.delay_variable in result.output


def test_the_docs_show_the_source_table() -> None:
    from oflbib.resolvers.registry import sources_markdown
    from tests.conftest import REPO

    assert sources_markdown() in (REPO / "docs" / "resolve.md").read_text("utf-8")


# ---- what people paste into `oflbib add` ------------------------------------------------

@pytest.mark.parametrize("text, ids, query", [
    ("Bamboo NSDI'23", {}, Query("Bamboo", 2023, venue="NSDI")),
    ("KungFu (OSDI'20)", {}, Query("KungFu", 2020, venue="OSDI")),
    ("https://dblp.org/rec/conf/osdi/MaiLWK20.html", {"dblp": "conf/osdi/MaiLWK20"}, Query("")),
    ("arXiv:2103.13262", {"arxiv": "2103.13262"}, Query("")),
    ("A Title That Is Not Tagged", {}, Query("A Title That Is Not Tagged")),
])
def test_what_people_paste(text, ids, query) -> None:
    from oflbib.commands.resolve import _pasted

    assert _pasted(text) == (ids, query)


def test_add_by_name_and_tag_makes_an_entry_that_passes_check(replay, resolve_env,
                                                               catalog_root) -> None:
    Corpus(dblp=OSDI20 + [NEAR]).serve(replay)
    result = oflbib(catalog_root, "add", "KungFu OSDI'20", "-s", "training", "-q")
    assert result.exit_code == 0, result.stderr
    catalog = load(catalog_root)
    added = next(e for e in catalog.entries.values() if e.title == KUNGFU)
    assert added.venue == "OSDI" and added.year == 2020 and added.pages == "937--954"
    assert added.provenance["authors"].source.endswith("/rec/conf/osdi/MaiLWK20")
    assert added.provenance["authors"].via == "dblp"
    # dblp's record gives no DOI for a USENIX paper and its `ee` link is not kept yet: the
    # only finding is that the paper has no locator.
    assert [f.message for f in lint(catalog) if f.key == added.key] == [
        "paper has no locator: no DOI, arXiv id or landing page (its code link does not "
        "locate it)"]


def test_a_bare_name_whose_source_failed_is_an_error_not_a_miss(replay, resolve_env,
                                                                 catalog_root) -> None:
    """A name and tag has no title search to fall back on: when dblp cannot answer, the
    user hears that, not "not found" (and nothing is cached as an answer)."""
    replay.on(on_search, Reply(503, b"down"))
    result = oflbib(catalog_root, "add", "KungFu OSDI'20", "-s", "training", "-q")
    assert result.exit_code == 1
    assert "error" in result.stderr and "dblp" in result.stderr, result.stderr
    assert "not found" not in result.stderr


def test_nothing_found_is_asked_again_sooner_than_a_record(replay, timing, tmp_path) -> None:
    import time

    Corpus(dblp=OSDI20).serve(replay)
    old = time.time() - 10 * 86400  # ten days ago, in a cache that keeps answers 30 days
    stale = ResponseCache(tmp_path / "cache", 30 * 86400, clock=lambda: old)
    source = dblp_source(replay, timing)
    stale.put(source, "query", "OSDI 2020", [])
    stale.put(source, "query", "NSDI 2023", [OSDI20[1]])
    engine = Engine([source],
                    ResponseCache(tmp_path / "cache", 30 * 86400), timing)
    wants = [Want("a", Query(OSDI20[0]["title"], 2020, venue="OSDI"), {}, frozenset()),
             Want("b", Query(OSDI20[1]["title"], 2023, venue="NSDI"), {}, frozenset())]
    engine.run(wants)
    assert [s.param("q") for s in replay.seen if s.path == SEARCH][:1] == ["OSDI 2020"]
    assert "NSDI 2023" not in [s.param("q") for s in replay.seen]


def test_sources_that_disagree_keep_nothing(replay, timing) -> None:
    from oflbib.resolvers.engine import Found, _pool

    source = dblp_source(replay, timing)
    kungfu, near = source.record(OSDI20[0]), source.record(NEAR)
    found = Found(records={"dblp": kungfu, "crossref": near})
    _pool(found, Query("KungFu"))  # a bare name: the line tells neither apart
    assert found.records == {} and len(found.notes) == 2
    corr = source.record(CORR)
    found = Found(records={"dblp": kungfu, "arxiv": corr, "crossref": near})
    _pool(found, Query("KungFu"))  # two sources agree: the third is the odd one out
    assert set(found.records) == {"dblp", "arxiv"}


def test_a_usenix_talk_link_gives_venue_and_year() -> None:
    from oflbib.model import Entry

    entry = Entry("k", "paper", title="KungFu",
                  urls=["https://www.usenix.org/conference/osdi20/presentation/mai"])
    assert Want.of(entry).query == Query("KungFu", 2020, venue="OSDI")


def test_a_bare_name_in_the_list_is_resolved_and_shown_as_a_correction(
        replay, resolve_env, catalog_root) -> None:
    from tests.resolve_support import small_corpus

    corpus = small_corpus()
    corpus.dblp = OSDI20 + [NEAR, CORR]
    corpus.serve(replay)
    assert oflbib(catalog_root, "resolve", "-q").exit_code == 0
    entry = next(e for e in load(catalog_root).entries.values() if e.title == KUNGFU)
    assert entry.seed is not None and entry.seed.title == "KungFu"  # the list's text kept
    assert entry.provenance["title"].via == "dblp"
    assert entry.provenance["title"].note == "the list says 'KungFu'; corrected from dblp"
    shown = oflbib(catalog_root, "check", "--seed").output
    assert "KungFu" in shown and "rec/conf/osdi/MaiLWK20" in shown


# ---- a proceedings larger than a page -----------------------------------------------------

def _neurips(count: int) -> list[dict]:
    return [dblp_info(f"conf/nips/P{n}", f"Paper {n} of a Very Large Proceedings", venue="NeurIPS",
                      year=2023, authors=[f"Author {n}", "Other Person"]) for n in range(count)]


def test_a_proceedings_larger_than_a_page_is_read_page_by_page(replay, timing,
                                                               tmp_path) -> None:
    # The paper is on the third page; its namesake (another year) on the first.
    papers = _neurips(2500)
    papers.insert(10, dblp_info("conf/nips/Near22", "Zeus: Revisiting Energy at Scale",
                                venue="NeurIPS", year=2023, authors=["Bo Near"]))
    papers.insert(2200, dblp_info("conf/nips/You23", "Zeus: Understanding and Optimizing GPU "
                                  "Energy Consumption of DNN Training", venue="NeurIPS",
                                  year=2023, authors=["Jie You", "Jae-Won Chung"]))
    Corpus(dblp=papers).serve(replay)
    want = Want("zeus", Query("Zeus: Understanding and Optimizing GPU Energy Consumption of "
                              "DNN Training", 2023, venue="NeurIPS"), {}, frozenset())
    found = engine_for(replay, timing, tmp_path).run([want])["zeus"]
    assert found.records["dblp"].dblp == "conf/nips/You23"
    pages = [(s.param("f"), s.param("h")) for s in replay.seen if s.param("q") == "NeurIPS 2023"]
    assert pages == [("0", "1000"), ("1000", "1000"), ("2000", "1000")]
    assert not [s for s in replay.seen if s.param("q") != "NeurIPS 2023"
                and s.param("q") != "zeus"]  # no title search: the proceedings settled it
    asked = len(replay.seen)
    again = engine_for(replay, timing, tmp_path).run([want])["zeus"]
    assert len(replay.seen) == asked and again.records["dblp"].dblp == "conf/nips/You23"


def test_a_question_with_more_hits_than_a_cached_answer_holds_answers_nothing(
        replay, timing) -> None:
    replay.on(on_search, dblp_hits("graph", _neurips(1000), total=5001))
    assert dblp_source(replay, timing).ask(["graph"]) == {"graph": []}
    assert len(replay.seen) == 1  # known from the first page
