"""The CLI skeleton: list, show, check, rekey, help, and the shipped catalog."""

from __future__ import annotations

import json
import subprocess
import sys

from oflbib.catalog.store import load_catalog
from tests.conftest import tree_bytes


def test_list_prints_every_entry_by_section(run, shipped):
    result = run("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Frameworks"
    assert "Training" in lines and "Misc" in lines
    listed = [line.split()[0] for line in lines if line.startswith("  ")]
    assert listed == [e.key for _, e in shipped.ordered()]
    assert len(listed) == len(shipped.entries) > 100


def test_list_json_for_scripts(run):
    result = run("list", "--section", "serving-inference", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(records[0]) == {"key", "kind", "title", "authors", "year", "venue", "sections",
                               "urls", "doi", "arxiv"}
    hidet = next(r for r in records if r["key"] == "ding2023hidet")
    assert hidet["sections"] == ["Serving-Inference", "Optimization"]


def test_show_prints_unicode_and_provenance(run):
    result = run("show", "xu2022lambdadnn")
    assert result.exit_code == 0
    assert "\u03bbDNN: Achieving Predictable" in result.stdout
    assert "provenance:" in result.stdout and "seed:" in result.stdout
    missing = run("show", "xu2022lambdadn")
    assert missing.exit_code == 2 and "did you mean xu2022lambdadnn" in missing.stderr


def test_check_reports_coverage_and_fails_on_gaps(run, catalog_copy):
    result = run("--catalog", catalog_copy, "check")
    assert "coverage (papers)" in result.stdout
    assert "authors" in result.stdout and "provenance" in result.stdout
    broken = catalog_copy / "misc.yaml"
    text = broken.read_text()
    broken.write_text(text.replace("venue: SC\n", "venue: NOPE\n", 1))
    result = run("--catalog", catalog_copy, "check")
    assert result.exit_code == 1
    assert "unknown venue 'NOPE' (not in the venue table: write its name as `container: NOPE`" \
        in result.stdout
    broken.write_text(text.replace("venue: SC\n", "venue: nsdi\n", 1))
    result = run("--catalog", catalog_copy, "check")
    assert "unknown venue 'nsdi'; did you mean 'NSDI'?" in result.stdout


def test_check_right_after_an_import_says_what_fills_the_gaps(run, tmp_path):
    listing = tmp_path / "list.md"
    listing.write_text("# Papers\n\n- [Varuna: Scalable, Low-cost Training of Massive Deep "
                       "Learning Models](https://arxiv.org/abs/2111.04007) (EuroSys 2022)\n")
    assert run("--catalog", tmp_path / "c", "import", "markdown", listing).exit_code == 0
    result = run("--catalog", tmp_path / "c", "check")
    assert result.exit_code == 1
    assert "varuna2022: paper has no authors" in result.stdout
    assert "varuna2022: paper has no provenance: no source confirms" in result.stdout
    assert "`oflbib resolve` looks it up" in result.stdout


def test_check_seed_lists_corrections_with_sources(run):
    result = run("check", "--seed")
    table = result.stdout.split("seed corrections", 1)[1].splitlines()[2:]
    rows = [row.split("\t") for row in table if row.count("\t") >= 5]
    assert rows, result.stdout
    by_key = {(r[0], r[1]): r for r in rows}
    kungfu = by_key[("mai2020kungfu", "title")]
    assert kungfu[2] == "KungFu" and kungfu[3].startswith("KungFu: Making Training")
    assert kungfu[4].startswith("https://www.usenix.org/")
    harmonia = by_key[("harmonia", "organisation")]  # a framework's organisation too
    assert harmonia[2:4] == ["AL Labs Taiwan", "Taiwan AI Labs"]
    assert all(r[4].startswith("http") for r in rows)  # every correction has a source


def test_check_and_export_load_no_importer_nor_resolver():
    """The data flows importers -> catalog -> resolvers -> catalog -> exporters: `check`
    (with --seed, which reads the list's titles as the importer does) and `export` read
    the catalog and import neither end before it."""
    program = ("import sys\n"
               "from oflbib.cli import cli\n"
               "for args in (['check', '--seed'], ['export', '-f', 'csljson']):\n"
               "    cli(args, standalone_mode=False)\n"
               "print(*sorted(m for m in sys.modules if m.startswith(('oflbib.importers',\n"
               "      'oflbib.resolvers'))), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=True)
    assert "seed corrections" in result.stdout and '"id": ' in result.stdout
    assert result.stderr.strip() == ""


def test_rekey_is_explicit_and_consistent(run, catalog_copy):
    before = tree_bytes(catalog_copy)
    result = run("--catalog", catalog_copy, "rekey")
    assert result.exit_code == 2 and tree_bytes(catalog_copy) == before
    result = run("--catalog", catalog_copy, "rekey", "--all")
    assert result.exit_code == 0 and "0 keys changed" in result.stderr  # keys follow the scheme
    catalog = load_catalog(catalog_copy)
    catalog_path = catalog_copy / "optimization.yaml"
    catalog_path.write_text(catalog_path.read_text().replace("ding2023hidet", "hidet"))
    serving = catalog_copy / "serving-inference.yaml"
    serving.write_text(serving.read_text().replace("key: ding2023hidet", "key: hidet"))
    result = run("--catalog", catalog_copy, "rekey", "hidet")
    assert result.exit_code == 0 and "hidet -> ding2023hidet" in result.stdout
    again = load_catalog(catalog_copy)
    assert again.entries["ding2023hidet"].sections == catalog.entries["ding2023hidet"].sections


def test_help_teaches(run):
    result = run("--help")
    assert result.exit_code == 0
    for word in ("export", "build", "resolve", "import", "Exit status"):
        assert word in result.stdout
    export_help = run("export", "--help").stdout
    assert "oflbib export --format bibtex > refs.bib" in export_help
