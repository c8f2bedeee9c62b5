"""`oflbib import markdown` and `oflbib import bibtex`."""

from __future__ import annotations

from pathlib import Path

import click

from oflbib.commands.common import catalog_dir


@click.group("import")
def import_group() -> None:
    """Build or update the catalog from outside material.

    Re-importing is safe: keys, enrichment and hand edits already in the catalog are kept,
    new items are added, and items that vanished from the source are reported, not deleted.
    """


def _report(report, dry_run: bool) -> None:
    verb = "would add" if dry_run else "added"
    click.echo(f"{verb} {len(report.added)} entries, list text changed for "
               f"{len(report.updated)}", err=True)
    for section, key in report.vanished:
        click.echo(f"warning: '{key}' ({section}) is no longer in the list; kept in the "
                   "catalog (delete it by hand if it should go)", err=True)


@import_group.command("markdown")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Parse and report; write nothing.")
@click.pass_context
def import_markdown(ctx: click.Context, path: Path, dry_run: bool) -> None:
    """Import an awesome-list in Markdown (e.g. OpenFederatedLearning.md).

    \b
    Understands `- [Title](url) VENUE'YY` items, `- Name, Organisation, url url`
    framework lines, `### Section` headings and prose. Creates the catalog folder
    (--catalog, or OFLBIB_CATALOG) when it does not exist.
    """
    from oflbib import atomic
    from oflbib.catalog.store import MANIFEST, load_catalog, save_catalog
    from oflbib.importers.markdown import merge_into, read_markdown
    from oflbib.model import Catalog

    root = catalog_dir(ctx)
    draft = read_markdown(path)
    if dry_run:
        catalog = load_catalog(root) if (root / MANIFEST).is_file() else Catalog()
        _report(merge_into(catalog, draft), dry_run=True)
        return
    with atomic.write_lock(root):
        catalog = load_catalog(root) if (root / MANIFEST).is_file() else Catalog()
        report = merge_into(catalog, draft)
        changed = save_catalog(catalog, root)
    _report(report, dry_run=False)
    click.echo(f"{len(changed)} catalog files written in {root}", err=True)
