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


# ---- tools that live in ../shared (CSL styles, Zotero's import translators) -------------

def zotero_runner() -> str:
    """Zotero's import translators, installed once by their own setup.sh (npm only)."""
    setup = shared("zotero/setup.sh")
    require("node")
    require("npm")
    result = subprocess.run(["bash", str(setup)], capture_output=True, text=True, timeout=600,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        pytest.fail(f"zotero-import setup failed: {result.stderr[-2000:]}")
    return result.stdout.strip().splitlines()[-1]


# ---- rendering a bibliography to the text a reader sees ---------------------------------

# Every bibliography item starts with this marker and its key, so the PDF's text can be
# cut into entries; the page is wide enough that no entry wraps or hyphenates.
MARK = "@@KEY:"
_PREAMBLE = (
    "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage[paperwidth=500cm,paperheight=120cm,margin=1cm]{geometry}\n"
    "\\usepackage{url}\n\\pagestyle{empty}\n")
_MARK_ITEMS = (
    "\\makeatletter\n\\newcommand\\oflMark[1]{\\mbox{" + MARK + "\\detokenize{#1}@@} }\n"
    "\\let\\oflLbibitem\\@lbibitem\\def\\@lbibitem[#1]#2{\\oflLbibitem[#1]{#2}\\oflMark{#2}}\n"
    "\\let\\oflBibitem\\@bibitem\\def\\@bibitem#1{\\oflBibitem{#1}\\oflMark{#1}}\n"
    "\\makeatother\n")


def bibtex_document(style: str, keys: list[str], natbib: bool) -> str:
    cites = "".join(f"\\citet{{{k}}}; " for k in keys) if natbib else \
        f"\\cite{{{','.join(keys)}}}"
    package = "\\usepackage[authoryear]{natbib}\n" if natbib else ""
    return (_PREAMBLE + package + _MARK_ITEMS + "\\begin{document}\n" + cites + "\n"
            f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n\\end{{document}}\n")


def biblatex_document(style: str, keys: list[str]) -> str:
    cites = "".join(f"\\textcite{{{k}}}; " for k in keys)
    return (_PREAMBLE + f"\\usepackage[backend=biber,style={style}]{{biblatex}}\n"
            "\\addbibresource{refs.bib}\n"
            "\\AtEveryBibitem{\\oflMark{\\thefield{entrykey}}}\n"
            "\\newcommand\\oflMark[1]{\\mbox{" + MARK + "#1@@} }\n"
            "\\begin{document}\n" + cites + "\n\\printbibliography\n\\end{document}\n")


def pdf_text(folder: Path, tex: str, bib_text: str, backend: str) -> str:
    """pdflatex, then bibtex or biber, then pdflatex twice; the PDF's text in the order
    it was typeset (pdftotext would otherwise read a list's labels as a column)."""
    require("pdflatex")
    require(backend)
    require("pdftotext")
    (folder / "refs.bib").write_text(bib_text, encoding="utf-8")
    (folder / "doc.tex").write_text(tex, encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc"]
    first = run_tool(latex, folder)
    assert first.returncode == 0, first.stdout[-3000:]
    bib = run_tool([backend, "doc"], folder)
    assert bib.returncode in (0, 1) if backend == "bibtex" else bib.returncode == 0, \
        bib.stdout[-3000:]
    for _ in range(2):
        final = run_tool(latex, folder)
        assert final.returncode == 0, final.stdout[-3000:]
    text = run_tool(["pdftotext", "-raw", "-enc", "UTF-8", "doc.pdf", "-"], folder)
    assert text.returncode == 0, text.stderr
    return text.stdout


def split_entries(text: str) -> tuple[str, dict[str, str]]:
    """(the text before the bibliography, key -> that entry's text)."""
    import re

    parts = re.split(re.escape(MARK) + r"(\S+?)@@", text)
    entries = {parts[i]: " ".join(parts[i + 1].split()) for i in range(1, len(parts), 2)}
    return parts[0], entries


def csl_entries(folder: Path, csl_json: str, style: Path, keys: list[str]) -> tuple[str, dict]:
    """pandoc --citeproc with a CSL style: (the citing paragraph, key -> entry text)."""
    import html
    import re

    require("pandoc")
    (folder / "refs.json").write_text(csl_json, encoding="utf-8")
    (folder / "doc.md").write_text("; ".join(f"@{k}" for k in keys) + "\n", encoding="utf-8")
    result = run_tool(["pandoc", "--citeproc", "--bibliography", "refs.json", "--csl",
                       str(style), "-t", "html", "doc.md"], folder)
    assert result.returncode == 0 and result.stderr == "", result.stderr

    def text(fragment: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())

    body, _, refs = result.stdout.partition('<div id="refs"')
    # Numeric styles nest the label and the text in divs of their own: an entry runs to
    # the next one.
    entries = {m.group(1): text(m.group(2)) for m in re.finditer(
        r'<div id="ref-([^"]+)"[^>]*>(.*?)(?=<div id="ref-|\Z)', refs, re.S)}
    return text(body), entries
