"""Benchmark fieldapp under gunicorn with wrk, against reference endpoints in the same workers.

``make bench`` runs ``python -m benchmarks.run`` from the repository root. Settings come from
the environment (``BENCH_DB``, ``BENCH_DURATION``, ``BENCH_CONNECTIONS``, ``BENCH_THREADS``,
``BENCH_WORKERS``, ``BENCH_ROUNDS``, ``BENCH_PORT``, ``FIELDAPP_BENCH_DATABASE_URL``) or the
matching command-line options (``--help``).

Each run migrates a fresh database, creates one officer, serves :mod:`benchmarks.reference` with
gunicorn sync workers on 127.0.0.1, signs in once, creates the case the case endpoints read
(through the API), and drives every endpoint of ``PAIRS`` with wrk: a warm-up each, then rounds
interleaving the endpoints. It prints medians and the ratio of
each endpoint's throughput to its reference's, and writes the same as JSON into
``benchmarks/results/``.

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
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.client import Credentials, check_endpoint, create_case
from benchmarks.errors import BenchmarkError
from benchmarks.instance import prepare_instance
from benchmarks.machine import cpu_busy_share, warn_if_busy
from benchmarks.report import Measurements, Summary, build_report, format_table, write_report
from benchmarks.server import exit_cleanly_on_sigterm, log_problems, serve, warn_about_problems
from benchmarks.settings import HOST, REPO_ROOT, Settings, parse_settings
from benchmarks.wrk import WrkResult, ensure_wrk, run_wrk

#: (endpoint, reference): each endpoint's req/s is reported as a ratio to its reference's, both
#: measured in the same run and the same gunicorn workers. Later work adds pairs here. Paths are
#: templates: ``{case_id}`` is filled in with the case :func:`create_data` makes after sign-in.
PAIRS: tuple[tuple[str, str], ...] = (
    ("/_reference/jwt", "/_reference/bare"),
    ("/api/v1/me", "/_reference/jwt"),
    # Reads one case in the caller's team and writes its audit record in the same transaction.
    ("/api/v1/cases/{case_id}", "/_reference/jwt-row/{case_id}"),
)
#: The case the benchmark officer opens through the API for the ``{case_id}`` endpoints.
BENCH_CASE = {"crime_reference": "BENCH/0001/26", "offence": "Burglary"}


def endpoint_paths(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Every path to drive, each once, references before the endpoints measured against them."""
    paths: list[str] = []
    for endpoint, reference in pairs:
        for path in (reference, endpoint):
            if path not in paths:
                paths.append(path)
    return paths


def create_data(base_url: str, credentials: Credentials) -> dict[str, str]:
    """Create what the endpoints read, through the API; the values for the path templates."""
    case_id = create_case(base_url, credentials.token_for(1), **BENCH_CASE)
    return {"case_id": case_id}


def fill(path: str, values: Mapping[str, str]) -> str:
    """A path template with its ``{placeholders}`` filled in."""
    try:
        return path.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise BenchmarkError(f"cannot fill in the path {path!r} from {dict(values)}") from exc


def warm_up(
    wrk: str,
    settings: Settings,
    urls: Mapping[str, str],
    credentials: Credentials,
) -> None:
    """Check that every endpoint answers 2xx, then drive each for the warm-up seconds."""
    for url in urls.values():
        check_endpoint(url, credentials.token_for(1))
    for path, url in urls.items():
        print(f"warm-up {path} ({settings.warmup}s)", flush=True)
        token = credentials.token_for(settings.warmup)
        run_wrk(wrk, settings, url, token, settings.warmup)


def measure(
    wrk: str, settings: Settings, urls: Mapping[str, str], credentials: Credentials
) -> tuple[dict[str, list[WrkResult]], list[dict[str, Any]]]:
    """Warm up each endpoint, then run the rounds, rotating the endpoint order each round.

    ``urls`` maps each path template of :func:`endpoint_paths` to its URL; results are keyed by
    the templates, so that runs compare whatever ids they created.
    """
    paths = list(urls)
    warm_up(wrk, settings, urls, credentials)
    results: dict[str, list[WrkResult]] = {path: [] for path in paths}
    log: list[dict[str, Any]] = []
    for number in range(settings.rounds):
        shift = number % len(paths)
        for path in paths[shift:] + paths[:shift]:
            token = credentials.token_for(settings.duration)
            result = run_wrk(wrk, settings, urls[path], token, settings.duration)
            results[path].append(result)
            log.append({"round": number + 1, "endpoint": path, **asdict(result)})
            print(
                f"round {number + 1}/{settings.rounds} {path}: "
                f"{result.requests_per_second:.1f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms",
                flush=True,
            )
    return results, log


def announce(settings: Settings) -> None:
    """Say what is about to run and roughly how long it takes."""
    endpoints = len(endpoint_paths(PAIRS))
    expected = endpoints * (settings.warmup + settings.rounds * settings.duration)
    print(
        f"benchmarking on {settings.db} with {settings.workers} gunicorn sync workers, "
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}s, "
        f"{settings.rounds} round(s): about {expected}s",
        flush=True,
    )


def benchmark_in(workdir: Path, log_path: Path, wrk: str, settings: Settings) -> Measurements:
    """Prepare fieldapp in ``workdir``, serve it, measure it, and stop gunicorn."""
    env, password = prepare_instance(settings, workdir)
    announce(settings)
    busy_before = cpu_busy_share()
    warn_if_busy(busy_before, "just before")
    with serve(settings, env, log_path):
        base_url = f"http://{HOST}:{settings.port}"
        credentials = Credentials(base_url, password)
        values = create_data(base_url, credentials)
        urls = {path: base_url + fill(path, values) for path in endpoint_paths(PAIRS)}
        results, rounds = measure(wrk, settings, urls, credentials)
    busy_after = cpu_busy_share()
    warn_if_busy(busy_after, "just after")
    problems = log_problems(log_path)
    return Measurements(results, rounds, busy_before, busy_after, problems, values)


def run(settings: Settings) -> dict[str, Any]:
    """Set everything up, measure, stop gunicorn, and return the report."""
    wrk = ensure_wrk()
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="fieldapp-bench-"))
    log_path = workdir / "gunicorn.log"
    finished = False
    try:
        measured = benchmark_in(workdir, log_path, wrk, settings)
        finished = True
    finally:
        if finished and not settings.keep_tmp:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir} (gunicorn log: {log_path})", file=sys.stderr)
    warn_about_problems(measured.problems)
    return build_report(started, settings, wrk, PAIRS, measured)


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
