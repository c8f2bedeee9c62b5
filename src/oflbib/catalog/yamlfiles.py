"""Reading and writing the catalog's YAML: fast reads, comment-preserving writes.

Reads of the layout oflbib itself writes take the line-by-line reader of `canonical`;
anything else goes to PyYAML's libyaml loader (plain data). Only when something is wrong
do we compose the file again to find the line to blame. Writes go through ruamel.yaml's
round-trip mode and are merged into the file as it is, so comments and key order
written by people survive, and a diff of `catalog/` reads like a review; a file written
from scratch takes `canonical`'s writer, which gives the same bytes much faster.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oflbib.catalog.files import fast_paths
from oflbib.errors import OflbibError, Problem

if TYPE_CHECKING:  # ruamel is imported only to write or show YAML, not to load it
    from ruamel.yaml import YAML


# PyYAML and the canonical reader are imported on first use: a load the compiled cache
# answers needs neither.
@lru_cache(maxsize=1)
def _base_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader: no libyaml built


@lru_cache(maxsize=1)
def strict_loader() -> Any:
    """Safe loader that keeps dates and timestamps as text (no silent type changes)."""
    import re

    base = _base_loader()
    loader = type("StrictLoader", (base,), {})
    # ruamel.yaml writes YAML 1.2, where `yes`, `on`, `No` and `1:30` are text and stay
    # unquoted; PyYAML reads YAML 1.1, where they are booleans and numbers. The reader
    # therefore resolves plain scalars by YAML 1.2's core schema (and dates stay text).
    core = {
        "tag:yaml.org,2002:bool": ("tTfF", r"^(?:true|True|TRUE|false|False|FALSE)$"),
        "tag:yaml.org,2002:int": ("-+0123456789", r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+)$"),
        "tag:yaml.org,2002:float": (
            "-+.0123456789",
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        "tag:yaml.org,2002:null": ("~nN", r"^(?:~|null|Null|NULL|)$"),
    }
    resolvers: dict[Any, list[tuple[str, Any]]] = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [(tag, regexp) for tag, regexp in entries
                if tag not in core and tag != "tag:yaml.org,2002:timestamp"]
        if kept:
            resolvers[first] = kept
    for tag, (firsts, pattern) in core.items():
        for first in list(firsts) + ([""] if tag.endswith("null") else []):
            resolvers.setdefault(first or None, []).append((tag, re.compile(pattern)))
    loader.yaml_implicit_resolvers = resolvers
    return loader


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text of a file, or a located error for binary and non-UTF-8 content."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise OflbibError(Problem("binary data (NUL byte), not a text file", path, line))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise OflbibError(Problem(
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8",
            path, line)) from None
    return text.removeprefix("\ufeff")


def parse(text: str, path: str) -> Any:
    """Plain data from YAML text; a syntax error becomes `path:line: message`."""
    from oflbib.catalog import canonical

    loader = strict_loader()
    if fast_paths():
        try:
            return canonical.read(text, loader.yaml_implicit_resolvers)
        except (canonical.NotCanonical, ValueError, RecursionError):
            pass  # the checked path below reads it, or says where it is wrong
    import yaml

    try:
        _check_shape(text, path)
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except ValueError as err:  # a number Python will not convert (over 4,300 digits)
        found = re.search(r"\d{1000,}", text)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        raise OflbibError(Problem("a number of more than 4,300 digits (Python reads no longer "
                                  "ones)" if found else f"invalid value: {str(err)[:120]}",
                                  path, line)) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(filter(None, [err.context, err.problem])) or "invalid YAML"
        raise OflbibError(Problem(f"invalid YAML: {message}", path, line)) from None
    except yaml.YAMLError as err:
        raise OflbibError(Problem(f"invalid YAML: {err}", path)) from None


MAX_DEPTH = 24  # the catalog's own files nest 6 deep


def _check_shape(text: str, path: str) -> None:
    """Refuse what oflbib never writes and PyYAML would spend unbounded time or stack
    on: anchors and aliases (a few hundred bytes of them stand for billions of items,
    expanded by any message that shows the value) and deep nesting."""
    import yaml

    if not ("&" in text or "*" in text or text.count("{") + text.count("[") > MAX_DEPTH
            or re.search(r"^ {%d}" % (2 * MAX_DEPTH), text, re.M)):
        return  # the usual file, decided without a second pass
    depth = 0
    for event in yaml.parse(text, Loader=_base_loader()):
        if isinstance(event, (yaml.AliasEvent, yaml.NodeEvent)) and \
                (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)):
            raise OflbibError(Problem("YAML anchors and aliases (&name, *name) are not "
                                      "allowed in catalog files; write the value out", path,
                                      event.start_mark.line + 1))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise OflbibError(Problem(f"nested more than {MAX_DEPTH} levels deep", path,
                                          event.start_mark.line + 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def line_of(text: str, data_path: list[str | int]) -> int | None:
    """1-based line of the value at `data_path` (keys and list indexes) in YAML text."""
    import yaml

    try:
        node = yaml.compose(text, Loader=_base_loader())
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node else None
    for step in data_path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = next(((k, v) for k, v in node.value if k.value == step), None)
            if found is None:
                break
            node = found[1]
            line = found[0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


# ---- writing -------------------------------------------------------------------------

def round_trip_yaml() -> YAML:
    """ruamel's round-trip YAML in the catalog's layout: comments, quotes and order kept."""
    from ruamel.yaml import YAML

    from oflbib.catalog.canonical import WIDTH

    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = WIDTH
    rt.preserve_quotes = True
    return rt


def _merge(old: Any, new: Any) -> Any:
    """`new` expressed as an edit of the round-trip node `old`, keeping its comments."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for stale in [k for k in old if k not in new]:
            del old[stale]
        previous = -1
        for key, value in new.items():
            if key in old:
                old[key] = _merge(old[key], value)
                previous = list(old.keys()).index(key)
            else:
                previous += 1
                old.insert(previous, key, value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        identity = _identity_of(new)
        if identity:
            by_id = {_ident(item): item for item in old if isinstance(item, CommentedMap)}
            merged = [
                _merge(by_id[_ident(item)], item) if _ident(item) in by_id else item
                for item in new
            ]
        elif len(old) == len(new):
            merged = [_merge(o, n) for o, n in zip(old, new)]
        else:
            merged = list(new)
        old[:] = merged
        return old
    if old == new and type(old) is not bool and type(new) is not bool:
        return old  # keeps the quoting style a person chose
    return new


def _ident(item: Any) -> Any:
    if isinstance(item, dict):
        if "key" in item:
            return ("key", item["key"])
        if "see" in item:
            return ("see", item["see"])
        if "section" in item:
            return ("section", item["section"])
    return None


def _identity_of(items: list[Any]) -> bool:
    return bool(items) and all(_ident(item) is not None for item in items)


# Line breaks to YAML 1.1 (our reader) but text to YAML 1.2 (ruamel, which writes them
# raw unless the scalar is double-quoted, where they become `\N`, `\L`, `\P`).
_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")


def _styled(value: Any) -> Any:
    """Multi-line text as `|` blocks, so prose reads as prose in the file; text with a
    Unicode line break double-quoted, so it reads back as written."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(value, dict):
        return {k: _styled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_styled(v) for v in value]
    if isinstance(value, str) and _UNICODE_BREAKS.search(value):
        return DoubleQuotedScalarString(value)
    if isinstance(value, str) and "\n" in value and value == value.strip() \
            and all(c.isprintable() or c == "\n" for c in value):
        return LiteralScalarString(value)
    return value


def render(new: dict[str, Any], existing_text: str | None, header: str) -> bytes:
    """YAML bytes for `new`, merged into `existing_text` when the file exists."""
    from oflbib.catalog import canonical

    if existing_text is None and fast_paths():
        try:
            return canonical.write(new, header).encode("utf-8")
        except canonical.NotCanonical:
            pass
    return render_round_trip(new, existing_text, header)


def render_round_trip(new: dict[str, Any], existing_text: str | None, header: str) -> bytes:
    """`render` through ruamel.yaml alone: the reference the canonical writer matches."""
    rt = round_trip_yaml()
    new = _styled(new)
    if existing_text is not None:
        try:
            document = rt.load(existing_text)
        except Exception:  # an unreadable old file is simply replaced
            document = None
        if document is not None:
            document = _merge(document, new)
            out = io.StringIO()
            rt.dump(document, out)
            return out.getvalue().encode("utf-8")
    out = io.StringIO()
    out.write(header)
    rt.dump(new, out)
    return out.getvalue().encode("utf-8")


def read_bytes(path: Path, seen: dict[Path, tuple[int, ...]] | None = None) -> bytes:
    """A catalog file's bytes. Never through a symbolic link: a link in a catalog (from a
    pull request, an archive) could name any file, whose text the errors would show.
    `seen` gets the identity of the file read (see `identity`)."""
    import errno
    import os
    import stat

    try:
        # O_NONBLOCK: a FIFO planted under a catalog file's name must not hang the read.
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                         | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise OflbibError(Problem("file not found", str(path))) from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise OflbibError(Problem("a symbolic link; catalog files must be files of their "
                                      "own (not read)", str(path))) from None
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None
    try:
        with open(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise OflbibError(Problem("not a regular file (not read)", str(path)))
            if seen is not None:
                seen[path] = identity(info)
            return stream.read()
    except OSError as err:
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None


def identity(info: Any) -> tuple[int, ...]:
    """What tells one version of a file from another: a rename puts another inode there,
    an edit in place changes the size or time."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)

