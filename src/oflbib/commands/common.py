"""What every subcommand shares: finding and loading the catalog, writing output."""

from __future__ import annotations

from pathlib import Path

import click

from oflbib.model import Catalog


def catalog_dir(ctx: click.Context) -> Path:
    from oflbib.catalog.store import resolve_catalog_dir

    return resolve_catalog_dir(ctx.find_root().obj.get("catalog_dir"))


def load(ctx: click.Context) -> Catalog:
    from oflbib.catalog.store import load_catalog

    return load_catalog(catalog_dir(ctx))


def section_names(catalog: Catalog, wanted: tuple[str, ...]) -> list[str] | None:
    """Canonical names for `--section` values (any case, or the file's name); None = all."""
    from oflbib.errors import OflbibError, Problem

    if not wanted:
        return None
    names = []
    for value in wanted:
        section = catalog.section(value)
        if section is None:
            known = ", ".join(s.name for s in catalog.sections)
            raise OflbibError(Problem(f"no section '{value}' (sections: {known})", "--section"))
        names.append(section.name)
    return names


section_option = click.option(
    "--section", "-s", "sections", multiple=True, metavar="S",
    help="Only this section (repeatable; any case, e.g. training, Serving-Inference).")
