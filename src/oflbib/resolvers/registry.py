"""Settings from the environment, and the sources they configure.

The source modules are imported here only when asked for, and they import their HTTP
libraries (habanero, arxiv, httpx2 below them all) only on their first request, so
`--offline` and every other command stay light.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from oflbib import __version__
from oflbib.errors import OflbibError, Problem
from oflbib.resolvers.base import Source
from oflbib.resolvers.cache import DAY
from oflbib.resolvers.manners import RetryPolicy, Timing



@dataclass(frozen=True)
class SourceSpec:
    """One bibliographic service: the row `--source`, `--help` and docs/resolve.md derive from."""

    name: str
    module: str  # oflbib.resolvers.<module>, imported on first use
    cls: str
    url_variable: str
    default_url: str
    help: str  # what it holds, for --help and the docs
    id_kinds: tuple[str, ...]  # identifiers it is looked up by, and gives
    manners: str  # its published limits, as the docs state them
    delay_variable: str | None = None  # seconds between requests, where the service asks
    default_delay: float | None = None
    # Does it give a person's family and given names apart? dblp and arXiv give one string,
    # which cannot tell a compound family name (`Jayaram Subramanya`) from a given name.
    names_in_parts: bool = False


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("crossref", "crossref", "CrossrefSource", "OFLBIB_CROSSREF_URL",
               "https://api.crossref.org",
               "versions of record with a DOI (journals, ACM/IEEE proceedings)", ("doi",),
               "5 requests/s one at a time; 10/s, 3 at a time with OFLBIB_MAILTO; "
               "its x-rate-limit headers override", names_in_parts=True),
    SourceSpec("dblp", "dblp", "DblpSource", "OFLBIB_DBLP_URL", "https://dblp.org",
               "computer science proceedings (USENIX, NeurIPS, ICML, ICLR included), "
               "journals, CoRR", ("dblp", "doi", "arxiv"),
               "one request at a time, 1 s apart; 429 waits for Retry-After",
               "OFLBIB_DBLP_DELAY", 1.0),
    SourceSpec("arxiv", "arxiv", "ArxivSource", "OFLBIB_ARXIV_URL",
               "https://export.arxiv.org/api/query", "preprints: arXiv ids and categories",
               ("arxiv",), "one request at a time, 3 s apart (arXiv's terms)",
               "OFLBIB_ARXIV_DELAY", 3.0),
)
SOURCE_NAMES = tuple(spec.name for spec in SOURCES)
_SPECS = {spec.name: spec for spec in SOURCES}


def spec(name: str) -> SourceSpec:
    return _SPECS[name]


@dataclass(frozen=True)
class Settings:
    urls: dict[str, str] = field(default_factory=lambda: {s.name: s.default_url
                                                          for s in SOURCES})
    delays: dict[str, float] = field(default_factory=lambda: {
        s.name: s.default_delay for s in SOURCES if s.default_delay is not None})
    mailto: str | None = None
    cache_ttl: float = 30 * DAY
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Each source's URL and delay variables (SOURCES), OFLBIB_MAILTO, OFLBIB_CACHE_DIR,
        OFLBIB_CACHE_TTL (days) and OFLBIB_HTTP_TIMEOUT (seconds)."""
        defaults = cls()

        def number(name: str, default: float) -> float:
            text = environ.get(name)
            try:
                value = float(text) if text else default
            except ValueError:
                value = -1.0
            if value < 0:
                raise OflbibError(Problem(f"{name} must be a number >= 0, not {text!r}", name))
            return value

        return cls(
            urls={s.name: environ.get(s.url_variable) or s.default_url for s in SOURCES},
            delays={s.name: number(s.delay_variable, s.default_delay) for s in SOURCES
                    if s.delay_variable and s.default_delay is not None},
            mailto=environ.get("OFLBIB_MAILTO") or None,
            cache_ttl=number("OFLBIB_CACHE_TTL", defaults.cache_ttl / DAY) * DAY,
            timeout=number("OFLBIB_HTTP_TIMEOUT", defaults.timeout) or defaults.timeout,
        )

    @property
    def user_agent(self) -> str:
        """Who is asking, and how to reach them (Crossref's etiquette)."""
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"oflbib/{__version__} (reading-list bibliography resolver{contact})"


def make_source(name: str, settings: Settings, timing: Timing,
                policy: RetryPolicy | None = None) -> Source:
    """The source of row `name`, its module imported now (its HTTP library later)."""
    import importlib

    row = _SPECS.get(name)
    if row is None:
        raise ValueError(f"unknown source {name!r}")
    cls = getattr(importlib.import_module(f"oflbib.resolvers.{row.module}"), row.cls)
    options: dict[str, object] = {"user_agent": settings.user_agent,
                                  "timeout": settings.timeout, "timing": timing,
                                  "policy": policy}
    if name in settings.delays:
        options["delay"] = settings.delays[name]
    if name == "crossref":
        options["mailto"] = settings.mailto
    source: Source = cls(settings.urls[name], **options)
    return source


def environment_help() -> str:
    """The `Environment:` epilog of `oflbib resolve --help` and `oflbib add --help`."""
    rows = [("OFLBIB_MAILTO", "your e-mail: Crossref's polite pool (more requests per second)"),
            ("OFLBIB_CACHE_DIR", "response cache [default: $XDG_CACHE_HOME/oflbib or "
                                 "~/.cache/oflbib]"),
            ("OFLBIB_CACHE_TTL", "days a cached answer stays fresh [default: 30]")]
    for row in SOURCES:
        rows.append((row.url_variable, f"[default: {row.default_url}]"))
        if row.delay_variable:
            rows.append((row.delay_variable, f"seconds between {row.name} requests "
                                             f"[default: {row.default_delay:g}]"))
    rows.append(("OFLBIB_HTTP_TIMEOUT", "seconds a whole request may take [default: 30]"))
    return "\b\nEnvironment:\n" + "\n".join(f"  {name:<21} {text}" for name, text in rows)


def sources_markdown() -> str:
    """The sources table of docs/resolve.md (tests/test_resolve_dblp.py keeps it in step)."""
    rows = ["| source | holds | identifiers | manners | variables |", "|---|---|---|---|---|"]
    for row in SOURCES:
        variables = ", ".join(f"`{name}`" for name in (row.url_variable, row.delay_variable)
                              if name)
        rows.append(f"| {row.name} | {row.help} | {', '.join(row.id_kinds)} | {row.manners} "
                    f"| {variables} |")
    return "\n".join(rows)


def sources_help() -> str:
    """One line per source, for `--help`."""
    return "\b\nSources:\n" + "\n".join(
        f"  {row.name:<9} {row.help}; ids: {', '.join(row.id_kinds)}" for row in SOURCES)
