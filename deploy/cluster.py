"""``make cluster``: start the whole deployment on this machine, load it, break it, report.

Runs the mixed officer load through HAProxy for CLUSTER_SECONDS, SIGKILLs one app instance and
one delivery worker mid-run and starts them again, then runs the fault phases of CLUSTER_FAULTS,
drains the outbox and reports requests, errors by status, p50/p99 per phase, messages sent
exactly once, ``audit verify`` and replica lag: a table on stdout and JSON in deploy/results/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deploy import faults, holds, render
from deploy.client import Client
from deploy.journal import Tally
from deploy.load import OfficerLoad
from deploy.machines import BIN, Cluster
from deploy.postgres import query_rows, replication_state
from deploy.processes import ClusterError, exit_cleanly_on_sigterm
from deploy.report import (
    Phase,
    Sample,
    exactly_once,
    format_table,
    rows_against_answers,
    summarise,
    write_report,
)
from deploy.settings import HOST, REPO_ROOT, OptionError, Options, Ports, parse_options

RESULTS_DIR = REPO_ROOT / "deploy" / "results"
DRAIN_SECONDS = 180.0


class LagWatch:
    """Samples pg_stat_replication every two seconds; keeps the largest lag seen."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.max_bytes = 0
        self.max_seconds = 0.0
        self.samples = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        """Sample until stopped; a failed sample (primary down) is skipped."""
        while not self.stopping.wait(2.0):
            try:
                rows = replication_state(self.cluster.primary)
            except ClusterError:
                continue
            for row in rows:
                self.samples += 1
                self.max_bytes = max(self.max_bytes, int(row["lag_bytes"] or 0))
                self.max_seconds = max(self.max_seconds, float(row["replay_lag_seconds"] or 0))


def steady_with_kills(cluster: Cluster, load: OfficerLoad) -> dict[str, Any]:
    """CLUSTER_SECONDS of load: app1 SIGKILLed at a third, worker2 at a half, both restarted."""
    seconds = cluster.options.seconds
    start = time.monotonic()
    time.sleep(seconds / 3)
    app = faults.kill_app(cluster, load, 1, down_seconds=5)
    time.sleep(max(0.0, start + seconds / 2 - time.monotonic()))
    worker = faults.kill_worker(cluster, 2, down_seconds=5)
    time.sleep(max(0.0, start + seconds - time.monotonic()))
    end = time.monotonic()
    phases = [
        Phase("steady (before the kills)", start, app["killed_at"]),
        Phase("app1 SIGKILLed, restarted", app["killed_at"], app["window_end"]),
        Phase("steady (after the kills)", app["window_end"], max(end, app["window_end"])),
    ]
    return {"phases": phases, "app_kill": app, "worker_kill": worker}


def run_faults(cluster: Cluster, load: OfficerLoad, client: Client) -> list[dict[str, Any]]:
    """The fault phases of CLUSTER_FAULTS, in order."""
    done = []
    for fault in cluster.options.faults:
        print(f"fault: {fault}", flush=True)
        if fault == "lock":
            done.append(faults.row_lock(cluster))
        elif fault == "freeze":
            done.append(faults.frozen(cluster))
        elif fault == "stop":
            done.append(faults.stopped(cluster))
        elif fault == "idle-restart":
            done.append(faults.idle_restart(cluster, load, client))
        elif fault == "sigterm":
            done.append(faults.sigterm(cluster, load, 2))
        else:
            done.append(_hold(fault, cluster, load))
    return done


def _hold(fault: str, cluster: Cluster, load: OfficerLoad) -> dict[str, Any]:
    """One of the phases of what must keep holding (deploy/holds.py)."""
    if fault == "redis-kill":
        return holds.redis_kill(cluster)
    if fault == "notify-faults":
        return holds.notify_faults(cluster)
    if fault == "double-taps":
        return holds.double_taps(cluster, load)
    return holds.connections(cluster, load)


def drain_outbox(cluster: Cluster) -> int:
    """Wait until no message is queued (the workers sent them all); how many still are."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        queued = int(query_rows(cluster.primary, "SELECT count(*) FROM messages "
                                "WHERE status = 'queued'")[0][0])  # fmt: skip
        if queued == 0 or time.monotonic() > deadline:
            return queued
        time.sleep(1.0)


def sent_exactly_once(cluster: Cluster, tally: Tally, samples: list[Sample]) -> dict[str, Any]:
    """The database's sent messages against the stand-in's accepted count per reference."""
    rows = query_rows(cluster.primary, "SELECT id, status FROM messages")
    sent = [str(r[0]) for r in rows if r[1] in ("sent", "delivered")]
    url = f"http://{HOST}:{cluster.ports.notify}/_standin/accepted"
    with urllib.request.urlopen(url, timeout=10) as answer:
        accepted = json.loads(answer.read())
    written = {i for ids in tally.written.values() for i in ids}
    events = int(query_rows(cluster.primary, "SELECT count(*) FROM investigation_events")[0][0])
    return {
        **exactly_once(sent, accepted),
        "messages_in_database": len(rows),
        "written_with_201": len(written),
        "rows_without_a_201": len({str(r[0]) for r in rows} - written),
        "writes_given_up": tally.given_up,
        "write_retries": tally.write_retries,
        "queued_with_202": len(tally.queued),
        "double_taps": tally.double_taps,
        "double_taps_answered_with_different_rows": tally.double_taps_split,
        "events_against_201s": rows_against_answers(
            events, samples, "record event", set_up=cluster.options.officers
        ),
    }


def audit_verify(cluster: Cluster) -> dict[str, Any]:
    """``flask audit verify`` on app machine 1 (its checkpoints); exit code and last lines."""
    time.sleep(3)  # the sealers poll every 0.5 s: let them seal the last records
    done = subprocess.run(  # noqa: S603 - a fixed command
        render.flask_command(BIN, "audit", "verify"),
        cwd=REPO_ROOT, env=cluster.machine_env(1), capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    lines = (done.stdout + done.stderr).strip().splitlines()
    return {"exit_code": done.returncode, "intact": done.returncode == 0, "output": lines[-6:]}


def build_rows(samples: list[Sample], parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per phase; the idle-restart 'during' row counts only its first requests."""
    rows = []
    for part in parts:
        for phase in part["phases"]:
            source = part.get("first_samples") if phase.label.endswith("during") else None
            source = part.get("samples", source)  # a phase with a load of its own
            rows.append(summarise(source if source is not None else samples, phase))
    return rows


def _details(part: dict[str, Any]) -> dict[str, Any]:
    """What a part of the run observed, without its phases and samples."""
    return {
        k: v for k, v in part.items() if k not in {"phases", "first_samples", "samples", "tally"}
    }


def run(options: Options) -> dict[str, Any]:
    """The whole run; the report."""
    cluster = Cluster(options, Ports.from_base(options.port_base))
    lag = LagWatch(cluster)
    load: OfficerLoad | None = None
    try:
        cluster.start()
        print(f"creating {options.officers} officers and their cases", flush=True)
        officers = cluster.create_officers()
        folder = cluster.root / "load"
        folder.mkdir()
        load = OfficerLoad(cluster.supervisor, folder, cluster.ports.balancer, officers)
        probe = Client(cluster.ports.balancer, lambda _sample: None)
        probe.sign_in(officers[0])
        lag.thread.start()
        print(f"load: {options.officers} officers for {options.seconds}s, then faults", flush=True)
        load.start(BIN)
        parts = [steady_with_kills(cluster, load), *run_faults(cluster, load, probe)]
        load.stop()
        samples = load.snapshot()
        tally = load.tally()
        every_sample = list(samples)
        for part in parts:
            every_sample.extend(part.get("samples", []))
            tally = tally.merge(part.get("tally", Tally()))
        still_queued = drain_outbox(cluster)
        lag.stopping.set()
        report = {
            "finished_at": datetime.now(UTC).isoformat(),
            "options": options.__dict__,
            "rows": build_rows(samples, parts),
            "details": [_details(part) for part in parts],
            "requests": len(every_sample),
            "messages": {
                **sent_exactly_once(cluster, tally, every_sample),
                "still_queued": still_queued,
            },
            "audit_verify": audit_verify(cluster),
            "replication": {
                "at_end": replication_state(cluster.primary),
                "max_lag_bytes_sampled": lag.max_bytes,
                "max_replay_lag_seconds_sampled": lag.max_seconds,
                "samples": lag.samples,
            },
        }
        return report
    finally:
        lag.stopping.set()
        if load is not None:
            load.resume()
        print("stopping every process and removing the temporary folder", flush=True)
        logs = (
            RESULTS_DIR / f"logs-{datetime.now(UTC):%Y%m%dT%H%M%SZ}" if options.keep_logs else None
        )
        cluster.close(keep_logs_in=logs)


def print_report(report: dict[str, Any], path: Path) -> None:
    """The table and the headline figures."""
    print()
    print(format_table(report["rows"]))
    print()
    for name in ("details", "messages", "audit_verify", "replication"):
        print(f"{name}: {json.dumps(report[name], default=str)}")
    print(f"\nreport: {path}")


def main() -> int:
    """Entry point of ``python -m deploy.cluster``."""
    exit_cleanly_on_sigterm()
    try:
        options = parse_options(os.environ)
        report = run(options)
    except (OptionError, ClusterError) as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"cluster-{stamp}.json"
    write_report(path, report)
    print_report(report, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
