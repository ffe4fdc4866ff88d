"""``flask --app wsgi users create ...``: make accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from fieldapp.api.context import passwords
from fieldapp.core.roles import ROLES
from fieldapp.database import get_database
from fieldapp.errors import FieldappError
from fieldapp.schemas.users import UserCreateSchema
from fieldapp.services import teams, users

users_cli = AppGroup("users", help="User account commands.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--team",
    required=True,
    help="The team's id or name; a name is created if it does not exist yet.",
)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from stdin.")
@click.option("--display-name", default=None)
@click.option("--rank", default=None)
@click.option("--collar-number", default=None)
def create(
    username: str,
    role: str,
    team: str,
    password_stdin: bool,
    display_name: str | None,
    rank: str | None,
    collar_number: str | None,
) -> None:
    """Create a user; the password is read from standard input, never from arguments."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ""
    raw = {
        "username": username,
        "password": password,
        "role": role,
        "team": team,
        "display_name": display_name or username,
        **({"rank": rank} if rank else {}),
        **({"collar_number": collar_number} if collar_number else {}),
    }
    try:
        data = UserCreateSchema().load(raw)
    except ValidationError as exc:
        raise click.ClickException(_describe(exc.messages)) from exc
    with get_database(current_app).sessions() as session:
        try:
            found = teams.find_team_by_reference(session, team)
            if found is None and teams.team_id_in(team) is None:  # an unknown id is not a name
                teams.create_team(session, name=team)
                session.commit()
            user = users.create_user(session, None, passwords=passwords(), data=data)
            session.commit()
        except FieldappError as exc:
            raise click.ClickException(_describe(exc.errors) if exc.errors else exc.detail) from exc
        team_name = user.team.name
    click.echo(f"created {user.role} {user.username} ({user.id}) in team {team_name}")


def _describe(messages: object) -> str:
    """Turn field messages into one readable line."""
    if isinstance(messages, dict):
        return "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in messages.items())
    return str(messages)
