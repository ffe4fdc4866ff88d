"""Where a request's time goes: cProfile over the endpoints that miss their aims, in-process.

``python -m benchmarks.profile`` (PostgreSQL, ``FIELDAPP_BENCH_DATABASE_URL``, wiped as in
:mod:`benchmarks.run`) migrates a fresh database, imports the templates, creates the officer,
builds :mod:`benchmarks.reference`'s app (fieldapp plus the references) in this process and,
through a Werkzeug test client, creates the case, victim and event ``make bench`` uses. Then
for each endpoint of :data:`PROFILED` and its reference it sends ``--warmup`` requests, and
``--requests`` more under cProfile, counting the SQL statements they send. It prints, per
endpoint: wall milliseconds and statements per request, the self time grouped by where the code
lives (a package, a fieldapp module, or a C function by name: database waits show there), and
the fieldapp functions with the most cumulative time. docs/performance-profile.md reads it.

No gunicorn, no wrk, no concurrency: one request at a time, so the figures are per request and
the database round trips show as waiting. The test client's own work is listed apart.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.instance import USERNAME, prepare_instance
from benchmarks.settings import DEFAULT_POSTGRES_URL, Settings

#: (endpoint, reference, method, body) in the order of issue 14's aims.
PROFILED: tuple[tuple[str, str, str, str | None], ...] = (
    ("/api/v1/me", "/_reference/jwt", "GET", None),
    ("/api/v1/cases/{case_id}", "/_reference/jwt-row/{case_id}", "GET", None),
    (
        "/api/v1/templates/arrested-sms-en/preview",
        "/_reference/jwt-render",
        "POST",
        "{}",
    ),
    (
        "/api/v1/cases/{case_id}/messages",
        "/_reference/jwt-insert",
        "POST",
        '{"victim_id": "{victim_id}", "template_key": "arrested-sms-en"}',
    ),
)
TOP = 14


@dataclass(frozen=True)
class Profiled:
    """One endpoint's profile: per-request time (CPU or wall) and statements, and the raw stats."""

    label: str
    wall_ms: float
    statements: float
    stats: pstats.Stats


def area(filename: str, function: str) -> str:
    """Where a function lives: a package, a fieldapp module, the test client, or a C function."""
    if filename == "~":
        return f"C: {re.sub(r' of .*|>$|<', '', function)}"
    if "/werkzeug/test.py" in filename:
        return "(test client)"
    package = re.search(r"/site-packages/([A-Za-z0-9_]+)", filename)
    if package:
        return package.group(1)
    stdlib = re.search(r"/lib/python3\.\d+/([A-Za-z0-9_]+)", filename)
    if stdlib:
        return f"stdlib {stdlib.group(1)}"
    fieldapp = re.search(r"/(fieldapp/.*?)(?:/__init__)?\.py$", filename)
    if fieldapp:
        parts = fieldapp.group(1).split("/")
        return ".".join(parts[:3])
    return filename.rsplit("/", 1)[-1]


def self_time_by_area(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Total self time per area, largest first."""
    totals: dict[str, float] = defaultdict(float)
    raw: Mapping[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, self_time, _cum, _callers) in raw.items():
        totals[area(filename, function)] += self_time
    return sorted(totals.items(), key=lambda item: -item[1])


def fieldapp_cumulative(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """fieldapp's functions by cumulative time: (name, seconds, calls)."""
    raw: Mapping[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_cc, calls, _self, cumulative, _callers) in raw.items():
        found = re.search(r"/(fieldapp/.*)\.py$", filename)
        if found:
            rows.append((f"{found.group(1)}:{line} {function}", cumulative, calls))
    return sorted(rows, key=lambda row: -row[1])


@contextmanager
def counting_statements() -> Iterator[list[int]]:
    """Count the SQL statements every engine sends while the block runs (pings not included)."""
    from sqlalchemy import Engine, event

    count = [0]

    def count_one(*_args: Any) -> None:
        count[0] += 1

    event.listen(Engine, "before_cursor_execute", count_one)
    try:
        yield count
    finally:
        event.remove(Engine, "before_cursor_execute", count_one)


class InProcess:
    """fieldapp and the reference app in this process, driven through a test client."""

    def __init__(self, env: Mapping[str, str], password: str) -> None:
        """Build the apps from ``env`` (fieldapp's instance and database) and sign in."""
        os.environ.update(env)
        from werkzeug.test import Client

        from benchmarks import reference

        self.client = Client(reference.app)
        login = {"username": USERNAME, "password": password, "device_name": "profile"}
        token = self.call("POST", "/api/v1/auth/login", json.dumps(login))["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: str | None = None) -> Any:
        """One request; its JSON answer, or an error naming the status."""
        headers = getattr(self, "headers", {})
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        response = self.client.open(path, method=method, **kwargs)
        if not 200 <= response.status_code < 300:
            raise SystemExit(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json

    def create_data(self) -> dict[str, str]:
        """The case, victim and event of ``make bench``, through the API."""
        from benchmarks.run import BENCH_CASE, BENCH_VICTIM

        case_id = self.call("POST", "/api/v1/cases", json.dumps(BENCH_CASE))["id"]
        victim = self.call("POST", f"/api/v1/cases/{case_id}/victims", json.dumps(BENCH_VICTIM))
        occurred = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        event = {"type": "arrested", "occurred_at": occurred}
        self.call("POST", f"/api/v1/cases/{case_id}/events", json.dumps(event))
        return {"case_id": case_id, "victim_id": victim["id"]}

    def profile(
        self, method: str, path: str, body: str | None, warmup: int, requests: int, clock: str
    ) -> Profiled:
        """Warm up, then profile ``requests`` requests one after another on ``clock``."""
        for _ in range(warmup):
            self.call(method, path, body)
        timer = time.process_time if clock == "cpu" else time.perf_counter
        profiler = cProfile.Profile(timer)
        with counting_statements() as statements:
            started = timer()
            profiler.enable()
            for _ in range(requests):
                self.call(method, path, body)
            profiler.disable()
            elapsed = timer() - started
        label = path if method == "GET" else f"{method} {path}"
        return Profiled(
            label, elapsed / requests * 1000, statements[0] / requests, pstats.Stats(profiler)
        )


def fill(template: str, values: Mapping[str, str]) -> str:
    """A path or body with its ``{name}`` placeholders filled in."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def describe(profiled: Profiled, requests: int, clock: str) -> str:
    """The printed profile of one endpoint: per request, in milliseconds."""
    per = 1000 / requests
    lines = [
        f"## {profiled.label}: {profiled.wall_ms:.2f} ms ({clock}) per request in-process "
        "(profiled), "
        f"{profiled.statements:.1f} SQL statements per request",
        "self time by area (ms per request):",
    ]
    lines += [f"  {seconds * per:7.3f}  {name}" for name, seconds in self_time_by_area(
        profiled.stats)[:TOP]]  # fmt: skip
    lines.append("fieldapp functions by cumulative time (ms per request, calls per request):")
    lines += [
        f"  {seconds * per:7.3f}  {calls / requests:5.1f}  {name}"
        for name, seconds, calls in fieldapp_cumulative(profiled.stats)[:TOP]
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the database, profile each endpoint and its reference, print the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: this process's CPU time (database waits vanish); wall: elapsed time",
    )
    args = parser.parse_args(argv)
    settings = Settings(
        db="postgres", duration=1, connections=1, threads=1, workers=1, rounds=1, port=0,
        warmup=0, keep_tmp=False,
        postgres_url=os.environ.get("FIELDAPP_BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL,
    )  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="fieldapp-profile-"))
    try:
        env, password = prepare_instance(settings, workdir)
        # The audit sealer is not running here: records stay unsealed, which costs nothing.
        runner = InProcess(env, password)
        values = runner.create_data()
        for endpoint, reference, method, body in PROFILED:
            for path in (reference, endpoint):
                filled_body = None if body is None else fill(body, values)
                profiled = runner.profile(
                    method, fill(path, values), filled_body, args.warmup, args.requests, args.clock
                )
                print(describe(profiled, args.requests, args.clock), flush=True)
                print(flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
