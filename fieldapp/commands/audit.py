"""``flask --app wsgi audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.database import get_database
from fieldapp.services.audit import verify_chain

audit_cli = AppGroup("audit", help="Audit trail commands.")


@audit_cli.command("verify")
def verify() -> None:
    """Walk the whole chain and report the first broken link (exit status 1 if any)."""
    with get_database(current_app).sessions() as session:
        checked, broken = verify_chain(session)
    if broken is None:
        click.echo(f"audit trail intact: {checked} records verified")
        return
    click.echo(
        f"audit trail BROKEN at record {broken.seq}: {broken.reason} "
        f"({checked} records before it verified)",
        err=True,
    )
    raise SystemExit(1)
