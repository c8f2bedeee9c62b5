"""Benchmark `oflbib resolve` against simulated Crossref and arXiv (see sim.py).

    python benchmarks/resolve/run.py            # the shipped catalog; arXiv at 3 s a request
    python benchmarks/resolve/run.py --tiny     # 8 papers, arXiv at 0.3 s: the smoke test

Three runs over the same papers, each against fresh counters:
  baseline  one title search per paper per source, in sequence, at the published limits
            (habanero and arxiv used plainly, the way a simple script would);
  cold      `oflbib resolve` as a user runs it (a subprocess), with an empty cache;
  warm      the same command again: it must make no request at all.
For each: requests per service, limit violations (must be 0) and wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # `tests.replay_server`: the services' stand-in, shared with tests

from benchmarks.resolve import sim  # noqa: E402
from oflbib.catalog.store import load_catalog  # noqa: E402
from oflbib.model import Entry  # noqa: E402

MAILTO = "benchmark@example.org"


def counts(simulation: sim.Simulation, seconds: float) -> dict[str, float]:
    crossref, arxiv = simulation.crossref.requests, simulation.arxiv.requests
    return {"crossref": crossref, "arxiv": arxiv,
            "violations": sum(s.violations for s in simulation.services),
            "seconds": round(seconds, 1),
            "floor": round(floor(simulation, crossref, arxiv), 1)}


def floor(simulation: sim.Simulation, crossref: int, arxiv: int) -> float:
    """The least wall time these requests allow under the services' limits (rate only;
    latency and concurrency ignored): the slower service's requests at its rate."""
    def at_rate(service: sim.LimitedService, requests: int) -> float:
        limits = service.limits
        return max(requests - limits.limit, 0) * limits.interval / limits.limit

    return max(at_rate(simulation.crossref, crossref), at_rate(simulation.arxiv, arxiv))


def run_baseline(papers: list[Entry], simulation: sim.Simulation,
                 arxiv_delay: float) -> dict[str, float]:
    import arxiv
    from habanero import Crossref

    crossref = Crossref(base_url=simulation.server.url, mailto=MAILTO, timeout=30)
    client = arxiv.Client(page_size=5, delay_seconds=arxiv_delay, num_retries=0)
    client.query_url_format = simulation.server.url + "/api/query?{}"
    simulation.reset()
    start = time.monotonic()
    for entry in papers:
        crossref.works(query_bibliographic=entry.title, limit=5)
        phrase = " ".join(re.findall(r"\w+", entry.title.casefold()))
        list(client.results(arxiv.Search(query=f'ti:"{phrase}"', max_results=5)))
    return counts(simulation, time.monotonic() - start)


def run_resolve(catalog_dir: Path, keys: list[str], cache_dir: Path,
                simulation: sim.Simulation, arxiv_delay: float) -> dict[str, float]:
    env = {**os.environ, "OFLBIB_CROSSREF_URL": simulation.server.url,
           "OFLBIB_ARXIV_URL": simulation.server.url + "/api/query",
           "OFLBIB_CACHE_DIR": str(cache_dir), "OFLBIB_ARXIV_DELAY": str(arxiv_delay),
           "OFLBIB_MAILTO": MAILTO}
    simulation.reset()
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "oflbib", "--catalog", str(catalog_dir),
                           "resolve", "-q", *keys], env=env, capture_output=True, text=True)
    result = counts(simulation, time.monotonic() - start)
    result["exit"] = done.returncode
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
    return result


def table(results: dict[str, dict[str, float]], papers: int, arxiv_delay: float) -> str:
    lines = [f"{papers} papers, arXiv one request per {arxiv_delay:g} s, Crossref polite pool "
             "(10 requests/s, 3 at a time)", "",
             "| run | Crossref requests | arXiv requests | requests per paper | "
             "limit violations | wall time | floor set by the limits |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, row in results.items():
        per_paper = (row["crossref"] + row["arxiv"]) / papers if papers else 0
        lines.append(f"| {name} | {row['crossref']} | {row['arxiv']} | {per_paper:.2f} | "
                     f"{row['violations']} | {row['seconds']:.1f} s | {row['floor']:.1f} s |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="8 papers, arXiv delay 0.3 s")
    parser.add_argument("--catalog", type=Path, default=REPO / "catalog")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    arxiv_delay, latency_scale = (0.3, 0.2) if args.tiny else (3.0, 1.0)
    catalog = load_catalog(args.catalog)
    papers = [e for _, e in catalog.ordered() if e.kind == "paper"][: 8 if args.tiny else None]
    simulation = sim.start(sim.corpus_of(catalog), arxiv_delay=arxiv_delay,
                           latency_scale=latency_scale)
    work = Path(tempfile.mkdtemp(prefix="oflbib-bench-"))
    try:
        copy = work / "catalog"
        shutil.copytree(args.catalog, copy, ignore=shutil.ignore_patterns(".oflbib*"))
        keys = [e.key for e in papers] if args.tiny else []
        results = {}
        if args.baseline:
            results["baseline (sequential)"] = run_baseline(papers, simulation, arxiv_delay)
            # arXiv's delay holds between clients too: the next run starts no sooner.
            time.sleep(arxiv_delay)
        results["oflbib resolve, cold"] = run_resolve(copy, keys, work / "cache", simulation,
                                                      arxiv_delay)
        time.sleep(arxiv_delay)
        results["oflbib resolve, warm"] = run_resolve(copy, keys, work / "cache", simulation,
                                                      arxiv_delay)
    finally:
        simulation.server.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"papers": len(papers), "arxiv_delay": arxiv_delay, "runs": results}))
    else:
        print(table(results, len(papers), arxiv_delay))
    broken = any(r["violations"] or r.get("exit") for r in results.values())
    return 1 if broken or results["oflbib resolve, warm"]["crossref"] \
        or results["oflbib resolve, warm"]["arxiv"] else 0


if __name__ == "__main__":
    sys.exit(main())
