"""The cluster run's options (``CLUSTER_*`` environment variables) and the ports it listens on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
#: The fault phases, in the order they run (issue 14, point 5). ``stop`` also watches the
#: delivery workers through the outage; ``idle-restart`` sends the first requests of an idle
#: app after PostgreSQL restarts.
FAULTS = ("lock", "freeze", "stop", "idle-restart", "sigterm")


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
    )
