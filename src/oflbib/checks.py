"""`oflbib check`: what a reviewer would flag in the catalog, and how complete it is."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from oflbib import keys, links
from oflbib.fields import TYPES
from oflbib.model import Catalog, Entry
from oflbib.text import clean_title, norm_title
from oflbib.venues import VENUES, find_venue, lookup_venue

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    level: str
    key: str
    message: str


def _required_missing(entry: Entry) -> list[str]:
    if entry.kind == "paper":
        wanted = {"authors": entry.authors, "year": entry.year}
        # A book, a thesis, a .bib file's @misc: no part of a journal or proceedings.
        entry_type = TYPES.get(entry.entry_type or "")
        if entry_type.container if entry_type else not _from_a_bib_file(entry):
            wanted["venue"] = entry.venue or entry.container or entry.arxiv  # arXiv's is arXiv
        missing = [name for name, value in wanted.items() if not value]
        facts = [f for f in ("authors", "year", "venue", "title") if f in entry.provenance]
        if not entry.provenance or not facts:
            missing.append("provenance")
        return missing
    if entry.kind == "software":
        return [] if entry.urls else ["urls"]
    return [] if entry.urls else ["urls"]


# What a missing fact means for whoever reads `check` right after an import.
_MISSING_WHY = {"provenance": ": no source confirms its authors, year, venue or title "
                              "(`oflbib resolve` looks it up in Crossref, dblp and arXiv)"}


def _unknown_venue_advice(venue: str) -> str:
    """`venue` holds an id of the venue table; a hand-written name is either another
    spelling of one (`eurosys`) or a venue the table lacks, whose name goes in `container`."""
    known = lookup_venue(venue)
    if known is not None:
        return f"; did you mean '{known.id}'?"
    return f" (not in the venue table: write its name as `container: {venue}` instead)"


def _split_names(entry: Entry) -> str | None:
    """`authors: [Thorpe, John]` in YAML is two one-word institutions, not one person:
    a paper's list with two of those in a row is that mistake."""
    previous = None
    for person in entry.authors:
        one_word = bool(person.literal) and len(person.literal.split()) == 1
        if one_word and previous is not None:
            return f"'{previous.literal}', '{person.literal}'"
        previous = person if one_word else None
    return None


_INITIAL = re.compile(r"[A-Z]\.?|[A-Z]\.?-[A-Z]\.?")


@lru_cache(maxsize=1 << 14)  # given names recur across a catalog
def _initials_only(given: str) -> bool:
    """`J.`, `J. R.`, `JR`: a given name written as initials."""
    return bool(given) and all(_INITIAL.fullmatch(part) for part in given.split())


@lru_cache(maxsize=1 << 12)  # a list writes the same few hundred tags
def _known_tag(tag: str) -> bool:
    """Whether a list's venue tag names a venue of the table (read as the importer does)."""
    return find_venue(tag) is not None


def _same_work(one: Entry, other: Entry) -> bool:
    """Two entries of one title are one work listed twice unless their first authors or
    years differ (two journals' "Editorial"s are two works)."""
    def first_author(entry: Entry) -> str:
        return norm_title(entry.authors[0].family or entry.authors[0].literal or "") \
            if entry.authors else ""

    firsts, years = {first_author(one), first_author(other)}, {one.year, other.year}
    return (len(firsts) == 1 or "" in firsts) and (len(years) == 1 or None in years)


def _from_a_bib_file(entry: Entry) -> bool:
    """An entry a .bib file gave: its key is the user's (their `\\cite`s use it, so no
    scheme applies) and its names are as that file wrote them, not YAML slips."""
    return any(fact.via == "bibtex" for fact in entry.provenance.values())


def lint(catalog: Catalog) -> list[Finding]:
    findings: list[Finding] = []
    titles: dict[str, list[Entry]] = defaultdict(list)
    urls: dict[str, list[str]] = defaultdict(list)
    listed = [entry for _, entry in catalog.ordered()]
    for entry in listed + [e.cite_as for e in listed if e.cite_as]:
        if entry.title:
            titles[norm_title(entry.title)].append(entry)
        else:  # BibTeX accepts an entry without one; every style prints a gap
            findings.append(Finding(ERROR, entry.key, f"{entry.kind} has no title"))
        for url in entry.urls:
            urls[url].append(entry.key)
        for name in _required_missing(entry):
            findings.append(Finding(ERROR, entry.key,
                                    f"{entry.kind} has no {name}{_MISSING_WHY.get(name, '')}"))
        if entry.entry_type and entry.entry_type not in TYPES and not _from_a_bib_file(entry):
            import difflib  # rare: kept off check's start-up

            close = difflib.get_close_matches(entry.entry_type, list(TYPES), n=1)
            findings.append(Finding(WARNING, entry.key, f"entry type '{entry.entry_type}' is "
                                    "not in the type table" + (f" (did you mean '{close[0]}'?)"
                                                               if close else "")
                                    + ": BibTeX and biblatex get it as written, CSL-JSON and "
                                    "RIS a misc item"))
        if entry.venue and entry.venue not in VENUES:
            findings.append(Finding(ERROR, entry.key, f"unknown venue '{entry.venue}'"
                                    + _unknown_venue_advice(entry.venue)))
        if entry.seed and entry.seed.venue and entry.kind == "paper" \
                and not _known_tag(entry.seed.venue):
            findings.append(Finding(WARNING, entry.key,
                                    f"the list's venue tag '{entry.seed.venue}' is not in the "
                                    "venue table"))
        split = _split_names(entry)
        if split and _from_a_bib_file(entry):  # as the .bib file wrote them: `{R} and {J}`
            findings.append(Finding(WARNING, entry.key,
                                    f"authors {split} look like one person's name written as "
                                    "two names"))
        elif split:
            findings.append(Finding(ERROR, entry.key,
                                    f"authors {split} look like one person's family and given "
                                    "names read as institutions (an unquoted comma in a YAML "
                                    "list); write ['Family, Given', ...]"))
        if entry.doi and entry.doi.startswith("10.5555/"):
            findings.append(Finding(ERROR, entry.key,
                                    f"'{entry.doi}' is an ACM pseudo-DOI, not a DOI"))
        if entry.kind == "paper" and len(entry.title.split()) == 1 and not entry.authors:
            findings.append(Finding(ERROR, entry.key,
                                    f"title '{entry.title}' is only a name, not a paper title"))
        if not _from_a_bib_file(entry) and (not keys.KEY_PATTERN.match(entry.key)
                                                or not keys.follows_scheme(entry.key, entry)):
            findings.append(Finding(WARNING, entry.key,
                                    f"key does not follow the scheme (it would be "
                                    f"'{keys.base_key(entry)}'); `oflbib rekey {entry.key}`"))
        if entry.kind == "paper" and not (entry.doi or entry.arxiv or any(
                links.role(u) == links.PAPER for u in entry.urls)):
            findings.append(Finding(WARNING, entry.key, "paper has no locator: no DOI, arXiv "
                                    "id or landing page (its code link does not locate it)"))
        initials = [a.display for a in entry.authors if not a.literal
                    and _initials_only(a.given)] if entry.kind == "paper" else []
        if initials:
            findings.append(Finding(WARNING, entry.key, "initials only for "
                                    + ", ".join(initials) + ": find the full given names"))
        if entry.kind == "paper" and entry.venue != "arXiv" and entry.venue and not entry.pages \
                and entry.venue in VENUES:
            findings.append(Finding(WARNING, entry.key, "paper has no pages"))
    for same in titles.values():
        for index, entry in enumerate(same):
            twin = next((other for other in same[:index] if _same_work(other, entry)), None)
            if twin:
                findings.append(Finding(ERROR, entry.key, f"same title as '{twin.key}'"))
    for url, same in urls.items():
        if len(same) > 1:
            findings.append(Finding(ERROR, same[1], f"same url as '{same[0]}': {url}"))
    return findings


def coverage(catalog: Catalog) -> list[tuple[str, int, int]]:
    """(fact, papers that have it, papers) for the coverage table."""
    papers = [e for e in catalog.entries.values() if e.kind == "paper"]
    facts = {
        "authors": lambda e: bool(e.authors),
        "year": lambda e: bool(e.year),
        "venue": lambda e: bool(e.venue or e.container),
        "pages": lambda e: bool(e.pages),
        "DOI": lambda e: bool(e.doi),
        "arXiv id": lambda e: bool(e.arxiv),
        "provenance": lambda e: bool(e.provenance),
    }
    return [(name, sum(1 for e in papers if has(e)), len(papers)) for name, has in facts.items()]


@dataclass(frozen=True)
class Correction:
    key: str
    field: str
    list_says: str
    publication_says: str
    source: str
    note: str


def seed_corrections(catalog: Catalog) -> list[Correction]:
    """Every place the list's text disagrees with the entry: title, venue, year, the
    section the list files it in, and a framework's organisation."""
    out: list[Correction] = []
    for section in catalog.sections:
        for listing in section.listings:
            entry, seed = catalog.entries[listing.key], listing.seed
            if seed is None:
                continue

            def add(field: str, list_says: str, now: str, prov_field: str) -> None:
                prov = entry.provenance.get(prov_field)
                out.append(Correction(entry.key, field, list_says, now,
                                      prov.source if prov else "", (prov.note or "") if prov
                                      else ""))

            if entry.kind == "software":
                if seed.organisation and seed.organisation != entry.organisation:
                    add("organisation", seed.organisation, entry.organisation or "(none)",
                        "organisation")
                continue

            listed_title, _ = clean_title(seed.title)
            if listed_title != entry.title:
                add("title", seed.title, entry.title, "title")
            # Read as the importer read it: `NSDI'23`, `(NSDI 2023)`, `In NSDI 2023`.
            tag = find_venue(seed.venue) if seed.venue else None
            listed_venue = tag.venue if tag else seed.venue
            if entry.kind == "paper" and listed_venue != entry.venue:
                add("venue", seed.venue or "(none)", entry.venue or "(none)", "venue")
            if tag and tag.year and entry.year and tag.year != entry.year:
                add("year", str(tag.year), str(entry.year), "year")
            if listing.home and entry.filed_under not in (None, section.name):
                add("section", section.name, entry.filed_under, "filed_under")
    return out
