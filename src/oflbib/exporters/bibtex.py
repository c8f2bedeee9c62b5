r"""BibTeX (natbib/plainnat, IEEEtran) and biblatex (biber) writers.

Both flavours share entry layout, escaping (`latex.py`) and section grouping; they differ
where the tools differ: entry types for software, eprint spelling, dates, UTF-8.
The BibTeX file ends with JabRef groups in the legacy form Zotero turns into collections.

Locators, and why: an arXiv-only paper is `@unpublished` (Zotero imports it as a
manuscript, not a web page or a "document") with `eprint` + `archivePrefix` (natbib,
arXiv's own export) + `eprinttype` (biblatex, and the only spelling Zotero's importer
reads), and in BibTeX a visible `note = {arXiv:ID}`, since plainnat and IEEEtran print
no eprint. A paper's URL is its landing page, left out when the DOI links it (BibTeX
still gives the doi.org link as `url`: IEEEtran prints no `doi`). Its code repository
goes in `note` as "Code: \url{...}", never in `url`. An undated entry says
`year = {n.d.}` in BibTeX, so author-year citations read "Google (n.d.)", not "Google ()".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from oflbib import links
from oflbib.latex import latex_text, latex_title
from oflbib.exporters.record import (
    JOURNAL_ARTICLE, LIST, PREPRINT_PAPER, PROCEEDINGS_PAPER, SOFTWARE, Group, Record,
)

NO_DATE = "n.d."
CODE_LABEL = "Code: "
from oflbib.model import Person
from oflbib.text import visible

BIBTEX = "bibtex"
BIBLATEX = "biblatex"


# What a URL keeps as it is: RFC 3986's unreserved and reserved characters and `%`
# (already percent-encoded text), plus every non-ASCII character (an IRI reads as
# written). All else is percent-encoded (RFC 3986 allows nothing else anyway): braces and
# backslashes would end the field or start a command, spaces would break the entry, and
# `^` is TeX's `^^5c` notation, which turns into any character, a backslash included,
# while the url package and hyperref read the URL.
_URL_KEEPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                       "-._~:/?#[]@!$&'()*+,;=%")


def _url(url: str) -> str:
    """A URL or DOI as written in a .bib file: not escaped (the url package reads it raw),
    so anything TeX could read as markup is percent-encoded instead."""
    url = visible(url)
    if all(c in _URL_KEEPS for c in url):
        return url
    return "".join(c if c in _URL_KEEPS or not c.isascii()
                   else "".join(f"%{b:02X}" for b in c.encode()) for c in url)


def _name(person: Person, keep_latin: bool) -> str:
    if person.literal:
        return "{" + latex_text(person.literal, keep_latin) + "}"  # an institution: one name
    family = _name_part(person.family, keep_latin)
    if not person.given:
        return "{" + family + "}"
    return f"{family}, {_name_part(person.given, keep_latin)}"


def _name_part(text: str, keep_latin: bool) -> str:
    """A family or given name; braced when BibTeX would split it at a comma or at `and`
    (another author), either of which would turn one name into two. So is a name with a
    word that starts with a command (`\\&`, `\\%`): bibtexparser v2 cuts such a word off
    the name, or its backslash."""
    latex = latex_text(text, keep_latin)
    if " and " in f" {latex.lower()} " or "," in latex or _COMMAND_WORD.search(latex):
        return "{" + latex + "}"
    return latex


_COMMAND_WORD = re.compile(r"(?:^| )\\")


def entry_type(record: Record, flavour: str) -> str:
    if record.type == PROCEEDINGS_PAPER:
        return "inproceedings"
    if record.type == JOURNAL_ARTICLE:
        return "article"
    if record.type == PREPRINT_PAPER and record.arxiv:  # an arXiv id says what it is
        return "unpublished"
    if flavour == BIBLATEX:
        if record.type == SOFTWARE:
            return "software"
        if record.type == LIST:
            return "online"
    return "misc"


def code_note(record: Record) -> str | None:
    """The labelled place of a paper's code links."""
    if not record.code_urls:
        return None
    links = ", ".join(r"\url{" + _url(u) + "}" for u in record.code_urls)
    return CODE_LABEL + links


def entry_fields(record: Record, flavour: str) -> list[tuple[str, str]]:
    """(field, value) pairs in print order, values already escaped and braced-ready."""
    keep_latin = flavour == BIBLATEX
    kind = entry_type(record, flavour)
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str | int | None, escape: bool = True) -> None:
        if value is None or value == "":
            return
        text = str(value)
        fields.append((name, latex_text(text, keep_latin) if escape else text))

    if record.authors:
        fields.append(("author", " and ".join(_name(a, keep_latin) for a in record.authors)))
    fields.append(("title", latex_title(record.title, record.protect, keep_latin)))
    if kind == "inproceedings":
        add("booktitle", record.container)
        add("series", record.series)
        add("volume", record.volume)
    elif kind == "article":
        add("journal", record.container)
        add("volume", record.volume)
        add("number", record.number)
    if flavour == BIBLATEX:
        add("date", record.year)
    else:
        add("year", record.year or NO_DATE)
    if record.first_page:
        pages = [latex_text(p) for p in (record.first_page, record.last_page) if p]
        fields.append(("pages", "--".join(pages)))
    if kind != "article" or flavour == BIBTEX:  # biber rejects publisher in @article
        if record.type not in (SOFTWARE, LIST) and record.type != PREPRINT_PAPER:
            add("publisher", record.publisher)
    if record.type == SOFTWARE and flavour == BIBLATEX and record.organisation \
            and record.authors and record.authors[0].literal != record.organisation:
        add("organization", record.organisation)
    # A DOI is verbatim for biber and \doi, but a brace or backslash in it (the schema
    # allows any non-space) must not end the field: encoded like a URL's.
    add("doi", _url(record.doi) if record.doi else None, escape=False)
    if record.arxiv:
        add("eprint", record.arxiv, escape=False)
        if flavour == BIBLATEX:
            add("eprinttype", "arxiv")
            add("eprintclass", record.arxiv_class)
        else:
            add("archiveprefix", "arXiv")
            add("eprinttype", "arxiv")
            add("primaryclass", record.arxiv_class)
    url = record.url
    if flavour == BIBTEX and record.doi and not url:
        url = links.doi_url(record.doi)  # IEEEtran prints no `doi`: its only locator
    if url:
        if kind == "misc" and flavour == BIBTEX:
            fields.append(("howpublished", r"\url{" + _url(url) + "}"))
        else:
            fields.append(("url", _url(url)))
    notes = [code_note(record)]
    if kind == "unpublished" and flavour == BIBTEX:
        notes.insert(0, f"arXiv:{record.arxiv}")  # what plainnat and IEEEtran show
    if any(notes):
        fields.append(("note", ". ".join(n for n in notes if n)))
    # An author-less entry gets no `key`: plainnat prints `key` in the author's place,
    # which for a list would be its title a second time.
    if record.sections:
        add("keywords", ", ".join(record.sections))
    # Keys of duplicates merged into this entry: biber cites it by any of them; BibTeX
    # ignores the field, which still tells the reader.
    add("ids", ", ".join(record.entry.ids), escape=False)
    return fields


def format_entry(record: Record, flavour: str) -> str:
    fields = entry_fields(record, flavour)
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{entry_type(record, flavour)}{{{record.key},\n{body}\n}}\n"


def _comment_text(text: str) -> str:
    """Text safe inside @comment{...}: one line, no braces, no backslashes (parsers read
    `\\}` as an escaped brace, so a name ending in one would swallow the file) and no `@`
    (BibTeX skips only the word @comment, and reads `@misc(...` after it as an entry)."""
    return (visible(text).replace("{", "(").replace("}", ")").replace("\\", "/")
            .replace("@", "(at)"))


def jabref_groups(groups: list[Group]) -> str:
    """JabRef's legacy groups tree; Zotero's BibTeX import makes one collection each."""

    def escape(value: str) -> str:
        return _comment_text(value).replace(";", "\\;")

    lines = ["@comment{jabref-meta: groupsversion:3;}", "", "@comment{jabref-meta: groupstree:",
             "0 AllEntriesGroup:;"]
    for group in groups:
        keys = "".join(f"{escape(r.key)}\\;" for r in group.records)
        lines.append(f"1 ExplicitGroup:{escape(group.section)}\\;0\\;{keys};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _chunks(groups: list[Group], flavour: str, banner: str) -> Iterator[str]:
    yield f"@comment{{{_comment_text(banner)}}}\n"
    for group in groups:
        yield f"\n@comment{{Section: {_comment_text(group.section)}}}\n"
        for record in group.records:
            yield "\n" + format_entry(record, flavour)
    if flavour == BIBTEX and groups:
        yield "\n" + jabref_groups(_membership(groups))


def _membership(groups: list[Group]) -> list[Group]:
    """Every section with every entry it lists, for the groups tree."""
    by_section: dict[str, list[Record]] = {}
    # Equal records have equal keys, so a record is compared only with those sharing its
    # section and key: linear in the entries, where one list per section was quadratic.
    same_key: dict[tuple[str, str], list[Record]] = {}
    for group in groups:
        for record in group.records:
            for section in record.sections or [group.section]:
                members = by_section.setdefault(section, [])
                seen = same_key.setdefault((section, record.key), [])
                if record not in seen:
                    seen.append(record)
                    members.append(record)
    return [Group(g.section, by_section.get(g.section, [])) for g in groups]


def bibtex_chunks(groups: list[Group]) -> Iterator[str]:
    """BibTeX for natbib/plainnat and IEEEtran users (pure ASCII LaTeX), entry by entry."""
    return _chunks(groups, BIBTEX, "BibTeX written by oflbib from the OpenFederatedLearning "
                   "catalog; sections are JabRef groups and keywords")


def biblatex_chunks(groups: list[Group]) -> Iterator[str]:
    """biblatex data for biber (UTF-8 Latin letters, @software/@online, eprinttype)."""
    return _chunks(groups, BIBLATEX, "biblatex data written by oflbib from the "
                   "OpenFederatedLearning catalog; sections are keywords")
