"""Simulated Crossref, dblp and arXiv for the resolve benchmark.

The papers are the catalog's own (every DOI and arXiv id it has, plus a deterministic share
of its other papers, and a look-alike decoy per paper), answered like the real APIs by the
tests' `Corpus`. `LimitedService` puts each API behind its published limits and adds
latency: a request over the limit is counted as a violation and refused (429 for Crossref
and dblp with Retry-After, 503 for arXiv), as the services do.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from oflbib.keys import ascii_fold
from oflbib.model import Catalog, Entry
from oflbib.resolvers.matching import code_links, title_similarity
from tests.replay_server import (
    Corpus, ReplayServer, Reply, Responder, Seen, crossref_item, dblp_corr_info, dblp_info,
)


@dataclass(frozen=True)
class Limits:
    limit: int  # requests per interval, counted at arrival over a sliding window
    interval: float
    concurrency: int
    latency: tuple[float, float]  # seconds, uniformly drawn per request
    refusal: int  # the status an over-limit request gets


def crossref_limits(latency_scale: float = 1.0) -> Limits:
    """The polite pool as Crossref announced it in 2026: 10 requests/s, 3 at a time."""
    return Limits(10, 1.0, 3, (0.2 * latency_scale, 0.5 * latency_scale), 429)


def dblp_limits(delay: float, latency_scale: float = 1.0) -> Limits:
    """dblp's etiquette: at least `delay` (1) second between requests; 429 beyond."""
    return Limits(1, delay, 1, (0.1 * latency_scale, 0.4 * latency_scale), 429)


def arxiv_limits(delay: float, latency_scale: float = 1.0) -> Limits:
    """arXiv's terms: one request every `delay` (3) seconds, on a single connection."""
    return Limits(1, delay, 1, (0.3 * latency_scale, 0.8 * latency_scale), 503)


class LimitedService:
    """Counts requests and limit violations of one API, and answers slowly."""

    def __init__(self, limits: Limits, seed: int) -> None:
        self.limits = limits
        self.requests = 0
        self.violations = 0
        self._arrivals: deque[float] = deque()
        self._in_flight = 0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        return {"x-rate-limit-limit": str(self.limits.limit),
                "x-rate-limit-interval": f"{self.limits.interval:g}s",
                "x-concurrency-limit": str(self.limits.concurrency)}

    def reset(self) -> None:
        with self._lock:
            self.requests = self.violations = 0

    def __call__(self, responder: Responder) -> Responder:
        def answer(seen: Seen) -> Reply:
            with self._lock:
                now = time.monotonic()
                while self._arrivals and self._arrivals[0] <= now - self.limits.interval:
                    self._arrivals.popleft()
                self._arrivals.append(now)
                self._in_flight += 1
                self.requests += 1
                over = len(self._arrivals) > self.limits.limit \
                    or self._in_flight > self.limits.concurrency
                self.violations += over
                latency = self._rng.uniform(*self.limits.latency)
            try:
                if over:  # dblp's 429 has an empty body and only Retry-After
                    return Reply(self.limits.refusal, b"", {"retry-after": "1"})
                time.sleep(latency)
                reply = responder(seen)
                reply.headers.update(self.headers())
                return reply
            finally:
                with self._lock:
                    self._in_flight -= 1

        return answer


def _family_first(entry: Entry, n: int) -> list[tuple[str, str]]:
    return [(p.given, p.family) for p in entry.authors if p.family] or [("Ada", f"Author{n}")]


def _name_and_rest(title: str) -> tuple[str | None, str]:
    name, colon, rest = title.partition(":")
    return (name.strip(), rest.strip()) if colon and len(name.split()) <= 3 else (None, title)


_FILLER = ("Scalable", "Efficient", "Adaptive", "Learned", "Distributed", "Elastic", "Secure",
           "Fast", "Robust", "Practical", "Memory", "Storage", "Network", "Kernel", "Cache",
           "Query", "Graph", "Stream", "Consensus", "Scheduling", "Compilation", "Indexing",
           "Replication", "Verification", "Serverless", "Transactions", "Accelerators")


def _filler_title(rng: random.Random) -> str:
    words = rng.sample(_FILLER, 5)
    return f"{words[0]}{rng.randint(1, 99)}: {' '.join(words[1:])} for Modern Systems"


def _preprint_title(entry: Entry) -> str:
    """A list that titles a paper otherwise than its publication mostly copied the
    preprint's title: that is the arXiv record's title then."""
    listed = entry.seed.title if entry.seed else entry.title
    if len(listed.split()) >= 4 and title_similarity(listed, entry.title) < 0.9:
        return listed
    return entry.title


def _near_arxiv_id(n: int, taken: set[str]) -> str:
    """The near miss of paper `n` has an arXiv id of its own: one no paper of the catalog
    has (an id two records share would be a broken service, not a near miss)."""
    return next(ident for year in (19, 18, 17, 16) for month in range(12)
                if (ident := f"{year}{(n + month) % 12 + 1:02d}.{n:05d}") not in taken)


def _abstract(entry: Entry, n: int) -> str | None:
    """The abstract of a paper that links its code: the list's repository, or (every other
    paper) the authors' own of which the list links a fork, as lists often do."""
    repos = code_links(entry.urls)
    if not repos:
        return None
    owner, _, name = repos[0].partition("/")
    home = owner if n % 2 else f"authors-lab-{n}"
    return (f"We present {entry.title}, and evaluate it on real workloads. The code is "
            f"available at https://github.com/{home}/{name}.")


def _near_abstract(entry: Entry, n: int) -> str:
    """A near miss links code of its own (another repository)."""
    repos = code_links(entry.urls)
    name = repos[0].partition("/")[2] if repos else "system"
    return f"We revisit an old question at scale. Code: https://github.com/near-{n}/{name}-v2"


def _jats(abstract: str | None) -> str | None:
    """An abstract as Crossref sends a deposited one: JATS, the link an ext-link."""
    if abstract is None:
        return None
    text, _, url = abstract.rpartition(" https://")
    url = "https://" + url.rstrip(".")
    return (f"<jats:p>{text} <jats:ext-link xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
            f"xlink:href=\"{url}\">{url}</jats:ext-link>.</jats:p>")


def corpus_of(catalog: Catalog, seed: int = 5, fillers: int = 12) -> Corpus:
    """The catalog's papers as the services would hold them (deterministic), from its
    hand-verified fields: Crossref knows the papers that have a DOI, arXiv those with an
    arXiv id, dblp every published paper (authors with homonym numbers now and then) and a
    CoRR record per arXiv id. Around them: for every paper a near-miss at each service
    (the same system name or most of the title, other authors, another year, its own
    code), and for every venue-year `fillers` other papers of those proceedings. A paper
    that links its code names it in its preprint's abstract, and in its Crossref record's
    for every third paper (publishers deposit some abstracts)."""
    from oflbib.resolvers.dblp import DBLP_VENUE_NAMES

    rng = random.Random(seed)
    corpus = Corpus()
    papers = [e for e in catalog.entries.values() if e.kind == "paper"] + catalog.cited()
    venue_years: set[tuple[str, int]] = set()
    arxiv_ids = {e.arxiv for e in papers if e.arxiv}
    for n, entry in enumerate(papers):
        authors = _family_first(entry, n)
        names = [f"{given} {family}".strip() for given, family in authors]
        year = entry.year or 2022
        name, rest = _name_and_rest(entry.title)
        near = f"{name}: Revisiting {rest.split()[-1]} at Scale" if name \
            else " ".join(entry.title.split()[:-2] + ["in", "Practice"])
        journal = entry.venue in ("VLDB", "TPDS", "TC", "SIGMETRICS")
        abstract = _abstract(entry, n)
        if entry.doi:
            corpus.works.append(crossref_item(
                entry.doi, entry.title, authors=authors, year=year, page=entry.pages,
                work_type="journal-article" if journal else "proceedings-article",
                container=entry.container, publisher=entry.publisher or "ACM",
                abstract=_jats(abstract) if n % 3 == 0 else None))
        corpus.works.append(crossref_item(f"10.99998/near.{n}", near, year=year - 2,
                                          authors=[("Bo", "Near"), ("Li", "Miss")]))
        preprint_title = _preprint_title(entry)
        if entry.arxiv:
            corpus.preprints.append({
                "arxiv_id": entry.arxiv, "title": preprint_title, "authors": names,
                "published": f"20{entry.arxiv[:2]}-{entry.arxiv[2:4]}-10T00:00:00Z",
                "doi": entry.doi if entry.doi and rng.random() < 0.5 else None,
                **({"summary": abstract} if abstract else {})})
        corpus.preprints.append({
            "arxiv_id": _near_arxiv_id(n, arxiv_ids), "title": near,
            "authors": ["Bo Near", "Li Miss"], "published": "2019-05-01T00:00:00Z",
            "summary": _near_abstract(entry, n)})
        dblp_names = [f"{person} 000{k % 3 + 1}" if (n + k) % 7 == 0 else person
                      for k, person in enumerate(names)]
        if entry.venue and entry.venue != "arXiv":
            venue = DBLP_VENUE_NAMES.get(entry.venue, entry.venue)
            family = ascii_fold(authors[0][1]).capitalize() or "X"
            corpus.dblp.append(dblp_info(
                f"{'journals' if journal else 'conf'}/{entry.venue.lower()}/{family}{n}{year % 100}",
                entry.title, authors=dblp_names, venue=venue, year=year,
                pages=entry.pages.replace("--", "-") if entry.pages else None,
                volume=entry.volume, number=entry.number, doi=entry.doi,
                kind="Journal Articles" if journal else "Conference and Workshop Papers"))
            venue_years.add((venue, year))
        if entry.arxiv:
            corpus.dblp.append(dblp_corr_info(entry.arxiv, preprint_title, authors=dblp_names,
                                              year=2000 + int(entry.arxiv[:2])))
        corpus.dblp.append(dblp_info(f"conf/near/Near{n}", near, authors=["Bo Near", "Li Miss"],
                                     venue=rng.choice(["HotOS", "APSys", "CLUSTER"]),
                                     year=year - 2))
    for venue, year in sorted(venue_years):
        for k in range(fillers):
            corpus.dblp.append(dblp_info(f"conf/fill/{venue[:6]}{year}x{k}", _filler_title(rng),
                                         authors=[f"Filler {k}", "Other Person"], venue=venue,
                                         year=year, pages=f"{k * 10 + 1}-{k * 10 + 9}"))
    return corpus


@dataclass
class Simulation:
    server: ReplayServer
    crossref: LimitedService
    arxiv: LimitedService
    dblp: LimitedService

    @property
    def services(self) -> Sequence[LimitedService]:
        return (self.crossref, self.dblp, self.arxiv)

    def reset(self) -> None:
        for service in self.services:
            service.reset()


def start(corpus: Corpus, *, arxiv_delay: float, dblp_delay: float,
          latency_scale: float) -> Simulation:
    server = ReplayServer()
    crossref = LimitedService(crossref_limits(latency_scale), seed=1)
    arxiv = LimitedService(arxiv_limits(arxiv_delay, latency_scale), seed=2)
    dblp = LimitedService(dblp_limits(dblp_delay, latency_scale), seed=3)
    server.on(lambda s: s.path.startswith("/works/"), crossref(corpus.crossref_work))
    server.on(lambda s: s.path == "/works", crossref(corpus.crossref_works))
    server.on(lambda s: s.path == "/api/query", arxiv(corpus.arxiv_query))
    server.on(lambda s: s.path == "/search/publ/api", dblp(corpus.dblp_search))
    server.on(lambda s: s.path.startswith("/rec/"), dblp(corpus.dblp_record))
    return Simulation(server.start(), crossref, arxiv, dblp)
