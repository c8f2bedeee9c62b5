"""`oflbib resolve` and `oflbib add`: enrich papers from the sources (registry.SOURCES)."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click

from oflbib.commands.common import Choice, catalog_dir, section_names, section_option
from oflbib.model import Catalog, Entry, Listing
from oflbib.resolvers.apply import Review, known_names, merge
from oflbib.resolvers.base import Source
from oflbib.catalog.files import private_cache_folder
from oflbib.resolvers.cache import FOLDER, ResponseCache
from oflbib.resolvers.engine import FAILED, NOT_FOUND, RESOLVED, Engine, Found, Want
from oflbib.resolvers.manners import Timing
from oflbib.resolvers.matching import AMBIGUOUS, MatchResult, Query
from oflbib.resolvers.registry import (
    SOURCE_NAMES, Settings, environment_help, make_source, sources_help,
)

CLOSE = 0.5  # candidates less like the title than this are not worth showing
HEARTBEAT = 2.0  # seconds a request may wait for its answer before the run says so
HEARTBEAT_EVERY = 10.0  # seconds between two such lines about one source

SOURCE_CHOICE = Choice(SOURCE_NAMES)
# Environment variables and sources, listed in `--help` so nobody has to read the code.
ENVIRONMENT = environment_help() + "\n\n" + sources_help()


def _papers(catalog: Catalog, keys: Sequence[str], sections: tuple[str, ...]) -> list[Entry]:
    from oflbib.errors import OflbibError, Problem

    wanted = section_names(catalog, sections)
    in_sections = [entry for _, entry in catalog.ordered(wanted)]
    if not keys:
        return [entry for entry in in_sections if entry.kind == "paper"]
    problems = []
    for key in keys:
        entry = catalog.entries.get(key)
        if entry is None:
            problems.append(Problem(f"no entry '{key}'", "KEY"))
        elif entry.kind != "paper":
            problems.append(Problem(f"'{key}' is a {entry.kind} entry; only papers are resolved",
                                    "KEY"))
    if problems:
        raise OflbibError(problems)
    chosen = set(keys)
    return [entry for entry in in_sections if entry.key in chosen]


class _ProgressBar:
    """A progress bar on stderr counting questions answered (from the cache or a source)."""

    def __init__(self, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        from rich.progress import TimeElapsedColumn

        from oflbib.terminal import raw_stderr

        self._bar = Progress(TextColumn("resolving"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=Console(file=raw_stderr()),
                             transient=True, disable=not enabled)
        self._task = self._bar.add_task("resolving", total=0)

    def planned(self, count: int) -> None:
        self._bar.update(self._task, total=(self._bar.tasks[0].total or 0) + count)

    def done(self, count: int) -> None:
        self._bar.advance(self._task, count)

    def say(self, line: str) -> None:
        """A line on stderr, above the bar while it is shown."""
        self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)

    @contextmanager
    def shown(self) -> Iterator[_ProgressBar]:
        with self._bar:
            yield self


def _run_engine(names: Sequence[str], wants: list[Want], *, refresh: bool, offline: bool,
                quiet: bool) -> tuple[dict[str, Found], dict[str, int]]:
    """What the sources say about each want, and the requests each source made."""
    settings = Settings.from_env()
    timing = Timing()
    sources = [make_source(name, settings, timing) for name in names]
    cache = ResponseCache(private_cache_folder(FOLDER), settings.cache_ttl, read=not refresh,
                          expire=not offline)
    with _ProgressBar(enabled=not quiet).shown() as bar, \
            _heartbeat(sources, settings.timeout, bar.say):
        engine = Engine(sources, cache, timing, offline=offline, progress=bar)
        found = engine.run(wants)
    return found, {source.name: source.limiter.started for source in sources}


@contextmanager
def _heartbeat(sources: Sequence[Source], timeout: float,
               say: Callable[[str], None]) -> Iterator[None]:
    """While a request waits long for its answer, say so every few seconds: a slow or hung
    service is never silence, and the line says how to stop and what to do instead."""
    stop = threading.Event()

    def watch() -> None:
        told: dict[str, float] = {}
        while not stop.wait(0.5):
            for source in sources:
                waited = source.limiter.waiting()
                if waited >= HEARTBEAT and \
                        waited - told.get(source.name, -HEARTBEAT_EVERY) >= HEARTBEAT_EVERY:
                    told[source.name] = waited
                    say(f"waiting    {source.name}: no answer for {waited:.0f} s (a try gives up "
                        f"after {timeout:g} s); Ctrl-C stops, and resolve --offline answers "
                        "from the cache")
                elif waited < HEARTBEAT:
                    told.pop(source.name, None)

    watcher = threading.Thread(target=watch, name="oflbib-heartbeat", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def _failure_lines(found: dict[str, Found], offline: bool) -> list[str]:
    """One line per source that failed, however many papers it cost: what went wrong
    (the failure that cost most, rather than the run's giving up on the source after it),
    and what to do."""
    costs: dict[str, dict[str, int]] = {}
    for result in found.values():
        for name, message in result.errors.items():
            messages = costs.setdefault(name, {})
            messages[message] = messages.get(message, 0) + 1
    advice = "run without --offline to ask it" if offline else \
        "answers so far are cached: run again later, or use --offline to resolve from the cache"
    lines = []
    for name, messages in sorted(costs.items()):
        cause = min(messages, key=lambda m: ("not asked:" in m, -messages[m], m))
        count = sum(messages.values())
        lines.append(f"oflbib: {cause} ({count} {'paper' if count == 1 else 'papers'}); "
                     f"{advice}")
    return lines


# ---- the report -------------------------------------------------------------------------

def _candidates(search: MatchResult) -> str:
    close = [c for c in search.candidates[:3] if c.title_similarity >= CLOSE]
    return "; ".join(f"\"{c.record.title}\" ({c.record.doi or c.record.arxiv}, {c.record.year}, "
                     f"score {c.score:.2f})" for c in close) or "no close candidate"


def _unmatched(found: Found, status: str | None = None) -> str:
    """Each source's unmatched title search (of one status only, if given), best first."""
    return " | ".join(f"{name}: {_candidates(search)}"
                      for name, search in sorted(found.searches.items())
                      if search.record is None and status in (None, search.status))


def _entry_lines(key: str, found: Found, review: Review | None) -> list[str]:
    status = found.status
    if status == RESOLVED:
        ids = ", ".join(f"{name} {record.arxiv or record.doi}"
                        for name, record in sorted(found.records.items()))
        written = " ".join(f"+{c.field}" for c in review.changes) if review else ""
        lines = [f"resolved   {key}  {ids}  {written}".rstrip()]
        ambiguous = _unmatched(found, AMBIGUOUS)
        lines += [f"  ambiguous {ambiguous}"] if ambiguous else []
        lines += [f"  error    {message}" for _, message in sorted(found.errors.items())]
    elif status == FAILED:
        lines = [f"error      {key}  " + "; ".join(m for _, m in sorted(found.errors.items()))]
    else:
        lines = [f"{status:<10} {key}  {_unmatched(found)}".rstrip()]
    lines += [f"  note     {note}" for note in found.notes]
    if review:
        lines += [f"  conflict {c.field}: the catalog has {c.catalog!r}; {c.record.source} says "
                  f"{c.source_says!r} ({c.record.url})" for c in review.conflicts]
        lines += [f"  list     {n.field}: the list says {n.list_says!r}; the publication says "
                  f"{n.publication_says!r} ({n.record.url})" for n in review.list_notes]
        lines += [f"  problem  {problem}" for problem in review.problems]
    return lines


def _summary(found: dict[str, Found], reviews: dict[str, Review],
             requests: dict[str, int]) -> list[str]:
    statuses = [f.status for f in found.values()]
    rows = [
        ("entries", len(found)),
        ("resolved", statuses.count(RESOLVED)),
        ("ambiguous", statuses.count(AMBIGUOUS)),
        ("not found", statuses.count(NOT_FOUND)),
        ("conflicts", sum(1 for r in reviews.values() if r.conflicts)),
        ("list differs", sum(1 for r in reviews.values() if r.list_notes)),
        ("errors", sum(1 for f in found.values() if f.errors)),
        ("problems", sum(1 for r in reviews.values() if r.problems)),
    ]
    made = ", ".join(f"{name} {count}" for name, count in requests.items())
    return ["", "summary"] + [f"  {label:<13}{count:>5}" for label, count in rows] \
        + [f"  requests     {made}"]


def _diff(catalog: Catalog, root: Path) -> str:
    """The unified diff of the catalog files that saving would write."""
    import difflib

    from oflbib.catalog.store import render_catalog

    out: list[str] = []
    for path, new in sorted(render_catalog(catalog, root).items()):
        old = path.read_text("utf-8") if path.exists() else ""
        out += difflib.unified_diff(old.splitlines(keepends=True),
                                    new.decode("utf-8").splitlines(keepends=True),
                                    fromfile=str(path), tofile=str(path))
    return "".join(out)


# ---- commands ---------------------------------------------------------------------------

@click.command("resolve", epilog=ENVIRONMENT)
@click.argument("keys_", metavar="[KEY]...", nargs=-1)
@section_option
@click.option("--source", "sources", type=SOURCE_CHOICE, multiple=True,
              help="Ask only this source (repeatable) [default: all].")
@click.option("--dry-run", is_flag=True, help="Print the diff of the catalog; write nothing.")
@click.option("--refresh", is_flag=True, help="Ignore cached answers (and replace them).")
@click.option("--offline", is_flag=True, help="Answer from the cache alone; no network.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-entry lines.")
@click.pass_context
def resolve_command(ctx: click.Context, keys_: tuple[str, ...], sections: tuple[str, ...],
                    sources: tuple[str, ...], dry_run: bool, refresh: bool, offline: bool,
                    quiet: bool) -> None:
    """Enrich papers (all, or the KEYs) from Crossref, dblp and arXiv.

    DOIs and arXiv ids (the entry's own, or in its links and venue tag) are looked up
    directly, in batches; other papers are searched by title, and a match is taken only when
    it is clearly the paper. A field that has a value is never overwritten: disagreements are
    reported as conflicts, and where the list's title, venue or year differs from the
    publication that is reported too. Every written field records its source and date.

    \b
    oflbib resolve                       every paper
    oflbib resolve thorpe2023bamboo -q   one paper, only the summary
    oflbib resolve --section training --dry-run

    Exit status: 0 when every paper was resolved or reported (ambiguous, not found), 1 when
    a source failed for some (re-run later: answers so far are cached) or sent values the
    catalog cannot take (reported as problems, not written), 2 on bad input.
    """
    from oflbib import atomic
    from oflbib.catalog.store import load_catalog, save_catalog
    from oflbib.errors import OflbibError, Problem

    if refresh and offline:
        raise OflbibError(Problem("--refresh asks the sources again; --offline forbids it",
                                  "--offline"))
    root = catalog_dir(ctx, writing=not dry_run)
    with nullcontext() if dry_run else atomic.write_lock(root):
        catalog = load_catalog(root)
        entries = _papers(catalog, keys_, sections)
        found, requests = _run_engine(sources or SOURCE_NAMES,
                                      [Want.of(entry) for entry in entries],
                                      refresh=refresh, offline=offline, quiet=quiet)
        names = known_names(catalog.entries.values(), [
            record for result in found.values() for record in result.records.values()])
        reviews = {entry.key: merge(entry, found[entry.key], names) for entry in entries}
        if dry_run:
            click.echo(_diff(catalog, root), nl=False)
        else:
            save_catalog(catalog, root)
    if not quiet:
        for entry in entries:
            for line in _entry_lines(entry.key, found[entry.key], reviews[entry.key]):
                click.echo(line, err=True)
    for line in _summary(found, reviews, requests) + _failure_lines(found, offline):
        click.echo(line, err=True)
    if any(f.errors for f in found.values()) or any(r.problems for r in reviews.values()):
        ctx.exit(1)


@click.command("add", epilog=ENVIRONMENT)
@click.argument("reference", metavar="ID|URL|TITLE")
@click.option("--section", "-s", metavar="S",
              help="The section the paper is listed in (any case, or its file's name); "
                   "needed when the catalog has more than one.")
@click.option("--refresh", is_flag=True, help="Ignore cached answers (and replace them).")
@click.option("--offline", is_flag=True, help="Answer from the cache alone; no network.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def add_command(ctx: click.Context, reference: str, section: str | None, refresh: bool,
                offline: bool, quiet: bool) -> None:
    """Add a paper from what you paste: its DOI, arXiv id or url, dblp url, title, name
    and venue tag, or BibTeX entry; print the new entry.

    The paper is resolved first and added only when it was found; its key is given by
    the key scheme and pinned from then on. A BibTeX entry is yours: it is added with
    every field and its key (when free) even if no source knows it, and the sources fill
    only what it lacks.

    \b
    oflbib add 10.1145/3575693.3575703 --section training
    oflbib add https://arxiv.org/abs/2103.13262 -s moe
    oflbib add https://dblp.org/rec/conf/osdi/ZhengLZZCHWXZXG22.html -s training
    oflbib add "Alpa: Automating Inter- and Intra-Operator Parallelism" -s training
    oflbib add "Bamboo NSDI'23" -s training
    oflbib add "$(cat paper.bib)" -s training
    """
    from oflbib import atomic, keys
    from oflbib.catalog.store import load_catalog, save_catalog
    from oflbib.commands.browse import show_command
    from oflbib.errors import OflbibError, Problem

    pasted = _pasted_entry(reference) if reference.lstrip().startswith("@") else None
    own_key = None
    if pasted is None:
        given, query = _pasted(reference)
        if not given and not query.title:
            raise OflbibError(Problem("cannot tell the paper from this; give its DOI, arXiv "
                                      "id, dblp url, title or BibTeX entry", "ID|URL|TITLE"))
        entry = Entry(key="new", kind="paper", title="",
                      urls=[reference] if reference.startswith("http") else [])
        want = dataclasses.replace(Want.of(entry, given=given), query=query)
    else:
        entry, own_key = pasted
        want = Want.of(entry)
    root = catalog_dir(ctx, writing=True)
    with atomic.write_lock(root):
        catalog = load_catalog(root)
        home = _home_section(catalog, section)
        found, _ = _run_engine(SOURCE_NAMES, [want], refresh=refresh,
                               offline=offline, quiet=quiet)
        answer = found[want.key]
        review = merge(entry, answer, known_names(catalog.entries.values(),
                                                  answer.records.values()))
        if pasted is None and (answer.status != RESOLVED or not entry.title):
            for line in _entry_lines(reference, answer, None):
                click.echo(line, err=True)
            click.echo("nothing added", err=True)
            ctx.exit(1)
        _refuse_duplicate(catalog, entry)
        taken = catalog.keys_in_use()
        if pasted is not None and own_key and own_key not in taken:
            entry.key = own_key
        else:
            entry.key = keys.unique_key(keys.base_key(entry), taken)
            if pasted is not None and own_key:
                click.echo(f"key '{own_key}' names another entry here; added as "
                           f"'{entry.key}'", err=True)
        catalog.entries[entry.key] = entry
        next(s for s in catalog.sections if s.name == home).listings.append(
            Listing(entry.key, None, home=True))
        catalog.refresh_sections()
        save_catalog(catalog, root)
    if not quiet or answer.status != RESOLVED:
        for line in _entry_lines(entry.key, answer, review):
            click.echo(line, err=True)
    if answer.status != RESOLVED:
        click.echo(f"{entry.key}: added as you gave it; no source confirmed it", err=True)
    ctx.invoke(show_command, key=entry.key)
    if answer.errors:
        ctx.exit(1)


def _home_section(catalog: Catalog, section: str | None) -> str:
    """The section `--section` names; without it, the catalog's only one."""
    from oflbib.errors import OflbibError, Problem

    if section:
        return section_names(catalog, (section,))[0]
    if len(catalog.sections) == 1:
        return catalog.sections[0].name
    known = ", ".join(s.name for s in catalog.sections)
    raise OflbibError(Problem(f"which section? (sections: {known})", "--section"))


def _pasted_entry(text: str) -> tuple[Entry, str | None]:
    """A pasted BibTeX entry read as `oflbib import bibtex` reads a file (every field
    kept, names and dates parsed), and its key when it has one."""
    from oflbib.errors import OflbibError, Problem
    from oflbib.importers.bibtex import parse_bibtex

    bib = parse_bibtex(text, "<pasted>")
    if bib.problems:
        raise OflbibError(bib.problems)
    if len(bib.entries) != 1:
        raise OflbibError(Problem(f"paste one BibTeX entry ({len(bib.entries)} here); for a "
                                  "file, `oflbib import bibtex FILE`", "<pasted>"))
    item = bib.entries[0]
    return item.entry, None if item.keyless else item.entry.key


_TAGGED = re.compile(r"^(?P<title>.+?)[\s,(]+(?P<tag>[A-Za-z][A-Za-z -]*?\s*['\u2019]\s*\d{2})\)?$")


def _pasted(text: str) -> tuple[dict[str, str], Query]:
    """The ids and the query in what a user pasted: a DOI, an arXiv id or url, a dblp url,
    a title or a system name with or without a venue tag (`Bamboo NSDI'23`)."""
    from oflbib.resolvers.identifiers import parse_reference
    from oflbib.venues import parse_venue_tag

    text = text.strip()
    kind, value = parse_reference(text)
    if kind == "url":
        return {}, Query("")
    if kind != "title":
        return {kind: value}, Query("")
    tagged = _TAGGED.match(value)
    tag = parse_venue_tag(tagged.group("tag")) if tagged else None
    if tagged and tag and tag.venue:
        return {}, Query(tagged.group("title").strip(), tag.year, venue=tag.venue)
    return {}, Query(value)


def _refuse_duplicate(catalog: Catalog, entry: Entry) -> None:
    from oflbib.errors import OflbibError, Problem
    from oflbib.text import norm_title

    for other in catalog.entries.values():
        same = (entry.doi and (other.doi or "").casefold() == entry.doi.casefold()) \
            or (entry.arxiv and other.arxiv == entry.arxiv) \
            or norm_title(other.title) == norm_title(entry.title)
        if same:
            raise OflbibError(Problem(f"this paper is already in the catalog as '{other.key}'",
                                      "ID|URL|TITLE"))
