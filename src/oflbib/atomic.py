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
from typing import BinaryIO

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


def temporary_name(name: str) -> str:
    """The temporary sibling a file named `name` is written to before its rename."""
    return f".{name}{TMP_SUFFIX}"


def no_follow(path: str, flags: int) -> int:
    """An `opener` for open() that never goes through a symbolic link at `path`."""
    return os.open(path, flags | os.O_NOFOLLOW, 0o666)


def _regular_only(path: str, flags: int) -> int:
    """An `opener` for reading a file that must be a regular file of the folder: not a
    link, and not a FIFO or device planted to hang or feed the reader (ValueError)."""
    import stat

    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:
        if err.errno != errno.ELOOP:
            raise
        raise ValueError(f"{path} is a symbolic link") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError(f"{path} is not a regular file")
    return fd


def _made_afresh(path: str, flags: int) -> int:
    """An `opener` that creates the file or fails (O_EXCL), never through a link."""
    return os.open(path, flags | os.O_EXCL | os.O_NOFOLLOW, 0o666)


def open_new(path: Path) -> BinaryIO:
    """A file made afresh at `path` for writing, never through a link.

    Whatever is at `path` (a temporary a killed run left, or a symbolic link planted to
    make us write elsewhere) is removed first: unlinking a link removes the link itself.
    Exclusive creation then refuses anything that appears meanwhile."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    return open(path, "wb", opener=_made_afresh)


def _write_temp(path: Path, data: bytes | Iterable[bytes], compare: bool = False) -> Path | None:
    """Write `data` (bytes, or pieces of it in order) to the file's temporary sibling.
    With `compare`, None (and no temporary left) when the file already holds these bytes."""
    tmp = path.with_name(temporary_name(path.name))
    current = _Comparison(path) if compare else None
    try:
        with open_new(tmp) as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
                if current is not None:
                    current.feed(piece)
            handle.flush()
            if current is not None and current.same():
                tmp.unlink()
                return None
            os.fsync(handle.fileno())
    except FileExistsError:
        raise  # someone else's file appeared at the temporary's name: leave it alone
    except BaseException as err:
        tmp.unlink(missing_ok=True)  # a full disk must not leave half a file behind
        if isinstance(err, OSError) and not isinstance(err.filename, str):
            err.filename = str(path)  # a write through a descriptor names no file
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
            if path.parent != folder or path.name in (JOURNAL, LOCK) \
                    or path.name.endswith(TMP_SUFFIX):
                raise OflbibError(Problem(f"refusing to write outside {folder}", str(path)),
                                  exit_code=1)
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
        # Names only, never paths: recovery renames nothing but a file's own temporary
        # onto it, inside the journal's folder (see `_plan`).
        plan = json.dumps([[t.name, p.name] for t, p in temps]).encode()
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


def _plan(folder: Path) -> list[tuple[Path, Path]]:
    """The renames the folder's journal lists, checked like any input: the journal may
    have been planted (a pull request adding `.oflbib-journal` to a catalog). Each must
    move a file's own temporary onto it, both directly in this folder; anything else
    (a path, `..`, another name) makes the whole journal void (ValueError)."""
    with open(folder / JOURNAL, "rb", opener=_regular_only) as handle:
        raw = handle.read(1 << 20)
    plan = json.loads(raw)
    if not isinstance(plan, list):
        raise ValueError("not a list of renames")
    renames = []
    for step in plan:
        if not (isinstance(step, list) and len(step) == 2
                and all(isinstance(name, str) for name in step)):
            raise ValueError("not a rename")
        tmp, final = step
        if final in ("", ".", "..", JOURNAL, LOCK) or "/" in final or "\0" in final \
                or final.endswith(TMP_SUFFIX) or tmp != temporary_name(final):
            raise ValueError(f"not a rename of a temporary in this folder: {step}")
        renames.append((folder / tmp, folder / final))
    return renames


def _roll_forward(folder: Path) -> None:
    journal = folder / JOURNAL
    for tmp, final in _plan(folder):
        if os.path.lexists(tmp) and not os.path.islink(tmp):
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
                journal.unlink()  # torn or forged journal: none of its renames happen
        for stray in folder.glob(f".*{TMP_SUFFIX}"):
            stray.unlink()
    except OSError:
        pass  # read-only copy (e.g. the packaged catalog): nothing to recover there


def writing_now(folder: Path) -> bool:
    """Whether a live process holds the folder's write lock (asked without taking it,
    creating nothing, following no link)."""
    import fcntl

    try:
        fd = os.open(folder / LOCK, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False  # no lock file: no writer (a link is no lock of ours)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the shared lock
    return False


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
            # Never through a link: a planted `.oflbib.lock` link would create files
            # anywhere. O_NOFOLLOW refuses it (ELOOP) and the error says so.
            handle = open(path, "a+b", opener=no_follow)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise OflbibError(Problem(
                    f"{LOCK} is a symbolic link; remove it (oflbib never makes one)",
                    str(path)), exit_code=1) from None
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
