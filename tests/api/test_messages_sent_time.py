"""A confirmed manual send records the time the officer claims and the time the server recorded;
a claim long before the confirmation needs a reason, and the compliance figures flag it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import ContactDuty, Message, Team
from fieldapp.services.templates.library import import_library
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim, arrest_duty, open_case, record_arrest
from tests.factories.messages import write_message


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Old Town")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.clock", team=team)
    return str(login(client, "pc.clock")["access_token"])


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _written_two_hours_ago(client: FlaskClient, session: Session, officer: str) -> dict[str, Any]:
    """A drafted message for the arrest duty, written (as stored) two hours ago."""
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id, when=datetime.now(UTC) - timedelta(hours=3))
    duty = arrest_duty(client, officer, case_id)
    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    message: dict[str, Any] = response.get_json()
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None
    stored.created_at = datetime.now(UTC) - timedelta(hours=2)
    session.commit()
    return message


def _confirm(client: FlaskClient, officer: str, message_id: str, **body: Any) -> Any:
    return client.post(f"/api/v1/messages/{message_id}/sent", json=body, headers=bearer(officer))


def test_a_claim_within_the_tolerance_needs_no_reason_and_both_times_are_kept(
    client: FlaskClient, session: Session, officer: str
) -> None:
    message = _written_two_hours_ago(client, session, officer)
    claimed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)

    response = _confirm(client, officer, message["id"], sent_at=_stamp(claimed))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["sent_at"] == _stamp(claimed)
    confirmed = datetime.fromisoformat(body["confirmed_at"])
    assert confirmed - claimed >= timedelta(minutes=10)
    session.expire_all()
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None
    assert (stored.sent_at, stored.sent_reason) == (claimed, None)
    assert stored.confirmed_at is not None
    assert stored.confirmed_at.replace(microsecond=0) == confirmed.replace(microsecond=0)


def test_a_claim_long_before_the_confirmation_without_a_reason_is_refused_naming_reason(
    client: FlaskClient, session: Session, officer: str
) -> None:
    message = _written_two_hours_ago(client, session, officer)
    claimed = datetime.now(UTC) - timedelta(minutes=16)

    response = _confirm(client, officer, message["id"], sent_at=_stamp(claimed))
    blank = _confirm(client, officer, message["id"], sent_at=_stamp(claimed), reason="   ")

    assert response.status_code == blank.status_code == 422
    assert list(response.get_json()["errors"]) == ["reason"]
    session.expire_all()
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None and (stored.status, stored.sent_at) == ("drafted", None)


def test_a_claim_in_the_future_is_refused(
    client: FlaskClient, session: Session, officer: str
) -> None:
    message = _written_two_hours_ago(client, session, officer)
    claimed = datetime.now(UTC) + timedelta(hours=1)

    response = _confirm(client, officer, message["id"], sent_at=_stamp(claimed), reason="x")

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["sent_at"]


def test_an_early_claim_with_a_reason_meets_the_duty_and_the_figures_flag_it(
    app: Flask, client: FlaskClient, session: Session, officer: str, team: Team
) -> None:
    message = _written_two_hours_ago(client, session, officer)
    duty = session.get(ContactDuty, uuid.UUID(message["duty_id"]))
    assert duty is not None
    duty.due_at = datetime.now(UTC) - timedelta(minutes=30)  # passed before the confirmation
    session.commit()
    claimed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    reason = "Sent from the scene; no signal to confirm until back at the station."

    response = _confirm(client, officer, message["id"], sent_at=_stamp(claimed), reason=reason)

    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["sent_at"], response.get_json()["sent_reason"]) == (
        _stamp(claimed),
        reason,
    )
    session.expire_all()
    met = session.get(ContactDuty, duty.id)
    assert met is not None and (met.status, met.closed_at) == ("met", claimed)
    create_user(app, session, username="ps.figures", role="supervisor", team=team)
    supervisor = str(login(client, "ps.figures")["access_token"])
    figures = client.get("/api/v1/metrics/compliance", headers=bearer(supervisor)).get_json()
    assert (figures["total"]["met_on_time"], figures["total"]["met_on_time_by_claim"]) == (1, 1)
    assert "claimed" in figures["time_counted"]
