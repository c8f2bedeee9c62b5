"""Hostile folders, caches and files (issue 15): each attack as it was reproduced, and
the harm it must no longer do. Resolver and network attacks are in test_resolve_*."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oflbib import atomic
from oflbib.catalog import compiled
from oflbib.catalog.store import load_catalog, save_catalog
from oflbib.exporters import build_files, render
from oflbib.exporters.bibtex import _url
from oflbib.keys import unique_key
from oflbib.model import Block, Catalog, Entry, Listing, Section
from oflbib.terminal import neutral
from tests.conftest import tree_bytes

TRAINING = "training.yaml"


def bamboo_title(folder: Path, title: str) -> None:
    path = folder / TRAINING
    text = path.read_text(encoding="utf-8")
    old = "title: 'Bamboo: Making Preemptible Instances Resilient for Affordable Training of " \
          "Large DNNs'"
    assert old in text
    path.write_text(text.replace(old, f"title: {json.dumps(title)}"), encoding="utf-8")


# ---- 1: a planted journal renames nothing outside the folder's own temporaries -------

@pytest.mark.parametrize("plan", [
    lambda victim, folder: [[str(victim), str(folder / "stolen")]],  # absolute paths
    lambda victim, folder: [["../victim", "hooks/pre-commit"]],  # relative escapes
    lambda victim, folder: [[".x.oflbib-tmp", "training.yaml"]],  # another file's name
    lambda victim, folder: [[".catalog.yaml.oflbib-tmp", ".oflbib-journal"]],
])
def test_planted_journal_renames_nothing(catalog_copy, tmp_path, run, plan):
    victim = tmp_path / "victim"
    victim.write_text("secret")
    (catalog_copy / "hooks").mkdir()
    (catalog_copy / ".x.oflbib-tmp").write_text("forged")
    (catalog_copy / atomic.JOURNAL).write_text(json.dumps(plan(victim, catalog_copy)))
    before = {k: v for k, v in tree_bytes(catalog_copy).items()
              if k not in (atomic.JOURNAL, ".x.oflbib-tmp")}
    assert run("--catalog", catalog_copy, "list").exit_code == 0
    assert victim.read_text() == "secret"
    assert tree_bytes(catalog_copy) == before  # journal and stray temporary gone, no more


@pytest.mark.parametrize("plant", ["link", "fifo"])
def test_journal_or_catalog_file_that_is_no_file_is_refused(catalog_copy, tmp_path, run,
                                                            plant):
    """A journal that is a link (to a file of renames elsewhere) or a FIFO (which would
    hang the reader), or a catalog file that is a FIFO: refused, nothing hangs."""
    elsewhere = tmp_path / "plan"
    elsewhere.write_text(json.dumps([[".x.oflbib-tmp", "x"]]))
    journal = catalog_copy / atomic.JOURNAL
    if plant == "link":
        journal.symlink_to(elsewhere)
    else:
        os.mkfifo(journal)
    assert run("--catalog", catalog_copy, "list").exit_code == 0
    assert not os.path.lexists(journal) and elsewhere.exists()
    (catalog_copy / TRAINING).unlink()
    os.mkfifo(catalog_copy / TRAINING)
    result = run("--catalog", catalog_copy, "list")
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_a_real_journal_still_rolls_forward(catalog_copy, run):
    path = catalog_copy / TRAINING
    new = path.read_bytes().replace(b"Bamboo: Making", b"Bamboo: Now Making")
    (catalog_copy / f".{TRAINING}{atomic.TMP_SUFFIX}").write_bytes(new)
    (catalog_copy / atomic.JOURNAL).write_text(
        json.dumps([[f".{TRAINING}{atomic.TMP_SUFFIX}", TRAINING]]))
    assert run("--catalog", catalog_copy, "list").exit_code == 0
    assert path.read_bytes() == new and not (catalog_copy / atomic.JOURNAL).exists()


# ---- 2: TeX's ^^ notation in a URL ---------------------------------------------------

def test_urls_reach_tex_without_carets_braces_or_backslashes():
    url = "https://e.org/^^5ccsname^^7bx^^7d\\input{/etc/passwd} \"<|>`é"
    written = _url(url)
    assert not set("^\\{} \"<|>`") & set(written)
    assert written.startswith("https://e.org/%5E%5E5ccsname") and written.endswith("%60é")
    assert _url("https://e.org/a?b=1&c=%20#x~y") == "https://e.org/a?b=1&c=%20#x~y"
    catalog = Catalog(title="L", blocks=[Block(section="S", level=3)],
                      sections=[Section("S", "s.yaml", listings=[Listing("k")])])
    catalog.entries["k"] = Entry(key="k", kind="software", title="T", urls=[url])
    catalog.refresh_sections()
    for fmt in ("bibtex", "biblatex"):
        assert "^" not in render(catalog, fmt)


# ---- 3 and 4: caches in a private folder, pruned of their own files, checked on load -

def test_cache_dir_at_the_project_root_deletes_nothing(catalog_copy, tmp_path, monkeypatch,
                                                       run):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(catalog_copy, project / "catalog")
    (project / "export").mkdir()
    (project / "export" / "notes.txt").write_text("mine")
    old = time.time() - 90 * 86400
    for path in (project / "catalog").iterdir():
        os.utime(path, (old, old))
    os.utime(project / "export" / "notes.txt", (old, old))
    before = tree_bytes(project)
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(project))  # OFLBIB_CACHE_DIR=.
    for _ in range(2):
        assert run("--catalog", project / "catalog", "export").exit_code == 0
    assert tree_bytes(project) == before


def test_cache_prunes_only_what_it_wrote(tmp_path, monkeypatch, catalog_copy):
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(tmp_path / "cache"))
    load_catalog(catalog_copy)
    folder = compiled.cache_folder()
    assert folder is not None and (os.stat(folder).st_mode & 0o777) == 0o700
    old = time.time() - 90 * 86400
    theirs = folder / "README"
    theirs.write_text("not a cache entry")
    stale = folder / ("0" * 64 + compiled.SUFFIX)
    stale.write_bytes(b"x")
    for path in (theirs, stale):
        os.utime(path, (old, old))
    path = catalog_copy / TRAINING
    path.write_text(path.read_text() + "\n")  # a new entry: stored, then the folder pruned
    load_catalog(catalog_copy)
    assert theirs.exists() and not stale.exists()


def test_a_cache_folder_open_to_others_is_not_used(tmp_path, monkeypatch, catalog_copy):
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache" / "catalog").mkdir(parents=True, mode=0o777)
    os.chmod(tmp_path / "cache" / "catalog", 0o777)
    assert compiled.cache_folder() is None
    load_catalog(catalog_copy)
    assert not list((tmp_path / "cache" / "catalog").iterdir())
    (tmp_path / "cache" / "export").symlink_to(tmp_path)  # a link is no cache either
    assert compiled.output_folder() is None


def forge(entry: Path, change) -> None:
    """Rewrite a cache entry's data as a forger would: the layout is public, the folder's
    key is not, so the digest is made with a guessed key."""
    import hmac
    import marshal

    stored_name, data = marshal.loads(entry.read_bytes()[compiled.TAG_BYTES:])
    body = marshal.dumps((stored_name, change(data)))
    entry.write_bytes(hmac.digest(bytes(compiled.KEY_BYTES), body, "sha256") + body)


def test_forged_compiled_entry_is_not_trusted(tmp_path, monkeypatch, catalog_copy, run):
    """A compiled entry's name is computable from the file's bytes; one forged with data
    the schema refuses (a key that ends the BibTeX entry, a raw \\write18 as the title's
    type) is parsed again from the YAML instead."""
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(tmp_path / "cache"))
    load_catalog(catalog_copy)
    raw = (catalog_copy / TRAINING).read_bytes()
    name = compiled.entry_name(raw, "section", compiled._fingerprint())

    def hostile(data):
        data["entries"][0]["key"] = "x,title={\\immediate\\write18{touch PWNED}}}@misc{y"
        data["entries"][0]["title"] = ["\\immediate\\write18{touch PWNED}"]
        return data

    forge(compiled.cache_folder() / name, hostile)
    result = run("--catalog", catalog_copy, "export")
    assert result.exit_code == 0 and "write18" not in result.stdout
    assert "thorpe2023bamboo" in result.stdout


def test_forged_export_is_not_printed(tmp_path, monkeypatch, catalog_copy, run):
    """A stored output is bytes printed as they are: one forged, or stored under another
    key (a cache folder copied from elsewhere, a damaged key file), is rendered again."""
    monkeypatch.setenv("OFLBIB_CACHE_DIR", str(tmp_path / "cache"))
    args = ("--catalog", catalog_copy, "export")
    expected = run(*args).stdout
    assert run(*args).stdout == expected  # stored
    (entry,) = compiled.output_folder().glob(f"*{compiled.SUFFIX}")
    forge(entry, lambda data: b"@misc{forged, note={\\write18{touch PWNED}}}")
    assert run(*args).stdout == expected
    (compiled.output_folder() / compiled.KEY).write_bytes(b"short")  # a new key is made
    assert run(*args).stdout == expected
    assert len((compiled.output_folder() / compiled.KEY).read_bytes()) == compiled.KEY_BYTES


# ---- 5: no symbolic link followed when writing ----------------------------------------

def test_export_never_writes_through_a_link(tmp_path, run):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / f".refs.bib{atomic.TMP_SUFFIX}").symlink_to(victim)  # the temporary
    assert run("export", "-o", out / "refs.bib").exit_code == 0
    assert victim.read_text() == "precious" and "@" in (out / "refs.bib").read_text()
    (out / "refs.bib").unlink()
    (out / "refs.bib").symlink_to(victim)  # the file itself: the link is replaced
    assert run("export", "-o", out / "refs.bib").exit_code == 0
    assert victim.read_text() == "precious" and not (out / "refs.bib").is_symlink()


def test_lock_file_link_is_refused(catalog_copy, tmp_path, run):
    target = tmp_path / "created-by-oflbib"
    (catalog_copy / atomic.LOCK).symlink_to(target)
    result = run("--catalog", catalog_copy, "rekey", "--all")
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert not target.exists()


def test_export_into_a_missing_folder_is_refused(tmp_path, run):
    result = run("export", "-o", tmp_path / "missing" / "x.bib")
    assert result.exit_code == 2 and "no folder" in result.stderr
    assert not (tmp_path / "missing").exists()


# ---- 9: readers never see half a write --------------------------------------------------

READER = """
import sys
from pathlib import Path
from oflbib.catalog.store import load_catalog
print("ready", flush=True)
sys.stdin.readline()
loaded = load_catalog(Path(sys.argv[1]))
print(sorted({e.title.startswith("NEW ") for e in loaded.entries.values()}))
"""


def test_reader_during_a_write_sees_old_or_new(catalog_copy, monkeypatch):
    """A write renames its files one by one; a reader (another process) that loads
    between two renames must not get the new file of one section and the old file of
    another: it gets one version whole."""
    catalog = load_catalog(catalog_copy)
    for entry in catalog.entries.values():
        entry.title = "NEW " + entry.title  # every section file changes
    readers: list[subprocess.Popen] = []
    real_replace = os.replace

    def replace(source, target):
        real_replace(source, target)
        if str(target).endswith(TRAINING) and not readers:
            reader = subprocess.Popen([sys.executable, "-c", READER, str(catalog_copy)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True)
            readers.append(reader)
            assert reader.stdout.readline().strip() == "ready"
            reader.stdin.write("go\n")
            reader.stdin.flush()
            time.sleep(1.0)  # the reader loads between this rename and the next

    monkeypatch.setattr(atomic.os, "replace", replace)
    with atomic.write_lock(catalog_copy):
        save_catalog(catalog, catalog_copy)
    monkeypatch.undo()
    (reader,) = readers
    out, _ = reader.communicate(timeout=60)
    assert reader.returncode == 0 and out.strip() == "[True]"


# ---- 10: one output file per section, whatever the names -------------------------------

def test_build_file_names_are_unique_and_bounded():
    names = ["Refs", "C++", "C#", "x" * 231, "Training"]
    catalog = Catalog(title="L", blocks=[Block(section=n, level=3) for n in names])
    for number, name in enumerate(names):
        key = f"k{number}"
        catalog.entries[key] = Entry(key=key, kind="software", title=f"T{number}",
                                     urls=[f"https://e.org/{number}"])
        catalog.sections.append(Section(name, f"s{number}.yaml", listings=[Listing(key)]))
    catalog.refresh_sections()
    files = build_files(catalog)
    assert len(files) == 5 + 4 * len(names)  # refs.* plus one per section and format
    assert {"refs.bib", "refs-2.bib", "c.bib", "c-2.bib", "training.bib"} <= set(files)
    assert all(len(f".{name}{atomic.TMP_SUFFIX}".encode()) < 255 for name in files)
    assert "k1" in files["refs.bib"] and "k1" not in files["refs-2.bib"]


# ---- 11, 13, 14: catalog files that are links, bombs, huge numbers, deep nesting ------

def test_catalog_file_linked_to_a_secret_is_not_shown(catalog_copy, tmp_path, run):
    secret = tmp_path / "secret"
    secret.write_text("password: hunter2\n")
    (catalog_copy / TRAINING).unlink()
    (catalog_copy / TRAINING).symlink_to(secret)
    result = run("--catalog", catalog_copy, "list")
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert "hunter2" not in result.output


BOMB = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
               for p, c in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("change, message", [
    (lambda t: "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + BOMB + t,
     "anchors and aliases"),
    (lambda t: t.replace("year: 2023", "year: " + "9" * 5000, 1), "4,300 digits"),
    (lambda t: t.replace("year: 2023", "year:" + "".join(
        "\n" + "  " * (i + 3) + "a:" for i in range(600)) + " 1", 1), "nested more than"),
    (lambda t: t.replace("year: 2023", "year: " + "[" * 600 + "]" * 600, 1),
     "nested more than"),
    (lambda t: t.replace("year: 2023", "year: 2023.0", 1), "year must be an integer"),
])
def test_hostile_catalog_files_give_located_errors(catalog_copy, run, change, message):
    path = catalog_copy / TRAINING
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    started = time.monotonic()
    result = run("--catalog", catalog_copy, "build", "--out", catalog_copy.parent / "bib")
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.stderr and message in result.stderr
    assert len(result.stderr) < 2000
    assert time.monotonic() - started < 60  # a bound on harm, not a benchmark


def test_keys_never_run_out():
    taken = {"lee2023x"}
    for _ in range(800):
        taken.add(unique_key("lee2023x", taken))
    assert len(taken) == 801 and "lee2023xzz" in taken and "lee2023xbaa" in taken


# ---- 14: control characters never reach the terminal ----------------------------------

def test_control_characters_are_spelled_out():
    assert neutral("a\x1b]0;pwned\x07b\tc\nd\u202ee\x9b") == \
        "a\\x1b]0;pwned\\x07b\tc\nd\\u202ee\\x9b"
    assert neutral("plain λ text") == "plain λ text"


def test_terminal_gets_no_escape_sequences(catalog_copy, tmp_path):
    """A title with an escape sequence, listed to a terminal (a pty) and to a pipe: the
    terminal sees it spelled out, the pipe gets the data as it is."""
    bamboo_title(catalog_copy, "\x1b]0;pwned\x07Bamboo")
    command = [sys.executable, "-m", "oflbib", "--catalog", str(catalog_copy), "list"]
    env = {**os.environ, "OFLBIB_CATALOG": ""}
    primary, secondary = pty.openpty()
    done = subprocess.run(command, stdout=secondary, stderr=subprocess.PIPE, env=env,
                          timeout=120)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert done.returncode == 0 and b"Bamboo" in shown
    assert b"\x1b" not in shown and b"\x07" not in shown and b"\\x1b]0;pwned" in shown
    piped = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert b"\x1b]0;pwned\x07Bamboo" in piped.stdout
