"""Command-line tools: ``flask --app wsgi <group> <command>``."""

from __future__ import annotations

from flask import Flask

from fieldapp.commands.audit import audit_cli
from fieldapp.commands.database import db_cli
from fieldapp.commands.messages import messages_cli
from fieldapp.commands.templates import templates_cli
from fieldapp.commands.users import users_cli
from fieldapp.commands.webhooks import webhooks_cli
from fieldapp.connector.commands import connector_cli
from fieldapp.demo.commands import demo_cli


def register(app: Flask) -> None:
    """Add every command group to the app's CLI."""
    groups = (
        db_cli,
        users_cli,
        demo_cli,
        audit_cli,
        templates_cli,
        messages_cli,
        webhooks_cli,
        connector_cli,
    )
    for group in groups:
        app.cli.add_command(group)
