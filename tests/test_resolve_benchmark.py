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
    runs = json.loads(done.stdout)["runs"]
    baseline, cold, warm = (runs["baseline (sequential)"], runs["oflbib resolve, cold"],
                            runs["oflbib resolve, warm"])
    assert [r["violations"] for r in (baseline, cold, warm)] == [0, 0, 0]
    assert cold["crossref"] + cold["arxiv"] < baseline["crossref"] + baseline["arxiv"]
    assert (warm["crossref"], warm["arxiv"]) == (0, 0)
