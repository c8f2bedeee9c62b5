"""Fixtures of the resolve tests, loaded for every test module by tests/conftest.py's
`pytest_plugins`; their helpers are in resolve_support.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oflbib.resolvers import manners
from tests.replay_server import ReplayServer
from tests.resolve_support import FakeTiming, make_catalog


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    """The stand-in for Crossref, dblp and arXiv on 127.0.0.1, stopped after the test."""
    server = ReplayServer().start()
    yield server
    server.stop()


@pytest.fixture
def timing() -> FakeTiming:
    return FakeTiming()


@pytest.fixture
def resolve_env(replay: ReplayServer, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The CLI pointed at the replay server, with its own cache, no arXiv or dblp delay and quick
    retries (the waits themselves are tested on a fake clock)."""
    env = {"OFLBIB_CROSSREF_URL": replay.url, "OFLBIB_ARXIV_URL": replay.url + "/api/query",
           "OFLBIB_DBLP_URL": replay.url, "OFLBIB_DBLP_DELAY": "0",
           "OFLBIB_CACHE_DIR": str(tmp_path / "cache"), "OFLBIB_ARXIV_DELAY": "0",
           "OFLBIB_HTTP_TIMEOUT": "2", "OFLBIB_MAILTO": "maintainer@example.org"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OFLBIB_CATALOG", raising=False)
    monkeypatch.setattr(manners, "DEFAULT_RETRY", manners.RetryPolicy(attempts=2, base=0.01))
    return env


@pytest.fixture
def catalog_root(tmp_path: Path) -> Path:
    """A small catalog, imported from resolve_support.LIST_MD."""
    return make_catalog(tmp_path / "catalog")
