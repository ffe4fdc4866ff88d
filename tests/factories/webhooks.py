"""Webhook test helpers: a local receiver on 127.0.0.1, a stand-in resolver, subscribing."""

from __future__ import annotations

import ipaddress
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.api.webhooks import RESOLVER_KEY
from fieldapp.core.principal import Principal
from fieldapp.core.webhook_urls import IPAddress
from fieldapp.models import User, WebhookDelivery, WebhookEvent
from fieldapp.models.base import utcnow
from fieldapp.services.audit import AuditContext
from fieldapp.services.webhooks import subscriptions
from fieldapp.services.webhooks.settings import WebhookSettings, settings_from_config
from fieldapp.services.webhooks.subscriptions import IssuedSubscription


@dataclass
class Received:
    """One POST the receiver got: path, headers and the raw body."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP server that records each POST and answers with ``status``."""

    port: int
    status: int = 204
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The URL to subscribe."""
        return f"http://127.0.0.1:{self.port}/hooks"


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver on an ephemeral loopback port for the block's duration."""
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def stand_in_dns(app: Flask, answers: dict[str, str]) -> dict[str, str]:
    """Resolve host names from ``answers`` (a mutable dict) in this app; unknown: no address."""

    def resolver(host: str, _port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(answers[host])] if host in answers else []

    app.extensions[RESOLVER_KEY] = resolver
    return answers


def subscribe(
    client: FlaskClient, headers: dict[str, str], url: str, events: list[str], **extra: Any
) -> dict[str, Any]:
    """Create a subscription through the API; its body (with the secret)."""
    response = client.post(
        "/api/v1/webhooks", json={"url": url, "events": events, **extra}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def acting_for(user: User, *, api_key_id: uuid.UUID | None = None) -> AuditContext:
    """``user`` as the caller of a webhook service (through a key when ``api_key_id`` is set)."""
    principal = Principal.of_user(user, team_name=user.team.name, api_key_id=api_key_id)
    return AuditContext(principal, "test")


def webhook_settings(app: Flask, **overrides: Any) -> WebhookSettings:
    """The app's webhook settings with ``overrides`` (e.g. a shorter backoff)."""
    return replace(settings_from_config(app.config), **overrides)


def create_webhook(
    app: Flask,
    session: Session,
    owner: User,
    url: str,
    events: list[str],
    *,
    api_key_id: uuid.UUID | None = None,
) -> IssuedSubscription:
    """A subscription created through the service and committed; with its secret."""
    issued = subscriptions.create_subscription(
        session,
        acting_for(owner, api_key_id=api_key_id),
        data={"url": url, "events": events},
        settings=webhook_settings(app),
        resolver=lambda _host, _port: [ipaddress.ip_address("93.184.216.34")],
        now=utcnow(),
    )
    session.commit()
    return issued


def deliveries(session: Session) -> list[WebhookDelivery]:
    """Every delivery row as stored now, oldest first."""
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def events(session: Session) -> list[WebhookEvent]:
    """Every event row as stored now."""
    session.expire_all()
    return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.occurred_at)))
