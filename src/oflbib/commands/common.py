"""What every subcommand shares: finding and loading the catalog, writing output."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from oflbib.model import Catalog


def catalog_dir(ctx: click.Context, writing: bool = False) -> Path:
    """The catalog folder the command works on. A command that will write it (`writing`)
    is refused the catalog shipped with oflbib: that is part of the installed package
    (or of the repository), changed only by a maintainer who names it with --catalog."""
    from oflbib.catalog.files import is_packaged_catalog, resolve_catalog_dir
    from oflbib.errors import OflbibError, Problem

    chosen = ctx.find_root().obj.get("catalog_dir")
    root = resolve_catalog_dir(chosen)
    if writing and (not chosen or is_packaged_catalog(root)):
        raise OflbibError(Problem(
            "the catalog shipped with oflbib is read-only; name a catalog folder of your "
            "own with the global option: oflbib --catalog DIR "
            f"{ctx.command_path.removeprefix(ctx.find_root().info_name or '').strip()} ... "
            "(or set OFLBIB_CATALOG)", str(root)))
    return root


def count(number: int, noun: str) -> str:
    """`1 key`, `2 keys`: a number with its noun."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def load(ctx: click.Context) -> Catalog:
    """The catalog, loaded for a command that keeps it until the process exits.

    Once it is loaded, its objects (two million at 100,000 entries) leave the cycle
    collector's care (`gc.freeze`): the catalog holds no reference cycles, yet each full
    collection that the command's own work sets off would walk all of it again (a fifth
    of `check` at 100,000 entries). A decision for the process, so it is the CLI's, not
    the library's: `load_catalog` leaves the collector as it found it. Frozen before the
    collector runs again: its first run would otherwise walk every object the load made."""
    from oflbib.catalog.store import collector_paused, load_catalog

    with collector_paused():
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


class Choice(click.Choice):
    """One of a table's names, in any case (`BibTeX`); a near miss is answered with what
    was probably meant (`bib`: bibtex or biblatex; `json`: csljson)."""

    def __init__(self, choices: list[str]) -> None:
        super().__init__(choices, case_sensitive=False)

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> object:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            import difflib

            wanted = str(value).casefold()
            close = [c for c in self.choices if c.startswith(wanted)] or \
                difflib.get_close_matches(wanted, list(self.choices), n=2, cutoff=0.5)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            self.fail(f"{str(value)!r} is not one of {', '.join(self.choices)}{hint}",
                      param, ctx)
