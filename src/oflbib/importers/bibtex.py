"""Read a .bib file (BibTeX or biblatex) into catalog entries, and merge them into a catalog.

`entry_from_fields` turns one parsed entry (its type, key, and fields as LaTeX text) into
a model entry, reading field names off the field table (`fields.py`): text is decoded with
`latex.latex_to_text`, names split as biber and pybtex split them, `and others` kept as
a flag, journal/booktitle matched to the venue table for articles and proceedings papers,
braced words the exporter would not brace by itself kept in `protect`. Nothing is
dropped: a field the table lacks, a value the catalog cannot hold as data (a DOI that is
no DOI, a non-arXiv eprint, a year that is no number) and the LaTeX of a value with math
are kept in `verbatim`, which the BibTeX writers write back as it was. Importing oflbib's
own output gives back the entries it was made from.

The parse itself (decoding, @string, `#`, crossref, comments...) is `importers.bibparse`'s;
every problem is a located `file:line: ...`, and a bad entry is skipped while the rest of
the file is imported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from bibtexparser.model import ExplicitComment

from oflbib import links
from oflbib.catalog import codec, schema
from oflbib.errors import Problem
from oflbib.exporters.bibtex import BIBTEX, CODE_LABEL, NO_DATE, NO_PUBLISHER, url_field
from oflbib.exporters.reference import derived_type, paper_links, to_reference
from oflbib.fields import (
    ARXIV_PATTERN, DOI_PATTERN, FIELD_NAME_PATTERN, KEY_PATTERN, TEXT, TYPE_ALIASES, TYPES,
    URL_PATTERN, Field, field_names,
)
from oflbib.importers import bibgroups, bibparse
from oflbib.importers.bibdate import EDTF, month_number, parse_date, plain
from oflbib.latex import MATH, latex_text, latex_title, latex_to_text
from oflbib.model import Entry, Person, Provenance, RelationEntry
from oflbib.venues import VENUES, canonical_publisher, lookup_venue

# Field name in either flavour -> its row of the field table (BibTeX's name wins).
KNOWN: dict[str, Field] = {**field_names("biblatex"), **field_names("bibtex")}
# Names other tools give a field of the table (documented normalisation).
FIELD_ALIASES = {"journaltitle": "journal", "annotation": "annote",
                 "location": "address", "archiveprefix": "eprinttype",
                 "primaryclass": "eprintclass"}
_URL_COMMAND = re.compile(r"^\\url\{(.*)\}$", re.S)
_URL_IN_TEXT = re.compile(r"\\url\{([^{}]*)\}")
# The BibTeX writer's code links in `note`: `Code: \url{..}, \url{..}`.
_CODE_NOTE = re.compile(re.escape(CODE_LABEL) + r"\\url\{[^{}]*\}(?:, \\url\{[^{}]*\})*")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.I)
_AND = re.compile(r"[{}]|\s+and\s+", re.I)
# Values pylatexenc would not give back as they were: math, and commands whose argument
# is not text (a URL, a sort key, a citation).
_KEEP_LATEX = re.compile(MATH.pattern + r"|\\(?:url|href|cite[a-z]*|noopsort|ref|path)\b")
# What a known field's value must be, for the note when it is not.
_WHAT = {"pages": "one page range", "year": "a year", "month": "a month",
         "date": "a biblatex date", "doi": "a DOI", "arxiv": "an arXiv id",
         "urls": "an http(s) URL"}


@dataclass
class BibEntry:
    """One entry of the file, converted, with where it came from and its keywords."""

    entry: Entry
    line: int
    keywords: list[str]
    path: str = ""
    keyless: bool = False  # the file gave no key: the key scheme names it
    # The sections the file itself files it under, home first (`bibgroups`): its
    # keywords in oflbib's own exports, its JabRef groups; none: the file names one.
    sections: list[str] = field(default_factory=list)


@dataclass
class BibFile:
    path: str
    entries: list[BibEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # each: something not imported
    notes: list[Problem] = field(default_factory=list)  # located remarks; nothing lost
    preambles: list[str] = field(default_factory=list)
    relations: list[RelationEntry] = field(default_factory=list)  # @set, @xdata
    ignored: Counter[str] = field(default_factory=Counter)  # kept verbatim: field -> entries
    # Types the table lacks (biblatex-apa's @nameonly): kept, read by others as @misc.
    unknown_types: Counter[str] = field(default_factory=Counter)


class BadValue(Exception):
    """One value of one entry the catalog cannot hold; becomes a located Problem."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def read_bibtex(paths: list[Path], string_files: list[Path] = (),
                progress: Callable[[int], None] | None = None) -> BibFile:
    """Parse .bib files (one import) through the `bibparse` pipeline and convert each
    entry. An entry that cannot be read or held is a located problem; the rest go on."""
    library = bibparse.parse_files(list(paths), list(string_files))
    return convert_library(library, progress)


def convert_library(library: bibparse.BibLibrary,
                    progress: Callable[[int], None] | None = None) -> BibFile:
    result = BibFile(", ".join(dict.fromkeys(bibparse.path_of(b) for b in library.blocks)),
                     problems=library.problems, notes=list(library.notes),
                     preambles=list(library.preambles), relations=list(library.relations))
    filing = _file_sections(library)
    for block in library.entries:
        path = bibparse.path_of(block)
        keyless = not block.key
        if keyless:
            block.key = "keyless"  # a placeholder: the key scheme names it when merged
        try:
            result.entries.append(_convert(block, path, result))
            result.entries[-1].keyless = keyless
            result.entries[-1].sections = _filed_under(result.entries[-1], filing[path])
        except BadValue as bad:
            result.problems.append(Problem(f"{block.key}: {bad}; skipped", path, bad.line))
        if progress:
            progress(1)
    _drop_topic_keywords(result.entries, filing)
    result.problems.sort(key=lambda p: (p.path or "", p.line or 0))
    return result


def _drop_topic_keywords(entries: list[BibEntry], filing: dict[str, bibgroups.FileSections]) \
        -> None:
    """In oflbib's biblatex export an entry's keywords are its sections, home first, then
    its own keywords (an ACM or IEEE file's topics), and no groups tell them apart: a
    keyword names a section when it is the home of some entry of that file (a section
    where every entry is listed from another one comes back as a keyword only)."""
    def by_keywords(item: BibEntry) -> bool:
        return filing[item.path].in_keywords and not filing[item.path].groups

    homes = {(item.path, item.keywords[0]) for item in entries
             if item.keywords and by_keywords(item)}
    for item in entries:
        if by_keywords(item):
            item.sections = [word for word in item.sections if (item.path, word) in homes]


def _file_sections(library: bibparse.BibLibrary) -> dict[str, bibgroups.FileSections]:
    """What each file's comments say about its sections."""
    comments: dict[str, list[str]] = {}
    for block in library.blocks:
        texts = comments.setdefault(bibparse.path_of(block), [])
        if isinstance(block, ExplicitComment):
            texts.append(block.comment)
    return {path: bibgroups.read_comments(texts) for path, texts in comments.items()}


def _filed_under(item: BibEntry, filing: bibgroups.FileSections) -> list[str]:
    own = bibgroups.entry_groups(item.entry.verbatim.get("groups", ""))
    grouped = list(dict.fromkeys([*filing.groups.get(item.entry.key, []), *own]))
    if filing.in_keywords and filing.groups:  # oflbib's BibTeX: the groups say which
        return [word for word in item.keywords if word in grouped]  # keywords, home first
    return item.keywords if filing.in_keywords else grouped


def parse_bibtex(text: str, path: str) -> BibFile:
    """One .bib text (tests, and callers that hold the text already)."""
    return convert_library(bibparse.parse_text(text, path))


# ---- one entry -------------------------------------------------------------------------

def _convert(block, path: str, stats: BibFile) -> BibEntry:
    """One bibtexparser entry block of the pipeline, converted."""
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    for item in block.fields:
        name = item.key.lower()
        fields.setdefault(name, str(item.value))
        lines.setdefault(name, item.start_line + 1)
    line = block.start_line + 1
    entry = entry_from_fields(block.entry_type, block.key, fields, lines, line, path, stats)
    return BibEntry(entry, line, entry_keywords(fields), path)


def entry_keywords(fields: dict[str, str]) -> list[str]:
    """The entry's keywords, as text."""
    text = latex_to_text(fields.get("keywords", ""))
    return [k.strip() for k in re.split(r"[,;]", text) if k.strip()]


def entry_from_fields(entry_type: str, key: str, fields: dict[str, str],
                      lines: dict[str, int], line: int, path: str,
                      stats: BibFile | None = None) -> Entry:
    """A model entry from one parsed entry: its type and key as written, its fields
    (lower-case name -> LaTeX text, @strings expanded, outer braces removed), the line of
    each field and of the `@`. Raises `BadValue` for what the catalog cannot hold at all
    (no title, a key with a space); anything else it cannot read as data is kept verbatim."""
    stats = stats if stats is not None else BibFile(path)
    if not re.match(schema.ENTRY["properties"]["key"]["pattern"], key):
        raise BadValue(f"key {key!r} cannot be a catalog key: it holds a space or one of "
                       "\"#%'(),={}\\", line)
    source_type = entry_type.lower()
    type_name = TYPE_ALIASES.get(source_type, source_type)
    lacked = type_name not in TYPES  # kept as given; its fields are read as a @misc's
    if lacked:
        stats.unknown_types[source_type] += 1
        type_name = "misc"
    reader = _Reader(fields, lines, line, Path(path).name)
    kind = "software" if TYPES[type_name].software else \
        {"online": "list"}.get(type_name, "paper")
    entry = Entry(key=key, kind=kind)
    reader.read_into(entry, type_name)
    if kind == "list" and entry.arxiv:  # @online with an eprint is an arXiv paper
        entry.kind = "paper"
    if entry.doi:  # the DOI's own link (the BibTeX writer's url for IEEEtran) is no news
        own = links.doi_url(entry.doi).lower()  # its `<` and `>` percent-encoded or not
        entry.urls = [u for u in entry.urls if unquote(u).lower() != own]
    located = [u for u in entry.urls if u not in reader.code_links]
    # A @misc located by its code repository: how the BibTeX writer writes software. It
    # stays a @misc in biblatex too (a type given is written back as given).
    if type_name == "misc" and not lacked and bool(located) and entry.container is None \
            and all(links.role(u) == links.CODE for u in located):
        entry.kind = "software"
    if entry.kind == "software" and not entry.organisation and len(entry.authors) == 1 \
            and entry.authors[0].literal:  # the exporter's author for an organisation
        entry.organisation, entry.authors = entry.authors[0].literal, []
    _place(entry, type_name)
    if lacked:
        entry.entry_type = source_type
    _keep_as_given(entry, reader)
    stats.ignored.update(name for name in entry.verbatim
                         if name not in KNOWN and name not in FIELD_ALIASES)
    stats.notes.extend(
        Problem(f"{key}: {name} {latex_to_text(entry.verbatim[name])!r} "
                f"{_why_untaken(reader, name, type_name)}; kept as written", path,
                lines.get(name, line))
        for name in entry.verbatim if name in KNOWN and name not in reader.taken)
    _check_schema(entry, line)
    return entry


def _why_untaken(reader: _Reader, name: str, type_name: str) -> str:
    """Why a field of the table stayed verbatim: another spelling of it came first, it
    names a venue this type does not take, or its value is not what the field holds."""
    row = KNOWN[name]
    other = next((written for written in reader.taken
                  if written != name and KNOWN.get(FIELD_ALIASES.get(written, written)) is row),
                 None)
    if name in ("journal", "booktitle"):
        return f"is not the venue of a @{type_name} (its {TYPES[type_name].container} is)" \
            if TYPES[type_name].container else f"is not the venue of a @{type_name}"
    if other is not None:
        return f"repeats what {other} gives"
    return f"is not {_WHAT.get(row.name, 'a value this field holds')}"


class _Reader:
    """One entry's fields, taken one by one into the model; what is not taken stays,
    under the name it was written with."""

    def __init__(self, fields: dict[str, str], lines: dict[str, int], line: int,
                 file: str) -> None:
        self.fields = fields
        self.lines = lines
        self.line = line
        self.file = file
        # The table's name for each field (`journaltitle` is `journal`), the first wins.
        self.named: dict[str, str] = {name: name for name in fields}
        for name in fields:
            self.named.setdefault(FIELD_ALIASES.get(name, name), name)
        self.taken: dict[str, str] = {}  # field name as written -> model field it went to
        self.dated = False  # year, month and date are read together, once
        self.code_links: list[str] = []  # from the BibTeX writer's "Code: \\url{..}" note

    def at(self, name: str) -> int:
        return self.lines.get(self.named.get(name, name), self.line)

    def raw(self, name: str) -> str | None:
        """The LaTeX of the field the table calls `name`, however it was written."""
        written = self.named.get(name)
        return self.fields[written] if written is not None else None

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        return (latex_to_text(value) or None) if value is not None else None

    def mark(self, name: str, model_field: str) -> None:
        """The field the table calls `name` went into `model_field`."""
        self.taken[self.named.get(name, name)] = model_field

    def read_into(self, entry: Entry, type_name: str) -> None:
        container_field = TYPES[type_name].container
        for name, written in self.named.items():
            raw = self.fields[written]
            row = KNOWN.get(name)
            if name in ("journal", "booktitle"):
                if name == container_field:
                    entry.container = self._text_value(entry, written, raw)
                    self.mark(name, "container")
                continue
            if row is None or written in self.taken:
                continue
            reader = _SPECIAL.get(row.name)
            if reader is not None:
                reader(self, entry, name, raw)
            elif row.value == TEXT and getattr(entry, row.name) is None:
                setattr(entry, row.name, self._text_value(entry, written, raw))
                self.mark(name, row.name)
        addendum = self.named.get("addendum")  # biblatex's place of the code links
        if addendum is not None:
            rest = self.without_code_links(self.fields[addendum])
            if rest != self.fields[addendum]:
                self.mark("addendum", "urls")
                if rest:
                    entry.verbatim[addendum] = rest
        entry.urls += [url for url in dict.fromkeys(self.code_links) if url not in entry.urls]
        for written, raw in self.fields.items():
            if written not in self.taken:
                entry.verbatim[written] = raw
        entry.protect = _protected(self.fields.get("title", ""), entry.title)
        entry.provenance = {
            model_field: Provenance(source=f"{self.file}:{self.lines.get(written, self.line)}",
                                    via="bibtex")
            for written, model_field in self.taken.items()}

    def without_code_links(self, raw: str) -> str:
        """`raw` but for the writer's `Code: \\url{..}` sentences, whose links are kept."""
        kept = []
        for part in raw.split(". "):
            if _CODE_NOTE.fullmatch(part):
                self.code_links += _URL_IN_TEXT.findall(part)
            else:
                kept.append(part)
        return ". ".join(kept)

    def _text_value(self, entry: Entry, name: str, raw: str) -> str | None:
        """The text of a value; its LaTeX too (in `verbatim`) when the text would not
        give it back."""
        if _KEEP_LATEX.search(raw):
            entry.verbatim[name] = raw
        return latex_to_text(raw) or None


def _read_names(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    people, others = _people(raw, reader.at(name))
    model_field = "authors" if name == "author" else "editors"
    setattr(entry, model_field, people)
    setattr(entry, f"{model_field}_others", others)
    reader.mark(name, model_field)


def _read_title(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    entry.title = reader._text_value(entry, name, raw) or ""
    reader.mark(name, "title")


def _read_dates(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    """`year`, `month` and `date` at once (one fact), read by `bibdate.parse_date`. A field
    the model gives back is taken; its LaTeX is kept too when it says more (a sort
    command, `January 1978`). An unreadable one stays verbatim, and is told."""
    if reader.dated:
        return
    reader.dated = True
    year, month, date = (reader.raw(field) for field in ("year", "month", "date"))
    found = parse_date(year, month, date)
    entry.year, entry.month, entry.date = found.year, found.month, found.date
    if date is not None and EDTF.match(plain(date, tie="")):
        reader.mark("date", "date")
    if year is not None and plain(year) == NO_DATE and found.year is None:
        reader.mark("year", "year")  # the BibTeX writer's own "no date"
    elif year is not None and (found.year is not None or found.date is not None):
        reader.mark("year", "year")
        if re.sub(r"[{}\s]", "", year) != str(found.year):  # a sort command says more
            entry.verbatim[reader.named["year"]] = year
    if month is not None and found.month is not None \
            and month_number(month) == found.month:
        reader.mark("month", "month")
        if not re.fullmatch(r"[A-Za-z]+\.?|\d{1,2}", plain(month)):
            entry.verbatim[reader.named["month"]] = month


def _read_pages(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    if not re.fullmatch(r"\s*[^-\u2013\u2014,;]+(?:\s*(?:--|-|\u2013|\u2014)\s*[^-\u2013\u2014,;]+)?\s*",
                        raw):
        return  # several ranges (`431--456, 791--823`): kept as written
    parts = [latex_to_text(p) for p in re.split(r"\s*(?:--|-|\u2013|\u2014)\s*", raw)]
    entry.pages = "--".join(p for p in parts if p) or None
    reader.mark(name, "pages")


def _read_doi(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    doi = re.sub(r"\\([_%&#$~])", r"\1", _DOI_PREFIX.sub("", raw.strip()))
    if re.match(DOI_PATTERN, doi):
        entry.doi = doi
        reader.mark(name, "doi")


def _read_eprint(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    """An arXiv id: eprint with archivePrefix or eprinttype arXiv, or neither (ADS and
    JabRef leave them out). Any other eprint stays verbatim, with its type."""
    if name != "eprint":
        return  # read with the eprint
    prefix = (reader.raw("eprinttype") or "arxiv").strip().lower()
    eprint = re.sub(r"v\d+$", "", _ARXIV_PREFIX.sub("", raw.strip()))
    if prefix != "arxiv" or not re.match(ARXIV_PATTERN, eprint):
        return
    entry.arxiv = eprint
    reader.mark(name, "arxiv")
    for written in ("eprinttype", "archiveprefix"):  # BibTeX's spelling, biblatex's, or both
        if reader.fields.get(written, "").strip().lower() == "arxiv":
            reader.taken[written] = "arxiv"
    for written in ("eprintclass", "primaryclass"):
        if written in reader.fields and written not in reader.taken:
            entry.arxiv_class = entry.arxiv_class or reader._text_value(
                entry, written, reader.fields[written])
            reader.taken[written] = "arxiv_class"


def _read_url(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    value = raw.strip()
    match = _URL_COMMAND.match(value)
    if name == "howpublished" and not match:
        entry.howpublished = reader._text_value(entry, name, raw)
        reader.mark(name, "howpublished")
        return
    url = _url_of(value)
    if re.match(URL_PATTERN, url) and url not in entry.urls:
        entry.urls.append(url)
        reader.mark(name, "urls")
        if name == "howpublished":
            entry.verbatim[name] = raw  # written back in this form


def _url_of(value: str) -> str:
    """The URL a url field or `\\url{..}` holds. (`\\_` and friends are LaTeX escapes in
    a URL outside \\url: the URL has `_`.)"""
    match = _URL_COMMAND.match(value.strip())
    return match.group(1).strip() if match else re.sub(r"\\([_%&#$~])", r"\1", value.strip())


def _read_words(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    entry.keywords = entry_keywords({"keywords": raw})
    reader.mark(name, "keywords")


def _read_ids(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    ids = [key.strip() for key in raw.split(",")]
    if all(re.match(KEY_PATTERN, key) for key in ids):
        entry.ids = [key for key in dict.fromkeys(ids) if key != entry.key]
        reader.mark(name, "ids")


def _read_note(reader: _Reader, entry: Entry, name: str, raw: str) -> None:
    """The user's note. What the BibTeX writer adds to it comes back where it came from:
    `arXiv:ID` (the entry's own eprint) and `Code: \\url{..}` (its code links)."""
    eprint = _ARXIV_PREFIX.sub("", (reader.raw("eprint") or "").strip())
    note = ". ".join(part for part in reader.without_code_links(raw).split(". ")
                     if not (eprint and part.strip() == f"arXiv:{eprint}"))
    entry.note = reader._text_value(entry, name, note) if note.strip() else None
    reader.mark(name, "note")


_SPECIAL = {"authors": _read_names, "editors": _read_names, "title": _read_title,
            "year": _read_dates, "month": _read_dates, "date": _read_dates,
            "pages": _read_pages, "doi": _read_doi, "arxiv": _read_eprint,
            "arxiv_class": _read_eprint, "urls": _read_url, "howpublished": _read_url,
            "keywords": _read_words, "ids": _read_ids, "note": _read_note}


def _people(value: str, line: int) -> tuple[list[Person], bool]:
    """Names as biber and pybtex read them: split at `and` outside braces, each into
    particle (von), family, suffix (Jr) and given names; a single braced name is an
    institution. A last name `others` is BibTeX's et al.: the flag."""
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    people, others = [], False
    names = _split_and(value)
    if names and names[-1].strip() == "others":
        names, others = names[:-1], True
    for name in names:
        extended = _extended_name(name)
        if extended is not None:
            people.append(extended)
            continue
        try:
            parts = parse_single_name_into_parts(name)
        except InvalidNameError as err:
            raise BadValue(f"author {name!r}: {err.reason}", line) from None
        if not (parts.first or parts.von or parts.jr) and len(parts.last) == 1 \
                and _one_group(parts.last[0]):
            people.append(Person(literal=latex_to_text(parts.last[0])))
        elif parts.last or parts.von:
            people.append(Person(family=latex_to_text(" ".join(parts.last)),
                                 given=latex_to_text(" ".join(parts.first)),
                                 particle=latex_to_text(" ".join(parts.von)),
                                 suffix=latex_to_text(" ".join(parts.jr))))
    return people, others


# biblatex's extended name format (`family=Kate, given=Warner, prefix=ten,
# useprefix=false`), which Better BibTeX writes for every name with a particle: the parts
# by name, and per-name options (useprefix, sortingnamekeytemplatename), which only
# change how biblatex sorts and prints the name.
_EXTENDED_PART = re.compile(r"^\s*([a-z]+(?:-i)?)\s*=\s*(.*?)\s*$", re.I | re.S)
_EXTENDED_NAMES = {"family": "family", "given": "given", "prefix": "particle",
                   "suffix": "suffix"}


def _extended_name(name: str) -> Person | None:
    """A name in biblatex's extended format as a Person, or None for any other name."""
    if "=" not in name:
        return None
    parts, depth, start = [], 0, 0
    for index, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(name[start:index])
            start = index + 1
    parts.append(name[start:])
    found: dict[str, str] = {}
    for part in parts:
        match = _EXTENDED_PART.match(part)
        if match is None:
            return None
        key, value = match.group(1).lower(), match.group(2)
        if key in _EXTENDED_NAMES:
            found[_EXTENDED_NAMES[key]] = latex_to_text(value)
    if not found.get("family"):
        return None
    return Person(**found)


def _split_and(value: str) -> list[str]:
    """Split at the word `and` outside braces (bibtexparser's own splitter loses a name's
    leading command, such as \\'Emile)."""
    names, depth, start = [], 0, 0
    for match in _AND.finditer(value):
        token = match.group()
        if token in "{}":
            depth += 1 if token == "{" else -1
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    return [n for n in names + [value[start:]] if n.strip()]


def _one_group(token: str) -> bool:
    """`{...}` whose first brace closes at the end: one unbreakable name."""
    if not (token.startswith("{") and token.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(token):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index == len(token) - 1
    return False


def _place(entry: Entry, type_name: str) -> None:
    """Venue, entry type and publisher such that the exporter writes them back as they
    were: an article's journal or a proceedings paper's booktitle is the venue of the
    table that the name is a name or tag of (and stays the container unless it is the
    name the table gives for that year); the type is kept unless the one derived from
    kind and venue is written the same in BibTeX and biblatex."""
    container = entry.container
    if container and type_name in ("article", "inproceedings"):
        for venue in VENUES.values():
            if container in (venue.name, venue.container(entry.year)) \
                    or lookup_venue(container) is venue \
                    or (entry.series is not None and entry.series == venue.series):
                entry.venue = venue.id
                if container == venue.container(entry.year):
                    entry.container = None  # the table gives exactly this name
                if entry.series == venue.series:
                    entry.series = None  # the table gives it
                break
    elif entry.arxiv and entry.kind == "paper" and type_name in ("misc", "online",
                                                                  "unpublished"):
        entry.venue = "arXiv"  # an entry with an eprint and no venue: the preprint itself
    derived = TYPES[derived_type(entry)]
    if not derived.bibtex == derived.biblatex == type_name:
        entry.entry_type = type_name
    publisher = entry.publisher
    entry.publisher = None
    reference = to_reference(entry)
    # Left out only when the writers write the venue table's same name in its place.
    if publisher != reference.publisher or reference.entry_type in NO_PUBLISHER:
        entry.publisher = publisher


def _keep_as_given(entry: Entry, reader: _Reader) -> None:
    """The user's url and publisher as written where the writers would write another:
    a url oflbib would not pick as the paper's (a code link, the DOI's own page) or would
    write as a @misc's howpublished, a publisher the writers spell canonically
    ("Association for Computing Machinery")."""
    url = reader.named.get("url")
    if url in reader.taken and (paper_links(entry)[0] != _url_of(reader.fields[url])
                                or url_field(to_reference(entry), BIBTEX) != "url"):
        entry.verbatim[url] = reader.fields[url]
    publisher = reader.named.get("publisher")
    if entry.publisher and canonical_publisher(entry.publisher) != entry.publisher:
        entry.verbatim[publisher] = reader.fields[publisher]


def _protected(raw_title: str, title: str) -> list[str]:
    """Words the title braces that the exporter would not brace by itself."""
    automatic = latex_title(title, [], keep_latin=True)
    wanted = []
    for group in _top_groups(raw_title):
        phrase = latex_to_text(group)
        words = phrase.split()
        if words and any("{" + latex_text(w, True) + "}" not in automatic for w in words):
            wanted.append(phrase)
    return list(dict.fromkeys(wanted))


def _top_groups(latex: str) -> list[str]:
    """Contents of the outermost `{...}` groups that are text, not a command's argument
    or an accent (`{\\'e}`)."""
    groups, depth, start = [], 0, 0
    for index, char in enumerate(latex):
        if char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            before = latex[max(0, start - 64):start]  # a command's name, if any
            escaped = before.endswith("\\") or re.search(r"\\[A-Za-z]+$", before)
            if depth == 0 and not escaped and not latex[start + 1:].startswith("\\"):
                groups.append(latex[start + 1:index])
    return groups


@lru_cache(maxsize=1)
def _entry_validator():
    from jsonschema import Draft7Validator

    return Draft7Validator(schema.ENTRY)


def _check_schema(entry: Entry, line: int) -> None:
    """The catalog loader's own schema: what would not load is never written."""
    bad_names = [name for name in entry.verbatim if not re.match(FIELD_NAME_PATTERN, name)]
    if bad_names:
        raise BadValue(f"field name {bad_names[0]!r} is not a BibTeX field name", line)
    errors = sorted(_entry_validator().iter_errors(codec.entry_to_data(entry)),
                    key=lambda e: list(map(str, e.path)))
    if errors:
        where = ".".join(map(str, errors[0].path)) or "entry"
        raise BadValue(f"{where}: {errors[0].message}", line)


