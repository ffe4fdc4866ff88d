"""fieldapp's side of the setup: a fresh instance folder and database, migrated, with one officer.

The built-in template library is imported after the migrations (``flask templates import``).

SQLite gets a file in the run's temporary folder. PostgreSQL gets the database of
``FIELDAPP_BENCH_DATABASE_URL``, on 127.0.0.1 only and only if its name contains ``bench``,
because its ``public`` schema is dropped and recreated.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks.errors import BenchmarkError
from benchmarks.settings import COMMAND_TIMEOUT, HOST, REPO_ROOT, Settings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: The officer the benchmark creates and signs in as.
USERNAME = "bench.officer"


def venv_command(name: str) -> list[str]:
    """The command for a tool of this interpreter's environment (``.venv/bin/NAME``)."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def run_checked(command: Sequence[str], *, env: Mapping[str, str], stdin: str | None = None) -> str:
    """Run a command from the repository root, bounded in time; its output, or a clear error."""
    try:
        done = subprocess.run(
            list(command),
            cwd=REPO_ROOT,
            env=dict(env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError(f"{' '.join(command)} took longer than {exc.timeout:.0f}s") from exc
    if done.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def postgres_conninfo(url: str) -> str:
    """A SQLAlchemy-style PostgreSQL URL (``postgresql+psycopg://``) as libpq connection info."""
    return re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", url)


def prepare_postgres(url: str) -> None:
    """Create the benchmark database if needed, then drop and recreate its public schema."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    conninfo = postgres_conninfo(url)
    params = conninfo_to_dict(conninfo)
    hosts = [h for h in str(params.get("host") or "").split(",") if h and not h.startswith("/")]
    hosts += [h for h in str(params.get("hostaddr") or "").split(",") if h]
    if any(host not in LOOPBACK_HOSTS for host in hosts):
        raise BenchmarkError(f"the benchmark only talks to {HOST}; refusing database host {hosts}")
    name = str(params.get("dbname") or "")
    if "bench" not in name:
        raise BenchmarkError(
            f"refusing to wipe database {name!r}: the benchmark database's name must contain "
            "'bench' (FIELDAPP_BENCH_DATABASE_URL)"
        )
    try:
        admin = make_conninfo(conninfo, dbname="postgres", connect_timeout=10)
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        with psycopg.connect(make_conninfo(conninfo, connect_timeout=10), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '15s'")
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
    except psycopg.Error as exc:
        raise BenchmarkError(f"could not prepare PostgreSQL database {name!r}: {exc}") from exc


def app_environment(workdir: Path, database_url: str) -> tuple[dict[str, str], list[str]]:
    """fieldapp's environment (its defaults, a fresh instance and database) and what it dropped."""
    # Other FIELDAPP_* variables (and GUNICORN_CMD_ARGS) are dropped, so that every run measures
    # the default configuration, INFO JSON access logs included.
    dropped = sorted(
        name for name in os.environ if name.startswith("FIELDAPP_") or name == "GUNICORN_CMD_ARGS"
    )
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    env["FIELDAPP_INSTANCE_PATH"] = str(workdir / "instance")
    env["FIELDAPP_DATABASE_URL"] = database_url
    # BENCH_REDIS_URL runs the app as deployed on several machines: limits and the principal
    # cache in Redis. Unset: no Redis, no cache (the figures of earlier runs).
    if os.environ.get("BENCH_REDIS_URL"):
        env["FIELDAPP_REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env, dropped


def fresh_database(settings: Settings, workdir: Path) -> str:
    """The URL of an empty database: a SQLite file in ``workdir``, or the wiped PostgreSQL one."""
    if settings.db == "postgres":
        prepare_postgres(settings.postgres_url)
        return settings.postgres_url
    return f"sqlite:///{workdir / 'bench.db'}"


def create_officer(flask: Sequence[str], env: Mapping[str, str]) -> str:
    """Create the benchmark officer with a random password, and return the password."""
    password = secrets.token_urlsafe(24)
    run_checked(
        [*flask, "users", "create", "--username", USERNAME, "--role", "officer",
         "--team", "Bench", "--password-stdin"],
        env=env, stdin=password + "\n",
    )  # fmt: skip
    return password


def prepare_instance(settings: Settings, workdir: Path) -> tuple[dict[str, str], str]:
    """Migrate a fresh database, import the built-in templates and create the officer.

    Returns fieldapp's environment and the officer's password.
    """
    env, dropped = app_environment(workdir, fresh_database(settings, workdir))
    if dropped:
        print(f"ignoring {', '.join(dropped)}: measuring fieldapp's defaults", flush=True)
    flask = [*venv_command("flask"), "--app", "wsgi"]
    run_checked([*flask, "db", "upgrade"], env=env)
    # The built-in library (message_templates/), each template published as version 1.
    run_checked([*flask, "templates", "import"], env=env)
    return env, create_officer(flask, env)
