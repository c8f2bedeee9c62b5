"""Fuzz targets: the Markdown importer, the BibTeX importer and the catalog loader.

Each target takes arbitrary bytes, or text assembled from the pieces their formats are
made of (so the fuzzer reaches deep into the parsers, not only their first check), and
must either succeed or raise OflbibError whose every problem names its file and line.
Any other exception is a crash. A successful import must also save a catalog that loads
back, so no input can make oflbib write a catalog it then refuses.

The budget is the hypothesis profile's example count (fixed in CI); for a long run use
OFLBIB_HYPOTHESIS=thorough, or hand a target's `.hypothesis.fuzz_one_input` to atheris.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st

from oflbib.catalog.store import load_catalog, save_catalog
from oflbib.errors import OflbibError
from oflbib.importers.bibmerge import merge_bibtex
from oflbib.importers.bibtex import read_bibtex
from oflbib.importers.markdown import merge_into, read_markdown
from oflbib.model import Catalog
from tests.strategies import FRAGMENTS

T = TypeVar("T")


def pieces_of(pieces: list[str], most: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces) | st.text(max_size=3), max_size=most).map("".join)


def either(structured: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Structured text (UTF-8) or any bytes at all."""
    return st.one_of(structured.map(lambda t: t.encode("utf-8")), st.binary(max_size=400))


_TEXT = ["{", "}", "{}", "{GPU}", "\\", "\\]", "\\,", "\\.", ", ", ".", " ", "[", "]", "(", ")",
         "](", "awesome", "Caf\u00c3\u00a9", "Title: Words", "\u200b", "\t", "`"]
# Lines of an awesome-list: headings, link items, framework lines and prose, each with
# hostile text where the list has text.
_MARKDOWN_LINE = st.tuples(
    st.sampled_from(["", "# ", "## ", "### ", "#### ", "- ", "- [", " - [", "-  [", "* [", "  "]),
    pieces_of(_TEXT, 6),
    st.sampled_from(["", "](https://x.org/a)", "](https://x.org/a) NSDI'23", "](http://x.org)",
                     "]()", "](ftp://x)", "](", ", https://x.org/b", ", Org, https://x.org/c",
                     "](https://x.org/a) arXiv preprint arXiv:2103.13262", " #"]),
).map("".join)
MARKDOWN = either(st.lists(_MARKDOWN_LINE, max_size=15).map("\n".join))

_BIB_VALUE = pieces_of(["{", "}", '"', "\\'", '{\\"u}', " and ", "others", "2020", "10.1234/x",
                        "2103.13262", "https://x.org", "\\url{", "arXiv", "NSDI", "Training",
                        ",", "#", "@", *FRAGMENTS], 6)
_BIB_FIELD = st.tuples(
    st.sampled_from(["title", "author", "year", "date", "booktitle", "journal", "pages", "doi",
                     "eprint", "archiveprefix", "eprinttype", "url", "howpublished",
                     "keywords", "organization", "publisher", "month", "note", "key"]),
    st.sampled_from([" = {", " = \"", " = ", "={{", " = {{"]), _BIB_VALUE,
    st.sampled_from(["}", "\"", "", "}}", "} # {x}"]),
).map(lambda parts: "  " + "".join(parts))
# Entries of a .bib file with fields of every kind, their delimiters sometimes broken.
_BIB_ENTRY = st.tuples(
    st.sampled_from(["@misc{", "@article{", "@inproceedings{", "@software{", "@online{",
                     "@book{", "@string{", "@comment{", "@preamble{", "@misc(", "@", ""]),
    st.sampled_from(["k1", "k2", "K1", "a b", "9", "", "x:y"]),
    st.lists(_BIB_FIELD, max_size=6).map(lambda fields: ",\n" + ",\n".join(fields)),
    st.sampled_from(["\n}\n", "}\n", "\n", ")\n", "}}\n", ""]),
).map("".join)
BIBTEX = either(st.lists(_BIB_ENTRY, max_size=5).map("\n".join))

# Catalog files are YAML: YAML's own syntax, the catalog's field names, and values of
# every type where the schema wants another.
YAML = either(pieces_of([
    "title: ", "layout:", "section: ", "file: ", "heading: ", "level: ", "prose: ",
    "entries:", "  - key: ", "    kind: ", "paper", "software", "list", "    title: ",
    "    authors: ", "    year: ", "    urls: ", "    see: ", "    seed: ", "    doi: ",
    "    provenance: ", "\n", "  ", "- ", ": ", "[", "]", "{", "}", "'", '"', "|", ">", "&a",
    "*a", "!!python/object", "!!binary", "~", "null", "2023", "-1", "1e9", ".inf", "yes",
    "2023-01-01", "k1", "k2", "https://x.org", "t.yaml", "%YAML 1.1", "---", "...", "#",
    *FRAGMENTS], 80))


def assert_clean(error: OflbibError, path: Path) -> None:
    """Every problem names the file it is about, and a line when the file has lines."""
    assert error.problems
    for problem in error.problems:
        assert problem.path is not None and problem.path.startswith(str(path.parent)), problem
        if problem.path == str(path) and path.read_bytes().strip():
            assert problem.line is None or problem.line >= 1, problem


def saved_and_loaded(catalog: Catalog) -> None:
    with tempfile.TemporaryDirectory() as folder:
        save_catalog(catalog, Path(folder))
        load_catalog(Path(folder))


def imported(data: bytes, name: str, read: Callable[[Path], T]) -> T | None:
    """What `read` makes of `data` in a file called `name`, or None when it refused it the
    way it must: with errors that each name the file and a line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read(path)
        except OflbibError as error:
            assert_clean(error, path)
            assert all(p.line is not None for p in error.problems)
            return None


@given(data=MARKDOWN)
def test_fuzz_markdown_importer(data: bytes) -> None:
    draft = imported(data, "list.md", read_markdown)
    if draft is not None:
        catalog = Catalog()
        merge_into(catalog, draft)
        saved_and_loaded(catalog)


def bibtex_catalog(path: Path) -> Catalog:
    catalog = Catalog()
    report = merge_bibtex(catalog, read_bibtex([path]), "Imported")
    assert all(p.path == str(path) and p.line for p in report.problems), report.problems
    return catalog


@given(data=BIBTEX)
def test_fuzz_bibtex_importer(data: bytes) -> None:
    catalog = imported(data, "refs.bib", bibtex_catalog)
    if catalog is not None:
        saved_and_loaded(catalog)


MANIFEST = b"title: L\nlayout:\n  - section: S\n    file: s.yaml\n"
SECTION = b"section: S\nentries:\n  - key: k1\n    kind: paper\n    title: T\n"


@given(data=YAML, which=st.sampled_from(["catalog.yaml", "s.yaml"]))
def test_fuzz_catalog_loader(data: bytes, which: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "catalog.yaml").write_bytes(MANIFEST)
        (root / "s.yaml").write_bytes(SECTION)
        (root / which).write_bytes(data)
        try:
            load_catalog(root)
        except OflbibError as error:
            assert_clean(error, root / which)
