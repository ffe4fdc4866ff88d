"""The phases that re-measure what already holds (issue 14, point 5) after later changes.

``redis-kill``: Redis SIGKILLed for CLUSTER_REDIS_KILL_SECONDS, then started again (the
principal cache falls back to the database, the rate limiter per worker: no API error).
``notify-faults``: the Notify stand-in answers 500, then 429, then holds its answers, each for
CLUSTER_NOTIFY_FAULT_SECONDS (the API never sees it; every message is still sent once).
``double-taps``: every message write sent twice at once with the same Idempotency-Key for
CLUSTER_DOUBLE_TAP_SECONDS (one row per write). ``connections``: the main load paused, a locust
run of N users for CLUSTER_CONNECTION_SECONDS at each N of CLUSTER_CONNECTIONS.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from typing import Any

from deploy.faults import around
from deploy.journal import Tally
from deploy.load import OfficerLoad
from deploy.machines import BIN, Cluster
from deploy.report import Phase
from deploy.settings import HOST

#: The Notify faults in turn: what the stand-in is told, and the row's name for it.
NOTIFY_FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("500", {"clear": True, "fail": 500, "count": 100_000}),
    ("429", {"clear": True, "fail": 429, "count": 100_000}),
    ("slow", {"clear": True, "hold": True}),
)


def redis_kill(cluster: Cluster) -> dict[str, Any]:
    """SIGKILL redis-server, start it again CLUSTER_REDIS_KILL_SECONDS later."""

    def fault() -> dict[str, Any]:
        cluster.supervisor.signal_group("redis", signal.SIGKILL)
        time.sleep(cluster.options.redis_kill_seconds)
        code = cluster.supervisor.stop("redis")
        cluster.start_redis()
        return {"redis_exit_code": code}

    return around(cluster, "Redis killed", fault)


def order_notify(cluster: Cluster, order: dict[str, Any]) -> dict[str, Any]:
    """POST one order to the stand-in's /_standin/faults; its answer."""
    request = urllib.request.Request(
        f"http://{HOST}:{cluster.ports.notify}/_standin/faults",
        data=json.dumps(order).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        result: dict[str, Any] = json.loads(answer.read())
    return result


def notify_faults(cluster: Cluster) -> dict[str, Any]:
    """The stand-in answers 500, then 429, then slowly; how many sends each fault refused."""

    def fault() -> dict[str, Any]:
        owed: dict[str, int] = {}
        previous = ""
        for name, order in NOTIFY_FAULTS:
            left = order_notify(cluster, order)["owed_before"]
            if previous:
                owed[previous] = left
            previous = name
            time.sleep(cluster.options.notify_fault_seconds)
        order_notify(cluster, {"clear": True})
        refused = {name: 100_000 - left for name, left in owed.items()}
        return {"notify_sends_refused": refused, "notify_faults": [n for n, _ in NOTIFY_FAULTS]}

    return around(cluster, "Notify 500, 429, slow", fault)


def double_taps(cluster: Cluster, load: OfficerLoad) -> dict[str, Any]:
    """Every message write sent twice at once with one key for CLUSTER_DOUBLE_TAP_SECONDS."""

    def fault() -> dict[str, Any]:
        load.double_tap(True)
        time.sleep(cluster.options.double_tap_seconds)
        load.double_tap(False)
        return {}

    return around(cluster, "double taps", fault)


def connections(cluster: Cluster, load: OfficerLoad) -> dict[str, Any]:
    """The main load paused; N locust users for CLUSTER_CONNECTION_SECONDS at each level."""
    idle = load.pause(timeout=180)
    phases, samples, tally = [], [], Tally()
    for users in cluster.options.connections:
        folder = cluster.root / f"load-{users}"
        folder.mkdir()
        level = OfficerLoad(
            cluster.supervisor, folder, load.port, load.officers, users=users,
            name=f"locust-{users}",
        )  # fmt: skip
        print(f"connections: {users} users", flush=True)
        start = time.monotonic()
        level.start(BIN)
        time.sleep(cluster.options.connection_seconds)
        end = time.monotonic()
        level.stop()  # every round finishes (after ``end``: not in the row)
        phases.append(Phase(f"{users} connections", start, end))
        samples.extend(level.snapshot())
        tally = tally.merge(level.tally())
    load.resume()
    return {"phases": phases, "samples": samples, "tally": tally, "load_paused_cleanly": idle}
