"""The machine the benchmark runs on: how busy its CPU is, and the facts kept with the figures.

The CPU is sampled while nothing of the benchmark runs: anything well above zero means another
process competes for the cores, and the figures will be low and noisy.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.settings import REPO_ROOT

#: Warn when the machine is busier than this with nothing of the benchmark running.
BUSY_WARNING = 0.15


def _cpu_jiffies() -> tuple[int, int]:
    """Idle and total jiffies since boot, from the first line of /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return values[3] + values[4], sum(values)


def cpu_busy_share(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU time spent busy over a short sample (Linux only)."""
    try:
        idle_before, total_before = _cpu_jiffies()
        time.sleep(seconds)
        idle_after, total_after = _cpu_jiffies()
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


def _first_line(command: Sequence[str]) -> str:
    """The first line a command prints, or an empty string."""
    try:
        done = subprocess.run(
            list(command), cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else ""


def describe_environment(wrk: str) -> dict[str, Any]:
    """Versions and machine facts to keep next to the figures."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "wrk": _first_line([wrk, "--version"]),
        "git_commit": _first_line(["git", "rev-parse", "HEAD"]),
        "git_dirty": bool(_first_line(["git", "status", "--porcelain"])),
    }
