"""`oflbib import markdown` and `oflbib import bibtex`."""

from __future__ import annotations

from contextlib import nullcontext
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


@import_group.command("markdown", short_help="Import an awesome-list in Markdown.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Print the import report (what each line was read as) and write nothing.")
@click.option("--report", "show_report", is_flag=True,
              help="Print the import report on stdout also when writing the catalog.")
@click.pass_context
def import_markdown(ctx: click.Context, path: Path, dry_run: bool, show_report: bool) -> None:
    """Import an awesome-list of papers in Markdown (e.g. OpenFederatedLearning.md).

    \b
    Reads the shapes lists use:
      - [Title](url) NSDI'23                  a linked title, a venue tag after it
      * **Title**. A. Author, B. Author. ICML 2020. [[pdf]](url) [[code]](url)
      1. [OSDI'24] Title [paper](url)         numbered items, tags before the title
      | Title | Venue | Year | Code |          pipe or HTML tables, columns by header
      - Name, Organisation, url url           a framework (software) line
    Sections are the list's headings (`### 2023` > `#### IJCAI` is `2023/IJCAI` when the
    list repeats `IJCAI` under other years); a year or venue heading fills what its items
    do not say. arXiv links give the arXiv id (a DOI link is checked by `resolve`). Lines
    nested under an item are its details; a short name linked only to code is software.
    Tables of contents, badges, people, sites, prose, news lines, and items under a
    heading of tutorials, talks, tools or people that link no paper are skipped and
    reported, never fatal (`- [ ] Title` checklists with a byline are papers); a broken
    `[Title](url)` is reported as FILE:LINE and the rest is imported (exit 1). Creates the catalog folder (the global --catalog option, or OFLBIB_CATALOG)
    when it does not exist.
    """
    from oflbib import atomic
    from oflbib.catalog.store import MANIFEST, load_catalog, save_catalog
    from oflbib.importers.markdown import merge_into, read_markdown
    from oflbib.model import Catalog

    root = catalog_dir(ctx, writing=not dry_run)
    with _progress(_line_count(path), "Reading lines") as advance:
        draft = read_markdown(path, advance)
    if dry_run or show_report:
        for note in draft.notes:
            click.echo(f"{path}:{note}")
    with nullcontext() if dry_run else atomic.write_lock(root):
        catalog = load_catalog(root) if (root / MANIFEST).is_file() else Catalog()
        report = merge_into(catalog, draft)
        changed = [] if dry_run else save_catalog(catalog, root)
    _report(report, dry_run)
    if not dry_run:
        click.echo(f"{len(changed)} catalog files written in {root}", err=True)
    skipped = sum(1 for note in draft.notes if note.what == "skipped")
    click.echo(f"{draft.items} entries read in {len(draft.sections)} sections; "
               f"{skipped} lines skipped (see --dry-run)", err=True)
    for problem in draft.problems:
        click.echo(f"error: {problem}", err=True)
    if draft.problems:
        ctx.exit(1)


def _line_count(path: Path) -> int:
    """Lines in the file, for the progress bar (0 when unreadable: read_markdown says why)."""
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


@import_group.command("bibtex", short_help="Import .bib files (BibTeX or biblatex).")
@click.argument("paths", nargs=-1, required=True, metavar="FILE.bib...",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strings", "string_files", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A .bib file whose @string definitions the files use (its entries are "
                   "not imported); repeatable.")
@click.option("--section", "-s", metavar="S",
              help="Put every entry in this section (created when missing). Without it, "
                   "the file's JabRef groups are the sections (oflbib's own exports: the "
                   "sections their keywords name), and entries in none go to one section "
                   "named after the file (refs.bib: refs). Keywords stay keywords; one "
                   "that names a section of the catalog lists the entry there too.")
@click.option("--strict", is_flag=True,
              help="Refuse the whole import when any entry has a problem (exit 2).")
@click.option("--dry-run", is_flag=True,
              help="Print what would happen to each entry; write nothing.")
@click.pass_context
def import_bibtex(ctx: click.Context, paths: tuple[Path, ...], string_files: tuple[Path, ...],
                  section: str | None, strict: bool, dry_run: bool) -> None:
    """Import .bib files (BibTeX or biblatex), e.g. your existing references.

    \b
    Reads what BibTeX and biber read: @string (also from the other files given and
    from --strings files), `#` joins, month macros, crossref/xdata, @comment and `%`
    lines, UTF-8, UTF-16 with BOM, Latin-1. Keys are kept as given; an entry without a
    key is named by the key scheme; one whose key names another work gets a new key.
    An entry the catalog already has (same DOI, arXiv id, key and title, or title, first
    author and year) is merged into it: missing fields filled, differences reported, its
    key kept as an alias. An entry that cannot be read is reported as FILE:LINE and
    skipped; the others are imported and the exit status is 1 (--strict: nothing is
    imported, exit 2).
    """
    from oflbib import atomic
    from oflbib.catalog.store import MANIFEST, load_catalog, save_catalog
    from oflbib.errors import OflbibError
    from oflbib.importers import bibmerge, bibparse
    from oflbib.importers.bibtex import convert_library
    from oflbib.model import Catalog

    root = catalog_dir(ctx, writing=not dry_run)
    library = bibparse.parse_files(list(paths), list(string_files))
    with _progress(len(library.entries), "Reading entries") as advance:
        bib = convert_library(library, advance)
    if strict and bib.problems:
        raise OflbibError(bib.problems)
    with nullcontext() if dry_run else atomic.write_lock(root):
        catalog = load_catalog(root) if (root / MANIFEST).is_file() else Catalog()
        report = bibmerge.merge_bibtex(catalog, bib, section)
        if strict and report.problems:
            raise OflbibError(report.problems)
        changed = [] if dry_run else save_catalog(catalog, root)
    _bib_report(bib, report, dry_run)
    if not dry_run:
        click.echo(f"{len(changed)} catalog files written in {root}", err=True)
    if report.problems:
        ctx.exit(1)


def _progress(total: int, label: str):
    """A progress bar on stderr for long imports (click draws it only on a terminal)."""
    import contextlib

    if total < 500:
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from oflbib.terminal import raw_stderr  # the bar is drawn with control characters

        with click.progressbar(length=total, label=label, file=raw_stderr()) as progress:
            yield progress.update
    return bar()


def _bib_report(bib, report, dry_run: bool) -> None:
    from oflbib.importers.bibmerge import outcome_lines

    for line in outcome_lines(report):
        if dry_run or ": added" not in line or " as '" in line:
            click.echo(line, err=True)
    for note in bib.notes:
        click.echo(f"{note.path}:{note.line}: note: {note.message}", err=True)
    for problem in report.problems:
        click.echo(f"{problem}", err=True)
    verb = "would add" if dry_run else "added"
    click.echo(f"{verb} {len(report.added)} entries, merged {len(report.merged)} into entries "
               f"the catalog has; {len(report.problems)} problems", err=True)
    for name in report.new_sections:
        click.echo(f"new section: {name}", err=True)
    if bib.ignored:
        fields = ", ".join(f"{name} ({count})" for name, count in sorted(bib.ignored.items()))
        click.echo(f"fields the catalog has no field for, kept as written: {fields}", err=True)
    for kind, count in sorted(bib.unknown_types.items()):
        click.echo(f"note: {count} @{kind} entries: a type oflbib does not know, kept as "
                   f"@{kind} in BibTeX and biblatex, a misc item in CSL-JSON and RIS",
                   err=True)
