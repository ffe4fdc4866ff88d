"""The mixed officer load, run by locust in its own process (deploy/locustfile.py).

The run starts ``locust --headless`` through the supervisor (so it is stopped with everything
else), reads what it saw from the journal it writes (deploy/journal.py), pauses it through a
file, and stops it with SIGTERM (locust lets every officer finish their round first).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path

from deploy import journal
from deploy.client import Officer
from deploy.processes import Supervisor
from deploy.report import Sample
from deploy.settings import HOST, REPO_ROOT

LOCUSTFILE = REPO_ROOT / "deploy" / "locustfile.py"
#: How long locust waits for officers to finish their round when stopped (a write retries 120 s).
STOP_TIMEOUT = 200
#: locust's own run-time limit: only a guard, the run stops it long before.
RUN_TIME_LIMIT = 4 * 3600
NAME = "locust"


def locust_command(bin_dir: Path, *, port: int, users: int) -> list[str]:
    """``locust`` headless with one user per officer, all started in the first second."""
    return [
        str(bin_dir / "locust"), "-f", str(LOCUSTFILE), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{RUN_TIME_LIMIT}s",
        "--stop-timeout", str(STOP_TIMEOUT), "--host", f"http://{HOST}:{port}",
        "--only-summary", "--exit-code-on-error", "0",
    ]  # fmt: skip


class OfficerLoad:
    """The officers' load as a locust process; what it saw is read back from its journal."""

    def __init__(
        self,
        supervisor: Supervisor,
        folder: Path,
        port: int,
        officers: list[Officer],
        *,
        users: int | None = None,
        name: str = NAME,
    ) -> None:
        self.supervisor = supervisor
        self.port = port
        self.officers = officers
        #: locust users: one per officer unless told (several users then share an officer).
        self.users = users if users is not None else len(officers)
        self.name = name
        self.journal = folder / "journal.jsonl"
        self.pause_file = folder / "pause"
        self.double_tap_file = folder / "double-tap"
        self._officers_file = folder / "officers.json"
        self._pauses = 0

    def start(self, bin_dir: Path) -> None:
        """Start locust with one user per officer."""
        self._officers_file.write_text(json.dumps([asdict(o) for o in self.officers]))
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),  # locust puts only deploy/ on the path
            "LOAD_OFFICERS": str(self._officers_file),
            "LOAD_JOURNAL": str(self.journal),
            "LOAD_PAUSE": str(self.pause_file),
            "LOAD_DOUBLE_TAP": str(self.double_tap_file),
        }
        command = locust_command(bin_dir, port=self.port, users=self.users)
        self.supervisor.start(self.name, command, env)

    def snapshot(self) -> list[Sample]:
        """The samples so far."""
        return journal.read(self.journal)[0]

    def tally(self) -> journal.Tally:
        """What the officers wrote and queued so far."""
        return journal.read(self.journal)[1]

    def stop(self) -> None:
        """SIGTERM locust, which lets the officers finish their round, and wait for it."""
        process = self.supervisor.running.get(self.name)
        if process is None:
            return
        self.supervisor.signal_leader(self.name, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT + 60)
        self.supervisor.stop(self.name)

    def double_tap(self, on: bool) -> None:
        """While on, every message write is sent twice at once with the same Idempotency-Key."""
        if on:
            self.double_tap_file.write_text("on")
        else:
            self.double_tap_file.unlink(missing_ok=True)

    def pause(self, timeout: float) -> bool:
        """Let every officer finish their round, then idle; whether all did within ``timeout``."""
        self._pauses += 1
        token = str(self._pauses)
        self.pause_file.write_text(token)
        idle = Path(f"{self.pause_file}.idle")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(FileNotFoundError):
                if idle.read_text() == token:
                    return True
            time.sleep(0.2)
        return False

    def resume(self) -> None:
        """Officers go round again."""
        self.pause_file.unlink(missing_ok=True)
