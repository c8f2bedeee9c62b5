"""Settings from the environment, and the sources they configure.

The source modules are imported here only when asked for, and they import their HTTP
libraries (habanero/httpx2, arxiv/requests) only on their first request, so `--offline` and
every other command stay light.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oflbib import __version__
from oflbib.errors import OflbibError, Problem
from oflbib.resolvers.base import Source
from oflbib.catalog.files import cache_root
from oflbib.resolvers.cache import DAY
from oflbib.resolvers.manners import RetryPolicy, Timing

SOURCE_NAMES = ("crossref", "arxiv")


@dataclass(frozen=True)
class Settings:
    crossref_url: str = "https://api.crossref.org"
    arxiv_url: str = "https://export.arxiv.org/api/query"
    mailto: str | None = None
    cache_dir: Path = field(default_factory=lambda: cache_root(os.environ))
    cache_ttl: float = 30 * DAY
    arxiv_delay: float = 3.0
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """OFLBIB_CROSSREF_URL, OFLBIB_ARXIV_URL, OFLBIB_MAILTO, OFLBIB_CACHE_DIR,
        OFLBIB_CACHE_TTL (days), OFLBIB_ARXIV_DELAY and OFLBIB_HTTP_TIMEOUT (seconds)."""
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
            crossref_url=environ.get("OFLBIB_CROSSREF_URL") or defaults.crossref_url,
            arxiv_url=environ.get("OFLBIB_ARXIV_URL") or defaults.arxiv_url,
            mailto=environ.get("OFLBIB_MAILTO") or None,
            cache_dir=cache_root(environ),
            cache_ttl=number("OFLBIB_CACHE_TTL", defaults.cache_ttl / DAY) * DAY,
            arxiv_delay=number("OFLBIB_ARXIV_DELAY", defaults.arxiv_delay),
            timeout=number("OFLBIB_HTTP_TIMEOUT", defaults.timeout) or defaults.timeout,
        )

    @property
    def user_agent(self) -> str:
        """Who is asking, and how to reach them (Crossref's etiquette)."""
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"oflbib/{__version__} (reading-list bibliography resolver{contact})"


def make_source(name: str, settings: Settings, timing: Timing,
                policy: RetryPolicy | None = None) -> Source:
    if name == "crossref":
        from oflbib.resolvers.crossref import CrossrefSource

        return CrossrefSource(
            settings.crossref_url, mailto=settings.mailto, user_agent=settings.user_agent,
            timeout=settings.timeout, timing=timing, policy=policy)
    if name == "arxiv":
        from oflbib.resolvers.arxiv import ArxivSource

        return ArxivSource(
            settings.arxiv_url, user_agent=settings.user_agent, timeout=settings.timeout,
            timing=timing, delay=settings.arxiv_delay, policy=policy)
    raise ValueError(f"unknown source {name!r}")
