"""The compiled catalog cache: each file's validated data, found again by the file's bytes.

`oflbib export` runs many times a minute from Makefiles, and parsing YAML and checking
the schema would be most of its work. So the first load of a catalog file stores the
file's plain data, already parsed and validated, and every later load of the same bytes
reads it back with `marshal` (plain data only: loading it runs no code) instead.

An entry is named by the sha256 of the file's bytes together with everything that decides
what those bytes mean: which schema applies, the version of oflbib and of Python, and the
source of the modules that parse and validate (so an edited parser never meets data it
did not produce). Entries live in $OFLBIB_CACHE_DIR/catalog (default
$XDG_CACHE_HOME/oflbib/catalog or ~/.cache/oflbib/catalog); unused ones go after 30 days.
A cache that cannot be read or written is skipped without a word: it only costs time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from oflbib import __version__

FORMAT = 1  # bump when the stored layout changes
DAY = 86400.0
MAX_AGE = 30 * DAY
SUFFIX = ".marshal"
# The modules whose source decides what a file's bytes load as.
_DECIDERS = ("canonical.py", "compiled.py", "quickcheck.py", "schema.py", "yamlfiles.py")


def cache_folder() -> Path:
    """$OFLBIB_CACHE_DIR/catalog, else $XDG_CACHE_HOME/oflbib/catalog, else ~/.cache/...
    (the same root as the resolvers' response cache)."""
    root = os.environ.get("OFLBIB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "oflbib")
    return Path(root) / "catalog"


@lru_cache(maxsize=1)
def _fingerprint() -> bytes | None:
    digest = hashlib.sha256(
        f"{FORMAT}|{__version__}|{sys.version}|{marshal.version}".encode())
    here = Path(__file__).parent
    try:
        for name in _DECIDERS:
            digest.update((here / name).read_bytes())
    except OSError:
        return None  # sources not on disk (a zip import): nothing safe to key by
    return digest.digest()


def entry_name(raw: bytes, kind: str, fingerprint: bytes) -> str:
    """The cache entry for a file with these bytes, read with the `kind` schema."""
    digest = hashlib.sha256(fingerprint + kind.encode() + b"\0")
    digest.update(raw)  # not concatenated: a section file can be tens of megabytes
    return digest.hexdigest() + SUFFIX


def load(raw: bytes, kind: str, compute: Callable[[], Any]) -> Any:
    """The data of a catalog file with these bytes: from the cache when it is there,
    else `compute()` (parse and validate; its errors propagate) and store it."""
    fingerprint = _fingerprint()
    if fingerprint is None:
        return compute()
    folder = cache_folder()
    name = entry_name(raw, kind, fingerprint)
    try:
        with open(folder / name, "rb") as handle:
            stored_name, data = marshal.loads(handle.read())  # 7x faster than load(handle)
            age = time.time() - os.fstat(handle.fileno()).st_mtime
        if stored_name == name:
            if age > DAY:
                os.utime(folder / name)  # still in use: keep it from being pruned
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass  # absent, unreadable or damaged: compute it again
    data = compute()
    _store(folder, name, data)
    return data


def _store(folder: Path, name: str, data: Any) -> None:
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            marshal.dump((name, data), handle)
        os.replace(temporary, folder / name)  # readers see the whole entry or none
    except (OSError, ValueError):  # ValueError: data marshal cannot store
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Drop entries unused for MAX_AGE, and temporaries a killed process left behind."""
    now = time.time()
    try:
        for item in os.scandir(folder):
            limit = MAX_AGE if item.name.endswith(SUFFIX) else DAY
            if now - item.stat().st_mtime > limit:
                os.unlink(item.path)
    except OSError:
        pass
