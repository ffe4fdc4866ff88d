"""PostgreSQL for the cluster: a primary and a hot standby (pg_basebackup -R) in a temporary
folder, from Debian's PostgreSQL 15 binaries, run as the ``postgres`` user; and the faults the
run injects into the primary (freeze, stop, a held row lock)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import psycopg

from deploy.processes import ClusterError, run_checked
from deploy.render import DATABASE_NAME, primary_conf, standby_conf
from deploy.settings import HOST

PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))


def as_postgres(command: Sequence[str]) -> list[str]:
    """``command`` as the postgres user when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", "postgres", "--", *command]


def give_to_postgres(path: Path) -> None:
    """Make ``path`` (a new folder) belong to the postgres user when we are root."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, user="postgres", group="postgres")


class PostgresServer:
    """One PostgreSQL server: its data folder, port and log."""

    def __init__(self, data: Path, port: int, log: Path) -> None:
        self.data = data
        self.port = port
        self.log = log

    def pg_ctl(self, action: str, *extra: str) -> str:
        """Run ``pg_ctl <action>`` on this server, waiting for it to finish."""
        command = [str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-w", *extra]
        if action in {"start", "restart"}:
            command += ["-l", str(self.log)]
        return run_checked(as_postgres(command))

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.pg_ctl("start", "-t", "60")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: roll back open transactions; ``immediate``: no checkpoint)."""
        self.pg_ctl("stop", "-m", mode, "-t", "60")

    def running(self) -> bool:
        """Whether the server's postmaster is up."""
        return (self.data / "postmaster.pid").exists()

    def postmaster_pid(self) -> int:
        """The postmaster's pid, from postmaster.pid."""
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def url(self) -> str:
        """libpq connection info for the run's database on this server."""
        return f"postgresql://postgres@{HOST}:{self.port}/{DATABASE_NAME}"


def init_primary(server: PostgresServer, socket_dir: Path) -> None:
    """initdb a primary that trusts loopback (replication included) and allows a standby."""
    give_to_postgres(server.data.parent)
    give_to_postgres(server.data)
    give_to_postgres(socket_dir)
    run_checked(
        as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(server.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        )
    )  # fmt: skip
    with (server.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n" + primary_conf(port=server.port, socket_dir=socket_dir))
    server.start()
    run_checked(
        ["psql", "-h", HOST, "-p", str(server.port), "-U", "postgres", "-X", "-q",
         "-c", f"CREATE DATABASE {DATABASE_NAME}"]
    )  # fmt: skip


def make_standby(primary: PostgresServer, standby: PostgresServer) -> None:
    """A hot standby of ``primary`` made with pg_basebackup -R (streaming, standby.signal)."""
    give_to_postgres(standby.data.parent)
    run_checked(
        as_postgres(
            [str(PG_BIN / "pg_basebackup"), "-h", HOST, "-p", str(primary.port), "-U", "postgres",
             "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast"]
        )
    )  # fmt: skip
    with (standby.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n" + standby_conf(port=standby.port))
    standby.start()


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (PostgreSQL's backends and helpers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError, IndexError, ValueError):
            # The command name in /proc/pid/stat may hold spaces: the ppid follows its ')'.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def freeze(server: PostgresServer) -> list[int]:
    """SIGSTOP the postmaster, then every backend; the pids stopped."""
    leader = server.postmaster_pid()
    os.kill(leader, signal.SIGSTOP)  # first, so that it starts no backend meanwhile
    stopped = [leader]
    for pid in _children(leader):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
    return stopped


def thaw(pids: Sequence[int]) -> None:
    """SIGCONT what :func:`freeze` stopped, backends first."""
    for pid in reversed(pids):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


def hold_row_locks(server: PostgresServer, seconds: int) -> subprocess.Popen[bytes]:
    """psql holding FOR UPDATE locks on every case row for ``seconds``, then rolling back."""
    script = (
        "BEGIN; SELECT count(*) FROM (SELECT id FROM cases FOR UPDATE) AS locked; "
        "SELECT pg_sleep(current_setting('cluster.lock_seconds')::float); ROLLBACK;"
    )
    return subprocess.Popen(  # noqa: S603 - a fixed command
        ["psql", "-h", HOST, "-p", str(server.port), "-U", "postgres", "-X", "-q",  # noqa: S607
         "-d", DATABASE_NAME, "-c", script],
        env={**os.environ, "PGOPTIONS": f"-c cluster.lock_seconds={int(seconds)}"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def replication_state(primary: PostgresServer) -> list[dict[str, Any]]:
    """pg_stat_replication on the primary: each standby's state, lag in bytes and replay lag."""
    query = (
        "SELECT application_name, state, "
        "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag_bytes, "
        "EXTRACT(EPOCH FROM replay_lag)::float AS replay_lag_seconds "
        "FROM pg_stat_replication"
    )
    try:
        with psycopg.connect(primary.url(), connect_timeout=3) as connection:
            rows = connection.execute(query).fetchall()
    except psycopg.Error as error:
        raise ClusterError(f"could not read pg_stat_replication: {error}") from error
    return [
        {"standby": r[0], "state": r[1], "lag_bytes": r[2], "replay_lag_seconds": r[3]}
        for r in rows
    ]


def query_rows(server: PostgresServer, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one read-only query on the run's database."""
    with psycopg.connect(server.url(), connect_timeout=5) as connection:
        return list(connection.execute(sql).fetchall())
