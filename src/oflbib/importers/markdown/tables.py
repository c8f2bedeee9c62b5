"""Tables: GitHub pipe tables and HTML tables, a row per entry, columns known by header.

A table is read into `Table` (header cells, row cells as Markdown text, the line of each
row); `column_roles` says which column holds the title, venue, year, authors or links.
A table with no title column (a statistics table, a list of venues) holds no entries.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Header words -> role, tried in order: the first rule a header matches decides. `paper`
# alone is a title column only when no header says `title` (`Paper | Code` lists).
_ROLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("title", re.compile(r"\btitle\b")),
    ("software", re.compile(r"^(platforms?|frameworks?|librar(y|ies)|tools?|toolkits?)$")),
    ("venue", re.compile(r"\b(venues?|conferences?|conf|journals?|published|publication venue|"
                         r"where|booktitle|proceedings)\b")),
    ("organisation", re.compile(r"\b(affiliations?|organi[sz]ations?|institutions?|company)\b")),
    ("year", re.compile(r"^(year|date|time|published year|pub(lication)? year)$")),
    ("authors", re.compile(r"\b(authors?|team)\b")),
    ("paper", re.compile(r"^(papers?|name|paper name|article)$")),
    ("publication", re.compile(r"^publications?$")),
    ("links", re.compile(r"\b(links?|pdf|code|url|materials?|resources?|github|repo|"
                         r"repository|project|arxiv|doi|implementation|official)\b")),
)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    row_lines: list[int] = field(default_factory=list)


def pipe_cells(line: str) -> list[str]:
    """Cells of a pipe-table line; `\\|` is a literal bar, not a cell boundary."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", text)]


def aligned(cells: list[str], header: list[str]) -> list[str]:
    """A row written without the cells of the header's leading unnamed columns (`| Title
    | ...` under `| | Title | ...`, a short name column left empty) lines up with the
    columns its cells fill, as its reader takes them."""
    short = len(header) - len(cells)
    unnamed = next((i for i, name in enumerate(header) if name.strip()), len(header))
    return [""] * short + cells if 0 < short <= unnamed else cells


def column_roles(header: list[str]) -> dict[str, int]:
    """Role -> column index; `title` is present whenever the table holds entries."""
    from oflbib.importers.markdown.inline import plain_text

    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = plain_text(cell).casefold().strip(" :*_")
        for role, rule in _ROLE_RULES:
            if rule.search(name):
                if role == "links":
                    roles.setdefault(f"links{index}", index)
                else:
                    roles.setdefault(role, index)
                break
    if "software" in roles:  # a table of frameworks: the name is the title
        if "paper" in roles:
            column = roles.pop("paper")
            roles[f"links{column}"] = column
        roles.setdefault("title", roles["software"])
    publication = roles.pop("publication", None)  # `Publication`: the paper, or its venue
    if publication is not None:
        if "title" in roles or "paper" in roles:
            roles.setdefault("venue", publication)
        else:
            roles["paper"] = publication
    if "title" not in roles and "paper" in roles:
        roles["title"] = roles.pop("paper")
    elif "paper" in roles:
        column = roles.pop("paper")
        roles[f"links{column}"] = column
    return roles


class _HtmlTableReader(HTMLParser):
    """Rows of an HTML table, each cell as Markdown: `<a href>` becomes a Markdown link,
    line breaks a space, other tags vanish and their text stays. A `rowspan` cell is
    repeated in the rows it spans, so every row's columns line up with the header."""

    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.rows: list[list[str]] = []
        self.row_lines: list[int] = []
        self.header: list[str] = []
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.row_is_header = False
        self.row_line = first_line
        self.href: list[str | None] = []
        self.span = 1  # rows the open cell spans
        self.spanned: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self.row, self.row_is_header = [], True
            self.row_line = self.first_line + self.getpos()[0] - 1
        elif tag in ("td", "th") and self.row is not None:
            self._fill_spanned()
            self.cell = []
            rowspan = dict(attrs).get("rowspan") or ""
            self.span = int(rowspan) if rowspan.isdigit() and 0 < int(rowspan) < 10_000 else 1
            self.row_is_header = self.row_is_header and tag == "th"
        elif tag == "a" and self.cell is not None:
            href = dict(attrs).get("href")
            self.href.append(href)
            self.cell.append("[")
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.cell is not None and self.href:
            href = self.href.pop()
            self.cell.append(f"]({href})" if href else "]")
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            text = " ".join("".join(self.cell).split())
            if self.span > 1:
                self.spanned[len(self.row)] = (text, self.span - 1)
            self.row.append(text)
            self.cell = None
        elif tag == "tr":
            self._end_row()

    def _fill_spanned(self) -> None:
        """Cells of rows above that span down to the next column of this row."""
        assert self.row is not None
        while len(self.row) in self.spanned:
            column = len(self.row)
            text, left = self.spanned.pop(column)
            self.row.append(text)
            if left > 1:
                self.spanned[column] = (text, left - 1)

    def _end_row(self) -> None:
        if self.row is None:
            return
        if self.row:
            self._fill_spanned()
        if self.row_is_header and self.row and not self.header and not self.rows:
            self.header = self.row
        elif self.row:
            self.rows.append(self.row)
            self.row_lines.append(self.row_line)
        self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_table(text: str, first_line: int) -> Table:
    reader = _HtmlTableReader(first_line)
    try:
        reader.feed(text)
        reader.close()
        reader._end_row()
    except (ValueError, AssertionError):  # malformed markup: keep the rows read so far
        pass
    rows = reader.rows
    lines = reader.row_lines[: len(rows)]
    header = reader.header
    if not header and rows and all(not re.search(r"\]\(", cell) for cell in rows[0]):
        header, rows, lines = rows[0], rows[1:], lines[1:]  # a first row of <td> labels
    return Table([html.unescape(h) for h in header], rows, lines)
