"""The resolve benchmark runs (in its --tiny form) and keeps its promises."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("scenario", ["ours", "varied"])
def test_the_tiny_benchmark_keeps_the_limits_and_the_warm_run_asks_nothing(scenario) -> None:
    done = subprocess.run([sys.executable, "benchmarks/resolve/run.py", "--tiny", "--json",
                           "--scenario", scenario],
                          cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    runs = figures["runs"]
    assert [r["violations"] for r in runs.values()] == [0] * len(runs)
    for name in (name for name in runs if name.endswith("warm")):
        assert (runs[name]["crossref"], runs[name]["dblp"], runs[name]["arxiv"]) == (0, 0, 0)
    cold = runs["seed list, cold"]
    # One question per venue-year, not per paper (the varied scenario's distractors and
    # retitled preprints cost questions of their own, and 8 papers share few venue-years).
    assert 0 < cold["dblp"] < figures["papers"] * (1 if scenario == "ours" else 2)
    for score in figures["accuracy"].values():
        assert score["doi"]["wrong"] == score["arxiv"]["wrong"] == score["pages"]["wrong"] == 0
        assert score["authors"]["right"] >= score["authors"]["has"] // 2


def test_the_simulations_near_misses_never_share_a_papers_arxiv_id() -> None:
    from benchmarks.resolve.sim import corpus_of
    from oflbib.model import Catalog, Entry

    # Paper 1's near miss would have been 1902.00001: here a real paper has that id.
    catalog = Catalog(entries={f"p{n}": Entry(key=f"p{n}", kind="paper", title=f"Paper {n}",
                                              arxiv=f"1902.0000{n}") for n in range(3)})
    ids = [p["arxiv_id"] for p in corpus_of(catalog).preprints]
    assert len(ids) == len(set(ids)) == 6
