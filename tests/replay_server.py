"""A local stand-in for Crossref, dblp and arXiv, for tests and the resolve benchmark.

`ReplayServer` is an HTTP server on 127.0.0.1 that answers from a route table and records
every request it gets. Answers are the recorded responses in tests/fixtures (see
SOURCES.md there) or responses built after them by the helpers below: a Crossref work is
the recorded proceedings-article with its fields replaced, an arXiv feed follows the 2026
Atom format of the recorded `id_list` answers, a dblp search answer is the recorded one
(tests/fixtures/dblp) with its hits replaced, and the headers are the ones Crossref sent.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from rapidfuzz import fuzz

from tests.conftest import FIXTURES

# As recorded from api.crossref.org in 2026 (fixtures/SOURCES.md), polite pool.
CROSSREF_HEADERS = {"content-type": "application/json", "server": "Jetty(9.4.40.v20210413)",
                    "x-api-pool": "polite", "x-concurrency-limit": "3",
                    "x-rate-limit-interval": "1s", "x-rate-limit-limit": "10"}
ATOM_HEADERS = {"content-type": "application/atom+xml; charset=utf-8"}
# dblp's recordings kept no headers; these are the types its API declares for each format.
DBLP_JSON_HEADERS = {"content-type": "application/json; charset=utf-8"}
DBLP_BIB_HEADERS = {"content-type": "text/plain; charset=utf-8"}
DBLP_FIXTURES = FIXTURES / "dblp"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to trip a client's timeout)
    hang: bool = False  # take the request and never answer (until the server stops)
    # A body sent piece by piece as it is made, in place of `body`: chunked, unless `headers`
    # declare a content-length.
    stream: Callable[[], Iterator[bytes]] | None = None
    drip: float = 0.0  # seconds between the bytes of the status line and headers (a trickle)


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


Responder = Callable[[Seen], Reply]


class ReplayServer:
    def __init__(self) -> None:
        self._routes: list[tuple[Callable[[Seen], bool], list[Reply | Responder]]] = []
        self.seen: list[Seen] = []
        self.unexpected: list[Seen] = []
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests it was answering at one time
        self._stopping = threading.Event()  # releases the handlers of hanging replies
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def on(self, matches: Callable[[Seen], bool], *replies: Reply | Responder) -> None:
        """Answer requests that `matches` with `replies` in turn; the last one repeats.
        A reply may be a function of the request. Later routes take precedence."""
        self._routes.insert(0, (matches, list(replies)))

    def requests(self, path_prefix: str = "/") -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(path_prefix)]

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _finished(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            for matches, replies in self._routes:
                if matches(seen):
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
            else:
                self.unexpected.append(seen)
                return Reply(418, b"no route for this request in the test")
        return reply(seen) if callable(reply) else reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # http.server's naming
                parts = urlsplit(self.path)
                seen = Seen(parts.path, parse_qs(parts.query, keep_blank_values=True),
                            {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                try:
                    reply = server._answer(seen)
                    if reply.hang:
                        server._stopping.wait()
                        self.close_connection = True
                        return
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    # Done before sending: the client may start its next request the moment
                    # the answer arrives, and must not be counted twice.
                    server._finished()
                if reply.drip:
                    self._drip(reply)
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.stream is None:
                        self.send_header("content-length", str(len(reply.body)))
                        self.end_headers()
                        self.wfile.write(reply.body)
                    else:
                        self._stream(reply.stream, reply.headers)
                except OSError:
                    pass  # the client gave up waiting (a timeout test) or reading (a size test)

            def _drip(self, reply: Reply) -> None:
                head = "".join([f"HTTP/1.1 {reply.status} Whatever\r\n",
                                *(f"{k}: {v}\r\n" for k, v in reply.headers.items()),
                                f"content-length: {len(reply.body)}\r\n\r\n"]).encode()
                try:
                    for byte in head:
                        if server._stopping.wait(reply.drip):
                            return
                        self.wfile.write(bytes([byte]))
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up
                self.close_connection = True

            def _stream(self, pieces: Callable[[], Iterator[bytes]],
                        headers: dict[str, str]) -> None:
                chunked = "content-length" not in {name.lower() for name in headers}
                if chunked:
                    self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for piece in pieces():
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args: object) -> None:
                pass

        return Handler


# ---- recorded responses, and responses shaped after them ------------------------------

def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A recorded body as it was sent (Crossref's headers unless told otherwise)."""
    return Reply(status, fixture(name), dict(CROSSREF_HEADERS if headers is None else headers))


@cache
def _proceedings_article() -> dict:
    name = "crossref/works-doi-10.1109_icdcsw.2003.1203662-proceedings-article.json"
    item = json.loads(fixture(name))["message"]
    item.pop("reference", None)
    return item


def crossref_item(doi: str, title: str, *, authors: Sequence[tuple[str, str]] = (),
                  year: int | None = None, work_type: str = "proceedings-article",
                  container: str | None = None, page: str | None = None,
                  publisher: str = "ACM", event: dict | None = None,
                  abstract: str | None = None) -> dict:
    """A Crossref work: the recorded proceedings-article with these fields in its place;
    an `abstract` in JATS, as Crossref sends the ones publishers deposit
    (works-query-ecology-query.author-carl_boettiger.json)."""
    item = copy.deepcopy(_proceedings_article())
    item.update({
        "DOI": doi, "URL": f"https://doi.org/{doi}", "title": [title], "type": work_type,
        "publisher": publisher, "prefix": doi.split("/")[0],
        "author": [{"given": given, "family": family, "sequence": "additional",
                    "affiliation": []} for given, family in authors],
        "container-title": [container] if container else [],
    })
    for stamp in ("issued", "published", "published-print"):
        item[stamp] = {"date-parts": [[year]]} if year else {"date-parts": [[None]]}
    for optional, value in (("page", page), ("event", event), ("abstract", abstract)):
        if value:
            item[optional] = value
        else:
            item.pop(optional, None)
    return item


def streamed(size: int, *, piece: int = 2**16, every: float = 0.0, declared: bool = False,
             content_type: str = "application/json") -> Reply:
    """A 200 answer of `size` bytes sent `piece` bytes at a time, `every` seconds apart,
    with a Content-Length if `declared` (else chunked). Nothing is held: a 50 MB answer costs
    the server one piece of memory."""
    block = b" " * piece

    def pieces() -> Iterator[bytes]:
        for start in range(0, size, piece):
            time.sleep(every)
            yield block[:min(piece, size - start)]

    headers = {"content-type": content_type}
    if declared:
        headers["content-length"] = str(size)
    return Reply(200, headers=headers, stream=pieces)


def work(item: dict) -> Reply:
    body = {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": item}
    return Reply(200, json.dumps(body).encode(), dict(CROSSREF_HEADERS))


def work_list(items: Sequence[dict]) -> Reply:
    """A /works answer, shaped like the recorded query.title answers."""
    body = {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
            "message": {"facets": {}, "total-results": len(items), "items": list(items),
                        "items-per-page": max(len(items), 1),
                        "query": {"start-index": 0, "search-terms": None}}}
    return Reply(200, json.dumps(body).encode(), dict(CROSSREF_HEADERS))


def atom_entry(arxiv_id: str, title: str, authors: Sequence[str] = ("Ada Lovelace",), *,
               published: str = "2022-03-01T17:59:46Z", doi: str | None = None,
               journal_ref: str | None = None, category: str = "cs.DC",
               summary: str = "Abstract.") -> str:
    """One <entry> in the 2026 arXiv format (query-id_list-2104.12255v1.xml); `summary`
    is the abstract, links in it as plain text (query-search_query-testing-start10-max10.xml:
    `... at the following URL: https://youtu.be/edgCNbGSGEY`)."""
    extra = "".join(f"\n    <arxiv:{tag}>{escape(value)}</arxiv:{tag}>"
                    for tag, value in (("journal_ref", journal_ref), ("doi", doi)) if value)
    names = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>"
                    for a in authors)
    return f"""  <entry>
    <id>http://arxiv.org/abs/{arxiv_id}v1</id>
    <title>{escape(title)}</title>
    <updated>{published}</updated>
    <link href="https://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{arxiv_id}v1" rel="related" type="application/pdf" title="pdf"/>
    <summary>{escape(summary)}</summary>
    <category term="{category}" scheme="http://arxiv.org/schemas/atom"/>
    <published>{published}</published>{extra}
    <arxiv:primary_category term="{category}"/>{names}
  </entry>
"""


def atom_feed(entries: Sequence[str]) -> Reply:
    body = f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/oflbibtest</id>
  <title>arXiv Query: oflbib test</title>
  <updated>2026-04-12T22:09:25Z</updated>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
{"".join(entries)}</feed>
"""
    return Reply(200, body.encode("utf-8"), dict(ATOM_HEADERS))


def dblp_recorded(name: str) -> Reply:
    return Reply(200, (DBLP_FIXTURES / name).read_bytes(), dict(DBLP_JSON_HEADERS))


def dblp_info(key: str, title: str, *, authors: Sequence[str] = ("Ada Lovelace",),
              venue: str = "NSDI", year: int = 2023, pages: str | None = None,
              volume: str | None = None, number: str | None = None, doi: str | None = None,
              kind: str = "Conference and Workshop Papers") -> dict:
    """A hit's `info` in the recorded shape: strings for numbers, a trailing period on the
    title, one author as an object and several as a list."""
    people = [{"@pid": f"00/{n}", "text": name} for n, name in enumerate(authors)]
    info: dict = {"authors": {"author": people[0] if len(people) == 1 else people},
                  "title": title if title.endswith(".") else title + ".", "venue": venue}
    for name, value in (("volume", volume), ("number", number), ("pages", pages)):
        if value:
            info[name] = value
    info.update({"year": str(year), "type": kind, "access": "closed", "key": key})
    if doi:
        info.update({"doi": doi.upper(), "ee": f"https://doi.org/{doi}"})
    info["url"] = f"https://dblp.org/rec/{key}"
    return info


def dblp_corr_info(arxiv_id: str, title: str, *, authors: Sequence[str], year: int) -> dict:
    """A CoRR record, as the recorded `journals/corr/abs-2407-15516`."""
    return dblp_info(f"journals/corr/abs-{arxiv_id.replace('.', '-')}", title, authors=authors,
                     venue="CoRR", year=year, volume=f"abs/{arxiv_id}",
                     doi=f"10.48550/arXiv.{arxiv_id}", kind="Informal and Other Publications")


@cache
def _dblp_search_answer() -> dict:
    return json.loads(dblp_recorded(
        "search-publ-q-attention_is_all_you_need-format-json-h3.json").body)


def dblp_hits(query: str, infos: Sequence[dict], total: int | None = None,
              first: int = 0) -> Reply:
    """A /search/publ/api answer: the recorded one with these hits (no `hit` key when none,
    as dblp sends it), from hit `first` of `total`."""
    body = copy.deepcopy(_dblp_search_answer())
    result = body["result"]
    result["query"] = " ".join(f"{word}*" if len(word) > 2 else word for word in query.split())
    result["completions"] = {"@total": "0", "@computed": "0", "@sent": "0"}
    hits = {"@total": str(total if total is not None else len(infos)),
            "@computed": str(len(infos)), "@sent": str(len(infos)), "@first": str(first)}
    if infos:
        hits["hit"] = [{"@score": str(len(infos) - n), "@id": str(1000 + n), "info": info,
                        "url": f"URL#{1000 + n}"} for n, info in enumerate(infos)]
    result["hits"] = hits
    return Reply(200, json.dumps(body).encode("utf-8"), dict(DBLP_JSON_HEADERS))


def dblp_bibtex(info: dict) -> str:
    """`/rec/KEY.bib` for a hit's info, in dblp's layout (rec-series_sci_2023-1062.bib)."""
    authors = info["authors"]["author"]
    names = [a["text"] for a in (authors if isinstance(authors, list) else [authors])]
    corr = info.get("venue") == "CoRR"
    kind = "inproceedings" if info["type"].startswith("Conference") else "article"
    fields = [("author", " and\n                  ".join(names)),
              ("title", info["title"].rstrip(".")),
              ("journal" if kind == "article" else "booktitle", info["venue"])]
    fields += [(name, info[name]) for name in ("volume", "number", "pages", "year")
               if info.get(name)]
    if corr:
        fields += [("eprinttype", "arXiv"), ("eprint", info["volume"][len("abs/"):])]
    if info.get("doi"):
        fields.append(("doi", info["doi"].lower()))
    fields += [("biburl", f"https://dblp.org/rec/{info['key']}.bib"),
               ("bibsource", "dblp computer science bibliography, https://dblp.org")]
    body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{DBLP:{info['key']},\n{body}\n}}\n\n"


def dblp_words(info: dict) -> list[str]:
    """The words dblp's search matches a record by: title, authors, venue and year."""
    authors = info["authors"]["author"]
    names = [a["text"] for a in (authors if isinstance(authors, list) else [authors])]
    venue = info.get("venue") or ""
    return _words(" ".join([info["title"], *names, *(venue if isinstance(venue, list)
                                                     else [venue]), info.get("year", "")])
                  ).split()


def dblp_matches(query: str, info: dict) -> bool:
    """dblp's semantics: every query word is a prefix of some word of the record (`$`:
    the whole word); words joined by `|` are alternatives (`graph|network`)."""
    words = dblp_words(info)

    def found(term: str) -> bool:
        exact = term.endswith("$")
        term = _words(term.rstrip("$"))
        return not term or any(w == t if exact else w.startswith(t) for t in term.split()
                               for w in words)

    return all(any(found(term) for term in alternatives.split("|"))
               for alternatives in query.casefold().split())


# ---- what a request asks ---------------------------------------------------------------

def crossref_search(seen: Seen) -> bool:
    return seen.path == "/works" and seen.param("query.bibliographic") is not None


def crossref_dois(seen: Seen) -> list[str]:
    """The DOIs a `filter=doi:...` request asks for."""
    return [part[len("doi:"):] for part in (seen.param("filter") or "").split(",")
            if part.startswith("doi:")]


def arxiv_ids(seen: Seen) -> list[str]:
    return [i for i in (seen.param("id_list") or "").split(",") if i]


def arxiv_search(seen: Seen) -> str:
    return seen.param("search_query") or ""


# ---- a small world of papers, answered the way the services answer ---------------------

def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


# The fields of an arXiv query (`ti:"..."`, `abs:"..."`) and the preprint's text each reads.
ARXIV_FIELDS = {"ti": "title", "abs": "summary"}


_ARXIV_TOKENS = re.compile(r'\(|\)|\b(?:AND|OR)\b|\b(?:ti|abs):"[^"]*"')


def arxiv_matches(query: str, preprint: dict) -> bool:
    """arXiv's search: `ti:"..."` and `abs:"..."` phrases, whose words must stand in a row
    in the preprint's title or abstract, read as words (a link's `/`, `.` and `-` separate
    them: `github.com/lsds/KungFu` has the phrase `lsds kungfu`), joined by AND and OR in
    parentheses (a query without them is read left to right)."""
    tokens = _ARXIV_TOKENS.findall(query)

    def phrase(token: str) -> bool:
        prefix, _, quoted = token.partition(":")
        words = _words(quoted.strip('"'))
        return bool(words) and f" {words} " in f" {_words(preprint.get(ARXIV_FIELDS[prefix]) or '')} "

    def joined(at: int, operator: str) -> tuple[bool, int]:
        """Terms joined by `operator` (OR of ANDs of phrases or parentheses) from `at`."""
        values = []
        while True:
            if operator == "OR":
                value, at = joined(at, "AND")
            elif tokens[at] == "(":
                value, at = joined(at + 1, "OR")
                at += 1  # the closing parenthesis
            else:
                value, at = phrase(tokens[at]), at + 1
            values.append(value)
            if at >= len(tokens) or tokens[at] != operator:
                return (any(values) if operator == "OR" else all(values)), at
            at += 1

    return bool(tokens) and joined(0, "OR")[0]


@dataclass
class Corpus:
    """Crossref works and arXiv preprints, served like the real APIs: DOI lookups (one, or
    many by `filter=doi:`), `query.bibliographic` ranked by word similarity (to the title
    with its subtitle, which Crossref may hold apart), arXiv
    `id_list` and ORed `ti:"phrase"` searches."""

    works: list[dict] = field(default_factory=list)  # crossref_item(...) dicts
    preprints: list[dict] = field(default_factory=list)  # atom_entry(...) keyword arguments
    dblp: list[dict] = field(default_factory=list)  # dblp_info(...) dicts

    def serve(self, server: ReplayServer) -> None:
        server.on(lambda s: s.path.startswith("/works/"), self.crossref_work)
        server.on(lambda s: s.path == "/works", self.crossref_works)
        server.on(lambda s: s.path == "/api/query", self.arxiv_query)
        server.on(lambda s: s.path == "/search/publ/api", self.dblp_search)
        server.on(lambda s: s.path.startswith("/rec/"), self.dblp_record)

    def dblp_search(self, seen: Seen) -> Reply:
        query = seen.param("q") or ""
        found = [info for info in self.dblp if dblp_matches(query, info)]
        hits, first = int(seen.param("h") or 30), int(seen.param("f") or 0)
        return dblp_hits(query, found[first:first + hits], total=len(found), first=first)

    def dblp_record(self, seen: Seen) -> Reply:
        key = seen.path[len("/rec/"):].removesuffix(".bib")
        info = next((i for i in self.dblp if i["key"] == key), None)
        if info is None:
            return Reply(404, b"", {"content-type": "text/html; charset=utf-8"})
        return Reply(200, dblp_bibtex(info).encode("utf-8"), dict(DBLP_BIB_HEADERS))

    def crossref_work(self, seen: Seen) -> Reply:
        doi = seen.path[len("/works/"):].casefold()
        item = next((w for w in self.works if w["DOI"].casefold() == doi), None)
        if item is None:
            return recorded("crossref/works-doi-10.1371_notarealdoi-404.txt", 404,
                            {**CROSSREF_HEADERS, "content-type": "text/plain"})
        return work(item)

    def crossref_works(self, seen: Seen) -> Reply:
        if seen.param("filter"):
            wanted = {d.casefold() for d in crossref_dois(seen)}
            return work_list([w for w in self.works if w["DOI"].casefold() in wanted])
        query = _words(seen.param("query.bibliographic") or "")
        ranked = sorted(self.works, key=lambda w: -fuzz.token_set_ratio(query, _words(
            " ".join(w["title"][:1] + w.get("subtitle", [])[:1]))))
        return work_list(ranked[:int(seen.param("rows") or 20)])

    def arxiv_query(self, seen: Seen) -> Reply:
        if arxiv_ids(seen):
            wanted = {i.split("v")[0] for i in arxiv_ids(seen)}
            found = [p for p in self.preprints if p["arxiv_id"] in wanted]
        else:
            found = [p for p in self.preprints if arxiv_matches(arxiv_search(seen), p)]
        return atom_feed([atom_entry(**p) for p in found[:int(seen.param("max_results") or 10)]])
