"""Webhook retries: doubling delays from 30 s, capped at an hour, jittered between half and all."""

from __future__ import annotations

from datetime import timedelta

from fieldapp.core.webhook_backoff import Backoff


def test_delays_double_from_the_base_up_to_the_cap() -> None:
    backoff = Backoff(base=timedelta(seconds=30), cap=timedelta(hours=1))
    delays = [backoff.delay(n, lambda: 1.0) for n in range(1, 10)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert delays[-1] == timedelta(hours=1) and max(delays) == timedelta(hours=1)


def test_jitter_keeps_each_delay_between_half_and_all_of_it() -> None:
    backoff = Backoff(base=timedelta(seconds=30))
    assert backoff.delay(2, lambda: 0.0) == timedelta(seconds=30)
    assert backoff.delay(2, lambda: 0.5) == timedelta(seconds=45)
    assert backoff.delay(1000, lambda: 0.0) == timedelta(minutes=30)


def test_it_gives_up_after_the_last_attempt() -> None:
    backoff = Backoff(max_attempts=3)
    assert [backoff.gives_up(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
