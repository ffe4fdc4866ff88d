"""``flask --app wsgi webhooks deliver``: scan duties and POST webhooks from the outbox."""

from __future__ import annotations

import os
import socket
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.commands.messages import stopping_on_signals
from fieldapp.database import get_database
from fieldapp.services.webhooks.settings import settings_from_config
from fieldapp.services.webhooks.worker import Worker, run_worker

webhooks_cli = AppGroup("webhooks", help="Webhook deliveries to integrations.")


@webhooks_cli.command("deliver")
@click.option("--once", is_flag=True, help="Stop when nothing is due instead of waiting.")
@click.option(
    "--batch", type=click.IntRange(1, 500), default=10, show_default=True, help="Claim size."
)
@click.option("--worker-name", default=None, help="Name recorded on claims [default: host:pid].")
def deliver(once: bool, batch: int, worker_name: str | None) -> None:
    """Scan duties and deliver due webhooks; SIGTERM stops after the current delivery."""
    try:
        settings = settings_from_config(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    worker = Worker(worker_name or f"{socket.gethostname()}:{os.getpid()}", settings)
    stop = threading.Event()
    with stopping_on_signals(stop):
        tally = run_worker(
            get_database(current_app).sessions, worker, batch=batch, once=once, stop=stop
        )
    counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.items()))
    click.echo(f"webhook worker {worker.name} stopped: {counts or 'nothing was due'}")
