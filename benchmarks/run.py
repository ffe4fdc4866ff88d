"""Benchmark fieldapp under gunicorn with wrk, against reference endpoints in the same workers.

``make bench`` runs ``python -m benchmarks.run`` from the repository root. Settings come from
the environment (``BENCH_DB``, ``BENCH_DURATION``, ``BENCH_CONNECTIONS``, ``BENCH_THREADS``,
``BENCH_WORKERS``, ``BENCH_ROUNDS``, ``BENCH_PORT``, ``FIELDAPP_BENCH_DATABASE_URL``) or the
matching command-line options (``--help``).

Each run migrates a fresh database, creates one officer, serves :mod:`benchmarks.reference` with
gunicorn sync workers on 127.0.0.1, signs in once, creates the case, victim and event the case
endpoints work on (through the API), and drives every endpoint of ``PAIRS`` (or of the pairs
``--only`` picks) with wrk: a warm-up each, then rounds interleaving the endpoints. It prints
medians and the ratio of each endpoint's throughput to its reference's, and writes the same as
JSON into ``benchmarks/results/``.

This module only orchestrates: :mod:`benchmarks.settings` reads the settings,
:mod:`benchmarks.instance` prepares the database, :mod:`benchmarks.server` runs gunicorn,
:mod:`benchmarks.client` signs in, :mod:`benchmarks.wrk` drives the load,
:mod:`benchmarks.machine` checks the CPU, and :mod:`benchmarks.report` sums up.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.client import Credentials, check_endpoint, create_case, create_victim, record_event
from benchmarks.cpu import CpuMeter, cpu_meter
from benchmarks.data import EVENT_CASES, create_team_data, create_team_members
from benchmarks.endpoint import Endpoint
from benchmarks.errors import BenchmarkError
from benchmarks.instance import prepare_instance
from benchmarks.machine import cpu_busy_share, warn_if_busy
from benchmarks.report import Measurements, Summary, build_report, format_table, write_report
from benchmarks.server import exit_cleanly_on_sigterm, log_problems, serve, warn_about_problems
from benchmarks.settings import HOST, REPO_ROOT, Settings, parse_settings
from benchmarks.statements import count_statements
from benchmarks.wrk import WrkResult, ensure_wrk, run_wrk, write_script

#: The message the officer writes to the benchmark victim, and the body the insert reference stores.
MESSAGE_BODY = '{"victim_id": "{victim_id}", "template_key": "arrested-sms-en"}'
#: The arrest recorded again and again, a minute before the run started (see benchmarks/data.py).
EVENT_BODY = '{"type": "arrested", "occurred_at": "{event_occurred_at}"}'
#: A browser's request for a console page: the supervisor's session and the reference's.
CONSOLE_HEADERS = (("Cookie", "{console_cookie}"), ("Accept", "text/html"))

#: (endpoint, reference): each endpoint's req/s is reported as a ratio to its reference's, both
#: measured in the same run and the same gunicorn workers. Later work adds pairs here. Paths and
#: bodies are templates: ``{case_id}`` and ``{victim_id}`` are filled in with what
#: :func:`create_data` makes after sign-in. Results are keyed by path, so each path appears with
#: one method and body only.
PAIRS: tuple[tuple[Endpoint, Endpoint], ...] = (
    (Endpoint("/_reference/jwt"), Endpoint("/_reference/bare")),
    (Endpoint("/api/v1/me"), Endpoint("/_reference/jwt")),
    # Reads one case in the caller's team and writes its audit record in the same transaction.
    (Endpoint("/api/v1/cases/{case_id}"), Endpoint("/_reference/jwt-row/{case_id}")),
    # Renders the published version of a built-in template with the sample data, and lints it.
    (
        Endpoint("/api/v1/templates/arrested-sms-en/preview", "POST", "{}"),
        Endpoint("/_reference/jwt-render", "POST", "{}"),
    ),
    # Writes a victim update: renders the published template with the case's data, lints it,
    # and inserts the message and its audit record; every request adds a message (201).
    (
        Endpoint("/api/v1/cases/{case_id}/messages", "POST", MESSAGE_BODY),
        Endpoint("/_reference/jwt-insert", "POST", MESSAGE_BODY),
    ),
    # Records an arrest on a case in the colleague's charge (in turn over EVENT_CASES cases):
    # the event, a duty for the victim and their audit records (201).
    (
        Endpoint("/api/v1/cases/{event_case_id}/events", "POST", EVENT_BODY, spread=EVENT_CASES),
        Endpoint("/_reference/jwt-insert", "POST", MESSAGE_BODY),
    ),
    # The officer's worklist: their duties, earliest deadline first, a page of 50 (audited).
    (Endpoint("/api/v1/duties"), Endpoint("/_reference/jwt-page")),
    # A supervisor's console page about a case (cookie session), against a minimal Flask page.
    (
        Endpoint("/console/cases/{worklist_case_id}", headers=CONSOLE_HEADERS),
        Endpoint("/_reference/page/{worklist_case_id}", headers=CONSOLE_HEADERS),
    ),
)
#: The case the benchmark officer opens through the API for the ``{case_id}`` endpoints.
BENCH_CASE = {"crime_reference": "BENCH/0001/26", "offence": "Burglary"}
#: The victim on that case who gets the messages: SMS only, so ``arrested-sms-en`` fits them.
BENCH_VICTIM = {
    "first_name": "Priya",
    "last_name": "Shah",
    "phone": "07700 900123",
    "preferred_channel": "sms",
    "safe_channels": ["sms"],
}
#: The event the message tells the victim about (its ``occurred_at`` is set when it is recorded).
BENCH_EVENT_TYPE = "arrested"


@dataclass(frozen=True)
class Target:
    """One endpoint made concrete: its URL and the wrk script sending its method and body."""

    #: The endpoint as in ``PAIRS``, its path and body still templates (how results name it).
    endpoint: Endpoint
    #: The same request with its path and body filled in: what is actually sent.
    request: Endpoint
    url: str
    script: Path | None


def select_pairs(
    pairs: Sequence[tuple[Endpoint, Endpoint]], only: Sequence[str]
) -> list[tuple[Endpoint, Endpoint]]:
    """The pairs with an endpoint or reference path containing one of ``only`` (all if empty)."""
    if not only:
        return list(pairs)
    chosen = [
        pair for pair in pairs if any(text in endpoint.path for text in only for endpoint in pair)
    ]
    if not chosen:
        known = ", ".join(endpoint.path for endpoint, _ in pairs)
        raise BenchmarkError(f"--only {','.join(only)} matches no pair; the pairs: {known}")
    return chosen


def path_pairs(pairs: Sequence[tuple[Endpoint, Endpoint]]) -> list[tuple[str, str]]:
    """The pairs as (endpoint path, reference path): how results and reports name them."""
    return [(endpoint.path, reference.path) for endpoint, reference in pairs]


def endpoints_to_drive(pairs: Sequence[tuple[Endpoint, Endpoint]]) -> list[Endpoint]:
    """Every endpoint to drive, each once, references before the endpoints measured against them.

    Two different endpoints (say, methods) on one path would share its results, so that is refused.
    """
    endpoints: dict[str, Endpoint] = {}
    for pair in pairs:
        for endpoint in reversed(pair):
            known = endpoints.setdefault(endpoint.path, endpoint)
            if known != endpoint:
                raise BenchmarkError(f"two different endpoints on the path {endpoint.path!r}")
    return list(endpoints.values())


def create_data(
    base_url: str, credentials: Credentials, port: int, passwords: Mapping[str, str]
) -> dict[str, str]:
    """Create what the endpoints work on, through the API; the values for the templates.

    A case, a victim on it, and an event that the victim's messages are about, recorded a
    minute ago (UTC) so that no clock difference puts it in the future; then what
    :func:`benchmarks.data.create_team_data` makes for the event, duties and console pairs.
    """
    token = credentials.token_for(1)
    case_id = create_case(base_url, token, **BENCH_CASE)
    victim_id = create_victim(base_url, token, case_id, BENCH_VICTIM)
    occurred_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    event = {"type": BENCH_EVENT_TYPE, "occurred_at": occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    record_event(base_url, token, case_id, event)
    team = create_team_data(base_url, port, token, passwords)
    return {"case_id": case_id, "victim_id": victim_id, **team}


def warm_up(
    wrk: str,
    settings: Settings,
    targets: Mapping[str, Target],
    credentials: Credentials,
) -> None:
    """Check that every endpoint answers 2xx, then drive each for the warm-up seconds."""
    for target in targets.values():
        body = check_endpoint(target.url, credentials.token_for(1), target.request)
        print(f"{target.endpoint.label} answers {len(body):,} bytes", flush=True)
    for target in targets.values():
        print(f"warm-up {target.endpoint.label} ({settings.warmup}s)", flush=True)
        token = credentials.token_for(settings.warmup)
        run_wrk(wrk, settings, target.url, token, settings.warmup, target.script)


def measured_run(
    wrk: str, settings: Settings, target: Target, token: str, meter: CpuMeter
) -> WrkResult:
    """One wrk run on a target, with the CPU per request it cost the app and the database."""
    before = meter.sample()
    result = run_wrk(wrk, settings, target.url, token, settings.duration, target.script)
    app, database = meter.per_request(before, meter.sample(), result.requests)
    return replace(result, app_cpu_ms=app, db_cpu_ms=database)


def measure(
    wrk: str,
    settings: Settings,
    targets: Mapping[str, Target],
    credentials: Credentials,
    meter: CpuMeter,
) -> tuple[dict[str, list[WrkResult]], list[dict[str, Any]]]:
    """Warm up each endpoint, then run the rounds, rotating the endpoint order each round.

    ``targets`` maps each path template of :func:`endpoints_to_drive` to what to drive; results
    are keyed by the templates, so that runs compare whatever ids they created.
    """
    paths = list(targets)
    warm_up(wrk, settings, targets, credentials)
    results: dict[str, list[WrkResult]] = {path: [] for path in paths}
    log: list[dict[str, Any]] = []
    for number in range(settings.rounds):
        shift = number % len(paths)
        for path in paths[shift:] + paths[:shift]:
            target = targets[path]
            token = credentials.token_for(settings.duration)
            result = measured_run(wrk, settings, target, token, meter)
            results[path].append(result)
            log.append({"round": number + 1, "endpoint": path, **asdict(result)})
            print(
                f"round {number + 1}/{settings.rounds} {target.endpoint.label}: "
                f"{result.requests_per_second:.1f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, CPU/request app {result.app_cpu_ms} ms, "
                f"database {result.db_cpu_ms} ms",
                flush=True,
            )
    return results, log


def prepare_targets(
    endpoints: Sequence[Endpoint], base_url: str, values: Mapping[str, str], workdir: Path
) -> dict[str, Target]:
    """Each endpoint filled in with ``values``: its URL, and its wrk script when it needs one.

    Scripts are written into ``workdir``.
    """
    targets: dict[str, Target] = {}
    for number, endpoint in enumerate(endpoints, start=1):
        requests = endpoint.filled_all(values)
        request = requests[0]
        script = write_script(requests, workdir / "wrk", f"endpoint-{number}")
        targets[endpoint.path] = Target(endpoint, request, base_url + request.path, script)
    return targets


def announce(settings: Settings, pairs: Sequence[tuple[Endpoint, Endpoint]]) -> None:
    """Say what is about to run and roughly how long it takes."""
    endpoints = len(endpoints_to_drive(pairs))
    expected = endpoints * (settings.warmup + settings.rounds * settings.duration)
    print(
        f"benchmarking on {settings.db} with {settings.workers} gunicorn sync workers, "
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}s, "
        f"{settings.rounds} round(s): about {expected}s",
        flush=True,
    )


def benchmark_in(
    workdir: Path,
    log_path: Path,
    wrk: str,
    settings: Settings,
    pairs: Sequence[tuple[Endpoint, Endpoint]],
) -> Measurements:
    """Prepare fieldapp in ``workdir``, serve it, measure ``pairs``, and stop gunicorn."""
    env, password = prepare_instance(settings, workdir)
    passwords = create_team_members(env)
    announce(settings, pairs)
    busy_before = cpu_busy_share()
    warn_if_busy(busy_before, "just before")
    database = settings.postgres_url if settings.db == "postgres" else None
    with serve(settings, env, log_path) as gunicorn, cpu_meter(gunicorn.pid, database) as meter:
        base_url = f"http://{HOST}:{settings.port}"
        credentials = Credentials(base_url, password)
        values = create_data(base_url, credentials, settings.port, passwords)
        targets = prepare_targets(endpoints_to_drive(pairs), base_url, values, workdir)
        requests = {path: target.request for path, target in targets.items()}
        counted = count_statements(env, requests, credentials.token_for(60))
        results, rounds = measure(wrk, settings, targets, credentials, meter)
    busy_after = cpu_busy_share()
    warn_if_busy(busy_after, "just after")
    problems = log_problems(log_path)
    statements = {path: count.label for path, count in counted.items()}
    # The session cookie is a credential: the report keeps the ids only.
    kept = {name: value for name, value in values.items() if name != "console_cookie"}
    return Measurements(results, rounds, busy_before, busy_after, problems, kept, statements)


def run(settings: Settings) -> dict[str, Any]:
    """Set everything up, measure, stop gunicorn, and return the report."""
    pairs = select_pairs(PAIRS, settings.only)
    wrk = ensure_wrk()
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="fieldapp-bench-"))
    log_path = workdir / "gunicorn.log"
    finished = False
    try:
        measured = benchmark_in(workdir, log_path, wrk, settings, pairs)
        finished = True
    finally:
        if finished and not settings.keep_tmp:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir} (gunicorn log: {log_path})", file=sys.stderr)
    warn_about_problems(measured.problems)
    report = build_report(started, settings, wrk, path_pairs(pairs), measured)
    # The method and body template of each path, which the results name by path alone.
    report["requests"] = {e.path: asdict(e) for e in endpoints_to_drive(pairs)}
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table and save the JSON report."""
    settings = parse_settings(argv, os.environ)
    exit_cleanly_on_sigterm()
    try:
        report = run(settings)
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchmark interrupted", file=sys.stderr)
        return 130
    summaries = [Summary(**row) for row in report["results"]]
    print()
    print(format_table(summaries))
    print(f"\nsaved {write_report(report).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
