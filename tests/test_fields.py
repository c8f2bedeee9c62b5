"""The field table, the type table, the model, the schema and the writers agree."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess

import bibtexparser
import pytest
import rispy

from oflbib.catalog import codec, schema
from oflbib.catalog.quickcheck import compile_schema
from oflbib.exporters.bibtex import BIBLATEX, BIBTEX, format_entry
from oflbib.exporters.csljson import csl_item
from oflbib.exporters.reference import to_reference
from oflbib.exporters.ris import ris_record
from oflbib.fields import BY_NAME, FIELDS, FILLABLE, PLAIN, TYPES
from oflbib.importers.bibtex import parse_bibtex
from oflbib.model import FIELD_ORDER, Entry, Person
from oflbib.resolvers.apply import PUBLISHED_FIELDS
from tests.conftest import FIXTURES
from tests.consumers import zotero_runner

# Entry attributes that are no field of the catalog: derived, or part of a name list.
_NOT_ROWS = {"sections", "authors_others", "editors_others"}


def full_entry(**changes) -> Entry:
    """An entry with every field of the table set."""
    values = {
        "key": "doe2020full", "kind": "paper", "ids": ["doe-full"], "entry_type": "incollection",
        "authors": [Person(family="Berg", given="Jan", particle="van der", suffix="Jr."),
                    Person(literal="Google Research")],
        "editors": [Person(family="Roe", given="Ann")], "editors_others": True,
        "authors_others": True,
        "title": "Sorting in O(n log n) time", "protect": ["Sorting"],
        "container": "The Book of Sorting", "series": "Lecture Notes", "edition": "2",
        "chapter": "7", "volume": "12", "number": "3", "issue": "Spring",
        "year": 2020, "month": 5,
        "date": "2020-05-17/2020-05-19", "pages": "10--20", "publisher": "Springer",
        "organisation": "ACM", "address": "Berlin", "school": "MIT",
        "institution": "CSAIL", "howpublished": "Printed", "genre": "Survey",
        "isbn": "978-3-16-148410-0", "issn": "1234-5678", "doi": "10.1000/xyz",
        "arxiv": "2101.00001", "arxiv_class": "cs.DS", "urls": ["https://example.org/p"],
        "urldate": "2024-01-02", "language": "english", "keywords": ["sorting", "algorithms"],
        "abstract": "We sort.", "note": "Invited paper", "annote": "Read it",
        "verbatim": {"title": r"Sorting in $O(n \log n)$ time", "mrnumber": "MR123"},
        "filed_under": "S", "notes": "curated",
    }
    values.update(changes)
    return Entry(**values)


def test_the_model_has_one_attribute_per_row_in_the_table_order():
    attributes = [f.name for f in dataclasses.fields(Entry) if f.name not in _NOT_ROWS]
    assert attributes == [row.name for row in FIELDS] == list(FIELD_ORDER)


def test_the_schema_has_one_property_per_row_and_accepts_a_full_entry():
    assert sorted(schema.ENTRY["properties"]) == sorted(row.name for row in FIELDS)
    assert schema.ENTRY["required"] == ["key", "kind"]  # BibTeX needs no title either
    data = codec.entry_to_data(full_entry())
    data.pop("filed_under")
    assert compile_schema(schema.CITED_PAPER)(data)
    from jsonschema import Draft7Validator

    assert not list(Draft7Validator(schema.CITED_PAPER).iter_errors(data))
    assert list(data) == [name for name in FIELD_ORDER if name in data]  # the catalog order


def test_the_codec_gives_back_every_field():
    entry = full_entry()
    assert codec.entry_from_data(codec.entry_to_data(entry)) == entry
    data = codec.entry_to_data(entry)
    assert data["authors"] == [{"family": "Berg", "given": "Jan", "particle": "van der",
                                "suffix": "Jr."}, "Google Research", "others"]


def test_resolvers_publish_only_fields_the_table_lets_sources_fill():
    assert set(PUBLISHED_FIELDS) <= set(FILLABLE)


@pytest.mark.parametrize("flavour", [BIBTEX, BIBLATEX])
def test_bibtex_writers_write_every_field_of_the_table(flavour):
    text = format_entry(to_reference(full_entry()), flavour)
    parsed = bibtexparser.parse_string(text).entries[0]
    names = set(parsed.fields_dict)
    for row in PLAIN:
        assert getattr(row, flavour) in names, row.name
    assert parsed.entry_type == "incollection"
    assert parsed["author"] == "{van der} Berg, Jr., Jan and {Google Research} and others" \
        or parsed["author"].endswith("and others")
    assert parsed["editor"] == "Roe, Ann and others"
    assert parsed["title"] == r"Sorting in $O(n \log n)$ time"  # math stays math
    assert parsed["booktitle"] == "The Book of Sorting" and parsed["mrnumber"] == "MR123"
    assert parsed["keywords"] == "sorting, algorithms"
    if flavour == BIBTEX:
        assert (parsed["year"], parsed["month"]) == ("2020", "may")
    assert parsed["date"] == "2020-05-17/2020-05-19"


def test_csl_and_ris_writers_write_every_field_they_have_a_name_for():
    entry = full_entry()
    item = csl_item(to_reference(entry))
    for row in PLAIN:
        if row.csl:
            assert row.csl in item, row.name
    # The closest text, no dollars (the protected word in oflbib's `nocase` span).
    assert item["title"] == '<span class="nocase">Sorting</span> in O(n log n) time'
    assert item["author"][-1] == {"literal": "others"}
    assert item["author"][0]["non-dropping-particle"] == "van der"
    assert item["issued"] == {"date-parts": [[2020, 5, 17], [2020, 5, 19]]}
    assert item["type"] == "chapter"
    validator = csl_validator()
    assert not list(validator.iter_errors([item]))
    ris = ris_record(to_reference(entry))
    for row in PLAIN:
        if row.ris:
            assert row.ris in ris, row.name
    assert any("and others" in note for note in ris["notes"])
    again = rispy.loads(rispy.dumps([ris]))[0]
    assert again["type_of_reference"] == "CHAP" and "$" not in again["title"]


def csl_validator():
    from jsonschema import Draft7Validator

    return Draft7Validator(json.loads((FIXTURES / "csl" / "csl-data.json").read_text()))


def one_of_each_type() -> str:
    return "\n".join(
        f"@{name}{{k{name},\n  title = {{T {name}}},\n  author = {{Doe, Jane and others}},\n"
        f"  year = {{2020}}\n}}\n" for name in TYPES if name != "preprint")


@pytest.mark.parametrize("flavour", [BIBTEX, BIBLATEX])
def test_every_type_comes_back_as_it_was_given(flavour):
    """biblatex keeps every type; BibTeX too, but for biblatex's own types that BibTeX
    styles and Zotero's BibTeX import do not know (@mvbook: its nearest, @book)."""
    bib = parse_bibtex(one_of_each_type(), "types.bib")
    assert not bib.unknown_types
    for item in bib.entries:
        text = format_entry(to_reference(item.entry), flavour)
        parsed = bibtexparser.parse_string(text).entries[0]
        row = TYPES[item.entry.key[1:]]
        want = row.bibtex if flavour == BIBTEX and not row.in_bibtex else row.name
        assert parsed.entry_type == want, text
        assert parsed["author"].endswith(" and others")


def test_zotero_item_type_of_each_entry_type(tmp_path):
    runner = zotero_runner()
    source = tmp_path / "types.bib"
    source.write_text("".join(format_entry(to_reference(item.entry), BIBTEX) + "\n" for item in
                              parse_bibtex(one_of_each_type(), "t.bib").entries))
    result = subprocess.run(["node", runner, str(source)], capture_output=True, text=True,
                            timeout=300, check=True, stdin=subprocess.DEVNULL)
    items = json.loads(result.stdout.splitlines()[0])["items"]
    got = {item["citationKey"][1:]: item["itemType"] for item in items}
    want = {name: row.zotero for name, row in TYPES.items()
            if name != "preprint" and row.zotero}
    assert got == want


SOFTWARE_AND_STANDARDS = r"""
@standard{iso9899, title = {Programming languages -- {C}}, organization = {ISO},
  number = {ISO/IEC 9899:2018}, year = {2018}}
@softwareversion{tool12, title = {Tool}, version = {1.2}, author = {Doe, Jane},
  organization = {Tool Inc.}, year = {2020}, url = {https://example.org/tool}}
@softwaremodule{toolcore, title = {Tool core}, author = {Doe, Jane}, year = {2020}}
@codefragment{toolsort, title = {Tool's sort}, author = {Doe, Jane}, year = {2021}}
"""


def test_standards_and_biblatex_software_types_are_no_misc():
    """biblatex's @standard and biblatex-software's types keep their type in both BibTeX
    flavours and get their nearest in CSL and RIS; the program types are software."""
    bib = parse_bibtex(SOFTWARE_AND_STANDARDS, "types.bib")
    assert not bib.unknown_types and not bib.problems
    entries = {item.entry.key: item.entry for item in bib.entries}
    assert {key: entry.kind for key, entry in entries.items()} == {
        "iso9899": "paper", "tool12": "software", "toolcore": "software",
        "toolsort": "software"}
    validator = csl_validator()
    for key, entry in entries.items():
        reference = to_reference(entry)
        for flavour in (BIBTEX, BIBLATEX):
            assert format_entry(reference, flavour).startswith(f"@{entry.entry_type}{{{key},")
        item = csl_item(reference)
        assert not list(validator.iter_errors([item]))
        ris = ris_record(reference)
        if TYPES[entry.entry_type].software:
            assert (item["type"], item["genre"], ris["type_of_reference"]) == (
                "webpage", "Computer software", "COMP")
        else:
            assert (item["type"], ris["type_of_reference"]) == ("standard", "STAND")
    assert csl_item(to_reference(entries["tool12"]))["publisher"] == "Tool Inc."


def test_an_arxiv_id_has_ascii_digits():
    """Python's `\\d` is any script's digit; an arXiv id written with Oriya or Lao digits is
    none (the Markdown importer would not find it again)."""
    pattern = re.compile(BY_NAME["arxiv"].schema["pattern"])
    assert pattern.match("2103.13262") and pattern.match("hep-th/9901001")
    assert not pattern.match("2103.1326\u0b6c") and not pattern.match("a/000\u0b6c0\u0ed00")


MEDIA_AND_LEGAL = r"""
@video{talk, author = {Doe, Jane}, title = {A Talk}, date = {2020-05-01}, url = {https://example.org/v}}
@legislation{act, title = {Clean Air Act}, date = {1970}, number = {91-604}}
@letter{note, author = {Roe, Ann}, title = {To a Friend}, date = {1901}}
"""


def test_biblatex_media_legal_and_letter_types_are_kept():
    """biblatex's own @video, @legislation, @letter...: APA and Chicago styles print them,
    biber keeps them; read as themselves, written back as given in both flavours, and
    given their CSL, RIS and Zotero types."""
    bib = parse_bibtex(MEDIA_AND_LEGAL, "media.bib")
    assert not bib.unknown_types and not bib.problems
    for item in bib.entries:
        reference = to_reference(item.entry)
        for flavour in (BIBTEX, BIBLATEX):
            assert format_entry(reference, flavour).startswith(f"@{item.entry.entry_type}{{")
    types = {item.entry.key: (csl_item(to_reference(item.entry))["type"],
                              ris_record(to_reference(item.entry))["type_of_reference"])
             for item in bib.entries}
    assert types == {"talk": ("motion_picture", "VIDEO"), "act": ("legislation", "BILL"),
                     "note": ("personal_communication", "PCOMM")}


def test_a_date_with_a_time_of_day_is_kept_and_dated_in_csl_and_ris():
    """Better BibLaTeX dates software releases `2019-10-15T20:58:43Z`: biblatex keeps the
    date as written; CSL and RIS, which have no time of day, get the day."""
    [item] = parse_bibtex("@software{idr, title = {IDR}, author = {Boley, Nathan},\n"
                          "  date = {2019-10-15T20:58:43Z}}\n", "t.bib").entries
    reference = to_reference(item.entry)
    assert "date   = {2019-10-15T20:58:43Z}" in format_entry(reference, BIBLATEX)
    assert csl_item(reference)["issued"] == {"date-parts": [[2019, 10, 15]]}
    assert ris_record(reference)["date"] == "2019/10/15/"
