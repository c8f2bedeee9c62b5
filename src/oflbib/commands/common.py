"""What every subcommand shares: finding and loading the catalog, writing output."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from oflbib.model import Catalog


def catalog_dir(ctx: click.Context) -> Path:
    from oflbib.catalog.files import resolve_catalog_dir

    return resolve_catalog_dir(ctx.find_root().obj.get("catalog_dir"))


def load(ctx: click.Context) -> Catalog:
    """The catalog, loaded for a command that keeps it until the process exits.

    Once it is loaded, its objects (two million at 100,000 entries) leave the cycle
    collector's care (`gc.freeze`): the catalog holds no reference cycles, yet each full
    collection that the command's own work sets off would walk all of it again (a fifth
    of `check` at 100,000 entries). A decision for the process, so it is the CLI's, not
    the library's: `load_catalog` leaves the collector as it found it."""
    from oflbib.catalog.store import load_catalog

    catalog = load_catalog(catalog_dir(ctx))
    gc.freeze()
    return catalog


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
