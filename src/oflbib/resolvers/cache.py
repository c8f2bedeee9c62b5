"""The on-disk cache of what the sources answered, so nothing is asked twice.

One small JSON file per answer: a record by identifier, "no such record", or the candidates
of a title search, filed under the source and the endpoint that gave it (an answer from a
test server or a mistyped address is never taken for Crossref's). Each is written atomically
the moment it arrives, so an interrupted run loses nothing and the next run resumes where it
stopped. Entries expire after a TTL; `--refresh` ignores what is stored (and replaces it),
`--offline` ignores the TTL.

The cache is input like any other: it lives in a folder only this user may enter
(`files.private_cache_folder`: made 0700, refused when someone else could write it), and
every file is read back through the
same checks as an answer from the network (size, JSON limits, the shape of an answer to this
question). A file that fails them is a miss: the question is asked again and the file
replaced. Nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from oflbib.resolvers.bounds import MAX_BODY, BrokenAnswer, parse_json

DAY = 86400.0
FOLDER = "resolve"  # under the cache root, beside the compiled catalogs and exports
_FIELDS = {"endpoint", "key", "stored", "value"}


class Asker(Protocol):
    """What the cache needs of a source: who answered, and at which address."""

    name: str
    endpoint: str


@dataclass(frozen=True)
class Hit:
    """A stored answer; `value` None means the source was asked and had nothing."""

    value: Any
    stored: float  # when the source gave it (seconds since the epoch)


def _answer_shape(kind: str, value: Any) -> bool:
    """A stored value is what the engine stores for `kind`: for an id, a record (a JSON
    object) or None; for a title, a list of records. Records are read by the sources,
    which take any JSON object without failing."""
    if kind == "id":
        return value is None or isinstance(value, dict)
    return isinstance(value, list) and all(isinstance(raw, dict) for raw in value)


class ResponseCache:
    def __init__(self, folder: Path | None, ttl: float, *, read: bool = True,
                 expire: bool = True, clock: Callable[[], float] = time.time) -> None:
        """`folder`: where answers are kept, a private folder (`resolve` falls back to no
        cache when it cannot have one: None)."""
        self.folder = folder
        self.ttl = ttl
        self.read = read  # False for --refresh
        self.expire = expire  # False for --offline: an old answer beats none
        self._clock = clock

    def _path(self, folder: Path, source: Asker, kind: str, key: str) -> Path:
        digest = hashlib.sha256(f"{source.endpoint}\0{key}".encode("utf-8")).hexdigest()
        return folder / source.name / kind / digest[:2] / f"{digest}.json"

    def get(self, source: Asker, kind: str, key: str) -> Hit | None:
        if not self.read or self.folder is None:
            return None
        stored = _read(self._path(self.folder, source, kind, key))
        if not (isinstance(stored, dict) and set(stored) == _FIELDS
                and stored["endpoint"] == source.endpoint and stored["key"] == key
                and _answer_shape(kind, stored["value"])):
            return None  # absent, torn by a crash, or not written by this cache: ask again
        when = stored["stored"]
        now = self._clock()
        if isinstance(when, bool) or not isinstance(when, (int, float)) \
                or not math.isfinite(when) or when > now + DAY:
            return None  # a date in the future would never expire
        if self.expire and now - when > self.ttl:
            return None
        return Hit(stored["value"], float(when))

    def put(self, source: Asker, kind: str, key: str, value: Any) -> None:
        folder = self.folder
        if folder is None:
            return
        path = self._path(folder, source, kind, key)
        data = json.dumps({"endpoint": source.endpoint, "key": key, "stored": self._clock(),
                           "value": value}, ensure_ascii=False).encode("utf-8")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for parent in reversed(path.relative_to(folder).parents[:-1]):
                (folder / parent).mkdir(mode=0o700, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except (OSError, ValueError):
            pass  # a cache that cannot be written costs requests next time, nothing else


def _read(path: Path) -> Any:
    """A cache file's JSON, or None: never through a symlink, never more than an answer
    may hold, never JSON that the network would have been refused for."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BODY:
            return None
        raw = stream.read(MAX_BODY + 1)
    try:
        return parse_json(raw)
    except (BrokenAnswer, UnicodeDecodeError):
        return None
