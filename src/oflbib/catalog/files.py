"""Where a catalog is, and which files it is read from.

Kept apart from `store` (which needs the model, YAML and the schema) because the export
fast path (`compiled.catalog_digest`) needs only this.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST = "catalog.yaml"


def default_catalog_dir() -> Path:
    """The catalog shipped inside the package, or the repository's `catalog/` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_catalog"
    if (packaged / MANIFEST).is_file():
        return packaged
    return here.parent.parent / "catalog"


def resolve_catalog_dir(option: str | os.PathLike[str] | None) -> Path:
    if option:
        return Path(option)
    env = os.environ.get("OFLBIB_CATALOG")
    return Path(env) if env else default_catalog_dir()


def cache_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where oflbib keeps what it can compute again (compiled catalog files, rendered
    exports, Crossref and arXiv answers): $OFLBIB_CACHE_DIR, else $XDG_CACHE_HOME/oflbib,
    else ~/.cache/oflbib."""
    if environ.get("OFLBIB_CACHE_DIR"):
        return Path(environ["OFLBIB_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")) / "oflbib"


def section_file(block: Mapping[str, Any]) -> str:
    """The file a section block of the manifest's layout is read from."""
    return block.get("file") or f"{block['section'].lower()}.yaml"
