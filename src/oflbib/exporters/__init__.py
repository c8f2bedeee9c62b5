"""Exporters: one writer per format, all fed the same `Record` view of the catalog.

FORMATS maps a format name to (module, writer function, file suffix); modules are
imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

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


def render(catalog: Catalog, fmt: str, sections: list[str] | None = None) -> str:
    """The catalog (or some sections) in one format, as text."""
    if fmt == "markdown":
        from oflbib.exporters.markdown import write_markdown

        # The list itself: an entry appears under every section that lists it.
        return write_markdown(groups(catalog, sections, every_listing=True), catalog)
    return writer_for(fmt)(groups(catalog, sections))


def build_files(catalog: Catalog) -> dict[str, str]:
    """bib/ contents: per format one file with everything, and one per section."""
    from oflbib.text import slug

    files: dict[str, str] = {}
    for fmt, (_, _, suffix) in FORMATS.items():
        files[f"refs{suffix}"] = render(catalog, fmt)
        if fmt == "markdown":
            continue
        for section in catalog.sections:
            files[f"{slug(section.name)}{suffix}"] = writer_for(fmt)(
                groups(catalog, [section.name], every_listing=True))
    return files
