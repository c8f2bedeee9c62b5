"""The in-memory catalog: entries, the sections that list them, and where facts came from.

Every layer speaks this model: importers build it, resolvers enrich it, exporters read it,
`catalog.store` turns it into reviewable YAML and back.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field

from oflbib.fields import FIELDS

KINDS = ("paper", "software", "list")

# Fields in the order they are written to the catalog files (the field table's order).
FIELD_ORDER = tuple(row.name for row in FIELDS)


@dataclass(slots=True)
class Person:
    """An author or editor: a person, in the parts biber and pybtex split a name into
    (`von Last, Jr, First`: particle, family, suffix, given), or an institution (literal,
    a braced name in BibTeX)."""

    family: str = ""
    given: str = ""
    literal: str = ""
    particle: str = ""  # von, van der, de la: lower-case words before the family name
    suffix: str = ""  # Jr., III

    @classmethod
    def parse(cls, text: str) -> "Person":
        """`Family, Given` is a person; text without a comma is an institution or mononym."""
        if "," in text:
            family, given = text.split(",", 1)
            return cls(family=family.strip(), given=given.strip())
        return cls(literal=text.strip())

    def __str__(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else f"{self.family},"

    @property
    def last(self) -> str:
        """Particle and family name: `van der Berg`."""
        return f"{self.particle} {self.family}" if self.particle else self.family

    @property
    def display(self) -> str:
        """`Given von Family, Jr.`, for humans and Markdown."""
        if self.literal:
            return self.literal
        name = " ".join(p for p in (self.given, self.last) if p)
        return f"{name}, {self.suffix}" if self.suffix else name


@dataclass
class Provenance:
    """Where one fact came from: a page or an API record, how, and when."""

    source: str
    via: str | None = None  # manual | crossref | arxiv | seed
    retrieved: str | None = None  # ISO date
    note: str | None = None  # why the value differs from the list, or what matched it


@dataclass
class Seed:
    """The list's own text for one listing, kept verbatim so corrections stay visible."""

    title: str
    venue: str | None = None
    urls: list[str] = field(default_factory=list)
    organisation: str | None = None


@dataclass(slots=True)
class Entry:
    """One work. Its fields are the rows of `fields.FIELDS` (same names, same order; the
    table says what each holds and what each format calls it)."""

    key: str
    kind: str  # paper | software | list: what the list item is
    _: KW_ONLY  # every other field by name: the table's order is no calling convention
    # Other keys that cite this entry (biblatex `ids`): a .bib's own aliases, and the keys
    # of duplicates merged into it.
    ids: list[str] = field(default_factory=list)
    entry_type: str | None = None  # a row of fields.TYPES; None: derived on export
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    title: str = ""
    protect: list[str] = field(default_factory=list)  # words whose case must be kept as is
    container: str | None = None  # journal/proceedings/book name when a source gives it
    series: str | None = None
    edition: str | None = None
    chapter: str | None = None
    volume: str | None = None
    number: str | None = None
    issue: str | None = None  # biblatex's issue: "Spring", not a number
    year: int | None = None
    month: int | None = None
    date: str | None = None  # biblatex date when it says more than year and month
    pages: str | None = None
    publisher: str | None = None
    organisation: str | None = None
    address: str | None = None
    school: str | None = None
    institution: str | None = None
    howpublished: str | None = None
    genre: str | None = None  # BibTeX's `type` field: "PhD thesis", "Technical Report"
    venue: str | None = None  # venue id from the venue table
    isbn: str | None = None
    issn: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    arxiv_class: str | None = None
    urls: list[str] = field(default_factory=list)
    urldate: str | None = None
    language: str | None = None
    keywords: list[str] = field(default_factory=list)
    abstract: str | None = None
    note: str | None = None  # printed in the bibliography; not `notes`
    annote: str | None = None
    # BibTeX field name -> LaTeX as written: fields the table lacks, and fields whose
    # text would not give their LaTeX back (a title with math). Written back as they are.
    verbatim: dict[str, str] = field(default_factory=dict)
    # The section the catalog files the entry under when the list files it in the wrong
    # one: the list keeps its place (the Markdown export), the bibliographies use this.
    filed_under: str | None = None
    # Software: the paper the project asks to be cited by. It is exported as an entry of
    # its own right after the software, so it can be cited; the list does not show it.
    cite_as: Entry | None = None
    seed: Seed | None = None
    provenance: dict[str, Provenance] = field(default_factory=dict)
    notes: str | None = None  # the curator's remark, never exported
    # `and others` at the end of the author / editor list (BibTeX's truncation mark).
    authors_others: bool = False
    editors_others: bool = False
    sections: list[str] = field(default_factory=list)  # derived from the listings


@dataclass
class Listing:
    """One appearance of an entry in a section: the entry's key, and the list's text there."""

    key: str
    seed: Seed | None = None
    home: bool = True  # the entry is defined here, not merely referenced (`see:`)


@dataclass
class Section:
    name: str
    file: str
    heading: str | None = None  # Markdown heading text; None for the list's leading block
    listings: list[Listing] = field(default_factory=list)


@dataclass
class Block:
    """A piece of the list's layout: a section, a bare heading, or prose Markdown."""

    section: str | None = None
    heading: str | None = None
    level: int = 2
    prose: str | None = None


@dataclass
class RelationEntry:
    """A biblatex @set or @xdata entry of an imported .bib file. It names no work (a set
    cites its members under one key; an xdata entry holds fields other entries take), so
    it is no catalog entry; the biblatex export writes it back so that a user's
    `\\cite{set}` and `xdata = {...}` still resolve."""

    entry_type: str  # "set" or "xdata", lower case
    key: str
    fields: dict[str, str]  # lower-case name -> LaTeX value (@strings expanded)

    def names(self) -> list[str]:
        """The keys its `entryset` (a set) or `xdata` (an xdata chain) field names."""
        value = self.fields.get("entryset" if self.entry_type == "set" else "xdata", "")
        return [name.strip() for name in value.split(",") if name.strip()]


@dataclass
class Catalog:
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)
    # @preamble texts of imported .bib files, as written (macros such as \noopsort that
    # their entries use): the BibTeX and biblatex files begin with them.
    preambles: list[str] = field(default_factory=list)
    # @set and @xdata entries of imported .bib files: written back by the biblatex export
    # with the entries that use them.
    relations: list[RelationEntry] = field(default_factory=list)

    def section(self, name: str) -> Section | None:
        wanted = name.casefold()
        for section in self.sections:
            if section.name.casefold() == wanted or section.file.rsplit(".", 1)[0] == wanted:
                return section
        return None

    def ordered(self, sections: list[str] | None = None) -> list[tuple[Section, Entry]]:
        """(section, entry) pairs in list order; an entry is listed once, in its first
        section among those asked for. An entry `filed_under` another section than the
        list's comes at the end of that one instead."""
        seen: set[str] = set()
        out: list[tuple[Section, Entry]] = []
        wanted = {s.casefold() for s in sections} if sections else None
        filing = self.filing()
        for section in self.sections:
            if wanted is not None and section.name.casefold() not in wanted:
                continue
            for listing in filing[section.name]:
                if listing.key not in seen:
                    seen.add(listing.key)
                    out.append((section, self.entries[listing.key]))
        return out

    def filing(self) -> dict[str, list[Listing]]:
        """Section name -> the listings it holds in the bibliographies, in list order: its
        own but an entry's home listing when the entry is `filed_under` another section,
        then the home listings of entries filed under it from elsewhere."""
        filing: dict[str, list[Listing]] = {}
        moved: dict[str, list[Listing]] = {}  # section -> home listings filed under it
        for section in self.sections:
            kept = filing[section.name] = []
            for listing in section.listings:
                under = self.entries[listing.key].filed_under
                if listing.home and under not in (None, section.name):
                    moved.setdefault(under, []).append(listing)
                else:
                    kept.append(listing)
        # One pass each, with a set: a catalog may file tens of thousands of entries
        # elsewhere. A section that lists the entry itself (`see:`) keeps that place.
        for name, listings in moved.items():
            present = {listing.key for listing in filing[name]}
            filing[name].extend(listing for listing in listings if listing.key not in present)
        return filing

    def cited(self) -> list[Entry]:
        """The papers software entries ask to be cited by (their `cite_as`)."""
        return [entry.cite_as for entry in self.entries.values() if entry.cite_as]

    def keys_in_use(self) -> set[str]:
        """Every citation key: the entries' and the papers they ask to be cited by."""
        return set(self.entries) | {entry.key for entry in self.cited()}

    def refresh_sections(self) -> None:
        """Recompute every entry's `sections` from the listings."""
        for entry in self.entries.values():
            entry.sections = []
        for section in self.sections:
            for listing in section.listings:
                entry = self.entries[listing.key]
                if section.name not in entry.sections:
                    entry.sections.append(section.name)
        for entry in self.entries.values():
            if entry.filed_under:  # its home section is the list's mistake
                entry.sections = [entry.filed_under] + [
                    name for name in entry.sections[1:] if name != entry.filed_under]
            if entry.cite_as:
                entry.cite_as.sections = list(entry.sections)
