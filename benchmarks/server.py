"""gunicorn: serving :mod:`benchmarks.reference` (or fieldapp's ``wsgi:app``) on 127.0.0.1,
stopping it, and reading its log.

gunicorn runs with sync workers in its own session, so that stopping it reaches every worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import NoReturn

from benchmarks.client import http
from benchmarks.errors import BenchmarkError
from benchmarks.instance import venv_command
from benchmarks.settings import HOST, REPO_ROOT, Settings

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
#: What marks a gunicorn log line as an error, a timeout or a traceback.
PROBLEM_MARKERS = ('"level": "ERROR"', '"level": "CRITICAL"', "Traceback", "[CRITICAL]", "[ERROR]")


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
    settings: Settings,
    env: Mapping[str, str],
    log_path: Path,
    app: str = "benchmarks.reference:app",
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``app`` under gunicorn sync workers on 127.0.0.1 until the block ends, come what may."""
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
        app,
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


def log_problems(log_path: Path) -> list[str]:
    """Lines of the gunicorn log that report errors, timeouts or tracebacks."""
    problems: list[str] = []
    with log_path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            if any(marker in line for marker in PROBLEM_MARKERS):
                problems.append(line.rstrip())
    return problems


def warn_about_problems(problems: Sequence[str]) -> None:
    """Warn on stderr when the gunicorn log reported errors, showing the first few."""
    if problems:
        print(
            f"WARNING: the gunicorn log has {len(problems)} error line(s), e.g.:", file=sys.stderr
        )
        print("\n".join(problems[:5]), file=sys.stderr)


def _terminate(signum: int, _frame: FrameType | None) -> NoReturn:
    """Turn SIGTERM into an exit that still runs the clean-up (stopping gunicorn)."""
    raise SystemExit(128 + signum)


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so ``serve`` stops gunicorn on the way out."""
    signal.signal(signal.SIGTERM, _terminate)
