"""What every source hands the resolver, and the small interface a source implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from oflbib.model import Person

Raw = dict[str, Any]  # one record as the source sent it (JSON-able): what the cache keeps

PUBLISHED = "published"  # the source holds versions of record (Crossref)
PREPRINT = "preprint"  # the source holds preprints (arXiv)


@dataclass(frozen=True)
class Record:
    """One work as a source describes it, in the catalog's terms."""

    source: str  # crossref | arxiv
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

    def identifier(self, kind: str) -> str | None:
        return self.doi if kind == "doi" else self.arxiv


class SourceError(Exception):
    """A request failed for good (after retries, or on an error retrying cannot fix)."""

    def __init__(self, message: str, *, bad_request: bool = False) -> None:
        super().__init__(message)
        self.bad_request = bad_request  # the server refused the request itself (HTTP 400)


class Source(Protocol):
    """A bibliographic service. Each call makes at most one request (plus polite retries)."""

    name: str
    role: str  # PUBLISHED or PREPRINT
    id_kind: str  # "doi" or "arxiv": the identifiers it is looked up by
    ids_per_request: int
    titles_per_request: int
    parallel: int  # most requests worth having in flight (its limiter has the final say)

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        """Records for the ids it knows, keyed by the id as asked; unknown ids are left out."""

    def search(self, titles: Sequence[str]) -> dict[str, list[Raw]]:
        """Candidate records for each title."""

    def record(self, raw: Raw) -> Record:
        """The catalog's view of a raw record."""

    def identifier_of(self, raw: Raw) -> str:
        """The id a raw record is looked up by (cache key for later lookups)."""
