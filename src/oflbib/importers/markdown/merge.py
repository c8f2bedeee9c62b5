"""Step 6: fold a parsed list into a catalog without losing keys, enrichment or hand edits.

A listing of the last import is found again by the list's text (title or links) or by the
entry it names (title, arXiv id, DOI), so re-importing the list, or the catalog's own
Markdown export of it, changes nothing; new items are added; items that vanished are
reported and kept. Sections are found again by name, or by the heading they came from,
so a section renamed in the catalog keeps its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oflbib import keys
from oflbib.catalog.store import new_section_file
from oflbib.importers.markdown.document import Draft
from oflbib.importers.markdown.items import Item
from oflbib.model import Block, Catalog, Entry, Listing, Section
from oflbib.text import norm_title, unique


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # the list's text changed
    vanished: list[tuple[str, str]] = field(default_factory=list)  # (section, key)


def _entry_from_item(item: Item, key: str) -> Entry:
    return Entry(key=key, kind=item.kind, title=item.title, urls=list(item.urls),
                 protect=list(item.protect), authors=list(item.authors),
                 organisation=item.organisation, venue=item.venue, container=item.container,
                 year=item.year, arxiv=item.arxiv, seed=item.seed,
                 provenance=dict(item.provenance))


class _Known:
    """The catalog's entries by what identifies them: title (the entry's and the list's),
    arXiv id and DOI."""

    def __init__(self, catalog: Catalog) -> None:
        self.by_title: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        for entry in catalog.entries.values():
            self.add(entry)

    def add(self, entry: Entry) -> None:
        self.by_title.setdefault(norm_title(entry.title), entry.key)
        if entry.seed:
            self.by_title.setdefault(norm_title(entry.seed.title), entry.key)
        for ident in (entry.arxiv, entry.doi and entry.doi.lower()):
            if ident:
                self.by_id.setdefault(ident, entry.key)

    def find(self, item: Item) -> str | None:
        for ident in (item.arxiv, item.doi and item.doi.lower()):
            if ident and ident in self.by_id:
                return self.by_id[ident]
        return self.by_title.get(norm_title(item.title))


class _Unclaimed:
    """A section's listings from the last import, found again by the list's title or
    links, or by key: the first unclaimed one in list order, as a linear scan would, but
    through indexes, so re-importing a long list stays linear."""

    def __init__(self, listings: list[Listing]) -> None:
        self.listings = listings
        self.claimed: set[int] = set()
        self.by_title: dict[str, list[int]] = {}
        self.by_urls: dict[tuple[str, ...], list[int]] = {}
        self.by_key: dict[str, list[int]] = {}
        for index, listing in enumerate(listings):
            self.by_key.setdefault(listing.key, []).append(index)
            if listing.seed is None:
                continue
            self.by_title.setdefault(norm_title(listing.seed.title), []).append(index)
            if listing.seed.urls:
                self.by_urls.setdefault(tuple(listing.seed.urls), []).append(index)

    def _first(self, indexes: list[int]) -> int | None:
        while indexes and indexes[0] in self.claimed:
            indexes.pop(0)
        return indexes[0] if indexes else None

    def claim(self, item: Item, key: str | None) -> Listing | None:
        found = [self._first(self.by_title.get(norm_title(item.seed.title), [])),
                 self._first(self.by_urls.get(tuple(item.seed.urls), []))]
        index = min((i for i in found if i is not None), default=None)
        if index is None and key is not None:
            index = self._first(self.by_key.get(key, []))
        if index is None:
            return None
        self.claimed.add(index)
        return self.listings[index]

    def rest(self) -> list[Listing]:
        return [lst for i, lst in enumerate(self.listings) if i not in self.claimed]


def _shows_entry(item: Item, entry: Entry) -> bool:
    """The item is the entry as the catalog writes it (its Markdown export), not the
    list's own text: the listing keeps the list's text and its corrections."""
    return item.title == entry.title \
        and set(item.urls) <= set(entry.urls) \
        and (item.venue, item.year) in ((entry.venue, entry.year), (None, None))


def _old_section(old: dict[str, Section], name: str, heading: str | None) -> Section | None:
    """The catalog's section for a section of the list: same name, else (renamed in the
    catalog) the one made from the same heading."""
    if name in old:
        return old.pop(name)
    match = next((s for s in old.values() if s.heading == heading), None)
    return old.pop(match.name) if match else None


def merge_into(catalog: Catalog, draft: Draft) -> ImportReport:
    """Fold a parsed list into `catalog` in place: keep what exists, add what is new,
    report (never delete) what vanished."""
    report = ImportReport()
    taken = catalog.keys_in_use()
    known = _Known(catalog)
    old_sections = {s.name: s for s in catalog.sections}
    files = {s.file for s in catalog.sections}
    new_sections: list[Section] = []
    renamed: dict[str, str] = {}
    for name, items in draft.sections.items():
        old = _old_section(old_sections, name, draft.headings[name])
        if old is not None and old.name != name:
            renamed[name] = old.name
        section = Section(name=old.name if old else name,
                          file=old.file if old else new_section_file(name, files),
                          heading=draft.headings[name])
        files.add(section.file)
        unclaimed = _Unclaimed(list(old.listings) if old else [])
        listed: set[str] = set()  # keys already listed in this section
        for item in items:
            key = known.find(item)
            match = unclaimed.claim(item, key)
            if match is not None:
                entry = catalog.entries[match.key]
                if match.seed != item.seed and not _shows_entry(item, entry):
                    report.updated.append(match.key)
                    match.seed = item.seed
                section.listings.append(match)
                listed.add(match.key)
                continue
            if key and key not in listed:
                section.listings.append(Listing(key, item.seed, home=False))
                listed.add(key)
                _fill_gaps(catalog.entries[key], item)
                continue
            if key:
                continue  # listed twice in one section: one listing
            entry = _entry_from_item(item, "")
            entry.key = keys.unique_key(keys.base_key(entry), taken)
            taken.add(entry.key)
            catalog.entries[entry.key] = entry
            known.add(entry)
            section.listings.append(Listing(entry.key, item.seed, home=True))
            listed.add(entry.key)
            report.added.append(entry.key)
        for listing in unclaimed.rest():  # vanished from the list: keep it where it was
            report.vanished.append((section.name, listing.key))
            section.listings.append(listing)
        new_sections.append(section)
    blocks = [Block(section=renamed.get(b.section, b.section), heading=b.heading,
                    level=b.level, prose=b.prose) if b.section else b for b in draft.blocks]
    for old in old_sections.values():
        report.vanished.extend((old.name, lst.key) for lst in old.listings)
        new_sections.append(old)
        blocks.append(Block(section=old.name, heading=old.heading, level=3))
    catalog.sections = new_sections
    catalog.blocks = blocks
    catalog.title = draft.title or catalog.title
    _keep_one_home(catalog)
    catalog.refresh_sections()
    return report


def _fill_gaps(entry: Entry, item: Item) -> None:
    """A later listing of a known entry fills what the entry lacks."""
    if entry.venue is None and item.venue:
        entry.venue, entry.year = item.venue, entry.year or item.year
    entry.urls = unique(entry.urls + item.urls)


def _keep_one_home(catalog: Catalog) -> None:
    """Every entry is defined in exactly one section file: its first listing."""
    homed: set[str] = set()
    for section in catalog.sections:
        for listing in section.listings:
            listing.home = listing.key not in homed
            homed.add(listing.key)
