"""``flask --app wsgi db ...``: migrate the database with Alembic."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp import migrate

db_cli = AppGroup("db", help="Database schema commands.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database to the latest schema (or REVISION)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")
