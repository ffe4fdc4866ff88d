"""The cluster run's options (``CLUSTER_*`` environment variables) and the ports it listens on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
#: The fault phases, in the order they run (issue 14, point 5). ``stop`` also watches the
#: delivery workers through the outage; ``idle-restart`` sends the first requests of an idle
#: app after PostgreSQL restarts. The last four re-measure what must keep holding:
#: ``redis-kill`` (Redis SIGKILLed, restarted later), ``notify-faults`` (the Notify stand-in
#: answers 500, then 429, then slowly), ``double-taps`` (every write sent twice at once with
#: the same Idempotency-Key) and ``connections`` (the load at each of CLUSTER_CONNECTIONS).
FAULTS = (
    "lock", "freeze", "stop", "idle-restart", "sigterm",
    "redis-kill", "notify-faults", "double-taps", "connections",
)  # fmt: skip
#: The first port of the default run; ``CLUSTER_PORT_BASE`` moves every port by the same offset.
PORT_BASE = 57000


class OptionError(ValueError):
    """A ``CLUSTER_*`` option has a value the run cannot use."""


@dataclass(frozen=True)
class Ports:
    """Every port of the run: all in 57xxx, none of the machine's own services."""

    balancer: int = 57080
    app_base: int = 57000  # instance n (from 1) listens on app_base + n
    primary: int = 57432
    standby: int = 57433
    redis: int = 57379
    notify: int = 57090

    def app(self, number: int) -> int:
        """The port of app instance ``number`` (1-based)."""
        return self.app_base + number

    @classmethod
    def from_base(cls, base: int) -> Ports:
        """The default ports moved by ``base - PORT_BASE`` (a second run beside the first)."""
        shift = base - PORT_BASE
        defaults = cls()
        return cls(
            balancer=defaults.balancer + shift,
            app_base=defaults.app_base + shift,
            primary=defaults.primary + shift,
            standby=defaults.standby + shift,
            redis=defaults.redis + shift,
            notify=defaults.notify + shift,
        )


@dataclass(frozen=True)
class Options:
    """How long and how wide the run is, and which faults it injects."""

    seconds: int = 60
    instances: int = 3
    officers: int = 8
    workers: int = 2  # gunicorn workers per instance (gthread, 4 threads each)
    faults: tuple[str, ...] = FAULTS
    lock_seconds: int = 40
    freeze_seconds: int = 10
    stop_seconds: int = 10
    #: Seconds of steady load measured before and after each fault.
    phase_seconds: int = 8
    #: Copy every process's log into deploy/results/ before the temporary folder goes.
    keep_logs: bool = False
    #: The first of the run's ports (:meth:`Ports.from_base`).
    port_base: int = PORT_BASE
    redis_kill_seconds: int = 15
    #: Seconds of each Notify fault in turn: 500s, 429s, then answers held this long.
    notify_fault_seconds: int = 5
    double_tap_seconds: int = 10
    #: Concurrent locust users (connections through the balancer) of the ``connections`` phase.
    connections: tuple[int, ...] = (16, 64, 256)
    connection_seconds: int = 10


def _positive(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    """An integer option of at least ``minimum``, or the default when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise OptionError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise OptionError(f"{name} must be at least {minimum}, got {value}")
    return value


def parse_faults(raw: str) -> tuple[str, ...]:
    """``all``, ``none`` or a comma-separated list of :data:`FAULTS`, in run order."""
    text = raw.strip().lower()
    if text in {"", "all"}:
        return FAULTS
    if text == "none":
        return ()
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(FAULTS))
    if unknown:
        raise OptionError(
            f"CLUSTER_FAULTS: unknown fault(s) {', '.join(unknown)}; "
            f"choose all, none or some of {', '.join(FAULTS)}"
        )
    return tuple(fault for fault in FAULTS if fault in wanted)


def parse_levels(raw: str) -> tuple[int, ...]:
    """``16,64,256``: the connection levels, each a positive whole number, in the order given."""
    levels = []
    for part in raw.split(","):
        text = part.strip()
        if not text.isdigit() or int(text) < 1:
            raise OptionError(f"CLUSTER_CONNECTIONS: {text!r} is not a positive whole number")
        levels.append(int(text))
    return tuple(levels)


def parse_options(env: Mapping[str, str]) -> Options:
    """The options from ``CLUSTER_*`` variables over the defaults."""
    defaults = Options()
    return Options(
        seconds=_positive(env, "CLUSTER_SECONDS", defaults.seconds, minimum=20),
        instances=_positive(env, "CLUSTER_INSTANCES", defaults.instances, minimum=2),
        officers=_positive(env, "CLUSTER_OFFICERS", defaults.officers),
        workers=_positive(env, "CLUSTER_WORKERS", defaults.workers),
        faults=parse_faults(env.get("CLUSTER_FAULTS", "all")),
        lock_seconds=_positive(env, "CLUSTER_LOCK_SECONDS", defaults.lock_seconds),
        freeze_seconds=_positive(env, "CLUSTER_FREEZE_SECONDS", defaults.freeze_seconds),
        stop_seconds=_positive(env, "CLUSTER_STOP_SECONDS", defaults.stop_seconds),
        phase_seconds=_positive(env, "CLUSTER_PHASE_SECONDS", defaults.phase_seconds),
        keep_logs=env.get("CLUSTER_KEEP_LOGS", "").strip().lower() in {"1", "yes", "true", "on"},
        port_base=_positive(env, "CLUSTER_PORT_BASE", PORT_BASE, minimum=1024),
        redis_kill_seconds=_positive(
            env, "CLUSTER_REDIS_KILL_SECONDS", defaults.redis_kill_seconds
        ),
        notify_fault_seconds=_positive(
            env, "CLUSTER_NOTIFY_FAULT_SECONDS", defaults.notify_fault_seconds
        ),
        double_tap_seconds=_positive(
            env, "CLUSTER_DOUBLE_TAP_SECONDS", defaults.double_tap_seconds
        ),
        connections=parse_levels(env.get("CLUSTER_CONNECTIONS", "").strip() or "16,64,256"),
        connection_seconds=_positive(
            env, "CLUSTER_CONNECTION_SECONDS", defaults.connection_seconds
        ),
    )
