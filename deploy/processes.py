"""Starting the cluster's processes, each in its own session with its own log, and stopping
every one of them on the way out (Ctrl-C and SIGTERM included)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NoReturn

from deploy.settings import HOST, REPO_ROOT

STOP_SECONDS = 15.0


class ClusterError(RuntimeError):
    """The cluster could not be set up or run; the message says what and where to look."""


@dataclass
class Supervisor:
    """The run's processes by name, and their logs in ``log_dir``."""

    log_dir: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(
        self, name: str, command: Sequence[str], env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``command`` from the repository root in a new session, logging to name.log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - commands built by deploy/render.py
                list(command),
                cwd=REPO_ROOT,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def signal_group(self, name: str, signum: int) -> None:
        """Send ``signum`` to the process's whole group (gunicorn: master, workers, sealer)."""
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.running[name].pid, signum)

    def signal_leader(self, name: str, signum: int) -> None:
        """Send ``signum`` to the process itself only (gunicorn: the arbiter)."""
        with suppress(ProcessLookupError):
            self.running[name].send_signal(signum)

    def stop(self, name: str) -> int | None:
        """SIGTERM, then SIGKILL to the group after STOP_SECONDS; the exit code."""
        process = self.running.pop(name, None)
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_SECONDS)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever of its group lingers
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)
        return process.returncode

    def stop_all(self) -> None:
        """Stop everything, newest first (clients before the servers they use)."""
        for name in reversed(list(self.running)):
            self.stop(name)

    def log_tail(self, name: str, lines: int = 20) -> str:
        """The end of a process's log."""
        path = self.log_dir / f"{name}.log"
        with suppress(OSError):
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def port_is_open(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((HOST, port)) == 0


def http_status(url: str, timeout: float = 2.0) -> int:
    """The status of a GET to 127.0.0.1, or 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def wait_until_ready(
    url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 90.0
) -> None:
    """Poll ``url`` until it answers 200; fail if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"{what} exited with {process.returncode} while starting")
        if http_status(url) == 200:
            return
        time.sleep(0.25)
    raise ClusterError(f"{what} did not answer 200 on {url} within {timeout:.0f}s")


def run_checked(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> str:
    """Run a setup command to completion from the repository root; its output, or a clear error."""
    done = subprocess.run(  # noqa: S603 - commands built by deploy/render.py
        list(command),
        cwd=REPO_ROOT,
        env=dict(env) if env is not None else None,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise ClusterError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def _terminate(signum: int, _frame: FrameType | None) -> NoReturn:
    """Unwind on SIGTERM as on Ctrl-C, so that the clean-up runs."""
    raise SystemExit(128 + signum)


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM (and SIGHUP) run the clean-up like Ctrl-C does."""
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
