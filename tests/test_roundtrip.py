"""Real .bib files nobody on the team wrote come back out whole: imported entry by entry
(those without a title too),
exported as BibTeX and biblatex, parsed back by bibtexparser (and by biber), every field of
every entry is there with the same value, types unchanged, `and others` kept.

Normalisation (what "the same value" means): values compare as the text they print
(LaTeX decoded, braces and spacing folded, case folded); names compare by their parts;
month names are numbers; `year = {n.d.}` (BibTeX's "no date") is no year; a DOI or URL
without its resolver prefix; `--` and `-` in pages;
the names BibTeX and biblatex give one field (journal/journaltitle, address/location,
annote/annotation, archiveprefix/eprinttype, primaryclass/eprintclass, year+month/date)
and one type (conference/inproceedings, electronic/www/online) are the same, and so is a
biblatex type BibTeX styles lack and its nearest BibTeX type in the BibTeX flavour
(mvbook/book, bookinbook/inbook); keywords may gain the section the entry was imported into.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

from oflbib.exporters.bibtex import BIBLATEX, BIBTEX, NO_DATE, format_entry
from oflbib.exporters.reference import to_reference
from oflbib.fields import TYPE_ALIASES, TYPES
from oflbib.importers.bibtex import FIELD_ALIASES, BadValue, entry_from_fields, parse_bibtex
from oflbib.keys import base_key, unique_key
from oflbib.latex import latex_to_text
from tests.conftest import REPO
from tests.consumers import require

CORPUS = REPO / "tests" / "corpus" / "bib"
_ALIASES = {**FIELD_ALIASES, "eprinttype": "eprinttype", "annotation": "annote"}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                       "sep", "oct", "nov", "dec"), start=1)}
_DATE_FIELDS = {"year", "month", "date"}
# Fields bibtexparser and biber leave to their tools: not data of the entry.
_NOT_DATA = {"crossref", "xref", "xdata", "set", "entryset", "ids"}
# Blocks in entry syntax that are no entries: biblatex's data containers and sets, and
# IEEEtran's style settings (the import resolves or skips them, with a note).
_NOT_ENTRIES = {"xdata", "set", "ieeetranbstctl"}


def files() -> list[Path]:
    found = sorted(p for p in CORPUS.glob("*.bib")) if CORPUS.is_dir() else []
    if not found:
        pytest.skip("tests/corpus/bib/ (the real .bib files) is not here")
    return found


def text_of(value: str) -> str:
    text = latex_to_text(value).replace("{", "").replace("}", "")
    return " ".join(text.split()).casefold()


def names_of(value: str) -> tuple:
    names = [n for n in re.split(r"\s+and\s+", value.strip()) if n.strip()]
    out = []
    for name in names:
        try:
            parts = parse_single_name_into_parts(name)
            out.append(tuple(text_of(" ".join(p)) for p in
                             (parts.von, parts.last, parts.jr, parts.first)))
        except InvalidNameError:
            out.append(_extended(name) or (text_of(name),))
    return tuple(out)


def _extended(name: str) -> tuple | None:
    """biblatex's extended name format (`family=Kate, given=Warner, prefix=ten`), as parts."""
    parts = dict(re.findall(r"\b(family|given|prefix|suffix)\s*=\s*(\{[^{}]*\}|[^,]*)", name))
    if "family" not in parts:
        return None
    return tuple(text_of(parts.get(key, "")) for key in ("prefix", "family", "suffix", "given"))


def month_of(value: str) -> str:
    text = text_of(value).rstrip(".")[:3]
    return str(_MONTHS.get(text, text.lstrip("0")))


def normal(name: str, value: str) -> object:
    if name in ("author", "editor"):
        return names_of(value)
    if name == "month":
        return month_of(value)
    if name == "pages":
        return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", text_of(value))
    if name == "doi":
        return _unescape(re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value.strip(),
                                flags=re.I))
    if name == "url":
        return _unescape(re.sub(r"^\\url\{(.*)\}$", r"\1", value.strip()))
    if name == "howpublished":
        url = re.match(r"^\\url\{(.*)\}$", value.strip())
        return _unescape(url.group(1)) if url else text_of(value)
    if name == "keywords":
        return {word.strip() for word in re.split(r"[,;]", text_of(value)) if word.strip()}
    if name == "eprint":
        return re.sub(r"^arxiv:\s*|v\d+$", "", value.strip(), flags=re.I)
    return text_of(value)


def _unescape(url: str) -> str:
    return re.sub(r"\\([_%&#$~])", r"\1", url)


def date_of(fields: dict[str, str]) -> tuple:
    """(year, month, the whole date when it says more) whichever fields say them."""
    date = fields.get("date", "").strip()
    match = re.match(r"^(-?\d{4})(?:-(\d{2}))?", date)
    year = text_of(fields.get("year", "")).replace(NO_DATE, "")  # the writer's "no year"
    year = year or (match.group(1) if match else "")
    month = month_of(fields["month"]) if "month" in fields else \
        (str(int(match.group(2))) if match and match.group(2) else "")
    simple = re.fullmatch(r"\d{4}(-\d{2})?", date)
    return year, month, "" if simple or not date else date


def data_fields(entry) -> dict[str, str]:
    out = {}
    for item in entry.fields:
        name = item.key.lower()
        name = _ALIASES.get(name, name)
        if name not in _NOT_DATA:
            out.setdefault(name, str(item.value))
    return out


def compare(original, again, stats: Counter, lost: Counter) -> None:
    """One input entry against the same entry read back from an export."""
    want, got = data_fields(original), data_fields(again)
    want_type = TYPE_ALIASES.get(original.entry_type.lower(), original.entry_type.lower())
    got_type = TYPE_ALIASES.get(again.entry_type.lower(), again.entry_type.lower())
    row = TYPES.get(want_type)
    if want_type != got_type and not (row and not row.in_bibtex and got_type == row.bibtex):
        stats["retyped"] += 1
    if re.search(r"\band\s+others\s*$", want.get("author", "")) and \
            not re.search(r"\band\s+others\s*$", got.get("author", "")):
        stats["others dropped"] += 1
    missing = []
    if _DATE_FIELDS & set(want) and date_of(want) != date_of(got):
        missing.append("date")
    for name, value in want.items():
        if name in _DATE_FIELDS or not value.strip():
            continue
        if name == "keywords":
            if not normal(name, value) <= normal(name, got.get(name, "")):
                missing.append(name)
        elif name not in got or normal(name, got[name]) != normal(name, value):
            missing.append(name)
    if missing:
        stats["lost a field"] += 1
        lost.update(missing)


def round_trip(path: Path, flavour: str) -> tuple[Counter, Counter, str]:
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8", errors="replace"))
    stats, lost, out = Counter(), Counter(), []
    keyless: set[str] = set()
    for block in library.entries:
        if block.entry_type.lower() in _NOT_ENTRIES:
            continue
        stats["entries"] += 1
        fields: dict[str, str] = {}
        for item in block.fields:
            fields.setdefault(item.key.lower(), str(item.value))
        lines = {f.key.lower(): f.start_line + 1 for f in block.fields}
        try:
            entry = entry_from_fields(block.entry_type, block.key, fields, lines,
                                      block.start_line + 1, str(path))
        except BadValue:
            stats["refused"] += 1
            continue
        if not block.key:  # `@article{,` (Mendeley): the import names it by the key scheme
            entry.key = unique_key(base_key(entry), keyless)
            keyless.add(entry.key)
        text = format_entry(to_reference(entry), flavour)
        out.append(text)
        again = bibtexparser.parse_string(text)
        if len(again.entries) != 1:
            stats["unreadable"] += 1
            continue
        compare(block, again.entries[0], stats, lost)
    return stats, lost, "\n".join(out)


@pytest.mark.parametrize("flavour", [BIBTEX, BIBLATEX])
def test_real_files_come_back_whole(flavour, tmp_path):
    total, lost = Counter(), Counter()
    for path in files():
        stats, missing, text = round_trip(path, flavour)
        total.update(stats)
        lost.update(missing)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    print(f"\n{flavour}: {dict(total)}; fields lost: {lost.most_common(15)}")
    read = total["entries"] - total["refused"]
    assert total["entries"] >= 500 and total["refused"] <= total["entries"] * 0.02
    assert total["unreadable"] == 0
    assert total["lost a field"] < 0.05 * read, lost.most_common(10)
    assert total["retyped"] < 0.02 * read
    assert total["others dropped"] == 0


def biber_read(path: Path, out: Path) -> tuple[int, dict[str, object]]:
    """biber's exit status and the entries it reads from a file (`biber --tool`, its own
    data model), by key; biber leaves out what it cannot read, and says so. (Run in the
    output's folder, where it writes its log.)"""
    done = subprocess.run(["biber", "--tool", "--quiet", "--output-format=bibtex",
                           "--output-file", str(out), str(path)], cwd=out.parent,
                          capture_output=True, text=True, timeout=300)
    if not out.exists():
        return done.returncode, {}
    entries = bibtexparser.parse_string(out.read_text(encoding="utf-8")).entries
    out.unlink()
    return done.returncode, {entry.key: entry for entry in entries}


def test_biber_reads_the_same_data_from_each_export(tmp_path):
    """biber reads the biblatex export of each real file without an error, and as it
    reads the file itself: every entry, field by field (biber's data model on both
    sides, so a field biber drops from the original is no loss of ours)."""
    require("biber")
    total, lost = Counter(), Counter()
    for path in files():
        _, _, text = round_trip(path, BIBLATEX)
        exported = tmp_path / path.name
        exported.write_text(text, encoding="utf-8")
        given = tmp_path / f"given-{path.name}"
        shutil.copyfile(path, given)
        given_status, want = biber_read(given, tmp_path / "given.bib")
        status, got = biber_read(exported, tmp_path / "export.bib")
        # biber reads every exported entry, without an error (whatever it made of the file),
        # unless the file stops it too: a name biber cannot split (`{A, B Group}, Wayne`,
        # Mendeley's) is the user's and written back as given; biber reads the rest.
        keys = {entry.key for entry in bibtexparser.parse_string(text).entries}
        assert (status == 0 and set(got) == keys) or \
            (status == given_status != 0 and {k for k in want if k in keys} <= set(got)), \
            path.name
        for key, original in want.items():
            if key not in got:
                continue  # refused on import, or biber's own skip of a data container
            total["entries"] += 1
            compare(original, got[key], total, lost)
    print(f"\nbiber: {dict(total)}; fields lost: {lost.most_common(15)}")
    assert total["entries"] >= 500
    assert total["lost a field"] < 0.05 * total["entries"], lost.most_common(10)
    assert total["retyped"] < 0.02 * total["entries"]
    assert total["others dropped"] == 0


@pytest.mark.parametrize("flavour", [BIBTEX, BIBLATEX])
@pytest.mark.parametrize("kind", ["article", "misc"])
def test_a_doi_with_angle_brackets_is_written_as_given(flavour, kind):
    """Old SICI DOIs hold `<` and `>`: a DOI is a name, so it is not percent-encoded
    like a URL (`%3C` would name another work); the DOI's link still is encoded."""
    doi = "10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P"
    fields = {"title": "Title", "author": "Sigfridsson, Emma", "journal": "J. Comput. Chem.",
              "year": "1998", "doi": doi}
    if kind == "misc":
        del fields["journal"]
    entry = entry_from_fields(kind, "sigfridsson", fields, {}, 1, "refs.bib")
    again = bibtexparser.parse_string(format_entry(to_reference(entry), flavour)).entries[0]
    assert again.fields_dict["doi"].value == doi
    if "url" in again.fields_dict:
        assert "%3C377" in again.fields_dict["url"].value
    # read back: the DOI as given, and its encoded link known as the DOI's own
    text = format_entry(to_reference(entry), flavour)
    back = parse_bibtex(text, "refs.bib").entries[0]
    assert back.entry.doi == doi and back.entry.urls == []
    assert format_entry(to_reference(back.entry), flavour) == text  # and written the same


def test_a_misc_linking_a_code_repository_stays_a_misc_in_biblatex():
    """A user's `@misc` whose link is a GitHub repository is read as software (CSL and RIS
    say so), and the biblatex export keeps the type the user gave."""
    fields = {"title": "{JAX}: composable transformations of {Python+NumPy} programs",
              "author": "Bradbury, James and Frostig, Roy", "year": "2018",
              "url": "http://github.com/google/jax"}
    entry = entry_from_fields("misc", "bradbury_jax_2018", fields, {}, 1, "refs.bib")
    assert entry.kind == "software"
    for flavour in (BIBTEX, BIBLATEX):
        again = bibtexparser.parse_string(format_entry(to_reference(entry), flavour))
        assert again.entries[0].entry_type == "misc"


def test_biblatex_extended_names_are_read():
    """Better BibTeX writes a name with a particle in biblatex's extended format
    (`family=Kate, given=Warner, prefix=ten, useprefix=false`): read by its parts, not
    refused, and written back as the same name."""
    fields = {"title": "Using Multiple Ontologies", "year": "2008",
              "author": "Aleksovski, Zharko and family=Kate, given=Warner, prefix=ten, "
                        "useprefix=false and family={Torre}, given={Leendert}, "
                        "prefix={van der}, useprefix=true"}
    entry = entry_from_fields("inproceedings", "aleksovski2008", fields, {}, 1, "refs.bib")
    assert [(p.particle, p.family, p.given) for p in entry.authors] == [
        ("", "Aleksovski", "Zharko"), ("ten", "Kate", "Warner"),
        ("van der", "Torre", "Leendert")]
    again = bibtexparser.parse_string(format_entry(to_reference(entry), BIBLATEX))
    assert names_of(again.entries[0].fields_dict["author"].value) == names_of(
        "Aleksovski, Zharko and ten Kate, Warner and van der Torre, Leendert")


@pytest.mark.parametrize("flavour", [BIBTEX, BIBLATEX])
def test_software_keeps_its_organisation_beside_its_authors(flavour):
    """A @software with people as authors and an organization (Better BibTeX's export of a
    GitHub repository) keeps both in either flavour."""
    fields = {"title": "Json-Graph-Specification", "author": "Bargnesi, Tony and Hayes, William",
              "date": "2014-05-04", "organization": "JSON Graph",
              "url": "https://github.com/jsongraph/json-graph-specification"}
    entry = entry_from_fields("software", "bargnesi2014", fields, {}, 1, "refs.bib")
    again = bibtexparser.parse_string(format_entry(to_reference(entry), flavour)).entries[0]
    assert again.fields_dict["organization"].value == "JSON Graph"
    assert names_of(again.fields_dict["author"].value) == names_of(fields["author"])


@pytest.mark.parametrize("flavour", [BIBTEX, BIBLATEX])
def test_a_percent_sign_in_a_value_is_the_character(flavour):
    """Publishers write `%` unescaped in abstracts (ScienceDirect: `4499 (57.0 %) were
    women`); biber and BibTeX read it as the character, so the rest of the line stays."""
    fields = {"title": "Socioeconomic status and mental health", "year": "2025",
              "abstract": "Results 4499 (57.0\u00a0%) were women, 4380 (55.5\u00a0%) were urban. "
                          "Limitations The design is cross-sectional."}
    entry = entry_from_fields("article", "nasirpour2025", fields, {}, 1, "refs.bib")
    assert "were women, 4380" in entry.abstract
    again = bibtexparser.parse_string(format_entry(to_reference(entry), flavour)).entries[0]
    assert text_of(again.fields_dict["abstract"].value) == text_of(fields["abstract"])
