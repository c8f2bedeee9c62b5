"""Manners: how often to ask, how many requests at once, and how to back off.

Crossref publishes its limits in response headers (`x-rate-limit-limit` and
`x-rate-limit-interval`, older responses spell them `x-ratelimit-*`, and
`x-concurrency-limit`); arXiv asks for one request every three seconds on one connection.
A `Limiter` per source enforces them across threads, and `polite_call` retries what retrying
can fix: 429 and 503 after their Retry-After, other 5xx, timeouts and broken responses with
exponential backoff and jitter. Clock, sleep and randomness come from a `Timing`, so tests
run the real logic without waiting.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from oflbib.resolvers.base import SourceError
from oflbib.resolvers.bounds import network_failure

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class Cancelled(Exception):
    """The run was interrupted (Ctrl-C): stop asking."""


class Timing:
    """Clock, sleep and randomness for pacing and retries. Setting `cancelled` wakes every
    sleeper with `Cancelled`, so an interrupted run stops at once."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        self.clock = clock
        self.rng = rng or random.Random()
        self.cancelled = threading.Event()

    def sleep(self, seconds: float) -> None:
        if self.cancelled.wait(max(0.0, seconds)):
            raise Cancelled()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class Pace:
    """At most `limit` request starts per `interval` seconds, `concurrency` in flight."""

    limit: int
    interval: float
    concurrency: int


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    return number if number and number > 0 else None


def _seconds(value: str | None) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", value or "")
    if not match:
        return None
    number = float(match.group(1))
    scale = {"ms": 0.001, "m": 60.0}.get(match.group(2) or "s", 1.0)
    return number * scale or None


def pace_from_headers(headers: Mapping[str, str], current: Pace) -> Pace:
    """The pace a response's rate-limit headers announce; what they leave out stays."""
    lower = {k.lower(): v for k, v in headers.items()}
    limit = _positive_int(lower.get("x-rate-limit-limit") or lower.get("x-ratelimit-limit"))
    interval = _seconds(lower.get("x-rate-limit-interval") or lower.get("x-ratelimit-interval"))
    concurrency = _positive_int(lower.get("x-concurrency-limit"))
    return Pace(limit or current.limit, interval or current.interval,
                concurrency or current.concurrency)


class Limiter:
    """Paces one source's requests across threads.

    A request counts against the rate from its start until `interval` after its answer
    arrived. Counting from the answer rather than the start means the server, which sees
    each request a little after we send it, can never see more than `limit` within any
    `interval`, however late a request reaches it: for arXiv (1 per 3 s) the next request
    starts 3 s after the previous answer, as arXiv asks. `concurrency` caps requests in
    flight, and a pause after a Retry-After holds back every thread.
    """

    def __init__(self, pace: Pace, timing: Timing) -> None:
        self.pace = pace
        self._timing = timing
        self._answered: deque[float] = deque()  # when recent requests got their answer
        self._in_flight = 0
        self._paused_until = float("-inf")
        self._confirmed = False  # the service has answered once, so its limits are known
        self._since: dict[int, float] = {}  # thread -> when its request in flight started
        self._cond = threading.Condition()
        self.started = 0  # requests let through, for the run's summary

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold the right to one request for the duration of the block."""
        self._acquire()
        self._since[threading.get_ident()] = self._timing.clock()
        try:
            yield
        finally:
            self._since.pop(threading.get_ident(), None)
            with self._cond:
                self._in_flight -= 1
                self._answered.append(self._timing.clock())
                self._cond.notify_all()

    def _acquire(self) -> None:
        while True:
            self._timing.check()
            with self._cond:
                # Before the first answer a pool may be stricter than assumed: one at a time.
                allowed = min(self.pace.concurrency if self._confirmed else 1, self.pace.limit)
                if self._in_flight >= allowed:
                    self._cond.wait(timeout=0.5)  # woken by a release; re-checks cancel
                    continue
                delay = self._delay(self._timing.clock())
                if delay <= 0:
                    self._in_flight += 1
                    self.started += 1
                    return
            self._timing.sleep(delay)

    def _delay(self, now: float) -> float:
        """Seconds until one more request may start (<= 0: now)."""
        while self._answered and self._answered[0] <= now - self.pace.interval:
            self._answered.popleft()
        delay = self._paused_until - now
        excess = len(self._answered) + self._in_flight - self.pace.limit
        if excess >= 0:  # wait for the oldest answers to leave the window
            delay = max(delay, self._answered[excess] + self.pace.interval - now)
        return delay

    def waiting(self) -> float:
        """Seconds the longest request in flight has waited for its answer (0: none)."""
        starts = list(self._since.values())
        return self._timing.clock() - min(starts) if starts else 0.0

    def learn(self, headers: Mapping[str, str] | None) -> None:
        """Adopt the limits a response announced (if any); either way the service answered."""
        with self._cond:
            if headers:
                self.pace = pace_from_headers(headers, self.pace)
            self._confirmed = True
            self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """No request of this source starts for `seconds` (a Retry-After)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._timing.clock() + seconds)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Failure:
    """What went wrong with one request, and whether asking again can help."""

    message: str
    retryable: bool
    retry_after: float | None = None
    status: int | None = None


def network_failure_of(cause: BaseException, url: str, timeout: float) -> Failure | None:
    """A request that got no usable HTTP answer, worded the same for every source."""
    described = network_failure(cause, url, timeout)
    return Failure(*described) if described else None


def failure_for_status(status: int, headers: Mapping[str, str] | None) -> Failure:
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    retry_after = parse_retry_after(lower.get("retry-after")) if status in (429, 503) else None
    return Failure(f"HTTP {status}", status in RETRYABLE_STATUS, retry_after, status)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base: float = 1.0  # first backoff, doubled on every retry
    cap: float = 30.0
    longest_wait: float = 120.0  # a Retry-After beyond this is a failure, not a wait

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: half of the step fixed, half random."""
        step = min(self.cap, self.base * 2 ** attempt)
        return step / 2 + rng.uniform(0, step / 2)


DEFAULT_RETRY = RetryPolicy()


def polite_call(request: Callable[[], T], *, limiter: Limiter,
                classify: Callable[[Exception], Failure | None], timing: Timing,
                policy: RetryPolicy | None = None) -> T:
    """`request()` inside the limiter, retried while retrying can help.

    `classify` turns the exceptions the client library raises into a `Failure`; anything it
    does not recognise is a bug and propagates unchanged.
    """
    policy = policy or DEFAULT_RETRY
    for attempt in range(policy.attempts):
        try:
            with limiter.slot():
                return request()
        except Cancelled:
            raise
        except Exception as exc:
            timing.check()  # interrupted: whatever the client made of it, stop asking
            failure = classify(exc)
            if failure is None:
                raise
            last = attempt == policy.attempts - 1
            if not failure.retryable or last:
                tries = f" after {attempt + 1} tries" if failure.retryable else ""
                raise SourceError(failure.message + tries, status=failure.status) from exc
            if failure.retry_after is not None:
                if failure.retry_after > policy.longest_wait:
                    raise SourceError(f"{failure.message}: asked to retry after "
                                      f"{failure.retry_after:.0f} s; try again later",
                                      status=failure.status) from exc
                limiter.pause(failure.retry_after)
            else:
                timing.sleep(policy.backoff(attempt, timing.rng))
    raise ValueError("RetryPolicy.attempts must be at least 1")


def one_at_a_time(delay: float) -> Pace:
    """The pace of a service that wants one request at a time, `delay` seconds apart."""
    return Pace(limit=1, interval=delay, concurrency=1)


class PoliteSource:
    """What every source keeps to be polite: its address, User-Agent and time limit, one
    Limiter shared by its threads, the retry policy, and its HTTP stack, built (imported)
    on the first request only. A source says how to build the stack (`_make_client`) and
    what a failure means (`_classify`), and sends each request through `_politely`."""

    def __init__(self, endpoint: str, *, user_agent: str, timeout: float, timing: Timing,
                 pace: Pace, policy: RetryPolicy | None = None) -> None:
        self.endpoint = endpoint  # the address asked: answers are cached per endpoint
        self.user_agent = user_agent
        self.timeout = timeout
        self.limiter = Limiter(pace, timing)
        self._timing = timing
        self._policy = policy
        self._client: object = None
        self._lock = threading.Lock()

    def _http(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> object:
        raise NotImplementedError

    def _classify(self, exc: Exception) -> Failure | None:
        raise NotImplementedError

    def _politely(self, attempt: Callable[[], T]) -> T:
        """`attempt`, paced by the limiter and retried as `polite_call` does."""
        return polite_call(attempt, limiter=self.limiter, classify=self._classify,
                           timing=self._timing, policy=self._policy)
