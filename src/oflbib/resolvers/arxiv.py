"""arXiv through the arxiv package: ids in batches (`id_list`), titles by `ti:` phrase search
with several titles ORed into one request.

arXiv asks for one request every three seconds on a single connection. The arxiv client's
own delay and retries are switched off so that this module's Limiter and retry policy (which
honour Retry-After) do the pacing; the client's requests.Session is replaced by a thin
subclass that sends our User-Agent, puts a timeout on every request (the client sets none),
bounds redirects and the body (see `bounds`), and remembers the response for the limiter and
for checking the feed arrived whole.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from oflbib.model import Person
from oflbib.resolvers.base import PREPRINT, Raw, Record
from oflbib.resolvers.bounds import CHUNK, MAX_REDIRECTS, BrokenAnswer, read_body
from oflbib.resolvers.identifiers import bare_arxiv, normal_doi
from oflbib.resolvers.manners import (
    Failure, Limiter, Pace, RetryPolicy, Timing, failure_for_status, no_answer, polite_call,
)
from oflbib.resolvers.matching import comparable_title, title_similarity
from oflbib.resolvers.venuetext import venue_in_text
from oflbib.text import fold_space

ARXIV_DELAY = 3.0  # arXiv's terms of use: no more than one request every three seconds
CANDIDATES_PER_TITLE = 5
CANDIDATE_FLOOR = 0.5  # a result this unlike a title was found for another title of the batch

_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la",
              "dos", "das", "ter", "ten"}
_TOTAL_RESULTS = re.compile(rb"<opensearch:totalResults[^>]*>\s*(\d+)")


def person_from_name(name: str) -> Person:
    """arXiv gives `Given Family`; lower-case particles belong to the family name."""
    words = fold_space(name).split()
    if len(words) < 2:
        return Person(literal=" ".join(words))
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return Person(family=" ".join(words[start:]), given=" ".join(words[:start]))


def raw_from_result(result: Any) -> Raw:
    """The parts of an arxiv.Result we use, as JSON for the cache."""
    return {
        "id": result.get_short_id(), "title": result.title,
        "authors": [author.name for author in result.authors],
        "published": result.published.date().isoformat(),
        "journal_ref": result.journal_ref, "doi": result.doi,
        "primary_category": result.primary_category or None,
    }


def title_text(title: str) -> str:
    """arXiv titles are written in TeX (`$\\lambda$DNN`, `100\\%`); their text, decoded only
    when TeX is there, and with a bare `%` or `&` kept as the character it is."""
    if not re.search(r"[$\\]", title):
        return fold_space(title)
    from oflbib.latex import latex_to_text

    return latex_to_text(re.sub(r"(?<!\\)([%&#])", r"\\\1", title))


def record_from_raw(raw: Mapping[str, Any]) -> Record:
    """A preprint record; a journal reference that names a known venue gives venue and year."""
    year = int(raw["published"][:4])
    mention = venue_in_text(raw.get("journal_ref"))
    return Record(
        source="arxiv", role=PREPRINT, url=f"https://arxiv.org/abs/{raw['id']}",
        title=title_text(raw["title"]),
        authors=tuple(person_from_name(name) for name in raw.get("authors") or []),
        year=(mention.year or year) if mention else year, work_type="preprint",
        venue=mention.venue if mention else None,
        doi=normal_doi(raw["doi"]) if raw.get("doi") else None,
        arxiv=bare_arxiv(raw["id"]), arxiv_class=raw.get("primary_category"),
    )


class _SecondPage(Exception):
    """The arxiv client wanted a second page within one attempt."""


def _check_feed(response: Any, results: int) -> None:
    """Raise unless the answer is a whole Atom feed: not another format (an HTML page),
    not cut off or empty, not arXiv's sporadic empty page for a query with results."""
    content_type = response.headers.get("content-type", "")
    if "xml" not in content_type:
        raise BrokenAnswer(f"arXiv answered {content_type or 'with no content type'}, "
                           "not an Atom feed", retryable=True)
    body = response.content
    if not body.rstrip().endswith(b"</feed>"):
        raise BrokenAnswer("arXiv sent an incomplete feed", retryable=True)
    total = _TOTAL_RESULTS.search(body)
    if results == 0 and (total is None or int(total.group(1)) > 0):
        raise BrokenAnswer("arXiv sent an empty page for a query with results", retryable=True)


class ArxivSource:
    name = "arxiv"
    role = PREPRINT
    id_kind = "arxiv"
    ids_per_request = 100
    titles_per_request = 10  # ORed ti:"..." phrases per request
    parallel = 1

    def __init__(self, query_url: str, *, user_agent: str, timeout: float, timing: Timing,
                 delay: float = ARXIV_DELAY, policy: RetryPolicy | None = None) -> None:
        self.query_url = query_url
        self.user_agent = user_agent
        self.timeout = timeout
        self.limiter = Limiter(Pace(limit=1, interval=delay, concurrency=1), timing)
        self._timing = timing
        self._policy = policy
        self._client: Any = None
        self._seen = threading.local()
        self._lock = threading.Lock()

    def _arxiv(self) -> Any:
        with self._lock:  # the HTTP stack is imported and built on the first request only
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        import arxiv
        import requests

        source = self

        class PoliteSession(requests.Session):
            def request(self, method: str, url: str, **kwargs: Any) -> Any:  # type: ignore[override]
                if getattr(source._seen, "response", None) is not None:
                    raise _SecondPage()
                kwargs["timeout"] = kwargs.get("timeout") or source.timeout
                agent = f"{source.user_agent} arxiv.py/{arxiv.__version__}"
                kwargs["headers"] = {**(kwargs.get("headers") or {}), "User-Agent": agent}
                started = time.monotonic()
                response = super().request(method, url, **{**kwargs, "stream": True})
                source._seen.response = response
                try:
                    # Stored where requests keeps a body it read itself: arxiv reads it there.
                    response._content = read_body(
                        response.iter_content(CHUNK), started=started, seconds=source.timeout,
                        declared=response.headers.get("content-length"))
                finally:
                    response.close()
                return response

        session = PoliteSession()
        session.max_redirects = MAX_REDIRECTS
        client = arxiv.Client(delay_seconds=0, num_retries=0)
        client.query_url_format = self.query_url + "?{}"
        client._session = session  # the client's only HTTP handle (no public setter)
        return client

    def _ask(self, search: Any) -> list[Raw]:
        client = self._arxiv()

        def attempt() -> list[Raw]:
            client.page_size = search.max_results  # one page holds the whole answer
            self._seen.response = None
            results = []
            try:
                for result in client.results(search):
                    results.append(result)
            except _SecondPage:
                pass  # arXiv sent a short page; a next page would bypass the limiter
            finally:
                response = self._seen.response
                if response is not None:
                    self.limiter.learn(response.headers)
            _check_feed(self._seen.response, len(results))
            return [raw_from_result(r) for r in results if "/api/errors" not in r.entry_id]

        return polite_call(attempt, limiter=self.limiter, classify=self._classify,
                           timing=self._timing, policy=self._policy)

    def _classify(self, exc: Exception) -> Failure | None:
        import arxiv
        import requests

        if isinstance(exc, arxiv.HTTPError):
            response = getattr(self._seen, "response", None)
            # (not `if response`: a requests.Response is falsy when its status is an error)
            return failure_for_status(exc.status,
                                      response.headers if response is not None else None)
        if isinstance(exc, BrokenAnswer):
            return Failure(str(exc), exc.retryable)
        return no_answer(exc, self.query_url, self.timeout,
                         redirect_loop=requests.TooManyRedirects, timed_out=requests.Timeout,
                         unreachable=requests.ConnectionError)

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        import arxiv

        raws = self._ask(arxiv.Search(id_list=list(ids), max_results=len(ids)))
        asked = set(ids)
        return {bare: raw for raw in raws if (bare := bare_arxiv(raw["id"])) in asked}

    def search(self, titles: Sequence[str]) -> dict[str, list[Raw]]:
        import arxiv

        phrases = [comparable_title(title) for title in titles]
        query = " OR ".join(f'ti:"{phrase}"' for phrase in phrases if phrase)
        if not query:
            return {title: [] for title in titles}
        room = CANDIDATES_PER_TITLE * len(titles)
        raws = self._ask(arxiv.Search(query=query, max_results=room))
        if len(raws) >= room and len(titles) > 1:
            # A full page may have crowded some titles' papers out: ask for each half.
            half = len(titles) // 2
            return {**self.search(titles[:half]), **self.search(titles[half:])}
        return {title: [raw for raw in raws if title_similarity(title, raw["title"])
                        >= CANDIDATE_FLOOR] for title in titles}

    def record(self, raw: Raw) -> Record:
        return record_from_raw(raw)

    def identifier_of(self, raw: Raw) -> str:
        return bare_arxiv(str(raw["id"])) or str(raw["id"])
