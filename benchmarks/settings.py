"""How to run the benchmark: fixed facts and the settings read from the command line.

Each setting comes from a command-line option, with the matching environment variable
(``BENCH_DB``, ``BENCH_DURATION``, ``BENCH_CONNECTIONS``, ``BENCH_THREADS``, ``BENCH_WORKERS``,
``BENCH_ROUNDS``, ``BENCH_PORT``, ``BENCH_ONLY``, ``FIELDAPP_BENCH_DATABASE_URL``) as its
default.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Every process of the benchmark listens on, and talks to, this address only.
HOST = "127.0.0.1"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/fieldapp_bench"
WARMUP_SECONDS = 2
#: wrk gives up on a request after this long and counts a socket timeout, which stops the run;
#: wrk's own default (2 s) ended runs on a busy shared machine.
WRK_TIMEOUT_SECONDS = 10
#: The longest any setup command (apt-get, flask) may take.
COMMAND_TIMEOUT = 300.0


@dataclass(frozen=True)
class Settings:
    """How to run the benchmark."""

    db: str
    duration: int
    connections: int
    threads: int
    workers: int
    rounds: int
    port: int
    warmup: int
    postgres_url: str
    keep_tmp: bool
    #: Measure only the pairs with a path containing one of these texts; empty: every pair.
    only: tuple[str, ...] = ()


def parse_seconds(value: str) -> int:
    """Parse a duration in whole seconds, such as ``10`` or ``10s``."""
    try:
        seconds = int(value.strip().removesuffix("s"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a duration in seconds: {value!r}") from exc
    if seconds < 1:
        raise argparse.ArgumentTypeError("a duration must be at least 1s")
    return seconds


def parse_positive(value: str) -> int:
    """Parse a positive integer."""
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from exc
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


#: (option, environment variable, default, parser) for the numeric settings.
_OPTIONS: tuple[tuple[str, str, str, Callable[[str], int]], ...] = (
    ("--duration", "BENCH_DURATION", "10s", parse_seconds),
    ("--connections", "BENCH_CONNECTIONS", "16", parse_positive),
    ("--threads", "BENCH_THREADS", "2", parse_positive),
    ("--workers", "BENCH_WORKERS", "2", parse_positive),
    ("--rounds", "BENCH_ROUNDS", "3", parse_positive),
    ("--port", "BENCH_PORT", "5077", parse_positive),
)


def add_numeric_options(
    parser: argparse.ArgumentParser, env: Mapping[str, str], flags: Collection[str]
) -> None:
    """Add the named numeric options of ``_OPTIONS``, their environment variables as defaults."""
    for flag, variable, default, kind in _OPTIONS:
        if flag in flags:
            parser.add_argument(
                flag,
                type=kind,
                default=env.get(variable) or default,
                help=f"{variable}, default {default}",
            )


def parse_only(value: str) -> tuple[str, ...]:
    """Comma-separated path fragments, such as ``messages,/api/v1/me``; blanks dropped."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def check_load(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a wrk or gunicorn set-up that cannot work."""
    if args.connections < args.threads:
        parser.error("wrk needs at least as many connections as threads")
    if args.port > 65535:
        parser.error(f"not a port: {args.port}")


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    """The command line, with the environment variables as the options' defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Benchmark fieldapp under gunicorn with wrk against reference endpoints.",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres"),
        default=env.get("BENCH_DB", "sqlite"),
        help="database backend (BENCH_DB, default sqlite)",
    )
    add_numeric_options(parser, env, [flag for flag, *_ in _OPTIONS])
    parser.add_argument(
        "--warmup",
        type=parse_seconds,
        default=WARMUP_SECONDS,
        help=f"warm-up seconds per endpoint, default {WARMUP_SECONDS}",
    )
    parser.add_argument(
        "--only",
        type=parse_only,
        default=parse_only(env.get("BENCH_ONLY", "")),
        metavar="TEXT[,TEXT...]",
        help="measure only the pairs whose endpoint or reference path contains one of these "
        "texts (BENCH_ONLY, default: every pair)",
    )
    parser.add_argument(
        "--keep-tmp",
        action="store_true",
        help="keep the temporary folder (instance, SQLite file, gunicorn log)",
    )
    return parser


def parse_settings(argv: Sequence[str] | None, env: Mapping[str, str]) -> Settings:
    """Read the settings from the command line, with environment variables as defaults."""
    parser = _parser(env)
    args = parser.parse_args(argv)
    if args.db not in ("sqlite", "postgres"):
        parser.error(f"BENCH_DB must be sqlite or postgres, got {args.db!r}")
    check_load(parser, args)
    return Settings(
        db=args.db,
        duration=args.duration,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        rounds=args.rounds,
        port=args.port,
        warmup=args.warmup,
        postgres_url=env.get("FIELDAPP_BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL,
        keep_tmp=args.keep_tmp,
        only=args.only,
    )
