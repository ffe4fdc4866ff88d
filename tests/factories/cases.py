"""Plain factories for cases, their victims and events, made through the API as a phone would."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from tests.factories.users import auth, bearer


def open_case_body(client: FlaskClient, token: str, reference: str, **extra: Any) -> dict[str, Any]:
    """A new case (burglary of a home unless told otherwise) through the API; its body."""
    body = {"crime_reference": reference, "offence": "Burglary of a home", **extra}
    response = client.post("/api/v1/cases", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


_references = itertools.count(1)


def open_case(client: FlaskClient, credential: str, reference: str | None = None) -> str:
    """A new case through the API; its id."""
    reference = reference or f"42/{8000 + next(_references)}/26"
    response = client.post(
        "/api/v1/cases",
        json={"crime_reference": reference, "offence": "Burglary of a home"},
        headers=auth(credential),
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def add_victim(client: FlaskClient, credential: str, case_id: str, **extra: Any) -> str:
    """A victim on the case who takes SMS and email in English (unless told otherwise); the id."""
    body = {
        "first_name": "Priya",
        "last_name": "Shah",
        "phone": "07700 900123",
        "email": "priya@example.org",
        "preferred_channel": "sms",
        "safe_channels": ["sms", "email"],
        **extra,
    }
    response = client.post(f"/api/v1/cases/{case_id}/victims", json=body, headers=auth(credential))
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def record_arrest(
    client: FlaskClient, credential: str, case_id: str, when: datetime | None = None
) -> None:
    """An arrest on the case (an hour ago unless told otherwise), which creates a duty."""
    occurred = (when or datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"type": "arrested", "occurred_at": occurred},
        headers=auth(credential),
    )
    assert response.status_code == 201, response.get_json()


def arrest_duty(client: FlaskClient, credential: str, case_id: str) -> dict[str, Any]:
    """The case's arrest duty as the API shows it."""
    duties = client.get(f"/api/v1/duties?case_id={case_id}", headers=auth(credential)).get_json()
    return next(d for d in duties["value"] if d["event_type"] == "arrested")


def add_victim_body(client: FlaskClient, token: str, case_id: str, **extra: Any) -> dict[str, Any]:
    """A victim Sam Jones on the case who takes SMS only (unless told otherwise); the body."""
    body = {
        "first_name": "Sam",
        "last_name": "Jones",
        "phone": "07700 900123",
        "preferred_channel": "sms",
        "safe_channels": ["sms"],
        **extra,
    }
    response = client.post(f"/api/v1/cases/{case_id}/victims", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def post_event(client: FlaskClient, token: str, case_id: str, **body: Any) -> Any:
    """POST an event on the case; the response, whatever its status."""
    return client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=bearer(token))
