"""Command-line tools: ``flask --app wsgi <group> <command>``."""

from __future__ import annotations

from flask import Flask

from fieldapp.commands.audit import audit_cli
from fieldapp.commands.database import db_cli
from fieldapp.commands.demo import demo_cli
from fieldapp.commands.messages import messages_cli
from fieldapp.commands.templates import templates_cli
from fieldapp.commands.users import users_cli


def register(app: Flask) -> None:
    """Add every command group to the app's CLI."""
    for group in (db_cli, users_cli, demo_cli, audit_cli, templates_cli, messages_cli):
        app.cli.add_command(group)
