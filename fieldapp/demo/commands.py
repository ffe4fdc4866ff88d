"""``flask --app wsgi demo load|show``: demo data and how to sign in with it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.api.context import passwords
from fieldapp.database import get_database
from fieldapp.demo.accounts import DEMO_ACCOUNTS, load_demo
from fieldapp.demo.cases import load_demo_cases

CREDENTIALS_FILE = "demo-credentials.json"


def _credentials_path() -> Path:
    """Where the generated demo passwords are kept (the instance folder, never committed)."""
    return Path(current_app.instance_path) / CREDENTIALS_FILE


demo_cli = AppGroup("demo", help="Demo data commands.")


@demo_cli.command("load")
def load() -> None:
    """Load demo data into an empty database and remember the generated passwords."""
    with get_database(current_app).sessions() as session:
        created = load_demo(session, passwords=passwords())
        if created:
            count = load_demo_cases(session, officer_username=DEMO_ACCOUNTS[0].username)
            click.echo(f"demo data: {count} fictional cases with victims, events and duties")
    if not created:
        click.echo("demo data: database already has users, nothing loaded")
        return
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(created, handle, indent=2)
    click.echo(f"demo data loaded; passwords saved in {path}")


@demo_cli.command("show")
@click.option("--base-url", default="http://127.0.0.1:5000")
def show(base_url: str) -> None:
    """Print how to sign in as each demo account."""
    path = _credentials_path()
    if not path.exists():
        click.echo("No demo credentials here; create users with 'flask --app wsgi users create'.")
        return
    credentials = json.loads(path.read_text(encoding="utf-8"))
    click.echo("Demo accounts (fictional):")
    for account in DEMO_ACCOUNTS:
        if account.username in credentials:
            click.echo(
                f"  {account.role:<10} {account.username:<14} password "
                f"{credentials[account.username]}"
            )
    officer = DEMO_ACCOUNTS[0].username
    body = json.dumps(
        {"username": officer, "password": credentials.get(officer, "?"), "device_name": "curl"}
    )
    click.echo("\nSign in:")
    click.echo(
        f"  curl -s -X POST {base_url}/api/v1/auth/login "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )
    click.echo(f"Then: curl -s {base_url}/api/v1/me -H 'Authorization: Bearer <access_token>'")
    click.echo(f"API docs: {base_url}/docs")
