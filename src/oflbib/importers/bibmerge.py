"""Merge the entries of a .bib import into a catalog: duplicates by identity, aliases.

Two entries are the same work when they share a DOI, an arXiv id, or their key (with the
same title), or when their normalised titles, first authors and years agree: a title
alone is not enough ("Editorial" and "Letters" name many works). A duplicate merges into
the entry already there: fields it lacks are filled, values that differ are reported and
the existing one is kept, and the duplicate's key becomes an alias (biblatex `ids`), so
its `\\cite` still works. A key that names another work cannot be kept: the new entry
gets a key from the key scheme, and a note says which key it had.

Every lookup goes through indexes built once, so an import is linear in its size.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from oflbib.catalog.store import new_section_file
from oflbib.errors import Problem
from oflbib.importers.bibtex import BibFile
from oflbib.keys import ascii_fold, base_key, unique_key
from oflbib.model import Block, Catalog, Entry, Listing, Section
from oflbib.text import norm_title

# Fields that say where an entry is or came from, not what it is: never merged.
_NOT_MERGED = {"key", "kind", "sections", "provenance", "seed", "notes", "filed_under",
               "cite_as", "ids", "protect"}


@dataclass
class Outcome:
    """What became of one entry of the file, for the import report."""

    path: str
    line: int
    key: str  # the key in the file ("" when it had none)
    action: str  # added | merged | renamed
    into: str  # the catalog key it is now (or is merged into)
    why: str = ""  # same DOI, same key and title...
    conflicts: list[str] = field(default_factory=list)  # "year: 2020 kept, 2021 in the file"


@dataclass
class BibImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # entries not imported
    new_sections: list[str] = field(default_factory=list)

    @property
    def added(self) -> list[str]:
        return [o.into for o in self.outcomes if o.action in ("added", "renamed")]

    @property
    def merged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == "merged"]


def _author(entry: Entry) -> str:
    person = next((a for a in entry.authors if a.family or a.literal), None)
    return ascii_fold(person.family or person.literal) if person else ""


class Identities:
    """Indexes of the works a catalog holds, by DOI, arXiv id, key and title+author+year."""

    def __init__(self) -> None:
        self.by_doi: dict[str, Entry] = {}
        self.by_arxiv: dict[str, Entry] = {}
        self.by_key: dict[str, Entry] = {}
        self.by_work: dict[tuple, Entry] = {}

    def add(self, entry: Entry) -> None:
        if entry.doi:
            self.by_doi.setdefault(entry.doi.lower(), entry)
        if entry.arxiv:
            self.by_arxiv.setdefault(entry.arxiv, entry)
        self.by_key.setdefault(entry.key, entry)
        for alias in getattr(entry, "ids", None) or ():
            self.by_key.setdefault(alias, entry)
        if work := self.work(entry):
            self.by_work.setdefault(work, entry)

    @staticmethod
    def work(entry: Entry) -> tuple | None:
        """Title, first author and year; without an author, the container stands in."""
        title = norm_title(entry.title)
        if not title or not entry.year:
            return None
        author = _author(entry)
        return (title, author, entry.year, "" if author else norm_title(entry.container or ""))

    def same(self, entry: Entry) -> tuple[Entry | None, str]:
        """The work `entry` is, and why; or (None, "")."""
        if entry.doi and (found := self.by_doi.get(entry.doi.lower())):
            return found, "same DOI"
        if entry.arxiv and (found := self.by_arxiv.get(entry.arxiv)):
            return found, "same arXiv id"
        found = self.by_key.get(entry.key)
        if found is not None and entry.title \
                and norm_title(found.title) == norm_title(entry.title):
            return found, "same key and title"
        work = self.work(entry)
        if work and (found := self.by_work.get(work)):
            return found, "same title, first author and year"
        return None, ""


def merge_fields(into: Entry, other: Entry, source: str) -> list[str]:
    """Fill what `into` lacks from `other`; return the values that differ (kept)."""
    conflicts = []
    for spec in dataclasses.fields(into):
        name = spec.name
        if name in _NOT_MERGED:
            continue
        mine, theirs = getattr(into, name), getattr(other, name)
        if theirs in (None, "", [], {}):
            continue
        if mine in (None, "", [], {}):
            setattr(into, name, theirs)
            if name in other.provenance:
                into.provenance[name] = other.provenance[name]
        elif isinstance(mine, dict) and isinstance(theirs, dict):
            for sub, value in theirs.items():
                if sub not in mine:
                    mine[sub] = value
                elif mine[sub] != value:
                    conflicts.append(f"{name}.{sub}: kept {mine[sub]!r}, {source} has {value!r}")
        elif not _same_value(mine, theirs):
            conflicts.append(f"{name}: kept {_show(mine)}, {source} has {_show(theirs)}")
    return conflicts


def _same_value(mine: object, theirs: object) -> bool:
    """Equal, or texts that differ only in case, spacing and punctuation."""
    if isinstance(mine, str) and isinstance(theirs, str):
        return norm_title(mine) == norm_title(theirs)
    return mine == theirs


def _show(value: object) -> str:
    if isinstance(value, list):
        return repr("; ".join(map(str, value)))
    return repr(value)


def add_alias(entry: Entry, key: str) -> None:
    """`key` cites `entry` too (biblatex `ids`)."""
    if key != entry.key and key not in entry.ids:
        entry.ids.append(key)


def merge_bibtex(catalog: Catalog, bib: BibFile, section: str | None) -> BibImportReport:
    """Add the import's entries to `catalog` in place. Each goes to `section` (created
    when missing) or, without one, to the first section its file files it under (JabRef
    groups, oflbib's own keywords: `bibgroups`), else to one named after its file. The
    other sections its file names list it too, as do the catalog's sections its keywords
    name. An entry the catalog has already is merged into it, and `section` lists it too."""
    report = BibImportReport(problems=list(bib.problems))
    also: list[tuple[str, list[str]]] = []  # key, the other sections listing it
    files = {s.file for s in catalog.sections}

    def section_named(name: str) -> Section:
        found = catalog.section(name)
        if found is None:
            found = Section(name=name, file=new_section_file(name, files), heading=name)
            files.add(found.file)
            catalog.sections.append(found)
            catalog.blocks.append(Block(section=name, heading=name, level=3))
            report.new_sections.append(name)
        return found

    # What the catalog knows: its entries and the papers software asks to be cited by.
    known = Identities()
    for entry in [*catalog.entries.values(), *catalog.cited()]:
        known.add(entry)
    taken = set(catalog.keys_in_use()) | set(known.by_key)
    for item in bib.entries:
        entry, where = item.entry, f"{item.path}:{item.line}"
        given = "" if item.keyless else entry.key
        found, why = known.same(entry)
        if found is not None:
            conflicts = merge_fields(found, entry, where)
            if given:
                add_alias(found, given)
                taken.add(given)
            report.outcomes.append(Outcome(item.path, item.line, given, "merged", found.key,
                                           why, conflicts))
            if section and found.key in catalog.entries:  # not a paper only cited
                also.append((found.key, [section]))  # the section asked for lists it too
            continue
        # Without --section or the file's own sections, its name (refs.bib -> "refs").
        homes = [section] if section else item.sections[:1] or [Path(item.path).stem]
        action = "added"
        if not given or given in taken:
            entry.key = unique_key(base_key(entry), taken)
            if given:
                action, why = "renamed", f"key '{given}' names another work here"
                note = f"imported from {where} as '{given}', a key another entry holds"
                entry.notes = f"{entry.notes} {note}" if entry.notes else note
        taken.add(entry.key)
        known.add(entry)
        catalog.entries[entry.key] = entry
        report.outcomes.append(Outcome(item.path, item.line, given, action, entry.key, why))
        section_named(homes[0]).listings.append(Listing(entry.key))
        filed = [] if section else item.sections
        also.append((entry.key, [name for name in [*filed, *item.keywords]
                                 if name != homes[0] and (name in filed or catalog.section(name))]))
    # Other sections after every home one, so sections keep the file's order.
    for key, names in also:
        for name in dict.fromkeys(names):
            listings = section_named(name).listings
            if all(listing.key != key for listing in listings):
                listings.append(Listing(key, home=False))
    catalog.preambles += [text for text in dict.fromkeys(bib.preambles)
                          if text not in catalog.preambles]
    # A set or xdata entry imported again replaces the one of the same key (a file's new
    # version); keys compare as biber compares them, ignoring case.
    incoming = {(r.entry_type, r.key.casefold()): r for r in bib.relations}
    catalog.relations = [r for r in catalog.relations
                         if (r.entry_type, r.key.casefold()) not in incoming]
    catalog.relations += incoming.values()
    catalog.refresh_sections()
    report.problems.sort(key=lambda p: (p.path or "", p.line or 0))
    return report


def outcome_lines(report: BibImportReport) -> list[str]:
    """The per-entry import report, one line each (`file:line: key: what happened`)."""
    lines = []
    for o in report.outcomes:
        head = f"{o.path}:{o.line}: {o.key or '(no key)'}"
        if o.action == "added":
            lines.append(f"{head}: added" + (f" as '{o.into}'" if o.into != o.key else ""))
        elif o.action == "renamed":
            lines.append(f"{head}: added as '{o.into}' ({o.why})")
        else:
            lines.append(f"{head}: merged into '{o.into}' ({o.why})")
            lines += [f"{head}: conflict: {c}" for c in o.conflicts]
    return lines
