"""The fast paths (canonical YAML, the compiled schema check, the compiled cache) give
exactly what the reference libraries give, and `OFLBIB_NO_FASTPATH=1` turns them off: the
catalog and export tests run once more through PyYAML, ruamel.yaml and jsonschema alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from oflbib.catalog import canonical, compiled, schema, store, yamlfiles
from oflbib.catalog.quickcheck import compile_schema
from oflbib.catalog.store import load_catalog, manifest_data, section_file_data
from tests.conftest import REPO
from tests.test_benchmarks import catalogs, private_cache, synth, synthetic  # noqa: F401

HEADER = store._HEADER


# ---- the fast paths ------------------------------------------------------------------

def catalog_file_data(root: Path) -> list[dict]:
    catalog = load_catalog(root)
    return [manifest_data(catalog)] + [section_file_data(catalog, s) for s in catalog.sections]


def test_canonical_writer_gives_ruamels_bytes_and_a_stable_file(synthetic):
    written = 0
    for root in catalogs(synthetic):
        for data in catalog_file_data(root):
            try:
                fast = canonical.write(data, HEADER).encode()
            except canonical.NotCanonical:
                continue  # ruamel writes it (the manifest's prose blocks)
            written += 1
            assert fast == yamlfiles.render_round_trip(data, None, HEADER)
            # a later comment-keeping save of the same data keeps every byte
            assert yamlfiles.render_round_trip(data, fast.decode(), HEADER) == fast
    assert written >= 10


TRICKY = ["yes", "on", "No", "TRUE", "1:30", "0123", "-5", "7", "2204.12013", "1e3", ".inf",
          "null", "~", "=", "<<", "2026-11-25", "", " lead", "trail ", "a: b", "a:", ":a",
          "a #b", "a#b", "#x", "- x", "-x", "? x", "?x", "it's", "it's: so", 'say "hi"',
          "back\\slash", "both ' and \\", "---", "...x", "@x", "`x", "%x", "!x", "&x", "*x",
          "|x", ">x", "[x]", "{x}", "a, b", "λDNN", "日本語", "nb\xa0sp", "nb\xa0sp's", "tab\tx",
          "line\nbreak", "nel\x85x", "sep\u2028x", "bom\ufeffx", "del\x7fx", "😀 emoji",
          "long words " * 900, "long it's " * 900, "long: colon " * 900]


@pytest.mark.parametrize("text", TRICKY)
def test_canonical_paths_agree_with_the_libraries_on_tricky_text(text):
    data = {"section": "S", "entries": [{"key": "k", "title": text, "urls": [text, "x"]}]}
    try:
        written = canonical.write(data, HEADER)
    except canonical.NotCanonical:
        written = yamlfiles.render_round_trip(data, None, HEADER).decode()
    else:
        assert written.encode() == yamlfiles.render_round_trip(data, None, HEADER)
    loader = yamlfiles.strict_loader()
    try:
        assert canonical.read(written, loader.yaml_implicit_resolvers) == \
            yaml.load(written, Loader=loader)
    except canonical.NotCanonical:
        pass  # PyYAML reads it


@pytest.mark.parametrize("text", [
    "a: 1\n# note\nb:\n  - x\n  # between\n  - y\n",
    "a:\n- x\n", "a: [x, y]\n", "a: {b: c}\n", "a: |\n  text\n", "a: &r x\nb: *r\n",
    "a: x\n  y\n", "a:\n   b: c\n", "a: 'it''s'\n", 'a: "q\\"uote"\n', 'a: "tab\\t"\n',
    "a: x # comment\n", "on: x\n", "a: 010\n", "a: 1_000\n", "- x\n", "a: b\n---\nc: d\n",
    "a:\n  - b: 1\n    c:\n      - d\n  - e\n", "a: \n  b: c\n", "a:\n", "x: ''\n",
])
def test_canonical_reader_matches_pyyaml_or_declines(text):
    loader = yamlfiles.strict_loader()
    try:
        expected = yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        expected = "error"
    try:
        got = canonical.read(text, loader.yaml_implicit_resolvers)
    except canonical.NotCanonical:
        return
    assert repr(got) == repr(expected)


def test_canonical_reader_reads_every_shipped_and_synthetic_file(synthetic):
    loader = yamlfiles.strict_loader()
    for root in catalogs(synthetic):
        for path in sorted(root.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if path.name == store.MANIFEST and root != synthetic:
                continue  # the shipped manifest has prose blocks: PyYAML reads those
            assert repr(canonical.read(text, loader.yaml_implicit_resolvers)) == \
                repr(yaml.load(text, Loader=loader)), path


def mutations(entry: dict) -> list[dict]:
    """Entries that break the schema in the ways people and tools do."""
    changes = [("year", "twenty"), ("year", True), ("year", 99), ("kind", "article"),
               ("key", "thorpe 2023"), ("colour", "blue"), ("title", ""), ("authors", "X"),
               ("doi", "doi:10.1/x"), ("arxiv", "2204.1"), ("urls", ["ftp://x"]),
               ("seed", {"venue": "NSDI'23"}), ("provenance", {"title": {"via": "manual"}}),
               ("provenance", {"title": "not a url"}), ("entry_type", "Not a type!"), ("volume", [1]),
               ("month", 13), ("authors", [{"von": "van"}]), ("verbatim", {"note": 1})]
    return [{**entry, name: value} for name, value in changes] + \
        [{k: v for k, v in entry.items() if k != "kind"}]  # a required field missing


def test_quick_check_accepts_what_jsonschema_accepts_and_nothing_it_rejects(synthetic):
    check = compile_schema(schema.SECTION_FILE)
    validator = store._validator(schema.SECTION_FILE)
    for root in catalogs(synthetic):
        for data in catalog_file_data(root)[1:]:
            assert check(data) and validator.is_valid(data)
            entry = next(e for e in data["entries"] if "key" in e)
            for bad in mutations(entry):
                broken = {**data, "entries": [bad]}
                assert not validator.is_valid(broken), bad
                assert not check(broken), bad
    manifest = catalog_file_data(store.default_catalog_dir())[0]
    assert compile_schema(schema.MANIFEST)(manifest)
    assert not compile_schema(schema.MANIFEST)({**manifest, "layout": [{"level": 9}]})


def test_compiled_cache_answers_the_second_load_and_survives_damage(catalog_copy,
                                                                     monkeypatch):
    first = load_catalog(catalog_copy)
    entries = sorted(compiled.cache_folder().glob(f"*{compiled.SUFFIX}"))
    assert len(entries) == len(first.sections) + 1

    def no_parse(*args):
        raise AssertionError("parsed although the cache holds these bytes")

    with monkeypatch.context() as patch:
        patch.setattr(store, "_parse_and_validate", no_parse)
        assert load_catalog(catalog_copy) == first
    entries[0].write_bytes(entries[0].read_bytes()[:20])  # a torn entry is parsed again
    assert load_catalog(catalog_copy) == first
    # an edit is a new entry; an invalid file is reported, never stored
    path = catalog_copy / "training.yaml"
    path.write_text(path.read_text().replace("year: 2023", "year: twenty", 1))
    with pytest.raises(store.OflbibError, match="year must be an integer"):
        load_catalog(catalog_copy)
    assert len(list(compiled.cache_folder().glob(f"*{compiled.SUFFIX}"))) == len(entries)


def test_unwritable_cache_is_skipped_silently(catalog_copy, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(blocker))
    assert load_catalog(catalog_copy) == load_catalog(catalog_copy)


def test_the_switch_turns_every_fast_path_off(catalog_copy, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a fast path ran")

    monkeypatch.setenv("OFLBIB_NO_FASTPATH", "1")
    for module, name in ((canonical, "read"), (canonical, "write"), (compiled, "_lookup"),
                         (compiled, "_store"), (store, "_quick_check")):
        monkeypatch.setattr(module, name, refuse)
    catalog = load_catalog(catalog_copy)
    store.save_catalog(catalog, catalog_copy)
    assert compiled.rendered(catalog_copy, ("x",), lambda: b"out") == b"out"


def test_catalog_and_export_tests_pass_through_the_reference_libraries():
    environment = {**os.environ, "OFLBIB_NO_FASTPATH": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
         "tests/test_catalog.py", "tests/test_export.py", "tests/test_fields.py"],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
