"""Read a .bib file (BibTeX or biblatex) into catalog entries, and merge them into a catalog.

The mapping is the inverse of `exporters/bibtex.py`: entry types and fields go back to the
model the way the exporters wrote them (booktitle/journal -> a venue of the venue table
or a container, `howpublished = {\\url{...}}` -> a URL, eprint + archivePrefix/eprinttype
-> an arXiv id, keywords -> sections), text is decoded with `latex.latex_to_text`, braced
words the exporter would not brace by itself become `protect`, and keys stay as given.
So importing oflbib's own biblatex output gives back the entries it was made from.

bibtexparser v2 splits the file; every problem (a block it could not parse, unbalanced
braces, a value the catalog cannot hold) is collected as `file:line: ...` and raised
together, before anything is written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable
from pathlib import Path

from oflbib import links
from oflbib.catalog import codec, schema
from oflbib.errors import Problem
from oflbib.importers import bibparse
from oflbib.importers.bibdate import parse_date
from oflbib.exporters.record import JOURNAL_ARTICLE, PREPRINT_PAPER, PROCEEDINGS_PAPER, to_record
from oflbib.latex import latex_text, latex_title, latex_to_text
from oflbib.model import Entry, Person, Provenance
from oflbib.venues import VENUES, lookup_venue

# Fields the exporters write, and `key`, which only sorts an author-less entry.
_KNOWN = {"author", "title", "booktitle", "journal", "journaltitle", "year", "date", "pages",
          "publisher", "organization", "volume", "number", "issue", "doi", "eprint",
          "archiveprefix", "eprinttype", "primaryclass", "eprintclass", "url", "howpublished",
          "keywords", "key", "ids", "note", "series"}
# bibtex type -> (kind, the record type the exporter writes it for)
_TYPES = {"inproceedings": ("paper", PROCEEDINGS_PAPER),
          "conference": ("paper", PROCEEDINGS_PAPER), "article": ("paper", JOURNAL_ARTICLE),
          "misc": ("paper", None), "unpublished": ("paper", None),
          "software": ("software", None), "online": ("list", None),
          "www": ("list", None)}
# model fact -> the fields it is read from, for provenance (`file.bib:line`)
_SOURCES = {"title": ("title",), "authors": ("author",), "year": ("year", "date"),
            "venue": ("booktitle", "journaltitle", "journal"), "pages": ("pages",),
            "publisher": ("publisher",), "doi": ("doi",), "arxiv": ("eprint",)}
_URL_COMMAND = re.compile(r"^\\url\{(.*)\}$", re.S)
_URL_IN_TEXT = re.compile(r"\\url\{([^{}]*)\}")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.I)
_AND = re.compile(r"[{}]|\s+and\s+", re.I)


@dataclass
class BibEntry:
    """One entry of the file, converted, with where it came from and its keywords."""

    entry: Entry
    line: int
    keywords: list[str]
    path: str = ""
    keyless: bool = False  # the file gave no key: the key scheme names it


@dataclass
class BibFile:
    path: str
    entries: list[BibEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # each: something not imported
    notes: list[Problem] = field(default_factory=list)  # located remarks; nothing lost
    preambles: list[str] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)  # field name -> entries
    retyped: Counter[str] = field(default_factory=Counter)  # @book etc. read as @misc


class _Bad(Exception):
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
                     preambles=list(library.preambles))
    for block in library.entries:
        path = bibparse.path_of(block)
        keyless = not block.key
        if keyless:
            block.key = "keyless"  # a placeholder: the key scheme names it when merged
        try:
            result.entries.append(_convert(block, path, result))
            result.entries[-1].keyless = keyless
        except _Bad as bad:
            result.problems.append(Problem(f"{block.key}: {bad}; skipped", path, bad.line))
        if progress:
            progress(1)
    result.problems.sort(key=lambda p: (p.path or "", p.line or 0))
    return result


def parse_bibtex(text: str, path: str) -> BibFile:
    """One .bib text (tests, and callers that hold the text already)."""
    return convert_library(bibparse.parse_text(text, path))


# ---- one entry -------------------------------------------------------------------------

def _convert(block, path: str, stats: BibFile) -> BibEntry:
    line = block.start_line + 1
    fields = {f.key.lower(): f for f in block.fields}
    stats.ignored.update(name for name in fields if name not in _KNOWN)
    source_type = block.entry_type.lower()
    kind, wanted_type = _TYPES.get(source_type, ("paper", None))
    if source_type not in _TYPES:
        stats.retyped[source_type] += 1

    def text(name: str) -> str | None:
        value = fields.get(name)
        return (latex_to_text(str(value.value)) or None) if value else None

    def at(name: str) -> int:
        return fields[name].start_line + 1 if name in fields else line

    raw_title = str(fields["title"].value) if "title" in fields else ""
    title = latex_to_text(raw_title)
    if not title:
        raise _Bad("entry has no title", at("title"))
    entry = Entry(key=block.key, kind=kind, title=title,
                  authors=_people(str(fields["author"].value), at("author"), stats)
                  if "author" in fields else [],
                  year=_year(fields, stats),
                  publisher=text("publisher"), organisation=text("organization"),
                  volume=text("volume"), number=text("number") or text("issue"),
                  pages=_pages(fields["pages"].value) if "pages" in fields else None,
                  doi=_doi(fields), arxiv=_arxiv(fields), urls=_urls(fields),
                  arxiv_class=text("primaryclass") or text("eprintclass"))
    entry.ids = [k.strip() for k in str(fields["ids"].value if "ids" in fields else "").split(",")
                 if k.strip() and k.strip() != entry.key]
    if kind == "list" and entry.arxiv:  # @online with an eprint is an arXiv paper
        entry.kind = "paper"
    if entry.doi:  # the DOI's own link (the BibTeX exporter's url for IEEEtran) is no news
        entry.urls = [u for u in entry.urls if u.lower() != links.doi_url(entry.doi).lower()]
    located = [u for u in entry.urls if u in _urls(fields, with_note=False)]
    if source_type == "misc" and located and not any(
            n in fields for n in ("booktitle", "journal", "journaltitle")) \
            and all(links.role(u) == links.CODE for u in located):
        entry.kind = "software"  # a @misc located by its code repository
    if entry.kind == "software" and not entry.organisation and len(entry.authors) == 1 \
            and entry.authors[0].literal:  # the exporter's author for an organisation
        entry.organisation, entry.authors = entry.authors[0].literal, []
    _place(entry, text("booktitle") or text("journaltitle") or text("journal"), wanted_type,
           text("series"))
    entry.protect = _protected(raw_title, title)
    entry.provenance = {
        fact: Provenance(source=f"{Path(path).name}:{at(next(n for n in names if n in fields))}",
                         via="bibtex")
        for fact, names in _SOURCES.items() if any(n in fields for n in names)}
    _check_schema(entry, line)
    keywords = [k.strip() for k in re.split(r"[,;]", text("keywords") or "") if k.strip()]
    return BibEntry(entry, line, keywords, path)


def _people(value: str, line: int, stats: BibFile) -> list[Person]:
    """Names as BibTeX reads them: split at `and` outside braces, each into its parts."""
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    people = []
    for name in _split_and(value):
        if name.strip().lower() == "others":
            stats.ignored["author 'and others'"] += 1  # BibTeX's et al.: no one to list
            continue
        try:
            parts = parse_single_name_into_parts(name)
        except InvalidNameError as err:
            raise _Bad(f"author {name!r}: {err.reason}", line) from None
        family = " ".join(parts.von + parts.last + parts.jr)
        if not (parts.first or parts.von or parts.jr) and len(parts.last) == 1 \
                and _one_group(parts.last[0]):
            people.append(Person(literal=latex_to_text(parts.last[0])))
        elif family:
            people.append(Person(family=latex_to_text(family),
                                 given=latex_to_text(" ".join(parts.first))))
    return people


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


def _year(fields: dict, stats: BibFile) -> int | None:
    def raw(name: str) -> str | None:
        return str(fields[name].value) if name in fields else None

    date = parse_date(raw("year"), raw("month"), raw("date"))
    if date.year is None and (raw("year") or raw("date")):
        stats.ignored["year (not a year)"] += 1
    return date.year


def _pages(value: object) -> str:
    parts = [latex_to_text(p) for p in re.split(r"\s*(?:--|-|\u2013|\u2014)\s*", str(value))]
    return "--".join(p for p in parts if p)


def _doi(fields: dict) -> str | None:
    if "doi" not in fields:
        return None
    doi = _DOI_PREFIX.sub("", str(fields["doi"].value).strip())
    if not re.match(schema.ENTRY["properties"]["doi"]["pattern"], doi):
        raise _Bad(f"doi {doi!r} is not a DOI (10.NNNN/...)", fields["doi"].start_line + 1)
    return doi


def _arxiv(fields: dict) -> str | None:
    if "eprint" not in fields:
        return None
    # ADS and JabRef write an arXiv `eprint` without archivePrefix: arXiv is the default.
    given = fields.get("archiveprefix") or fields.get("eprinttype")
    prefix = str(given.value) if given else "arxiv"
    if prefix.strip().lower() != "arxiv":
        raise _Bad(f"eprint of {prefix!r} is not an arXiv id; only arXiv is kept",
                   fields["eprint"].start_line + 1)
    eprint = re.sub(r"v\d+$", "", _ARXIV_PREFIX.sub("", str(fields["eprint"].value).strip()))
    if not re.match(schema.ENTRY["properties"]["arxiv"]["pattern"], eprint):
        raise _Bad(f"eprint {eprint!r} is not an arXiv id", fields["eprint"].start_line + 1)
    return eprint


def _urls(fields: dict, with_note: bool = True) -> list[str]:
    """The entry's links: `url`, a `howpublished` URL, and the code links the exporters
    label in `note` ("Code: \\url{...}")."""
    urls = []
    if "note" in fields and with_note:
        code = str(fields["note"].value).partition("Code: ")[2]
        urls += [u.strip() for u in _URL_IN_TEXT.findall(code)]
    for name in ("url", "howpublished"):
        if name not in fields:
            continue
        value = str(fields[name].value).strip()
        match = _URL_COMMAND.match(value)
        if name == "howpublished" and not match:
            continue  # free text such as "Online"; no URL in it
        url = match.group(1).strip() if match else value
        if not re.match(r"^https?://\S+$", url):
            raise _Bad(f"{name} {url!r} must be an http:// or https:// URL",
                       fields[name].start_line + 1)
        urls.append(url)
    return list(dict.fromkeys(urls))


def _place(entry: Entry, container: str | None, wanted_type: str | None,
           series: str | None = None) -> None:
    """Venue, container, entry type and publisher such that the exporter writes them back
    as they were: the venue of the table that the name is a name or tag of (or whose book
    series it names), and the name itself as container unless it is the one the table
    gives for that year."""
    if container:
        entry.container = container
        for venue in VENUES.values():
            if container in (venue.name, venue.container(entry.year)) \
                    or lookup_venue(container) is venue \
                    or (series is not None and series == venue.series):
                entry.venue = venue.id
                if container == venue.container(entry.year):
                    entry.container = None  # the table gives exactly this name
                break
    elif entry.arxiv and entry.kind == "paper" and wanted_type is None:
        entry.venue = "arXiv"  # @misc/@online with an eprint: the preprint itself
    if entry.kind == "paper":
        wanted_type = wanted_type or (PREPRINT_PAPER if entry.arxiv else "paper")
        if to_record(entry).type != wanted_type:
            entry.entry_type = {PROCEEDINGS_PAPER: "inproceedings",
                                JOURNAL_ARTICLE: "article"}.get(wanted_type, "misc")
    publisher = entry.publisher
    entry.publisher = None
    if publisher != to_record(entry).publisher:
        entry.publisher = publisher


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
    errors = sorted(_entry_validator().iter_errors(codec.entry_to_data(entry)),
                    key=lambda e: list(map(str, e.path)))
    if errors:
        where = ".".join(map(str, errors[0].path)) or "entry"
        raise _Bad(f"{where}: {errors[0].message}", line)
