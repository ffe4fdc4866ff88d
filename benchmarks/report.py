"""The results: medians over the rounds, ratios to references, the table and the JSON report.

The report is written to ``benchmarks/results/<timestamp>-<db>.json`` (git-ignored).
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.machine import describe_environment
from benchmarks.settings import REPO_ROOT, Settings
from benchmarks.wrk import WrkResult

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"


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
    #: SQL statements of one request, counted in-process (``benchmarks.statements``); None for
    #: a reference endpoint.
    statements: str | None = None
    #: Medians of the CPU milliseconds per request in the app and the database (benchmarks/cpu.py).
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None


@dataclass(frozen=True)
class Measurements:
    """Everything one run measured, before it is summarised."""

    results: dict[str, list[WrkResult]]
    rounds: list[dict[str, Any]]
    busy_before: float | None
    busy_after: float | None
    problems: list[str]
    #: The values filled into the path templates (e.g. ``case_id``).
    path_values: dict[str, str]
    #: Each fieldapp endpoint's statement count, e.g. ``4+1`` (``benchmarks.statements``).
    statements: dict[str, str] = field(default_factory=dict)


def median_or_none(values: Sequence[float | None]) -> float | None:
    """The median of the values measured, or None if there are none."""
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 3) if known else None


def summarise(
    rounds: Mapping[str, Sequence[WrkResult]],
    pairs: Sequence[tuple[str, str]],
    statements: Mapping[str, str] | None = None,
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
                statements=(statements or {}).get(path),
                app_cpu_ms=median_or_none([r.app_cpu_ms for r in results]),
                db_cpu_ms=median_or_none([r.db_cpu_ms for r in results]),
            )
        )
    return summaries


def format_table(summaries: Sequence[Summary]) -> str:
    """The results as a plain-text table."""
    width = max(len("endpoint"), *(len(s.endpoint) for s in summaries))
    lines = [
        f"{'endpoint':<{width}}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}  {'ratio':>6}  "
        f"{'SQL':>5}  {'app cpu':>7}  {'db cpu':>7}"
    ]
    for s in summaries:
        ratio = "-" if s.ratio is None else f"{s.ratio:.2f}"
        against = f"  (vs {s.reference})" if s.reference else ""
        cpu = "  ".join(
            "-".rjust(7) if v is None else f"{v:>7.2f}" for v in (s.app_cpu_ms, s.db_cpu_ms)
        )
        lines.append(
            f"{s.endpoint:<{width}}  {s.requests_per_second:>9.1f}  {s.p50_ms:>8.2f}  "
            f"{s.p99_ms:>8.2f}  {ratio:>6}  {s.statements or '-':>5}  {cpu}{against}"
        )
    lines.append("(app cpu, db cpu: milliseconds of CPU time per request, medians over the rounds)")
    return "\n".join(lines)


def describe_settings(settings: Settings) -> dict[str, Any]:
    """The settings to record: the PostgreSQL URL with its password masked, or none on SQLite."""
    described = asdict(settings)
    if settings.db == "postgres":
        described["postgres_url"] = re.sub(
            r"(://[^:/@]*):[^@/]*@", r"\1:***@", settings.postgres_url
        )
    else:
        del described["postgres_url"]
    return described


def build_report(
    started: datetime,
    settings: Settings,
    wrk: str,
    pairs: Sequence[tuple[str, str]],
    measured: Measurements,
) -> dict[str, Any]:
    """The JSON report of one run."""
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "db": settings.db,
        "settings": describe_settings(settings),
        "environment": describe_environment(wrk)
        | {"cpu_busy_before": measured.busy_before, "cpu_busy_after": measured.busy_after},
        "pairs": [list(pair) for pair in pairs],
        "path_values": measured.path_values,
        "results": [asdict(s) for s in summarise(measured.results, pairs, measured.statements)],
        "rounds": measured.rounds,
        "log_problems": measured.problems[:20],
    }


def write_report(report: Mapping[str, Any]) -> Path:
    """Save the report as ``benchmarks/results/<timestamp>-<db>.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["started_at"]).strftime("%Y%m%dT%H%M%SZ")
    workers = report["settings"]["workers"]
    path = RESULTS_DIR / f"{stamp}-{report['db']}-{workers}w.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path
