"""Catalog files: validation with file:line errors, atomic comment-preserving saves."""

from __future__ import annotations

import json
import re

import pytest

from oflbib.catalog.store import load_catalog, save_catalog
from oflbib.checks import seed_corrections
from oflbib.exporters import build_files, render
from oflbib.errors import OflbibError
from tests.conftest import tree_bytes


def line_of(path, needle: str) -> int:
    """The last line holding `needle` (a duplicate is reported where it repeats)."""
    found = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    assert found, needle
    return found[-1]


def break_file(path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return line_of(path, new.strip().splitlines()[-1])


@pytest.mark.parametrize("old, new, message", [
    ("year: 2023", "year: twenty", "year must be an integer"),
    ("kind: paper", "kind: article", "kind must be one of paper, software, list"),
    ("key: thorpe2023bamboo", "key: 'thorpe 2023'", "key 'thorpe 2023' is not well-formed"),
    ("kind: paper", "kind: paper\n    colour: blue", "unknown field 'colour'\n"),
    ("kind: paper", "kind: paper\n    url: https://x.org", "unknown field 'url'; did you mean "
     "'urls'?"),
    ("  - key: thorpe2023bamboo", "  - key: zhou2023mpress", "duplicate key 'zhou2023mpress'"),
])
def test_bad_values_are_located(catalog_copy, run, old, new, message):
    path = catalog_copy / "training.yaml"
    line = break_file(path, old, new)
    before = tree_bytes(catalog_copy)
    result = run("--catalog", catalog_copy, "check")
    assert result.exit_code == 2
    assert f"{path}:{line}: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert tree_bytes(catalog_copy) == before  # loading writes nothing


def test_yaml_syntax_error_is_located(catalog_copy, run):
    path = catalog_copy / "moe.yaml"
    lines = path.read_text().splitlines()
    lines[9] = "    title: [unclosed, list"
    path.write_text("\n".join(lines) + "\n")
    result = run("--catalog", catalog_copy, "list")
    assert result.exit_code == 2
    assert re.search(rf"{re.escape(str(path))}:1[0-4]: invalid YAML", result.stderr), result.stderr


def test_every_problem_reported_at_once(catalog_copy):
    break_file(catalog_copy / "gnn.yaml", "year: 2021", "year: soon")
    break_file(catalog_copy / "misc.yaml", "year: 2022", "year: later")
    with pytest.raises(OflbibError) as err:
        load_catalog(catalog_copy)
    files = {p.path.rsplit("/", 1)[-1] for p in err.value.problems}
    assert files == {"gnn.yaml", "misc.yaml"}


def test_truncated_and_non_utf8_files(catalog_copy, run):
    path = catalog_copy / "schedule.yaml"
    path.write_bytes(path.read_bytes()[:-700] + b"\xff\xfe")
    result = run("--catalog", catalog_copy, "list")
    assert result.exit_code == 2 and "schedule.yaml" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name, old, new, message", [
    ("optimization.yaml", "- see: ding2023hidet", "- see: nosuchkey",
     "see: 'nosuchkey' names no entry"),
    ("frameworks.yaml", "      key: he2020fedml", "      key: thorpe2023bamboo",
     "duplicate key 'thorpe2023bamboo' (cite_as)"),
    ("serving-inference.yaml", "    filed_under: Training", "    filed_under: Trainnig",
     "filed_under: 'Trainnig' is not a section of the catalog"),
])
def test_a_reference_to_nothing_is_located(catalog_copy, run, name, old, new, message):
    """`see:`, a cited paper's key and `filed_under` must name what exists (once)."""
    path = catalog_copy / name
    line = break_file(path, old, new)
    result = run("--catalog", catalog_copy, "check")
    assert result.exit_code == 2
    assert f"{path}:{line}: {message}" in result.stderr


def test_missing_catalog_folder(tmp_path, run):
    result = run("--catalog", tmp_path / "nothing", "list")
    assert result.exit_code == 2 and "no catalog here" in result.stderr


def test_save_keeps_comments_order_and_only_touches_changed_files(catalog_copy):
    path = catalog_copy / "training.yaml"
    text = path.read_text().replace("  - key: zhou2023mpress",
                                    "  # MPress: checked against the HPCA page\n  - key: zhou2023mpress")
    path.write_text(text)
    catalog = load_catalog(catalog_copy)
    catalog.entries["zhou2023mpress"].pages = "1--12"
    before = tree_bytes(catalog_copy)
    changed = save_catalog(catalog, catalog_copy)
    assert changed == [path]
    after = path.read_text()
    assert "# MPress: checked against the HPCA page" in after
    assert "pages: 1--12" in after
    others = {k: v for k, v in tree_bytes(catalog_copy).items() if k != "training.yaml"}
    assert others == {k: v for k, v in before.items() if k != "training.yaml"}
    # a diff reads like a review: one line added, nothing else moved
    import difflib

    diff = [d for d in difflib.unified_diff(text.splitlines(), after.splitlines(), lineterm="")
            if d.startswith(("+", "-")) and not d.startswith(("+++", "---"))]
    assert diff == ["+    pages: 1--12"]


def test_loaded_catalog_saves_to_identical_bytes(catalog_copy):
    before = tree_bytes(catalog_copy)
    assert save_catalog(load_catalog(catalog_copy), catalog_copy) == []
    assert tree_bytes(catalog_copy) == before


@pytest.mark.parametrize("text", ["yes", "On", "No", "off", "1:30", "~", "null"])
def test_yaml_1_1_words_stay_text(tmp_path, catalog_copy, text):
    catalog = load_catalog(catalog_copy)
    entry = catalog.entries["thorpe2023bamboo"]
    entry.title, entry.notes = text, text
    save_catalog(catalog, catalog_copy)
    again = load_catalog(catalog_copy).entries["thorpe2023bamboo"]
    assert (again.title, again.notes) == (text, text)


# ---- the paper a software project asks to be cited by ------------------------------------

def test_cited_paper_follows_its_software_in_every_bibliography_but_not_the_list(
        shipped_catalog):
    fedml = shipped_catalog.entries["fedml"]
    assert fedml.kind == "software" and fedml.cite_as.key == "he2020fedml"
    assert fedml.cite_as.arxiv == "2007.13518" and len(fedml.cite_as.authors) == 20
    bib = render(shipped_catalog, "bibtex")
    assert re.search(r"@misc\{fedml,.*?\n}\n\n@unpublished\{he2020fedml,", bib, re.S)
    keys = [item["id"] for item in json.loads(render(shipped_catalog, "csljson"))]
    assert keys.index("he2020fedml") == keys.index("fedml") + 1
    assert "ID  - he2020fedml" in render(shipped_catalog, "ris")
    assert "A Research Library and Benchmark" not in render(shipped_catalog, "markdown")


def test_cited_paper_is_saved_loaded_shown_and_checked(catalog_copy, run):
    catalog = load_catalog(catalog_copy)
    save_catalog(catalog, catalog_copy)
    assert load_catalog(catalog_copy).entries["fedml"] == catalog.entries["fedml"]
    shown = run("--catalog", catalog_copy, "show", "he2020fedml")
    assert shown.exit_code == 0 and "Avestimehr, Salman" in shown.stdout
    path = catalog_copy / "frameworks.yaml"
    text = path.read_text()
    start = text.index("      authors:\n        - He, Chaoyang")
    end = text.index("      year: 2020", start)
    path.write_text(text[:start] + text[end:])  # the cited paper loses its authors
    result = run("--catalog", catalog_copy, "check")
    assert result.exit_code == 1 and "he2020fedml: paper has no authors" in result.stdout


def test_cited_paper_must_be_a_paper_without_list_text(catalog_copy, run):
    path = catalog_copy / "frameworks.yaml"
    break_file(path, "      kind: paper\n      title: 'FedML:", "      kind: software\n"
               "      title: 'FedML:")
    result = run("--catalog", catalog_copy, "list")
    assert result.exit_code == 2 and f"{path}:" in result.stderr and "Traceback" not in \
        result.output


# ---- a paper the list files in the wrong section -----------------------------------------

def test_misfiled_paper_is_filed_where_it_belongs_and_the_list_keeps_its_place(
        shipped_catalog):
    merak = shipped_catalog.entries["lai2023merak"]
    assert merak.filed_under == "Training" and merak.sections == ["Training"]
    files = build_files(shipped_catalog)
    assert "@article{lai2023merak," in files["training.bib"]
    assert "lai2023merak" not in files["serving-inference.bib"]
    assert "lai2023merak" not in files["serving-inference.ris"]
    serving = render(shipped_catalog, "markdown").split("### Serving-Inference", 1)[1]
    assert "[Merak: An Efficient" in serving.split("\n### ", 1)[0]  # the list as it is
    (row,) = [c for c in seed_corrections(shipped_catalog) if c.field == "section"]
    assert (row.key, row.list_says, row.publication_says) == (
        "lai2023merak", "Serving-Inference", "Training") and row.source.startswith("https://")


def test_reimporting_the_list_keeps_the_correction(catalog_copy, seed_path, run):
    before = tree_bytes(catalog_copy)
    result = run("--catalog", catalog_copy, "import", "markdown", seed_path)
    assert result.exit_code == 0, result.output
    assert tree_bytes(catalog_copy) == before
