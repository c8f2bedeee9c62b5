"""Pacing, backoff and Retry-After on a fake clock; the response cache."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass

import pytest

from oflbib.resolvers.base import SourceError
from oflbib.resolvers.cache import DAY, ResponseCache
from oflbib.resolvers.manners import (
    Failure, Limiter, Pace, RetryPolicy, pace_from_headers, parse_retry_after, polite_call,
)
from tests.resolve_support import FakeTiming



def starts(limiter: Limiter, timing: FakeTiming, count: int) -> list[float]:
    times = []
    for _ in range(count):
        with limiter.slot():
            times.append(timing.now)
    return times


def test_no_more_than_the_limit_start_in_any_interval(timing) -> None:
    limiter = Limiter(Pace(limit=5, interval=1.0, concurrency=1), timing)
    times = starts(limiter, timing, 12)
    for i in range(len(times) - 5):
        assert times[i + 5] - times[i] >= 1.0  # every window of 1 s holds at most 5 starts
    assert times[4] == times[0]  # ... and the first five go at once


def test_one_request_every_three_seconds(timing) -> None:
    limiter = Limiter(Pace(limit=1, interval=3.0, concurrency=1), timing)
    times = starts(limiter, timing, 4)
    assert all(b - a >= 3.0 for a, b in itertools.pairwise(times))


def test_the_wait_counts_from_the_answer_not_the_request(timing) -> None:
    limiter = Limiter(Pace(limit=1, interval=3.0, concurrency=1), timing)
    with limiter.slot():
        timing.sleep(2.0)  # a slow answer
    answered = timing.now
    assert starts(limiter, timing, 1) == [answered + 3.0]


def test_retry_after_holds_back_every_request_of_the_source(timing) -> None:
    limiter = Limiter(Pace(limit=100, interval=1.0, concurrency=4), timing)
    limiter.pause(30)
    assert starts(limiter, timing, 1) == [1030.0]


def test_limits_come_from_the_headers_when_sent() -> None:
    current = Pace(5, 1.0, 1)
    assert pace_from_headers({"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Interval": "1s",
                              "X-Concurrency-Limit": "3"}, current) == Pace(10, 1.0, 3)
    assert pace_from_headers({"x-ratelimit-limit": "50", "x-ratelimit-interval": "500ms"},
                             current) == Pace(50, 0.5, 1)
    assert pace_from_headers({"x-rate-limit-limit": "nonsense"}, current) == current


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_backoff_grows_exponentially_with_jitter() -> None:
    policy = RetryPolicy(base=1.0, cap=30.0)
    rng = random.Random(1)
    for attempt, step in enumerate([1, 2, 4, 8, 16, 30, 30]):
        waits = {policy.backoff(attempt, rng) for _ in range(20)}
        assert all(step / 2 <= w <= step for w in waits)
        assert len(waits) > 1  # jittered


def test_what_cannot_be_fixed_by_asking_again_fails_at_once(timing) -> None:
    limiter = Limiter(Pace(10, 1.0, 1), timing)
    calls = []

    def refused() -> None:
        calls.append(1)
        raise LookupError("refused")

    with pytest.raises(SourceError, match="HTTP 400") as failure:
        polite_call(refused, limiter=limiter, timing=timing,
                    classify=lambda exc: Failure("HTTP 400", False, status=400))
    assert failure.value.status == 400 and len(calls) == 1


def test_an_error_nobody_expected_is_a_bug_and_propagates(timing) -> None:
    limiter = Limiter(Pace(10, 1.0, 1), timing)
    with pytest.raises(ZeroDivisionError):
        polite_call(lambda: 1 / 0, limiter=limiter, timing=timing, classify=lambda exc: None)


# ---- cache ------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Asked:
    name: str
    endpoint: str = "https://api.crossref.org"


CROSSREF, ARXIV = Asked("crossref"), Asked("arxiv", "https://export.arxiv.org/api/query")


def test_answers_are_kept_until_they_expire(tmp_path) -> None:
    clock = Clock()
    cache = ResponseCache(tmp_path, ttl=30 * DAY, clock=clock)
    cache.put(CROSSREF, "id", "10.1/x", {"DOI": "10.1/x"})
    cache.put(CROSSREF, "id", "10.1/missing", None)
    assert cache.get(CROSSREF, "id", "10.1/x").value == {"DOI": "10.1/x"}
    assert cache.get(CROSSREF, "id", "10.1/missing").value is None  # "no such record"
    assert cache.get(ARXIV, "id", "10.1/x") is None
    clock.now += 31 * DAY
    assert cache.get(CROSSREF, "id", "10.1/x") is None
    offline = ResponseCache(tmp_path, ttl=30 * DAY, expire=False, clock=clock)
    assert offline.get(CROSSREF, "id", "10.1/x").value == {"DOI": "10.1/x"}


def test_refresh_reads_nothing_but_still_stores(tmp_path) -> None:
    refreshing = ResponseCache(tmp_path, ttl=DAY, read=False)
    refreshing.put(ARXIV, "title", "T", [{"id": "1"}])
    assert refreshing.get(ARXIV, "title", "T") is None
    assert ResponseCache(tmp_path, ttl=DAY).get(ARXIV, "title", "T").value == [{"id": "1"}]


def test_a_torn_cache_file_is_a_miss(tmp_path) -> None:
    cache = ResponseCache(tmp_path, ttl=DAY)
    cache.put(ARXIV, "id", "2103.13262", {"id": "2103.13262v1"})
    (path,) = tmp_path.rglob("*.json")
    path.write_text(json.dumps({"key": "2103.13262"})[:10])
    assert cache.get(ARXIV, "id", "2103.13262") is None
