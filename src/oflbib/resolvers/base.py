"""What every source hands the resolver, and the small interface a source implements."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from oflbib.model import Person
from oflbib.resolvers.identifiers import repositories_in
from oflbib.text import fold_space, visible

if TYPE_CHECKING:
    from oflbib.resolvers.manners import Limiter

Raw = dict[str, Any]  # one record as the source sent it (JSON-able): what the cache keeps

PUBLISHED = "published"  # the source holds versions of record (Crossref)
PREPRINT = "preprint"  # the source holds preprints (arXiv)


@dataclass(frozen=True)
class Record:
    """One work as a source describes it, in the catalog's terms."""

    source: str  # a row of registry.SOURCES: crossref | arxiv | dblp
    role: str  # PUBLISHED or PREPRINT: the kind of source it came from
    url: str  # address of this record at the source: written as provenance
    title: str
    authors: tuple[Person, ...] = ()
    year: int | None = None
    work_type: str = ""  # Crossref's type (proceedings-article, ...), or "preprint"
    venue: str | None = None  # venue id from the venue table, when the record names one
    container: str | None = None
    publisher: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    doi: str | None = None  # on an arXiv record: the published version's DOI
    arxiv: str | None = None  # bare id, no version
    arxiv_class: str | None = None
    dblp: str | None = None  # dblp key (conf/nsdi/ThorpeZEQJZNX23)
    # Code repositories (`owner/name`, lower-case) the record's abstract links: what can
    # confirm it is the paper of a list's item that links its code.
    code: tuple[str, ...] = ()
    retrieved: str | None = None  # ISO date the source gave this record
    # Values the source sent that could not be read (a year "2023a", a number for a name):
    # left out of the record, and reported for the entry.
    problems: tuple[str, ...] = ()

    def identifier(self, kind: str) -> str | None:
        """The record's identifier of `kind` (one of ID_KINDS)."""
        return getattr(self, kind) if kind in ID_KINDS else None


ID_KINDS = ("doi", "arxiv", "dblp")  # the identifiers a record may carry, and an entry have


def normal_pages(pages: str | None) -> str | None:
    """`877-882` -> `877--882`: the catalog's (and BibTeX's) page range dash."""
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "--", pages.strip()) if pages else None


MAX_TEXT = 2000  # characters of one text value of a record; the longest real titles have 300
MAX_ABSTRACT = 20000  # characters of an abstract read for its links (JATS markup included)


class Fields:
    """Reads a raw record (JSON as a source sent it, or as a cache kept it) value by value.
    A value of the wrong type or size is left out and noted in `problems`, never a crash:
    every service's answer is parsed as the untrusted input it is."""

    def __init__(self, raw: Any) -> None:
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self.problems: list[str] = [] if isinstance(raw, dict) else ["the record is not a mapping"]

    def refuse(self, name: str, value: Any, why: str) -> None:
        shown = repr(value) if len(repr(value)) <= 40 else f"{type(value).__name__} value"
        self.problems.append(f"{name} {shown} {why}: left out")

    def text(self, name: str, value: Any = None, *, number: bool = False) -> str | None:
        """The text of `value` (default: the raw record's `name`): a string, or where
        `number` says a number may stand for it (a volume), a whole number written out."""
        if value is None:
            value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) and not (number and type(value) is int):
            self.refuse(name, value, "is not text")
            return None
        text = str(value)
        if len(text) > MAX_TEXT:
            self.refuse(name, value, f"is {len(text)} characters long")
            return None
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # JSON may spell half of a surrogate pair
            self.refuse(name, value, "is not valid Unicode")
            return None
        return visible(text)  # no control character reaches a terminal or a file

    def code(self, name: str) -> tuple[str, ...]:
        """The code repositories the raw record's `name` (an abstract: text, markup and
        all) links; only what fits in MAX_ABSTRACT characters is read."""
        value = self.raw.get(name)
        if value is None or value == "":
            return ()
        if not isinstance(value, str):
            self.refuse(name, value, "is not text")
            return ()
        return repositories_in(value[:MAX_ABSTRACT])

    def year(self, name: str, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.refuse(name, value, "is not a year")
            return None
        return value

    def items(self, name: str) -> list[Any]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.refuse(name, value, "is not a list")
            return []
        return value


_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la",
              "dos", "das", "ter", "ten"}
# Particles that stay the family name's when capitalised (`Alon De Jagger`, `Chris De Sa`);
# not `Van`, `Da`, `Di`, `Du`, `Le`: Vietnamese and Chinese given names use those words.
_CAPITAL_PARTICLES = {"De", "Von", "Der", "Den", "Del", "Della", "Dos"}
# ... though a `Van` before another particle is Dutch (`Guy Van den Broeck`).
_BEFORE_PARTICLE = {"Van"}


def person_from_name(name: str) -> Person:
    """`Given Family`, as arXiv and dblp give names: the last word is the family name, as
    biber and pybtex read a name without a comma, with the particles before it (which
    Crossref, giving the two apart, counts as the family name's too). A compound family
    name (`Suhas Jayaram Subramanya`) cannot be told from given names here."""
    words = fold_space(name).split()
    if len(words) < 2:
        return Person(literal=" ".join(words))
    start = len(words) - 1
    while start > 1 and _particle(words[start - 1], words[start]):
        start -= 1
    return Person(family=" ".join(words[start:]), given=" ".join(words[:start]))


def _particle(word: str, following: str) -> bool:
    """Is `word`, before `following`, a particle of the family name?"""
    if word in _PARTICLES or word in _CAPITAL_PARTICLES:
        return True
    return word in _BEFORE_PARTICLE and (following in _PARTICLES
                                         or following in _CAPITAL_PARTICLES)


class SourceError(Exception):
    """A request failed for good (after retries, or on an error retrying cannot fix)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status that ended it, when there was one


class Source(Protocol):
    """A bibliographic service. Each call makes at most one request (plus polite retries)."""

    name: str
    endpoint: str  # the address asked: answers are cached per endpoint
    role: str  # PUBLISHED or PREPRINT
    id_kind: str  # one of ID_KINDS: the identifiers it is looked up by
    ids_per_request: int
    titles_per_request: int
    parallel: int  # most requests worth having in flight (its limiter has the final say)
    limiter: Limiter

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        """Records for the ids it knows, keyed by the id as asked; unknown ids are left out."""

    def search(self, titles: Sequence[str]) -> dict[str, list[Raw]]:
        """Candidate records for each title."""

    def record(self, raw: Raw) -> Record:
        """The catalog's view of a raw record."""

    def identifier_of(self, raw: Raw) -> str:
        """The id a raw record is looked up by (cache key for later lookups)."""
