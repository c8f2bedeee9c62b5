"""Read an awesome-list in Markdown into the catalog model, and merge it into a catalog.

The parse is a pipeline of small named steps, one module each:
`blocks` (the file -> headings, list items, tables, prose lines) ->
`inline` and `links` (an item's links, and what each one is) ->
`items` (an item or table row -> title, venue, year, authors, identifiers, or why not) ->
`document` (sections named after the list's headings, the layout, a per-line report) ->
`merge` (fold into an existing catalog without losing keys, enrichment or hand edits).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from oflbib.catalog import yamlfiles
from oflbib.errors import OflbibError, Problem
from oflbib.importers.markdown.document import Draft, Note, parse_markdown
from oflbib.importers.markdown.items import Item
from oflbib.importers.markdown.merge import ImportReport, merge_into
from oflbib.text import repair_mojibake

__all__ = ["Draft", "ImportReport", "Item", "Note", "merge_into", "parse_markdown",
           "read_markdown", "repair_mojibake"]


def read_markdown(path: Path, progress: Callable[[int], None] | None = None) -> Draft:
    """Parse a Markdown list file. Items that are not entries are noted in the report;
    a malformed would-be entry is a located problem in `Draft.problems`; a file with no
    entry at all is an error, with every problem found."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None
    text = yamlfiles.decode(raw, str(path)).replace("\r\n", "\n").replace("\r", "\n")
    draft = parse_markdown(text, str(path), path.stem, progress)
    if not draft.sections:
        raise OflbibError([*draft.problems, Problem(
            "no list items found (expected `- [Title](url)` lines or a table with a "
            "title column)", str(path), 1)])
    return draft
