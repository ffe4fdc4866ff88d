"""``flask --app wsgi templates import|export``: the built-in template library."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.core.templating.library import (
    LIBRARY_DIRECTORY,
    format_template_file,
    load_library,
)
from fieldapp.database import get_database
from fieldapp.services.templates.library import LibraryRefused, export_library, import_library

templates_cli = AppGroup("templates", help="Built-in message template library.")


@templates_cli.command("import")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=LIBRARY_DIRECTORY,
    show_default=True,
)
def import_command(directory: Path) -> None:
    """Import library templates whose key is absent, each published as version 1."""
    items = load_library(directory)
    with get_database(current_app).sessions() as session:
        try:
            result = import_library(session, items)
        except LibraryRefused as refused:
            raise click.ClickException(f"library not imported: {refused}") from refused
    click.echo(f"templates: {len(result.imported)} imported, {len(result.present)} already present")


@templates_cli.command("export")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Where to write one <key>.txt per template (created if absent).",
)
def export_command(directory: Path) -> None:
    """Write every active template's published wording back to library files."""
    with get_database(current_app).sessions() as session:
        items = export_library(session)
    directory.mkdir(parents=True, exist_ok=True)
    for item in items:
        (directory / f"{item.key}.txt").write_text(format_template_file(item), encoding="utf-8")
    click.echo(f"templates: {len(items)} exported to {directory}")
