"""``flask --app wsgi audit seal|checkpoint|verify``: run the sealer, sign a checkpoint, verify."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.audit_keys import LedgerKeys, load_ledger_keys
from fieldapp.database import get_database
from fieldapp.models.base import utcnow
from fieldapp.services.audit_sealer import run_sealer, seal_committed, write_checkpoint
from fieldapp.services.audit_verify import Verdict, checkpoint_is_late, verify_ledger

audit_cli = AppGroup("audit", help="Audit trail commands.")


def _keys() -> LedgerKeys:
    """The ledger's keys for this app (generated into the instance folder in development)."""
    return load_ledger_keys(current_app.config, Path(current_app.instance_path))


@audit_cli.command("seal")
@click.option(
    "--once", is_flag=True, help="Seal everything committed before now (waiting for it), then exit."
)
def seal(once: bool) -> None:
    """Seal committed records into the keyed chain; without --once, keep sealing until stopped."""
    keys, sessions = _keys(), get_database(current_app).sessions
    if once:
        sealed = seal_committed(sessions, keys, now=utcnow(), pause=threading.Event().wait)
        click.echo(f"sealed {sealed} records")
        return
    stop = threading.Event()

    def _stop(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"audit sealer running for {keys.origin}")
    run_sealer(sessions, keys, current_app.config, clock=utcnow, stop=stop)


@audit_cli.command("checkpoint")
def checkpoint() -> None:
    """Sign the chain's current head and append it to the checkpoint file."""
    keys = _keys()
    with get_database(current_app).sessions() as session:
        written = write_checkpoint(session, keys, now=utcnow())
    click.echo(f"checkpoint: {written.origin} size {written.size} -> {keys.checkpoint_path}")


@audit_cli.command("verify")
def verify() -> None:
    """Verify the chain against its keys and checkpoints (exit status 1 if broken or stale)."""
    keys, now = _keys(), utcnow()
    with get_database(current_app).sessions() as session:
        verdict = verify_ledger(
            session, keys, now=now, deadline=current_app.config["AUDIT_SEAL_DEADLINE_SECONDS"]
        )
    _report(verdict, late_checkpoint=checkpoint_is_late(verdict, now))
    if not verdict.ok:
        raise SystemExit(1)


def _report(verdict: Verdict, *, late_checkpoint: bool) -> None:
    """Say what verify found: the break first, then unsealed records, then checkpoints."""
    broken = verdict.broken
    if broken is not None:
        record = f" (record {broken.seq})" if broken.seq is not None else ""
        click.echo(
            f"audit trail BROKEN at chain index {broken.chain_index}{record}: "
            f"{broken.kind}: {broken.detail} ({verdict.verified} seals verified by their MACs)",
            err=True,
        )
    else:
        click.echo(
            f"audit trail intact: {verdict.verified} records verified against "
            f"{verdict.checkpoints} checkpoints"
        )
    if verdict.stale:
        click.echo(
            f"audit trail STALE: {verdict.stale} unsealed records past the sealing deadline "
            "or behind the sealer (is the sealer running?)",
            err=True,
        )
    click.echo(f"unsealed (pending): {verdict.pending} records")
    if late_checkpoint:
        click.echo("warning: no checkpoint in the last two minutes before this verify", err=True)
    if verdict.written is not None:
        click.echo(f"checkpoint written: size {verdict.written.size}")
