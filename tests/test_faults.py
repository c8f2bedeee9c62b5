"""Bad input files and faults while writing: the catalog and bib/ are the old version or
the new one, never a mix, and every failure is one clear message, never a traceback.

Faults are injected where the operating system would raise them: a full disk (ENOSPC
part-way through a file), a read-only folder (EROFS, EACCES), a path through a regular
file (ENOTDIR), SIGKILL at every rename and fsync of a write and at random moments, and
a second process holding the write lock. Tests run as root in CI, where chmod protects
nothing, so read-only folders are simulated at the system-call boundary.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oflbib import atomic
from oflbib.catalog.store import load_catalog
from tests.conftest import tree_bytes
from tests.resolve_support import small_corpus

# ---- shared helpers ------------------------------------------------------------------

# Runs the CLI and SIGKILLs itself on the KILL_AT-th call of os.KILL_HOOK, before the call
# happens; with KILL_AT=0 it only prints how many calls a full run makes.
KILLER = """
import atexit, os, signal, sys
hook, target = os.environ["KILL_HOOK"], int(os.environ["KILL_AT"])
real, calls = getattr(os, hook), [0]
def dying(*args, **kwargs):
    calls[0] += 1
    if calls[0] == target:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(os, hook, dying)
if not target:
    atexit.register(lambda: print(f"calls={calls[0]}", file=sys.stderr))
from oflbib.cli import main
sys.argv[0] = "oflbib"
main()
"""

# Holds the write lock of a folder until killed; optionally leaves a writer's temporary
# file there first, as a writer between its temporaries and its journal would.
HOLDER = """
import sys, time
from pathlib import Path
from oflbib import atomic
folder = Path(sys.argv[1])
with atomic.write_lock(folder):
    for name in sys.argv[2:]:
        (folder / name).write_text("work in progress")
    print("locked", flush=True)
    time.sleep(120)
"""


def cli(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "oflbib", *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OFLBIB_CATALOG": "", **(env or {})})


def killed_cli(hook: str, at: int, *args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", KILLER, *map(str, args)], capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "OFLBIB_CATALOG": "", "KILL_HOOK": hook,
                               "KILL_AT": str(at)})


def calls_made(hook: str, *args: object) -> int:
    result = killed_cli(hook, 0, *args)
    assert result.returncode == 0, result.stderr
    return int(result.stderr.rsplit("calls=", 1)[1])


def clean(tree: dict[str, bytes]) -> dict[str, bytes]:
    """A folder's files without the lock file (present only while a writer runs)."""
    return {name: data for name, data in tree.items() if not name.endswith(atomic.LOCK)}


def assert_old_or_new(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """Every file is whole (old or new bytes); returns which version the folder is."""
    now = clean(tree_bytes(folder))
    assert now in (old, new), sorted(n for n in set(now) | set(new) | set(old)
                                     if now.get(n) not in (old.get(n), new.get(n)))
    return "old" if now == old else "new"


def assert_files_whole(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Right after a crash: each file the version had is whole; debris is only the
    write's own temporaries and journal, which recovery handles."""
    for name, data in clean(tree_bytes(folder)).items():
        if name in old or name in new:
            assert data in (old.get(name), new.get(name)), name
        else:
            assert name.endswith(atomic.TMP_SUFFIX) or name == atomic.JOURNAL, name


@pytest.fixture
def changed_list(tmp_path, seed_path) -> Path:
    """The seed list with edits that touch three sections (so three catalog files)."""
    text = seed_path.read_text(encoding="utf-8")
    text = text.replace("Bamboo: Making Preemptible", "Bamboo: Making Pre-emptible", 1)
    text = text.replace("### MoE\n", "### MoE\n- [NewMoE: Experts Again](https://x.org/m) "
                                     "NSDI'24\n", 1)
    text = text.replace("### GNN\n", "### GNN\n- [NewGNN: Graphs Again](https://x.org/g) "
                                     "OSDI'24\n", 1)
    path = tmp_path / "changed.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def versions(tmp_path, catalog_copy, changed_list):
    """(catalog folder, its old files, the files an uninterrupted import writes)."""
    reference = tmp_path / "reference"
    shutil.copytree(catalog_copy, reference)
    assert cli("--catalog", reference, "import", "markdown", changed_list).returncode == 0
    old, new = clean(tree_bytes(catalog_copy)), clean(tree_bytes(reference))
    assert len([n for n in new if new[n] != old.get(n)]) >= 3
    return catalog_copy, old, new


# ---- kill -9 in the middle of import and build ---------------------------------------

@pytest.mark.parametrize("hook", ["replace", "fsync"])
def test_import_killed_at_every_rename_and_fsync(versions, changed_list, hook):
    folder, old, new = versions
    total = calls_made(hook, "--catalog", folder, "import", "markdown", changed_list)
    shutil.rmtree(folder)
    seen = set()
    for at in range(1, total + 1):
        restore(folder, old)
        result = killed_cli(hook, at, "--catalog", folder, "import", "markdown", changed_list)
        assert result.returncode == -signal.SIGKILL, result.stderr
        assert_files_whole(folder, old, new)
        load_catalog(folder)  # the next run recovers
        seen.add(assert_old_or_new(folder, old, new))
    assert seen == {"old", "new"}  # kills landed before and after the journal


def restore(folder: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


@pytest.fixture
def bib_versions(tmp_path, catalog_copy):
    """(catalog, bib folder, bib/ of the catalog, bib/ after an edit of the catalog)."""
    out = tmp_path / "bib"
    assert cli("--catalog", catalog_copy, "build", "--out", out).returncode == 0
    old = clean(tree_bytes(out))
    training = catalog_copy / "training.yaml"
    training.write_text(training.read_text().replace("Bamboo: Making", "Bamboo: Now Making"))
    reference = tmp_path / "reference"
    assert cli("--catalog", catalog_copy, "build", "--out", reference).returncode == 0
    new = clean(tree_bytes(reference))
    assert sum(new[n] != old[n] for n in new) >= 6
    return catalog_copy, out, old, new


def test_build_killed_at_renames_leaves_old_or_new_bib(bib_versions):
    catalog, out, old, new = bib_versions
    restore(out, old)
    total = calls_made("replace", "--catalog", catalog, "build", "--out", out)
    seen = set()
    for at in sorted({1, 2, 3, total // 2, total - 1, total}):
        restore(out, old)
        result = killed_cli("replace", at, "--catalog", catalog, "build", "--out", out)
        assert result.returncode == -signal.SIGKILL
        assert_files_whole(out, old, new)
        rerun = cli("--catalog", catalog, "build", "--out", out)  # recovers, then builds
        assert rerun.returncode == 0, rerun.stderr
        seen.add(assert_old_or_new(out, old, new))
        assert not any(n.startswith(".oflbib") or n.endswith(atomic.TMP_SUFFIX)
                       for n in os.listdir(out))
    assert seen == {"new"}


def kill_at_random_moments(target: Path, before: dict[str, bytes], after: dict[str, bytes],
                           args: list[object], recover) -> None:
    """Run the CLI six times, each SIGKILLed after a random delay within one run's time."""
    seed = random.randrange(1 << 30)
    print(f"random seed {seed}")  # shown with a failure, to replay it
    rng = random.Random(seed)
    restore(target, before)
    start = time.monotonic()
    assert cli(*args).returncode == 0
    duration = time.monotonic() - start
    for _ in range(6):
        restore(target, before)
        process = subprocess.Popen([sys.executable, "-m", "oflbib", *map(str, args)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "OFLBIB_CATALOG": ""})
        time.sleep(rng.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert_files_whole(target, before, after)
        recover()
        assert_old_or_new(target, before, after)


def test_import_killed_at_random_moments(versions, changed_list):
    folder, old, new = versions
    kill_at_random_moments(folder, old, new,
                           ["--catalog", folder, "import", "markdown", changed_list],
                           lambda: load_catalog(folder))


def test_build_killed_at_random_moments(bib_versions):
    catalog, out, old, new = bib_versions
    args = ["--catalog", catalog, "build", "--out", out]
    kill_at_random_moments(out, old, new, args, lambda: cli(*args))


# ---- a full disk, a read-only folder, a path that cannot be a folder -----------------

class FullDisk:
    """`open` for the atomic module: `budget` bytes fit, then writes fail with ENOSPC
    part-way, as on a full disk."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def __call__(self, path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)
        return _Limited(handle, self) if "w" in mode else handle


class _Limited:
    def __init__(self, handle, disk: FullDisk) -> None:
        self.handle, self.disk = handle, disk

    def write(self, data: bytes) -> int:
        room = max(self.disk.left, 0)
        self.handle.write(data[:room])
        self.disk.left -= len(data)
        if len(data) > room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.handle.name)
        return len(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()


def test_full_disk_at_any_byte_changes_nothing(versions, changed_list, run, monkeypatch):
    folder, old, new = versions
    needed = sum(len(data) for name, data in new.items() if old.get(name) != data)
    for budget in (0, 1, needed // 3, needed - 1, needed + 10_000):
        restore(folder, old)
        monkeypatch.setattr(atomic, "open", FullDisk(budget), raising=False)
        result = run("--catalog", folder, "import", "markdown", changed_list)
        monkeypatch.undo()
        if budget > needed + 1000:
            assert result.exit_code == 0 and clean(tree_bytes(folder)) == new
            continue
        assert result.exit_code == 1, result.output
        assert "no space left on device; nothing was changed" in result.stderr
        assert clean(tree_bytes(folder)) == old  # not even a temporary file is left


def _refuse(error: int):
    def refuse(path, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wa+"):
            raise OSError(error, os.strerror(error), str(path))
        return open(path, mode, *args, **kwargs)

    return refuse


@pytest.mark.parametrize("error", [errno.EROFS, errno.EACCES])
def test_read_only_catalog_and_bib_change_nothing(versions, changed_list, run, monkeypatch,
                                                 tmp_path, error):
    folder, _, _ = versions
    out = tmp_path / "bib"
    assert run("--catalog", folder, "build", "--out", out).exit_code == 0
    (out / "refs.bib").write_text("stale\n")  # so that build has something to write
    monkeypatch.setattr(atomic, "open", _refuse(error), raising=False)
    for args, target in ((["import", "markdown", changed_list], folder),
                         (["build", "--out", out], out)):
        expected = tree_bytes(target)
        result = run("--catalog", folder, *args)
        assert result.exit_code == 1, result.output
        assert f"cannot write: {os.strerror(error)}" in result.stderr, result.stderr
        assert "Traceback" not in result.output
        assert tree_bytes(target) == expected


def test_rename_failing_part_way_is_finished_by_the_next_run(versions, changed_list, run,
                                                             monkeypatch):
    folder, old, new = versions
    real, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the journal and one file are in place, the rest are not
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing)
    result = run("--catalog", folder, "import", "markdown", changed_list)
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "the next oflbib command finishes it" in result.stderr
    load_catalog(folder)
    assert clean(tree_bytes(folder)) == new


@pytest.mark.parametrize("command, status, message", [
    (["build", "--out"], 1, "cannot write"),
    (["export", "-o"], 2, "no folder"),  # export makes no folder: FILE's must exist
])
def test_output_path_through_a_file_is_a_clear_error(tmp_path, run, command, status, message):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(*command, blocker / "inside" / "refs.bib")
    assert result.exit_code == status, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert blocker.read_text() == "not a folder"


def test_catalog_path_through_a_file_is_a_clear_error(tmp_path, run, changed_list):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("--catalog", blocker / "catalog", "import", "markdown", changed_list)
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.stderr and "Traceback" not in result.output


# ---- two runs at once ----------------------------------------------------------------

@pytest.fixture
def lock_holder():
    """Start a process holding a folder's write lock; it is killed at the end."""
    started: list[subprocess.Popen] = []

    def hold(folder: Path, *leftovers: str) -> None:
        process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), *leftovers],
                                   stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout.readline().strip() == "locked"

    yield hold
    for process in started:
        process.kill()
        process.wait()


@pytest.mark.parametrize("command", [["import", "markdown", "LIST"], ["rekey", "--all"],
                                     ["import", "bibtex", "BIB"]])
def test_second_writer_is_refused_and_changes_nothing(versions, changed_list, lock_holder,
                                                      run, tmp_path, command):
    folder, old, _ = versions
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{new2024, title={A New One}, keywords={Misc}}\n")
    lock_holder(folder)
    args = [changed_list if a == "LIST" else bib if a == "BIB" else a for a in command]
    result = run("--catalog", folder, *args)
    assert result.exit_code == 1, result.output
    assert "another oflbib command is writing here" in result.stderr
    assert clean(tree_bytes(folder)) == old


def test_second_build_is_refused(bib_versions, lock_holder, run):
    catalog, out, old, _ = bib_versions
    restore(out, old)
    lock_holder(out)
    result = run("--catalog", catalog, "build", "--out", out)
    assert result.exit_code == 1 and "another oflbib command is writing here" in result.stderr
    assert clean(tree_bytes(out)) == old


def test_reader_leaves_a_running_writers_files_alone(versions, lock_holder, run):
    """`oflbib list` while a writer has its temporaries and journal on disk: the reader
    must not 'recover' them (deleting a live writer's temporaries mixes versions), nor
    show what may be half renamed: it waits a moment, then says a write is running."""
    folder, old, _ = versions
    work = [f".training.yaml{atomic.TMP_SUFFIX}", atomic.JOURNAL]
    lock_holder(folder, *work)
    result = run("--catalog", folder, "list")
    assert result.exit_code == 1 and "is writing this catalog" in result.stderr
    for name in work:
        assert (folder / name).read_text() == "work in progress"


# ---- bad catalog files and Markdown lists ----------------------------------------------

def _corruptions(data: bytes) -> dict[str, bytes]:
    third = len(data) // 3
    return {
        "truncated early": data[:third], "truncated late": data[: 2 * third + 7],
        "empty": b"", "binary": bytes(range(256)) * 4, "non-UTF-8": data[:third] + b"\xff\xfe"
        + data[third:], "a list": b"- a\n- b\n", "a number": b"42\n",
        "wrong types": b"section: [1, 2]\nentries: {a: 1}\n",
        "tabs": data.replace(b"  ", b"\t", 3),
    }


@pytest.mark.parametrize("name", ["catalog.yaml", "training.yaml", "frameworks.yaml",
                                  "optimization.yaml"])
def test_bad_catalog_files_give_located_errors(catalog_copy, run, name):
    path = catalog_copy / name
    original = path.read_bytes()
    for kind, data in _corruptions(original).items():
        path.write_bytes(data)
        before = tree_bytes(catalog_copy)
        result = run("--catalog", catalog_copy, "check")
        assert "Traceback" not in result.output, kind
        assert tree_bytes(catalog_copy) == before, kind  # loading writes nothing
        if result.exit_code in (0, 1):  # what was left is itself a valid catalog
            continue
        assert result.exit_code == 2, (kind, result.output)
        lines = result.stderr.strip().splitlines()
        assert lines and all(line.startswith(f"oflbib: {catalog_copy}/") for line in lines)
        if data.strip():
            assert any(line.startswith(f"oflbib: {path}:") for line in lines), (kind, lines)
    path.write_bytes(original)


def test_bad_markdown_lists_give_located_errors(tmp_path, seed_path, run):
    data = seed_path.read_bytes()
    cases = {f"cut at {n}": data[:n] for n in range(0, len(data), len(data) // 25)}
    cases.update({"binary": bytes(range(256)), "non-UTF-8": data[:900] + b"\xc3\x28" + data[900:],
                  "UTF-16": data.decode("utf-8").encode("utf-16")})
    for kind, content in cases.items():
        source = tmp_path / "list.md"
        source.write_bytes(content)
        folder = tmp_path / f"cat-{len(content)}"
        result = run("--catalog", folder, "import", "markdown", source)
        assert "Traceback" not in result.output, kind
        if result.exit_code in (0, 1):
            load_catalog(folder)  # whatever was imported loads back
            if result.exit_code == 1:  # a broken item: located, the rest imported
                assert f"error: {source}:" in result.stderr, (kind, result.stderr)
            continue
        assert result.exit_code == 2, (kind, result.output)
        assert result.stderr.startswith(f"oflbib: {source}:"), (kind, result.stderr)
        assert not folder.exists(), kind


@pytest.mark.parametrize("text, line", [
    ("# L\n### A\n- [{}](https://x.org/a)\n", 3),  # only markup: no title left
    ("# L\n### A\n- [ { } . ](https://x.org/a)\n", 3),
])
def test_markdown_item_without_title_text_is_refused(tmp_path, run, text, line):
    source = tmp_path / "list.md"
    source.write_text(text)
    result = run("--catalog", tmp_path / "cat", "import", "markdown", source)
    assert result.exit_code == 2 and f"{source}:{line}: link has no title" in result.stderr
    assert not (tmp_path / "cat").exists()


def test_section_names_never_share_or_overwrite_a_catalog_file(tmp_path, run):
    """`### Catalog` would have been written over catalog.yaml, and `C++` and `C#` into
    one c.yaml, the second section replacing the first."""
    source = tmp_path / "list.md"
    source.write_text("# L\n### Catalog\n- [One: A](https://x.org/1)\n### C++\n"
                      "- [Two: B](https://x.org/2)\n### C#\n- [Three: C](https://x.org/3)\n")
    assert run("--catalog", tmp_path / "cat", "import", "markdown", source).exit_code == 0
    catalog = load_catalog(tmp_path / "cat")
    assert [(s.name, s.file, len(s.listings)) for s in catalog.sections] == [
        ("Catalog", "catalog-2.yaml", 1), ("C++", "c.yaml", 1), ("C#", "c-2.yaml", 1)]


# ---- kill -9 in the middle of resolve --------------------------------------------------

@pytest.mark.parametrize("hook", ["replace", "fsync"])
def test_resolve_killed_at_every_rename_and_fsync(replay, resolve_env, catalog_root, tmp_path,
                                                  hook):
    """`resolve` against the stand-in services, killed at each rename and fsync (of its
    answer cache and of the catalog): the catalog is the old or the resolved one."""
    small_corpus().serve(replay)
    old = clean(tree_bytes(catalog_root))
    reference = tmp_path / "reference"
    shutil.copytree(catalog_root, reference)
    assert cli("--catalog", reference, "resolve", "-q").returncode == 0
    new = clean(tree_bytes(reference))
    assert new != old
    restore(reference, old)
    shutil.rmtree(tmp_path / "cache")  # each run below starts without answers
    total = calls_made(hook, "--catalog", reference, "resolve", "-q")
    assert total >= 2
    seen = set()
    for at in range(1, total + 1):
        restore(catalog_root, old)
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        result = killed_cli(hook, at, "--catalog", catalog_root, "resolve", "-q")
        assert result.returncode == -signal.SIGKILL, result.stderr
        assert_files_whole(catalog_root, old, new)
        load_catalog(catalog_root)  # the next run recovers
        seen.add(assert_old_or_new(catalog_root, old, new))
    assert seen == {"old", "new"}
