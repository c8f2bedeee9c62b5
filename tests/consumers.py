"""Running the real tools that judge our output: pdflatex+bibtex, biber, pandoc."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require(tool: str) -> str:
    """The tool's path; CI installs every tool, so there a missing one fails the test."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (.ci/run installs it with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run_tool(args: list[str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          errors="replace", stdin=subprocess.DEVNULL)


def natbib_document(keys: list[str], bib: str = "refs") -> str:
    cites = ",".join(keys)
    return (
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage[numbers]{natbib}\n\\usepackage{url}\n"
        f"\\begin{{document}}\nCiting \\cite{{{cites}}}.\n"
        f"\\bibliographystyle{{plainnat}}\n\\bibliography{{{bib}}}\n\\end{{document}}\n")


def compile_natbib(folder: Path, bib_text: str, keys: list[str]) -> tuple[str, str]:
    """pdflatex + bibtex + pdflatex x2; returns (bibtex's .blg, the final LaTeX log)."""
    require("pdflatex")
    require("bibtex")
    (folder / "refs.bib").write_text(bib_text, encoding="utf-8")
    (folder / "doc.tex").write_text(natbib_document(keys), encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc"]
    first = run_tool(latex, folder)
    assert first.returncode == 0, first.stdout[-3000:]
    bibtex = run_tool(["bibtex", "doc"], folder)
    assert bibtex.returncode in (0, 1), bibtex.stdout  # 1 = warnings only
    for _ in range(2):
        final = run_tool(latex, folder)
        assert final.returncode == 0, final.stdout[-3000:]
    return (folder / "doc.blg").read_text(errors="replace"), \
        (folder / "doc.log").read_text(errors="replace")
