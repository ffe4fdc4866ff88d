"""CPU time per request: the app's processes and the database's backends, over one wrk run.

Throughput on a busy machine says little (other work takes the cores), but the CPU time a
request costs barely depends on it: the kernel counts each process's own user and system time
(``/proc/<pid>/stat``). Summed over gunicorn's process group (the arbiter, its workers and the
audit sealer it starts) and over the PostgreSQL backends of the bench database's connections
(``pg_stat_activity`` pids, this meter's own excluded) from before to after a run, and divided by
the requests wrk completed, it is what a request costs the app and the database: the input of
the capacity model (docs/capacity.md). PostgreSQL's shared processes (WAL writer, checkpointer,
autovacuum) are not counted, so the database figure is a lower bound. Linux only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.errors import BenchmarkError
from benchmarks.instance import postgres_conninfo

#: Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat.
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
BACKENDS_QUERY = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return text.rpartition(")")[2].split()


def cpu_ticks(pid: int) -> int | None:
    """User plus system CPU time of one process in clock ticks, or None if it is gone."""
    fields = _stat_fields(pid)
    # After the name: state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
    return None if fields is None else int(fields[11]) + int(fields[12])


def process_group(pgid: int) -> list[int]:
    """The pids of every process in a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[2]) == pgid:
                found.append(int(entry.name))
    return found


def ticks_of(pids: list[int]) -> dict[int, int]:
    """The CPU ticks of each of these processes still running."""
    ticks = {pid: cpu_ticks(pid) for pid in pids}
    return {pid: value for pid, value in ticks.items() if value is not None}


def ms_per_request(before: Mapping[int, int], after: Mapping[int, int], requests: int) -> float:
    """Milliseconds of CPU per request between two samples.

    A process that appeared in between counts from zero: all its CPU time is the run's.
    """
    ticks = sum(value - before.get(pid, 0) for pid, value in after.items())
    return round(ticks / TICKS_PER_SECOND * 1000 / max(requests, 1), 3)


@dataclass(frozen=True)
class CpuSample:
    """CPU ticks per pid of the app's processes and of the database's backends at one moment."""

    app: dict[int, int]
    database: dict[int, int] | None


class CpuMeter:
    """Samples the CPU time of gunicorn's process group and of the bench database's backends."""

    def __init__(self, gunicorn_pid: int, connection: Any | None) -> None:
        """A meter for the gunicorn started as ``gunicorn_pid`` (its own session and group)."""
        self.pgid = gunicorn_pid
        self.connection = connection

    def sample(self) -> CpuSample:
        """The CPU ticks so far of every app process and database backend."""
        app = ticks_of(process_group(self.pgid))
        if self.connection is None:
            return CpuSample(app, None)
        pids = [int(row[0]) for row in self.connection.execute(BACKENDS_QUERY).fetchall()]
        return CpuSample(app, ticks_of(pids))

    def per_request(
        self, before: CpuSample, after: CpuSample, requests: int
    ) -> tuple[float, float | None]:
        """Milliseconds of CPU per request in the app and in the database (None on SQLite)."""
        app = ms_per_request(before.app, after.app, requests)
        if before.database is None or after.database is None:
            return app, None
        return app, ms_per_request(before.database, after.database, requests)


@contextmanager
def cpu_meter(gunicorn_pid: int, postgres_url: str | None) -> Iterator[CpuMeter]:
    """A meter for the run, with its own connection to the bench database on PostgreSQL."""
    if postgres_url is None:
        yield CpuMeter(gunicorn_pid, None)
        return
    import psycopg

    try:
        connection = psycopg.connect(postgres_conninfo(postgres_url), autocommit=True)
    except psycopg.Error as exc:
        raise BenchmarkError(f"could not connect to count the database's CPU: {exc}") from exc
    with connection:
        yield CpuMeter(gunicorn_pid, connection)
