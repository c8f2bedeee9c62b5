"""What a new user meets first (issue 15): the shipped catalog is read-only, and the
messages, hints and help say what to do."""

from __future__ import annotations

import re

import pytest

from oflbib.catalog.store import default_catalog_dir
from tests.conftest import REPO, SEED, tree_bytes


@pytest.mark.parametrize("args", [
    ["import", "markdown", SEED], ["import", "bibtex", "BIB"], ["rekey", "--all"],
    ["resolve", "--offline"], ["add", "10.1145/3575693.3575703", "-s", "training"],
])
def test_commands_that_write_refuse_the_shipped_catalog(run, tmp_path, args):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{new2024, title={A New One}}\n")
    shipped = default_catalog_dir()
    before = tree_bytes(shipped)
    result = run(*[bib if a == "BIB" else a for a in args])
    assert result.exit_code == 2, result.output
    assert "read-only" in result.stderr and "oflbib --catalog DIR" in result.stderr
    assert tree_bytes(shipped) == before


def test_dry_runs_and_readers_use_the_shipped_catalog(run):
    assert run("import", "markdown", SEED, "--dry-run").exit_code == 0
    result = run("rekey", "--all", "--dry-run")
    assert result.exit_code == 0 and re.search(r"^\d+ keys? would change$", result.stderr, re.M)


def test_rekey_counts_in_words(catalog_copy, run):
    path = catalog_copy / "training.yaml"
    path.write_text(path.read_text().replace("key: thorpe2023bamboo", "key: bamboo", 1))
    result = run("--catalog", catalog_copy, "rekey", "bamboo", "--dry-run")
    assert "bamboo -> thorpe2023bamboo" in result.stdout
    assert result.stderr.strip().endswith("1 key would change")


def test_missing_catalog_hint_is_a_command_that_works(tmp_path, run):
    result = run("--catalog", tmp_path / "none", "list")
    assert result.exit_code == 2
    assert "`oflbib --catalog DIR import markdown LIST.md`" in result.stderr


def test_readme_entry_example_and_check(catalog_copy, run):
    """The README's example authors are quoted; written as `[Thorpe, John]` they would
    be two institutions, which check reports."""
    readme = (REPO / "README.md").read_text()
    assert "authors: ['Thorpe, John', " in readme
    path = catalog_copy / "training.yaml"
    text = path.read_text()
    head = text.index("key: thorpe2023bamboo")
    start = text.index("    authors:\n", head)
    end = text.index("\n    year:", start)
    path.write_text(text[:start] + "    authors: [Thorpe, John, Zhao, Pengzhan]" + text[end:])
    result = run("--catalog", catalog_copy, "check")
    assert result.exit_code == 1
    assert "thorpe2023bamboo" in result.output and "'Thorpe', 'John'" in result.output


@pytest.mark.parametrize("given, suggested", [("bib", "bibtex or biblatex"),
                                              ("json", "csljson"), ("BibLaTeX!", None)])
def test_format_names_any_case_and_near_misses_answered(run, given, suggested):
    assert run("export", "--format", "BibTeX").exit_code == 0
    result = run("export", "--format", given)
    assert result.exit_code == 2
    if suggested:
        assert f"did you mean {suggested}?" in result.stderr


def test_build_check_of_a_missing_folder(tmp_path, run):
    result = run("build", "--check", "--out", tmp_path / "nothing")
    assert result.exit_code == 1
    assert "does not exist" in result.stderr and "stale" not in result.stderr


def test_import_help_lists_whole_sentences(run):
    result = run("import", "--help")
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands and "(e.g." not in commands
    assert "Import an awesome-list in Markdown." in commands
