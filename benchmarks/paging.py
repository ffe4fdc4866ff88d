"""Deep keyset paging on PostgreSQL: ``GET /api/v1/cases`` from the first page to the last.

``python -m benchmarks.paging`` (from the repository root) wipes and migrates the benchmark
database as ``BENCH_DB=postgres python -m benchmarks.run`` does (``FIELDAPP_BENCH_DATABASE_URL``),
creates the officer, inserts 100,000 cases for the officer's team with one SQL statement, serves
fieldapp with gunicorn sync workers on 127.0.0.1 and then:

1. as one client (urllib), walks ``GET /api/v1/cases?limit=50`` by following ``nextLink`` to the
   last page (2,000 pages), checking that every case comes exactly once, within a time budget;
2. re-requests the URLs of page 1, 100, 1,000, 1,900 and the last page ``--repeats`` times each,
   interleaved, and reports each one's median latency and its ratio to the first page's (page
   1,900 because PostgreSQL may plan the last few pages differently from the ones before);
3. drives the first page and page 1,000 with wrk for ``--duration`` seconds each.

Every list request also writes one audit record per case it returns, as in production. Two cases
share each ``updated_at``, so the cursor's tie-break on ``id`` is exercised too. If the walk runs
out of its budget after page 1,000, the last page is measured with ``updated_since`` set to the
newest ``updated_at`` instead (a different query, which the output says).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.client import Credentials, http
from benchmarks.errors import BenchmarkError
from benchmarks.instance import USERNAME, postgres_conninfo, prepare_instance
from benchmarks.machine import cpu_busy_share, describe_environment, warn_if_busy
from benchmarks.report import RESULTS_DIR, describe_settings
from benchmarks.server import exit_cleanly_on_sigterm, log_problems, serve, warn_about_problems
from benchmarks.settings import (
    DEFAULT_POSTGRES_URL,
    HOST,
    REPO_ROOT,
    WARMUP_SECONDS,
    Settings,
    add_numeric_options,
    check_load,
    parse_positive,
    parse_seconds,
)
from benchmarks.wrk import WrkResult, ensure_wrk, run_wrk

PAGE_SIZE = 50
FIRST_PAGE = f"/api/v1/cases?limit={PAGE_SIZE}"
DEFAULT_CASES = 100_000
DEFAULT_REPEATS = 5
DEFAULT_WRK_SECONDS = 5
#: The walk stops after this long; the last page is then reached through ``updated_since``.
DEFAULT_WALK_BUDGET = 600
#: The pages measured on their own besides the first and the last. 1,900 is deep but not among
#: the last few pages, where PostgreSQL may switch to a plan that hides the cost of depth.
DEEP_PAGES = (100, 1000, 1900)
#: The page wrk drives besides the first.
WRK_DEEP_PAGE = 1000
#: Pages per band in the walk's latency profile.
BAND = 250

#: The cases, straight into the table: two share each ``updated_at``, one second apart per pair.
INSERT_CASES = """
INSERT INTO cases (id, crime_reference, offence, status, team_id, officer_in_charge_id,
                   created_at, updated_at, deleted_at, version)
SELECT gen_random_uuid(), 'PAGE/' || lpad(n::text, 6, '0') || '/26', 'Burglary', 'open',
       %(team_id)s, %(officer_id)s, stamp, stamp, NULL, 1
FROM generate_series(1, %(count)s) AS n,
     LATERAL (SELECT now() - ((%(count)s - n) / 2) * interval '1 second' AS stamp) AS t
"""


@dataclass(frozen=True)
class PagingSettings:
    """How to run the paging measurement."""

    bench: Settings
    cases: int
    repeats: int
    walk_budget: int


@dataclass
class Walk:
    """What following ``nextLink`` from the first page found."""

    latencies_ms: list[float] = field(default_factory=list)
    #: The URL of each page measured on its own, by label.
    urls: dict[str, str] = field(default_factory=dict)
    cases_seen: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    finished: bool = False


def parse_paging_settings(argv: Sequence[str] | None, env: Mapping[str, str]) -> PagingSettings:
    """The command line, with the runner's environment variables as defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.paging",
        description="Measure GET /api/v1/cases from the first page to the last of 100,000 "
        "cases on PostgreSQL (FIELDAPP_BENCH_DATABASE_URL, wiped).",
    )
    add_numeric_options(parser, env, ("--connections", "--threads", "--workers", "--port"))
    parser.add_argument(
        "--cases",
        type=parse_positive,
        default=DEFAULT_CASES,
        help=f"cases to insert, default {DEFAULT_CASES}",
    )
    parser.add_argument(
        "--repeats",
        type=parse_positive,
        default=DEFAULT_REPEATS,
        help=f"requests per measured page, default {DEFAULT_REPEATS}",
    )
    parser.add_argument(
        "--duration",
        type=parse_seconds,
        default=DEFAULT_WRK_SECONDS,
        help=f"seconds per wrk run, default {DEFAULT_WRK_SECONDS}",
    )
    parser.add_argument(
        "--warmup",
        type=parse_seconds,
        default=WARMUP_SECONDS,
        help=f"wrk warm-up seconds per URL, default {WARMUP_SECONDS}",
    )
    parser.add_argument(
        "--walk-budget",
        type=parse_seconds,
        default=DEFAULT_WALK_BUDGET,
        help=f"seconds the walk may take, default {DEFAULT_WALK_BUDGET}",
    )
    parser.add_argument(
        "--keep-tmp", action="store_true", help="keep the temporary folder (gunicorn log)"
    )
    args = parser.parse_args(argv)
    check_load(parser, args)
    if env.get("BENCH_DB", "postgres") != "postgres":
        print(f"paging measures PostgreSQL only: ignoring BENCH_DB={env['BENCH_DB']}", flush=True)
    bench = Settings(
        db="postgres",
        duration=args.duration,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        rounds=1,
        port=args.port,
        warmup=args.warmup,
        postgres_url=env.get("FIELDAPP_BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL,
        keep_tmp=args.keep_tmp,
    )
    return PagingSettings(bench, args.cases, args.repeats, args.walk_budget)


def insert_cases(url: str, count: int) -> None:
    """Insert ``count`` cases for the benchmark officer's team, then VACUUM ANALYZE the table."""
    import psycopg

    started = time.monotonic()
    try:
        with psycopg.connect(postgres_conninfo(url), autocommit=True) as connection:
            officer = connection.execute(
                "SELECT id, team_id FROM users WHERE username = %s", (USERNAME,)
            ).fetchone()
            if officer is None:
                raise BenchmarkError(f"the officer {USERNAME} is missing")
            with connection.transaction():
                connection.execute(
                    INSERT_CASES, {"officer_id": officer[0], "team_id": officer[1], "count": count}
                )
            connection.execute("VACUUM ANALYZE cases")
    except psycopg.Error as exc:
        raise BenchmarkError(f"could not insert the cases: {exc}") from exc
    print(f"inserted {count:,} cases in {time.monotonic() - started:.1f}s", flush=True)


def newest_update(url: str) -> str:
    """The newest ``updated_at`` of the cases, as ISO 8601."""
    import psycopg

    with psycopg.connect(postgres_conninfo(url)) as connection:
        row = connection.execute("SELECT max(updated_at) FROM cases").fetchone()
    if row is None or row[0] is None:
        raise BenchmarkError("no cases to page through")
    stamp: datetime = row[0]
    return stamp.astimezone(UTC).isoformat()


def timed_page(url: str, credentials: Credentials) -> tuple[float, dict[str, Any]]:
    """GET one page: the milliseconds it took (connection included) and its body."""
    token = credentials.token_for(5)
    started = time.perf_counter()
    status, body = http(url, token=token)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        raise BenchmarkError(f"GET {url} answered {status}: {body.decode(errors='replace')}")
    payload: dict[str, Any] = json.loads(body)
    return elapsed_ms, payload


def walk(base_url: str, credentials: Credentials, budget: int) -> Walk:
    """Follow ``nextLink`` from the first page to the last, or until the budget runs out."""
    found = Walk()
    seen: set[str] = set()
    url = base_url + FIRST_PAGE
    started = time.monotonic()
    page = 1
    while True:
        if page == 1 or page in DEEP_PAGES:
            found.urls[f"page {page}"] = url
        elapsed_ms, payload = timed_page(url, credentials)
        found.latencies_ms.append(elapsed_ms)
        ids = [str(item["id"]) for item in payload["value"]]
        found.duplicates += sum(1 for case_id in ids if case_id in seen)
        seen.update(ids)
        next_link = payload.get("nextLink")
        if not next_link:
            found.urls[f"page {page} (last)"] = url
            found.finished = True
            break
        if page % BAND == 0:
            print(
                f"  page {page}: {elapsed_ms:.1f} ms ({time.monotonic() - started:.0f}s so far)",
                flush=True,
            )
        if time.monotonic() - started > budget:
            print(f"  the walk ran out of its {budget}s budget at page {page}", flush=True)
            break
        url = str(next_link)
        page += 1
    found.cases_seen = len(seen)
    found.seconds = time.monotonic() - started
    return found


def band_profile(latencies_ms: Sequence[float]) -> list[dict[str, Any]]:
    """The walk's median latency per band of ``BAND`` pages."""
    bands = []
    for start in range(0, len(latencies_ms), BAND):
        chunk = latencies_ms[start : start + BAND]
        bands.append(
            {
                "pages": f"{start + 1}-{start + len(chunk)}",
                "median_ms": round(statistics.median(chunk), 2),
                "max_ms": round(max(chunk), 2),
            }
        )
    return bands


def repeat_pages(
    urls: Mapping[str, str], credentials: Credentials, repeats: int
) -> dict[str, list[float]]:
    """Request each page URL ``repeats`` times, interleaved; the latencies by label."""
    latencies: dict[str, list[float]] = {label: [] for label in urls}
    for _ in range(repeats):
        for label, url in urls.items():
            latencies[label].append(round(timed_page(url, credentials)[0], 3))
    return latencies


def wrk_pages(
    wrk: str, settings: Settings, urls: Mapping[str, str], credentials: Credentials
) -> dict[str, WrkResult]:
    """Warm up, then drive each page URL with wrk."""
    results = {}
    for label, url in urls.items():
        print(f"wrk {label}: {settings.warmup}s warm-up, {settings.duration}s", flush=True)
        run_wrk(wrk, settings, url, credentials.token_for(settings.warmup), settings.warmup)
        token = credentials.token_for(settings.duration)
        results[label] = run_wrk(wrk, settings, url, token, settings.duration)
    return results


def measure(
    wrk: str, paging: PagingSettings, env: Mapping[str, str], password: str, log_path: Path
) -> tuple[Walk, dict[str, list[float]], dict[str, WrkResult]]:
    """Serve fieldapp, walk, repeat the measured pages and drive two with wrk."""
    settings = paging.bench
    with serve(settings, env, log_path):
        base_url = f"http://{HOST}:{settings.port}"
        credentials = Credentials(base_url, password)
        print(f"walking {FIRST_PAGE} by nextLink (budget {paging.walk_budget}s)", flush=True)
        walked = walk(base_url, credentials, paging.walk_budget)
        urls = dict(walked.urls)
        if not walked.finished:
            since = urllib.parse.urlencode({"updated_since": newest_update(settings.postgres_url)})
            urls["last (updated_since, not walked)"] = f"{base_url}{FIRST_PAGE}&{since}"
        print(f"requesting {len(urls)} pages {paging.repeats} times each", flush=True)
        repeated = repeat_pages(urls, credentials, paging.repeats)
        deep = f"page {WRK_DEEP_PAGE}"
        wrk_urls = {label: urls[label] for label in ("page 1", deep) if label in urls}
        if deep not in urls:
            print(f"the walk did not reach {deep}: wrk drives the first page only", flush=True)
        driven = wrk_pages(wrk, settings, wrk_urls, credentials)
    return walked, repeated, driven


def summarise(
    walked: Walk, repeated: Mapping[str, list[float]], driven: Mapping[str, WrkResult]
) -> dict[str, Any]:
    """Medians and ratios to the first page."""
    first = statistics.median(repeated["page 1"])
    pages = {
        label: {
            "median_ms": round(statistics.median(values), 2),
            "min_ms": min(values),
            "max_ms": max(values),
            "ratio_to_first": round(statistics.median(values) / first, 2),
            "runs_ms": values,
        }
        for label, values in repeated.items()
    }
    base = driven.get("page 1")
    loads = {
        label: asdict(result)
        | {
            "ratio_to_first": None
            if base is None
            else round(result.requests_per_second / base.requests_per_second, 2)
        }
        for label, result in driven.items()
    }
    return {
        "walk": {
            "pages": len(walked.latencies_ms),
            "finished": walked.finished,
            "cases_seen": walked.cases_seen,
            "duplicates": walked.duplicates,
            "seconds": round(walked.seconds, 1),
            "bands": band_profile(walked.latencies_ms),
        },
        "pages": pages,
        "wrk": loads,
    }


def format_summary(summary: Mapping[str, Any], paging: PagingSettings) -> str:
    """The results as plain text."""
    walked = summary["walk"]
    missing = paging.cases - walked["cases_seen"]
    lines = [
        f"walk: {walked['pages']} pages of {PAGE_SIZE} in {walked['seconds']}s, "
        f"{'to the last page' if walked['finished'] else 'stopped early'}: "
        f"{walked['cases_seen']:,} of {paging.cases:,} cases, {walked['duplicates']} duplicate(s)"
        + (f", {max(missing, 0)} missing" if walked["finished"] else ""),
        "walk latency per band of pages (median / max ms):",
    ]
    lines += [
        f"  {b['pages']:>11}  {b['median_ms']:>8.2f} / {b['max_ms']:.2f}" for b in walked["bands"]
    ]
    width = max(len("page"), *(len(label) for label in summary["pages"]))
    lines += [
        "",
        f"one client, {paging.repeats} requests per page (ms):",
        f"{'page':<{width}}  {'median':>8}  {'min':>8}  {'max':>8}  {'vs first':>8}",
    ]
    for label, p in summary["pages"].items():
        lines.append(
            f"{label:<{width}}  {p['median_ms']:>8.2f}  {p['min_ms']:>8.2f}  {p['max_ms']:>8.2f}  "
            f"{p['ratio_to_first']:>8.2f}"
        )
    settings = paging.bench
    lines += [
        "",
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}s:",
        f"{'page':<{width}}  {'req/s':>8}  {'p50 ms':>8}  {'p99 ms':>8}  {'vs first':>8}",
    ]
    for label, r in summary["wrk"].items():
        ratio = "-" if r["ratio_to_first"] is None else f"{r['ratio_to_first']:.2f}"
        lines.append(
            f"{label:<{width}}  {r['requests_per_second']:>8.1f}  {r['p50_ms']:>8.2f}  "
            f"{r['p99_ms']:>8.2f}  {ratio:>8}"
        )
    return "\n".join(lines)


def run(paging: PagingSettings) -> dict[str, Any]:
    """Set everything up, measure, stop gunicorn, and return the report."""
    settings = paging.bench
    wrk = ensure_wrk()
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="fieldapp-paging-"))
    log_path = workdir / "gunicorn.log"
    finished = False
    try:
        env, password = prepare_instance(settings, workdir)
        insert_cases(settings.postgres_url, paging.cases)
        busy_before = cpu_busy_share()
        warn_if_busy(busy_before, "just before")
        walked, repeated, driven = measure(wrk, paging, env, password, log_path)
        busy_after = cpu_busy_share()
        warn_if_busy(busy_after, "just after")
        problems = log_problems(log_path)
        finished = True
    finally:
        if finished and not settings.keep_tmp:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir} (gunicorn log: {log_path})", file=sys.stderr)
    warn_about_problems(problems)
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "db": "postgres",
        "settings": describe_settings(settings)
        | {"cases": paging.cases, "repeats": paging.repeats, "walk_budget": paging.walk_budget},
        "environment": describe_environment(wrk)
        | {"cpu_busy_before": busy_before, "cpu_busy_after": busy_after},
        "results": summarise(walked, repeated, driven),
        "walk_latencies_ms": [round(ms, 2) for ms in walked.latencies_ms],
        "log_problems": problems[:20],
    }


def write_report(report: Mapping[str, Any]) -> Path:
    """Save the report as ``benchmarks/results/<timestamp>-paging-postgres.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["started_at"]).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}-paging-postgres.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the paging measurement, print the results and save the JSON report."""
    paging = parse_paging_settings(argv, os.environ)
    exit_cleanly_on_sigterm()
    try:
        report = run(paging)
    except BenchmarkError as exc:
        print(f"paging benchmark failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("paging benchmark interrupted", file=sys.stderr)
        return 130
    print()
    print(format_summary(report["results"], paging))
    print(f"\nsaved {write_report(report).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
