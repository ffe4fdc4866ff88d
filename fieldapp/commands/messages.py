"""``flask --app wsgi messages deliver`` and ``refresh``: send from the outbox, then learn the fate.

``deliver`` hands queued messages to the provider; ``refresh`` asks it which sent messages reached
the recipient and which failed (reopening the duty a failed one had met).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

from fieldapp.database import get_database
from fieldapp.services.messages.delivery import run_worker, settings_from_config
from fieldapp.services.messages.providers import ProviderNotConfigured, provider_from_config
from fieldapp.services.messages.receipts import run_refresher

messages_cli = AppGroup("messages", help="Victim-update message delivery.")

MANUAL_EXPLANATION = (
    "MESSAGE_PROVIDER is 'manual': officers send each message from their phone and confirm it "
    "with POST /api/v1/messages/{id}/sent, so there is nothing for a worker to deliver. "
    "Set FIELDAPP_MESSAGE_PROVIDER=notify (and the FIELDAPP_NOTIFY_* settings) to send through "
    "GOV.UK Notify."
)
MANUAL_REFRESH_EXPLANATION = (
    "MESSAGE_PROVIDER is 'manual': a message sent from an officer's phone has no delivery "
    "receipt to ask for, so there is nothing to refresh. With FIELDAPP_MESSAGE_PROVIDER=notify, "
    "run this alongside 'messages deliver'."
)


@messages_cli.command("deliver")
@click.option("--once", is_flag=True, help="Stop when nothing is due instead of waiting.")
@click.option(
    "--batch", type=click.IntRange(1, 500), default=10, show_default=True, help="Claim size."
)
@click.option("--worker-name", default=None, help="Name recorded on claims [default: host:pid].")
def deliver(once: bool, batch: int, worker_name: str | None) -> None:
    """Send queued messages through the configured provider; SIGTERM stops after the current."""
    try:
        provider = provider_from_config(current_app.config)
        settings = settings_from_config(current_app.config)
    except (ProviderNotConfigured, ValueError) as error:
        raise click.ClickException(str(error)) from error
    if provider is None:
        click.echo(MANUAL_EXPLANATION)
        return
    worker = worker_name or f"{socket.gethostname()}:{os.getpid()}"
    stop = threading.Event()
    with stopping_on_signals(stop):
        tally = run_worker(
            get_database(current_app).sessions,
            provider,
            worker=worker,
            settings=settings,
            batch=batch,
            once=once,
            stop=stop,
        )
    counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.items()))
    click.echo(f"delivery worker {worker} stopped: {counts or 'nothing was due'}")


@messages_cli.command("refresh")
@click.option("--once", is_flag=True, help="Check every sent message once, then stop.")
@click.option(
    "--interval",
    type=click.FloatRange(1, 3600),
    default=60,
    show_default=True,
    help="Seconds between passes.",
)
def refresh(once: bool, interval: float) -> None:
    """Record which sent messages were delivered or failed; SIGTERM stops after the current."""
    try:
        provider = provider_from_config(current_app.config)
    except ProviderNotConfigured as error:
        raise click.ClickException(str(error)) from error
    if provider is None:
        click.echo(MANUAL_REFRESH_EXPLANATION)
        return
    stop = threading.Event()
    with stopping_on_signals(stop):
        tally = run_refresher(
            get_database(current_app).sessions, provider, once=once, stop=stop, interval=interval
        )
    counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.items()))
    click.echo(f"status refresher stopped: {counts or 'no sent message to check'}")


@contextmanager
def stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGTERM and SIGINT into a request to stop after the current message."""

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
