"""The on-disk cache of what the sources answered, so nothing is asked twice.

One small JSON file per answer: a record by identifier, "no such record", or the candidates
of a title search. Each is written atomically the moment it arrives, so an interrupted run
loses nothing and the next run resumes where it stopped. Entries expire after a TTL;
`--refresh` ignores what is stored (and replaces it), `--offline` ignores the TTL.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DAY = 86400.0


@dataclass(frozen=True)
class Hit:
    """A stored answer; `value` None means the source was asked and had nothing."""

    value: Any
    stored: float  # when the source gave it (seconds since the epoch)


class ResponseCache:
    def __init__(self, root: Path, ttl: float, *, read: bool = True, expire: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.root = root
        self.ttl = ttl
        self.read = read  # False for --refresh
        self.expire = expire  # False for --offline: an old answer beats none
        self._clock = clock

    def _path(self, source: str, kind: str, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.root / source / kind / digest[:2] / f"{digest}.json"

    def get(self, source: str, kind: str, key: str) -> Hit | None:
        if not self.read:
            return None
        try:
            stored = json.loads(self._path(source, kind, key).read_text("utf-8"))
        except (OSError, ValueError):
            return None  # absent, or torn by a crash before the rename: ask again
        if stored.get("key") != key:
            return None
        when = float(stored.get("stored", 0))
        if self.expire and self._clock() - when > self.ttl:
            return None
        return Hit(stored.get("value"), when)

    def put(self, source: str, kind: str, key: str, value: Any) -> None:
        path = self._path(source, kind, key)
        data = json.dumps({"key": key, "stored": self._clock(), "value": value},
                          ensure_ascii=False).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written costs requests next time, nothing else
