"""Merge what the sources said into an entry, never overwriting a value that is there.

A field is written only when it is empty, and every write records the source record it came
from, the source and the day. A source that disagrees with a value already there is
reported as a conflict. The venue fields come from the published version when there is one;
the preprint adds its id (the eprint) and category. Where several sources give a field,
`PRECEDENCE` says whose value is taken. One value is not final: a venue
of plain `arXiv` that came from the list's tag only says "a preprint exists", so the
published version's venue and year replace it.

Where the list's own text (its title, or the venue and year of its tag) disagrees with the
matched publication, that is reported for the list's maintainers.

Every value is checked by the catalog loader's own validation before it is kept: a value the
loader would refuse (year 99999, a DOI with a space) is reported as a problem of the entry
and not written, so `resolve` never saves a catalog that later commands refuse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from oflbib.catalog import schema
from oflbib.catalog.codec import entry_to_data
from oflbib.catalog.store import validate
from oflbib.errors import OflbibError
from oflbib.model import Entry, Person, Provenance
from oflbib.resolvers.base import PREPRINT, PUBLISHED, Record, normal_pages
from oflbib.resolvers.engine import Found, list_tag, ranked_records
from oflbib.resolvers.matching import family_names, fold_name
from oflbib.text import clean_title, norm_title
from oflbib.venues import format_venue_tag

PREPRINT_VENUE = "arXiv"
PUBLISHED_FIELDS = ("title", "authors", "year", "venue", "container", "publisher", "volume",
                    "number", "pages", "doi")
# Whose value a field takes when several sources give one (sources not named come last, in
# the table's order). Crossref's records are the publishers' own deposits: they speak for
# the title, the DOI, the page range and the authors (family and given names apart, where
# dblp and arXiv give one string that splits `Nodehi Sabet` wrongly); dblp's venue and
# year are the event's, where Crossref may give the date a volume was printed.
PRECEDENCE = {
    "authors": ("crossref", "dblp", "arxiv"),
    "year": ("dblp", "crossref", "arxiv"),
    "venue": ("dblp", "crossref", "arxiv"),
    "arxiv": ("arxiv", "dblp"),
}
DEFAULT_PRECEDENCE = ("crossref", "dblp", "arxiv")


@dataclass(frozen=True)
class Change:
    field: str
    value: str
    record: Record


@dataclass(frozen=True)
class Conflict:
    field: str
    catalog: str
    source_says: str
    record: Record


@dataclass(frozen=True)
class ListNote:
    field: str
    list_says: str
    publication_says: str
    record: Record


@dataclass
class Review:
    key: str
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    list_notes: list[ListNote] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what a source sent that was not taken


def _shown(field_name: str, value: Any) -> str:
    if field_name == "authors":
        return "; ".join(str(person) for person in value)
    return str(value)


def _same(field_name: str, have: Any, offered: Any) -> bool:
    if field_name in ("title", "container", "publisher"):
        return norm_title(str(have)) == norm_title(str(offered))
    if field_name == "authors":
        return family_names(have) == family_names(offered)
    if field_name == "doi":
        return str(have).casefold() == str(offered).casefold()
    if field_name == "pages":
        return normal_pages(str(have)) == normal_pages(str(offered))
    return str(have) == str(offered)


Names = Mapping[tuple[str, ...], int]  # a full name's folded words -> its family's words


def _name_words(person: Person) -> tuple[str, ...] | None:
    words = tuple(fold_name(word) for word in person.display.split())
    return words if len(words) > 1 and all(words) and not person.suffix else None


def known_names(entries: Iterable[Entry], records: Iterable[Record]) -> Names:
    """Where the names of `records` that a source gave as one string split, as someone gave
    the parts: the authors of the catalog (typed, imported, or from a source that gives
    names in parts) and the records of such a source. A name given two ways is left out."""
    from oflbib.resolvers.registry import SOURCE_NAMES, spec

    records = list(records)
    wanted = {words for record in records if not spec(record.source).names_in_parts
              for person in record.authors if (words := _name_words(person))}
    last_words = {words[-1] for words in wanted}
    people = [person for entry in entries if entry.provenance.get("authors") is None
              or entry.provenance["authors"].via not in SOURCE_NAMES
              or spec(str(entry.provenance["authors"].via)).names_in_parts
              for person in entry.authors]
    people += [person for record in records if spec(record.source).names_in_parts
               for person in record.authors]
    splits: dict[tuple[str, ...], set[int]] = {}
    for person in people:
        # A large catalog's names are mostly no one's here: the family's last word tells.
        if not person.given or fold_name(person.family.rpartition(" ")[2]) not in last_words:
            continue
        words = _name_words(person)
        if words in wanted:
            splits.setdefault(words, set()).add(len(person.last.split()))
    return {words: next(iter(sizes)) for words, sizes in splits.items() if len(sizes) == 1}


def _split_as_known(people: Iterable[Person], names: Names) -> list[Person]:
    """One-string names split where `names` knows the person's family name (its words
    kept as the record spells them)."""
    out = []
    for person in people:
        size = names.get(_name_words(person) or ())
        if size:
            words = person.display.split()
            person = dataclasses.replace(person, given=" ".join(words[:-size]), particle="",
                                         family=" ".join(words[-size:]))
        out.append(person)
    return out


def _by_precedence(records: list[Record], name: str) -> list[Record]:
    order = PRECEDENCE.get(name, DEFAULT_PRECEDENCE)
    return sorted(records, key=lambda r: order.index(r.source) if r.source in order
                  else len(order))


def _pick(records: list[Record], name: str) -> tuple[Any, Record] | None:
    """The value of field `name` by precedence among the records that have one."""
    for record in _by_precedence(records, name):
        value = getattr(record, name)
        if value not in (None, "", ()):
            return value, record
    return None


def _places(record: Record | None) -> bool:
    """Does the record name a venue of publication? A preprint does through a journal
    reference; one that only says it is on arXiv (dblp's CoRR records) does not."""
    return record is not None and record.venue not in (None, PREPRINT_VENUE)


def _offers(entry: Entry, found: Found) -> list[tuple[str, Any, Record]]:
    """(field, value, record) for every field the sources give a value for."""
    published = [r for r in found.records.values() if r.role == PUBLISHED]
    preprints = [r for r in found.records.values() if r.role == PREPRINT]
    wanted: list[tuple[str, list[Record]]] = []
    placed: tuple[Any, Record] | None = None
    if published:
        wanted += [(name, published) for name in PUBLISHED_FIELDS]
    elif preprints:
        wanted += [("title", preprints), ("authors", preprints)]
        # A preprint's own year says when it was posted: it is the entry's year only for
        # an entry that is a preprint (tagged so, or untagged with no publication in
        # sight), or when the authors' journal reference names a venue.
        placed = _pick([r for r in preprints if _places(r)], "venue")
        if placed or entry.venue == PREPRINT_VENUE \
                or entry.venue is None and found.unsettled is None:
            wanted.append(("year", [placed[1]] if placed else preprints))
            placed = placed or (PREPRINT_VENUE, _by_precedence(preprints, "venue")[0])
    wanted += [("arxiv", preprints + published), ("arxiv_class", preprints)]
    offers = [(name, *picked) for name, records in wanted if (picked := _pick(records, name))]
    if not published and preprints and placed:
        offers.append(("venue", *placed))
    return offers


def _placeholders(entry: Entry, published: Record | None, preprint: Record | None) -> set[str]:
    """Fields whose value the published version may replace: the list's bare `arXiv` tag
    (venue, and the year that came with it) when a source names the venue of publication."""
    placed = (published and published.venue) or (preprint and preprint.venue)
    if entry.venue == PREPRINT_VENUE and "venue" not in entry.provenance \
            and placed not in (None, PREPRINT_VENUE):
        return {"venue", "year"}
    return set()


def _list_says(entry: Entry) -> dict[str, Any]:
    """The title, venue and year the list's own text gives for the entry."""
    if entry.seed is None:
        return {}
    says: dict[str, Any] = {"title": clean_title(entry.seed.title)[0]}
    tag = list_tag(entry)
    if tag:
        says["venue"] = tag.venue
        if tag.year:
            says["year"] = tag.year
    return says


LIST_FIELDS = ("title", "venue", "year")  # what a list's line says about a paper


def _list_text(entry: Entry, name: str) -> str:
    """The list's own words for a field: its title, or its venue tag."""
    seed = entry.seed
    assert seed is not None
    return seed.title if name == "title" else str(seed.venue)


def _list_notes(entry: Entry, published: Record | None,
                preprint: Record | None) -> list[ListNote]:
    """Where the list's title, venue or year disagree with the matched publication."""
    seed, record = entry.seed, published or preprint
    if seed is None or record is None:
        return []
    says = _list_says(entry)
    notes = []
    if norm_title(says["title"]) != norm_title(record.title):
        notes.append(ListNote("title", seed.title, record.title, record))
    # Venue and year are the published version's; a preprint speaks for them only through
    # its journal reference, or when the list itself calls the entry a preprint.
    placed = next((r for r in (published, preprint) if _places(r)), None)
    if "venue" in says and placed and placed.venue != says["venue"]:
        notes.append(ListNote("venue", str(seed.venue), format_venue_tag(placed.venue,
                                                                          placed.year), placed))
    # The year in an arXiv tag is the posting year (from the id): the preprint's to check.
    if says.get("venue") == PREPRINT_VENUE:
        dated = preprint
    else:
        dated = published or (preprint if _places(preprint) else None)
    if "year" in says and dated and dated.year and dated.year != says["year"]:
        notes.append(ListNote("year", str(says["year"]), str(dated.year), dated))
    return notes


def _refusal(entry: Entry) -> str | None:
    """Why the catalog loader would refuse the entry as it now is (None: it would not)."""
    try:
        validate(entry_to_data(entry), schema.ENTRY, "", "")
    except OflbibError as err:
        return "; ".join(problem.message for problem in err.problems)
    return None


def merge(entry: Entry, found: Found, names: Names | None = None) -> Review:
    """Write the sources' values into the empty fields of `entry`; report the rest.
    `names`: where people's names split (`known_names`), for sources that give one string."""
    from oflbib.resolvers.registry import spec

    review = Review(entry.key)
    published = next((r for r in ranked_records(found) if r.role == PUBLISHED), None)
    preprint = next((r for r in ranked_records(found) if r.role == PREPRINT), None)
    review.list_notes = _list_notes(entry, published, preprint)
    noted = {note.field for note in review.list_notes}
    says = _list_says(entry)
    replaceable = _placeholders(entry, published, preprint)
    # The list's own title, venue and year give way to the matched record's: the seed keeps
    # the list's text, and `check --seed` shows the correction with its source.
    corrections = {name for name in LIST_FIELDS if name not in entry.provenance
                   and name in says and getattr(entry, name) not in (None, "")
                   and _same(name, getattr(entry, name), says[name])}
    settled: set[str] = set()  # fields the published version already spoke for
    for name, value, record in _offers(entry, found):
        if name in settled:
            continue
        settled.add(name)
        if name == "authors" and names and not spec(record.source).names_in_parts:
            value = _split_as_known(value, names)
        have = getattr(entry, name)
        if have not in (None, "", []) and _same(name, have, value):
            continue
        if have not in (None, "", []) and name not in replaceable | corrections:
            # Reported once: as the list's disagreement when the value is the list's own.
            if not (name in noted and name in says and _same(name, have, says[name])):
                review.conflicts.append(Conflict(name, _shown(name, have),
                                                 _shown(name, value), record))
            continue
        before = have, entry.provenance.get(name)
        setattr(entry, name, list(value) if name == "authors" else value)
        note = None
        if name in replaceable:
            note = "the list tags it arXiv; this is the published version"
        elif name in corrections:
            note = f"the list says {_list_text(entry, name)!r}; corrected from {record.source}"
        if record.source in found.code:  # the match counted the link: say so
            code = found.code[record.source]
            note = f"{note}, whose record's abstract links the list's code ({code})" if note \
                else f"matched by the list's code ({code}), which the record's abstract links"
        entry.provenance[name] = Provenance(source=record.url, via=record.source,
                                            retrieved=record.retrieved, note=note)
        refused = _refusal(entry)
        if refused:
            setattr(entry, name, before[0])
            if before[1] is None:
                del entry.provenance[name]
            else:
                entry.provenance[name] = before[1]
            review.problems.append(f"{record.source} gives {name} {_shown(name, value)!r}, "
                                   f"which the catalog refuses ({refused}): not written")
            continue
        review.changes.append(Change(name, _shown(name, value), record))
    for record in found.records.values():
        review.problems += [f"{record.source} ({record.url}): {problem}"
                            for problem in record.problems]
    return review
