"""Simulated Crossref and arXiv for the resolve benchmark.

The papers are the catalog's own (every DOI and arXiv id it has, plus a deterministic share
of its other papers, and a look-alike decoy per paper), answered like the real APIs by the
tests' `Corpus`. `LimitedService` puts each API behind its published limits and adds
latency: a request over the limit is counted as a violation and refused (429 for Crossref
with Retry-After, 503 for arXiv), as the services do.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from oflbib.model import Catalog
from tests.replay_server import Corpus, ReplayServer, Reply, Responder, Seen, crossref_item


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
                if over:
                    return Reply(self.limits.refusal, b"rate limit exceeded",
                                 {"retry-after": "1", **self.headers()})
                time.sleep(latency)
                reply = responder(seen)
                reply.headers.update(self.headers())
                return reply
            finally:
                with self._lock:
                    self._in_flight -= 1

        return answer


def corpus_of(catalog: Catalog, seed: int = 5) -> Corpus:
    """The catalog's papers as the services would hold them (deterministic)."""
    rng = random.Random(seed)
    corpus = Corpus()
    papers = [e for e in catalog.entries.values() if e.kind == "paper"]
    for n, entry in enumerate(papers):
        authors = [(p.given, p.family) for p in entry.authors if p.family] \
            or [("Ada", f"Author{n}")]
        year = entry.year or 2022
        doi = entry.doi or (f"10.99999/sim.{n}" if rng.random() < 0.5 else None)
        if doi:
            corpus.works.append(crossref_item(doi, entry.title, authors=authors, year=year,
                                              page=f"{n}-{n + 12}"))
        decoy = entry.title.split(":")[0]
        corpus.works.append(crossref_item(f"10.99998/decoy.{n}",
                                          f"On {decoy} and Related Problems", year=year - 3))
        if entry.arxiv or rng.random() < 0.4:
            corpus.preprints.append({
                "arxiv_id": entry.arxiv or f"2401.{n:05d}", "title": entry.title,
                "authors": [f"{given} {family}" for given, family in authors],
                "published": f"{year - 1}-06-01T00:00:00Z",
                "doi": doi if doi and rng.random() < 0.5 else None})
    return corpus


@dataclass
class Simulation:
    server: ReplayServer
    crossref: LimitedService
    arxiv: LimitedService

    @property
    def services(self) -> Sequence[LimitedService]:
        return (self.crossref, self.arxiv)

    def reset(self) -> None:
        for service in self.services:
            service.reset()


def start(corpus: Corpus, *, arxiv_delay: float, latency_scale: float) -> Simulation:
    server = ReplayServer()
    crossref = LimitedService(crossref_limits(latency_scale), seed=1)
    arxiv = LimitedService(arxiv_limits(arxiv_delay, latency_scale), seed=2)
    server.on(lambda s: s.path.startswith("/works/"), crossref(corpus.crossref_work))
    server.on(lambda s: s.path == "/works", crossref(corpus.crossref_works))
    server.on(lambda s: s.path == "/api/query", arxiv(corpus.arxiv_query))
    return Simulation(server.start(), crossref, arxiv)
