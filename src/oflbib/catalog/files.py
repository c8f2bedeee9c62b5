"""Where a catalog is, and which files it is read from.

Kept apart from `store` (which needs the model, YAML and the schema) because the export
fast path (`compiled.catalog_digest`) needs only this.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST = "catalog.yaml"


def _packaged_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "_catalog"


def default_catalog_dir() -> Path:
    """The catalog shipped inside the package, or the repository's `catalog/` in a checkout."""
    packaged = _packaged_dir()
    if (packaged / MANIFEST).is_file():
        return packaged
    return packaged.parent.parent.parent / "catalog"


def is_packaged_catalog(root: Path) -> bool:
    """Whether `root` is the catalog inside the installed package (never to be written)."""
    try:
        return root.resolve() == _packaged_dir()
    except OSError:
        return False


def resolve_catalog_dir(option: str | os.PathLike[str] | None) -> Path:
    if option:
        return Path(option)
    env = os.environ.get("OFLBIB_CATALOG")
    return Path(env) if env else default_catalog_dir()


def cache_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where oflbib keeps what it can compute again (compiled catalog files, rendered
    exports, the sources' answers): $OFLBIB_CACHE_DIR, else $XDG_CACHE_HOME/oflbib,
    else ~/.cache/oflbib."""
    if environ.get("OFLBIB_CACHE_DIR"):
        return Path(environ["OFLBIB_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")) / "oflbib"


def private_cache_folder(name: str) -> Path | None:
    """CACHE_ROOT/name, a folder only this user can use, or None when it cannot be had.

    Made with mode 0700. An existing one is used only when it is a real folder (not a
    link), owned by this user and closed to everyone else: anything else (a folder of the
    project when OFLBIB_CACHE_DIR=., one planted in a shared /tmp, a link) is not a cache
    of ours, so nothing is read from it, written to it or pruned in it. Shared by every
    cache (compiled catalogs, rendered exports, resolver answers)."""
    folder = cache_root() / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() \
            or info.st_mode & 0o077:
        return None
    return folder
def fast_paths(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the catalog's fast paths are on: the canonical YAML reader and writer, the
    compiled cache (of catalog files and of exports) and the compiled schema check.
    `OFLBIB_NO_FASTPATH=1` turns them all off, so that PyYAML, ruamel.yaml and jsonschema
    alone do the work: what the fast paths must always agree with."""
    return environ.get("OFLBIB_NO_FASTPATH", "") in ("", "0")


def section_file(block: Mapping[str, Any]) -> str:
    """The file a section block of the manifest's layout is read from: always a file of
    the catalog folder itself (ValueError for a `file` naming anything else)."""
    name = block.get("file")
    if name is None:
        # A section named `../../x` or `.git/hooks/y` still names a file in the folder.
        return re.sub(r"[/\\\0]", "-", block["section"].lower()).lstrip(".") + ".yaml"
    if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name):
        raise ValueError(f"not a catalog file name: {name!r}")
    return name


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*\.yaml")  # as the schema's `file`
