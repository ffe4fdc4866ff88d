"""The report: CPU per request summarised as medians and shown in the table."""

from __future__ import annotations

from benchmarks.report import format_table, summarise
from benchmarks.wrk import WrkResult


def result(rate: float, app: float | None, db: float | None) -> WrkResult:
    """A wrk run's result with its CPU per request."""
    return WrkResult(rate, 1.0, 2.0, 100, 0, {}, app_cpu_ms=app, db_cpu_ms=db)


def test_cpu_per_request_is_the_median_over_rounds_and_printed() -> None:
    rounds = {
        "/ref": [result(100, 1.0, None)],
        "/api": [result(50, 3.0, 1.0), result(40, 5.0, 2.0), result(45, 4.0, 9.0)],
    }
    rounds["/ref"] *= 3

    summaries = summarise(rounds, [("/api", "/ref")])

    api = next(s for s in summaries if s.endpoint == "/api")
    assert (api.app_cpu_ms, api.db_cpu_ms, api.ratio) == (4.0, 2.0, 0.45)
    table = format_table(summaries)
    assert "   4.00     2.00  (vs /ref)" in table
    assert "   1.00        -" in table
