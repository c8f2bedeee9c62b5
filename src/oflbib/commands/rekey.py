"""`oflbib rekey`: keys change only when asked."""

from __future__ import annotations

from contextlib import nullcontext

import click

from oflbib.commands.common import catalog_dir, count


@click.command("rekey")
@click.argument("keys_", metavar="KEY...", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Regenerate every key.")
@click.option("--dry-run", is_flag=True, help="Print old -> new; write nothing.")
@click.pass_context
def rekey_command(ctx: click.Context, keys_: tuple[str, ...], all_: bool, dry_run: bool) -> None:
    """Regenerate citation keys from the key scheme.

    Keys are pinned once written, because LaTeX documents cite them; run this after
    authors or years changed and you accept that old \\cite{...} keys break.
    The scheme is {family name of first author}{year}{first significant title word},
    e.g. thorpe2023bamboo; collisions get b, c, ... in catalog order.
    """
    from oflbib import atomic
    from oflbib.catalog.store import load_catalog, save_catalog
    from oflbib.errors import OflbibError, Problem
    from oflbib.rekeying import rekey

    if not keys_ and not all_:
        raise OflbibError(Problem("name keys to regenerate, or --all", "rekey"))
    root = catalog_dir(ctx, writing=not dry_run)
    with nullcontext() if dry_run else atomic.write_lock(root):
        catalog = load_catalog(root)
        unknown = [k for k in keys_ if k not in catalog.entries]
        if unknown:
            raise OflbibError(Problem(f"no entry '{unknown[0]}'", "KEY"))
        renamed = rekey(catalog, None if all_ else list(keys_))
        for old, new in renamed.items():
            click.echo(f"{old} -> {new}")
        if not dry_run:
            save_catalog(catalog, root)
    click.echo(f"{count(len(renamed), 'key')} {'would change' if dry_run else 'changed'}",
               err=True)
