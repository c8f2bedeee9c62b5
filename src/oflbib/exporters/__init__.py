"""Exporters: one writer per format, all fed the same `Reference` view of the catalog.

FORMATS maps a format name to (module, writer function, file suffix); modules are
imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from oflbib.catalog.store import collector_paused
from oflbib.exporters.reference import DEFAULT_URLS, Group, groups, to_reference
from oflbib.model import Catalog, Entry

FORMATS: dict[str, tuple[str, str, str]] = {
    "bibtex": ("oflbib.exporters.bibtex", "bibtex_chunks", ".bib"),
    "biblatex": ("oflbib.exporters.bibtex", "biblatex_chunks", ".biblatex.bib"),
    "csljson": ("oflbib.exporters.csljson", "csljson_chunks", ".json"),
    "ris": ("oflbib.exporters.ris", "ris_chunks", ".ris"),
    "markdown": ("oflbib.exporters.markdown", "write_markdown", ".md"),  # see chunks()
}
ALL = "refs"  # the stem of build's files with every section
# The formats with a place for the catalog's @preamble texts and biblatex @set/@xdata
# entries: their writers take them.
PREAMBLE_FORMATS = ("bibtex", "biblatex")


def writer_for(name: str) -> Callable[[list[Group]], Iterator[str]]:
    """The format's writer: its text in pieces (an entry or so each), in order."""
    module, function, _ = FORMATS[name]
    return getattr(importlib.import_module(module), function)


def chunks(catalog: Catalog, fmt: str, sections: list[str] | None = None,
           every_listing: bool = False, urls: str = DEFAULT_URLS,
           keys: set[str] | None = None) -> Iterator[str]:
    """The catalog (or some sections) in one format, piece by piece: what a caller that
    writes as it goes (`build`) holds is one entry's text, not the whole output's.
    `urls` picks a paper's links: paper, code, both or none (see `reference.paper_links`);
    `keys`, when given, the only entries written (those a document cites)."""
    with collector_paused():
        if fmt == "markdown":
            from oflbib.exporters.markdown import write_markdown

            # The list itself (trimmed as a whole: one piece): an entry appears under
            # every section that lists it, and only what the list lists.
            yield write_markdown(groups(catalog, sections, every_listing=True,
                                        as_listed=True), catalog)
            return
        # The references are held by the writer alone, so they are freed as it finishes:
        # the collector's first run after the pause would otherwise walk them all.
        extra = (catalog.preambles, catalog.relations) if fmt in PREAMBLE_FORMATS else ()
        yield from writer_for(fmt)(_selected(catalog, sections, every_listing, urls, keys),
                                   *extra)


def _selected(catalog: Catalog, sections: list[str] | None, every_listing: bool, urls: str,
              keys: set[str] | None) -> list[Group]:
    """The groups to write: all of the sections asked for, or only the cited entries."""
    grouped = groups(catalog, sections, every_listing, urls=urls)
    if keys is not None:  # a cited set needs its members
        keys = keys | {name for relation in catalog.relations if relation.key in keys
                       for name in relation.names()}
        grouped = [Group(g.section, [r for r in g.references if r.key in keys])
                   for g in grouped]
        grouped = [g for g in grouped if g.references]
    return grouped


def render(catalog: Catalog, fmt: str, sections: list[str] | None = None,
           urls: str = DEFAULT_URLS, keys: set[str] | None = None) -> str:
    """The catalog (or some sections) in one format, as text."""
    return "".join(chunks(catalog, fmt, sections, urls=urls, keys=keys))


def entry_text(entry: Entry, fmt: str, urls: str = DEFAULT_URLS) -> str:
    """One entry in one format, to paste into a file of that format."""
    reference = to_reference(entry, urls)
    if fmt in ("bibtex", "biblatex"):
        from oflbib.exporters.bibtex import format_entry

        return format_entry(reference, fmt)
    if fmt == "csljson":
        import json

        from oflbib.exporters.csljson import csl_item

        return json.dumps(csl_item(reference), ensure_ascii=False, indent=2) + "\n"
    return "".join(writer_for(fmt)([Group(entry.sections[0] if entry.sections else "",
                                          [reference])]))


class BuildFiles(Mapping[str, str]):
    """bib/ contents by file name: per format one file with everything, and one per
    section. Each file is rendered when it is read and not kept; `encoded` gives a file
    piece by piece, so writing them all holds one entry's text at a time (a 100,000-entry
    build writes 480 MB)."""

    def __init__(self, catalog: Catalog) -> None:
        from oflbib.text import unique_slugs

        self.catalog = catalog
        self.plan: dict[str, tuple[str, str | None]] = {}  # name -> (format, one section)
        # Section files never take the name of the whole (a section "Refs") nor each
        # other's ("C++" and "C#"): every file written is a file planned.
        stems = unique_slugs([s.name for s in catalog.sections], {ALL})
        for fmt, (_, _, suffix) in FORMATS.items():
            self.plan[f"{ALL}{suffix}"] = (fmt, None)
            if fmt != "markdown":
                for section, stem in zip(catalog.sections, stems):
                    self.plan[f"{stem}{suffix}"] = (fmt, section.name)

    def chunks(self, name: str) -> Iterator[str]:
        fmt, section = self.plan[name]
        if section is None:
            return chunks(self.catalog, fmt)
        return chunks(self.catalog, fmt, [section], every_listing=True)

    def encoded(self, name: str) -> Iterator[bytes]:
        """The file's UTF-8 bytes, piece by piece."""
        return (piece.encode("utf-8") for piece in self.chunks(name))

    def __getitem__(self, name: str) -> str:
        return "".join(self.chunks(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self.plan)

    def __len__(self) -> int:
        return len(self.plan)


def build_files(catalog: Catalog) -> BuildFiles:
    """bib/ contents: per format one file with everything, and one per section."""
    return BuildFiles(catalog)
