"""Read .bib files the way BibTeX and biber do: a pipeline of small named steps.

bibtexparser v2 splits each file into blocks; the steps in `PIPELINE` then work over one
`BibLibrary` holding the blocks of every file of the import, in order. A step that cannot
make sense of a block replaces it by a `Failed` block: the block stays data, and becomes a
located problem (`file:line: what`) while the blocks around it go on. Remarks that lose
nothing (a control entry skipped, a Latin-1 file) are located `notes`.

What leaves the pipeline are bibtexparser `Entry` blocks whose field values are final
LaTeX text: @strings (from every file of the import and `--strings` files) expanded, `#`
joined, the outer `{...}`/`"..."` removed, crossref/xdata inheritance filled in (the
`crossref`/`xref`/`xdata` fields themselves are kept). `importers.bibtex` turns each into
a catalog entry.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bibtexparser.model import (Block, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry,
                                Field, ImplicitComment, ParsingFailedBlock,
                                Preamble, String)

from oflbib.errors import OflbibError, Problem
from oflbib.model import RelationEntry

# bibtexparser logs each block it cannot parse; the pipeline reports them, located.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

# No bibliographic value is this long or this deeply braced; LaTeX decoding of larger
# ones takes seconds (length) or overflows the stack (depth), so they are refused.
MAX_VALUE_CHARS = 200_000
MAX_BRACE_DEPTH = 64
MAX_INHERITANCE = 16  # crossref/xdata chains followed at most this deep

# Macros BibTeX's standard styles define: the months, and plain.bst's journal names.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
STYLE_MACROS = {
    **{name[:3].lower(): name for name in MONTHS},
    "acmcs": "ACM Computing Surveys", "acta": "Acta Informatica",
    "cacm": "Communications of the ACM", "ibmjrd": "IBM Journal of Research and Development",
    "ibmsj": "IBM Systems Journal", "ieeese": "IEEE Transactions on Software Engineering",
    "ieeetc": "IEEE Transactions on Computers",
    "ieeetcad": "IEEE Transactions on Computer-Aided Design of Integrated Circuits",
    "ipl": "Information Processing Letters", "jacm": "Journal of the ACM",
    "jcss": "Journal of Computer and System Sciences", "scp": "Science of Computer Programming",
    "sicomp": "SIAM Journal on Computing", "tocs": "ACM Transactions on Computer Systems",
    "tods": "ACM Transactions on Database Systems", "tog": "ACM Transactions on Graphics",
    "toms": "ACM Transactions on Mathematical Software",
    "toois": "ACM Transactions on Office Information Systems",
    "toplas": "ACM Transactions on Programming Languages and Systems",
    "tcs": "Theoretical Computer Science",
}
# Entries that configure a style rather than name a work.
CONTROL_TYPES = {"ieeetranbstctl": "IEEEtran.bst's style settings"}
# biblatex: fields a child never inherits, and parent fields renamed on the way down.
_NOT_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute",
                  "label", "options", "presort", "related", "relatedoptions", "relatedstring",
                  "relatedtype", "shorthand", "shorthandintro", "sortkey", "key"}
_INHERITED_AS = {"title": "booktitle", "subtitle": "booksubtitle",
                 "titleaddon": "booktitleaddon", "shorttitle": None, "sorttitle": None,
                 "indextitle": None, "indexsorttitle": None}
# Types whose `title` a child does not take as its `booktitle`: sub-works of a journal
# issue or a collection take it as is (biber's defaults, simplified).
_CONTAINERS = {"proceedings", "book", "collection", "mvbook", "mvproceedings",
               "mvcollection", "reference", "mvreference", "periodical"}
# A key BibTeX and biber both read: anything but spaces and the characters that end it.
KEY = re.compile(r"^[^\s\"#%'(),={}\\]+$")
_FIELDS_OUTSIDE = re.compile(r"(?m)^[ \t]*[A-Za-z][\w-]*[ \t]*=[ \t]*[{\"\w]")
_COMMENT_LINE = re.compile(r"(?m)^[ \t]*%.*$")
_COMMENTED_ENTRY = re.compile(r"^[ \t]*%+[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)")


class Failed(ParsingFailedBlock):
    """A block a step could not read: data kept for the report, never imported."""

    def __init__(self, block: Block, message: str, line: int | None = None) -> None:
        super().__init__(error=ValueError(message), start_line=block.start_line,
                         raw=block.raw, ignore_error_block=block)
        self.message = message
        self.line = line if line is not None else (block.start_line or 0) + 1
        self.path = path_of(block)


@dataclass
class BibLibrary:
    """The blocks of every file of one import, in order, and what the steps found."""

    blocks: list[Block] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)  # lower-case name -> value
    preambles: list[str] = field(default_factory=list)
    relations: list[RelationEntry] = field(default_factory=list)  # @set and @xdata entries
    notes: list[Problem] = field(default_factory=list)  # nothing lost; said once

    @property
    def entries(self) -> list[Entry]:
        return [b for b in self.blocks if isinstance(b, Entry)]

    @property
    def failed(self) -> list[Failed]:
        return [b for b in self.blocks if isinstance(b, Failed)]

    @property
    def problems(self) -> list[Problem]:
        """One located problem per failed block: what was not imported, and why."""
        return [Problem(b.message, b.path, b.line) for b in self.failed]

    def note(self, block: Block, message: str) -> None:
        self.notes.append(Problem(message, path_of(block), (block.start_line or 0) + 1))


def path_of(block: Block) -> str:
    return block.get_parser_metadata("path") or "<input>"


# ---- reading files ------------------------------------------------------------------------

def decode(raw: bytes, path: str) -> tuple[str, Problem | None]:
    """Text of a .bib file: UTF-8 with or without BOM, UTF-16 with BOM, else Latin-1 (with
    a note, since the guess may be wrong). A file with NUL bytes is not text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError as err:
            raise OflbibError(Problem(f"not valid UTF-16 ({err.reason})", path)) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise OflbibError(Problem("binary data (NUL byte), not a text file", path, line))
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return raw.decode("latin-1"), Problem(
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); read as Latin-1: check the "
            "accents, or save the file as UTF-8", path, line)


def read_text(path: Path) -> tuple[str, Problem | None]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None
    return decode(raw, str(path))


def split(text: str, path: str, notes: list[Problem] | None = None) -> list[Block]:
    """bibtexparser's splitter, after `%` comment lines are blanked (INSPIRE's and Beebe's
    `%%%` lines, entries commented out): lines keep their numbers. biber skips an entry
    commented out with `%` and BibTeX does not; the user meant it out, so it is, with a
    note in `notes`."""
    from bibtexparser.splitter import Splitter

    def blank(match: re.Match) -> str:
        entry = _COMMENTED_ENTRY.match(match.group())
        if entry and notes is not None:
            line = text.count("\n", 0, match.start()) + 1
            notes.append(Problem(f"@{entry.group(1)}{{{entry.group(2)}}} is commented out "
                                 "with %; skipped", path, line))
        return " " * len(match.group())

    text = _COMMENT_LINE.sub(blank, text)
    blocks = Splitter(text).split().blocks
    for block in blocks:
        block.set_parser_metadata("path", path)
        if isinstance(block, ParsingFailedBlock) and block.ignore_error_block is not None:
            block.ignore_error_block.set_parser_metadata("path", path)
    return blocks


# ---- the steps --------------------------------------------------------------------------

Step = Callable[[BibLibrary], None]


def unwrap_duplicates(lib: BibLibrary) -> None:
    """A repeated key or a repeated field is not a broken block: the entry goes on (a
    repeated key is a duplicate or a collision, settled when merging; of a repeated
    field BibTeX keeps the first value, and so do we, with a note)."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            block = block.ignore_error_block
        if isinstance(block, DuplicateFieldKeyBlock):
            entry, seen, kept = block.ignore_error_block, set(), []
            for item in entry.fields:
                if item.key.lower() in seen:
                    lib.notes.append(Problem(f"{entry.key}: field '{item.key}' given twice; "
                                             "the first value is kept, as BibTeX does",
                                             path_of(entry), item.start_line + 1))
                    continue
                seen.add(item.key.lower())
                kept.append(item)
            entry.fields = kept
            block = entry
        out.append(block)
    lib.blocks = out


def report_unreadable(lib: BibLibrary) -> None:
    """Blocks the splitter could not read become located failures; broken @comment
    blocks are comments all the same (BibTeX does not read them)."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, ParsingFailedBlock) and not isinstance(block, Failed):
            raw = (block.raw or "").lstrip()
            if raw[:8].lower() == "@comment":
                continue
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            head = re.match(r"@\s*(\w+)\s*[{(]\s*([^,\s]*)", raw)
            what = f"@{head.group(1)}{{{head.group(2)}}}" if head else "this entry"
            block = Failed(block, f"cannot read {what}: {reason.strip()} "
                                  "(unbalanced braces or quotes?); skipped")
        out.append(block)
    lib.blocks = out


def find_stray_fields(lib: BibLibrary) -> None:
    """Text between entries is a comment to BibTeX, but text that reads like fields
    (`year = 2020`) after a `}` means a brace closed the entry before it early: those
    fields are lost, so it is reported. Other stray braces are comments, ignored."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, ImplicitComment) and "}" in block.comment \
                and _FIELDS_OUTSIDE.search(block.comment):
            block = Failed(block, "text with `}` and fields outside any entry: a brace "
                                  "closed the entry before it early, or has no `{`; "
                                  "these fields are not imported")
        out.append(block)
    lib.blocks = out


def skip_control_entries(lib: BibLibrary) -> None:
    """Style settings (@IEEEtranBSTCTL) name no work."""
    out: list[Block] = []
    for block in lib.blocks:
        kind = block.entry_type.lower() if isinstance(block, Entry) else ""
        if kind in CONTROL_TYPES:
            lib.note(block, f"@{block.entry_type}{{{block.key}}}: {CONTROL_TYPES[kind]}, "
                            "not a work; skipped")
            continue
        out.append(block)
    lib.blocks = out


def set_aside_sets(lib: BibLibrary) -> None:
    """A biblatex @set names no work: its members are imported one by one, and the set
    itself is kept for the biblatex export (before inheritance, so that a set's
    `crossref` to its first member fills nothing in)."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, Entry) and block.entry_type.lower() == "set":
            if not KEY.match(block.key.strip()):
                lib.note(block, f"@set with key {block.key!r}, which no \\cite can name; "
                                "its members are imported, the set is not")
                continue
            relation = _relation(block)
            lib.relations.append(relation)
            members = ", ".join(relation.names()) or "nothing"
            lib.note(block, f"@set{{{block.key}}} groups {members}: its members are imported "
                            "one by one; the set is kept for biblatex")
        else:
            out.append(block)
    lib.blocks = out


def _relation(block: Entry) -> RelationEntry:
    return RelationEntry(block.entry_type.lower(), block.key,
                         {item.key: item.value for item in block.fields})


def collect_strings(lib: BibLibrary) -> None:
    """@string definitions of every file, in order (a definition may use earlier ones);
    entries of any file may use them, as when the files are read one after the other."""
    strings = dict(lib.strings)
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, String):
            try:
                value, undefined = evaluate(block.value, strings)
            except ValueError as err:
                out.append(Failed(block, f"@string{{{block.key}}}: {err}"))
                continue
            if undefined:
                lib.note(block, f"@string{{{block.key}}} uses undefined "
                                f"{', '.join(undefined)}; kept as text")
            strings[block.key.strip().lower()] = value
        out.append(block)
    lib.strings = strings
    lib.blocks = out


def collect_preambles(lib: BibLibrary) -> None:
    """@preamble text, kept verbatim (a `#` chain is joined) for the catalog."""
    for block in lib.blocks:
        if isinstance(block, Preamble):
            try:
                value, _ = evaluate(block.value, lib.strings)
            except ValueError:
                value = block.value.strip()
            lib.preambles.append(value)


def expand_values(lib: BibLibrary) -> None:
    """Field values as final LaTeX text: macros expanded, `#` joined, delimiters
    removed, field names lower-case. An undefined macro is kept as its name (BibTeX
    would print nothing), with a note; a value that cannot be read fails its entry."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, Entry):
            block = _expand_entry(block, lib)
        out.append(block)
    lib.blocks = out


def _expand_entry(entry: Entry, lib: BibLibrary) -> Entry | Failed:
    fields = []
    for item in entry.fields:
        # A `%` comment after the comma before a field belongs to no field (biber).
        name = re.sub(r"%[^\n]*", "", item.key).strip().lower()
        if not re.match(r"^[^\s\"#%'(),={}]+$", name):
            return Failed(entry, f"{entry.key}: '{item.key.strip()[:40]}' is not a field name "
                                 "(a missing comma or `=`?); skipped", item.start_line + 1)
        try:
            value, undefined = evaluate(item.value, lib.strings)
        except ValueError as err:
            return Failed(entry, f"{entry.key}: {name}: {err}; skipped", item.start_line + 1)
        if undefined:
            lib.notes.append(Problem(
                f"{entry.key}: {name} uses undefined @string {', '.join(undefined)}; kept as "
                "that text (give the file that defines it, or --strings FILE)",
                path_of(entry), item.start_line + 1))
        fields.append(Field(name, value, item.start_line))
    entry.fields = fields
    return entry


def check_keys(lib: BibLibrary) -> None:
    """Keys BibTeX and biber accept are kept as they are; an empty key, or one with a space
    (which no `\\cite` can name), is named later by the key scheme."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, Entry):
            block.key = block.key.strip()
            if block.key and not KEY.match(re.sub(r"\s", "_", block.key)):
                block = Failed(block, f"key {block.key!r} is not a key BibTeX or biber can "
                                      "read (one of \"#%'(),={}\\ in it); skipped")
            elif block.key and not KEY.match(block.key):  # Scopus writes `Di Rocco2025`
                lib.note(block, f"key {block.key!r} has a space, so no \\cite can name it: "
                                "the key scheme names the entry")
                block.key = ""
        out.append(block)
    lib.blocks = out


def resolve_inheritance(lib: BibLibrary) -> None:
    """biblatex `xdata` and BibTeX/biblatex `crossref`: a child takes the fields it lacks
    from its parent (a parent's `title` as the child's `booktitle`), after the parent took
    its own; parents are found by key or by an alias in their `ids`. The relation fields
    stay, so the parent is still named; @xdata blocks themselves are no works."""
    by_key: dict[str, Entry] = {}
    for entry in lib.entries:
        by_key.setdefault(entry.key.lower(), entry)
    for entry in lib.entries:
        for alias in (_raw_field(entry, "ids") or "").split(","):
            by_key.setdefault(alias.strip().lower(), entry)
    done: set[int] = set()

    def resolve(entry: Entry, chain: list[Entry]) -> None:
        if id(entry) in done:
            return
        chain = chain + [entry]
        for relation in ("xdata", "crossref"):
            for name in (_raw_field(entry, relation) or "").split(","):
                name = name.strip()
                parent = by_key.get(name.lower()) if name else None
                if not name:
                    continue
                if parent is None:
                    lib.note(entry, f"{entry.key}: {relation} names '{name}', which no file "
                                    "of this import defines; kept as is")
                elif any(parent is seen for seen in chain) and relation == "crossref":
                    # biber stops on a crossref loop: the field that closes it is dropped
                    entry.fields = [f for f in entry.fields if f.key != relation]
                    lib.note(entry, f"{entry.key}: crossref '{name}' leads back to itself; "
                                    "not followed, and not kept (biber stops on a loop)")
                elif any(parent is seen for seen in chain) or len(chain) > MAX_INHERITANCE:
                    lib.note(entry, f"{entry.key}: {relation} '{name}' leads back to itself "
                                    "or too far; not followed")
                else:
                    resolve(parent, chain)
                    _inherit(entry, parent, renamed=relation == "crossref")
        done.add(id(entry))

    for entry in lib.entries:
        resolve(entry, [])
    kept = []
    for block in lib.blocks:
        if isinstance(block, Entry) and block.entry_type.lower() == "xdata":
            lib.relations.append(_relation(block))
            lib.note(block, f"@xdata{{{block.key}}}: fields other entries take, not a work of "
                            "its own; given to them, and kept for biblatex")
        else:
            kept.append(block)
    lib.blocks = kept


def _inherit(child: Entry, parent: Entry, renamed: bool) -> None:
    have = {f.key for f in child.fields}
    titles = renamed and parent.entry_type.lower() in _CONTAINERS
    for item in parent.fields:
        name = item.key
        if name in _NOT_INHERITED:
            continue
        if titles and name in _INHERITED_AS:
            name = _INHERITED_AS[name]
            if name is None:
                continue
        if name not in have:
            child.fields.append(Field(name, item.value, item.start_line))
            have.add(name)


def bound_values(lib: BibLibrary) -> None:
    """Refuse values no bibliography has (megabytes, braces nested hundreds deep): they
    would cost seconds to decode, or overflow the LaTeX decoder."""
    out: list[Block] = []
    for block in lib.blocks:
        if isinstance(block, Entry):
            for item in block.fields:
                value = str(item.value)
                if len(value) > MAX_VALUE_CHARS:
                    block = Failed(block, f"{block.key}: {item.key} is {len(value):,} "
                                          f"characters long (at most {MAX_VALUE_CHARS:,}); "
                                          "skipped", item.start_line + 1)
                    break
                if brace_depth(value) > MAX_BRACE_DEPTH:
                    block = Failed(block, f"{block.key}: {item.key} nests braces more than "
                                          f"{MAX_BRACE_DEPTH} deep; skipped",
                                   item.start_line + 1)
                    break
        out.append(block)
    lib.blocks = out


PIPELINE: tuple[Step, ...] = (
    unwrap_duplicates, report_unreadable, find_stray_fields, skip_control_entries,
    collect_strings, collect_preambles, expand_values, set_aside_sets, check_keys,
    resolve_inheritance, bound_values,
)


def parse_files(paths: list[Path], string_files: list[Path] = ()) -> BibLibrary:
    """Every file of one import through the pipeline. `string_files` only lend their
    @string definitions (their entries are not imported)."""
    lib = BibLibrary()
    for path in string_files:
        companion = parse_text(read_text(path)[0], str(path), steps=(collect_strings,))
        lib.strings.update(companion.strings)
    for path in paths:
        text, note = read_text(path)
        if note:
            lib.notes.append(note)
        lib.blocks += split(text, str(path), lib.notes)
    for step in PIPELINE:
        step(lib)
    return lib


def parse_text(text: str, path: str = "<input>",
               steps: tuple[Step, ...] = PIPELINE) -> BibLibrary:
    lib = BibLibrary()
    lib.blocks = split(text, path, lib.notes)
    for step in steps:
        step(lib)
    return lib


# ---- values -------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(\{)|(")|(\d+)\b|([^\s#{}"=,]+))\s*')


def evaluate(raw: str, strings: dict[str, str]) -> tuple[str, list[str]]:
    """A field value as BibTeX reads it: `{...}`, `"..."`, a number or a macro name,
    joined with `#`. Returns the text and the macro names no @string defines (kept as
    their name). Linear in the length of the value."""
    parts, undefined, pos = [], [], 0
    raw = raw.strip()
    if not raw:
        return "", []
    while True:
        match = _TOKEN.match(raw, pos)
        if not match:
            raise ValueError(f"cannot read the value near {raw[pos:pos + 20]!r}")
        if match.group(1):
            end = _closing(raw, match.end(1), "{")
            parts.append(raw[match.end(1):end])
            pos = end + 1
        elif match.group(2):
            end = _closing(raw, match.end(2), '"')
            parts.append(raw[match.end(2):end])
            pos = end + 1
        elif match.group(3):
            parts.append(match.group(3))
            pos = match.end()
        else:
            name = match.group(4)
            lowered = name.lower()
            if lowered in strings:
                parts.append(strings[lowered])
            elif lowered in STYLE_MACROS:
                parts.append(STYLE_MACROS[lowered])
            else:
                parts.append(name)
                undefined.append(name)
            pos = match.end()
        rest = re.compile(r"\s*(#?)\s*").match(raw, pos)
        pos = rest.end()
        if pos >= len(raw):
            return "".join(parts), undefined
        if not rest.group(1):
            raise ValueError(f"text after the value: {raw[pos:pos + 20]!r} (a missing `#` "
                             "or comma?)")


def _closing(raw: str, start: int, opener: str) -> int:
    """Index of the `}` (or `"` at brace depth 0) that closes a value opened before
    `start`; escaped braces (`\\{`) do not count, as in bibtexparser's splitter."""
    depth = 0
    for match in re.compile(r'(?<!\\)[{}"]').finditer(raw, start):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                if opener == "{":
                    return match.start()
                raise ValueError("a `}` closes nothing")
            depth -= 1
        elif opener == '"' and depth == 0:
            return match.start()
    raise ValueError("unbalanced braces or quotes")


def brace_depth(value: str) -> int:
    deepest = depth = 0
    for char in re.findall(r"(?<!\\)[{}]", value):
        depth += 1 if char == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def _raw_field(entry: Entry, name: str) -> str | None:
    for item in entry.fields:
        if item.key.strip().lower() == name:
            value = str(item.value).strip()
            return value[1:-1] if value[:1] in "{\"" and len(value) > 1 else value
    return None
