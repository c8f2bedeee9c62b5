"""Exporters: one writer per format, all fed the same `Record` view of the catalog.

FORMATS maps a format name to (module, writer function, file suffix); modules are
imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from oflbib.catalog.store import collector_paused
from oflbib.exporters.record import Group, groups
from oflbib.model import Catalog

FORMATS: dict[str, tuple[str, str, str]] = {
    "bibtex": ("oflbib.exporters.bibtex", "write_bibtex", ".bib"),
    "biblatex": ("oflbib.exporters.bibtex", "write_biblatex", ".biblatex.bib"),
    "csljson": ("oflbib.exporters.csljson", "write_csljson", ".json"),
    "ris": ("oflbib.exporters.ris", "write_ris", ".ris"),
    "markdown": ("oflbib.exporters.markdown", "write_markdown", ".md"),  # needs render()
}


def writer_for(name: str) -> Callable[[list[Group]], str]:
    module, function, _ = FORMATS[name]
    return getattr(importlib.import_module(module), function)


@collector_paused()
def render(catalog: Catalog, fmt: str, sections: list[str] | None = None) -> str:
    """The catalog (or some sections) in one format, as text."""
    if fmt == "markdown":
        from oflbib.exporters.markdown import write_markdown

        # The list itself: an entry appears under every section that lists it.
        return write_markdown(groups(catalog, sections, every_listing=True), catalog)
    return writer_for(fmt)(groups(catalog, sections))


class BuildFiles(Mapping[str, str]):
    """bib/ contents by file name: per format one file with everything, and one per
    section. Each file is rendered when it is read and not kept, so going through them
    holds one at a time (a 100,000-entry build writes 480 MB)."""

    def __init__(self, catalog: Catalog) -> None:
        from oflbib.text import slug

        self.catalog = catalog
        self.plan: dict[str, tuple[str, str | None]] = {}  # name -> (format, one section)
        for fmt, (_, _, suffix) in FORMATS.items():
            self.plan[f"refs{suffix}"] = (fmt, None)
            if fmt != "markdown":
                for section in catalog.sections:
                    self.plan[f"{slug(section.name)}{suffix}"] = (fmt, section.name)

    @collector_paused()
    def __getitem__(self, name: str) -> str:
        fmt, section = self.plan[name]
        if section is None:
            return render(self.catalog, fmt)
        return writer_for(fmt)(groups(self.catalog, [section], every_listing=True))

    def __iter__(self) -> Iterator[str]:
        return iter(self.plan)

    def __len__(self) -> int:
        return len(self.plan)


def build_files(catalog: Catalog) -> BuildFiles:
    """bib/ contents: per format one file with everything, and one per section."""
    return BuildFiles(catalog)
