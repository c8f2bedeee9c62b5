"""Regenerate the reading list itself from the catalog: headings, prose, links, tags.

Importing this output gives back the same catalog (titles with `{...}` protection,
urls, venue tags, sections), so `catalog/` can be the list's source of truth.
"""

from __future__ import annotations

import re

from oflbib import links
from oflbib.exporters.reference import Group, Reference
from oflbib.model import Catalog
from oflbib.text import visible
from oflbib.venues import PREPRINT_SERVER, VENUES, format_venue_tag


def _escape(text: str, specials: str) -> str:
    """Backslash escapes (CommonMark's, which the importer reads) for `specials` and `\\`."""
    return re.sub(f"[{re.escape(specials)}\\\\]", lambda m: "\\" + m.group(), visible(text))


# What Markdown would read as markup in a title: link brackets, `{}` of case protection,
# emphasis and code marks, HTML tags and entities. Escaped, the title is text, so a
# hostile `<script>` or `<img onerror>` in a record shows as text instead of running.
_TITLE_SPECIALS = "[]{}*_`<>&~"


def _title(reference: Reference) -> str:
    """Link text: markup characters escaped, protected words in `{...}`, and a final
    period escaped (the importer drops an unescaped one as the list's punctuation)."""
    title = _escape(reference.title, _TITLE_SPECIALS)
    title = title[:-1] + "\\." if title.endswith(".") else title
    for word in sorted(reference.protect, key=len, reverse=True):
        word = _escape(word, _TITLE_SPECIALS)
        title = re.sub(rf"(?<![\w{{]){re.escape(word)}(?![\w}}])",
                       lambda m: "{" + m.group() + "}", title, count=1)
    return title


# What would end a link or a bare URL, open a link or tag, or escape the next mark.
_URL_ENDS = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "[": "%5B", "]": "%5D",
                           "<": "%3C", ">": "%3E", "\\": "%5C"})


def _link(url: str) -> str:
    """A URL the importer reads whole: what ends a link or a bare URL is percent-encoded."""
    return visible(url).translate(_URL_ENDS)


def _name(text: str) -> str:
    """A framework's name or organisation: commas separate them, `[` would start a link,
    `://` a URL, and the rest of the title's markup characters are escaped too."""
    return _escape(text, "," + _TITLE_SPECIALS).replace("://", "\\://")


_RAW_HTML = re.compile(r"<(?=[A-Za-z/!?])")


def _inert(text: str) -> str:
    """Prose as text: `<` that would open an HTML tag or comment becomes `&lt;`, so the
    list's raw HTML is shown, never run, wherever the export is rendered."""
    return _RAW_HTML.sub("&lt;", text)


def _heading(text: str, level: int) -> str:
    """A heading whose text reads back as written: markup characters escaped."""
    return f"{'#' * level} {_escape(text, _TITLE_SPECIALS)}"


def _tag(reference: Reference) -> str:
    entry = reference.entry
    venue = VENUES.get(entry.venue or "")
    if venue and venue.category == PREPRINT_SERVER and entry.arxiv:
        return f"arXiv preprint arXiv:{entry.arxiv}"
    return format_venue_tag(entry.venue, entry.year)


def _item_url(reference: Reference) -> str:
    """The item's link: the list's own, else where the work's DOI or arXiv id leads (an
    entry from a .bib file has no list link). Empty only when there is neither: `[T]()`
    still reads back as the item."""
    if reference.url:
        return reference.url
    entry = reference.entry
    if entry.doi:
        return links.doi_url(entry.doi)
    return links.arxiv_abs(entry.arxiv) if entry.arxiv else ""


def item_line(reference: Reference) -> str:
    if reference.entry.kind == "software":
        parts = [_name(reference.title)]
        if reference.organisation:
            parts.append(_name(reference.organisation))
        return "- " + ", ".join(parts) + ", " + " ".join(_link(u) for u in reference.urls)
    line = f"- [{_title(reference)}]({_link(_item_url(reference))})"
    tag = _tag(reference) if reference.entry.kind != "list" else ""
    return f"{line} {tag}" if tag else line


def write_markdown(groups: list[Group], catalog: Catalog | None = None) -> str:
    """The list as Markdown; with the catalog, its title, prose and headings too."""
    by_section = {g.section: g for g in groups}
    lines: list[str] = []
    if catalog is None:
        for group in groups:
            lines += [_heading(group.section, 3), *(item_line(r) for r in group.references), ""]
        return "\n".join(lines)
    if catalog.title:
        lines += [_heading(catalog.title, 1), ""]
    for block in catalog.blocks:
        if block.section:
            group = by_section.get(block.section)
            if group is None:
                continue
            if block.heading:
                lines += [_heading(block.heading, block.level)]
            lines += [item_line(r) for r in group.references] + [""]
        elif block.prose is not None:
            lines += [_inert(block.prose), ""]
        elif block.heading:
            lines += [_heading(block.heading, block.level), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
