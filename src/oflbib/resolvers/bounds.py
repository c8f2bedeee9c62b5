"""How much of an answer is read, and for how long: a broken service must not hold a run.

The HTTP clients bound each wait for the network (their timeout) and nothing else: they
follow 20 or 30 redirects, read a body of any size into memory, and keep reading a body that
trickles in a little before every timeout. The sources therefore cap redirects, and read
bodies through `read_body`, which stops at `MAX_BODY` bytes and at the request's deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

MAX_REDIRECTS = 5  # Crossref redirects an old DOI to its current version once; a loop never ends
MAX_BODY = 10 * 2**20  # bytes; the largest recorded answer (20 whole works) is 0.4 MB
CHUNK = 64 * 2**10  # bytes asked of a client at a time, where it wants a size


class BrokenAnswer(Exception):
    """An answer that cannot be taken as it was sent (too large, too slow, not the format
    asked for); `retryable`: whether asking again may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def read_body(chunks: Iterable[bytes], *, declared: str | None, started: float,
              seconds: float) -> bytes:
    """The body the client hands over in `chunks`, unless it is larger than MAX_BODY (as
    `declared` by Content-Length, or as it arrives) or still arriving `seconds` after the
    request `started` (time.monotonic). The caller closes the response, which drops the
    connection of an answer given up on."""
    too_large = f"larger than {MAX_BODY // 2**20} MB: not read"
    if declared and declared.strip().isdigit() and int(declared) > MAX_BODY:
        raise BrokenAnswer(f"the answer is {too_large}", retryable=False)
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_BODY:
            raise BrokenAnswer(f"the answer was {too_large}", retryable=False)
        if time.monotonic() > started + seconds:
            # Retried like a timeout: a busy server may answer in time on the next try.
            raise BrokenAnswer(f"no whole answer within {seconds:g} s", retryable=True)
        parts.append(chunk)
    return b"".join(parts)
