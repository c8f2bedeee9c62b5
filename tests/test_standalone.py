"""The repository stands alone: a clone with no ../shared runs every behaviour test, and
the tests never touch the user's cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _pytest.outcomes import Failed, Skipped

from oflbib.catalog.files import cache_root
from tests import consumers
from tests.conftest import FIXTURES, REPO, SEED


def test_every_fixture_has_its_provenance():
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    described = set(re.findall(r"^### `([^`]+)`", sources, re.M))
    files = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*")
             if p.is_file() and p.name != "SOURCES.md" and p.parent == FIXTURES / p.parent.name
             and p.parent.name in ("crossref", "arxiv", "csl")}
    assert files and files <= described, files - described


def test_tests_read_no_shared_material_for_behaviour():
    """Only tests.consumers may look beside the repository (for optional tools)."""
    for path in sorted((REPO / "tests").glob("*.py")):
        if path.name in ("consumers.py", Path(__file__).name):
            continue
        text = path.read_text(encoding="utf-8")
        assert "OFLBIB_SHARED" not in text and '"shared"' not in text, path


def test_the_list_in_the_repository_is_the_one_the_catalog_was_built_from(shipped):
    """lists/ holds the reading list, byte for byte (mojibake included), that the shipped
    catalog keeps the text of: every listing's title is in it."""
    text = " ".join(SEED.read_text(encoding="utf-8").split())  # a title runs over two lines
    assert "lists/OpenFederatedLearning.md" in (REPO / "README.md").read_text()
    titles = [e.seed.title for e in shipped.entries.values() if e.seed and e.seed.title]
    assert titles and all(" ".join(t.split()) in text for t in titles)


def test_tests_cache_in_a_temporary_folder():
    home = Path("~/.cache/oflbib").expanduser().resolve()
    root = cache_root().resolve()
    assert root != home and home not in root.parents


@pytest.mark.parametrize("ci, outcome", [("", Skipped), ("false", Skipped),
                                         ("true", Failed), ("1", Failed)])
def test_a_missing_shared_tool_skips_except_under_ci(monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setattr(consumers, "SHARED", tmp_path)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="absent"):
        consumers.shared("zotero/zotero-import")
    (tmp_path / "zotero").mkdir()
    (tmp_path / "zotero" / "zotero-import").write_text("")
    assert consumers.shared("zotero/zotero-import") == tmp_path / "zotero" / "zotero-import"
