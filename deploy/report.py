"""The cluster run's arithmetic: samples into rows per phase, the exactly-once tally, the table.

Pure functions over plain data, so that what the report claims is tested without a cluster.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The status recorded when no HTTP answer came (connection refused or reset, or a timeout).
NO_ANSWER = 0


@dataclass(frozen=True)
class Sample:
    """One request as the client saw it: when, what, the answer and which instance gave it."""

    started: float
    ended: float
    endpoint: str
    status: int
    server: str = ""
    #: Why no answer came (the exception's class), when none did.
    detail: str = ""

    @property
    def failed(self) -> bool:
        """No answer, or a 5xx."""
        return self.status == NO_ANSWER or self.status >= 500


@dataclass(frozen=True)
class Phase:
    """A named stretch of the run (seconds on the run's monotonic clock)."""

    label: str
    start: float
    end: float


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def status_counts(samples: Iterable[Sample]) -> dict[str, int]:
    """Answers other than 2xx by status (``no answer`` for 0), most frequent first."""
    counts = Counter(
        "no answer" if s.status == NO_ANSWER else str(s.status)
        for s in samples
        if not 200 <= s.status < 300
    )
    return dict(counts.most_common())


def _origin(sample: Sample) -> str:
    """Who answered: the instance, the balancer itself (no X-Served-By), or why nobody did."""
    if sample.status == NO_ANSWER:
        return f"no answer ({sample.detail})" if sample.detail else "no answer"
    return f"{sample.status} from {sample.server or 'the balancer'}"


def endpoint_errors(samples: Iterable[Sample]) -> dict[str, int]:
    """Answers other than 2xx by endpoint, status and who gave them (or why none came)."""
    counts = Counter(f"{s.endpoint} {_origin(s)}" for s in samples if not 200 <= s.status < 300)
    return dict(counts.most_common())


def summarise(samples: Sequence[Sample], phase: Phase) -> dict[str, Any]:
    """One row: requests started in the phase, their errors, p50/p99 in ms, requests per second."""
    inside = [s for s in samples if phase.start <= s.started < phase.end]
    latencies = [(s.ended - s.started) * 1000 for s in inside]
    seconds = max(phase.end - phase.start, 1e-9)
    return {
        "phase": phase.label,
        "seconds": round(phase.end - phase.start, 1),
        "requests": len(inside),
        "per_second": round(len(inside) / seconds, 1),
        "errors": status_counts(inside),
        "errors_by_endpoint": endpoint_errors(inside),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
    }


def failed_on(samples: Iterable[Sample], server: str, start: float, end: float) -> int:
    """Failures attributed to ``server`` among requests started in [start, end)."""
    return sum(1 for s in samples if s.failed and s.server == server and start <= s.started < end)


def exactly_once(sent_ids: Iterable[str], accepted: Mapping[str, int]) -> dict[str, int]:
    """Messages the database says were sent against the provider's accepted count per reference.

    ``once`` is the number sent exactly once; ``duplicated`` counts references accepted more
    than once; ``missing``, sent in the database but never accepted; ``unknown``, accepted
    but not sent in the database (a send the database lost).
    """
    sent = set(sent_ids)
    return {
        "sent_in_database": len(sent),
        "accepted_by_provider": sum(accepted.values()),
        "once": sum(1 for ref in sent if accepted.get(ref, 0) == 1),
        "duplicated": sum(1 for count in accepted.values() if count > 1),
        "missing": sum(1 for ref in sent if accepted.get(ref, 0) == 0),
        "unknown": sum(1 for ref in accepted if ref not in sent),
    }


def rows_against_answers(
    in_database: int, samples: Iterable[Sample], endpoint: str, *, set_up: int = 0
) -> dict[str, int]:
    """Rows of a write in the database against the 201s the clients saw for ``endpoint``.

    ``set_up`` rows were written by the run before the load (not journalled); ``extra`` is
    rows no client saw a 201 for (a write that was answered with no answer, or run twice).
    """
    answered = sum(1 for s in samples if s.endpoint == endpoint and s.status == 201)
    return {
        "in_database": in_database,
        "answered_201": answered,
        "set_up": set_up,
        "extra": in_database - set_up - answered,
    }


def _errors_text(errors: Mapping[str, int]) -> str:
    """``503x12 no answerx2`` or ``-``."""
    return " ".join(f"{status}x{count}" for status, count in errors.items()) or "-"


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The phase rows as a plain-text table."""
    header = ("phase", "s", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors")
    lines = [
        (
            str(row["phase"]),
            f"{row['seconds']:g}",
            str(row["requests"]),
            f"{row['per_second']:g}",
            f"{row['p50_ms']:g}",
            f"{row['p99_ms']:g}",
            f"{row['max_ms']:g}",
            _errors_text(row["errors"]),
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in [header, *lines]
    )


def write_report(path: Path, report: Mapping[str, Any]) -> None:
    """Write the report as indented JSON, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
