"""Is this candidate the entry's paper? Scoring and a precision-first decision.

A title search returns look-alikes. A candidate is accepted only when its title is nearly the
entry's, the other facts we know (year, authors, venue, kind of work) do not speak against it,
and no different work comes close: a wrong DOI is far worse than a missing one, so anything
short of that is reported with the best candidates and changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from oflbib.keys import ascii_fold
from oflbib.model import Entry, Person
from oflbib.resolvers.base import Record
from oflbib.text import markup_to_text

ACCEPT = 0.97  # combined score a match needs
TITLE_FLOOR = 0.85  # below this title similarity a candidate is never the entry's paper
PLAUSIBLE = 0.75  # ... but from here up it may be, for a person to decide: "ambiguous"
LEAD = 0.05  # how far ahead of the best different work the match must be
SAME_WORK = 0.95  # titles this similar on a preprint and a publication: two versions of one work

# Crossref types that are a paper; a preprint is a paper too, but the publication is preferred.
PAPER_TYPES = {"proceedings-article", "journal-article", "book-chapter", "report", "preprint",
               "posted-content", "dissertation"}
PREPRINT_TYPES = {"preprint", "posted-content"}

MATCHED, AMBIGUOUS, NOT_FOUND = "matched", "ambiguous", "not found"


def comparable_title(title: str) -> str:
    """Lower-case words only: markup (`<i>`), braces, accents and punctuation dropped."""
    text = markup_to_text(title).replace("{", "").replace("}", "")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text.casefold()))


def title_similarity(a: str, b: str) -> float:
    return fuzz.ratio(comparable_title(a), comparable_title(b)) / 100


def plausibly_same_title(listed: str, found: str) -> bool:
    """Loose check of an identifier the list gave: does its record's title fit the listed one?
    Word-set similarity, so a bare name (`Megatron-LM`) fits its paper's full title."""
    return fuzz.token_set_ratio(comparable_title(listed), comparable_title(found)) >= 80


def family_names(people: Sequence[Person]) -> list[str]:
    """Comparable family names; an institution counts by the last word of its name."""
    names = (p.family or (p.literal.split() or [""])[-1] for p in people)
    return [folded for folded in map(ascii_fold, names) if folded]


@dataclass(frozen=True)
class Query:
    """What the catalog knows of an entry that helps recognise its paper."""

    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()  # folded family names
    venue: str | None = None

    @classmethod
    def of(cls, entry: Entry) -> Query:
        return cls(entry.title, entry.year, tuple(family_names(entry.authors)), entry.venue)


def match_score(query: Query, record: Record) -> float:
    """Title similarity (0..1) adjusted by year, authors, venue and type of work."""
    score = title_similarity(query.title, record.title)
    published_venue = query.venue not in (None, "arXiv")
    # A preprint's year is its submission year, often not the publication's.
    if query.year and record.year and (record.work_type not in PREPRINT_TYPES
                                       or not published_venue):
        gap = abs(query.year - record.year)
        score += 0.04 if gap == 0 else 0.0 if gap == 1 else -0.15
    ours = {name for name in query.authors if name}
    theirs = {name for name in family_names(record.authors) if name}
    if ours and theirs:  # names that fold to nothing (CJK, Cyrillic) cannot be compared
        overlap = len(ours & theirs) / min(len(ours), len(theirs))
        score += 0.04 if overlap >= 0.5 else -0.2 if overlap == 0 else 0.0
    if published_venue and record.venue:
        # Mild: the list's venue tags are sometimes wrong, and then the title decides.
        score += 0.03 if record.venue == query.venue else -0.03
    if record.work_type and record.work_type not in PAPER_TYPES:
        score -= 0.5  # a dataset, a whole proceedings volume, a peer review...
    return score


@dataclass(frozen=True)
class Scored:
    record: Record
    score: float
    title_similarity: float


@dataclass(frozen=True)
class MatchResult:
    status: str  # MATCHED, AMBIGUOUS or NOT_FOUND
    record: Record | None = None  # the accepted record when MATCHED
    candidates: tuple[Scored, ...] = ()  # best first, for the report


def _is_preprint(record: Record) -> bool:
    return record.work_type in PREPRINT_TYPES


def _same_work(a: Record, b: Record) -> bool:
    """A preprint and its publication (Crossref holds both) are one work, not rivals."""
    return _is_preprint(a) != _is_preprint(b) and title_similarity(a.title, b.title) >= SAME_WORK


def choose(query: Query, records: Sequence[Record]) -> MatchResult:
    """The entry's record among the candidates, or why there is none."""
    scored = sorted((Scored(r, match_score(query, r), title_similarity(query.title, r.title))
                     for r in records),
                    key=lambda s: (-round(s.score, 2), _is_preprint(s.record)))
    if not scored:
        return MatchResult(NOT_FOUND)
    best = scored[0]
    rivals = [s for s in scored[1:] if not _same_work(s.record, best.record)]
    runner_up = rivals[0].score if rivals else 0.0
    if best.score >= ACCEPT and best.title_similarity >= TITLE_FLOOR \
            and best.score - runner_up >= LEAD:
        return MatchResult(MATCHED, best.record, tuple(scored))
    plausible = best.title_similarity >= PLAUSIBLE
    return MatchResult(AMBIGUOUS if plausible else NOT_FOUND, None, tuple(scored))
