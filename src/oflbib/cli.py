"""The `oflbib` command: a thin click layer over importers, catalog, resolvers, exporters.

Subcommands live in `oflbib.commands.*` and are imported only when run, so
`oflbib export` never pays for the HTTP stack that `oflbib resolve` needs.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading

import click

INTERRUPTED = 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)
_AS_PROGRAM = False  # set by main(): the process is oflbib's own, not a test's

# name -> (module, attribute, one-line help shown by `oflbib --help`)
COMMANDS = {
    "import": ("oflbib.commands.importing", "import_group",
               "Build or update the catalog from a Markdown list or a .bib file."),
    "list": ("oflbib.commands.browse", "list_command", "List entries by section."),
    "show": ("oflbib.commands.browse", "show_command", "Show one entry with its provenance."),
    "check": ("oflbib.commands.check", "check_command",
              "Lint the catalog; report coverage and the list's errors."),
    "export": ("oflbib.commands.export", "export_command",
               "Write the bibliography (BibTeX, biblatex, CSL-JSON, RIS, Markdown)."),
    "build": ("oflbib.commands.export", "build_command",
              "Write every format into bib/ (or check it is up to date)."),
    "resolve": ("oflbib.commands.resolve", "resolve_command",
                "Enrich papers from Crossref, dblp and arXiv."),
    "add": ("oflbib.commands.resolve", "add_command",
            "Add a paper from a DOI, an arXiv id or url, or a title."),
    "rekey": ("oflbib.commands.rekey", "rekey_command",
              "Regenerate citation keys on request (keys are otherwise pinned)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        return getattr(module, spec[1])

    def invoke(self, ctx: click.Context) -> object:
        from oflbib.errors import OflbibError

        try:
            return super().invoke(ctx)
        except OflbibError as err:
            for problem in err.problems:
                click.echo(f"oflbib: {problem}", err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:  # `oflbib export | head`: not an error worth a traceback
            sys.stderr.close()
            ctx.exit(1)
        except KeyboardInterrupt:
            # The command stopped what it was doing (writes are atomic, resolve's answers
            # are cached as they come). Leave now: a second Ctrl-C, or worker threads
            # still waiting on the network, must not hold the exit or print a traceback.
            click.echo("oflbib: interrupted", err=True)
            if _AS_PROGRAM and threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, _exit_at_once)
                deadline = threading.Timer(1.0, _exit_at_once)
                deadline.daemon = True
                deadline.start()
            ctx.exit(INTERRUPTED)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from the table, so `--help` imports no subcommand module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec[2]) for name, spec in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--catalog", "catalog_dir", envvar="OFLBIB_CATALOG", metavar="DIR",
              type=click.Path(file_okay=False),
              help="Catalog folder [env OFLBIB_CATALOG; default: the catalog shipped with "
                   "oflbib].")
@click.version_option(package_name="oflbib")
@click.pass_context
def cli(ctx: click.Context, catalog_dir: str | None) -> None:
    """oflbib turns reading lists into bibliographies you can cite: Markdown
    awesome-lists and .bib files in, BibTeX, biblatex, CSL-JSON, RIS and Markdown out,
    every fact with its source. It ships the OpenFederatedLearning list's catalog.

    \b
    Cite from LaTeX:   oflbib export --format bibtex > refs.bib
    Zotero:            oflbib export --format ris > refs.ris
    Your own list:     oflbib --catalog my-catalog import markdown LIST.md
    Your own .bib:     oflbib --catalog my-catalog import bibtex refs.bib
    Maintain a list:   oflbib resolve; oflbib check; oflbib build

    Data goes to stdout, messages to stderr. Exit status: 0 ok, 1 problems found or
    a command failed, 2 bad input or usage.
    """
    ctx.obj = {"catalog_dir": catalog_dir}


def _exit_at_once(*_: object) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(INTERRUPTED)


def main() -> None:
    global _AS_PROGRAM
    _AS_PROGRAM = True
    from oflbib.terminal import guard

    guard()
    cli(prog_name="oflbib")
