"""Load a catalog folder into the model (validated, errors located) and save it back."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oflbib import atomic
from oflbib.catalog import codec, compiled, schema, yamlfiles
from oflbib.catalog.files import (  # noqa: F401 (re-exported: where callers look)
    MANIFEST, default_catalog_dir, fast_paths, resolve_catalog_dir, section_file,
)
from oflbib.errors import CatalogLocked, OflbibError, Problem
from oflbib.model import Block, Catalog, Listing, RelationEntry, Section

_VALIDATORS: dict[int, Any] = {}
_QUICK_CHECKS: dict[int, Any] = {}


def _validator(which: dict[str, Any]) -> Any:
    cached = _VALIDATORS.get(id(which))
    if cached is None:
        from jsonschema import Draft7Validator, validators

        # An integer is an int, as in `quickcheck`: Draft 7 alone accepts 2020.0.
        checker = Draft7Validator.TYPE_CHECKER.redefine(
            "integer", lambda _, value: type(value) is int)
        strict = validators.extend(Draft7Validator, type_checker=checker)
        cached = _VALIDATORS[id(which)] = strict(which)
    return cached


def _quick_check(which: dict[str, Any]) -> Any:
    cached = _QUICK_CHECKS.get(id(which))
    if cached is None:
        from oflbib.catalog.quickcheck import compile_schema

        cached = _QUICK_CHECKS[id(which)] = compile_schema(which)
    return cached


def new_section_file(name: str, taken: set[str]) -> str:
    """The file for a new section: its name's slug, but never the manifest's file nor one
    in `taken` (`### Catalog` would overwrite catalog.yaml; `C++` and `C#` share `c`)."""
    from oflbib.text import unique_slugs

    stems = {file.removesuffix(".yaml") for file in taken | {MANIFEST}}
    return unique_slugs([name], stems)[0] + ".yaml"


# ---- validation messages ---------------------------------------------------------------

_TYPE_WORDS = {"integer": "an integer", "string": "text", "array": "a list", "object": "a mapping",
               "null": "empty", "boolean": "true or false", "number": "a number"}


def shown(value: Any) -> str:
    """A value quoted in a message, bounded: a value can be megabytes (or, through YAML
    aliases, billions of items), and only its start helps find it."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    short.maxlist = short.maxdict = 4
    short.maxlevel = 2
    return short.repr(value)


def _describe(error: Any) -> str:
    path = [p for p in error.absolute_path]
    field = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
    if isinstance(path[-1:] and path[-1], int) and len(path) >= 2 and isinstance(path[-2], str):
        field = f"each item of {path[-2]}"
    kind = error.validator
    if kind == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted if w != "null")
        return f"{field} must be {words}, not {shown(error.instance)}"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required field '{missing}'"
    if kind == "additionalProperties":
        import difflib  # only to explain a file that does not load

        known = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        close = difflib.get_close_matches(str(extra[0]), known, n=1) if len(extra) == 1 else []
        return f"unknown field {', '.join(shown(e) for e in extra[:5])}" + \
            (f" and {len(extra) - 5} more" if len(extra) > 5 else "") + \
            (f"; did you mean '{close[0]}'?" if close else "")
    if kind == "enum":
        choices = ", ".join(str(c) for c in error.validator_value if c is not None)
        return f"{field} must be one of {choices}, not {shown(error.instance)}"
    if kind == "pattern":
        return f"{field} {shown(error.instance)} is not well-formed"
    if kind == "minLength":
        return f"{field} must not be empty"
    if kind in ("minimum", "maximum"):
        return f"{field} {shown(error.instance)} is out of range"
    return f"{field}: {error.message[:200]}"


def validate(data: Any, which: dict[str, Any], path: str, text: str) -> None:
    """Raise one located problem per schema violation in a file's data."""
    if fast_paths() and _quick_check(which)(data):
        return  # valid; jsonschema is only needed to explain what is wrong
    errors = sorted(_validator(which).iter_errors(data), key=lambda e: list(map(str, e.path)))
    if not errors:
        return
    problems = []
    for error in errors:
        location = [p for p in error.absolute_path]
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            location += extra[:1]  # point at the unknown field itself
        problems.append(Problem(_describe(error), path, yamlfiles.line_of(text, location)))
    raise OflbibError(problems)


# ---- loading -------------------------------------------------------------------------

@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector during bulk work over the model (loading, exporting).

    That work makes millions of objects and no reference cycles, so the collector finds
    nothing, yet it walks the whole growing heap again and again: at 100,000 entries it
    took two thirds of a load. Memory is still freed by reference counting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Source:
    """A catalog file as read: its path and bytes, decoded only to locate a problem."""

    path: Path
    raw: bytes

    def line(self, data_path: list[str | int]) -> int | None:
        return yamlfiles.line_of(yamlfiles.decode(self.raw, str(self.path)), data_path)


def _parse_and_validate(source: _Source, which: dict[str, Any]) -> Any:
    text = yamlfiles.decode(source.raw, str(source.path))
    data = yamlfiles.parse(text, str(source.path))
    if data is None:
        data = {}
    validate(data, which, str(source.path), text)
    return data


_SCHEMAS = {"manifest": schema.MANIFEST, "section": schema.SECTION_FILE}


def _read(path: Path, kind: str, seen: dict[Path, tuple[int, ...]]) -> tuple[Any, _Source]:
    """A file's validated data (`kind` names its schema); through the compiled cache,
    which knows these bytes when nothing changed since the last load. `seen` gets the
    identity of the file read."""
    source = _Source(path, yamlfiles.read_bytes(path, seen))
    data = compiled.load(source.raw, kind,
                         lambda: _parse_and_validate(source, _SCHEMAS[kind]))
    return data, source


SNAPSHOT_TRIES = 40  # about 3 s: a write's renames take milliseconds


@collector_paused()
def load_catalog(root: Path) -> Catalog:
    """The catalog in `root`, fully validated; every problem found is raised at once.

    Readers take no lock, yet never see half of a write: a write renames its files one
    by one while its journal exists (`atomic`), so a load whose files are all still the
    ones it read, with no journal there, read one version. Otherwise it reads again."""
    if not (root / MANIFEST).is_file():
        raise OflbibError(Problem(f"no catalog here ({MANIFEST} not found); run "
                                  "`oflbib --catalog DIR import markdown LIST.md` to make one",
                                  str(root)))
    for attempt in range(SNAPSHOT_TRIES):
        atomic.recover(root)
        seen: dict[Path, tuple[int, ...]] = {}
        try:
            catalog = _load(root, seen)
        except OflbibError:
            if _unchanged(root, seen):
                raise
            catalog = None  # what was wrong may be a mix of two versions
        if catalog is not None and _unchanged(root, seen):
            return catalog
        time.sleep(min(0.01 * (attempt + 1), 0.1))
    raise CatalogLocked(Problem("another oflbib command is writing this catalog; try again "
                                "when it has finished", str(root)), exit_code=1)


def _unchanged(root: Path, seen: dict[Path, tuple[int, ...]]) -> bool:
    """No write in progress (its journal exists, under the write lock, from before its
    first rename until after its last), and every file read is still the one read: then
    they were one version. A journal with no live writer is a dead one's that recovery
    could not finish (a read-only copy): the files are what they are."""
    if os.path.lexists(root / atomic.JOURNAL) and atomic.writing_now(root):
        return False
    try:
        return all(yamlfiles.identity(os.lstat(path)) == known for path, known in seen.items())
    except OSError:
        return False


def _load(root: Path, seen: dict[Path, tuple[int, ...]]) -> Catalog:
    manifest, _ = _read(root / MANIFEST, "manifest", seen)
    catalog = Catalog(title=manifest.get("title", ""),
                      preambles=list(manifest.get("preambles") or []),
                      relations=[RelationEntry(r["type"], r["key"], dict(r["fields"]))
                                 for r in manifest.get("relations") or []])
    problems: list[Problem] = []
    pending_refs: list[tuple[Section, Listing, _Source, int]] = []
    cited: list[tuple[str, _Source, list[str | int]]] = []  # cite_as keys, where they are
    filed: list[tuple[str, _Source, list[str | int]]] = []  # filed_under names, where
    for index, block in enumerate(manifest["layout"]):
        if "section" in block:
            name = block["section"]
            file = section_file(block)
            path = root / file
            try:
                data, source = _read(path, "section", seen)
            except OflbibError as err:
                problems.extend(err.problems)
                continue
            section = Section(name=name, file=file, heading=data.get("heading"))
            for position, item in enumerate(data.get("entries") or []):
                seed = codec.seed_from_data(item["seed"]) if item.get("seed") else None
                if "see" in item:
                    listing = Listing(item["see"], seed, home=False)
                    pending_refs.append((section, listing, source, position))
                else:
                    entry = codec.entry_from_data(item)
                    if entry.key in catalog.entries:
                        line = source.line(["entries", position, "key"])
                        problems.append(Problem(f"duplicate key '{entry.key}'", str(path), line))
                        continue
                    catalog.entries[entry.key] = entry
                    listing = Listing(entry.key, seed, home=True)
                    if entry.cite_as:
                        cited.append((entry.cite_as.key, source,
                                      ["entries", position, "cite_as", "key"]))
                    if entry.filed_under:
                        filed.append((entry.filed_under, source,
                                      ["entries", position, "filed_under"]))
                section.listings.append(listing)
            catalog.sections.append(section)
            catalog.blocks.append(Block(section=name, heading=section.heading,
                                        level=block.get("level", 3)))
        else:
            catalog.blocks.append(Block(heading=block.get("heading"), level=block.get("level", 2),
                                        prose=block.get("prose")))
    for section, listing, source, position in pending_refs if not problems else []:
        if listing.key not in catalog.entries:
            problems.append(Problem(f"see: '{listing.key}' names no entry of the catalog",
                                    str(source.path), source.line(["entries", position])))
            section.listings.remove(listing)
    names = {section.name for section in catalog.sections}
    for name, source, where in filed:
        if name not in names:
            problems.append(Problem(f"filed_under: '{name}' is not a section of the catalog",
                                    str(source.path), source.line(where)))
    taken = set(catalog.entries)
    for key, source, where in cited:
        if key in taken:
            problems.append(Problem(f"duplicate key '{key}' (cite_as)", str(source.path),
                                    source.line(where)))
        taken.add(key)
    if problems:
        raise OflbibError(problems)
    catalog.refresh_sections()
    return catalog


# ---- saving --------------------------------------------------------------------------

def section_file_data(catalog: Catalog, section: Section) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for listing in section.listings:
        if listing.home:
            item = codec.entry_to_data(catalog.entries[listing.key])
            if listing.seed:
                item["seed"] = codec.seed_to_data(listing.seed)
            else:
                item.pop("seed", None)
        else:
            item = {"see": listing.key}
            if listing.seed:
                item["seed"] = codec.seed_to_data(listing.seed)
        entries.append(item)
    data: dict[str, Any] = {"section": section.name}
    if section.heading:
        data["heading"] = section.heading
    data["entries"] = entries
    return data


def manifest_data(catalog: Catalog) -> dict[str, Any]:
    layout: list[dict[str, Any]] = []
    files = {s.name: s.file for s in catalog.sections}
    for block in catalog.blocks:
        if block.section:
            layout.append({"section": block.section, "file": files[block.section],
                           "level": block.level})
        elif block.prose is not None:
            layout.append({"prose": block.prose})
        else:
            layout.append({"heading": block.heading, "level": block.level})
    data: dict[str, Any] = {"title": catalog.title}
    if catalog.preambles:
        data["preambles"] = list(catalog.preambles)
    if catalog.relations:
        data["relations"] = [{"type": r.entry_type, "key": r.key, "fields": dict(r.fields)}
                             for r in catalog.relations]
    data["layout"] = layout
    return data


_HEADER = ("# oflbib catalog: one file per section of the list, entries in list order.\n"
           "# Edit by hand freely; comments and order are kept. `oflbib check` validates.\n")


def render_catalog(catalog: Catalog, root: Path) -> dict[Path, bytes]:
    """The bytes of every catalog file that would change, merged into what is on disk."""
    for section in catalog.sections:
        for listing in section.listings:
            if listing.home:
                catalog.entries[listing.key].seed = listing.seed
    wanted: dict[Path, dict[str, Any]] = {root / MANIFEST: manifest_data(catalog)}
    for section in catalog.sections:
        wanted[root / section.file] = section_file_data(catalog, section)
    changed: dict[Path, bytes] = {}
    for path, data in wanted.items():
        try:
            existing: str | None = yamlfiles.decode(path.read_bytes(), str(path))
        except (FileNotFoundError, OflbibError):
            existing = None
        if existing is not None and yamlfiles.parse(existing, str(path)) == data:
            continue
        rendered = yamlfiles.render(data, existing, _HEADER)
        if rendered.decode("utf-8") != existing:
            changed[path] = rendered
    return changed


def save_catalog(catalog: Catalog, root: Path) -> list[Path]:
    """Write every changed file of the catalog in one atomic step; returns what changed."""
    changed = render_catalog(catalog, root)
    atomic.write_files(changed, root)
    return sorted(changed)
