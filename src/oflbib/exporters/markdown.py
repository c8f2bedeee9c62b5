"""Regenerate the reading list itself from the catalog: headings, prose, links, tags.

Importing this output gives back the same catalog (titles with `{...}` protection,
urls, venue tags, sections), so `catalog/` can be the list's source of truth.
"""

from __future__ import annotations

import re

from oflbib.exporters.record import Group, Record
from oflbib.model import Catalog
from oflbib.text import fold_space
from oflbib.venues import PREPRINT, VENUES, format_venue_tag


def _title(record: Record) -> str:
    title = fold_space(record.title)
    for word in sorted(record.protect, key=len, reverse=True):
        title = re.sub(rf"(?<![\w{{]){re.escape(word)}(?![\w}}])", "{" + word + "}", title,
                       count=1)
    return title.replace("]", "\\]") if "](" in title else title


def _tag(record: Record) -> str:
    entry = record.entry
    venue = VENUES.get(entry.venue or "")
    if venue and venue.kind == PREPRINT and entry.arxiv:
        return f"arXiv preprint arXiv:{entry.arxiv}"
    return format_venue_tag(entry.venue, entry.year)


def item_line(record: Record) -> str:
    if record.type == "software":
        parts = [fold_space(record.title)]
        if record.organisation:
            parts.append(fold_space(record.organisation))
        return "- " + ", ".join(parts) + ", " + " ".join(record.urls)
    url = record.url or ""
    line = f"- [{_title(record)}]({url})"
    tag = _tag(record) if record.type != "list" else ""
    return f"{line} {tag}" if tag else line


def write_markdown(groups: list[Group], catalog: Catalog | None = None) -> str:
    """The list as Markdown; with the catalog, its title, prose and headings too."""
    by_section = {g.section: g for g in groups}
    lines: list[str] = []
    if catalog is None:
        for group in groups:
            lines += [f"### {group.section}", *(item_line(r) for r in group.records), ""]
        return "\n".join(lines)
    if catalog.title:
        lines += [f"# {catalog.title}", ""]
    for block in catalog.blocks:
        if block.section:
            group = by_section.get(block.section)
            if group is None:
                continue
            if block.heading:
                lines += [f"{'#' * block.level} {block.heading}"]
            lines += [item_line(r) for r in group.records] + [""]
        elif block.prose is not None:
            lines += [block.prose, ""]
        elif block.heading:
            lines += [f"{'#' * block.level} {block.heading}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
