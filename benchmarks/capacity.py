"""The capacity model of docs/capacity.md, computed from a ``make bench`` report.

``python -m benchmarks.capacity benchmarks/results/<run>-postgres-2w.json [--database-url URL]``
reads the CPU milliseconds per request each endpoint cost in that run (benchmarks/cpu.py), times
an Argon2 sign-in here, and prints: the officer journey (requests per officer per shift, each
costed as a measured endpoint), the peak requests per second for one large force and for the 43
forces of England and Wales, the app and database cores that follow, and (with
``--database-url``, the bench database after a run) the bytes per row of the tables that grow
and the database size per year. Every assumption is a constant below; docs/capacity.md explains
them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The forces: (name, officers).
FORCES = (("Metropolitan Police", 33_000), ("43 forces of England and Wales", 147_000))
SHIFT_HOURS = 10
#: Shifts an officer works a year (about 4 a week over 47 working weeks).
SHIFTS_PER_YEAR = 190
#: The busiest hour over the day's average: shift changeovers overlap (x1.5) and activity
#: gathers at the start and end of shifts (x2).
PEAK_FACTOR = 3.0
#: Second-by-second bursts over the busiest hour's average.
BURST_FACTOR = 1.5
#: Plan cores to run at most this busy at the planned peak.
TARGET_UTILISATION = 0.6
#: Where the measured figures of the run are missing (an endpoint not benchmarked).
ME = "/api/v1/me"
CASE = "/api/v1/cases/{case_id}"
PREVIEW = "/api/v1/templates/arrested-sms-en/preview"
MESSAGE = "/api/v1/cases/{case_id}/messages"
EVENT = "/api/v1/cases/{event_case_id}/events"
DUTIES = "/api/v1/duties"
LOGIN = "login"


@dataclass(frozen=True)
class Call:
    """An API call of the officer's app: how often per shift and which measurement costs it."""

    what: str
    per_shift: int
    costed_as: str
    #: Audit records the call appends (each sealed: one audit_seals row each).
    audit_records: float = 1.0


#: The officer's app over one shift (docs/capacity.md, "The officer journey").
JOURNEY = (
    Call("POST /auth/login (Argon2id)", 1, LOGIN),
    Call("POST /auth/refresh (every 15 min of use)", 30, EVENT),
    Call("GET /me (app opened or resumed)", 20, ME, 0.0),
    Call("GET /cases (a page of my cases)", 20, DUTIES),
    Call("GET /cases/{id}", 25, CASE),
    Call("GET /cases/{id}/events, victims, messages", 25, CASE),
    Call("GET /duties (my worklist)", 20, DUTIES),
    Call("POST /cases/{id}/events", 6, EVENT, 2.0),
    Call("POST /templates/{key}/preview", 4, PREVIEW, 0.0),
    Call("POST /cases/{id}/messages", 4, MESSAGE),
    Call("POST /messages/{id}/send", 4, EVENT),
    Call("PATCH /duties/{id}, POST /cases/{id}/contacts", 2, EVENT),
)
#: Rows other than audit records that a shift adds: (table, rows per officer per shift).
WRITES = (("messages", 4), ("investigation_events", 6), ("contact_duties", 6))
GROWING_TABLES = ("audit_records", "audit_seals", "messages", "investigation_events",
                  "contact_duties")  # fmt: skip


def login_cpu_ms(samples: int = 5) -> float:
    """CPU milliseconds of one Argon2id verification with fieldapp's default parameters."""
    from fieldapp.services.passwords import Passwords

    passwords = Passwords()
    stored = passwords.hash("a benchmark password")
    started = time.process_time()
    for _ in range(samples):
        passwords.verify(stored, "a benchmark password")
    return (time.process_time() - started) * 1000 / samples


def costs(report: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """(app, database) CPU milliseconds per request of each endpoint measured in the run."""
    return {
        row["endpoint"]: (row["app_cpu_ms"] or 0.0, row["db_cpu_ms"] or 0.0)
        for row in report["results"]
    }


def journey_table(measured: Mapping[str, tuple[float, float]]) -> tuple[str, int, float, float]:
    """The journey's table and its totals: requests, app and database CPU ms per shift."""
    lines = ["| call | per shift | costed as | app ms | db ms |", "|---|---:|---|---:|---:|"]
    requests, app_total, db_total = 0, 0.0, 0.0
    for call in JOURNEY:
        app, database = measured[call.costed_as]
        requests += call.per_shift
        app_total += call.per_shift * app
        db_total += call.per_shift * database
        lines.append(
            f"| {call.what} | {call.per_shift} | `{call.costed_as}` | {app:.2f} | {database:.2f} |"
        )
    lines.append(f"| **per officer per shift** | **{requests}** | | **{app_total:.0f}** | "
                 f"**{db_total:.0f}** |")  # fmt: skip
    return "\n".join(lines), requests, app_total, db_total


def force_table(requests: int, app_ms: float, db_ms: float) -> str:
    """Average and peak requests per second and the cores they need, per force."""
    lines = [
        "| | officers | on duty (avg) | req/s avg | req/s peak hour | planned (bursts) | "
        "app cores | db cores |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    on_duty_share = SHIFTS_PER_YEAR * SHIFT_HOURS / (365 * 24)
    for name, officers in FORCES:
        on_duty = officers * on_duty_share
        average = on_duty * requests / (SHIFT_HOURS * 3600)
        peak = average * PEAK_FACTOR
        planned = peak * BURST_FACTOR
        app_cores = planned * app_ms / requests / 1000 / TARGET_UTILISATION
        db_cores = planned * db_ms / requests / 1000 / TARGET_UTILISATION
        lines.append(
            f"| {name} | {officers:,} | {on_duty:,.0f} | {average:,.0f} | {peak:,.0f} | "
            f"{planned:,.0f} | {app_cores:.1f} | {db_cores:.1f} |"
        )
    return "\n".join(lines)


def row_sizes(url: str) -> dict[str, tuple[int, float]]:
    """Rows and total bytes per row (table, TOAST and indexes) of the growing tables."""
    import psycopg

    from benchmarks.instance import postgres_conninfo

    sizes = {}
    with psycopg.connect(postgres_conninfo(url)) as connection:
        for table in GROWING_TABLES:
            rows, total = connection.execute(
                f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}"  # noqa: S608
            ).fetchone() or (0, 0)
            sizes[table] = (int(rows), total / max(int(rows), 1))
    return sizes


def storage_table(sizes: Mapping[str, tuple[int, float]]) -> str:
    """Rows and gigabytes per year per force, from the journey's writes and measured row sizes."""
    audit = sum(call.per_shift * call.audit_records for call in JOURNEY)
    per_shift = dict(WRITES) | {"audit_records": audit, "audit_seals": audit}
    lines = ["| table | rows in bench DB | bytes/row (with indexes) | rows/officer/shift | "
             + " | ".join(f"{name}: rows/yr, GB/yr" for name, _ in FORCES) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(FORCES)]  # fmt: skip
    totals = [0.0] * len(FORCES)
    for table in GROWING_TABLES:
        rows, size = sizes[table]
        cells = []
        for number, (_name, officers) in enumerate(FORCES):
            yearly = per_shift[table] * officers * SHIFTS_PER_YEAR
            totals[number] += yearly * size / 1e9
            cells.append(f"{yearly / 1e6:,.0f} M, {yearly * size / 1e9:,.0f}")
        lines.append(f"| {table} | {rows:,} | {size:,.0f} | {per_shift[table]:g} | "
                     + " | ".join(cells) + " |")  # fmt: skip
    lines.append("| **total** | | | | " + " | ".join(f"**{t:,.0f} GB**" for t in totals) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the capacity model's tables for one benchmark report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capacity")
    parser.add_argument("report", type=Path, help="a make bench JSON report (PostgreSQL)")
    parser.add_argument("--database-url", help="the bench database after that run, for row sizes")
    args = parser.parse_args(argv)
    measured = costs(json.loads(args.report.read_text()))
    measured[LOGIN] = (login_cpu_ms() + measured[EVENT][0], measured[EVENT][1])
    table, requests, app_ms, db_ms = journey_table(measured)
    print(table, "\n")
    print(force_table(requests, app_ms, db_ms))
    if args.database_url:
        print()
        print(storage_table(row_sizes(args.database_url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
