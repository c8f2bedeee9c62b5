"""Crossref through habanero: DOIs in batches (`filter=doi:...`), titles by query.bibliographic.

habanero calls `httpx2.get` itself and never shows the response headers that carry Crossref's
rate limits and Retry-After. So habanero's request modules get a stand-in for the `httpx2`
module: its `get` goes through one pooled `httpx2.Client` of ours while a CrossrefSource is
asking (a context variable says which), and remembers the response; every other name is
httpx2's own. Nothing of HTTP is reimplemented, and other users of habanero are unaffected.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from oflbib.model import Person
from oflbib.resolvers.base import PUBLISHED, Raw, Record, SourceError, normal_pages
from oflbib.resolvers.bounds import MAX_REDIRECTS, BrokenAnswer, read_body
from oflbib.resolvers.manners import (
    Failure, Limiter, Pace, RetryPolicy, Timing, failure_for_status, no_answer, polite_call,
)
from oflbib.resolvers.matching import comparable_title
from oflbib.resolvers.venuetext import venue_in_text
from oflbib.text import fold_space, markup_to_text

# Crossref's published pools (2025): anonymous requests share the public pool; a mailto
# gets the polite pool. Response headers override these as soon as one arrives.
PUBLIC_POOL = Pace(limit=5, interval=1.0, concurrency=1)
POLITE_POOL = Pace(limit=10, interval=1.0, concurrency=3)

ROWS = 5  # candidates per title search: enough to see a runner-up
SELECT = ["DOI", "title", "subtitle", "author", "issued", "container-title",
          "short-container-title", "event", "publisher", "volume", "issue", "page", "type"]


NOT_WORKS = "Crossref answered JSON that is not a works record"


def _message(answer: Any, items: bool) -> dict[str, Any]:
    """The `message` of a Crossref answer; JSON of another shape (an error object, a proxy's
    page) is a broken answer for this entry, not a crash of the run."""
    message = answer.get("message") if isinstance(answer, dict) else None
    if not isinstance(message, dict) or (items and not (
            isinstance(message.get("items"), list)
            and all(isinstance(item, dict) for item in message["items"]))):
        raise BrokenAnswer(NOT_WORKS, retryable=False)
    return message


class _Transport:
    """One keep-alive client for all of a source's requests; remembers each thread's last
    response so the limiter can read its headers. Redirects, body size and the time a body
    may take are bounded (see `bounds`)."""

    def __init__(self, timeout: float) -> None:
        import httpx2

        self._timeout = timeout
        self._client = httpx2.Client(timeout=timeout, follow_redirects=True,
                                     max_redirects=MAX_REDIRECTS)
        self._seen = threading.local()

    def get(self, url: str, **kwargs: Any) -> Any:
        self._seen.response = None
        started = time.monotonic()
        response = self._client.send(self._client.build_request("GET", url, **kwargs),
                                     stream=True)
        self._seen.response = response
        try:
            # Stored where the client's own read() keeps the body: habanero reads it there.
            response._content = read_body(response.iter_bytes(), started=started,
                                          seconds=self._timeout,
                                          declared=response.headers.get("content-length"))
        finally:
            response.close()
        content_type = response.headers.get("content-type", "")
        # habanero's own check of this header fails with a KeyError when it is missing.
        if response.is_success and not content_type.startswith("application/json"):
            raise BrokenAnswer(f"Crossref answered {content_type or 'with no content type'}, "
                               "not JSON", retryable=True)
        return response

    def last_response(self) -> Any:
        return getattr(self._seen, "response", None)


_ACTIVE: ContextVar[_Transport | None] = ContextVar("oflbib_crossref_transport", default=None)


class _HttpxForHabanero:
    """Stands in for the httpx2 module inside habanero (see the module docstring)."""

    def __init__(self, httpx2: Any) -> None:
        self._httpx2 = httpx2

    def get(self, url: str, **kwargs: Any) -> Any:
        transport = _ACTIVE.get()
        return transport.get(url, **kwargs) if transport else self._httpx2.get(url, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._httpx2, name)


def _route_habanero_through_transport() -> None:
    import httpx2

    for name in ("habanero.request", "habanero.request_class"):
        module = importlib.import_module(name)
        if not isinstance(module.httpx2, _HttpxForHabanero):
            module.httpx2 = _HttpxForHabanero(httpx2)


# ---- records ---------------------------------------------------------------------------

def _text(values: Sequence[str] | None) -> str | None:
    """First of Crossref's list-valued text fields as plain text (JATS markup and
    entities resolved); exporters escape what is left for each format."""
    if not values:
        return None
    return markup_to_text(values[0]) or None


def _person(author: Mapping[str, Any]) -> Person:
    if author.get("family"):
        return Person(family=fold_space(author["family"]),
                      given=fold_space(author.get("given", "")))
    return Person(literal=fold_space(author.get("name", "")))


def _year(item: Mapping[str, Any]) -> int | None:
    for field in ("issued", "published"):
        parts = (item.get(field) or {}).get("date-parts") or [[None]]
        if parts[0] and parts[0][0]:
            return int(parts[0][0])
    return None


def record_from_item(item: Mapping[str, Any], base_url: str) -> Record:
    title = _text(item.get("title")) or ""
    subtitle = _text(item.get("subtitle"))
    if subtitle and comparable_title(subtitle) not in comparable_title(title):
        title = f"{title}: {subtitle}"
    container = _text(item.get("container-title"))
    event = item.get("event") or {}
    mention = venue_in_text(event.get("acronym"), _text(item.get("short-container-title")),
                            container, event.get("name"))
    doi = item.get("DOI", "")
    return Record(
        source="crossref", role=PUBLISHED, url=f"{base_url}/works/{doi}", title=title,
        authors=tuple(_person(a) for a in item.get("author") or []), year=_year(item),
        work_type=item.get("type", ""), venue=mention.venue if mention else None,
        container=container, publisher=item.get("publisher") or None,
        volume=item.get("volume") or None, number=item.get("issue") or None,
        pages=normal_pages(item.get("page")), doi=doi or None,
    )


# ---- the source ------------------------------------------------------------------------

class CrossrefSource:
    name = "crossref"
    role = PUBLISHED
    id_kind = "doi"
    ids_per_request = 40  # DOIs per filter=doi:... request; keeps the URL well under 4 KB
    titles_per_request = 1  # Crossref searches one bibliographic query per request
    parallel = 4

    def __init__(self, base_url: str, *, mailto: str | None, user_agent: str, timeout: float,
                 timing: Timing, policy: RetryPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.mailto = mailto
        self.user_agent = user_agent
        self.timeout = timeout
        self.limiter = Limiter(POLITE_POOL if mailto else PUBLIC_POOL, timing)
        self._timing = timing
        self._policy = policy
        self._client: Any = None
        self._transport: _Transport | None = None
        self._lock = threading.Lock()

    def _crossref(self) -> tuple[Any, _Transport]:
        with self._lock:  # the HTTP stack is imported and built on the first request only
            if self._client is None:
                from habanero import Crossref

                _route_habanero_through_transport()
                self._transport = _Transport(self.timeout)
                self._client = Crossref(base_url=self.base_url, mailto=self.mailto,
                                        ua_string=self.user_agent, timeout=self.timeout)
            assert self._transport is not None
            return self._client, self._transport

    def _ask(self, call: Callable[[Any], Any], *, items: bool = False) -> dict[str, Any]:
        """Crossref's `message` record (with an `items` list when `items`)."""
        client, transport = self._crossref()

        def attempt() -> dict[str, Any]:
            token = _ACTIVE.set(transport)
            try:
                return _message(call(client), items)
            finally:
                _ACTIVE.reset(token)
                response = transport.last_response()
                if response is not None:
                    self.limiter.learn(response.headers)

        return polite_call(attempt, limiter=self.limiter, classify=self._classify,
                           timing=self._timing, policy=self._policy)

    def _classify(self, exc: Exception) -> Failure | None:
        import httpx2
        from habanero.exceptions import RequestError

        response = self._transport.last_response() if self._transport else None
        if isinstance(exc, BrokenAnswer):
            return Failure(str(exc), exc.retryable)
        if isinstance(exc, (RequestError, httpx2.HTTPStatusError)) and response is not None:
            return failure_for_status(response.status_code, response.headers)
        if isinstance(exc, json.JSONDecodeError):
            return Failure("Crossref sent broken JSON (truncated?)", True)
        if isinstance(exc, (KeyError, TypeError, AttributeError)):
            # habanero indexes the JSON itself: another shape fails inside it.
            return Failure(NOT_WORKS, False)
        # habanero wraps transport errors of searches in RuntimeError; DOI lookups raise them.
        cause = exc.__cause__ if isinstance(exc, RuntimeError) else exc
        return no_answer(cause, self.base_url, self.timeout,
                         redirect_loop=httpx2.TooManyRedirects,
                         timed_out=httpx2.TimeoutException, unreachable=httpx2.TransportError)

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        if len(ids) == 1:
            return self._fetch_one(ids[0])
        message = self._ask(lambda cr: cr.works(filter={"doi": list(ids)}, limit=len(ids),
                                                select=SELECT), items=True)
        asked = {doi.casefold(): doi for doi in ids}
        return {asked[item["DOI"].casefold()]: item for item in message["items"]
                if str(item.get("DOI", "")).casefold() in asked}

    def _fetch_one(self, doi: str) -> dict[str, Raw]:
        try:
            message = self._ask(lambda cr: cr.works(ids=doi))
        except SourceError as err:
            if err.status == 404:  # Crossref's answer for a DOI it does not know
                return {}
            raise
        return {doi: message}

    def search(self, titles: Sequence[str]) -> dict[str, list[Raw]]:
        return {title: self._search_one(title) for title in titles}

    def _search_one(self, title: str) -> list[Raw]:
        message = self._ask(lambda cr: cr.works(query_bibliographic=title, limit=ROWS,
                                                select=SELECT), items=True)
        return list(message["items"])

    def record(self, raw: Raw) -> Record:
        return record_from_item(raw, self.base_url)

    def identifier_of(self, raw: Raw) -> str:
        return str(raw.get("DOI", ""))
