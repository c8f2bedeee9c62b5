"""How much of an answer is read, and for how long: a broken service must not hold a run.

The HTTP client bounds each single wait for the network (its timeout) and nothing else: a
server that sends one byte of its headers every few seconds never trips it, nor does a body
that trickles in a little before every timeout. So every source's requests go through one
`BoundedClient`: its network streams give each request a total deadline (connect, headers
and body together), wait in short slices so that an interrupted run stops at once, follow a
few redirects to http(s) addresses only, and read at most `MAX_BODY` bytes. JSON is parsed
by `parse_json`, which refuses what Python's parser would choke on later (a number of
thousands of digits, NaN, nesting thousands deep).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

MAX_REDIRECTS = 5  # Crossref redirects an old DOI to its current version once; a loop never ends
MAX_BODY = 10 * 2**20  # bytes; the largest recorded answer (20 whole works) is 0.4 MB
SLICE = 0.25  # seconds a network wait lasts before it looks at the deadline and Ctrl-C again
MAX_DEPTH = 64  # nesting of a JSON answer; Crossref's deepest (author affiliation ids) is 8
MAX_DIGITS = 40  # digits of a JSON number; Crossref's longest (timestamps in ms) has 13


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


# ---- JSON ------------------------------------------------------------------------------

def _number(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number of {len(text)} digits")
    return int(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > 2 * MAX_DIGITS:
        raise ValueError(f"the number {text[:20]}...")
    return value


def _not_a_number(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _depth(value: Any) -> int:
    """How deeply `value` nests, found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in
                             (node.values() if isinstance(node, dict) else node))
    return deepest


def parse_json(body: bytes | str, what: str = "the answer") -> Any:
    """JSON that is safe to hand on: numbers within MAX_DIGITS and finite, nesting within
    MAX_DEPTH; anything else is a BrokenAnswer (not retried: the same bytes come back)."""
    try:
        value = json.loads(body, parse_int=_number, parse_float=_finite,
                           parse_constant=_not_a_number)
    except RecursionError:
        raise BrokenAnswer(f"{what} is JSON nested too deeply to read", retryable=False) from None
    except ValueError as err:  # JSONDecodeError included
        raise BrokenAnswer(f"{what} is not well-formed JSON ({_short(str(err))})",
                           retryable=isinstance(err, json.JSONDecodeError)) from None
    if _depth(value) > MAX_DEPTH:
        raise BrokenAnswer(f"{what} is JSON nested more than {MAX_DEPTH} deep",
                           retryable=False)
    return value


def _short(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[:size] + "..."


# ---- the bounded client ----------------------------------------------------------------

class _Deadline(threading.local):
    """The end of the current thread's request (time.monotonic), and how to learn that
    the run was interrupted (a callable that raises)."""

    ends: float | None = None
    check: Callable[[], None] = staticmethod(lambda: None)


_DEADLINE = _Deadline()


def _deadline_backend() -> type:
    """A network backend and its streams (httpcore2's interfaces) that put every wait of a
    request under its deadline; built on first use so the HTTP stack loads only then."""
    import httpcore2

    def left(timeout: float | None) -> float | None:
        """The longest a single wait may last now: `timeout`, cut to the deadline."""
        _DEADLINE.check()
        if _DEADLINE.ends is None:
            return timeout
        remaining = _DEADLINE.ends - time.monotonic()
        if remaining <= 0:
            raise httpcore2.ReadTimeout("no whole answer before the request's deadline")
        return remaining if timeout is None else min(timeout, remaining)

    class DeadlineStream(httpcore2.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            # In slices: nothing is lost when a slice runs out (no byte was taken), and
            # between slices the deadline and Ctrl-C are looked at again.
            waited_from = time.monotonic()
            while True:
                wait = left(timeout)
                if timeout is not None and time.monotonic() - waited_from >= timeout:
                    raise httpcore2.ReadTimeout(f"no data for {timeout:g} s")
                try:
                    return self._inner.read(max_bytes, min(SLICE, wait or SLICE))
                except httpcore2.ReadTimeout:
                    continue

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            # Not sliced: a write cut short cannot be resumed. Requests are a few hundred
            # bytes, which the socket's buffer takes at once.
            self._inner.write(buffer, left(timeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:
            return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                        left(timeout)))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class DeadlineBackend(httpcore2.NetworkBackend):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None,
                        socket_options: Any = None) -> Any:
            # One wait, cut to the deadline: a host that never answers costs at most that.
            return DeadlineStream(self._inner.connect_tcp(
                host, port, left(timeout), local_address, socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Any = None) -> Any:
            return DeadlineStream(self._inner.connect_unix_socket(path, left(timeout),
                                                                  socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return DeadlineBackend


class BoundedClient:
    """One keep-alive httpx2 client for a source. `get` ends by `timeout` seconds after it
    started, whatever the server does, and within a slice of a second once `check` raises
    (the run was interrupted); the response it returns has its body read, at most
    MAX_BODY bytes. Each thread's last response is kept for the limiter's headers."""

    def __init__(self, timeout: float, check: Callable[[], None]) -> None:
        import httpx2

        self.timeout = timeout
        self._check = check
        self._client = httpx2.Client(timeout=timeout, follow_redirects=True,
                                     max_redirects=MAX_REDIRECTS)
        backend = _deadline_backend()
        # httpx2 builds its connection pools with the default network backend and has no
        # option for another: the pools (direct, and one per proxy) are given ours.
        for transport in [self._client._transport, *self._client._mounts.values()]:
            pool = getattr(transport, "_pool", None)
            if pool is not None:
                pool._network_backend = backend(pool._network_backend)
        self._seen = threading.local()

    def get(self, url: str, **kwargs: Any) -> Any:
        self._seen.response = None
        started = time.monotonic()
        _DEADLINE.ends, _DEADLINE.check = started + self.timeout, self._check
        try:
            request = self._client.build_request("GET", url, **kwargs)
            response = self._client.send(request, stream=True)
            self._seen.response = response
            try:
                # Stored where httpx2 keeps a body it read itself.
                response._content = read_body(response.iter_bytes(), started=started,
                                              seconds=self.timeout,
                                              declared=response.headers.get("content-length"))
            finally:
                response.close()
        finally:
            _DEADLINE.ends = None
        return response

    def last_response(self) -> Any:
        return getattr(self._seen, "response", None)


def network_failure(exc: BaseException, url: str, timeout: float) -> tuple[str, bool] | None:
    """(message, retryable) for an exception of httpx2 that means the request got no usable
    answer; None for anything else. Messages name the address and the cause in words, never
    a library's representation of its objects."""
    import httpx2

    if isinstance(exc, httpx2.TooManyRedirects):
        return f"redirected more than {MAX_REDIRECTS} times (a redirect loop?)", False
    if isinstance(exc, httpx2.UnsupportedProtocol):
        scheme = exc.request.url.scheme if _has_request(exc) else "another"
        return (f"redirected to a {_short(scheme, 20)}: address: only http and https are "
                "followed"), False
    if isinstance(exc, httpx2.InvalidURL):
        return f"redirected to an address that is not a URL ({_short(str(exc))})", False
    if isinstance(exc, httpx2.TimeoutException):
        return f"no whole answer within {timeout:g} s", True
    if isinstance(exc, httpx2.ConnectError):
        return f"cannot connect to {url} ({_reason(exc)})", True
    if isinstance(exc, httpx2.DecodingError):
        return f"the answer cannot be decoded ({_reason(exc)})", True
    if isinstance(exc, httpx2.TransportError):
        return f"the connection to {url} broke ({_reason(exc)})", True
    return None


def _has_request(exc: Any) -> bool:
    try:
        return exc.request is not None
    except RuntimeError:  # httpx2 raises when an exception carries no request
        return False


def _reason(exc: BaseException) -> str:
    """The innermost cause of a network error, in words: `Connection refused`, not
    `[Errno 111] ...` wrapped in the repr of a connection object."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)) or type(exc).__name__
    return _short(re.sub(r"<[^<>]*object at 0x[0-9a-f]+>:?\s*", "", text))
