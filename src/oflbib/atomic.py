"""All-or-nothing writes of one or many files, and the write lock.

Each file goes to a temporary sibling first; a journal listing the renames is written
atomically; then the renames happen. A crash before the journal leaves the old files;
a crash after it is rolled forward by `recover` on the next run. So a reader sees the
old version or the new one, never a mix. Recovery happens only under the write lock
(the next writer takes it; a reader takes it briefly when there is debris), so a live
writer's temporaries are never mistaken for a dead one's.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from oflbib.errors import CatalogLocked, OflbibError, Problem

JOURNAL = ".oflbib-journal"
TMP_SUFFIX = ".oflbib-tmp"
LOCK = ".oflbib.lock"
_HELD: set[Path] = set()  # folders whose write lock this process holds


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes | Iterable[bytes], compare: bool = False) -> Path | None:
    """Write `data` (bytes, or pieces of it in order) to the file's temporary sibling.
    With `compare`, None (and no temporary left) when the file already holds these bytes."""
    tmp = path.with_name(f".{path.name}{TMP_SUFFIX}")
    current = _Comparison(path) if compare else None
    try:
        with open(tmp, "wb") as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
                if current is not None:
                    current.feed(piece)
            handle.flush()
            if current is not None and current.same():
                tmp.unlink()
                return None
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk must not leave half a file behind
        raise
    finally:
        if current is not None:
            current.close()
    return tmp


class _Comparison:
    """Compares bytes fed piece by piece with a file's, reading it alongside."""

    def __init__(self, path: Path) -> None:
        try:
            self.handle = open(path, "rb")
        except OSError:
            self.handle = None
        self.equal = self.handle is not None

    def feed(self, piece: bytes) -> None:
        if self.equal:
            self.equal = self.handle.read(len(piece)) == piece

    def same(self) -> bool:
        """Whether the file holds exactly the bytes fed (so far; call once at the end)."""
        return self.equal and self.handle.read(1) == b""

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def same_bytes(path: Path, pieces: Iterable[bytes]) -> bool:
    """Whether `path` holds exactly these bytes (pieces in order), reading it alongside;
    false as soon as a piece differs."""
    current = _Comparison(path)
    try:
        for piece in pieces:
            current.feed(piece)
            if not current.equal:
                return False
        return current.same()
    finally:
        current.close()


def _write_error(path: Path, err: OSError) -> OflbibError:
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason = "no space left on device"
    return OflbibError(Problem(f"cannot write: {reason}; nothing was changed", str(path)),
                       exit_code=1)


def write_files(files: Mapping[Path, bytes] | Iterable[tuple[Path, bytes | Iterable[bytes]]],
                folder: Path, skip_unchanged: bool = False) -> list[Path]:
    """Replace every file in `files` (all inside `folder`) in one step; returns the paths
    written.

    `files` may also be an iterable of (path, data) that renders each file only when asked,
    and data may come in pieces (an iterable of bytes): each file is streamed to its
    temporary sibling as it is produced, so a caller writing many large files holds one
    piece at a time, and the renames still happen all at once. With `skip_unchanged`, a
    file that already holds the bytes given is left alone (and not returned). If anything
    fails before the journal is written (an error writing, or one raised while producing a
    file), every temporary is removed and nothing has changed."""
    pairs = files.items() if isinstance(files, Mapping) else files
    temps: list[tuple[Path, Path]] = []
    made_folder = False
    try:
        for path, data in pairs:
            if not made_folder:
                folder.mkdir(parents=True, exist_ok=True)
                made_folder = True
            tmp = _write_temp(path, data, compare=skip_unchanged)
            del data  # held no longer than the caller's own copy
            if tmp is not None:
                temps.append((tmp, path))
        if not temps:
            return []
        written = [path for _, path in temps]
        journal = folder / JOURNAL
        plan = json.dumps([[str(t), str(p)] for t, p in temps]).encode()
        tmp_journal = _write_temp(journal, plan)
        assert tmp_journal is not None
        temps.append((tmp_journal, journal))
        os.replace(tmp_journal, journal)
        _fsync_dir(folder)
    except OSError as err:
        _discard(temps)
        failed = Path(err.filename) if getattr(err, "filename", None) else folder
        raise _write_error(failed, err) from None
    except BaseException:
        _discard(temps)
        raise
    try:
        _roll_forward(folder)
    except OSError as err:  # the journal is written: the new version is decided
        raise OflbibError(Problem(
            f"cannot finish writing: {err.strerror or err}; the next oflbib command finishes "
            "it", str(err.filename or folder)), exit_code=1) from None
    return written


def _discard(temps: list[tuple[Path, Path]]) -> None:
    for tmp, _ in temps:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _roll_forward(folder: Path) -> None:
    journal = folder / JOURNAL
    plan = json.loads(journal.read_text())
    for tmp, final in plan:
        if os.path.exists(tmp):
            os.replace(tmp, final)
    _fsync_dir(folder)
    journal.unlink()


def recover(folder: Path) -> None:
    """Finish a write that a crash interrupted; drop temporaries of one that never began.

    Only under the write lock: while another process holds it, its journal and
    temporaries are its work in progress, and removing them would mix two versions."""
    journal = folder / JOURNAL
    if not folder.is_dir() or not (journal.exists() or any(folder.glob(f".*{TMP_SUFFIX}"))):
        return  # the usual case, decided without touching the folder
    if folder.resolve() in _HELD:
        _recover(folder)
        return
    try:
        with write_lock(folder):  # recovers once it holds the lock
            pass
    except OflbibError:
        pass  # a live writer (CatalogLocked), or a read-only copy that cannot be repaired


def _recover(folder: Path) -> None:
    journal = folder / JOURNAL
    try:
        if journal.exists():
            try:
                _roll_forward(folder)
            except (ValueError, TypeError):
                journal.unlink()  # torn journal: its renames never started
        for stray in folder.glob(f".*{TMP_SUFFIX}"):
            stray.unlink()
    except OSError:
        pass  # read-only copy (e.g. the packaged catalog): nothing to recover there


@contextmanager
def write_lock(folder: Path) -> Iterator[None]:
    """Exclusive lock for writers of `folder`; a second writer gets a clear error.

    The lock file is removed on release so a catalog at rest holds only its own files;
    a locker therefore checks that the file it locked is still the one at the path.
    """
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _write_error(folder, err) from None
    path = folder / LOCK
    while True:
        try:
            handle = open(path, "a+")
        except OSError as err:
            raise _write_error(path, err) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise CatalogLocked(Problem(
                "another oflbib command is writing here; try again when it has finished",
                str(folder)), exit_code=1) from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()  # the holder released and removed it meanwhile: lock the new one
    held = folder.resolve()
    _HELD.add(held)
    try:
        _recover(folder)  # whoever writes next first finishes an interrupted write
        yield
    finally:
        _HELD.discard(held)
        path.unlink(missing_ok=True)
        handle.close()
