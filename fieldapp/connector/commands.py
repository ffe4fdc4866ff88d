"""``flask --app wsgi connector write``: regenerate the committed ``connector/`` files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from fieldapp.connector.blueprint import generate_definition
from fieldapp.connector.definition import (
    DEFAULT_HOST,
    DEFINITION_FILE,
    PROPERTIES_FILE,
    build_properties,
    dump,
)
from fieldapp.connector.lint import lint_definition

connector_cli = AppGroup("connector", help="Power Platform custom connector commands.")


@connector_cli.command("write")
@click.option("--output-dir", default="connector", type=click.Path(file_okay=False))
@click.option("--host", default=DEFAULT_HOST, show_default=True)
def write_connector(output_dir: str, host: str) -> None:
    """Write both connector files, refusing a definition that fails the lint."""
    definition = generate_definition(host=host)
    findings = lint_definition(definition)
    if findings:
        raise click.ClickException("connector lint failed:\n" + "\n".join(findings))
    directory = Path(output_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEFINITION_FILE).write_text(dump(definition), encoding="utf-8")
    (directory / PROPERTIES_FILE).write_text(dump(build_properties()), encoding="utf-8")
    click.echo(f"wrote {directory / DEFINITION_FILE} and {directory / PROPERTIES_FILE}")
