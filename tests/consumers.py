"""Running the real tools that judge our output: pdflatex+bibtex, biber, pandoc, and the
optional ones from ../shared (Zotero's import translators, CSL styles)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


# The project's shared material (Zotero's translators, CSL styles): beside the repository
# in a developer's checkout and in CI, absent from a plain clone.
SHARED = Path(os.environ.get("OFLBIB_SHARED") or Path(__file__).resolve().parents[2] / "shared")


def missing(message: str) -> None:
    """A tool a test needs is absent: skip it, except under CI, which has every tool."""
    if os.environ.get("CI", "").lower() in ("", "0", "false", "no"):
        pytest.skip(message)
    pytest.fail(message)


def require(tool: str) -> str:
    """The tool's path; CI installs every tool, so there a missing one fails the test."""
    path = shutil.which(tool)
    if path is None:
        missing(f"{tool} is not installed (.ci/run installs it with apt-get)")
    return path


def shared(relative: str) -> Path:
    """A file or folder of ../shared (OFLBIB_SHARED), e.g. "zotero/zotero-import" or
    "fixtures/csl/styles/ieee.csl"; absent, the test skips (fails under CI)."""
    path = SHARED / relative
    if not path.exists():
        missing(f"{path} is absent: a clone without ../shared (set OFLBIB_SHARED)")
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
