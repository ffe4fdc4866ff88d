"""``flask --app wsgi demo load|show|journey``: demo data, how to sign in with it, and a
victim's journey from report to sentence recorded through the API."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.api.context import passwords
from fieldapp.core.victims_code.working_days import local_date
from fieldapp.database import get_database
from fieldapp.demo.accounts import DEMO_ACCOUNTS, load_demo
from fieldapp.demo.cases import load_demo_cases
from fieldapp.demo.journey import JOURNEY_REFERENCE, run_journey
from fieldapp.demo.journey_api import JourneyApi, JourneyError
from fieldapp.demo.journey_report import render_journey
from fieldapp.models.base import utcnow

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
    click.echo(f"Supervisor console: {base_url}/console/ (sign in as ps.okafor or ps.mensah)")


@demo_cli.command("journey")
@click.option("--reference", default=JOURNEY_REFERENCE, help="Crime reference for the new case.")
def journey(reference: str) -> None:
    """Record a new victim's journey from report to sentence through the API; print it."""
    credentials = _credentials_path()
    if not credentials.exists():
        raise click.ClickException("No demo data here: run 'make demo' first.")
    username = DEMO_ACCOUNTS[0].username
    password = json.loads(credentials.read_text(encoding="utf-8"))[username]
    try:
        api = JourneyApi(current_app.test_client(), username=username, password=password)
        done = run_journey(api, today=local_date(utcnow()), reference=reference)
    except JourneyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(render_journey(done), nl=False)
