"""Benchmark `oflbib resolve` against simulated Crossref, dblp and arXiv (see sim.py).

    python benchmarks/resolve/run.py            # the shipped catalog's papers, real delays
    python benchmarks/resolve/run.py --tiny     # 8 papers, short delays: the smoke test
    python benchmarks/resolve/run.py --scenario varied --seed 7   # another builder's simulation

The services hold the shipped catalog's hand-verified papers (and near-miss distractors).
The papers are imported afresh from two lists: `seed`, the list the catalog was made from
(lists/OpenFederatedLearning.md), and `sloppy`, the same papers as another list would write
them (name only, typos, truncated or lower-cased titles, other venue-tag spellings, a year
without its venue). Each is resolved twice with `oflbib resolve` (a subprocess, as a
user runs it): cold, with an empty cache, then warm, which must make no request at all.
For each run: requests per service, limit violations (must be 0), wall time against the
floor the services' limits set; for each cold run, how many papers got each field right
(as the catalog has it), and wrong (must be 0 for identifiers and pages).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # `tests.replay_server`: the services' stand-in, shared with tests

from benchmarks.resolve import sim, varied  # noqa: E402
from tests.replay_server import Corpus  # noqa: E402
from tests.resolve_support import make_catalog  # noqa: E402
from oflbib.catalog.store import load_catalog  # noqa: E402
from oflbib.model import Catalog, Entry  # noqa: E402
from oflbib.resolvers.matching import family_names  # noqa: E402
from oflbib.text import norm_title  # noqa: E402
from oflbib.venues import format_venue_tag  # noqa: E402

MAILTO = "benchmark@example.org"
SEED_LIST = REPO / "lists" / "OpenFederatedLearning.md"
FIELDS = ("title", "authors", "year", "venue", "pages", "doi", "arxiv")
NEVER_WRONG = ("doi", "arxiv", "pages")  # issue 13: no wrong identifier, no wrong pages


def floor(simulation: sim.Simulation) -> float:
    """The least wall time these requests allow under the services' limits (rate only;
    latency and concurrency ignored): the slowest service's requests at its rate."""
    def at_rate(service: sim.LimitedService) -> float:
        limits = service.limits
        return max(service.requests - limits.limit, 0) * limits.interval / limits.limit

    return max(at_rate(service) for service in simulation.services)


def counts(simulation: sim.Simulation, seconds: float) -> dict[str, float]:
    return {"crossref": simulation.crossref.requests, "dblp": simulation.dblp.requests,
            "arxiv": simulation.arxiv.requests,
            "violations": sum(s.violations for s in simulation.services),
            "seconds": round(seconds, 1), "floor": round(floor(simulation), 1)}


# ---- the lists -------------------------------------------------------------------------

def _line(title: str, url: str | None, tag: str) -> str:
    link = f"[{title}]({url})" if url else f"[{title}](https://example.org)"
    return f"- {link} {tag}".rstrip()


def seed_list(truth: Catalog, papers: list[tuple[str, Entry]],
              shipped: bool) -> tuple[str, dict[str, str]]:
    """The list the catalog was made from, and the list's title of each paper -> the
    truth's key: lists/OpenFederatedLearning.md as it is for the shipped catalog (its lines
    for `papers` only, when short of all: --tiny), else the papers' lines from their seeds."""
    keys = {norm_title(listing.seed.title): listing.key for section in truth.sections
            for listing in section.listings if listing.seed}
    if not shipped:
        return _list_of(papers, lambda n, entry: (
            entry.seed.title if entry.seed else entry.title,
            (entry.seed.venue or "") if entry.seed else ""))[0], keys
    text = SEED_LIST.read_text("utf-8")
    if len(papers) < len(keys):
        wanted = {entry.key for _, entry in papers}
        text = "\n".join(line for line in text.splitlines() if not line.startswith("- ")
                         or any(keys.get(title) in wanted for title in _titles_in(line)))
    return text, keys


def _list_of(papers: list[tuple[str, Entry]],
             line: Callable[[int, Entry], tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """A list of the papers by section, each written `line(n, entry)` (title, venue tag)."""
    lines, truth = ["# A list", "", "## Papers"], {}
    section = None
    for n, (name, entry) in enumerate(papers):
        if name != section:
            lines += ["", f"### {name}"]
            section = name
        title, tag = line(n, entry)
        if norm_title(title) in truth:
            # Two papers written alike (a bare name both bear): a list tells them apart, and
            # lines alike would be imported as one entry and scored against either paper.
            title = entry.title
        lines.append(_line(title, (entry.urls or [None])[0], tag))
        truth[norm_title(title)] = entry.key
    return "\n".join(lines) + "\n", truth


def _titles_in(line: str) -> list[str]:
    return [norm_title(title) for title in re.findall(r"\[([^\]]+)\]", line)]


def _typo(title: str, rng: random.Random) -> str:
    words = title.split()
    long = [i for i, w in enumerate(words) if len(w) > 6 and w.isalpha()]
    if not long:
        return title
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def sloppy_title(entry: Entry, n: int, rng: random.Random) -> str:
    title = entry.title
    name, colon, _ = title.partition(":")
    style = n % 6
    if style == 0 and colon and len(name.split()) == 1:
        return name.strip()  # a name-only item: `[KungFu]`
    if style == 1:
        return _typo(title, rng)
    if style == 2 and len(title.split()) > 7:
        return " ".join(title.split()[:max(5, len(title.split()) * 2 // 3)]) + "..."
    if style == 3:
        return title.lower()
    if style == 4 and colon:
        return title.replace(": ", " - ", 1)
    return title


def sloppy_tag(entry: Entry, n: int) -> str:
    if entry.venue in (None, "arXiv") or not entry.year:
        return f"arXiv:{entry.arxiv}" if entry.arxiv else "arXiv"
    tag = format_venue_tag(entry.venue, entry.year)
    full = tag.replace(f"'{entry.year % 100:02d}", f" {entry.year}")  # `NSDI 2023`
    # Seven spellings against sloppy_title's six styles: every pairing comes up. The last
    # gives the year alone: the venue is the sources' to find (a bare name by its code).
    return [tag, tag.replace("'", " '"), full, tag.upper(), f"({full})", f"In {full}",
            f"({entry.year})"][n % 7]


def sloppy_list(papers: list[tuple[str, Entry]], seed: int = 11) -> tuple[str, dict[str, str]]:
    """The same papers as another, sloppier list would write them."""
    rng = random.Random(seed)
    return _list_of(papers, lambda n, entry: (sloppy_title(entry, n, rng),
                                              sloppy_tag(entry, n)))


def varied_list(papers: list[tuple[str, Entry]], seed: int) -> tuple[str, dict[str, str]]:
    """The papers as a third list writes them (varied.py), in another order."""
    rng = random.Random(seed)
    return _list_of(varied.varied_order(papers, seed), lambda n, entry: (
        varied.varied_title(entry, rng), varied.varied_tag(entry, rng)))


def scenario(name: str, truth: Catalog, papers: list[tuple[str, Entry]], shipped: bool,
             seed: int) -> tuple[Corpus, dict[str, tuple[str, dict[str, str]]]]:
    """The services' records and the lists to import: `ours` (sim.py) or `varied`
    (varied.py: other record shapes, distractors, list spellings and orders)."""
    lists = {"seed": seed_list(truth, papers, shipped)}
    if name == "ours":
        return sim.corpus_of(truth), lists | {"sloppy": sloppy_list(papers)}
    return varied.varied_corpus(truth, seed), lists | {
        "sloppy": sloppy_list(varied.varied_order(papers, seed + 1), seed),
        "varied": varied_list(papers, seed + 2)}


# ---- accuracy --------------------------------------------------------------------------

def _value(entry: Entry, field: str) -> object:
    value = getattr(entry, field)
    if field == "authors":
        return tuple(family_names(value)) or None
    if field == "title":
        return norm_title(value) if value else None
    if field == "doi":
        return value.casefold() if value else None
    return value or None


def accuracy(resolved: Catalog, truth: Catalog, keys: dict[str, str]) -> dict[str, dict]:
    """Per field: papers whose truth has a value, how many got it right, and how many got
    a value that is not the truth's (the paper's, or none)."""
    score = {field: {"has": 0, "right": 0, "wrong": 0, "missed": []} for field in FIELDS}
    for entry in resolved.entries.values():
        if entry.kind != "paper" or entry.seed is None:
            continue
        key = keys.get(norm_title(entry.seed.title))
        if key is None:
            continue
        real = truth.entries[key]
        for field in FIELDS:
            want, have = _value(real, field), _value(entry, field)
            tally = score[field]
            tally["has"] += want is not None
            if have == want:
                tally["right"] += want is not None
            elif want is not None or have is not None:
                # A value where the paper has none (a DOI of another work) is wrong too.
                tally["wrong"] += have is not None
                tally["missed"].append(f"{key}: {have!r} not {want!r}"[:160])
    return score


# ---- runs ------------------------------------------------------------------------------

def run_resolve(catalog_dir: Path, cache_dir: Path, simulation: sim.Simulation,
                delays: dict[str, float]) -> dict[str, float]:
    env = {**os.environ, "OFLBIB_CROSSREF_URL": simulation.server.url,
           "OFLBIB_ARXIV_URL": simulation.server.url + "/api/query",
           "OFLBIB_DBLP_URL": simulation.server.url,
           "OFLBIB_CACHE_DIR": str(cache_dir), "OFLBIB_ARXIV_DELAY": str(delays["arxiv"]),
           "OFLBIB_DBLP_DELAY": str(delays["dblp"]), "OFLBIB_MAILTO": MAILTO}
    simulation.reset()
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "oflbib", "--catalog", str(catalog_dir),
                           "resolve", "-q"], env=env, capture_output=True, text=True)
    result = counts(simulation, time.monotonic() - start)
    result["exit"] = done.returncode
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
    return result


def table(results: dict[str, dict], papers: int, delays: dict[str, float]) -> str:
    lines = [f"{papers} papers; arXiv one request per {delays['arxiv']:g} s, dblp one per "
             f"{delays['dblp']:g} s, Crossref polite pool (10 requests/s, 3 at a time)", "",
             "| run | Crossref | dblp | arXiv | requests per paper | limit violations | "
             "wall time | floor set by the limits |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, row in results.items():
        made = row["crossref"] + row["dblp"] + row["arxiv"]
        lines.append(f"| {name} | {row['crossref']} | {row['dblp']} | {row['arxiv']} | "
                     f"{made / papers:.2f} | {row['violations']} | {row['seconds']:.1f} s | "
                     f"{row['floor']:.1f} s |")
    return "\n".join(lines)


def accuracy_table(scores: dict[str, dict]) -> str:
    lines = ["| list | " + " | ".join(FIELDS) + " |", "|---|" + "---:|" * len(FIELDS)]
    for name, score in scores.items():
        cells = [f"{s['right']}/{s['has']} ({100 * s['right'] / max(s['has'], 1):.0f} %)"
                 + (f", {s['wrong']} wrong" if s["wrong"] else "")
                 for s in (score[field] for field in FIELDS)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="8 papers, short delays")
    parser.add_argument("--catalog", type=Path, default=REPO / "catalog")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list the fields missed")
    parser.add_argument("--scenario", choices=("ours", "varied"), default="ours",
                        help="the simulation: ours (sim.py), or varied (varied.py: other "
                             "record shapes, distractors, list spellings and orders)")
    parser.add_argument("--seed", type=int, default=23, help="the varied scenario's seed")
    args = parser.parse_args()

    delays, latency_scale = ({"arxiv": 0.3, "dblp": 0.1}, 0.2) if args.tiny \
        else ({"arxiv": 3.0, "dblp": 1.0}, 1.0)
    truth = load_catalog(args.catalog)
    papers = [(s.name, e) for s, e in truth.ordered() if e.kind == "paper"]
    papers = papers[:8] if args.tiny else papers
    shipped = args.catalog.resolve() == (REPO / "catalog").resolve()
    corpus, lists = scenario(args.scenario, truth, papers, shipped, args.seed)
    simulation = sim.start(corpus, arxiv_delay=delays["arxiv"],
                           dblp_delay=delays["dblp"], latency_scale=latency_scale)
    work = Path(tempfile.mkdtemp(prefix="oflbib-bench-"))
    results, scores = {}, {}
    try:
        for name, (markdown, keys) in lists.items():
            root = make_catalog(work / name, markdown)
            for run in ("cold", "warm"):
                results[f"{name} list, {run}"] = run_resolve(root, work / f"cache-{name}",
                                                             simulation, delays)
                time.sleep(delays["arxiv"])  # arXiv's delay holds between runs too
            scores[name] = accuracy(load_catalog(root), truth, keys)
    finally:
        simulation.server.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"papers": len(papers), "delays": delays, "runs": results,
                          "accuracy": scores}))
    else:
        print(table(results, len(papers), delays))
        print()
        print(accuracy_table(scores))
        if args.misses:
            for name, score in scores.items():
                for field in FIELDS:
                    for miss in score[field]["missed"]:
                        print(f"{name} {field}: {miss}")
    broken = any(r["violations"] or r.get("exit") for r in results.values())
    warm = [r for name, r in results.items() if name.endswith("warm")]
    asked = any(r["crossref"] or r["dblp"] or r["arxiv"] for r in warm)
    wrong = any(s[field]["wrong"] for s in scores.values() for field in NEVER_WRONG)
    return 1 if broken or asked or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
