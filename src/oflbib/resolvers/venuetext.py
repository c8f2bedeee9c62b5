"""Which venue of the venue table a source's free text names.

Crossref gives proceedings and journal names ("Proceedings of the 28th ACM International
Conference on Architectural Support for Programming Languages and Operating Systems") and
event acronyms ("ASPLOS '23"); arXiv gives the authors' journal reference ("NSDI 2023").
Only an unambiguous mention counts: a short name must come with a year and in its own case
("FAST'23", not "fast 2023"), a full name must not run on into a longer name ("... on Machine
Learning and Applications" is not ICML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oflbib.venues import PREPRINT_SERVER, VENUES, lookup_venue


@dataclass(frozen=True)
class VenueMention:
    venue: str
    year: int | None


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _spellings(name: str) -> set[str]:
    """`EuroSys` is also written `EUROSYS` and `Eurosys`; `FAST` only as `FAST`."""
    return {name, name.upper()} if name.isupper() else {name, name.upper(), name.capitalize()}


_SHORT_NAMES = sorted({spelling for v in VENUES.values() if v.category != PREPRINT_SERVER
                       for name in (v.id, v.short, *v.aliases) for spelling in _spellings(name)},
                      key=len, reverse=True)
_SHORT_WITH_YEAR = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(n) for n in _SHORT_NAMES) + r")\s*['\u2019]?\s*"
    r"((?:19|20)\d{2}|\d{2})(?!\d)")
_FULL_NAMES = [(v.id, re.compile(r"\b" + re.escape(_words(v.name)) + r"\b(?! and\b)"))
               for v in VENUES.values() if v.category != PREPRINT_SERVER]
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def _year(digits: str) -> int:
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def venue_in_text(*texts: str | None) -> VenueMention | None:
    """The first venue named by any of the texts, with the year written next to it if any."""
    for text in texts:
        if not text:
            continue
        short = _SHORT_WITH_YEAR.search(text)
        if short:
            venue = lookup_venue(short.group(1))
            if venue is not None:
                return VenueMention(venue.id, _year(short.group(2)))
        words = _words(text)
        for venue_id, pattern in _FULL_NAMES:
            if pattern.search(words):
                year = _YEAR.search(text)
                return VenueMention(venue_id, int(year.group(1)) if year else None)
    return None
