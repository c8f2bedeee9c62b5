"""A code repository confirms a candidate whose abstract links it (issue 13, item 3): the
links read from real abstracts (a recorded Crossref answer, arXiv's feed format), the
signal in the pooled score and its limits, arXiv's abstract question, the engine's use of
it, and what the catalog and the report say about it."""

from __future__ import annotations

import json

import pytest

from oflbib.resolvers.arxiv import has_phrase
from oflbib.resolvers.cache import DAY, ResponseCache
from oflbib.resolvers.crossref import SELECT, record_from_item
from oflbib.resolvers.engine import Engine, Want
from oflbib.resolvers.identifiers import code_repository, repositories_in
from oflbib.resolvers.matching import AMBIGUOUS, MATCHED, Query, choose, match_score
from tests.replay_server import (
    Corpus, arxiv_search, crossref_item, crossref_search, dblp_info, fixture,
)
from tests.resolve_support import (
    arxiv_source, crossref_source, dblp_source, load, make_catalog, oflbib,
)

KUNGFU = "KungFu: Making Training in Distributed Machine Learning Adaptive"
KUNGFU_AUTHORS = ["Luo Mai", "Guo Li", "Marcel Wagenländer", "Alexandros Koliousis"]
# Abstracts as arXiv's feed gives them: running text, the link as typed, a final period.
KUNGFU_ABSTRACT = ("When using distributed machine learning systems, users must configure "
                   "their training. We describe KungFu, a distributed ML library. KungFu is "
                   "open source at https://github.com/lsds/KungFu.")
KUNGFU_PREPRINT = {"arxiv_id": "2011.00001", "title": KUNGFU, "authors": KUNGFU_AUTHORS,
                   "published": "2020-11-01T10:00:00Z", "summary": KUNGFU_ABSTRACT}
# The near miss: the same system name, another team and year, its abstract links its own
# code (the list's phrase is not in it).
NEAR_PREPRINT = {"arxiv_id": "1805.00002", "title": "KungFu: Revisiting Martial Arts at Scale",
                 "authors": ["Bo Near", "Li Miss"], "published": "2018-05-01T10:00:00Z",
                 "summary": "We revisit martial arts at scale, in KungFu. Code: "
                            "https://github.com/nearmiss/kungfu-chess"}
KUNGFU_OSDI = dblp_info("conf/osdi/MaiLWK20", KUNGFU, authors=KUNGFU_AUTHORS, venue="OSDI",
                        year=2020, pages="937-954")
ECOLOGY = "crossref/works-query-ecology-query.author-carl_boettiger.json"


def arxiv_record(preprint: dict, replay, timing):
    return arxiv_source(replay, timing).record({
        "id": preprint["arxiv_id"] + "v1", "title": preprint["title"],
        "authors": preprint["authors"], "published": preprint["published"][:10],
        "summary": preprint.get("summary")})


# ---- links, in lists and in abstracts ---------------------------------------------------

@pytest.mark.parametrize("url, repo", [
    ("https://github.com/NVIDIA/Megatron-LM.git", "nvidia/megatron-lm"),
    ("https://github.com/alpa-projects/alpa.git", "alpa-projects/alpa"),
    ("https://www.github.com/lsds/KungFu/tree/master/docs", "lsds/kungfu"),
    ("https://gitlab.com/group/tool", "group/tool"),
    ("https://github.com/lsds", None),  # an owner, not a repository
    ("https://github.com/orgs/lsds/repositories", None),
    ("https://arxiv.org/abs/2011.00001", None),
])
def test_a_link_names_its_code_repository(url, repo) -> None:
    assert code_repository(url) == repo


def test_the_links_of_a_recorded_crossref_abstract() -> None:
    # The JATS abstract links the repository twice: in the href, and in the visible text
    # with the typesetter's hyphen (U+2010) in the owner's name.
    items = json.loads(fixture(ECOLOGY))["message"]["items"]
    item = next(i for i in items if i["DOI"] == "10.1111/2041-210x.13501")
    assert "conservation\u2010decisions" in item["abstract"]
    assert record_from_item(item, "https://api.crossref.org").code == (
        "conservation-decisions/smspomdp",)
    # Works without an abstract, or with no link in it, name no code.
    assert {record_from_item(i, "").code for i in items if i is not item} == {()}
    assert "abstract" in SELECT  # asked for with every search and lookup


def test_links_in_running_text() -> None:
    text = ("Our code is at https://github.com/lsds/KungFu. See also \\url{https://gitlab.com/"
            "a/b_c-d} and https://github.com/\n  x/y, and github.com/lsds/KungFu again.")
    assert repositories_in(text) == ("lsds/kungfu", "a/b_c-d", "x/y")
    assert repositories_in("We thank GitHub. No link here.") == ()


def test_an_arxiv_record_reads_the_links_of_its_abstract(replay, timing) -> None:
    assert arxiv_record(KUNGFU_PREPRINT, replay, timing).code == ("lsds/kungfu",)
    assert arxiv_record({**KUNGFU_PREPRINT, "summary": None}, replay, timing).code == ()


# ---- the signal in the score -------------------------------------------------------------

def test_a_bare_name_with_its_code_is_the_paper_whose_abstract_links_it(replay,
                                                                        timing) -> None:
    kungfu = arxiv_record(KUNGFU_PREPRINT, replay, timing)
    near = arxiv_record(NEAR_PREPRINT, replay, timing)
    listed = Query("KungFu", code=("lsds/kungfu",))
    result = choose(listed, [near, kungfu])
    assert result.status == MATCHED and result.record is not None
    assert result.record.arxiv == "2011.00001"
    # Without the link, the name alone proves nothing; the near miss never gains.
    assert choose(Query("KungFu"), [near, kungfu]).status != MATCHED
    assert match_score(listed, near) == match_score(Query("KungFu"), near)


def test_a_fork_of_the_repository_names_it_too(replay, timing) -> None:
    # Lists often link a fork (`MachineLearningSystem/KungFu`): the repository's name counts.
    kungfu = arxiv_record(KUNGFU_PREPRINT, replay, timing)
    assert choose(Query("KungFu", code=("machinelearningsystem/kungfu",)),
                  [kungfu]).status == MATCHED


def test_the_link_is_never_enough_against_the_title_venue_or_year(replay, timing) -> None:
    code = ("lsds/kungfu",)
    kungfu = arxiv_record(KUNGFU_PREPRINT, replay, timing)
    published = dblp_source(replay, timing).record(KUNGFU_OSDI)
    # Another title: the list means another paper that links the same code.
    assert choose(Query("Scheduling Deep Learning Jobs on Shared GPU Clusters", code=code),
                  [kungfu]).status != MATCHED
    linked = published.__class__(**{**published.__dict__, "code": code})
    assert choose(Query("KungFu", code=code), [linked]).status == MATCHED
    # The list's year or venue says otherwise: the link does not outweigh it.
    assert choose(Query("KungFu", 2016, code=code), [linked]).status != MATCHED
    assert choose(Query("KungFu", 2020, venue="NSDI", code=code), [linked]).status != MATCHED


def test_two_namesakes_that_both_link_the_name_are_left_to_a_person(replay, timing) -> None:
    kungfu = arxiv_record(KUNGFU_PREPRINT, replay, timing)
    other = arxiv_record({**NEAR_PREPRINT, "summary": "https://github.com/other/KungFu"},
                         replay, timing)
    result = choose(Query("KungFu", code=("machinelearningsystem/kungfu",)), [kungfu, other])
    assert result.status == AMBIGUOUS


def test_a_sloppy_title_is_settled_by_the_code_a_crossref_abstract_links(replay,
                                                                        timing) -> None:
    title = "Effective Elastic Scaling of Deep Learning Workloads"
    jats = ("<jats:p>We present a system. Code: <jats:ext-link xlink:href=\"https://github.com"
            "/ibm/elastic\">https://github.com/ibm/elastic</jats:ext-link>.</jats:p>")
    source = crossref_source(replay, timing)
    found = source.record(crossref_item("10.1109/mascots.2020.1", title, year=2020,
                                        abstract=jats))
    bare = source.record(crossref_item("10.1109/mascots.2020.1", title, year=2020))
    sloppy = Query("Elastic Scaling of Deep Learning Workloads", 2020)  # a word left out
    assert choose(sloppy, [bare]).status == AMBIGUOUS
    assert choose(sloppy, [found]).status == AMBIGUOUS  # the list links no code
    assert choose(Query(sloppy.title, 2020, code=("ibm/elastic",)), [found]).status == MATCHED
    assert choose(Query(sloppy.title, 2020, code=("ibm/other",)), [found]).status == AMBIGUOUS


# ---- arXiv's abstract question, and the engine -----------------------------------------

def test_arxiv_is_asked_for_the_abstracts_that_link_the_code(replay, timing) -> None:
    Corpus(preprints=[KUNGFU_PREPRINT, NEAR_PREPRINT]).serve(replay)
    source = arxiv_source(replay, timing)
    # The link's words in a row (`/` is query syntax); a title with another name, or a
    # name too short to ask by, asks only that.
    megatron = source.code_question(Query("Megatron-LM: Training Multi-Billion Parameter "
                                          "Language Models", code=("nvidia/megatron-lm",)))
    assert megatron == 'abs:"nvidia megatron lm" OR (ti:"megatron lm" AND abs:"megatron lm")'
    assert source.code_question(Query("Scaling Language Models", code=("a/megatron",))) \
        == 'abs:"a megatron"'
    assert source.code_question(Query("HET", code=("a/het",))) == 'abs:"a het"'
    assert source.code_question(Query("KungFu")) is None
    # A list that links a fork: the paper titled with the name, its abstract naming it.
    fork = source.code_question(Query("KungFu", code=("fork/kungfu", "other/thing")))
    assert fork == 'abs:"fork kungfu" OR (ti:"kungfu" AND abs:"kungfu")'
    answers = source.search_abstracts([fork, megatron])
    # (and the near miss, titled with the name: the matcher tells them apart)
    assert [raw["id"] for raw in answers[fork]] == ["2011.00001v1", "1805.00002v1"]
    assert answers[megatron] == []
    (seen,) = replay.seen  # both in one request
    assert arxiv_search(seen) == f"({fork}) OR ({megatron})"
    assert has_phrase(KUNGFU_ABSTRACT, "lsds kungfu")
    assert not has_phrase(KUNGFU_ABSTRACT, "kungfu lsds")


def engine(replay, timing, cache_dir) -> Engine:
    sources = [crossref_source(replay, timing), arxiv_source(replay, timing),
               dblp_source(replay, timing)]
    return Engine(sources, ResponseCache(cache_dir, 30 * DAY), timing)


@pytest.mark.parametrize("linked", ["lsds/kungfu", "machinelearningsystem/kungfu"])
def test_a_bare_name_with_no_tag_is_found_by_its_code(replay, timing, tmp_path,
                                                      linked) -> None:
    near = dblp_info("conf/hotos/Near18", NEAR_PREPRINT["title"], authors=["Bo Near"],
                     venue="HotOS", year=2018)
    Corpus(preprints=[KUNGFU_PREPRINT, NEAR_PREPRINT], dblp=[KUNGFU_OSDI, near]).serve(replay)
    want = Want("kungfu", Query("KungFu", code=(linked,)), {}, frozenset())
    found = engine(replay, timing, tmp_path / "cache").run([want])["kungfu"]
    # arXiv's record, by the code; then dblp's publication, by the title arXiv gave.
    assert found.records["arxiv"].arxiv == "2011.00001"
    assert found.records["dblp"].dblp == "conf/osdi/MaiLWK20"
    assert found.code == {"arxiv": linked}
    assert any(linked in note for note in found.notes)
    asked = len(replay.seen)
    owner = linked.partition("/")[0]
    assert [arxiv_search(s) for s in replay.seen if s.path == "/api/query"][0] \
        == f'(abs:"{owner} kungfu" OR (ti:"kungfu" AND abs:"kungfu"))'
    again = engine(replay, timing, tmp_path / "cache").run([want])["kungfu"]
    assert len(replay.seen) == asked  # the cache answers a second run
    assert again.records.keys() == found.records.keys()


def test_what_the_other_sources_settle_costs_no_abstract_question(replay, timing,
                                                                   tmp_path) -> None:
    Corpus(preprints=[KUNGFU_PREPRINT], dblp=[KUNGFU_OSDI]).serve(replay)
    # A title any source finds: no question by its code (its candidates are checked free).
    want = Want("kungfu", Query(KUNGFU, 2020, venue="OSDI", code=("lsds/kungfu",)), {},
                frozenset())
    found = engine(replay, timing, tmp_path / "cache").run([want])["kungfu"]
    assert found.records["arxiv"].arxiv == "2011.00001"
    assert not any(arxiv_search(s).startswith("abs:") for s in replay.seen)
    assert found.code == {"arxiv": "lsds/kungfu"}  # the title search's record links it


def test_an_unsettled_title_asks_by_its_code(replay, timing, tmp_path) -> None:
    # A typo no phrase search finds, no venue tag: pass 2 asks arXiv by the code.
    Corpus(preprints=[KUNGFU_PREPRINT, NEAR_PREPRINT]).serve(replay)
    want = Want("kungfu", Query("KungFu: Makign Training in Distributed Machine Learning "
                                "Adaptive", code=("lsds/kungfu",)), {}, frozenset())
    found = engine(replay, timing, tmp_path / "cache").run([want])["kungfu"]
    assert found.records["arxiv"].arxiv == "2011.00001"
    assert '(abs:"lsds kungfu" OR (ti:"kungfu" AND abs:"kungfu"))' in [
        arxiv_search(s) for s in replay.seen]


LIST = """\
# A list

## Papers
- [KungFu](https://github.com/lsds/KungFu) (2020)
- [Nothing Links This Code Anywhere At All](https://github.com/someone/else)
"""


def test_the_catalog_records_what_the_code_confirmed(replay, resolve_env, tmp_path) -> None:
    Corpus(preprints=[KUNGFU_PREPRINT, NEAR_PREPRINT], dblp=[KUNGFU_OSDI]).serve(replay)
    root = make_catalog(tmp_path / "catalog", LIST)
    done = oflbib(root, "resolve")
    assert done.exit_code == 0, done.output
    assert "links the list's code repository (lsds/kungfu) in its abstract" in done.output
    entry = next(e for e in load(root).entries.values() if e.seed and e.seed.title == "KungFu")
    assert (entry.title, entry.arxiv) == (KUNGFU, "2011.00001")
    assert entry.provenance["arxiv"].note == (
        "matched by the list's code (lsds/kungfu), which the record's abstract links")
    asked = len(replay.seen)
    assert oflbib(root, "resolve", "-q").exit_code == 0
    assert len(replay.seen) == asked  # the warm run asks nothing


def test_the_simulation_gives_abstracts_that_link_the_code() -> None:
    from benchmarks.resolve.sim import corpus_of
    from oflbib.model import Catalog, Entry
    from tests.replay_server import arxiv_matches

    catalog = Catalog(entries={f"p{n}": Entry(
        key=f"p{n}", kind="paper", title=f"Sys{n}: A System Number {n}", arxiv=f"2101.0000{n}",
        urls=[f"https://github.com/MachineLearningSystem/sys{n}"]) for n in range(2)})
    preprints = corpus_of(catalog).preprints
    papers = {p["arxiv_id"]: p for p in preprints if p["arxiv_id"].startswith("2101.")}
    # One paper's abstract links the list's repository; the other its authors' own, of
    # which the list links a fork. Near misses link code of their own.
    assert code_repository("https://github.com/MachineLearningSystem/sys1") in \
        repositories_in(papers["2101.00001"]["summary"])
    assert repositories_in(papers["2101.00000"]["summary"]) == ("authors-lab-0/sys0",)
    near = [p for p in preprints if p["arxiv_id"] not in papers]
    linked = [repositories_in(p["summary"]) for p in near]
    assert len(near) == 2 and all(len(repos) == 1 and repos[0].partition("/")[2] not in
                                  ("sys0", "sys1") for repos in linked)
    # The simulated arXiv answers abstract questions as arXiv would.
    question = 'abs:"machinelearningsystem sys1"'
    assert [p["arxiv_id"] for p in preprints if arxiv_matches(question, p)] == ["2101.00001"]
    fork = 'abs:"machinelearningsystem sys0" OR (ti:"sys0" AND abs:"sys0")'
    assert "2101.00000" in [p["arxiv_id"] for p in preprints if arxiv_matches(fork, p)]


def test_a_year_alone_may_be_the_publications_not_the_preprints(replay, timing) -> None:
    # `[Title](code) (2020)`: the preprint of 2018 is not another work for a year alone
    # (it is, where the list calls the paper a preprint of 2020).
    preprint = arxiv_record({**KUNGFU_PREPRINT, "published": "2018-11-01T10:00:00Z"},
                            replay, timing)
    assert choose(Query(KUNGFU, 2020), [preprint]).status == MATCHED
    assert choose(Query(KUNGFU, 2020, venue="arXiv"), [preprint]).status != MATCHED
    assert choose(Query(KUNGFU, 2025), [preprint]).status != MATCHED  # years after: another
