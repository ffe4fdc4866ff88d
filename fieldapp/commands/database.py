"""``flask --app wsgi db ...``: migrate the database, and write new migrations, with Alembic."""

from __future__ import annotations

import click
from alembic.util import CommandError
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


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does, in a few words.")
@click.option(
    "--autogenerate/--empty",
    default=True,
    help="Compare the models with the database (default), or write an empty script.",
)
def revision(message: str, autogenerate: bool) -> None:
    """Write the next migration in fieldapp/migrations/versions/ from the models' changes.

    Migrate the database to head first; read the script it writes before committing it.
    """
    try:
        path = migrate.revision(
            current_app.config["DATABASE_URL"], message, autogenerate=autogenerate
        )
    except (migrate.NothingToMigrate, CommandError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")
