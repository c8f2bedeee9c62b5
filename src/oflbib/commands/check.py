"""`oflbib check`."""

from __future__ import annotations

import click

from oflbib.commands.common import load


@click.command("check")
@click.option("--seed", "show_seed", is_flag=True,
              help="Also print every place where the list disagrees with the publication.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line.")
@click.pass_context
def check_command(ctx: click.Context, show_seed: bool, quiet: bool) -> None:
    """Validate the catalog and lint every entry; print coverage.

    \b
    Errors (exit 1): a paper without authors, year, venue or provenance; unknown venues;
    duplicate titles or urls; ACM pseudo-DOIs; name-only paper titles.
    Warnings: keys off the key scheme, papers without pages, unknown venue tags.
    Files that do not load are reported as file:line (exit 2).
    """
    from oflbib.checks import ERROR, coverage, lint, seed_corrections

    catalog = load(ctx)
    findings = lint(catalog)
    if not quiet:
        for finding in findings:
            click.echo(f"{finding.level}: {finding.key}: {finding.message}")
        click.echo("\ncoverage (papers)")
        for name, have, total in coverage(catalog):
            share = f"{100 * have / total:.0f}%" if total else "-"
            click.echo(f"  {name:<11} {have:>4} / {total:<4} {share:>5}")
    if show_seed:
        corrections = seed_corrections(catalog)
        click.echo(f"\nseed corrections ({len(corrections)}): the list says -> the publication says")
        click.echo("entry\tfield\tlist says\tpublication says\tsource\tnote")
        for c in corrections:
            click.echo("\t".join([c.key, c.field, c.list_says, c.publication_says,
                                  c.source or "(no source)", c.note]))
    errors = sum(1 for f in findings if f.level == ERROR)
    kinds = {}
    for entry in catalog.entries.values():
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    click.echo(f"\n{len(catalog.entries)} entries ({summary}) in {len(catalog.sections)} "
               f"sections: {errors} errors, {len(findings) - errors} warnings", err=quiet)
    if errors:
        ctx.exit(1)
