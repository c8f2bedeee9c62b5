"""Step 1: split a Markdown file into blocks (headings, list items, table rows, prose lines).

One pass over the lines, each line looked at a bounded number of times, so the split is
linear in the file whatever its shape: a list item with a hundred thousand continuation
lines or a heading of forty kilobytes costs what its length costs, and an item too long
to be a paper line keeps only its first `MAX_ITEM_CHARS` characters (the rest is counted,
not stored).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from oflbib.importers.markdown.tables import Table, html_table, pipe_cells

MAX_ITEM_CHARS = 100_000

_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_SETEXT = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_TASK = re.compile(r"^\[[ xX]\][ \t]+")
_HTML_TABLE = re.compile(r"^[ \t]*<table\b", re.I)
_HTML_TABLE_END = re.compile(r"</table\s*>", re.I)


@dataclass
class Heading:
    line: int
    level: int
    text: str  # as written, markup included


@dataclass
class ListItem:
    line: int
    indent: int  # columns before the marker: nesting depth
    text: str  # marker removed, continuation lines joined with "\n"
    marker: str
    truncated: bool = False


@dataclass
class ProseLine:
    line: int
    text: str
    blank: bool = False


@dataclass
class Skipped:
    line: int
    why: str


@dataclass
class TableBlock:
    line: int
    table: Table
    row_lines: list[int] = field(default_factory=list)


Unit = Heading | ListItem | ProseLine | Skipped | TableBlock


def _columns(prefix: str) -> int:
    return len(prefix.expandtabs(4))


def atx_heading(line: str) -> tuple[int, str] | None:
    """`## Text ##` -> (2, "Text"); no regular expression backtracking over the text, so
    a long heading (or a long run of spaces in one) is read in linear time."""
    stripped = line.strip()
    hashes = len(stripped) - len(stripped.lstrip("#"))
    if not 1 <= hashes <= 6 or (len(stripped) > hashes and stripped[hashes] not in " \t") \
            or len(line) - len(line.lstrip(" ")) > 3:
        return None
    text = stripped[hashes:].strip()
    closing = text.rstrip("#")
    if closing != text and (not closing or closing[-1] in " \t"):  # `### C#` keeps its `#`
        text = closing.strip()
    return hashes, text


class _ItemBuilder:
    """Text of one list item, built from pieces (never by repeated concatenation)."""

    def __init__(self, line: int, indent: int, marker: str, first: str) -> None:
        self.line, self.indent, self.marker = line, indent, marker
        self.pieces = [first.strip()]
        self.size = len(self.pieces[0])
        self.truncated = self.size > MAX_ITEM_CHARS
        self.content_indent = indent + len(marker) + 1

    def add(self, text: str) -> None:
        text = text.strip()
        if self.size + len(text) > MAX_ITEM_CHARS:
            self.truncated = True
            return
        self.pieces.append(text)
        self.size += len(text) + 1

    def build(self) -> ListItem:
        text = "\n".join(self.pieces)
        return ListItem(self.line, self.indent, text[:MAX_ITEM_CHARS], self.marker,
                        self.truncated)


def split_blocks(text: str, progress: Callable[[int], None] | None = None) -> Iterator[Unit]:
    """The file's blocks in order. `progress` is told how many lines were read."""
    lines = text.split("\n")
    count = len(lines)
    i = 0
    item: _ItemBuilder | None = None
    blank_after_item = False
    reported = 0

    def finish() -> Iterator[Unit]:
        nonlocal item
        if item is not None:
            yield item.build()
            item = None

    while i < count:
        if progress and i - reported >= 500:
            progress(i - reported)
            reported = i
        raw = lines[i]
        number = i + 1
        stripped = raw.strip()
        if not stripped:
            blank_after_item = item is not None
            if item is None:
                yield ProseLine(number, "", blank=True)
            i += 1
            continue
        bullet = _ITEM.match(raw)
        if item is not None and not bullet and not _starts_block(raw, lines, i):
            indent = _columns(raw[: len(raw) - len(raw.lstrip())])
            if not blank_after_item or indent >= item.content_indent:
                item.add(raw)  # a lazy or indented continuation of the item
                blank_after_item = False
                i += 1
                continue
        if blank_after_item:
            yield from finish()
            yield ProseLine(number - 1, "", blank=True)
        blank_after_item = False
        yield from finish()
        fence = _FENCE.match(raw)
        if fence:
            close = fence.group(1)[0] * len(fence.group(1))
            j = i + 1
            while j < count and not lines[j].strip().startswith(close):
                j += 1
            yield Skipped(number, "code block")
            i = j + 1
            continue
        if stripped.startswith("<!--"):
            j = i
            while j < count and "-->" not in lines[j]:
                j += 1
            yield Skipped(number, "HTML comment")
            i = j + 1
            continue
        if _HTML_TABLE.match(raw):
            j = i
            while j < count and not _HTML_TABLE_END.search(lines[j]):
                j += 1
            yield TableBlock(number, html_table("\n".join(lines[i:j + 1]), number))
            i = j + 1
            continue
        heading = atx_heading(raw)
        if heading:
            yield Heading(number, heading[0], heading[1])
            i += 1
            continue
        if "|" in raw and i + 1 < count and _DELIMITER_ROW.match(lines[i + 1]) \
                and "-" in lines[i + 1]:
            header = pipe_cells(raw)
            rows, row_lines = [], []
            j = i + 2
            while j < count and lines[j].strip() and "|" in lines[j]:
                rows.append(pipe_cells(lines[j]))
                row_lines.append(j + 1)
                j += 1
            yield TableBlock(number, Table(header, rows, row_lines))
            i = j
            continue
        if _RULE.match(raw):
            yield Skipped(number, "horizontal rule")
            i += 1
            continue
        if bullet:
            body = _TASK.sub("", raw[bullet.end():], count=1)  # `- [ ] Title`: a to-do mark
            heading = atx_heading(body)
            if heading:  # `- ### 2010`: GitHub shows a heading inside the item
                yield Heading(number, heading[0], heading[1])
            else:
                item = _ItemBuilder(number, _columns(bullet.group(1)), bullet.group(2), body)
            i += 1
            continue
        setext = _SETEXT.match(lines[i + 1]) if i + 1 < count else None
        if setext and not stripped.startswith(("<", ">", "|")):
            yield Heading(number, 1 if setext.group(1)[0] == "=" else 2, stripped)
            i += 2
            continue
        yield ProseLine(number, raw.rstrip())
        i += 1
    yield from finish()
    if progress:
        progress(count - reported)


def _starts_block(raw: str, lines: list[str], i: int) -> bool:
    """A line that starts a block of its own rather than continuing a list item."""
    if atx_heading(raw) or _FENCE.match(raw) or _RULE.match(raw) or _HTML_TABLE.match(raw):
        return True
    return "|" in raw and i + 1 < len(lines) and bool(_DELIMITER_ROW.match(lines[i + 1])) \
        and "-" in lines[i + 1]
