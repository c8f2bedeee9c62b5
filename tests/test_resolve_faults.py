"""Broken services: a redirect loop, a 50 MB answer, a server that takes the request and
never answers, HTML where JSON or an Atom feed was promised, an answer that trickles in, and
a DOI whose record is another paper.

`oflbib resolve` runs the real clients (habanero/httpx2, arxiv/requests) against the replay
server, with one entry's request broken. Whatever the service does, that request ends after
a bounded number of tries (retries on resolve_env's quick policy, timeouts of one second),
memory stays bounded, the entry gets an error line, the other entries are resolved and the
catalog written is valid.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from oflbib.resolvers.bounds import MAX_BODY, MAX_REDIRECTS
from tests.replay_server import Corpus, Reply, Seen, crossref_item, streamed
from tests.resolve_support import (
    BAMBOO, FASTMOE, LIST_MD, VARUNA, VARUNA_PREPRINT, bamboo_search, fastmoe_lookup, load,
    make_catalog, oflbib, small_corpus,
)

TIMEOUT = 1  # OFLBIB_HTTP_TIMEOUT here: a server that never answers costs a second a try
TRIES = 2  # the retry policy resolve_env sets
FIFTY_MB = 50 * 2**20
PAPERS = ("bamboo2023", "fastmoe2021", "varuna2022")


@pytest.fixture
def env(resolve_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFLBIB_HTTP_TIMEOUT", str(TIMEOUT))


# The request broken at each source, and the entry it is for: the others must not notice.
BROKEN: dict[str, tuple[Callable[[Seen], bool], str]] = {
    "crossref": (bamboo_search, "bamboo2023"), "arxiv": (fastmoe_lookup, "fastmoe2021")}


@dataclass(frozen=True)
class Fault:
    reply: Reply
    says: str  # the error line's message; {format} is "JSON" or "an Atom feed"
    requests: int  # the requests it costs, redirects included


HTML = b"<!DOCTYPE html>\n<html><head><title>Down for maintenance</title></head></html>\n"
FAULTS = {
    "redirect loop": Fault(Reply(302, headers={"location": "/loop"}),
                           f"redirected more than {MAX_REDIRECTS} times (a redirect loop?)",
                           1 + MAX_REDIRECTS),
    "50 MB, length declared": Fault(streamed(FIFTY_MB, declared=True),
                                    "the answer is larger than 10 MB: not read", 1),
    "50 MB, chunked": Fault(streamed(FIFTY_MB), "the answer was larger than 10 MB: not read", 1),
    "never answers": Fault(Reply(hang=True),
                           f"no whole answer within {TIMEOUT} s after {TRIES} tries",
                           TRIES),
    "HTML with 200": Fault(Reply(200, HTML, {"content-type": "text/html; charset=utf-8"}),
                           f"answered text/html; charset=utf-8, not {{format}} after {TRIES} tries",
                           TRIES),
    "no content type": Fault(Reply(200, HTML), f"answered with no content type, not {{format}} "
                                               f"after {TRIES} tries", TRIES),
    # A kilobyte every 20 ms: no single wait reaches the timeout, the whole answer would.
    "trickle": Fault(streamed(2**18, piece=2**10, every=0.02),
                     f"no whole answer within {TIMEOUT} s after {TRIES} tries", TRIES),
}


@pytest.mark.parametrize("source", sorted(BROKEN))
@pytest.mark.parametrize("fault", list(FAULTS.values()), ids=list(FAULTS))
def test_a_broken_answer_costs_one_entry_and_the_run_goes_on(replay, env, catalog_root,
                                                             source: str, fault: Fault) -> None:
    broken, key = BROKEN[source]
    small_corpus().serve(replay)
    replay.on(lambda seen: seen.path == "/loop", Reply(302, headers={"location": "/loop"}))
    replay.on(broken, fault.reply)
    tracemalloc.start()
    try:
        result = oflbib(catalog_root, "resolve")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.exit_code == 1  # a source failed for some: re-run later
    message = fault.says.format(format="JSON" if source == "crossref" else "an Atom feed")
    assert f"error      {key}  {source}: " in result.stderr and message in result.stderr
    asked = [seen for seen in replay.seen if broken(seen) or seen.path == "/loop"]
    assert len(asked) == fault.requests
    assert peak < 2 * MAX_BODY  # at most the cap was held, never the 50 MB
    catalog = load(catalog_root)  # written, and valid
    assert catalog.entries[key].provenance == {}
    for other in set(PAPERS) - {key}:
        assert f"resolved   {other}" in result.stderr
        assert catalog.entries[other].provenance


@pytest.mark.parametrize("body", [b'{"status": "error", "message-type": "x"}',
                                  b'{"status": "ok", "message": {"items": "none"}}'])
def test_crossref_json_of_another_shape_is_an_entry_error(replay, env, catalog_root,
                                                          body: bytes) -> None:
    small_corpus().serve(replay)
    replay.on(bamboo_search, Reply(200, body, {"content-type": "application/json"}))
    result = oflbib(catalog_root, "resolve")
    assert result.exit_code == 1
    assert "error      bamboo2023  crossref: Crossref answered JSON that is not a works " \
           "record" in result.stderr
    assert "Traceback" not in result.output
    assert "resolved   varuna2022" in result.stderr


WRONG = crossref_item(BAMBOO["DOI"], "Scalable Training of Deep Learning Models on a Budget",
                      authors=[("Some", "Body")], year=2023, page="1-12",
                      container="Proceedings of Something Else Entirely")


@pytest.mark.parametrize("origin", ["the entry", "the entry's link or the list's tag"])
def test_a_doi_whose_record_is_another_paper_is_not_applied(replay, env, tmp_path,
                                                            origin: str) -> None:
    """The service answers the DOI with another work (or the DOI is wrong): nothing of that
    work is written, whether the DOI is the entry's own or read from its link."""
    Corpus(works=[WRONG, VARUNA], preprints=[FASTMOE, VARUNA_PREPRINT]).serve(replay)
    if origin == "the entry":
        root = make_catalog(tmp_path / "catalog")
        path = root / "training.yaml"
        path.write_text(path.read_text().replace(
            "    venue: NSDI\n", f"    venue: NSDI\n    doi: {BAMBOO['DOI']}\n", 1))
    else:
        root = make_catalog(tmp_path / "catalog", LIST_MD.replace(
            "https://github.com/x/bamboo", f"https://doi.org/{BAMBOO['DOI']}"))
    result = oflbib(root, "resolve")

    assert result.exit_code == 0  # nothing failed: the answer was understood, and refused
    assert f"note     doi {BAMBOO['DOI']} (from {origin}) is '{WRONG['title'][0]}', not this " \
        "paper: ignored" in result.stderr
    assert [seen.path for seen in replay.seen].count(f"/works/{BAMBOO['DOI']}") == 1
    bamboo = load(root).entries["bamboo2023"]
    assert (bamboo.authors, bamboo.pages, bamboo.container) == ([], None, None)
    assert "doi" not in bamboo.provenance
    for other in ("fastmoe2021", "varuna2022"):
        assert f"resolved   {other}" in result.stderr
