"""The faults the run injects under load (issue 14, points 4 and 5), each with its phases.

Every fault is measured as before / during / after: the load runs throughout (except where the
fault is about an idle app), and :mod:`deploy.report` turns the phases into rows. Each function
returns the phases it measured and what else it observed.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from deploy.balancer import in_flight
from deploy.client import Client
from deploy.load import OfficerLoad
from deploy.machines import Cluster
from deploy.postgres import freeze, hold_row_locks, thaw
from deploy.report import Phase, Sample, failed_on

Clock = Callable[[], float]
#: Seconds to look for a killed instance's failures after the kill (balancer checks every 1 s).
KILL_WINDOW = 10.0


def _phases(label: str, before: float, start: float, end: float, after: float) -> list[Phase]:
    """The three phases of one fault."""
    return [
        Phase(f"{label}: before", before, start),
        Phase(f"{label}: during", start, end),
        Phase(f"{label}: after", end, after),
    ]


def around(cluster: Cluster, label: str, fault: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Steady load, the fault, steady load again; the phases and what the fault observed."""
    settle = cluster.options.phase_seconds
    before = time.monotonic()
    time.sleep(settle)
    start = time.monotonic()
    observed = fault()
    end = time.monotonic()
    time.sleep(settle)
    return {"phases": _phases(label, before, start, end, time.monotonic()), **observed}


def kill_app(
    cluster: Cluster, load: OfficerLoad, number: int, down_seconds: float
) -> dict[str, Any]:
    """SIGKILL app machine ``number`` (arbiter, workers, sealer), start it again later.

    The balancer's in-flight count on it is read just before the kill: requests that were in
    flight may fail; any other failure attributed to it would be the balancer's fault.
    """
    name = f"app{number}"
    flying = in_flight(cluster.stats_socket, name)
    killed_at = time.monotonic()
    cluster.supervisor.signal_group(name, signal.SIGKILL)
    time.sleep(down_seconds)
    cluster.supervisor.stop(name)  # reaps it
    cluster.start_app(number)
    cluster.wait_app(number)
    back_at = time.monotonic()
    # The window runs until the instance is back (and the balancer's checks see it), at least.
    window_end = max(killed_at + KILL_WINDOW, back_at + 2.0)
    time.sleep(max(0.0, window_end - time.monotonic()))
    samples = load.snapshot()
    return {
        "instance": name,
        "in_flight_at_kill": flying,
        "failed_on_killed_instance": failed_on(samples, name, killed_at, window_end),
        "failures_in_window": sum(
            1 for s in samples if s.failed and killed_at <= s.started < window_end
        ),
        "ready_again_after_s": round(back_at - killed_at, 1),
        "killed_at": killed_at,
        "window_end": window_end,
    }


def kill_worker(cluster: Cluster, number: int, down_seconds: float) -> dict[str, Any]:
    """SIGKILL delivery worker ``number`` and start it again ``down_seconds`` later."""
    name = f"worker{number}"
    killed_at = time.monotonic()
    cluster.supervisor.signal_group(name, signal.SIGKILL)
    time.sleep(down_seconds)
    code = cluster.supervisor.stop(name)
    cluster.start_worker(number)
    return {"worker": name, "exit_code": code, "killed_at": killed_at}


def row_lock(cluster: Cluster) -> dict[str, Any]:
    """A psql session holds FOR UPDATE locks on every case row for CLUSTER_LOCK_SECONDS."""

    def fault() -> dict[str, Any]:
        holder = hold_row_locks(cluster.primary, cluster.options.lock_seconds)
        code = holder.wait(timeout=cluster.options.lock_seconds + 60)
        return {"psql_exit_code": code}

    return around(cluster, "row lock", fault)


def frozen(cluster: Cluster) -> dict[str, Any]:
    """SIGSTOP the primary's postmaster and backends for CLUSTER_FREEZE_SECONDS, then SIGCONT."""

    def fault() -> dict[str, Any]:
        pids = freeze(cluster.primary)
        try:
            time.sleep(cluster.options.freeze_seconds)
        finally:
            thaw(pids)
        return {"processes_stopped": len(pids)}

    return around(cluster, "PostgreSQL frozen", fault)


def stopped(cluster: Cluster) -> dict[str, Any]:
    """Stop the primary for CLUSTER_STOP_SECONDS; watch whether the delivery workers survive."""

    def fault() -> dict[str, Any]:
        cluster.primary.stop("fast")
        time.sleep(cluster.options.stop_seconds)
        workers = _worker_codes(cluster)
        cluster.primary.start()
        return {"delivery_workers_exited_during_outage": workers}

    result = around(cluster, "PostgreSQL stopped", fault)
    result["delivery_workers_exited_after_outage"] = _worker_codes(cluster)
    return result


def _worker_codes(cluster: Cluster) -> dict[str, int]:
    """Delivery workers that have exited, with their exit codes."""
    return {
        name: code
        for name, process in cluster.supervisor.running.items()
        if name.startswith("worker") and (code := process.poll()) is not None
    }


def idle_restart(cluster: Cluster, load: OfficerLoad, client: Client) -> dict[str, Any]:
    """With the load paused (idle app), restart PostgreSQL, then send the first requests."""
    settle = cluster.options.phase_seconds
    before = time.monotonic()
    time.sleep(settle)
    paused_at = time.monotonic()
    idle = load.pause(timeout=180)
    cluster.primary.pg_ctl("restart", "-m", "fast", "-t", "60")
    start = time.monotonic()
    first: list[Sample] = []
    client.record = first.append
    client.connection.close()  # a fresh connection: the balancer closed the idle one long ago
    path = f"/api/v1/cases/{load.officers[0].case_id}"
    for _ in range(4 * cluster.options.instances):
        client.call("first after restart", "GET", path)
    end = time.monotonic()
    load.resume()
    time.sleep(settle)
    label = "idle app after PostgreSQL restart"
    phases = [
        Phase(f"{label}: before", before, paused_at),  # load paused, PostgreSQL restarted
        Phase(f"{label}: during", start, end),
        Phase(f"{label}: after", end, time.monotonic()),
    ]
    return {
        "phases": phases,
        "load_paused_cleanly": idle,
        "first_statuses": [s.status for s in first],
        "first_samples": first,
    }


def sigterm(cluster: Cluster, load: OfficerLoad, number: int) -> dict[str, Any]:
    """SIGTERM app machine ``number``'s arbiter under load; count what failed on it; restart."""
    name = f"app{number}"

    def fault() -> dict[str, Any]:
        flying = in_flight(cluster.stats_socket, name)
        sent_at = time.monotonic()
        cluster.supervisor.signal_leader(name, signal.SIGTERM)
        process = cluster.supervisor.running[name]
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)  # gunicorn's graceful timeout is 20 s
        exited_after = time.monotonic() - sent_at
        cluster.supervisor.stop(name)
        cluster.start_app(number)
        cluster.wait_app(number)
        time.sleep(max(0.0, sent_at + KILL_WINDOW - time.monotonic()))
        samples = load.snapshot()
        return {
            "instance": name,
            "in_flight_at_sigterm": flying,
            "exit_code": process.returncode,
            "exited_after_s": round(exited_after, 1),
            "failed_on_instance": failed_on(samples, name, sent_at, time.monotonic()),
        }

    return around(cluster, "SIGTERM to an instance", fault)
