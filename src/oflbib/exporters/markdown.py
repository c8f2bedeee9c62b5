"""Regenerate the reading list itself from the catalog: headings, prose, links, tags.

Importing this output gives back the same catalog (titles with `{...}` protection,
urls, venue tags, sections), so `catalog/` can be the list's source of truth.
"""

from __future__ import annotations

import re

from oflbib.exporters.record import Group, Record
from oflbib.model import Catalog
from oflbib.text import visible
from oflbib.venues import PREPRINT, VENUES, format_venue_tag


def _escape(text: str, specials: str) -> str:
    """Backslash escapes (CommonMark's, which the importer reads) for `specials` and `\\`."""
    return re.sub(f"[{re.escape(specials)}\\\\]", lambda m: "\\" + m.group(), visible(text))


def _title(record: Record) -> str:
    """Link text: brackets and braces escaped, protected words in `{...}`, and a final
    period escaped (the importer drops an unescaped one as the list's punctuation)."""
    title = _escape(record.title, "[]{}")
    title = title[:-1] + "\\." if title.endswith(".") else title
    for word in sorted(record.protect, key=len, reverse=True):
        word = _escape(word, "[]{}")
        title = re.sub(rf"(?<![\w{{]){re.escape(word)}(?![\w}}])",
                       lambda m: "{" + m.group() + "}", title, count=1)
    return title


def _link(url: str) -> str:
    """A URL the importer reads whole: what ends a link or a bare URL is percent-encoded."""
    return visible(url).replace(" ", "%20").replace(")", "%29").replace("]", "%5D") \
        .replace(">", "%3E")


def _name(text: str) -> str:
    """A framework's name or organisation: commas separate them, `[` would start a link,
    and `://` a URL."""
    return _escape(text, ",[").replace("://", "\\://")


def _tag(record: Record) -> str:
    entry = record.entry
    venue = VENUES.get(entry.venue or "")
    if venue and venue.kind == PREPRINT and entry.arxiv:
        return f"arXiv preprint arXiv:{entry.arxiv}"
    return format_venue_tag(entry.venue, entry.year)


def item_line(record: Record) -> str:
    if record.type == "software":
        parts = [_name(record.title)]
        if record.organisation:
            parts.append(_name(record.organisation))
        return "- " + ", ".join(parts) + ", " + " ".join(_link(u) for u in record.urls)
    line = f"- [{_title(record)}]({_link(record.url or '')})"
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
        lines += [f"# {visible(catalog.title)}", ""]
    for block in catalog.blocks:
        if block.section:
            group = by_section.get(block.section)
            if group is None:
                continue
            if block.heading:
                lines += [f"{'#' * block.level} {visible(block.heading)}"]
            lines += [item_line(r) for r in group.records] + [""]
        elif block.prose is not None:
            lines += [block.prose, ""]
        elif block.heading:
            lines += [f"{'#' * block.level} {visible(block.heading)}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
