"""The engine: batching, the two passes, the cache, and running the sources side by side."""

from __future__ import annotations

import threading

import pytest

from oflbib.model import Entry, Provenance, Seed
from oflbib.resolvers.cache import DAY, ResponseCache
from oflbib.resolvers.engine import (
    FAILED, FAILURES_BEFORE_GIVING_UP, NOT_FOUND, RESOLVED, Engine, Want,
)
from oflbib.resolvers.manners import Cancelled
from oflbib.resolvers.matching import AMBIGUOUS
from tests.replay_server import (
    ATOM_HEADERS, CROSSREF_HEADERS, Corpus, Reply, arxiv_ids, atom_feed, crossref_dois, crossref_item,
    crossref_search, fixture, recorded, work_list,
)
from tests.resolve_support import (
    BAMBOO, FASTMOE, VARUNA, VARUNA_PREPRINT, arxiv_source, crossref_source, small_corpus,
)



def engine(replay, timing, cache_dir, *, offline: bool = False) -> Engine:
    sources = [crossref_source(replay, timing), arxiv_source(replay, timing)]
    return Engine(sources, ResponseCache(cache_dir, 30 * DAY, expire=not offline), timing,
                  offline=offline)


def paper(key: str, title: str, **fields) -> Entry:
    return Entry(key=key, kind="paper", title=title, **fields)


def test_identifiers_are_looked_up_in_one_request_per_source(replay, timing, tmp_path) -> None:
    corpus = Corpus(works=[crossref_item(f"10.1145/{n}", f"Systems paper number {n} on GPUs")
                           for n in range(3)],
                    preprints=[{"arxiv_id": f"2201.0000{n}", "title": f"Preprint {n} on GPUs"}
                               for n in range(2)])
    corpus.serve(replay)
    wants = [Want.of(paper(f"c{n}", f"Systems paper number {n} on GPUs", doi=f"10.1145/{n}"))
             for n in range(3)]
    wants += [Want.of(paper(f"a{n}", f"Preprint {n} on GPUs", arxiv=f"2201.0000{n}"))
              for n in range(2)]
    found = engine(replay, timing, tmp_path).run(wants)
    assert all(f.status == RESOLVED for f in found.values())
    doi_batches = [s for s in replay.seen if crossref_dois(s)]
    id_batches = [s for s in replay.seen if arxiv_ids(s)]
    assert [len(crossref_dois(s)) for s in doi_batches] == [3]
    assert [len(arxiv_ids(s)) for s in id_batches] == [2]


def test_a_second_run_asks_nothing(replay, timing, tmp_path) -> None:
    small_corpus().serve(replay)
    wants = [Want.of(paper("b", BAMBOO["title"][0])),
             Want.of(paper("v", VARUNA["title"][0], year=2022, venue="EuroSys")),
             Want.of(paper("f", FASTMOE["title"], arxiv="2103.13262")),
             Want.of(paper("n", "A paper that no source has ever heard of"))]
    first = engine(replay, timing, tmp_path).run(wants)
    asked = len(replay.seen)
    assert asked > 0
    second = engine(replay, timing, tmp_path).run(wants)
    assert len(replay.seen) == asked
    assert {k: f.records for k, f in second.items()} == {k: f.records for k, f in first.items()}


def test_a_search_does_not_change_what_a_lookup_answered(replay, timing, tmp_path) -> None:
    # arXiv's id lookup leaves the paper out (a batch cut short, a record not yet indexed)
    # and the title search then finds it: the second run must hear what the first heard,
    # or it asks new questions (here Crossref, by the record's own title).
    Corpus(preprints=[VARUNA_PREPRINT]).serve(replay)
    replay.on(lambda s: bool(arxiv_ids(s)), atom_feed([]))
    wants = [Want.of(paper("v", VARUNA_PREPRINT["title"].lower(), year=2022,
                           urls=["https://arxiv.org/abs/2111.04007"]))]
    first = engine(replay, timing, tmp_path).run(wants)
    assert first["v"].records["arxiv"].arxiv == "2111.04007"  # found by its title
    asked = len(replay.seen)
    second = engine(replay, timing, tmp_path).run(wants)
    assert len(replay.seen) == asked
    assert second["v"].records == first["v"].records


def test_offline_answers_from_the_cache_alone(replay, timing, tmp_path) -> None:
    small_corpus().serve(replay)
    wants = [Want.of(paper("b", BAMBOO["title"][0]))]
    missing = engine(replay, timing, tmp_path, offline=True).run(wants)["b"]
    assert missing.status == FAILED and "not in the cache" in missing.errors["crossref"]
    assert replay.seen == []
    online = engine(replay, timing, tmp_path).run(wants)["b"]
    asked = len(replay.seen)
    offline = engine(replay, timing, tmp_path, offline=True).run(wants)["b"]
    assert offline.records == online.records and len(replay.seen) == asked


def test_an_arxiv_record_leads_to_its_published_version(replay, timing, tmp_path) -> None:
    Corpus(works=[VARUNA], preprints=[VARUNA_PREPRINT]).serve(replay)
    found = engine(replay, timing, tmp_path).run(
        [Want.of(paper("v", "Varuna", arxiv="2111.04007"))])["v"]
    assert found.records["arxiv"].doi == VARUNA["DOI"]
    assert found.records["crossref"].doi == VARUNA["DOI"]
    assert not [s for s in replay.seen if crossref_search(s)]  # the DOI was enough


def test_a_link_that_names_another_paper_is_ignored(replay, timing, tmp_path) -> None:
    Corpus(works=[], preprints=[FASTMOE, VARUNA_PREPRINT]).serve(replay)
    entry = paper("v", VARUNA_PREPRINT["title"], urls=["https://arxiv.org/abs/2103.13262"])
    found = engine(replay, timing, tmp_path).run([Want.of(entry)])["v"]
    assert found.records["arxiv"].arxiv == "2111.04007"  # found again by its title
    assert any("2103.13262" in note and "ignored" in note for note in found.notes)


def test_the_lists_arxiv_tag_and_the_entrys_own_id_are_both_checked(replay, timing,
                                                                    tmp_path) -> None:
    Corpus(preprints=[FASTMOE]).serve(replay)
    tagged = paper("t", "Some other title entirely about databases", arxiv="2103.13262",
                   seed=Seed("x", "arXiv preprint arXiv:2103.13262"))
    own = paper("o", "Some other title entirely about databases", arxiv="2103.13262")
    found = engine(replay, timing, tmp_path).run([Want.of(tagged), Want.of(own)])
    assert "arxiv" not in found["t"].records and "arxiv" not in found["o"].records
    assert "arxiv 2103.13262 (from the entry's link or the list's tag) is 'FastMoE: A Fast " \
        "Mixture-of-Expert Training System', not this paper: ignored" in found["t"].notes
    assert any("(from the entry) is 'FastMoE" in note for note in found["o"].notes)


@pytest.mark.parametrize("tag", ["arXiv preprint arXiv:2103.13262", "arXiv:2103.13262",
                                 "arxiv 2103.13262v2"])
def test_every_spelling_of_an_arxiv_tag_gives_the_lists_id(tag: str) -> None:
    # The list's id (not the entry's own: the list can be wrong), with the tag's year.
    want = Want.of(paper("t", "FastMoE", arxiv="2103.13262", seed=Seed("FastMoE", tag)))
    assert want.ids == {"arxiv": "2103.13262"} and want.own == frozenset()
    assert want.origin("arxiv") == "the entry's link or the list's tag"


@pytest.mark.parametrize("tag", ["EuroSys'21", "(EuroSys 2021)", "In EuroSys 2021"])
def test_a_second_run_asks_by_the_lists_tag_however_spelt(tag: str) -> None:
    # The first run corrected the list's year and venue; the second asks as the list did.
    entry = paper("v", "Varuna", year=2022, venue="ATC", seed=Seed("Varuna", tag))
    for name in ("year", "venue"):
        entry.provenance[name] = Provenance("https://dblp.org/rec/x", "dblp")
    assert (Want.of(entry).query.year, Want.of(entry).query.venue) == (2021, "EuroSys")


def test_a_bare_name_is_searched_by_the_title_its_id_gives(replay, timing, tmp_path) -> None:
    Corpus(works=[VARUNA, crossref_item("10.1/decoy", "Varuna Bhaskar: a biography")],
           preprints=[{**VARUNA_PREPRINT, "doi": None}]).serve(replay)
    entry = paper("v", "Varuna", year=2022, venue="EuroSys",
                  urls=["https://arxiv.org/abs/2111.04007"])
    found = engine(replay, timing, tmp_path).run([Want.of(entry)])["v"]
    assert found.records["crossref"].doi == VARUNA["DOI"]
    (search,) = [s for s in replay.seen if crossref_search(s)]
    assert search.param("query.bibliographic") == VARUNA_PREPRINT["title"]


def test_one_bad_id_does_not_spoil_its_batch(replay, timing, tmp_path) -> None:
    good = [crossref_item(f"10.1145/{n}", f"Good paper number {n} about systems")
            for n in range(3)]

    def answer(seen) -> Reply:
        if "10.1145/bad" in crossref_dois(seen):
            return Reply(400, b'{"status":"failed","message-type":"validation-failure",'
                              b'"message":[{"type":"doi-not-valid","message":"bad DOI"}]}',
                         dict(CROSSREF_HEADERS))
        return work_list([g for g in good if g["DOI"] in crossref_dois(seen)])

    Corpus(works=good).serve(replay)
    replay.on(lambda s: s.path == "/works" and bool(crossref_dois(s)), answer)
    wants = [Want.of(paper(f"g{n}", f"Good paper number {n} about systems",
                           doi=f"10.1145/{n}")) for n in range(3)]
    wants.append(Want.of(paper("bad", "A paper with a broken DOI here", doi="10.1145/bad")))
    source = crossref_source(replay, timing)
    found = Engine([source], ResponseCache(tmp_path, DAY), timing).run(wants)
    assert [found[f"g{n}"].status for n in range(3)] == [RESOLVED] * 3
    # Alone, it goes to /works/{doi}, which answers "no such DOI".
    assert found["bad"].status == NOT_FOUND and found["bad"].errors == {}


def test_a_source_that_keeps_failing_is_no_longer_asked(replay, timing, tmp_path) -> None:
    """Crossref down (500 to everything): after FAILURES_BEFORE_GIVING_UP failed requests
    in a row the run stops asking it; every entry still gets its error, and arXiv, which
    works, is asked as usual."""
    Corpus(preprints=[FASTMOE]).serve(replay)
    replay.on(lambda s: s.path.startswith("/works"),  # answers before the corpus does
              Reply(500, b"Internal Server Error", {"content-type": "text/plain"}))

    def crossref_requests(wants: list[Want], cache: str) -> tuple[int, dict]:
        before = len(replay.seen)
        found = Engine([crossref_source(replay, timing), arxiv_source(replay, timing)],
                       ResponseCache(tmp_path / cache, DAY), timing).run(wants)
        return sum(s.path.startswith("/works") for s in replay.seen[before:]), found

    one, _ = crossref_requests([Want.of(paper("p0", "Systems paper number zero here"))], "a")
    wants = [Want.of(paper(f"p{n}", f"Systems paper number {n} here")) for n in range(12)]
    wants.append(Want.of(paper("f", FASTMOE["title"], arxiv=FASTMOE["arxiv_id"])))
    many, found = crossref_requests(wants, "b")
    # Crossref has 4 requests in flight: up to 3 more start before the third failure.
    assert one > 1 and many <= (FAILURES_BEFORE_GIVING_UP + 3) * one < len(wants) * one
    messages = [found[w.key].errors["crossref"] for w in wants]
    assert sum("not asked: its last 3 requests failed" in m for m in messages) >= 6
    assert all("500" in m for m in messages)  # the cause is named either way
    assert "arxiv" in found["f"].records


def test_the_sources_are_asked_side_by_side(replay, timing, tmp_path) -> None:
    arxiv_asked = threading.Event()
    overlapped = []
    corpus = small_corpus()

    def crossref_waits_for_arxiv(seen) -> Reply:
        overlapped.append(arxiv_asked.wait(timeout=5))
        return corpus.crossref_works(seen)

    def arxiv_answers(seen) -> Reply:
        arxiv_asked.set()
        return corpus.arxiv_query(seen)

    replay.on(lambda s: s.path == "/works", crossref_waits_for_arxiv)
    replay.on(lambda s: s.path == "/api/query", arxiv_answers)
    engine(replay, timing, tmp_path).run([Want.of(paper("b", BAMBOO["title"][0]))])
    assert overlapped and overlapped[0] is True  # arXiv was asked while Crossref was busy


def test_crossrefs_concurrency_limit_is_kept(replay, timing, tmp_path) -> None:
    two_at_a_time = {**CROSSREF_HEADERS, "x-concurrency-limit": "2", "x-rate-limit-limit": "50"}
    replay.on(crossref_search, Reply(200, work_list([]).body, two_at_a_time, delay=0.05))
    wants = [Want.of(paper(f"p{n}", f"Paper number {n} about something")) for n in range(8)]
    Engine([crossref_source(replay, timing)], ResponseCache(tmp_path, DAY), timing).run(wants)
    assert len(replay.requests("/works")) == 8
    assert replay.most_in_flight <= 2


def test_an_interrupted_run_stops_asking(replay, timing, tmp_path) -> None:
    small_corpus().serve(replay)
    timing.cancelled.set()
    with pytest.raises(Cancelled):
        engine(replay, timing, tmp_path).run([Want.of(paper("b", BAMBOO["title"][0]))])
    assert replay.seen == []


@pytest.mark.parametrize("title, recorded_answer, status, doi", [
    ("Effect of native oxide layers on copper thin-film tensile properties: A reactive "
     "molecular dynamics study", "works-query.title-effect_of_native_oxide_layers-a_reactive_"
     "molecular_dynamics_study-rows1.json", RESOLVED, "10.1063/1.4938384"),
    ("Effect of native oxide layers on copper thin-film tensile properties: A study",
     "works-query.title-effect_of_native_oxide_layers-a_study-rows1-near-miss.json",
     AMBIGUOUS, None),
    ("Attention is All you Need", "works-query.title-attention_is_all_you_need-query.author-"
     "rows1-wrong-top-hit.json", NOT_FOUND, None),
    ("askldjrq3rjaw938h zzq qqz", "works-query.title-askldjrq3rjaw938h-rows1-no-results.json",
     NOT_FOUND, None),
])
def test_recorded_title_searches_end_to_end(replay, timing, tmp_path, title, recorded_answer,
                                            status, doi) -> None:
    replay.on(crossref_search, recorded(f"crossref/{recorded_answer}"))
    replay.on(lambda s: s.path == "/api/query", Reply(200, fixture(
        "arxiv/query-id_list-0000.0000-no-entries.xml"), dict(ATOM_HEADERS)))
    entry = paper("p", title)
    found = engine(replay, timing, tmp_path).run([Want.of(entry)])["p"]
    assert found.status == status
    assert (found.records["crossref"].doi if "crossref" in found.records else None) == doi
