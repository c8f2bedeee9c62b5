"""Helpers for the resolve tests: a fake clock, sources pointed at the replay server, a small
catalog and the papers the simulated services hold for it."""

from __future__ import annotations

import random
from pathlib import Path

from click.testing import CliRunner, Result

from oflbib.catalog.store import load_catalog, save_catalog
from oflbib.cli import cli
from oflbib.importers.markdown import merge_into, read_markdown
from oflbib.model import Catalog
from oflbib.resolvers.arxiv import ArxivSource
from oflbib.resolvers.crossref import CrossrefSource
from oflbib.resolvers.dblp import DblpSource
from oflbib.resolvers.manners import RetryPolicy, Timing
from tests.replay_server import (
    Corpus, ReplayServer, Seen, arxiv_ids, crossref_item, crossref_search,
)

TODAY_PATTERN = r"\d{4}-\d{2}-\d{2}"


class FakeTiming(Timing):
    """The real pacing and retry logic on a clock that moves only when something sleeps,
    so no test waits for arXiv's three seconds or a backoff."""

    def __init__(self) -> None:
        self.now = 1000.0
        super().__init__(clock=lambda: self.now, rng=random.Random(7))
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.check()
        self.slept.append(seconds)
        self.now += max(0.0, seconds)


def crossref_source(server: ReplayServer, timing: Timing, *,
                    mailto: str | None = "me@example.org", timeout: float = 2.0,
                    policy: RetryPolicy | None = None) -> CrossrefSource:
    return CrossrefSource(server.url, mailto=mailto, user_agent="oflbib/test (mailto:me)",
                          timeout=timeout, timing=timing, policy=policy)


def arxiv_source(server: ReplayServer, timing: Timing, *, timeout: float = 2.0,
                 delay: float = 3.0, policy: RetryPolicy | None = None) -> ArxivSource:
    return ArxivSource(server.url + "/api/query", user_agent="oflbib/test", timeout=timeout,
                       timing=timing, delay=delay, policy=policy)


def dblp_source(server: ReplayServer, timing: Timing, *, timeout: float = 2.0,
                delay: float = 1.0, policy: RetryPolicy | None = None) -> DblpSource:
    return DblpSource(server.url, user_agent="oflbib/test", timeout=timeout, timing=timing,
                      delay=delay, policy=policy)


LIST_MD = """\
# Test list

## Papers

### Training
- [Bamboo: Making Preemptible Instances Resilient for Affordable Training of Large DNNs](https://github.com/x/bamboo) NSDI'23
- [FastMoE: A Fast Mixture-of-Expert Training System](https://github.com/x/fastmoe)  arXiv preprint arXiv:2103.13262
- [Varuna: Scalable, Low-cost Training of Massive Deep Learning Models](https://github.com/x/varuna) Eurosys'22
- [KungFu](https://github.com/x/kungfu) OSDI'20

### Serving
- [A Paper Nobody Has Heard Of At All](https://github.com/x/nobody) ATC'21
- Tool, Somebody, https://github.com/x/tool
"""

BAMBOO = crossref_item(
    "10.9999/nsdi23.bamboo",
    "Bamboo: Making Preemptible Instances Resilient for Affordable Training of Large DNNs",
    authors=[("John", "Thorpe"), ("Pengzhan", "Zhao")], year=2023, page="497-513",
    container="20th USENIX Symposium on Networked Systems Design and Implementation (NSDI 23)",
    publisher="USENIX Association")
VARUNA = crossref_item(
    "10.1145/3492321.3519584",
    "Varuna: Scalable, Low-Cost Training of Massive Deep Learning Models",
    authors=[("Sanjith", "Athlur"), ("Nitika", "Saran")], year=2022, page="472-487",
    container="Proceedings of the Seventeenth European Conference on Computer Systems")
VARUNA_DECOY = crossref_item(
    "10.1145/0000000.0000001", "Scalable Training of Deep Learning Models on a Budget",
    authors=[("Some", "Body")], year=2022)
FASTMOE = {"arxiv_id": "2103.13262", "title": "FastMoE: A Fast Mixture-of-Expert Training System",
           "authors": ["Jiaao He", "Jiezhong Qiu", "Aohan Zeng"],
           "published": "2021-03-24T15:00:00Z"}
VARUNA_PREPRINT = {"arxiv_id": "2111.04007",
                   "title": "Varuna: Scalable, Low-cost Training of Massive Deep Learning Models",
                   "authors": ["Sanjith Athlur", "Nitika Saran"],
                   "published": "2021-11-08T10:00:00Z", "doi": "10.1145/3492321.3519584",
                   "journal_ref": "EuroSys '22"}


def bamboo_search(seen: Seen) -> bool:
    """Crossref's title search for the Bamboo paper."""
    return crossref_search(seen) and "Bamboo" in (seen.param("query.bibliographic") or "")


def fastmoe_lookup(seen: Seen) -> bool:
    """arXiv's lookup of FastMoE by its id."""
    return seen.path == "/api/query" and arxiv_ids(seen) == [FASTMOE["arxiv_id"]]


def small_corpus() -> Corpus:
    return Corpus(works=[BAMBOO, VARUNA, VARUNA_DECOY], preprints=[FASTMOE, VARUNA_PREPRINT])


def make_catalog(root: Path, markdown: str = LIST_MD) -> Path:
    """A catalog folder imported from a Markdown list, as `oflbib import markdown` makes it."""
    source = root.parent / f"{root.name}.md"
    source.write_text(markdown, encoding="utf-8")
    catalog = Catalog()
    merge_into(catalog, read_markdown(source))
    save_catalog(catalog, root)
    return root


def oflbib(catalog: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--catalog", str(catalog), *args], catch_exceptions=False)


def catalog_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.glob("*.yaml"))}


def load(root: Path) -> Catalog:
    return load_catalog(root)
