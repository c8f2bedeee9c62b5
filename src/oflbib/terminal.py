"""What oflbib prints is never a terminal command.

Titles, names and error messages carry text from strangers (a catalog from a pull
request, a Crossref record). Printed raw, an escape sequence in one could retitle the
window, hide lines, rewrite what was printed before or, on some terminals, answer back
as typed input. So control characters in what reaches a terminal are shown as `\\x1b`
instead: always on stderr (messages never need them), and on stdout when it is a
terminal (data sent to a file or a pipe stays byte for byte what was asked for).
"""

from __future__ import annotations

import re
import sys
from typing import IO, Any

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides
# that reorder what a line shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def neutral(text: str) -> str:
    """`text` with every control character spelled out (`\\x1b`, `\\u202e`)."""
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                        else f"\\u{ord(m[0]):04x}", text)


class NeutralStream:
    """A text stream that writes through `neutral`. It offers no `buffer`, so bytes
    given to click.echo are decoded and pass through `neutral` too."""

    def __init__(self, stream: IO[str]) -> None:
        self.raw = stream  # for a caller that draws on the terminal itself (a progress bar)

    def write(self, text: str) -> int:
        self.raw.write(neutral(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self.raw, name)


def guard() -> None:
    """Route the process's stderr, and stdout when it is a terminal, through `neutral`."""
    if not isinstance(sys.stderr, NeutralStream) and sys.stderr is not None:
        sys.stderr = NeutralStream(sys.stderr)
    stdout = sys.stdout
    if stdout is not None and not isinstance(stdout, NeutralStream) and stdout.isatty():
        sys.stdout = NeutralStream(stdout)


def raw_stderr() -> IO[str]:
    """stderr as it was before `guard`, for output that is made of control sequences."""
    return getattr(sys.stderr, "raw", sys.stderr)
