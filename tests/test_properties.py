"""Round-trip properties: whatever text a catalog holds, every format carries it unchanged.

Each property builds catalogs with hostile text in every free-text field (arbitrary
Unicode, control characters, TeX specials and commands, unbalanced braces, record
terminators of other formats, right-to-left text, emoji, very long values), writes them
in one format and reads the file back with a real consumer's parser: bibtexparser v2 +
`latex_to_text` for BibTeX and biblatex, json + the CSL schema for CSL-JSON, rispy for
RIS, oflbib's own importer for Markdown, and the catalog loader for the YAML files.
"Unchanged" is `strategies.reads_as`: the same text up to NFC, controls read as spaces,
invisible format characters dropped, and whitespace runs folded.
"""

from __future__ import annotations

import json
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from hypothesis import assume, given

from oflbib import links
from oflbib.catalog.store import load_catalog, save_catalog
from oflbib.exporters import render
from oflbib.exporters.bibtex import entry_fields, entry_type
from oflbib.exporters.reference import Reference, groups, to_reference
from oflbib.importers.bibtex import parse_bibtex
from oflbib.importers.markdown import parse_markdown, repair_mojibake
from oflbib.latex import latex_to_text
from oflbib.model import Block, Catalog, Entry, Listing, Person, Section
from oflbib.text import clean_url, unique
from oflbib.venues import lookup_venue
from tests.conftest import FIXTURES
from tests.strategies import catalogs, reads_as, words


def records(catalog) -> list[Reference]:
    return [record for group in groups(catalog) for record in group.references]


def same(got: str | None, want: str | None) -> None:
    assert reads_as(got or "") == reads_as(want or ""), (got, want)


def same_url(got: str, want: str) -> None:
    """URLs and DOIs compare as a resolver reads them: percent-encoding aside."""
    assert unquote(reads_as(got)) == unquote(reads_as(want)), (got, want)


# ---- BibTeX and biblatex ---------------------------------------------------------------

def parse_bib(text: str) -> dict[str, bibtexparser.model.Entry]:
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {entry.key: entry for entry in library.entries}


def name_of(parts) -> Person:
    """A parsed BibTeX name as the model's Person: one braced group is an institution."""
    assert parts.jr == [], parts  # a stray comma would have made a third part
    family = " ".join(parts.von + parts.last)
    if not parts.first and not parts.von and len(parts.last) == 1 \
            and family.startswith("{") and family.endswith("}"):
        return Person(literal=latex_to_text(family))
    return Person(family=latex_to_text(family), given=latex_to_text(" ".join(parts.first)))


def same_person(got: Person, want: Person) -> None:
    if want.literal or not want.given:  # written as one braced name either way
        same(got.literal, want.literal or want.family)
    else:
        same(got.family, want.family)
        same(got.given, want.given)


def unbraced(value: str) -> str:
    return value.removeprefix("\\url{").removesuffix("}")


def check_bib_entry(entry, record: Reference, flavour: str) -> None:
    same(latex_to_text(entry["title"]), record.title)
    authors = entry.get("author")
    got = authors.value if authors else []
    assert len(got) == len(record.authors), (got, record.authors)
    for parts, person in zip(got, record.authors):
        same_person(name_of(parts), person)
    for name in ("booktitle", "journal"):
        if name in entry:
            same(latex_to_text(entry[name]), record.container)
    for name, want in (("publisher", record.publisher), ("volume", record.volume),
                       ("number", record.number)):
        if name in entry:
            same(latex_to_text(entry[name]), want)
    if record.first_page:
        pages = entry["pages"].split("--")
        assert [reads_as(latex_to_text(p)) for p in pages] == [
            reads_as(p) for p in (record.first_page, record.last_page) if p]
    if record.doi:
        same_url(entry["doi"], record.doi)
    url = entry.get("url") or entry.get("howpublished")
    if record.url:
        same_url(unbraced(url.value), record.url)
    assert entry.get("eprint", None) is None or entry["eprint"] == record.arxiv
    year = entry.get("date" if flavour == "biblatex" else "year")
    undated = "n.d." if flavour == "bibtex" else None
    assert (year.value if year else None) == (str(record.year) if record.year else undated)
    if record.sections:
        same(latex_to_text(entry["keywords"]), ", ".join(record.sections))


@pytest.mark.parametrize("flavour", ["bibtex", "biblatex"])
@given(catalog=catalogs())
def test_bibtex_and_biblatex_read_back_unchanged(flavour, catalog):
    entries = parse_bib(render(catalog, flavour))
    expected = records(catalog)
    assert list(entries) == [r.key for r in expected]  # no entry lost, none forged
    for record in expected:
        check_bib_entry(entries[record.key], record, flavour)


# ---- the BibTeX importer reads them back ----------------------------------------------

def written(entry: Entry, flavour: str) -> tuple[str, dict[str, str]]:
    """What the exporter writes for an entry: its type and its fields' LaTeX."""
    record = to_reference(entry)
    return entry_type(record, flavour), dict(entry_fields(record, flavour))


def same_fields(got: dict[str, str], want: dict[str, str]) -> None:
    """The same fields with the same text; the LaTeX may differ in braces (`{{X}}`, `{X}`)
    and a field that reads as nothing counts as absent."""
    if got == want:
        return  # the usual case, decided without decoding

    def readable(fields: dict[str, str]) -> dict[str, str]:
        decoded = {name: reads_as(latex_to_text(value)) for name, value in fields.items()}
        return {name: text for name, text in decoded.items() if text}

    assert readable(got) == readable(want)


@pytest.mark.parametrize("flavour", ["bibtex", "biblatex"])
@given(catalog=catalogs())
def test_bibtex_import_inverts_the_exporters(flavour, catalog):
    """`import bibtex` of an export gives entries the exporter writes the same way."""
    bib = parse_bibtex(render(catalog, flavour), "refs.bib")
    assert bib.problems == []
    assert [item.entry.key for item in bib.entries] == [r.key for r in records(catalog)]
    exported = {record.key: record.entry for record in records(catalog)}  # cited papers too
    for item in bib.entries:
        original = exported[item.entry.key]
        item.entry.sections = original.sections  # placing in sections is merge_bibtex's job
        (got_type, got), (want_type, want) = written(item.entry, flavour), \
            written(original, flavour)
        if original.kind != "paper" and original.arxiv:
            # Neither flavour types a list or software that has an arXiv id: the entry
            # with an eprint is read as the arXiv preprint it nearly always is.
            continue
        if flavour == "bibtex" and original.kind == "software" and not all(
                links.role(url) == links.CODE for url in original.urls if url):
            # BibTeX has no software type: the writer's @misc reads back as software only
            # when a code repository locates it. Located elsewhere (a DOI, a web page) it
            # is a @misc paper to any reader, and a paper's DOI is also written as its url.
            continue
        assert got_type == want_type
        if original.venue is None and original.container and lookup_venue(original.container):
            # A container that names a venue of the table is read as that venue, whose
            # publisher and series the exporter then adds.
            for name in ("publisher", "series", "volume"):
                if name not in want:
                    got.pop(name, None)
        same_fields(got, want)


# ---- CSL-JSON --------------------------------------------------------------------------

NOCASE = re.compile(r'<span class="nocase">|</span>')


@lru_cache(maxsize=1)
def csl_validator():
    from jsonschema import Draft7Validator

    return Draft7Validator(json.loads((FIXTURES / "csl" / "csl-data.json").read_text()))


def same_csl_name(got: dict[str, str], want: Person) -> None:
    if want.literal:
        same(got["literal"], want.literal)
    else:
        same(got["family"], want.family)
        same(got.get("given"), want.given)


@given(catalog=catalogs())
def test_csljson_reads_back_unchanged_and_valid(catalog):
    items = json.loads(render(catalog, "csljson"))
    assert list(csl_validator().iter_errors(items)) == []
    expected = records(catalog)
    assert [item["id"] for item in items] == [r.key for r in expected]
    for item, record in zip(items, expected):
        # oflbib's own markup: `nocase` spans around the words whose case is kept.
        same(NOCASE.sub("", item["title"]), record.title)
        assert len(item.get("author", [])) == len(record.authors)
        for name, person in zip(item.get("author", []), record.authors):
            same_csl_name(name, person)
        same(NOCASE.sub("", item.get("container-title", "")), record.container)
        if record.entry.kind != "software":
            same(item.get("publisher"), record.publisher)
        same(item.get("URL"), record.url)


# ---- RIS -------------------------------------------------------------------------------

def ris_name(person: Person) -> str:
    if person.literal:
        return person.literal
    return f"{person.family}, {person.given}" if person.given else person.family


@given(catalog=catalogs())
def test_ris_reads_back_unchanged(catalog):
    text = render(catalog, "ris")
    parsed = rispy.loads(text)
    expected = records(catalog)
    assert [r["id"] for r in parsed] == [r.key for r in expected]  # none forged by `ER  -`
    for got, record in zip(parsed, expected):
        same(got["title"], record.title)
        assert [reads_as(a) for a in got.get("authors", [])] == [
            reads_as(ris_name(p)) for p in record.authors]
        same(got.get("secondary_title"), record.container)
        assert [reads_as(k) for k in got.get("keywords", [])] == [
            reads_as(s) for s in record.sections]
        if record.url:
            assert len(got["urls"]) == 1
            same_url(got["urls"][0], record.url)


# ---- Markdown --------------------------------------------------------------------------

def same_link(got: list[str], want: list[str]) -> None:
    """Links compare as URLs: percent-encoding and the importer's `clean_url` aside."""
    assert len(got) == len(want)
    for got_url, want_url in zip(got, want):
        same_url(got_url, clean_url(reads_as(want_url)))


DECORATION = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]")  # emoji, dingbats


@given(catalog=catalogs())
def test_markdown_list_imports_back_unchanged(catalog):
    entries = list(catalog.entries.values())
    texts = [e.title for e in entries] + [e.organisation or "" for e in entries]
    # Four things the list's format itself decides, not the data: the importer repairs
    # UTF-8 that was read as Latin-1 (the real list has it), so text that looks exactly like
    # such damage is changed on purpose; emoji before a title are the list's decoration
    # (`🔥 Title`); a framework line is known by its URLs; and a heading's trailing ` #`
    # run is Markdown's closing sequence.
    assume(all(repair_mojibake(reads_as(t)) == reads_as(t) for t in texts))
    assume(not any(DECORATION.match(reads_as(e.title)) for e in entries))
    assume(all(e.urls for e in entries if e.kind == "software"))
    assume(not any(reads_as(s.name).endswith("#") for s in catalog.sections))
    draft = parse_markdown(render(catalog, "markdown"), "list.md", "list")
    assert [reads_as(name) for name in draft.sections] == [reads_as(s.name)
                                                          for s in catalog.sections]
    for section in catalog.sections:
        got = next(items for name, items in draft.sections.items()
                   if reads_as(name) == reads_as(section.name))
        want = [catalog.entries[listing.key] for listing in section.listings]
        assert [item.kind == "software" for item in got] == [e.kind == "software" for e in want]
        for item, entry in zip(got, want):
            same(item.title, entry.title)
            if entry.kind == "software":
                same(item.organisation, entry.organisation)
                same_link(item.urls, unique(entry.urls))
            else:  # without a link of its own, an item links where its DOI or arXiv id leads
                located = [links.doi_url(entry.doi)] if entry.doi else \
                    [links.arxiv_abs(entry.arxiv)] if entry.arxiv else []
                same_link(item.urls, entry.urls[:1] or located)


# ---- the catalog's own files -----------------------------------------------------------

def name_shape(person: Person) -> tuple[str, str, str]:
    return (person.literal.strip(), person.family.strip(), person.given.strip())


@given(catalog=catalogs(text=words, names=words))
def test_catalog_files_save_and_load_unchanged(catalog):
    with tempfile.TemporaryDirectory() as folder:
        save_catalog(catalog, Path(folder))
        loaded = load_catalog(Path(folder))
    assert set(loaded.entries) == set(catalog.entries)
    for key, entry in catalog.entries.items():
        got = loaded.entries[key]
        # Names are stored as `Family, Given` text, so their outer spaces are not kept.
        for was, now in [(entry, got)] + ([(entry.cite_as, got.cite_as)] if entry.cite_as
                                          else []):
            assert [name_shape(p) for p in now.authors] == [name_shape(p) for p in was.authors]
            now.authors = was.authors
        assert got == entry  # every other field exactly, control characters included
    assert [(s.name, [lst.key for lst in s.listings]) for s in loaded.sections] == \
        [(s.name, [lst.key for lst in s.listings]) for s in catalog.sections]


@pytest.mark.parametrize("person", [Person(literal="Google, Inc."),
                                    Person(family="A,B", given="C")])
def test_name_with_a_comma_survives_the_catalog(tmp_path, person):
    save_catalog(catalog_of(Entry(key="k", kind="paper", title="T", authors=[person])), tmp_path)
    assert load_catalog(tmp_path).entries["k"].authors == [person]


@pytest.mark.parametrize("title", ["a\x85b", "a\u2028b\u2029c", "a\x85", "\u2028"])
def test_unicode_line_breaks_survive_the_catalog(tmp_path, title):
    """YAML 1.2 (the writer) takes them for text, YAML 1.1 (the reader) for line breaks."""
    save_catalog(catalog_of(Entry(key="k", kind="paper", title=title)), tmp_path)
    assert load_catalog(tmp_path).entries["k"].title == title
    # and again merged into the file as it is, the way an edit writes it
    save_catalog(catalog_of(Entry(key="k", kind="paper", title=title + "!")), tmp_path)
    assert load_catalog(tmp_path).entries["k"].title == title + "!"


def test_long_value_with_control_characters_survives_the_catalog(tmp_path):
    """Double-quoted (for the control characters) and far wider than any line width."""
    title = "000 \x1f\x1f\x1f\x1f" * 300
    save_catalog(catalog_of(Entry(key="k", kind="paper", title=title)), tmp_path)
    assert load_catalog(tmp_path).entries["k"].title == title


def catalog_of(entry: Entry) -> Catalog:
    catalog = Catalog(title="List", blocks=[Block(section="S", heading="S", level=3)],
                      sections=[Section("S", "s.yaml", "S", [Listing(entry.key)])],
                      entries={entry.key: entry})
    catalog.refresh_sections()
    return catalog
