"""Is this candidate the entry's paper? Scoring and a precision-first decision.

A title search returns look-alikes. A candidate is accepted only when its title is nearly the
entry's, the other facts we know (year, authors, venue, kind of work) do not speak against it,
and no different work comes close: a wrong DOI is far worse than a missing one, so anything
short of that is reported with the best candidates and changes nothing.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from oflbib.keys import ascii_fold
from oflbib.model import Entry, Person
from oflbib.resolvers.base import ID_KINDS, Record
from oflbib.resolvers.identifiers import code_repository
from oflbib.text import markup_to_text

ACCEPT = 0.97  # combined score a match needs
TITLE_FLOOR = 0.85  # below this title similarity a candidate is never the entry's paper
PLAUSIBLE = 0.75  # ... but from here up it may be, for a person to decide: "ambiguous"
LEAD = 0.05  # how far ahead of the best different work the match must be
SAME_WORK = 0.95  # titles this similar on a preprint and a publication: two versions of one work
PREPRINT_YEARS = 4  # a preprint posted longer before its publication is another work

# Crossref types that are a paper; a preprint is a paper too, but the publication is preferred.
PAPER_TYPES = {"proceedings-article", "journal-article", "book-chapter", "report", "preprint",
               "posted-content", "dissertation"}
PREPRINT_TYPES = {"preprint", "posted-content"}
# Works that stand alone, not a paper's version: a thesis (or a book) titled as the paper it
# grew from is another publication, of other authors and pages.
STANDALONE_TYPES = {"dissertation", "book", "monograph", "edited-book"}
# A notice about a paper, titled with the paper's title after words of its own (`Correction
# to: X`, `Corrigendum to "X"`, `Erratum: X`, `Notice of Retraction: X`): never the paper.
NOTICE = re.compile(
    r"^(?:(?:correction|corrigendum|erratum|errata|addendum|retraction)(?:\s+note)?"
    r"(?:\s+(?:to|for))?\s*[:\"'\u201c\u2018]|(?:correction|corrigendum|erratum|errata|"
    r"addendum|retraction)\s+(?:to|for)\s|notice of retraction|expression of concern|"
    r"comments?\s+on\s|reply\s+to\s)", re.IGNORECASE)

MATCHED, AMBIGUOUS, NOT_FOUND = "matched", "ambiguous", "not found"


@lru_cache(maxsize=2**16)  # a proceedings' candidates are compared with many titles
def comparable_title(title: str) -> str:
    """Lower-case words only: markup (`<i>`), braces, accents and punctuation dropped."""
    text = markup_to_text(title).replace("{", "").replace("}", "")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text.casefold()))


def title_similarity(a: str, b: str) -> float:
    return fuzz.ratio(comparable_title(a), comparable_title(b)) / 100


NAME_WORDS = 3  # a system name before a colon is a word or two (`Megatron-LM`, `Pets`)
MIN_NAME = 4  # letters a name needs to be worth a question (`Pets` is, `X` is not)
MIN_REST_WORDS = 5  # a title without its name must still say something to be compared
MIN_PREFIX = 24  # characters a truncated title must keep to be compared as a prefix
TRUNCATION = re.compile(r"(\.\.\.|\u2026)\s*$")
# What a system name alone weighs: a candidate of the same venue and year named so is the
# paper (two papers of one proceedings rarely share a name); elsewhere the name proves little.
NAME_AT_VENUE = 0.93
PREFIX_EVIDENCE = 0.92  # what the beginning of a truncated title weighs at most
# What an abstract linking the entry's code repository adds. As much as an agreeing year:
# with the system name it is a match, but a conflicting title, year or venue outweighs it
# (a fork's name is only a name). A record linking other code loses nothing: an abstract
# may link a dataset, a list a re-implementation.
CODE_NAMED = 0.04


@lru_cache(maxsize=2**16)
def split_name(title: str) -> tuple[str | None, str]:
    """(`KungFu`, `Making Training ... Adaptive`) from a title with a name before a colon
    (or a spaced dash); a title of one or two words is a name only (`[KungFu]`)."""
    text = markup_to_text(title).strip()
    match = re.match(r"^([^:]{1,60}?)\s*(?::|\s[-\u2013\u2014]{1,2}\s)\s*(.+)$", text)
    if match and len(match.group(1).split()) <= NAME_WORDS:
        return match.group(1).strip(), match.group(2).strip()
    if len(text.split()) <= 2 and not TRUNCATION.search(text):
        return text, ""
    return None, text


@lru_cache(maxsize=2**16)
def subtitle(title: str) -> str:
    """What follows the title's first colon (or spaced dash), however long the head before
    it (`Not All GPUs Are Created Equal: Characterizing ...`); "" when there is none. A list
    or a preprint often gives only this part."""
    match = re.match(r"^[^:]+?\s*(?::|\s[-\u2013\u2014]{1,2}\s)\s*(.+)$", markup_to_text(title))
    return match.group(1).strip() if match else ""


def squeezed(text: str) -> str:
    """A name's letters and digits only: `Megatron-LM` is `megatronlm`."""
    return comparable_title(text).replace(" ", "")


def names_the_paper(query: Query, record: Record) -> bool:
    """The list's system name is the record's (`KungFu: Making ...`); a name given alone
    may also stand anywhere in the record's title (`... Using Megatron-LM`)."""
    name, rest = split_name(query.title)
    if not name:
        return False
    their_name, _ = split_name(record.title)
    if their_name and squeezed(name) == squeezed(their_name):
        return True
    words = comparable_title(record.title).split()
    wanted = comparable_title(name).split()
    return not rest and any(words[i:i + len(wanted)] == wanted for i in range(len(words)))


def _shared_authors(query: Query, record: Record) -> float | None:
    """The share of the shorter author list the other one has too (None: not comparable)."""
    ours = {name for name in query.authors if name}
    if not ours:
        return None
    theirs = {name for name in family_names(record.authors) if name}
    if not theirs:  # names that fold to nothing (CJK, Cyrillic) cannot be compared
        return None
    return len(ours & theirs) / min(len(ours), len(theirs))


def title_evidence(query: Query, record: Record) -> float:
    """How surely the record's title is the one the list means (0..1): plain similarity,
    or that of what is left when the list truncated the title or left out (or only gave)
    the system name, or NAME_AT_VENUE for the same name at the list's venue and year."""
    best = title_similarity(query.title, record.title)
    ours, theirs = comparable_title(query.title), comparable_title(record.title)
    if TRUNCATION.search(query.title) and len(ours) >= MIN_PREFIX and len(theirs) > len(ours):
        # Capped: a near-miss shares the beginning too; the year, venue or authors decide.
        best = max(best, min(PREFIX_EVIDENCE, fuzz.ratio(ours, theirs[:len(ours)]) / 100))
    for a, b in ((query.title, subtitle(record.title)), (subtitle(query.title), record.title)):
        if _comparable_part(a) and _comparable_part(b):
            best = max(best, title_similarity(a, b) - 0.02)  # a little less than the whole
    if names_the_paper(query, record):
        at_venue = query.venue and query.venue == record.venue and query.year == record.year
        by_authors = (_shared_authors(query, record) or 0) >= 0.5 and not (
            query.year and record.year and abs(query.year - record.year) > 1)
        by_code = names_the_code(query, record) and not _conflicts(query, record)
        if at_venue or by_authors or by_code:
            best = max(best, NAME_AT_VENUE)
    return best


def _conflicts(query: Query, record: Record) -> bool:
    """Do the list's venue or year speak against the record (a preprint's year only when
    it is far from the publication's)?"""
    if query.venue not in (None, "arXiv") and record.venue and record.venue != query.venue:
        return True
    if not (query.year and record.year):
        return False
    if record.work_type in PREPRINT_TYPES:
        return not query.year - PREPRINT_YEARS <= record.year <= query.year + 1
    return abs(query.year - record.year) > 1


def _comparable_part(text: str) -> bool:
    """Does a part of a title say enough to be compared with a whole one?"""
    return len(comparable_title(text).split()) >= MIN_REST_WORDS


def plausibly_same_title(listed: str, found: str) -> bool:
    """Loose check of an identifier the list gave: does its record's title fit the listed one?
    Word-set similarity, so a bare name (`Megatron-LM`) fits its paper's full title."""
    return fuzz.token_set_ratio(comparable_title(listed), comparable_title(found)) >= 80


def family_names(people: Sequence[Person]) -> list[str]:
    """Comparable family names; an institution counts by the last word of its name."""
    names = (p.family or (p.literal.split() or [""])[-1] for p in people)
    return [folded for folded in map(fold_name, names) if folded]


# A name's comparable form; the same names come back with every title and every section.
fold_name = lru_cache(maxsize=2**16)(ascii_fold)


@dataclass(frozen=True)
class Query:
    """What the catalog knows of an entry that helps recognise its paper."""

    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()  # folded family names
    venue: str | None = None
    code: tuple[str, ...] = ()  # the code repositories the entry links (`owner/name`)

    @classmethod
    def of(cls, entry: Entry) -> Query:
        return cls(entry.title, entry.year, tuple(family_names(entry.authors)), entry.venue,
                   code_links(entry.urls))


def code_links(urls: Sequence[str]) -> tuple[str, ...]:
    """The code repositories among an entry's links, once each."""
    return tuple(dict.fromkeys(repo for url in urls if (repo := code_repository(url))))


def names_the_code(query: Query, record: Record) -> str | None:
    """The entry's code repository that the record's abstract links, if one is: the same
    `owner/name`, or a repository of the same name (a list often links a fork, as
    `MachineLearningSystem/bamboo` for the authors' `uclasystem/bamboo`)."""
    if not query.code or not record.code:
        return None
    for repo in query.code:
        if repo in record.code:
            return repo
    names = {repo.partition("/")[2]: repo for repo in query.code}
    return next((names[theirs.partition("/")[2]] for theirs in record.code
                 if theirs.partition("/")[2] in names), None)


def is_notice(title: str) -> bool:
    """Is this the title of a correction, retraction or comment about a paper?"""
    return bool(NOTICE.match(markup_to_text(title).strip()))


def match_score(query: Query, record: Record) -> float:
    """Title evidence (0..1) adjusted by year, authors, venue and type of work."""
    score = title_evidence(query, record)
    published_venue = query.venue not in (None, "arXiv")
    if published_venue and record.venue and record.venue != query.venue \
            and query.year and record.year and query.year != record.year:
        # Another venue and another year: two facts of the list against the record, as a
        # workshop paper or a journal extension titled as the list's conference paper is.
        score -= 0.15
    # A preprint's year is its submission year, often not the publication's: the list's
    # year is the preprint's only where the list calls the paper one (a year alone may be
    # either's).
    if query.year and record.year:
        gap = abs(query.year - record.year)
        if record.work_type not in PREPRINT_TYPES or query.venue == "arXiv" or (
                query.venue is None and gap == 0):
            score += 0.04 if gap == 0 else 0.0 if gap == 1 else -0.15
        if gap == 1 and published_venue and record.venue is None \
                and record.work_type not in PREPRINT_TYPES:
            # A year off by one is a publication's online date only where the venue bears
            # it out; of a record naming no venue the list knows, it is as likely the
            # workshop version (or a journal's) under the same title.
            score -= 0.04
        elif not query.year - PREPRINT_YEARS <= record.year <= query.year + 1:
            score -= 0.15  # a preprint posted long before (or after) the publication
    overlap = _shared_authors(query, record)
    if overlap is not None:
        score += 0.04 if overlap >= 0.5 else -0.2 if overlap == 0 else 0.0
    if published_venue and record.venue:
        # Mild: the list's venue tags are sometimes wrong, and then the title decides.
        score += 0.03 if record.venue == query.venue else -0.03
    if names_the_code(query, record):
        score += CODE_NAMED
    if record.work_type and record.work_type not in PAPER_TYPES \
            or is_notice(record.title) and not is_notice(query.title):
        score -= 0.5  # a dataset, a whole proceedings volume, a peer review, an erratum...
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


def same_work(a: Record, b: Record) -> bool:
    """A preprint and its publication (Crossref and dblp hold both) are one work, not
    rivals: nearly the same title, or, by the same authors, the same system name or one
    titled with what follows the other's colon."""
    if _is_preprint(a) == _is_preprint(b):
        return False
    if title_similarity(a.title, b.title) >= SAME_WORK:
        return True
    shared = _shared_authors(Query(a.title, authors=tuple(family_names(a.authors))), b)
    if shared is None or shared < 0.5:
        return False
    name, their_name = split_name(a.title)[0], split_name(b.title)[0]
    if name and their_name and squeezed(name) == squeezed(their_name):
        return True
    return any(_comparable_part(part) and title_similarity(part, whole) >= SAME_WORK
               for part, whole in ((subtitle(a.title), b.title), (subtitle(b.title), a.title)))


def preprint_of(published: Record, candidates: Sequence[Record]) -> Record | None:
    """The preprint among `candidates` that is `published`'s own (the same work, posted
    at most a few years before it or a year after), when exactly one arXiv id is so: a
    look-up by system name finds the paper's other versions and its namesakes."""
    own = [c for c in candidates if _is_preprint(c) and c.arxiv and same_work(c, published)
           and not (published.year and c.year
                    and not published.year - PREPRINT_YEARS <= c.year <= published.year + 1)]
    return own[0] if len({c.arxiv for c in own}) == 1 else None


_PAGE_RANGE = re.compile(r"(\d+)--(\d+)")


def _apart(a: str | None, b: str | None) -> bool:
    """Two plain page ranges with no page in common: two publications' pages (an article
    number, `3:1--3:30`, may be written otherwise by another source)."""
    first, second = (_PAGE_RANGE.fullmatch(p or "") for p in (a, b))
    if not (first and second):
        return False
    (a1, a2), (b1, b2) = ((int(x) for x in m.groups()) for m in (first, second))
    return a2 < b1 or b2 < a1


def other_publication(a: Record, b: Record) -> bool:
    """Are two records titled alike two publications? A thesis (or book) and anything else
    are; two versions of record are when their page ranges are apart, or two of year,
    pages and venue differ (a workshop paper and its conference paper, a conference paper
    and its journal extension). One other difference alone is not enough: Crossref's year
    may be the online one, a venue may be named otherwise."""
    if (a.work_type in STANDALONE_TYPES) != (b.work_type in STANDALONE_TYPES):
        return True
    if _is_preprint(a) or _is_preprint(b):
        return False
    if _apart(a.pages, b.pages):
        return True
    differ = sum(mine is not None and theirs is not None and mine != theirs
                 for mine, theirs in ((a.year, b.year), (a.pages, b.pages), (a.venue, b.venue)))
    return differ >= 2


def twins_of(a: Record, b: Record) -> bool:
    """Are two sources' records one publication for sure: one identifier (a DOI, an arXiv
    id, a dblp key), or the same title, year and pages?"""
    if any((mine := a.identifier(kind)) and (theirs := b.identifier(kind))
           and mine.casefold() == theirs.casefold() for kind in ID_KINDS):
        return True
    return a.year is not None and a.pages is not None and (a.year, a.pages) == (
        b.year, b.pages) and title_similarity(a.title, b.title) >= SAME_WORK


def same_paper(a: Record, b: Record) -> bool:
    """Do two sources' accepted records describe one paper? They do when they share an
    identifier, or are titled alike, or are one work (a preprint and its publication);
    two different DOIs on two versions of record are two papers, and so are records that
    are other publications (`other_publication`) however alike their titles."""
    for kind in ID_KINDS:
        mine, theirs = a.identifier(kind), b.identifier(kind)
        if mine and theirs:
            if mine.casefold() == theirs.casefold():
                return True
            # A DOI, and a dblp key, names one publication (dblp's CoRR records aside).
            if kind in ("doi", "dblp") and not _is_preprint(a) and not _is_preprint(b):
                return False
    if other_publication(a, b):
        return False
    return title_similarity(a.title, b.title) >= 0.9 or same_work(a, b)


def _accepted(best: Scored, scored: Sequence[Scored]) -> bool:
    if best.score < ACCEPT or best.title_similarity < TITLE_FLOOR:
        return False
    # Only a candidate within LEAD of the best can be a rival that matters.
    close = [s for s in scored if s is not best and best.score - s.score < LEAD]
    return all(same_work(s.record, best.record) for s in close)


def choose(query: Query, records: Sequence[Record]) -> MatchResult:
    """The entry's record among the candidates, or why there is none. The published
    version is taken over its preprint when both pass; a source's preprint id then
    comes along on the published record (a CoRR record's arXiv id on dblp's)."""
    scored = sorted((Scored(r, match_score(query, r), title_evidence(query, r))
                     for r in records),
                    key=lambda s: (-round(s.score, 2), _is_preprint(s.record)))
    if not scored:
        return MatchResult(NOT_FOUND)
    best = scored[0]
    if _accepted(best, scored):
        record = best.record
        twin = next((s for s in scored if _is_preprint(s.record) != _is_preprint(record)
                     and same_work(s.record, record) and _accepted(s, scored)), None)
        if twin is not None:
            published, preprint = (twin.record, record) if _is_preprint(record) \
                else (record, twin.record)
            record = dataclasses.replace(published, arxiv=published.arxiv or preprint.arxiv)
        return MatchResult(MATCHED, record, tuple(scored))
    plausible = best.title_similarity >= PLAUSIBLE
    return MatchResult(AMBIGUOUS if plausible else NOT_FOUND, None, tuple(scored))
