"""`oflbib export` and `oflbib build`."""

from __future__ import annotations

from pathlib import Path

import click

from oflbib.commands.common import Choice, catalog_dir, load, section_names, section_option
from oflbib.exporters.reference import DEFAULT_URLS, URL_CHOICES

FORMAT_NAMES = ["bibtex", "biblatex", "csljson", "ris", "markdown"]


@click.command("export")
@click.option("--format", "-f", "fmt", type=Choice(FORMAT_NAMES), default="bibtex",
              show_default=True, help="Output format.")
@section_option
@click.option("--urls", type=Choice(URL_CHOICES), default=DEFAULT_URLS,
              show_default=True,
              help="A paper's links: its landing page as URL (none when the DOI links it), "
              "its code repository as a labelled 'Code:' note, both, or none. Software and "
              "lists always keep their own link.")
@click.option("--aux", "aux", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Only the entries a LaTeX document cites: its .aux (BibTeX) or .bcf "
              "(biber).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, sections: tuple[str, ...], urls: str,
                   aux: Path | None, output: Path | None) -> None:
    """Write the bibliography, grouped by section in the list's order.

    \b
    oflbib export --format bibtex > refs.bib      natbib/plainnat, IEEEtran
    oflbib export --format biblatex -o refs.bib   biblatex + biber
    oflbib export --format csljson > refs.json    pandoc --citeproc, Zotero
    oflbib export --format ris > refs.ris         Zotero, EndNote, Mendeley
    oflbib export --format markdown               the reading list itself
    oflbib export -s training -s moe              only some sections
    oflbib export --urls paper                    no code links, only papers' pages
    oflbib export --aux paper.aux -o refs.bib     only what paper.tex cites
    """
    from oflbib.catalog import compiled

    keys, missing = _cited(ctx, aux) if aux else (None, [])

    def produce() -> bytes:
        from oflbib.exporters import render

        catalog = load(ctx)
        return render(catalog, fmt, section_names(catalog, sections), urls,
                      keys).encode("utf-8")

    # An unchanged catalog exported again (a Makefile's case) is only hashed and copied.
    variant = ("export", fmt, f"urls={urls}", *sections,
               *([f"keys={','.join(sorted(keys))}"] if keys is not None else []))
    data = compiled.rendered(catalog_dir(ctx), variant, produce)
    if output is None:
        click.echo(data, nl=False)
        _report_missing(ctx, aux, missing)
        return
    from oflbib import atomic

    # The folder as named (its links are the user's choice), the file itself never
    # through a link: a link at FILE is replaced, not written through.
    folder = output.parent.resolve()
    if not folder.is_dir():
        raise click.BadParameter(f"no folder {output.parent} (make it first)",
                                 param_hint="'--output'")
    atomic.write_files({folder / output.name: data}, folder)
    click.echo(f"wrote {output}", err=True)
    _report_missing(ctx, aux, missing)


def _cited(ctx: click.Context, aux: Path) -> tuple[set[str], list[str]]:
    """(the cited keys the catalog has, those it lacks) for an .aux or .bcf."""
    from oflbib.citations import EVERYTHING, cited_keys

    catalog = load(ctx)
    wanted = cited_keys(aux)
    known = catalog.keys_in_use()
    if EVERYTHING in wanted:
        return known, []
    # BibTeX and biber match keys as written: a key differing only in case is not cited.
    folded = {k.casefold(): k for k in known}
    return {k for k in wanted if k in known}, [
        k + (f" (the catalog has {folded[k.casefold()]})" if k.casefold() in folded else "")
        for k in wanted if k not in known]


def _report_missing(ctx: click.Context, aux: Path | None, missing: list[str]) -> None:
    if missing:
        click.echo(f"{aux}: {len(missing)} cited key(s) not in the catalog: "
                   f"{', '.join(missing)} (`oflbib list` shows the keys; `oflbib add` adds a "
                   "paper)", err=True)
        ctx.exit(1)


@click.command("build")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("bib"), show_default=True, help="Folder to write.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if the folder is not what build would write.")
@click.pass_context
def build_command(ctx: click.Context, out_dir: Path, check_only: bool) -> None:
    """Write every format into bib/: refs.* with everything, plus one file per section.

    Output is deterministic: the same catalog gives the same bytes, so bib/ can be
    committed and `oflbib build --check` can tell in CI whether it is stale.
    """
    from oflbib import atomic
    from oflbib.exporters import build_files

    catalog = load(ctx)
    files = build_files(catalog)
    if check_only:
        if not out_dir.is_dir():
            click.echo(f"{out_dir} does not exist; run `oflbib build --out {out_dir}`",
                       err=True)
            ctx.exit(1)
        # One file at a time, piece by piece, compared with the file on disk as it comes.
        stale = [out_dir / name for name in files
                 if not atomic.same_bytes(out_dir / name, files.encoded(name))]
        for path in stale:
            click.echo(f"stale: {path}", err=True)
        if stale:
            click.echo(f"{out_dir} is out of date; run `oflbib build --out {out_dir}`", err=True)
            ctx.exit(1)
        click.echo(f"{out_dir} is up to date ({len(files)} files)", err=True)
        return
    with atomic.write_lock(out_dir):
        # Only now: taking the lock finished an interrupted build. Each file is streamed
        # to its temporary as it is rendered (one is held at a time, piece by piece) and
        # compared with the file on disk; the stale ones are renamed all at once.
        written = atomic.write_files(((out_dir / name, files.encoded(name)) for name in files),
                                     out_dir, skip_unchanged=True)
    click.echo(f"{len(written)} of {len(files)} files written in {out_dir}", err=True)
