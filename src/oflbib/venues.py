"""The one venue table: every venue tag of the list -> its canonical record.

Importers parse tags (`NSDI'23`, `NeurIPS '22`, `arXiv preprint arXiv:2103.13262`) with
`parse_venue_tag`; exporters ask `venue_for(entry)` for the proceedings or journal name,
entry type and publisher. Per-year names and publishers come from the proceedings' own
pages (see `Edition.source`); where a year is not in the table the series name is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CONFERENCE = "conference"
JOURNAL = "journal"
PREPRINT = "preprint"


@dataclass(frozen=True)
class Edition:
    """One year of a venue as its proceedings print it."""

    name: str
    publisher: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Venue:
    id: str
    short: str
    name: str
    kind: str
    publisher: str | None
    aliases: tuple[str, ...] = ()
    editions: dict[int, Edition] = field(default_factory=dict)

    def container(self, year: int | None) -> str:
        """Full proceedings/journal name for that year (series name if the year is unknown)."""
        edition = self.editions.get(year) if year else None
        return edition.name if edition else self.name

    def publisher_for(self, year: int | None) -> str | None:
        edition = self.editions.get(year) if year else None
        if edition and edition.publisher:
            return edition.publisher
        return self.publisher


_USENIX = "USENIX Association"
_ACM = "ACM"
_IEEE = "IEEE"

VENUES: dict[str, Venue] = {
    v.id: v
    for v in [
        Venue("NSDI", "NSDI", "USENIX Symposium on Networked Systems Design and Implementation",
              CONFERENCE, _USENIX),
        Venue("OSDI", "OSDI", "USENIX Symposium on Operating Systems Design and Implementation",
              CONFERENCE, _USENIX),
        Venue("ATC", "USENIX ATC", "USENIX Annual Technical Conference", CONFERENCE, _USENIX,
              aliases=("USENIX ATC", "USENIXATC")),
        Venue("FAST", "FAST", "USENIX Conference on File and Storage Technologies",
              CONFERENCE, _USENIX),
        Venue("SOSP", "SOSP", "ACM Symposium on Operating Systems Principles", CONFERENCE, _ACM),
        Venue("ASPLOS", "ASPLOS", "ACM International Conference on Architectural Support for "
              "Programming Languages and Operating Systems", CONFERENCE, _ACM),
        Venue("EuroSys", "EuroSys", "European Conference on Computer Systems", CONFERENCE, _ACM),
        Venue("SIGCOMM", "SIGCOMM", "ACM SIGCOMM Conference", CONFERENCE, _ACM),
        Venue("PPoPP", "PPoPP", "ACM SIGPLAN Symposium on Principles and Practice of Parallel "
              "Programming", CONFERENCE, _ACM),
        Venue("SoCC", "SoCC", "ACM Symposium on Cloud Computing", CONFERENCE, _ACM),
        Venue("SIGMETRICS", "SIGMETRICS", "Proceedings of the ACM on Measurement and Analysis of "
              "Computing Systems", JOURNAL, _ACM),
        Venue("HPCA", "HPCA", "IEEE International Symposium on High-Performance Computer "
              "Architecture", CONFERENCE, _IEEE),
        Venue("SC", "SC", "International Conference for High Performance Computing, Networking, "
              "Storage and Analysis", CONFERENCE, None),
        Venue("VLDB", "VLDB", "Proceedings of the VLDB Endowment", JOURNAL, "VLDB Endowment",
              aliases=("PVLDB",)),
        Venue("TC", "IEEE TC", "IEEE Transactions on Computers", JOURNAL, _IEEE),
        Venue("TPDS", "IEEE TPDS", "IEEE Transactions on Parallel and Distributed Systems",
              JOURNAL, _IEEE),
        Venue("NeurIPS", "NeurIPS", "Advances in Neural Information Processing Systems",
              CONFERENCE, "Curran Associates, Inc.", aliases=("NIPS",)),
        Venue("ICML", "ICML", "International Conference on Machine Learning", CONFERENCE, "PMLR"),
        Venue("ICLR", "ICLR", "International Conference on Learning Representations",
              CONFERENCE, "OpenReview.net"),
        Venue("MLSys", "MLSys", "Proceedings of Machine Learning and Systems", CONFERENCE,
              "mlsys.org"),
        Venue("arXiv", "arXiv", "arXiv", PREPRINT, "arXiv"),
    ]
}

_BY_ALIAS: dict[str, Venue] = {}
for _venue in VENUES.values():
    for _name in (_venue.id, _venue.short, *_venue.aliases):
        _BY_ALIAS[re.sub(r"[^a-z]", "", _name.lower())] = _venue


def lookup_venue(name: str) -> Venue | None:
    """The venue record for a tag's name part, in any spelling (`Eurosys`, `PPOPP`, `MLSYS`)."""
    return _BY_ALIAS.get(re.sub(r"[^a-z]", "", name.lower()))


@dataclass(frozen=True)
class VenueTag:
    """What a list's venue tag says: a venue, maybe a year, maybe an arXiv id."""

    venue: str | None
    year: int | None = None
    arxiv: str | None = None


_TAG = re.compile(r"^(?P<name>[A-Za-z][A-Za-z ]*?)\s*['\u2019]\s*(?P<yy>\d{2})$")
_ARXIV_TAG = re.compile(r"^arxiv(?:\s+preprint)?(?:\s+arxiv:\s*(?P<id>\d{4}\.\d{4,5}))?$", re.I)


def arxiv_year(arxiv_id: str) -> int | None:
    """The year a new-style arXiv id was submitted (`2103.13262` -> 2021)."""
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}", arxiv_id)
    return 2000 + int(match.group(1)) if match else None


def parse_venue_tag(tag: str) -> VenueTag | None:
    """Parse a list's venue tag; None when the tag names no venue we know."""
    tag = " ".join(tag.split())
    arxiv_match = _ARXIV_TAG.match(tag)
    if arxiv_match:
        arxiv_id = arxiv_match.group("id")
        return VenueTag("arXiv", arxiv_year(arxiv_id) if arxiv_id else None, arxiv_id)
    match = _TAG.match(tag)
    if not match:
        return None
    venue = lookup_venue(match.group("name"))
    if venue is None:
        return None
    return VenueTag(venue.id, 2000 + int(match.group("yy")))


def format_venue_tag(venue: str | None, year: int | None) -> str:
    """The list's own tag style (`NSDI'23`) for a venue id and year; inverse of parse."""
    if not venue:
        return ""
    record = VENUES.get(venue)
    short = record.id if record else venue
    if record and record.kind == PREPRINT:
        return "arXiv"
    return f"{short}'{year % 100:02d}" if year else short
