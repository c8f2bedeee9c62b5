"""The corpus benchmark runs oflbib on real inputs and counts what a user would notice.

No figure of oflbib's quality is asserted here (they are the README's); only that the
measurement itself sees losses, retyping and dropped `and others`, and reports every file."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import bibtexparser
import pytest

from tests.conftest import REPO

CORPUS = REPO / "tests" / "corpus"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("corpus_bench", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_compare_counts_a_lost_field_a_retyped_entry_and_dropped_others(bench) -> None:
    given = bench.parse_bib("""
        @inproceedings{kept, author = {Ann Smith and others}, title = {A {GPU} Study},
                              booktitle = {Proc. X}, note = {Oral}, month = jan, year = 2020}
        @phdthesis{thesis, author = {Bo Li}, title = {On Things}, school = {MIT}, year = 2019}
        @article{gone, author = {C. D}, title = {Never Exported}, journal = {J}, year = 2001}
        """)
    written = bench.parse_bib("""
        @misc{kept, author = {Ann Smith}, title = {A GPU Study}, booktitle = {Proc. X},
              month = {1}, year = {2020}}
        @thesis{thesis, author = {Bo Li}, title = {On Things}, institution = {MIT}, date = {2019}}
        """)
    result = bench.BibResult("inline.bib")
    bench.compare(result, "biblatex", given, written)
    assert result.refused["biblatex"] == 1  # `gone`
    assert result.lost["biblatex"] == 1 and result.lost_fields["biblatex"] == ["note"]
    assert result.retyped["biblatex"] == 1  # inproceedings -> misc; phdthesis -> thesis is a name
    assert result.others_dropped["biblatex"] == 1
    assert result.changed["biblatex"] == 1 and result.changed_fields["biblatex"] == ["author"]


def test_the_corpus_is_complete_and_described() -> None:
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    bibs = sorted(p.name for p in (CORPUS / "bib").glob("*.bib"))
    lists = sorted(p.name for p in (CORPUS / "lists").glob("*.md"))
    assert len(bibs) >= 35 and len(lists) >= 15
    assert sorted(expected["bib"]) == bibs and sorted(expected["lists"]) == lists
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for name in bibs + lists:
        assert f"`{name}`" in sources, name
    # bibtexparser agrees with the expected counts where the file has no repeated key
    # and no block it rejects (the `method` field says how the counts were made)
    for name in ("xampl.bib", "acm-dl-export.bib", "wos-export-bom.bib"):
        text = (CORPUS / "bib" / name).read_bytes().decode("utf-8-sig")
        assert len(bibtexparser.parse_string(text).entries) == expected["bib"][name]["entries"]


def test_the_benchmark_reports_real_files_through_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/corpus.py", "--json", "--timeout", "120",
         "--only", "pybtex-extrafields.bib", "--only", "openfederatedlearning-current.md"],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [bib] = report["bib"]
    assert bib["file"] == "pybtex-extrafields.bib"
    assert bib["expected"] == bib["parsed"] == 1
    assert isinstance(bib["exit"], int) and bib["traceback"] is False
    assert set(bib["exported"]) == {"bibtex", "biblatex"}
    assert report["bib_totals"]["entries"] == 1
    [listing] = report["lists"]
    assert listing["expected"] == 91 and listing["sections_expected"] == 8
    assert isinstance(listing["exit"], int) and listing["traceback"] is False
    assert report["list_totals"]["paper_lines"] == 91


def test_a_nested_section_is_a_heading_when_each_part_is_one(bench) -> None:
    headings = bench.heading_texts("# Top\n## discrete-variables computing\n### kernel methods\n"
                                   "## Quantum Simulation/Chemistry\n")
    names = {"discrete-variables computing/kernel methods", "Quantum Simulation/Chemistry",
             "Frameworks", "discrete-variables computing/Frameworks"}
    assert bench.invented_sections(names, headings) == [
        "Frameworks", "discrete-variables computing/Frameworks"]
