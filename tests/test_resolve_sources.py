"""The real habanero and arxiv clients against recorded (and recorded-shaped) responses.

Every error the services are known to send is replayed: 404, 400, 500, 504, 429 with
Retry-After, a timeout, truncated JSON, an empty or error Atom feed. Waits run on a fake
clock (FakeTiming), so the test checks how long the code *would* wait without waiting.
"""

from __future__ import annotations

import pytest

from oflbib.resolvers.base import SourceError
from oflbib.resolvers.manners import Pace
from tests.replay_server import (
    ATOM_HEADERS, CROSSREF_HEADERS, Reply, arxiv_ids, arxiv_search, atom_entry, atom_feed,
    crossref_dois, crossref_item, crossref_search, fixture, recorded, work, work_list,
)
from tests.resolve_support import arxiv_source, crossref_source


PLOS = "10.1371/journal.pone.0033693"
TEXT = {**CROSSREF_HEADERS, "content-type": "text/plain"}


def on_plos(seen) -> bool:
    return seen.path == f"/works/{PLOS}"


def on_works(seen) -> bool:
    return seen.path == "/works"


def on_arxiv(seen) -> bool:
    return seen.path == "/api/query"


# ---- Crossref ---------------------------------------------------------------------------

def test_a_doi_is_looked_up_by_the_real_client(replay, timing) -> None:
    replay.on(on_plos, recorded("crossref/works-doi-10.1371_journal.pone.0033693.json"))
    source = crossref_source(replay, timing)
    found = source.fetch([PLOS])
    record = source.record(found[PLOS])
    assert record.doi == PLOS and record.year == 2012
    assert record.container == "PLoS ONE"
    (seen,) = replay.seen
    assert "habanero/" in seen.headers["user-agent"]
    assert "mailto:me@example.org" in seen.headers["user-agent"]
    assert "oflbib/test" in seen.headers["user-agent"]


def test_an_unknown_doi_is_not_found_not_an_error(replay, timing) -> None:
    replay.on(lambda s: s.path.startswith("/works/"),
              recorded("crossref/works-doi-10.1371_notarealdoi-404.txt", 404, TEXT))
    assert crossref_source(replay, timing).fetch(["10.1371/notarealdoi"]) == {}
    assert len(replay.seen) == 1  # a 404 is an answer: no retry


def test_many_dois_take_one_request(replay, timing) -> None:
    known = ["10.1145/1", "10.1145/2"]
    replay.on(on_works, lambda s: work_list([crossref_item(d, f"Title {d}") for d in
                                             crossref_dois(s) if d in known]))
    found = crossref_source(replay, timing).fetch(["10.1145/1", "10.1145/2", "10.1145/404"])
    assert set(found) == {"10.1145/1", "10.1145/2"}
    (seen,) = replay.seen
    assert crossref_dois(seen) == ["10.1145/1", "10.1145/2", "10.1145/404"]
    assert seen.param("rows") == "3"


def test_a_bad_request_is_not_retried(replay, timing) -> None:
    replay.on(on_works, recorded("crossref/works-doi-with-query.author-400.json", 400))
    with pytest.raises(SourceError) as failure:
        crossref_source(replay, timing).search(["A title that the server refuses"])
    assert failure.value.status == 400
    assert len(replay.seen) == 1 and timing.slept == []


@pytest.mark.parametrize("name, status, headers", [
    ("crossref/works-cursor-5-500.json", 500, CROSSREF_HEADERS),
    ("crossref/journals-1803-2427-works-facets-504-gateway-timeout.html", 504,
     {"content-type": "text/html", "server": "awselb/2.0"}),
])
def test_server_errors_are_retried_after_a_backoff(replay, timing, name, status,
                                                   headers) -> None:
    replay.on(on_plos, recorded(name, status, headers),
              recorded("crossref/works-doi-10.1371_journal.pone.0033693.json"))
    assert PLOS in crossref_source(replay, timing).fetch([PLOS])
    assert len(replay.seen) == 2
    (backoff,) = timing.slept
    assert 0.5 <= backoff <= 1.0  # first step of the exponential backoff, half of it jitter


def test_server_errors_give_up_after_the_last_try(replay, timing) -> None:
    replay.on(on_works, recorded("crossref/works-cursor-5-500.json", 500))
    with pytest.raises(SourceError, match="HTTP 500 after 4 tries"):
        crossref_source(replay, timing).search(["Some paper title here"])
    assert len(replay.seen) == 4
    assert timing.slept == sorted(timing.slept)  # the waits grow


def test_429_waits_as_long_as_retry_after_says(replay, timing) -> None:
    too_many = Reply(429, b'{"status":"error","message":"Too many requests"}',
                     {**CROSSREF_HEADERS, "retry-after": "7"})
    replay.on(on_plos, too_many, recorded("crossref/works-doi-10.1371_journal.pone.0033693.json"))
    source = crossref_source(replay, timing)
    start = timing.now
    assert PLOS in source.fetch([PLOS])
    assert len(replay.seen) == 2
    assert timing.now - start >= 7  # the limiter held every request back for 7 s


def test_a_retry_after_too_far_away_is_an_error_now(replay, timing) -> None:
    replay.on(on_works, Reply(429, b"", {**CROSSREF_HEADERS, "retry-after": "3600"}))
    with pytest.raises(SourceError, match="retry after 3600 s"):
        crossref_source(replay, timing).search(["Some paper title here"])
    assert len(replay.seen) == 1


def test_a_timeout_is_retried(replay, timing) -> None:
    slow = Reply(200, fixture("crossref/works-doi-10.1371_journal.pone.0033693.json"),
                 dict(CROSSREF_HEADERS), delay=1.0)
    replay.on(on_plos, slow, recorded("crossref/works-doi-10.1371_journal.pone.0033693.json"))
    assert PLOS in crossref_source(replay, timing, timeout=0.2).fetch([PLOS])
    assert len(replay.seen) == 2


def test_truncated_json_is_retried_then_reported(replay, timing) -> None:
    body = fixture("crossref/works-query.title-augmenting_large_language_models_with_"
                   "chemistry_tools-rows1.json")
    replay.on(on_works, Reply(200, body[: len(body) // 2], dict(CROSSREF_HEADERS)))
    with pytest.raises(SourceError, match="not well-formed JSON"):
        crossref_source(replay, timing).search(["Augmenting large language models"])
    assert len(replay.seen) == 4


def test_the_published_limits_are_adopted_from_the_headers(replay, timing) -> None:
    plus = {**CROSSREF_HEADERS, "x-api-pool": "plus", "x-rate-limit-limit": "150",
            "x-concurrency-limit": "8"}
    replay.on(on_works, Reply(200, fixture(
        "crossref/works-query.title-askldjrq3rjaw938h-rows1-no-results.json"), plus))
    source = crossref_source(replay, timing, mailto=None)
    assert source.limiter.pace == Pace(5, 1.0, 1)  # the public pool until told otherwise
    source.search(["askldjrq3rjaw938h"])
    assert source.limiter.pace == Pace(150, 1.0, 8)


def test_older_header_spellings_are_understood(replay, timing) -> None:
    old = {"content-type": "application/json", "x-ratelimit-limit": "50",
           "x-ratelimit-interval": "1s"}
    replay.on(on_works, Reply(200, fixture(
        "crossref/works-query.title-askldjrq3rjaw938h-rows1-no-results.json"), old))
    source = crossref_source(replay, timing)
    source.search(["askldjrq3rjaw938h"])
    assert source.limiter.pace == Pace(50, 1.0, 3)


def test_title_search_asks_for_candidates(replay, timing) -> None:
    replay.on(crossref_search, recorded(
        "crossref/works-query.title-attention_is_all_you_need-query.author-rows1-"
        "wrong-top-hit.json"))
    found = crossref_source(replay, timing).search(["Attention is All you Need"])
    assert [item["DOI"] for item in found["Attention is All you Need"]] == ["10.18653/v1/n18-2074"]
    (seen,) = replay.seen
    assert seen.param("query.bibliographic") == "Attention is All you Need"
    assert seen.param("rows") == "5"


# ---- arXiv ------------------------------------------------------------------------------

def test_many_arxiv_ids_take_one_request(replay, timing) -> None:
    replay.on(on_arxiv, Reply(200, fixture(
        "arxiv/query-id_list-0808.05394_1707.08567-one-missing.xml"), dict(ATOM_HEADERS)))
    source = arxiv_source(replay, timing)
    found = source.fetch(["0808.05394", "1707.08567"])
    assert set(found) == {"1707.08567"}
    record = source.record(found["1707.08567"])
    assert record.arxiv == "1707.08567" and record.arxiv_class == "cs.IT"
    assert record.url == "https://arxiv.org/abs/1707.08567v1"
    assert str(record.authors[28]) == "van der Putten, Joost"
    (seen,) = replay.seen
    assert arxiv_ids(seen) == ["0808.05394", "1707.08567"]
    assert seen.headers["user-agent"].startswith("oflbib/test")


def test_an_empty_feed_means_no_such_paper(replay, timing) -> None:
    replay.on(on_arxiv, Reply(200, fixture("arxiv/query-id_list-0000.0000-no-entries.xml"),
                              dict(ATOM_HEADERS)))
    assert arxiv_source(replay, timing).fetch(["0000.0000"]) == {}
    assert len(replay.seen) == 1


def test_an_error_feed_is_a_bad_request(replay, timing) -> None:
    replay.on(on_arxiv, Reply(400, fixture("arxiv/query-id_list-abc-400-error.xml"),
                              dict(ATOM_HEADERS)))
    with pytest.raises(SourceError) as failure:
        arxiv_source(replay, timing).fetch(["abc"])
    assert failure.value.status == 400 and len(replay.seen) == 1


@pytest.mark.parametrize("broken", [b"", fixture("arxiv/query-id_list-1605.08386.xml")[:900]])
def test_a_cut_off_feed_is_retried(replay, timing, broken: bytes) -> None:
    replay.on(on_arxiv, Reply(200, broken, dict(ATOM_HEADERS)),
              Reply(200, fixture("arxiv/query-id_list-1605.08386.xml"), dict(ATOM_HEADERS)))
    assert set(arxiv_source(replay, timing).fetch(["1605.08386"])) == {"1605.08386"}
    assert len(replay.seen) == 2


def test_arxiv_is_asked_once_every_three_seconds(replay, timing) -> None:
    replay.on(on_arxiv, Reply(200, fixture("arxiv/query-id_list-0000.0000-no-entries.xml"),
                              dict(ATOM_HEADERS)))
    source = arxiv_source(replay, timing)
    start = timing.now
    for _ in range(3):
        source.fetch(["0000.0000"])
    assert len(replay.seen) == 3
    assert timing.now - start >= 6.0  # two gaps of at least three seconds


def test_503_waits_for_retry_after(replay, timing) -> None:
    replay.on(on_arxiv, Reply(503, b"Service Unavailable", {"retry-after": "11"}),
              Reply(200, fixture("arxiv/query-id_list-1605.08386.xml"), dict(ATOM_HEADERS)))
    start = timing.now
    assert set(arxiv_source(replay, timing, delay=0).fetch(["1605.08386"])) == {"1605.08386"}
    assert timing.now - start >= 11


def test_a_recorded_journal_reference_and_doi_are_kept(replay, timing) -> None:
    replay.on(on_arxiv, Reply(200, fixture(
        "arxiv/legacy-2016-query-search_query-au_del_maestro-AND-ti_checkerboard.xml"),
        dict(ATOM_HEADERS)))
    title = "From stripe to checkerboard order on the square lattice"
    source = arxiv_source(replay, timing)
    (raw,) = source.search([title])[title]
    record = source.record(raw)
    assert record.doi == "10.1103/PhysRevB.74.024520"
    assert record.arxiv == "cond-mat/0603029" and record.year == 2006


def test_titles_are_searched_several_per_request(replay, timing) -> None:
    papers = {"2201.00001": "Alpa Automating Inter and Intra Operator Parallelism",
              "2201.00002": "Unity Accelerating DNN Training Through Joint Optimization"}

    def answer(seen) -> Reply:
        query = arxiv_search(seen).lower()
        return atom_feed([atom_entry(i, t) for i, t in papers.items() if t.lower() in query])

    replay.on(on_arxiv, answer)
    titles = ["Alpa: Automating Inter- and Intra-Operator Parallelism",
              "Unity: Accelerating DNN Training Through Joint Optimization"]
    found = arxiv_source(replay, timing).search(titles)
    assert [raw["id"] for raw in found[titles[0]]] == ["2201.00001v1"]
    assert [raw["id"] for raw in found[titles[1]]] == ["2201.00002v1"]
    (seen,) = replay.seen
    assert arxiv_search(seen).count(" OR ti:") == 1


def test_a_full_page_is_asked_again_in_halves(replay, timing) -> None:
    crowd = [atom_entry(f"2201.{n:05d}", f"Deep learning study number {n}") for n in range(20)]

    def answer(seen) -> Reply:
        if " OR " in arxiv_search(seen):  # the combined query drowns in look-alikes
            return atom_feed(crowd[: int(seen.param("max_results"))])
        return atom_feed([atom_entry("2202.00001", "Alpa Automating Parallelism")]
                         if "alpa" in arxiv_search(seen) else [])

    replay.on(on_arxiv, answer)
    titles = ["Alpa: Automating Parallelism", "Another title that is not there"]
    found = arxiv_source(replay, timing).search(titles)
    assert [raw["id"] for raw in found[titles[0]]] == ["2202.00001v1"]
    assert len(replay.seen) == 3


@pytest.mark.parametrize("title, text", [
    ("Growth of <i>E. coli</i> &amp; <b>yeast</b>", "Growth of E. coli & yeast"),
    ("H<sub>2</sub>O and CO<jats:sub>2</jats:sub>", "H2O and CO2"),
    ("<jats:title>Main</jats:title><jats:p>Sub</jats:p>", "Main Sub"),
    ("A<br/>B", "A B"),
    ("x < y > z &lt;i&gt;", "x < y > z <i>"),  # text, and an escaped tag, stay text
])
def test_crossref_title_markup_becomes_plain_text(replay, timing, title, text) -> None:
    replay.on(lambda s: s.path.startswith("/works/"), work(crossref_item("10.1145/1", title)))
    source = crossref_source(replay, timing)
    assert source.record(source.fetch(["10.1145/1"])["10.1145/1"]).title == text


@pytest.mark.parametrize("title, text", [
    (r"$\lambda$DNN: Achieving Predictable Distributed {DNN} Training",
     "λDNN: Achieving Predictable Distributed DNN Training"),
    (r"Training 100\% of \textit{GPT} in FP$_8$", "Training 100% of GPT in FP_8"),
    ("50% Faster Serving & Less Memory", "50% Faster Serving & Less Memory"),  # not TeX
    (r"A $\sqrt{n}$ Bound & 20% Less", "A √(n) Bound & 20% Less"),
])
def test_arxiv_titles_written_in_tex_become_text(replay, timing, title, text) -> None:
    replay.on(on_arxiv, atom_feed([atom_entry("2301.00001", title)]))
    source = arxiv_source(replay, timing)
    assert source.record(source.fetch(["2301.00001"])["2301.00001"]).title == text
