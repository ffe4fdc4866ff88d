"""Safe contact at send time: a message drafted before the victim's safe-contact details changed
is never queued or confirmed; it is void with the reason, audited, and meets no duty."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import AuditRecord, ContactDuty, Message, OutboxItem, Team
from fieldapp.services.templates.library import import_library
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim, arrest_duty, open_case, record_arrest
from tests.factories.messages import write_message


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Riverside")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.safe", team=team)
    return str(login(client, "pc.safe")["access_token"])


def _patch(client: FlaskClient, token: str, victim_id: str, **changes: Any) -> None:
    """Change the victim through the API, with the ETag just read."""
    etag = client.get(f"/api/v1/victims/{victim_id}", headers=bearer(token)).headers["ETag"]
    response = client.patch(
        f"/api/v1/victims/{victim_id}", json=changes, headers={**bearer(token), "If-Match": etag}
    )
    assert response.status_code == 200, response.get_json()


def _erase(client: FlaskClient, token: str, victim_id: str) -> None:
    """Erase the victim through the API."""
    etag = client.get(f"/api/v1/victims/{victim_id}", headers=bearer(token)).headers["ETag"]
    response = client.delete(
        f"/api/v1/victims/{victim_id}", headers={**bearer(token), "If-Match": etag}
    )
    assert response.status_code == 204, response.get_json()


Change = Callable[[FlaskClient, str, str], None]
CHANGES: dict[str, tuple[Change, str]] = {
    "withdraws sms": (
        lambda c, t, v: _patch(c, t, v, safe_channels=["email"], preferred_channel="email"),
        "'sms' is no longer a safe channel for this person",
    ),
    "becomes contentless": (
        lambda c, t, v: _patch(c, t, v, contentless=True),
        "this person now needs contentless messages",
    ),
    "changes language": (
        lambda c, t, v: _patch(c, t, v, language="cy"),
        "this person's language is now 'cy'",
    ),
    "changes phone": (
        lambda c, t, v: _patch(c, t, v, phone="07700 900456"),
        "this person's phone changed",
    ),
    "is erased": (_erase, "the recipient was erased"),
}


def _drafted(client: FlaskClient, officer: str) -> tuple[str, dict[str, Any]]:
    """A victim and a drafted SMS that answers their arrest duty: (victim id, message)."""
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    duty = arrest_duty(client, officer, case_id)
    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    message: dict[str, Any] = response.get_json()
    return victim_id, message


@pytest.mark.parametrize("action", ["send", "sent"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_message_to_a_recipient_whose_safe_contact_changed_is_void_not_sent(
    app: Flask, client: FlaskClient, session: Session, officer: str, change: str, action: str
) -> None:
    app.config["MESSAGE_PROVIDER"] = "notify" if action == "send" else "manual"
    victim_id, message = _drafted(client, officer)
    make_change, reason = CHANGES[change]
    make_change(client, officer, victim_id)

    response = client.post(
        f"/api/v1/messages/{message['id']}/{action}", json={}, headers=bearer(officer)
    )

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["code"] == "recipient_changed"
    assert response.get_json()["void_reason"] == reason
    session.expire_all()
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None
    assert (stored.status, stored.void_reason, stored.sent_at) == ("void", reason, None)
    assert stored.voided_at is not None
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0
    duty = session.get(ContactDuty, stored.duty_id)
    assert duty is not None and duty.message_id is None and duty.status != "met"
    denied = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "denied")).one()
    assert (denied.operation, denied.resource_id) == ("disclosure", message["id"])
    assert denied.reason == f"recipient_changed: {reason}"


def test_a_void_message_stays_refused_on_every_retry(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    victim_id, message = _drafted(client, officer)
    _patch(client, officer, victim_id, contentless=True)
    first = client.post(f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer))
    _patch(client, officer, victim_id, contentless=False)

    retries = [
        client.post(f"/api/v1/messages/{message['id']}/{action}", json={}, headers=bearer(officer))
        for action in ("sent", "send")
    ]

    assert first.status_code == 409
    assert [(r.status_code, r.get_json()["code"]) for r in retries] == [
        (409, "recipient_changed"),
        (409, "recipient_changed"),
    ]
    session.expire_all()
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None and stored.status == "void" and stored.sent_at is None


def test_a_change_that_keeps_the_message_safe_lets_it_go(
    client: FlaskClient, session: Session, officer: str
) -> None:
    victim_id, message = _drafted(client, officer)
    # A letter needs the postal address (GOV.UK Notify's letter rules) as well.
    address = ["Priya Shah", "7 Quillon Mews", "Tumbledown", "CF10 1AA"]
    _patch(
        client, officer, victim_id, safe_channels=["sms", "email", "letter"], postal_address=address
    )

    response = client.post(
        f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer)
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "sent"
