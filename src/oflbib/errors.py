"""Errors that reach the user as `file:line: what is wrong` lines, never tracebacks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in an input file."""

    message: str
    path: str | None = None
    line: int | None = None  # 1-based

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class OflbibError(Exception):
    """Bad input or a refused operation: the CLI prints every problem and exits 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str, exit_code: int = 2) -> None:
        self.exit_code = exit_code
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CatalogLocked(OflbibError):
    """Another oflbib process holds the catalog's write lock."""
