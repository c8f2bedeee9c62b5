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

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from oflbib.catalog import codec, schema, yamlfiles
from oflbib.catalog.store import new_section_file
from oflbib.errors import OflbibError, Problem
from oflbib.exporters.record import JOURNAL_ARTICLE, PREPRINT_PAPER, PROCEEDINGS_PAPER, to_record
from oflbib.latex import latex_text, latex_title, latex_to_text
from oflbib.model import Block, Catalog, Entry, Listing, Person, Provenance, Section
from oflbib.text import norm_title
from oflbib.venues import VENUES, lookup_venue

# Fields the exporters write, and `key`, which only sorts an author-less entry.
_KNOWN = {"author", "title", "booktitle", "journal", "journaltitle", "year", "date", "pages",
          "publisher", "organization", "volume", "number", "issue", "doi", "eprint",
          "archiveprefix", "eprinttype", "primaryclass", "eprintclass", "url", "howpublished",
          "keywords", "key"}
# bibtex type -> (kind, the record type the exporter writes it for)
_TYPES = {"inproceedings": ("paper", PROCEEDINGS_PAPER),
          "conference": ("paper", PROCEEDINGS_PAPER), "article": ("paper", JOURNAL_ARTICLE),
          "misc": ("paper", None), "software": ("software", None), "online": ("list", None),
          "www": ("list", None)}
# model fact -> the fields it is read from, for provenance (`file.bib:line`)
_SOURCES = {"title": ("title",), "authors": ("author",), "year": ("year", "date"),
            "venue": ("booktitle", "journaltitle", "journal"), "pages": ("pages",),
            "publisher": ("publisher",), "doi": ("doi",), "arxiv": ("eprint",)}
_URL_COMMAND = re.compile(r"^\\url\{(.*)\}$", re.S)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.I)
_AND = re.compile(r"[{}]|\s+and\s+", re.I)
# bibtexparser logs each block it cannot parse; we report them ourselves, located.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())


@dataclass
class BibEntry:
    """One entry of the file, converted, with where it came from and its keywords."""

    entry: Entry
    line: int
    keywords: list[str]


@dataclass
class BibFile:
    path: str
    entries: list[BibEntry] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)  # field name -> entries
    retyped: Counter[str] = field(default_factory=Counter)  # @book etc. read as @misc


class _Bad(Exception):
    """One value of one entry the catalog cannot hold; becomes a located Problem."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def read_bibtex(path: Path) -> BibFile:
    """Parse a .bib file; every problem is raised at once as `path:line: ...`."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None
    return parse_bibtex(yamlfiles.decode(raw, str(path)), str(path))


def parse_bibtex(text: str, path: str) -> BibFile:
    import bibtexparser
    from bibtexparser.model import ImplicitComment

    library = bibtexparser.parse_string(text)
    problems = [Problem(_failure(block), path, (block.start_line or 0) + 1)
                for block in library.failed_blocks]
    problems += [Problem("text with `}` outside any entry: a brace closed the entry before "
                         "it, or has no `{`", path, block.start_line + 1)
                 for block in library.comments
                 if isinstance(block, ImplicitComment) and "}" in block.comment]
    result = BibFile(path)
    for block in library.entries:
        try:
            result.entries.append(_convert(block, path, result))
        except _Bad as bad:
            problems.append(Problem(f"{block.key}: {bad}", path, bad.line))
    if problems:
        raise OflbibError(sorted(problems, key=lambda p: p.line or 0))
    return result


def _failure(block) -> str:
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    if "Duplicate entry key" in reason:
        return f"{reason.rstrip('.')} (each key once)"
    return f"cannot read this entry: {reason.strip()} (unbalanced braces or quotes?)"


# ---- one entry -------------------------------------------------------------------------

def _convert(block, path: str, stats: BibFile) -> BibEntry:
    line = block.start_line + 1
    if not re.match(schema.ENTRY["properties"]["key"]["pattern"], block.key):
        raise _Bad(f"key {block.key!r} cannot be a catalog key: a letter, then letters, "
                   "digits and _:.+- only", line)
    fields = {f.key.lower(): f for f in block.fields}
    for name, value in fields.items():
        if name in _KNOWN and value.enclosing == "no-enclosing" and not str(value.value).isdigit():
            raise _Bad(f"{name} uses an undefined @string or a `#` concatenation: "
                       f"{value.value!r}", value.start_line + 1)
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
                  year=_year(text("year") or text("date"), at("year") if "year" in fields
                             else at("date")),
                  publisher=text("publisher"), organisation=text("organization"),
                  volume=text("volume"), number=text("number") or text("issue"),
                  pages=_pages(fields["pages"].value) if "pages" in fields else None,
                  doi=_doi(fields), arxiv=_arxiv(fields), urls=_urls(fields),
                  arxiv_class=text("primaryclass") or text("eprintclass"))
    if kind == "list" and entry.arxiv:  # @online with an eprint is an arXiv paper
        entry.kind = "paper"
    if entry.kind == "software" and not entry.organisation and len(entry.authors) == 1 \
            and entry.authors[0].literal:  # the exporter's author for an organisation
        entry.organisation, entry.authors = entry.authors[0].literal, []
    _place(entry, text("booktitle") or text("journaltitle") or text("journal"), wanted_type)
    entry.protect = _protected(raw_title, title)
    entry.provenance = {
        fact: Provenance(source=f"{Path(path).name}:{at(next(n for n in names if n in fields))}",
                         via="bibtex")
        for fact, names in _SOURCES.items() if any(n in fields for n in names)}
    _check_schema(entry, line)
    keywords = [k.strip() for k in re.split(r"[,;]", text("keywords") or "") if k.strip()]
    return BibEntry(entry, line, keywords)


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


def _year(value: str | None, line: int) -> int | None:
    if not value:
        return None
    match = re.match(r"^\s*(\d{4})\b", value)
    if not match or not 1000 <= int(match.group(1)) <= 2999:
        raise _Bad(f"year {value!r} is not a year", line)
    return int(match.group(1))


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
    prefix = str(fields.get("archiveprefix", fields.get("eprinttype", "arxiv")).value)
    if prefix.strip().lower() != "arxiv":
        raise _Bad(f"eprint of {prefix!r} is not an arXiv id; only arXiv is kept",
                   fields["eprint"].start_line + 1)
    eprint = re.sub(r"v\d+$", "", _ARXIV_PREFIX.sub("", str(fields["eprint"].value).strip()))
    if not re.match(schema.ENTRY["properties"]["arxiv"]["pattern"], eprint):
        raise _Bad(f"eprint {eprint!r} is not an arXiv id", fields["eprint"].start_line + 1)
    return eprint


def _urls(fields: dict) -> list[str]:
    urls = []
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


def _place(entry: Entry, container: str | None, wanted_type: str | None) -> None:
    """Venue, container, entry type and publisher such that the exporter writes them back
    as they were: the venue of the table that the name is a name or tag of, and the name
    itself as container unless it is the one the table gives for that year."""
    if container:
        entry.container = container
        for venue in VENUES.values():
            names = {venue.name, *(e.name for e in venue.editions.values())}
            if container in names or lookup_venue(container) is venue:
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


# ---- merging into a catalog ------------------------------------------------------------

@dataclass
class BibImportReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # key, existing, why
    new_sections: list[str] = field(default_factory=list)


def _same_paper(entry: Entry, other: Entry) -> str | None:
    """Why two entries are the same paper (title, DOI or arXiv id), or None."""
    if norm_title(entry.title) == norm_title(other.title):
        return "same title"
    if entry.doi and entry.doi.lower() == (other.doi or "").lower():
        return "same DOI"
    if entry.arxiv and entry.arxiv == other.arxiv:
        return "same arXiv id"
    return None


def merge_bibtex(catalog: Catalog, bib: BibFile, section: str | None) -> BibImportReport:
    """Add the file's entries to `catalog` in place. Each goes to `section` (created when
    missing) or, without one, to the section its first keyword names; other keywords that
    name sections list it there too. Entries the catalog already has are skipped and
    reported. A key that already names another paper is an error: keys are kept as given."""
    report = BibImportReport()
    problems = []
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
    existing = {**catalog.entries, **{cited.key: cited for cited in catalog.cited()}}
    for item in bib.entries:
        entry = item.entry
        taken = existing.get(entry.key)
        if taken is not None and _same_paper(entry, taken) is None:
            problems.append(Problem(f"key '{entry.key}' already names another entry "
                                    f"('{taken.title}'); keys are kept as given, so rename "
                                    "one of them", bib.path, item.line))
            continue
        known = taken or next((e for e in existing.values() if _same_paper(entry, e)), None)
        if known is not None:
            report.duplicates.append((entry.key, known.key, _same_paper(entry, known) or ""))
            continue
        homes = [section] if section else item.keywords[:1]
        if not homes:
            problems.append(Problem(f"{entry.key}: no section to put it in: give --section, "
                                    "or keywords naming one", bib.path, item.line))
            continue
        catalog.entries[entry.key] = existing[entry.key] = entry
        report.added.append(entry.key)
        section_named(homes[0]).listings.append(Listing(entry.key))
        also.append((entry.key, [k for k in item.keywords if k != homes[0]
                                 and (section is None or catalog.section(k))]))
    if problems:
        raise OflbibError(problems)
    # Other sections after every home one, so sections keep the file's order.
    for key, names in also:
        for name in dict.fromkeys(names):
            section_named(name).listings.append(Listing(key, home=False))
    catalog.refresh_sections()
    return report
