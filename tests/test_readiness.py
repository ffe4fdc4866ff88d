"""/ready: answers within its deadline whatever the database does, and says no while stopping."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient

from fieldapp.readiness import DatabaseProbe, stopping, waits_at_most


class _HeldEngine:
    """An engine whose connections wait for the test's word before they answer."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.connects = 0

    @contextmanager
    def connect(self) -> Iterator[Any]:
        self.connects += 1
        self.release.wait()
        yield self

    def execute(self, _statement: Any) -> None:
        """Answer at once once released."""


def test_the_probe_says_no_by_its_deadline_while_the_database_is_silent_and_yes_after() -> None:
    engine = _HeldEngine()
    probe = DatabaseProbe(engine, deadline=0.01)  # type: ignore[arg-type]

    assert probe.answers() is False
    assert probe.answers() is False

    engine.release.set()
    assert probe.answers() is True  # the probe still waiting from before, now answered
    assert engine.connects == 1  # one probe at a time, not a thread per request
    probe.close()


def test_a_thread_that_waits_at_most_nothing_gets_no_at_once_from_a_silent_database() -> None:
    engine = _HeldEngine()
    probe = DatabaseProbe(engine, deadline=3600)  # type: ignore[arg-type]  # would hang the test
    answers: list[bool] = []

    def ask() -> None:
        waits_at_most(0)
        answers.append(probe.answers())
        answers.append(probe.answers())

    asker = threading.Thread(target=ask)
    asker.start()
    asker.join(timeout=60)  # a hang guard
    engine.release.set()
    assert answers == [False, False]
    assert probe.answers() is True  # this thread waits, as the Flask view's threads do
    probe.close()


def test_ready_says_503_while_the_instance_is_stopping(client: FlaskClient) -> None:
    assert client.get("/ready").status_code == 200
    stopping.set()
    try:
        response = client.get("/ready")
    finally:
        stopping.clear()
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "This instance is shutting down."
    assert client.get("/ready").status_code == 200
