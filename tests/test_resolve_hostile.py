"""Hostile services and a hostile cache: what they send never crashes `resolve`, never
reaches the catalog unless the catalog loader would take it, is never cached as an answer,
and never holds a run (a total deadline per request; Ctrl-C acts at once).

Each test is an attack that worked on earlier code: a 404 from a wrong address cached as
"no such record", forged cache files, values the loader refuses, malformed records, headers
trickled a byte at a time, TeX titles that took the decoder minutes, Ctrl-C during a request.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oflbib.resolvers.arxiv import record_from_raw
from oflbib.resolvers.base import MAX_TEXT
from oflbib.resolvers.cache import FOLDER, ResponseCache
from oflbib.resolvers.crossref import record_from_item
from tests.replay_server import CROSSREF_HEADERS, Corpus, Reply, atom_entry, atom_feed, work_list
from tests.resolve_support import (
    BAMBOO, FASTMOE, LIST_MD, VARUNA, VARUNA_PREPRINT, bamboo_search, fastmoe_lookup, load,
    make_catalog, oflbib, small_corpus,
)

REPO = Path(__file__).resolve().parent.parent


def json_reply(body: str | bytes) -> Reply:
    return Reply(200, body.encode() if isinstance(body, str) else body, dict(CROSSREF_HEADERS))


def no_traceback(result) -> None:
    """(The runner does not catch exceptions: a crash fails the test by itself.)"""
    assert "Traceback" not in result.output and result.exit_code in (0, 1)


# ---- the cache answers for the endpoint that answered, and only real answers ----------

def test_a_404_from_a_wrong_address_is_an_error_and_never_cached(replay, resolve_env,
                                                                   tmp_path) -> None:
    small_corpus().serve(replay)
    doi_path = f"/works/{BAMBOO['DOI']}"
    replay.on(lambda seen: seen.path == doi_path,
              Reply(404, b"<html><body>404 Not Found</body></html>",
                    {"content-type": "text/html"}))
    root = make_catalog(tmp_path / "catalog", LIST_MD.replace(
        "https://github.com/x/bamboo", f"https://doi.org/{BAMBOO['DOI']}"))

    result = oflbib(root, "resolve", "bamboo2023", "--source", "crossref", "--dry-run")
    assert result.exit_code == 1
    assert "error      bamboo2023  crossref: HTTP 404" in result.stderr
    assert "not Crossref's answer for an unknown DOI" in result.stderr
    assert "has no record" not in result.stderr

    offline = oflbib(root, "resolve", "bamboo2023", "--source", "crossref", "--offline")
    assert "crossref: not in the cache (--offline)" in offline.stderr
    assert "has no record" not in offline.stderr


def test_crossrefs_own_404_is_no_such_record(replay, resolve_env, tmp_path) -> None:
    small_corpus().serve(replay)  # answers an unknown DOI with the recorded 404
    root = make_catalog(tmp_path / "catalog", LIST_MD.replace(
        "https://github.com/x/bamboo", "https://doi.org/10.9999/unknown"))
    result = oflbib(root, "resolve", "bamboo2023", "--source", "crossref", "--dry-run")
    assert "crossref has no record 10.9999/unknown" in result.stderr
    again = oflbib(root, "resolve", "bamboo2023", "--source", "crossref", "--offline",
                   "--dry-run")
    assert "crossref has no record 10.9999/unknown" in again.stderr  # cached: a real answer


class Asked:
    def __init__(self, endpoint: str) -> None:
        self.name, self.endpoint = "crossref", endpoint


def test_answers_are_kept_per_endpoint(tmp_path) -> None:
    cache = ResponseCache(tmp_path, ttl=1e9)
    cache.put(Asked("http://127.0.0.1:9/test"), "id", "10.1/x", None)
    assert cache.get(Asked("http://127.0.0.1:9/test"), "id", "10.1/x").value is None
    assert cache.get(Asked("https://api.crossref.org"), "id", "10.1/x") is None


# ---- the cache is a private folder, and every file in it is checked like input -------

def forge(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


FORGERIES = {
    "not JSON": lambda stored: "{not json",
    "another key": lambda stored: json.dumps({**stored, "key": "10.1/else"}),
    "another endpoint": lambda stored: json.dumps({**stored, "endpoint": "http://evil"}),
    "stored in the future": lambda stored: json.dumps({**stored, "stored": 1e18}),
    "stored as text": lambda stored: json.dumps({**stored, "stored": "yesterday"}),
    "stored NaN": lambda stored: json.dumps(stored).replace(
        f'"stored": {json.dumps(stored["stored"])}', '"stored": NaN'),
    "a value of another shape": lambda stored: json.dumps({**stored, "value": [1, 2]}),
    "an extra field": lambda stored: json.dumps({**stored, "run": "rm -rf"}),
    "nested 100k deep": lambda stored: '{"value": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "a 5000-digit number": lambda stored: json.dumps({**stored, "stored": 10 ** 400}).replace(
        "1" + "0" * 400, "1" * 5000),
}


@pytest.mark.parametrize("forgery", list(FORGERIES.values()), ids=list(FORGERIES))
def test_a_forged_cache_file_is_ignored_and_asked_again(tmp_path, forgery) -> None:
    cache = ResponseCache(tmp_path, ttl=1e9)
    asked = Asked("https://api.crossref.org")
    cache.put(asked, "id", "10.1/x", {"DOI": "10.1/x"})
    (path,) = tmp_path.rglob("*.json")
    forge(path, forgery(json.loads(path.read_text())))
    assert cache.get(asked, "id", "10.1/x") is None
    cache.put(asked, "id", "10.1/x", {"DOI": "10.1/x"})  # asked again: the file is replaced
    assert cache.get(asked, "id", "10.1/x").value == {"DOI": "10.1/x"}


def test_a_cache_file_that_is_a_symlink_is_not_followed(tmp_path) -> None:
    secret = tmp_path / "secret.json"
    asked = Asked("https://api.crossref.org")
    cache = ResponseCache(tmp_path, ttl=1e9)
    cache.put(asked, "id", "10.1/x", {"DOI": "10.1/x"})
    (path,) = tmp_path.rglob("*.json")
    secret.write_text(path.read_text())
    path.unlink()
    path.symlink_to(secret)
    assert cache.get(asked, "id", "10.1/x") is None


def test_the_cache_folder_is_private_and_an_open_one_is_not_used(replay, resolve_env,
                                                                  catalog_root,
                                                                  monkeypatch) -> None:
    small_corpus().serve(replay)
    mine = Path(resolve_env["OFLBIB_CACHE_DIR"]) / FOLDER
    oflbib(catalog_root, "resolve", "--dry-run")
    folders = [mine, *(p for p in mine.rglob("*") if p.is_dir())]
    assert len(folders) > 1 and all(p.stat().st_mode & 0o777 == 0o700 for p in folders)

    opened = Path(resolve_env["OFLBIB_CACHE_DIR"]) / "open"
    (opened / FOLDER).mkdir(parents=True)
    (opened / FOLDER).chmod(0o777)  # anyone could plant answers here
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(opened))
    for _ in range(2):
        asked = len(replay.seen)
        assert oflbib(catalog_root, "resolve", "--dry-run").exit_code == 0
        assert len(replay.seen) > asked  # nothing was read from it...
    assert not list(opened.rglob("*.json"))  # ... nor written to it


def test_a_forged_cached_record_cannot_crash_resolve(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    assert oflbib(catalog_root, "resolve", "--dry-run").exit_code == 0
    cache = Path(resolve_env["OFLBIB_CACHE_DIR"]) / FOLDER
    for path in cache.rglob("*.json"):
        stored = json.loads(path.read_text())
        garbage = {"title": 5, "author": [{"family": 3}], "issued": {"date-parts": "x"},
                   "id": ["x"], "published": None, "authors": "Ada"}
        value = stored["value"]
        stored["value"] = [garbage] * len(value) if isinstance(value, list) else garbage
        path.write_text(json.dumps(stored))
    result = oflbib(catalog_root, "resolve", "--offline")
    no_traceback(result)
    load(catalog_root)  # still a catalog the loader takes


# ---- values the loader refuses are reported, never written ----------------------------

def test_resolve_never_writes_a_value_the_loader_refuses(replay, resolve_env,
                                                         tmp_path) -> None:
    """Looked up by the DOI in the entry's link: the record fits the entry's title, and
    its year, volume and DOI are what the loader refuses."""
    bad = {**BAMBOO, "volume": {"nested": "object"}, "issue": ["7"],
           "issued": {"date-parts": [[99999]]}, "published": {"date-parts": [[99999]]}}
    spaced = {**VARUNA, "DOI": "10.1145/3492321 3519584"}
    Corpus(works=[bad, spaced], preprints=[FASTMOE, {**VARUNA_PREPRINT, "doi": None}]).serve(
        replay)
    catalog_root = make_catalog(tmp_path / "catalog", LIST_MD.replace(
        "(https://github.com/x/bamboo) NSDI'23", f"(https://doi.org/{BAMBOO['DOI']})"))
    result = oflbib(catalog_root, "resolve")

    assert result.exit_code == 1
    assert "  problem  crossref" in result.stderr
    assert "volume {'nested': 'object'} is not text: left out" in result.stderr
    assert "crossref gives year '99999', which the catalog refuses (year 99999 is out of " \
        "range): not written" in result.stderr
    assert "10.1145/3492321 3519584" in result.stderr
    catalog = load(catalog_root)  # the loader takes what resolve wrote
    bamboo = next(e for e in catalog.entries.values() if e.title.startswith("Bamboo"))
    assert bamboo.year is None and bamboo.volume is None and bamboo.authors
    assert catalog.entries["varuna2022"].doi is None
    assert oflbib(catalog_root, "list").exit_code == 0


# ---- malformed records: no crash, nothing broken cached --------------------------------

def _bamboo_with(**fields) -> Reply:
    return work_list([{**BAMBOO, **fields}])


MALFORMED = {
    "date 2023a": (bamboo_search, _bamboo_with(issued={"date-parts": [["2023a"]]},
                                               published={"date-parts": [["2023a"]]}),
                   "year '2023a' is not a year"),
    "integer family name": (bamboo_search, _bamboo_with(author=[{"family": 7, "given": "J"}]),
                            "authors left out"),
    "NaN": (bamboo_search, json_reply(json.dumps({"status": "ok", "message-type": "work-list",
                                                  "message": {"items": [BAMBOO]}})
                                      .replace('"page": "497-513"', '"page": NaN')),
            "NaN is not a JSON number"),
    "a 5000-digit number": (bamboo_search, json_reply(
        '{"status": "ok", "message-type": "work-list", "message": {"items": [{"page": '
        + "9" * 5000 + "}]}}"), "digits"),
    "JSON nested 100k deep": (bamboo_search, json_reply(
        '{"status": "ok", "message-type": "work-list", "message": {"items": '
        + "[" * 100_000 + "]" * 100_000 + "}}"), "nested too deeply"),
    "a $ and 400 braces": (fastmoe_lookup, atom_feed([atom_entry(
        FASTMOE["arxiv_id"], "$" + "{" * 400 + "x" + "}" * 400, FASTMOE["authors"])]), ""),
    "arXiv date 2023a": (fastmoe_lookup, Reply(200, atom_feed([atom_entry(
        FASTMOE["arxiv_id"], FASTMOE["title"], published="2023a")]).body,
        {"content-type": "application/atom+xml"}), "feed that cannot be read"),
    "a redirect to file://": (fastmoe_lookup,
                              Reply(302, headers={"location": "file:///etc/passwd"}),
                              "redirected to a file: address: only http and https"),
}


@pytest.mark.parametrize("case", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_record_is_reported_and_not_cached(replay, resolve_env, catalog_root,
                                                       case) -> None:
    route, reply, says = case
    small_corpus().serve(replay)
    replay.on(route, reply)
    result = oflbib(catalog_root, "resolve")
    no_traceback(result)
    assert says in result.stderr
    assert "resolved   varuna2022" in result.stderr  # the others are not disturbed
    load(catalog_root)
    if result.exit_code == 1 and "problem" not in result.stderr:  # an error: asked again
        asked = len([seen for seen in replay.seen if route(seen)])
        oflbib(catalog_root, "resolve")
        assert len([seen for seen in replay.seen if route(seen)]) > asked


def test_an_overlong_tex_title_is_refused_before_it_is_decoded() -> None:
    raw = {"id": "2103.13262v1", "title": "\\'e{" * 500_000, "published": "2021-03-24"}
    record = record_from_raw(raw)
    assert record.title == "" and any("characters long" in p for p in record.problems)
    deep = record_from_raw({**raw, "title": "$" + "{" * 300 + "x" + "}" * 300})
    assert deep.title and not deep.problems
    long_tex = record_from_raw({**raw, "title": "\\alpha " * (MAX_TEXT // 7)})
    assert long_tex.title.startswith("\u03b1")


def test_any_json_value_gives_a_record() -> None:
    for junk in (None, 5, "x", [], {"title": {"a": 1}}, {"author": "Ada"},
                 {"author": [None, 5]}, {"issued": [1]}, {"DOI": 10.5}, {"title": ["\ud800"]}):
        assert record_from_item(junk, "https://api.crossref.org").source == "crossref"
        assert record_from_raw(junk).source == "arxiv"


# ---- time: a total deadline per request, and Ctrl-C ------------------------------------

def test_headers_trickled_a_byte_at_a_time_end_at_the_deadline(replay, resolve_env,
                                                               catalog_root,
                                                               monkeypatch) -> None:
    monkeypatch.setenv("OFLBIB_HTTP_TIMEOUT", "1")
    small_corpus().serve(replay)
    # Each byte comes well within the timeout; the whole head would take a minute.
    replay.on(bamboo_search, Reply(200, b"{}", dict(CROSSREF_HEADERS), drip=0.3))
    started = time.monotonic()
    result = oflbib(catalog_root, "resolve")
    elapsed = time.monotonic() - started
    assert "error      bamboo2023  crossref: no whole answer within 1 s after 2 tries" \
        in result.stderr
    assert elapsed < 20  # two tries of one second each, not two minutes


def _resolve_process(env: dict[str, str], root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "oflbib", "--catalog", str(root), "resolve"],
        env={**os.environ, **env, "PYTHONPATH": str(REPO / "src")}, stderr=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, preexec_fn=_interruptible)


def _interruptible() -> None:
    """A terminal's Ctrl-C for the child even when pytest itself was started in the
    background by a shell without job control, which leaves SIGINT ignored (and inherited)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_request(replay, process) -> None:
    for _ in range(200):
        if replay.seen or process.poll() is not None:
            return
        time.sleep(0.05)


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_during_a_request_stops_at_once_without_a_traceback(replay, resolve_env,
                                                                   catalog_root,
                                                                   presses: int) -> None:
    replay.on(lambda seen: True, Reply(hang=True))  # every request waits for ever
    env = {**resolve_env, "OFLBIB_HTTP_TIMEOUT": "60"}
    process = _resolve_process(env, catalog_root)
    _wait_for_request(replay, process)
    time.sleep(0.3)
    started = time.monotonic()
    for _ in range(presses):
        process.send_signal(signal.SIGINT)
        time.sleep(0.1)
    try:
        _, stderr = process.communicate(timeout=10)  # the request alone would take 60 s
    finally:
        process.kill()
    assert time.monotonic() - started < 5
    assert process.returncode == 130
    assert "oflbib: interrupted" in stderr and "Traceback" not in stderr


def test_a_hung_service_is_not_silence(replay, resolve_env, catalog_root, monkeypatch) -> None:
    monkeypatch.setenv("OFLBIB_HTTP_TIMEOUT", "4")
    small_corpus().serve(replay)
    replay.on(bamboo_search, Reply(hang=True))
    result = oflbib(catalog_root, "resolve", "-q")
    assert "waiting    crossref: no answer for" in result.stderr
    assert "Ctrl-C stops, and resolve --offline answers from the cache" in result.stderr


def test_a_network_error_is_one_clear_line_that_suggests_offline(resolve_env, catalog_root,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("OFLBIB_CROSSREF_URL", "http://127.0.0.1:9")  # nothing listens there
    result = oflbib(catalog_root, "resolve", "--source", "crossref")
    assert result.exit_code == 1
    assert "cannot connect to http://127.0.0.1:9 (Connection refused" in result.stderr
    assert "object at 0x" not in result.stderr and "Errno" not in result.stderr
    hints = [line for line in result.stderr.splitlines() if line.startswith("oflbib: ")]
    assert len(hints) == 1 and "--offline" in hints[0]

