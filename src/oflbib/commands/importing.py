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


@import_group.command("bibtex")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--section", "-s", metavar="S",
              help="Put every entry in this section (created when missing); without it, "
                   "each entry goes to the section its first keyword names.")
@click.option("--dry-run", is_flag=True, help="Parse and report; write nothing.")
@click.pass_context
def import_bibtex(ctx: click.Context, path: Path, section: str | None, dry_run: bool) -> None:
    """Import a .bib file (BibTeX or biblatex), e.g. your existing references.

    \b
    Keys are kept as given; types, fields and LaTeX are read back the way `oflbib export`
    writes them, so biblatex output imports to the same entries. Entries the catalog
    already has (same key, title, DOI or arXiv id) are skipped and reported. Any problem
    in the file is reported as FILE:LINE and nothing is written.
    """
    from oflbib import atomic
    from oflbib.catalog.store import MANIFEST, load_catalog, save_catalog
    from oflbib.importers.bibtex import merge_bibtex, read_bibtex
    from oflbib.model import Catalog

    root = catalog_dir(ctx)
    bib = read_bibtex(path)
    with atomic.write_lock(root):
        catalog = load_catalog(root) if (root / MANIFEST).is_file() else Catalog()
        report = merge_bibtex(catalog, bib, section)
        changed = [] if dry_run else save_catalog(catalog, root)
    verb = "would add" if dry_run else "added"
    click.echo(f"{verb} {len(report.added)} entries, skipped {len(report.duplicates)} the "
               "catalog already has", err=True)
    for key, existing, why in report.duplicates:
        click.echo(f"duplicate: '{key}' is '{existing}' ({why}); skipped", err=True)
    for name in report.new_sections:
        click.echo(f"new section: {name}", err=True)
    if bib.ignored:
        fields = ", ".join(f"{name} ({count})" for name, count in sorted(bib.ignored.items()))
        click.echo(f"fields the catalog has no place for, not imported: {fields}", err=True)
    for kind, count in sorted(bib.retyped.items()):
        click.echo(f"note: {count} @{kind} entries imported as papers (@misc)", err=True)
    if not dry_run:
        click.echo(f"{len(changed)} catalog files written in {root}", err=True)
