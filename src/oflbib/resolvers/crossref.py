"""Crossref through habanero: DOIs in batches (`filter=doi:...`), titles by query.bibliographic.

habanero calls `httpx2.get` itself and never shows the response headers that carry Crossref's
rate limits and Retry-After. So habanero's request modules get a stand-in for the `httpx2`
module: its `get` goes through one pooled `httpx2.Client` of ours while a CrossrefSource is
asking (a context variable says which), and remembers the response; every other name is
httpx2's own. Nothing of HTTP is reimplemented, and other users of habanero are unaffected.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from oflbib.model import Person
from oflbib.resolvers.base import PUBLISHED, Fields, Raw, Record, SourceError, normal_pages
from oflbib.resolvers.bounds import BoundedClient, BrokenAnswer, parse_json
from oflbib.resolvers.manners import (
    Failure, Pace, PoliteSource, RetryPolicy, Timing, failure_for_status, network_failure_of,
)
from oflbib.resolvers.matching import comparable_title
from oflbib.resolvers.venuetext import venue_in_text
from oflbib.text import fold_space, markup_to_text

# Crossref's published pools (2025): anonymous requests share the public pool; a mailto
# gets the polite pool. Response headers override these as soon as one arrives.
PUBLIC_POOL = Pace(limit=5, interval=1.0, concurrency=1)
POLITE_POOL = Pace(limit=10, interval=1.0, concurrency=3)

ROWS = 5  # candidates per title search: enough to see a runner-up
# `abstract`: some publishers deposit one, and the code repository it links can confirm
# that a candidate is the paper of a list's item linking that code.
SELECT = ["DOI", "title", "subtitle", "author", "issued", "container-title",
          "short-container-title", "event", "publisher", "volume", "issue", "page", "type",
          "abstract"]


NOT_WORKS = "Crossref answered JSON that is not a works record"
NOT_FOUND = b"Resource not found."  # the body of Crossref's 404 for a DOI it does not know


def _message(answer: Any, items: bool) -> dict[str, Any]:
    """The `message` of a Crossref answer; JSON of another shape (an error object, a proxy's
    page) is a broken answer for this entry, not a crash of the run, and never taken for
    "no such record"."""
    message = answer.get("message") if isinstance(answer, dict) else None
    kind = "work-list" if items else "work"
    if not isinstance(message, dict) or answer.get("status") != "ok" \
            or answer.get("message-type") != kind or (items and not (
            isinstance(message.get("items"), list)
            and all(isinstance(item, dict) for item in message["items"]))):
        raise BrokenAnswer(NOT_WORKS, retryable=False)
    return message


class _Transport:
    """A source's BoundedClient, as habanero's `httpx2.get`: an answer that is not JSON, or
    JSON that is not safe to parse, is refused before habanero reads it."""

    def __init__(self, timeout: float, check: Callable[[], None]) -> None:
        self.client = BoundedClient(timeout, check)

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        if response.is_error:
            return response  # told by its status (see _classify), however habanero fails on it
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("application/json"):
            # habanero's own check of this header fails with a KeyError when it is missing.
            raise BrokenAnswer(f"Crossref answered {content_type or 'with no content type'}, "
                               "not JSON", retryable=True)
        parse_json(response.content, "Crossref's answer")  # before habanero parses it
        return response

    def last_response(self) -> Any:
        return self.client.last_response()


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

def _text(fields: Fields, name: str) -> str | None:
    """First of Crossref's list-valued text fields as plain text (JATS markup and
    entities resolved); exporters escape what is left for each format."""
    values = fields.items(name)
    text = fields.text(name, values[0]) if values else None
    return markup_to_text(text) or None if text else None


def _person(fields: Fields, author: Any) -> Person | None:
    if not isinstance(author, dict):
        fields.refuse("author", author, "is not a person")
        return None
    family = fields.text("author family name", author.get("family"))
    if family:
        given = fields.text("author given name", author.get("given")) or ""
        return Person(family=fold_space(family), given=fold_space(given))
    name = fields.text("author name", author.get("name"))
    return Person(literal=fold_space(name)) if name else None


def _authors(fields: Fields) -> tuple[Person, ...]:
    """Every author, or none when one cannot be read: a list with a hole is not the list."""
    people = [_person(fields, author) for author in fields.items("author")]
    if None in people:
        fields.problems.append("an author has no readable name: authors left out")
        return ()
    return tuple(person for person in people if person is not None)


def _year(fields: Fields) -> int | None:
    for name in ("issued", "published"):
        stamp = fields.raw.get(name)
        parts = stamp.get("date-parts") if isinstance(stamp, dict) else None
        first = parts[0] if isinstance(parts, list) and parts else None
        if isinstance(first, list) and first and first[0] is not None:
            return fields.year("year", first[0])
    return None


def record_from_item(item: Any, base_url: str) -> Record:
    """The catalog's view of a Crossref work; any JSON value gives a Record (what cannot
    be read is left out and listed in its `problems`)."""
    fields = Fields(item)
    title = _text(fields, "title") or ""
    subtitle = _text(fields, "subtitle")
    if subtitle and comparable_title(subtitle) not in comparable_title(title):
        title = f"{title}: {subtitle}"
    container = _text(fields, "container-title")
    event = fields.raw.get("event") if isinstance(fields.raw.get("event"), dict) else {}
    mention = venue_in_text(fields.text("event acronym", event.get("acronym")),
                            _text(fields, "short-container-title"), container,
                            fields.text("event name", event.get("name")))
    doi = fields.text("DOI") or ""
    return Record(
        source="crossref", role=PUBLISHED, url=f"{base_url}/works/{doi}", title=title,
        authors=_authors(fields), year=_year(fields), work_type=fields.text("type") or "",
        venue=mention.venue if mention else None, container=container,
        publisher=fields.text("publisher"), volume=fields.text("volume", number=True),
        number=fields.text("issue", number=True),
        pages=normal_pages(fields.text("page", number=True)),
        doi=doi or None, code=fields.code("abstract"), problems=tuple(fields.problems),
    )


# ---- the source ------------------------------------------------------------------------

class CrossrefSource(PoliteSource):
    name = "crossref"
    role = PUBLISHED
    id_kind = "doi"
    ids_per_request = 40  # DOIs per filter=doi:... request; keeps the URL well under 4 KB
    titles_per_request = 1  # Crossref searches one bibliographic query per request
    parallel = 4

    def __init__(self, base_url: str, *, mailto: str | None, user_agent: str, timeout: float,
                 timing: Timing, policy: RetryPolicy | None = None) -> None:
        super().__init__(base_url.rstrip("/"), user_agent=user_agent, timeout=timeout,
                         timing=timing, pace=POLITE_POOL if mailto else PUBLIC_POOL,
                         policy=policy)
        self.base_url = self.endpoint
        self.mailto = mailto
        self._transport: _Transport | None = None

    def _make_client(self) -> tuple[Any, _Transport]:
        from habanero import Crossref

        _route_habanero_through_transport()
        self._transport = _Transport(self.timeout, self._timing.check)
        return Crossref(base_url=self.base_url, mailto=self.mailto, ua_string=self.user_agent,
                        timeout=self.timeout), self._transport

    def _ask(self, call: Callable[[Any], Any], *, items: bool = False) -> dict[str, Any]:
        """Crossref's `message` record (with an `items` list when `items`)."""
        client, transport = self._http()

        def attempt() -> dict[str, Any]:
            token = _ACTIVE.set(transport)
            try:
                return _message(call(client), items)
            finally:
                _ACTIVE.reset(token)
                response = transport.last_response()
                if response is not None:
                    self.limiter.learn(response.headers)

        return self._politely(attempt)

    def _classify(self, exc: Exception) -> Failure | None:
        response = self._transport.last_response() if self._transport else None
        if isinstance(exc, BrokenAnswer):
            return Failure(str(exc), exc.retryable)
        if response is not None and response.is_error:
            # Whatever habanero made of the error's body (a RequestError, or a failure to
            # parse it), the status says what happened.
            if response.status_code == 404 and response.content.strip() != NOT_FOUND:
                # Not Crossref's answer for an unknown DOI: the address is wrong (or a proxy
                # answered). An error of the service, never "no such record".
                return Failure(f"HTTP 404 from {response.url}, which is not Crossref's "
                               f"answer for an unknown DOI (is OFLBIB_CROSSREF_URL right?)",
                               False)
            return failure_for_status(response.status_code, response.headers)
        if isinstance(exc, (KeyError, TypeError, AttributeError, ValueError)):
            # habanero indexes the JSON itself: another shape fails inside it.
            return Failure(NOT_WORKS, False)
        # habanero wraps transport errors of searches in RuntimeError; DOI lookups raise them.
        cause = exc.__cause__ if isinstance(exc, RuntimeError) and exc.__cause__ else exc
        return network_failure_of(cause, self.base_url, self.timeout)

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        if len(ids) == 1:
            return self._fetch_one(ids[0])
        message = self._ask(lambda cr: cr.works(filter={"doi": list(ids)}, limit=len(ids),
                                                select=SELECT), items=True)
        asked = {doi.casefold(): doi for doi in ids}
        return {asked[doi]: item for item in message["items"]
                if (doi := self.identifier_of(item).casefold()) in asked}

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
        return Fields(raw).text("DOI") or ""
