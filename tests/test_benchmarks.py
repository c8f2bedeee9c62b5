"""The benchmark scripts run, and the fast paths they measure give exactly what the
reference paths give. No timings are asserted (the README's Performance section has them)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oflbib.catalog import store
from oflbib.catalog.store import load_catalog
from oflbib.checks import ERROR, lint
from oflbib.exporters.csljson import _indented, csl_item, csljson_chunks
from oflbib.exporters.reference import groups
from tests.conftest import REPO, tree_bytes

BENCHMARKS = REPO / "benchmarks"
HEADER = store._HEADER


@pytest.fixture(scope="module")
def synth():
    spec = importlib.util.spec_from_file_location("synth", BENCHMARKS / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def synthetic(synth, tmp_path_factory) -> Path:
    return synth.write(300, tmp_path_factory.mktemp("synth")) / "catalog"


def catalogs(synthetic: Path) -> list[Path]:
    return [store.default_catalog_dir(), synthetic]


# ---- the scripts ---------------------------------------------------------------------

def test_synthetic_catalog_is_deterministic_valid_and_varied(synth, synthetic, tmp_path):
    again = synth.write(300, tmp_path / "again") / "catalog"
    assert tree_bytes(again) == tree_bytes(synthetic)
    catalog = load_catalog(synthetic)
    assert len(catalog.entries) == 300 and len(catalog.sections) == len(synth.SECTIONS)
    assert not [f for f in lint(catalog) if f.level == ERROR]
    types = {r.entry_type for g in groups(catalog) for r in g.references}
    assert types == {"inproceedings", "article", "preprint", "misc", "software", "online"}
    assert any(not lst.home for s in catalog.sections for lst in s.listings)  # see: entries
    names = "".join(str(a) for e in catalog.entries.values() for a in e.authors)
    assert {"λ", "ü"} & set("".join(e.title for e in catalog.entries.values()) + names)
    assert any("\u4e00" <= c <= "\u9fff" for c in names)  # CJK names


def test_runner_runs_on_a_tiny_catalog_with_the_resolve_hook(tmp_path):
    """Where hyperfine and pandoc are missing (only this Python's folder on PATH): their
    rows go, and the export's imports are still measured from a warm cache."""
    hook = "{python} -m oflbib --catalog {catalog} check --quiet"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "40", "--runs", "1",
         "--startup-runs", "2", "--work", str(tmp_path), "--json", str(tmp_path / "r.json"),
         "--resolve-cmd", hook, "--resolve-size", "40"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PATH": str(Path(sys.executable).parent)})
    assert done.returncode == 0, done.stderr
    assert "hyperfine not found" in done.stderr
    assert "| export bibtex |" in done.stdout and "| resolve (hook) |" in done.stdout
    measured = json.loads((tmp_path / "r.json").read_text())
    labels = {row["label"] for row in measured["rows"]}
    assert {"export csljson", "export bibtex (cold cache)", "check", "build",
            "import markdown", "resolve (hook)"} <= labels
    assert not {"yaml", "jsonschema", "ruamel", "requests", "rich", "habanero", "arxiv",
                "httpx", "httpx2", "urllib3", "bibtexparser", "rapidfuzz",
                "ftfy"} & set(measured["imports"])


def test_csljson_writer_gives_json_dumps_text(synthetic):
    for root in catalogs(synthetic):
        grouped = groups(load_catalog(root))
        items = [csl_item(r) for g in grouped for r in g.references]
        text = "".join(csljson_chunks(grouped))
        assert text == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    assert "".join(csljson_chunks([])) == "[]\n"
    for value in [{}, [], {"a": [], "b": {}}, [1, True, None, 2.5, "q\"\\\n\u2028é😀"],
                  {"issued": {"date-parts": [[2023]]}}]:
        assert _indented(value, "") == json.dumps(value, ensure_ascii=False, indent=2)
