"""The resolve benchmark runs (in its --tiny form) and keeps its promises."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_the_tiny_benchmark_keeps_the_limits_and_the_warm_run_asks_nothing() -> None:
    done = subprocess.run([sys.executable, "benchmarks/resolve/run.py", "--tiny", "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    runs = figures["runs"]
    assert [r["violations"] for r in runs.values()] == [0] * 4
    for name in ("seed list, warm", "sloppy list, warm"):
        assert (runs[name]["crossref"], runs[name]["dblp"], runs[name]["arxiv"]) == (0, 0, 0)
    cold = runs["seed list, cold"]
    assert 0 < cold["dblp"] < figures["papers"]  # one question per venue-year, not per paper
    for score in figures["accuracy"].values():
        assert score["doi"]["wrong"] == score["arxiv"]["wrong"] == score["pages"]["wrong"] == 0
        assert score["authors"]["right"] >= score["authors"]["has"] // 2
