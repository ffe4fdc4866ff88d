"""Benchmark fieldapp under gunicorn with wrk, against reference endpoints in the same workers.

``make bench`` runs ``python -m benchmarks.run`` from the repository root. Settings come from
the environment (``BENCH_DB``, ``BENCH_DURATION``, ``BENCH_CONNECTIONS``, ``BENCH_THREADS``,
``BENCH_WORKERS``, ``BENCH_ROUNDS``, ``BENCH_PORT``, ``FIELDAPP_BENCH_DATABASE_URL``) or the
matching command-line options (``--help``).

Each run migrates a fresh database, creates one officer, serves :mod:`benchmarks.reference` with
gunicorn sync workers on 127.0.0.1, signs in once, and drives every endpoint of ``PAIRS`` with
wrk: a warm-up each, then rounds interleaving the endpoints. It prints medians and the ratio of
each endpoint's throughput to its reference's, and writes the same as JSON into
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/fieldapp_bench"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: (endpoint, reference): each endpoint's req/s is reported as a ratio to its reference's, both
#: measured in the same run and the same gunicorn workers. Later work adds pairs here.
PAIRS: tuple[tuple[str, str], ...] = (
    ("/_reference/jwt", "/_reference/bare"),
    ("/api/v1/me", "/_reference/jwt"),
)

USERNAME = "bench.officer"
WARMUP_SECONDS = 2
STARTUP_TIMEOUT = 60.0
COMMAND_TIMEOUT = 300.0
STOP_TIMEOUT = 15.0
#: Sign in again when the access token would expire within this margin of a wrk run's end.
TOKEN_MARGIN_SECONDS = 60.0
#: Warn when the machine is busier than this with nothing of the benchmark running.
BUSY_WARNING = 0.15
TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


class BenchmarkError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


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


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: dict[str, int]


@dataclass(frozen=True)
class Summary:
    """One endpoint's medians over the rounds, and its ratio to its reference."""

    endpoint: str
    reference: str | None
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    ratio: float | None
    ratios_per_round: list[float]


# --- settings ---------------------------------------------------------------------------------


def _seconds(value: str) -> int:
    """Parse a duration in whole seconds, such as ``10`` or ``10s``."""
    try:
        seconds = int(value.strip().removesuffix("s"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a duration in seconds: {value!r}") from exc
    if seconds < 1:
        raise argparse.ArgumentTypeError("a duration must be at least 1s")
    return seconds


def _positive(value: str) -> int:
    """Parse a positive integer."""
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from exc
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


def parse_settings(argv: Sequence[str] | None, env: Mapping[str, str]) -> Settings:
    """Read the settings from the command line, with environment variables as defaults."""
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
    options: tuple[tuple[str, str, str, Any], ...] = (
        ("--duration", "BENCH_DURATION", "10s", _seconds),
        ("--connections", "BENCH_CONNECTIONS", "16", _positive),
        ("--threads", "BENCH_THREADS", "2", _positive),
        ("--workers", "BENCH_WORKERS", "2", _positive),
        ("--rounds", "BENCH_ROUNDS", "3", _positive),
        ("--port", "BENCH_PORT", "5077", _positive),
    )
    for flag, variable, default, kind in options:
        parser.add_argument(
            flag,
            type=kind,
            default=env.get(variable) or default,
            help=f"{variable}, default {default}",
        )
    parser.add_argument(
        "--warmup",
        type=_seconds,
        default=WARMUP_SECONDS,
        help=f"warm-up seconds per endpoint, default {WARMUP_SECONDS}",
    )
    parser.add_argument(
        "--keep-tmp",
        action="store_true",
        help="keep the temporary folder (instance, SQLite file, gunicorn log)",
    )
    args = parser.parse_args(argv)
    if args.db not in ("sqlite", "postgres"):
        parser.error(f"BENCH_DB must be sqlite or postgres, got {args.db!r}")
    if args.connections < args.threads:
        parser.error("wrk needs at least as many connections as threads")
    if args.port > 65535:
        parser.error(f"not a port: {args.port}")
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
    )


def endpoint_paths(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Every path to drive, each once, references before the endpoints measured against them."""
    paths: list[str] = []
    for endpoint, reference in pairs:
        for path in (reference, endpoint):
            if path not in paths:
                paths.append(path)
    return paths


# --- tools and processes -----------------------------------------------------------------------


def venv_command(name: str) -> list[str]:
    """The command for a tool of this interpreter's environment (``.venv/bin/NAME``)."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def ensure_wrk() -> str:
    """The path of wrk, installing it with apt-get when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise BenchmarkError(
            "wrk is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y wrk) "
            "and run the benchmark again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    print("wrk is missing: installing it with apt-get", flush=True)
    try:
        if subprocess.run(install, env=env, timeout=COMMAND_TIMEOUT, check=False).returncode:
            subprocess.run(["apt-get", "update"], env=env, timeout=COMMAND_TIMEOUT, check=False)
            subprocess.run(install, env=env, timeout=COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError(f"installing wrk took longer than {exc.timeout:.0f}s") from exc
    found = shutil.which("wrk")
    if not found:
        raise BenchmarkError("wrk is not installed and 'apt-get install -y wrk' did not install it")
    return found


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


def port_is_open(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((HOST, port)) == 0


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn: SIGTERM to the master, then SIGKILL to its process group if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"gunicorn did not stop in {STOP_TIMEOUT:.0f}s: killing it", file=sys.stderr)
    # gunicorn was started in its own session, so its process group holds only it and its workers.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serve(
    settings: Settings, env: Mapping[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run gunicorn with sync workers on 127.0.0.1 until the block ends, whatever happens."""
    if port_is_open(settings.port):
        raise BenchmarkError(
            f"something already listens on {HOST}:{settings.port}; set BENCH_PORT to a free port"
        )
    command = [
        *venv_command("gunicorn"),
        "--workers", str(settings.workers),
        "--worker-class", "sync",
        "--bind", f"{HOST}:{settings.port}",
        "--no-control-socket",  # the default ~/.gunicorn/gunicorn.ctl is shared by every gunicorn
        "benchmarks.reference:app",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        wait_for_health(process, f"http://{HOST}:{settings.port}/health", log_path)
        yield process
    finally:
        stop_process(process)


# --- HTTP --------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as the answer: the benchmark wants 2xx, not a followed 3xx."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        """Follow no redirect."""
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def http(
    url: str, *, token: str | None = None, body: Mapping[str, Any] | None = None
) -> tuple[int, bytes]:
    """One request to 127.0.0.1: the status and the body, whatever the status."""
    if not url.startswith(f"http://{HOST}:"):
        raise BenchmarkError(f"refusing to send traffic anywhere but {HOST}: {url}")
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (127.0.0.1)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for_health(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Wait until GET /health answers 200, or fail with the log's tail."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(
                f"gunicorn exited with {process.returncode} while starting; its log ends:\n"
                + tail(log_path)
            )
        with suppress(OSError):
            if http(url)[0] == 200:
                return
        time.sleep(0.2)
    raise BenchmarkError(
        f"gunicorn did not answer {url} within {STARTUP_TIMEOUT:.0f}s; its log ends:\n"
        + tail(log_path)
    )


class Credentials:
    """The benchmark officer's access token, signing in again before it would expire."""

    def __init__(self, base_url: str, password: str) -> None:
        self.base_url = base_url
        self.password = password
        self.token = ""
        self.expires_at = 0.0

    def token_for(self, seconds: float) -> str:
        """A token still valid ``seconds`` from now, with a margin."""
        if time.monotonic() + seconds + TOKEN_MARGIN_SECONDS >= self.expires_at:
            self.sign_in()
        return self.token

    def sign_in(self) -> None:
        """POST /api/v1/auth/login and keep the access token."""
        started = time.monotonic()
        credentials = {"username": USERNAME, "password": self.password, "device_name": "wrk"}
        status, body = http(f"{self.base_url}/api/v1/auth/login", body=credentials)
        if status != 200:
            raise BenchmarkError(f"sign-in answered {status}: {body.decode(errors='replace')}")
        payload = json.loads(body)
        self.token = str(payload["access_token"])
        self.expires_at = started + float(payload["expires_in"])


# --- wrk ---------------------------------------------------------------------------------------


def _milliseconds(value: str, unit: str) -> float:
    """A wrk time such as ``2.80`` ``ms`` in milliseconds."""
    return float(value) * TIME_UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, the 50% and 99% latencies and the error counts from ``wrk --latency``."""
    time_pattern = r"([\d.]+)(us|ms|s|m|h)\s*$"
    rate = re.search(r"^Requests/sec:\s+([\d.]+)\s*$", output, re.MULTILINE)
    p50 = re.search(r"^\s*50(?:\.0+)?%\s+" + time_pattern, output, re.MULTILINE)
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+" + time_pattern, output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if not (rate and p50 and p99 and total):
        raise BenchmarkError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", output, re.MULTILINE)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    kinds = ("connect", "read", "write", "timeout")
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=_milliseconds(*p50.groups()),
        p99_ms=_milliseconds(*p99.groups()),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(zip(kinds, map(int, sockets.groups()), strict=True)) if sockets else {},
    )


def run_wrk(wrk: str, settings: Settings, url: str, token: str, seconds: int) -> WrkResult:
    """Drive one URL with wrk; fail loudly unless every request answered 2xx."""
    command = [
        wrk,
        "-t", str(settings.threads),
        "-c", str(settings.connections),
        "-d", f"{seconds}s",
        "--latency",
        "-H", f"Authorization: Bearer {token}",
        url,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError(f"wrk on {url} did not finish within {exc.timeout:.0f}s") from exc
    if done.returncode != 0:
        raise BenchmarkError(f"wrk on {url} exited with {done.returncode}:\n{done.stderr}")
    result = parse_wrk(done.stdout)
    if result.non_2xx:
        raise BenchmarkError(
            f"{result.non_2xx} of {result.requests} requests to {url} were not 2xx "
            f"(wrk: 'Non-2xx or 3xx responses'):\n{done.stdout}"
        )
    if any(result.socket_errors.values()) or result.requests == 0:
        raise BenchmarkError(f"wrk on {url} saw failed requests:\n{done.stdout}")
    return result


def check_endpoint(url: str, token: str) -> None:
    """One request first, so that a 3xx or an error shows with its body, not just a count."""
    status, body = http(url, token=token)
    if not 200 <= status < 300:
        raise BenchmarkError(f"GET {url} answered {status}: {body.decode(errors='replace')}")


# --- database and app --------------------------------------------------------------------------


def prepare_postgres(url: str) -> None:
    """Create the benchmark database if needed, then drop and recreate its public schema."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    conninfo = re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", url)
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
    """fieldapp's environment: its defaults plus a fresh instance folder and database.

    Other ``FIELDAPP_*`` variables (and ``GUNICORN_CMD_ARGS``) are dropped, so every run
    measures the default configuration, INFO JSON access logs included. Returns the environment
    and the names of the variables dropped.
    """
    dropped = sorted(
        name for name in os.environ if name.startswith("FIELDAPP_") or name == "GUNICORN_CMD_ARGS"
    )
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    env["FIELDAPP_INSTANCE_PATH"] = str(workdir / "instance")
    env["FIELDAPP_DATABASE_URL"] = database_url
    return env, dropped


def log_problems(log_path: Path) -> list[str]:
    """Lines of the gunicorn log that report errors, timeouts or tracebacks."""
    markers = ('"level": "ERROR"', '"level": "CRITICAL"', "Traceback", "[CRITICAL]", "[ERROR]")
    problems: list[str] = []
    with log_path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            if any(marker in line for marker in markers):
                problems.append(line.rstrip())
    return problems


def cpu_busy_share(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU time spent busy over a short sample (Linux only).

    Taken while nothing of the benchmark runs: anything well above zero means another process
    competes for the cores, and the figures will be low and noisy.
    """

    def sample() -> tuple[int, int]:
        """Idle and total jiffies since boot, from the first line of /proc/stat."""
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return values[3] + values[4], sum(values)

    try:
        idle_before, total_before = sample()
        time.sleep(seconds)
        idle_after, total_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total_after - total_before
    return None if total <= 0 else round(1 - (idle_after - idle_before) / total, 3)


def warn_if_busy(share: float | None, when: str) -> None:
    """Warn when other processes used the CPU just before or after the measurements."""
    if share is not None and share > BUSY_WARNING:
        print(
            f"WARNING: the CPU was {share:.0%} busy {when} the measurements with nothing of the "
            "benchmark running: other processes compete for the cores, so the figures are low "
            "and noisy (ratios suffer less). Run again on a quiet machine.",
            file=sys.stderr,
            flush=True,
        )


def describe_environment(wrk: str) -> dict[str, Any]:
    """Versions and machine facts to keep next to the figures."""

    def output(command: Sequence[str]) -> str:
        """The first line a command prints, or an empty string."""
        try:
            done = subprocess.run(
                list(command), cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        text = (done.stdout or done.stderr).strip()
        return text.splitlines()[0] if text else ""

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "wrk": output([wrk, "--version"]),
        "git_commit": output(["git", "rev-parse", "HEAD"]),
        "git_dirty": bool(output(["git", "status", "--porcelain"])),
    }


# --- the run -----------------------------------------------------------------------------------


def summarise(
    rounds: Mapping[str, Sequence[WrkResult]], pairs: Sequence[tuple[str, str]]
) -> list[Summary]:
    """Medians per endpoint and each endpoint's ratio to its reference."""
    references = dict(pairs)
    summaries = []
    for path, results in rounds.items():
        rates = [r.requests_per_second for r in results]
        reference = references.get(path)
        ratio: float | None = None
        per_round: list[float] = []
        if reference is not None:
            base = [r.requests_per_second for r in rounds[reference]]
            ratio = statistics.median(rates) / statistics.median(base)
            per_round = [round(a / b, 4) for a, b in zip(rates, base, strict=True)]
        summaries.append(
            Summary(
                endpoint=path,
                reference=reference,
                requests_per_second=round(statistics.median(rates), 1),
                p50_ms=round(statistics.median(r.p50_ms for r in results), 3),
                p99_ms=round(statistics.median(r.p99_ms for r in results), 3),
                ratio=None if ratio is None else round(ratio, 4),
                ratios_per_round=per_round,
            )
        )
    return summaries


def format_table(summaries: Sequence[Summary]) -> str:
    """The results as a plain-text table."""
    width = max(len("endpoint"), *(len(s.endpoint) for s in summaries))
    lines = [f"{'endpoint':<{width}}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}  {'ratio':>6}"]
    for s in summaries:
        ratio = "-" if s.ratio is None else f"{s.ratio:.2f}"
        against = f"  (vs {s.reference})" if s.reference else ""
        lines.append(
            f"{s.endpoint:<{width}}  {s.requests_per_second:>9.1f}  {s.p50_ms:>8.2f}  "
            f"{s.p99_ms:>8.2f}  {ratio:>6}{against}"
        )
    return "\n".join(lines)


def measure(
    wrk: str, settings: Settings, base_url: str, credentials: Credentials
) -> tuple[dict[str, list[WrkResult]], list[dict[str, Any]]]:
    """Warm up each endpoint, then run the rounds, rotating the endpoint order each round."""
    paths = endpoint_paths(PAIRS)
    for path in paths:
        check_endpoint(base_url + path, credentials.token_for(1))
    for path in paths:
        print(f"warm-up {path} ({settings.warmup}s)", flush=True)
        token = credentials.token_for(settings.warmup)
        run_wrk(wrk, settings, base_url + path, token, settings.warmup)
    results: dict[str, list[WrkResult]] = {path: [] for path in paths}
    log: list[dict[str, Any]] = []
    for number in range(settings.rounds):
        shift = number % len(paths)
        for path in paths[shift:] + paths[:shift]:
            token = credentials.token_for(settings.duration)
            result = run_wrk(wrk, settings, base_url + path, token, settings.duration)
            results[path].append(result)
            log.append({"round": number + 1, "endpoint": path, **asdict(result)})
            print(
                f"round {number + 1}/{settings.rounds} {path}: "
                f"{result.requests_per_second:.1f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms",
                flush=True,
            )
    return results, log


def run(settings: Settings) -> dict[str, Any]:
    """Set everything up, measure, stop gunicorn, and return the report."""
    wrk = ensure_wrk()
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="fieldapp-bench-"))
    log_path = workdir / "gunicorn.log"
    finished = False
    try:
        if settings.db == "postgres":
            database_url = settings.postgres_url
            prepare_postgres(database_url)
        else:
            database_url = f"sqlite:///{workdir / 'bench.db'}"
        env, dropped = app_environment(workdir, database_url)
        if dropped:
            print(f"ignoring {', '.join(dropped)}: measuring fieldapp's defaults", flush=True)
        flask = [*venv_command("flask"), "--app", "wsgi"]
        run_checked([*flask, "db", "upgrade"], env=env)
        password = secrets.token_urlsafe(24)
        run_checked(
            [*flask, "users", "create", "--username", USERNAME, "--role", "officer",
             "--team", "Bench", "--password-stdin"],
            env=env, stdin=password + "\n",
        )  # fmt: skip
        endpoints = len(endpoint_paths(PAIRS))
        expected = endpoints * (settings.warmup + settings.rounds * settings.duration)
        print(
            f"benchmarking on {settings.db} with {settings.workers} gunicorn sync workers, "
            f"wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}s, "
            f"{settings.rounds} round(s): about {expected}s",
            flush=True,
        )
        busy_before = cpu_busy_share()
        warn_if_busy(busy_before, "just before")
        with serve(settings, env, log_path):
            base_url = f"http://{HOST}:{settings.port}"
            results, rounds = measure(wrk, settings, base_url, Credentials(base_url, password))
        busy_after = cpu_busy_share()
        warn_if_busy(busy_after, "just after")
        problems = log_problems(log_path)
        finished = True
    finally:
        if finished and not settings.keep_tmp:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir} (gunicorn log: {log_path})", file=sys.stderr)
    if problems:
        print(
            f"WARNING: the gunicorn log has {len(problems)} error line(s), e.g.:", file=sys.stderr
        )
        print("\n".join(problems[:5]), file=sys.stderr)
    described = asdict(settings)
    if settings.db == "postgres":
        described["postgres_url"] = re.sub(
            r"(://[^:/@]*):[^@/]*@", r"\1:***@", settings.postgres_url
        )
    else:
        del described["postgres_url"]
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "db": settings.db,
        "settings": described,
        "environment": describe_environment(wrk)
        | {"cpu_busy_before": busy_before, "cpu_busy_after": busy_after},
        "pairs": [list(pair) for pair in PAIRS],
        "results": [asdict(s) for s in summarise(results, PAIRS)],
        "rounds": rounds,
        "log_problems": problems[:20],
    }


def write_report(report: Mapping[str, Any]) -> Path:
    """Save the report as ``benchmarks/results/<timestamp>-<db>.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["started_at"]).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}-{report['db']}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


def _terminate(signum: int, _frame: FrameType | None) -> NoReturn:
    """Turn SIGTERM into an exit that still runs the clean-up (stopping gunicorn)."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table and save the JSON report."""
    settings = parse_settings(argv, os.environ)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        report = run(settings)
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchmark interrupted", file=sys.stderr)
        return 130
    summaries = [Summary(**row) for row in report["results"]]
    print()
    print(format_table(summaries))
    print(f"\nsaved {write_report(report).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
