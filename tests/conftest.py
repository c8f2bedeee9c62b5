"""Shared fixtures: the real seed list, the shipped catalog, a private cache and a CLI runner.

Everything the tests need for behaviour is in the repository: the reading list the shipped
catalog is built from (lists/) and the recorded Crossref/arXiv answers (tests/fixtures/, with
SOURCES.md). Only optional tools come from ../shared (see `tests.consumers.shared`)."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from oflbib.catalog.store import default_catalog_dir, load_catalog
from oflbib.cli import cli

pytest_plugins = ["tests.resolve_conftest"]  # the local Crossref/arXiv replay server

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "lists" / "OpenFederatedLearning.md"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Every test, and every command it starts, caches into a temporary folder: never
    the user's ~/.cache/oflbib (a test's own OFLBIB_CACHE_DIR still takes precedence)."""
    before = os.environ.get("OFLBIB_CACHE_DIR")
    os.environ["OFLBIB_CACHE_DIR"] = str(tmp_path_factory.mktemp("oflbib-cache"))
    yield
    if before is None:
        del os.environ["OFLBIB_CACHE_DIR"]
    else:
        os.environ["OFLBIB_CACHE_DIR"] = before


@pytest.fixture(autouse=True)
def _collector_unfrozen():
    """Commands freeze the cycle collector once the catalog is loaded (a choice for a
    process that exits soon); run in-process here, they must not pile up frozen objects
    from test to test."""
    yield
    gc.unfreeze()


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def shipped_dir() -> Path:
    return default_catalog_dir()


@pytest.fixture
def shipped(shipped_dir):
    return load_catalog(shipped_dir)


@pytest.fixture
def catalog_copy(tmp_path, shipped_dir) -> Path:
    """A writable copy of the shipped catalog."""
    target = tmp_path / "catalog"
    shutil.copytree(shipped_dir, target, ignore=shutil.ignore_patterns(".oflbib*"))
    return target


class Run:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        env = {"OFLBIB_CATALOG": "", "OFLBIB_CACHE_DIR": os.environ.get("OFLBIB_CACHE_DIR", "")}
        return self.runner.invoke(cli, [str(a) for a in args], input=input, env=env,
                                  catch_exceptions=False)


@pytest.fixture(scope="module")
def shipped_catalog():
    """The catalog shipped in the package, loaded once per module (tests must not edit it)."""
    from oflbib.catalog.store import default_catalog_dir, load_catalog

    return load_catalog(default_catalog_dir())


@pytest.fixture
def run() -> Run:
    return Run()


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, for 'nothing was written' assertions."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}
