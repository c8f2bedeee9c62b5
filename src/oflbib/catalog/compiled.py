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

The cache is input like any other: its folder must be this user's alone (see
`files.private_cache_folder`), pruning removes only names this module writes, and an
entry is used only when it carries the keyed digest (HMAC-SHA256) of its bytes under the
folder's own random key (a `key` file beside the entries, made on first use): a file
that oflbib did not write there (forged, damaged, copied from elsewhere) is computed
again from the catalog file. Checking the digest is one pass of SHA-256 over the
entry, where checking the data against the schema again was much of a warm load.

The same store keeps rendered exports (`rendered`), in $OFLBIB_CACHE_DIR/export: a
Makefile exporting an unchanged catalog then only hashes the catalog's files and copies
bytes. Such an output is named by the sha256 of every file the catalog is read from,
the command's options, and the source of every oflbib module together with the versions
of Python and of the libraries that render (so any change to what the output depends on
names another entry).
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import re
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from oflbib import __version__
from oflbib.catalog.files import fast_paths, private_cache_folder

FORMAT = 3  # bump when the stored layout changes
DAY = 86400.0
MAX_AGE = 30 * DAY
SUFFIX = ".marshal"
# The modules whose source decides what a file's bytes load as.
# (The schema is read off the field table.)
_DECIDERS = ("canonical.py", "compiled.py", "quickcheck.py", "schema.py", "yamlfiles.py",
             "../fields.py")


KEY = "key"  # each folder's secret: what its entries' digests are keyed with
KEY_BYTES = 32
TAG_BYTES = 32  # the HMAC-SHA256 digest in front of each entry


# What this module writes in its folders, and all it ever removes there: entries, and
# the temporaries entries and keys are written to (`.ENTRY.PID.tmp`, `.key.PID.tmp`).
_OWN_NAME = re.compile(r"\.?[0-9a-f]{64}" + re.escape(SUFFIX) + r"(\.[0-9]+\.tmp)?"
                       r"|\." + KEY + r"\.[0-9]+\.tmp")


def cache_folder() -> Path | None:
    """Where the compiled catalog files are: CACHE_ROOT/catalog (None: no cache)."""
    return private_cache_folder("catalog")


def output_folder() -> Path | None:
    """Where rendered exports are: CACHE_ROOT/export (None: no cache)."""
    return private_cache_folder("export")


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
    """The data of a catalog file with these bytes: from the cache when this user's oflbib
    stored it there (its digest says so), else `compute()` (parse and validate; its
    errors propagate), stored for the next load."""
    fingerprint = _fingerprint()
    folder = cache_folder() if fast_paths() else None
    if fingerprint is None or folder is None:
        return compute()
    name = entry_name(raw, kind, fingerprint)
    data = _lookup(folder, name)
    if data is None:
        data = _interned(compute())
        _store(folder, name, data)
    return data


def _interned(data: Any) -> Any:
    """The data with its mapping keys interned. marshal then stores each key once and
    loads it interned; and an entry's fields are bound by keyword when a load builds it,
    where a key that is not the parameter's own (interned) string is compared character
    by character with every parameter."""
    if isinstance(data, dict):
        return {sys.intern(key) if type(key) is str else key: _interned(value)
                for key, value in data.items()}
    if isinstance(data, list):
        return [_interned(value) for value in data]
    return data


def _key(folder: Path) -> bytes | None:
    """The folder's secret, made when it has none (or a damaged one: its entries are then
    computed again), or None when it cannot be had (no cache)."""
    from oflbib.atomic import no_follow, open_new

    path = folder / KEY
    with suppress(OSError):
        with open(path, "rb", opener=no_follow) as handle:
            key = handle.read(KEY_BYTES + 1)
        if len(key) == KEY_BYTES:
            return key
    key = os.urandom(KEY_BYTES)
    temporary = folder / f".{KEY}.{os.getpid()}.tmp"
    try:
        with open_new(temporary) as handle:  # in a 0700 folder: this user's alone
            handle.write(key)
        # Two first runs at once may each make a key; the one renamed last stays, and
        # entries signed with the other are only computed again.
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        return None
    return key


def _lookup(folder: Path | None, name: str) -> Any:
    """The data stored under `name`, or None (absent, unreadable, or not signed with the
    folder's key: forged or damaged). Stored data is never None: a catalog file's data is
    a mapping, an output is bytes."""
    key = _key(folder) if folder is not None else None
    if key is None:
        return None
    try:
        with open(folder / name, "rb") as handle:
            signed = handle.read()
            age = time.time() - os.fstat(handle.fileno()).st_mtime
        body = memoryview(signed)[TAG_BYTES:]
        if not hmac.compare_digest(signed[:TAG_BYTES], hmac.digest(key, body, "sha256")):
            return None
        stored_name, data = marshal.loads(body)  # 7x faster than load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if stored_name != name:
        return None  # a file renamed or copied over another: not this entry
    if age > DAY:
        with suppress(OSError):
            os.utime(folder / name)  # still in use: keep it from being pruned
    return data


def _store(folder: Path, name: str, data: Any) -> None:
    from oflbib.atomic import open_new

    key = _key(folder)
    if key is None:
        return
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    try:
        body = marshal.dumps((name, data))
        with open_new(temporary) as handle:  # in a 0700 folder: this user's alone
            handle.write(hmac.digest(key, body, "sha256") + body)
        os.replace(temporary, folder / name)  # readers see the whole entry or none
    except (OSError, ValueError):  # ValueError: data marshal cannot store
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Drop entries unused for MAX_AGE, and temporaries a killed process left behind:
    only files named as this module names them; anything else there is not ours."""
    now = time.time()
    try:
        for item in os.scandir(folder):
            if not _OWN_NAME.fullmatch(item.name) or not item.is_file(follow_symlinks=False):
                continue
            limit = MAX_AGE if item.name.endswith(SUFFIX) else DAY
            if now - item.stat(follow_symlinks=False).st_mtime > limit:
                os.unlink(item.path)
    except OSError:
        pass


# ---- rendered exports ------------------------------------------------------------------

# Libraries whose code shapes an export's bytes (LaTeX forms, RIS layout): their installed
# files are part of an output's name, so upgrading one renders anew.
_RENDERING_LIBRARIES = ("pylatexenc", "rispy")


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes | None:
    """Everything besides the catalog and the options that an export's bytes depend on:
    the source of every oflbib module, Python's version (its Unicode tables) and the
    installed files of the rendering libraries (their names, sizes and times)."""
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version}".encode())
    package = Path(__file__).resolve().parent.parent
    try:
        for folder, subfolders, names in os.walk(package):
            subfolders[:] = sorted(n for n in subfolders if n not in ("__pycache__", "_catalog"))
            for name in sorted(n for n in names if n.endswith(".py")):
                source = Path(folder, name).read_bytes()
                digest.update(f"\0{Path(folder, name).relative_to(package)}\0{len(source)}\0"
                              .encode() + source)
        from importlib.util import find_spec

        for library in _RENDERING_LIBRARIES:
            spec = find_spec(library)
            if spec is None or not spec.submodule_search_locations:
                return None
            for folder, subfolders, names in os.walk(spec.submodule_search_locations[0]):
                subfolders[:] = sorted(n for n in subfolders if n != "__pycache__")
                for name in sorted(names):
                    info = os.stat(os.path.join(folder, name))
                    digest.update(f"\0{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}"
                                  .encode())
    except (OSError, ImportError, ValueError):
        return None  # not a plain installation on disk: nothing safe to key by
    return digest.digest()


def catalog_digest(root: Path) -> bytes | None:
    """The sha256 of every file the catalog in `root` is read from (the manifest, then
    each section file in the layout's order), or None when that cannot be told without
    parsing: the manifest was never loaded (it is not in this cache), a file is missing,
    or an interrupted write awaits recovery."""
    from oflbib.atomic import JOURNAL
    from oflbib.catalog.files import MANIFEST, section_file

    fingerprint = _fingerprint()
    if fingerprint is None or (root / JOURNAL).exists():
        return None
    try:
        raw = (root / MANIFEST).read_bytes()
        manifest = _lookup(cache_folder(), entry_name(raw, "manifest", fingerprint))
        if not isinstance(manifest, dict):
            return None
        digest = hashlib.sha256(raw)
        for block in manifest["layout"]:
            if "section" in block:
                raw = (root / section_file(block)).read_bytes()
                digest.update(len(raw).to_bytes(8, "big"))
                digest.update(raw)
    except (OSError, KeyError, TypeError, AttributeError, ValueError):
        return None  # ValueError: a layout naming a file outside the catalog
    return digest.digest()


def _output_name(root: Path, options: tuple[str, ...]) -> str | None:
    code = _code_fingerprint()
    catalog = catalog_digest(root) if code is not None else None
    if catalog is None:
        return None
    digest = hashlib.sha256(code + catalog)
    digest.update("\0".join(options).encode("utf-8", "surrogateescape"))
    return digest.hexdigest() + SUFFIX


def rendered(root: Path, options: tuple[str, ...], render: Callable[[], bytes]) -> bytes:
    """What `render()` gives for the catalog in `root` with these options (the command and
    its arguments): stored bytes when the catalog's files, the options and oflbib are those
    of an earlier call, else `render()` (its errors propagate), stored for the next call.

    A new output is stored only when the catalog's files hash the same before and after
    rendering (so a catalog edited meanwhile is never filed under the wrong bytes) and the
    manifest was known beforehand: the first export of a new catalog is not stored, the
    second is."""
    if not fast_paths():
        return render()
    name = _output_name(root, options)
    folder = output_folder() if name is not None else None
    if folder is not None:
        data = _lookup(folder, name)
        if isinstance(data, bytes):
            return data
    data = render()
    if folder is not None and _output_name(root, options) == name:
        _store(folder, name, data)
    return data
