"""`oflbib list` and `oflbib show`."""

from __future__ import annotations

import json

import click

from oflbib.commands.common import load, section_names, section_option
from oflbib.model import Entry


def entry_summary(entry: Entry) -> dict[str, object]:
    """The `list --json` record: stable field names for scripts."""
    return {
        "key": entry.key, "kind": entry.kind, "title": entry.title,
        "authors": [a.display for a in entry.authors], "year": entry.year,
        "venue": entry.venue, "sections": entry.sections, "urls": entry.urls,
        "doi": entry.doi, "arxiv": entry.arxiv,
    }


@click.command("list")
@section_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, for scripts.")
@click.pass_context
def list_command(ctx: click.Context, sections: tuple[str, ...], as_json: bool) -> None:
    """List entries by section, in the list's order.

    \b
    oflbib list
    oflbib list --section training --json | jq .key
    """
    catalog = load(ctx)
    current = None
    for section, entry in catalog.ordered(section_names(catalog, sections)):
        if as_json:
            click.echo(json.dumps(entry_summary(entry), ensure_ascii=False))
            continue
        if section.name != current:
            current = section.name
            click.echo(f"\n{section.name}" if current != catalog.sections[0].name
                       else section.name)
        year = entry.year or ""
        venue = entry.venue or ""
        click.echo(f"  {entry.key:<28} {entry.kind:<8} {venue} {year}".rstrip()
                   + f"  {entry.title}")


@click.command("show")
@click.argument("key")
@click.option("--format", "-f", "fmt",
              type=click.Choice(["catalog", "bibtex", "biblatex", "csljson", "ris"]),
              default="catalog", show_default=True,
              help="catalog: every field with its provenance; the others: the entry as "
              "that format writes it, to paste into a file.")
@click.pass_context
def show_command(ctx: click.Context, key: str, fmt: str) -> None:
    """Show one entry: every field, where each fact came from, and the list's text.

    \b
    oflbib show thorpe2023bamboo
    oflbib show thorpe2023bamboo --format bibtex >> refs.bib
    """
    from oflbib.catalog import codec
    from oflbib.catalog.yamlfiles import round_trip_yaml
    from oflbib.errors import OflbibError, Problem

    catalog = load(ctx)
    entry = catalog.entries.get(key) or next(
        (cited for cited in catalog.cited() if cited.key == key), None)
    if entry is None:
        import difflib

        close = difflib.get_close_matches(key, list(catalog.entries), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise OflbibError(Problem(f"no entry '{key}'{hint}", "KEY"))
    if fmt != "catalog":
        from oflbib.exporters import entry_text

        click.echo(entry_text(entry, fmt), nl=False)
        return
    data = codec.entry_to_data(entry)
    data["sections"] = entry.sections
    import io

    out = io.StringIO()
    round_trip_yaml().dump(data, out)
    click.echo(out.getvalue(), nl=False)
