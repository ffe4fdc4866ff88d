"""wrk, the load generator: finding or installing it, running it on one URL, reading its output.

A GET needs no script; any other method, or a body, is sent by a Lua script that
:func:`write_script` generates into the run's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.endpoint import Endpoint
from benchmarks.errors import BenchmarkError
from benchmarks.settings import COMMAND_TIMEOUT, WRK_TIMEOUT_SECONDS, Settings

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: dict[str, int]
    #: Milliseconds of CPU per request in gunicorn's processes and in the database's backends
    #: (None on SQLite), filled in by the runner (benchmarks/cpu.py).
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None


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


def lua_string(text: str) -> str:
    """``text`` as a Lua string literal: printable ASCII kept, every other byte as ``\\ddd``."""
    escaped = "".join(
        chr(byte) if 32 <= byte < 127 and chr(byte) not in '"\\' else f"\\{byte:03d}"
        for byte in text.encode("utf-8")
    )
    return f'"{escaped}"'


def write_script(requests: Sequence[Endpoint], directory: Path, name: str) -> Path | None:
    """A wrk Lua script sending these requests in turn, or None for one plain GET.

    They share the first one's method and headers; several paths (or bodies) are sent in
    turn by each wrk thread.
    """
    first = requests[0]
    if len(requests) == 1 and first.method == "GET" and first.body is None and not first.headers:
        return None
    lines = [f"wrk.method = {lua_string(first.method)}"]
    if first.body is not None:
        lines.append(f"wrk.body = {lua_string(first.body)}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in first.headers]
    if len(requests) > 1:
        rows = ", ".join(f"{{{lua_string(r.path)}, {lua_string(r.body or '')}}}" for r in requests)
        lines += [
            f"local requests = {{{rows}}}",
            "local n = 0",
            "request = function()",
            "  n = n % #requests + 1",
            "  local body = requests[n][2]",
            '  if body == "" then body = nil end',
            "  return wrk.format(nil, requests[n][1], nil, body)",
            "end",
        ]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_wrk(
    wrk: str,
    settings: Settings,
    url: str,
    token: str,
    seconds: int,
    script: Path | None = None,
) -> WrkResult:
    """Drive one URL with wrk (its Lua ``script`` if any); fail unless every request was 2xx."""
    command = [
        wrk,
        "-t", str(settings.threads),
        "-c", str(settings.connections),
        "-d", f"{seconds}s",
        "--latency",
        "--timeout", f"{WRK_TIMEOUT_SECONDS}s",
        "-H", f"Authorization: Bearer {token}",
        *(["-s", str(script)] if script is not None else []),
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
