"""The replica's engine refuses writes; its health is asked once per interval and logged once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fieldapp.database import get_database, make_engine
from fieldapp.models import Team
from fieldapp.replica import Replica, measure_lag, raised_by_replica
from tests.conftest import BACKEND, make_app
from tests.factories import create_team


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        """The current reading."""
        return self.now


class Lags:
    """A stand-in for the lag query: answers the lags given in turn, counting the questions."""

    def __init__(self, *answers: float) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self, connection: Connection) -> float:
        """The next answer (the last one again once they run out)."""
        self.asked += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def replica_engine(standby_url: str) -> Iterator[Engine]:
    """A read-only engine on the replica stand-in."""
    engine = make_engine(standby_url, read_only=True)
    yield engine
    engine.dispose()


def _unreachable_url(tmp_path: Path) -> str:
    """A database that cannot be reached: a closed port, or a folder that does not exist."""
    if BACKEND == "postgres":
        return "postgresql://postgres@127.0.0.1:1/nowhere"
    return f"sqlite:///{tmp_path / 'missing' / 'replica.db'}"


def _warnings(logged: str) -> list[dict[str, object]]:
    """The replica's warning lines among the JSON log lines."""
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "fieldapp.replica"]


def test_the_replica_engine_refuses_every_write(
    replica_engine: Engine, standby: Session, tmp_path: Path
) -> None:
    with pytest.raises(DBAPIError) as refused, replica_engine.begin() as connection:
        connection.execute(Team.__table__.insert(), {"name": "Written to the replica"})
    assert raised_by_replica(refused.value) is False  # no Replica is listening on this engine
    words = "read-only transaction" if BACKEND == "postgres" else "readonly database"
    assert words in str(refused.value.orig)
    with Session(replica_engine) as reading, pytest.raises(DBAPIError):
        reading.add(Team(name="Through a session"))
        reading.commit()
    assert standby.scalar(select(func.count()).select_from(Team)) == 0


def test_the_app_reads_the_configured_replica_read_only(
    database_url: str, standby_url: str, standby: Session, tmp_path: Path
) -> None:
    create_team(standby, name="Only on the replica")
    app = make_app(database_url, tmp_path / "instance", REPLICA_DATABASE_URL=standby_url)
    replica = get_database(app).replica
    assert replica is not None and replica.max_lag == 30
    with replica.sessions() as reading:
        assert list(reading.scalars(select(Team.name))) == ["Only on the replica"]
        with pytest.raises(DBAPIError) as refused:
            reading.execute(text("DELETE FROM teams"))
    assert raised_by_replica(refused.value)
    assert standby.scalar(select(func.count()).select_from(Team)) == 1


def test_without_a_replica_url_the_app_has_none(database_url: str, tmp_path: Path) -> None:
    assert get_database(make_app(database_url, tmp_path / "instance")).replica is None


def test_the_lag_of_a_database_that_is_not_a_standby_is_zero(replica_engine: Engine) -> None:
    with replica_engine.connect() as connection:
        assert measure_lag(connection) == 0.0


def test_health_is_asked_at_most_once_per_interval(replica_engine: Engine) -> None:
    clock, lags = Clock(), Lags(0.5)
    replica = Replica(replica_engine, max_lag=30, check_every=2, clock=clock, measure=lags)
    assert [replica.usable() for _ in range(5)] == [True] * 5
    assert lags.asked == 1
    clock.now += 1.999
    assert replica.usable() and lags.asked == 1
    clock.now += 0.001
    assert replica.usable() and lags.asked == 2


def test_a_lagging_replica_is_left_until_it_catches_up_with_one_warning(
    replica_engine: Engine, database_url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    make_app(database_url, tmp_path / "instance")  # it sets up the JSON log lines read below
    clock, lags = Clock(), Lags(1.0, 30.5, 45.0, 12.0)
    replica = Replica(replica_engine, max_lag=30, clock=clock, measure=lags)
    capfd.readouterr()
    seen = []
    for _ in range(4):
        seen.append(replica.usable())
        clock.now += 2
    assert seen == [True, False, False, True]
    [warning] = [line for line in _warnings(capfd.readouterr().err) if line["level"] == "WARNING"]
    assert warning["message"] == "replica not used, reading from the primary"
    assert (warning["reason"], warning["lag_seconds"]) == ("lagging", 30.5)


def test_an_unreachable_replica_is_not_used_and_is_logged_once(
    tmp_path: Path, database_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    app = make_app(
        database_url, tmp_path / "instance", REPLICA_DATABASE_URL=_unreachable_url(tmp_path)
    )
    replica = get_database(app).replica
    assert replica is not None
    clock = Clock()
    replica.clock = clock
    capfd.readouterr()
    for _ in range(3):
        assert replica.usable() is False
        clock.now += 5
    logged = capfd.readouterr().err
    [warning] = _warnings(logged)
    assert (warning["level"], warning["reason"]) == ("WARNING", "unreachable")
    assert "Traceback" not in logged


def test_one_thread_asks_while_the_others_keep_the_last_answer(replica_engine: Engine) -> None:
    clock, asking, answer = Clock(), threading.Event(), threading.Event()

    def slow_lag(connection: Connection) -> float:
        if clock.now > 100:  # the second question hangs until the test lets it answer
            asking.set()
            answer.wait(timeout=30)
            return 99.0
        return 0.0

    replica = Replica(replica_engine, max_lag=30, clock=clock, measure=slow_lag)
    assert replica.usable() is True
    clock.now += 10
    results: list[bool] = []
    asker = threading.Thread(target=lambda: results.append(replica.usable()))
    asker.start()
    assert asking.wait(timeout=30)
    assert replica.usable() is True  # the last answer, without waiting for the asker
    answer.set()
    asker.join(timeout=30)
    assert results == [False]
    assert replica.usable() is False
