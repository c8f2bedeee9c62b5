"""The keys a LaTeX document cites: BibTeX's `.aux` (`\\citation{...}` lines) or biber's
`.bcf` (`<bcf:citekey>` elements). `*` (`\\nocite{*}`) means every entry."""

from __future__ import annotations

import re
from pathlib import Path

from oflbib.errors import OflbibError, Problem

EVERYTHING = "*"
_CITATION = re.compile(r"\\citation\{([^}]*)\}")
_CITEKEY = re.compile(r"<bcf:citekey\b[^>]*>([^<]+)</bcf:citekey>")


def cited_keys(path: Path, _seen: set[Path] | None = None) -> list[str]:
    """The keys in citation order, each once. A `.bcf` is read as biber writes it; any
    other file as a `.aux` (an `\\@input` of another `.aux` is followed, once)."""
    seen = set() if _seen is None else _seen
    seen.add(path.resolve())
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None
    if path.suffix == ".bcf" or "<bcf:controlfile" in text[:2000]:
        keys = _CITEKEY.findall(text)
    else:
        keys = [key.strip() for group in _CITATION.findall(text) for key in group.split(",")]
        for included in re.findall(r"\\@input\{([^}]*)\}", text):
            child = path.parent / included
            if child.exists() and child.resolve() not in seen:
                keys += cited_keys(child, seen)
        if not keys and "\\bibdata" not in text:
            raise OflbibError(Problem("no \\citation or \\bibdata line: is this a LaTeX "
                                      ".aux file (or biber's .bcf)?", str(path)))
    return list(dict.fromkeys(k for k in keys if k))
