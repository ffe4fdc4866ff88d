"""Who is being told, through the API: date of birth and derived enhanced rights, businesses,
postal addresses, interpreter and accessible-format needs, safe contact times and opt-out."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.models import Victim
from tests.factories import bearer
from tests.factories.cases import add_victim_body, arrest_duty, open_case, record_arrest

ADDRESS = ["Alex Morgan", "14 Lantern Row", "Tumbledown", "cf10  1aa"]
WINDOWS = [{"days": ["mon", "tue"], "from": "09:00", "to": "17:30"}]


def _create(client: FlaskClient, token: str, case_id: str, **extra: Any) -> Any:
    body = {
        "first_name": "Alex",
        "last_name": "Morgan",
        "phone": "07700 900456",
        "preferred_channel": "sms",
        "safe_channels": ["sms"],
        **extra,
    }
    return client.post(f"/api/v1/cases/{case_id}/victims", json=body, headers=bearer(token))


def _patch(client: FlaskClient, token: str, victim: dict[str, Any], **changes: Any) -> Any:
    headers = {**bearer(token), "If-Match": f'"{victim["version"]}"'}
    return client.patch(f"/api/v1/victims/{victim['id']}", json=changes, headers=headers)


def _stored(session: Session, victim_id: str) -> Victim:
    session.expire_all()
    victim = session.get(Victim, uuid.UUID(victim_id))
    assert victim is not None
    return victim


def test_needs_are_recorded_and_read_back_tidied(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    response = _create(
        client,
        duty_officer,
        case_id,
        safe_channels=["sms", "letter"],
        postal_address=ADDRESS,
        interpreter_language="pl",
        accessible_format="large_print",
        needs="Reads slowly; prefers a call before a letter.",
        safe_contact_times=WINDOWS,
        recipient_role="intermediary",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["postal_address"][-1] == "CF10 1AA"
    assert body["safe_contact_times"] == WINDOWS
    assert (body["interpreter_language"], body["accessible_format"]) == ("pl", "large_print")
    assert body["recipient_role"] == "intermediary"
    assert body["opted_out"] is False and body["enhanced_derived"] == []
    stored = _stored(session, body["id"])
    assert stored.postal_address == ["Alex Morgan", "14 Lantern Row", "Tumbledown", "CF10 1AA"]
    assert stored.needs == "Reads slowly; prefers a call before a letter."


def test_addresses_notify_would_refuse_are_422(client: FlaskClient, duty_officer: str) -> None:
    case_id = open_case(client, duty_officer)
    for address, problem in [
        (["Alex Morgan", "CF10 1AA"], "3 to 7 lines"),
        (["Alex Morgan", "14 Lantern Row", "Tumbledown"], "postcode"),
        (["@lex", "14 Lantern Row", "CF10 1AA"], "start with"),
        (["Alex Morgan", "No fixed abode", "CF10 1AA"], "real address"),
        ([*ADDRESS[:3], "a", "b", "c", "d", "CF10 1AA"], "3 to 7 lines"),
    ]:
        response = _create(client, duty_officer, case_id, postal_address=address)
        assert response.status_code == 422
        assert problem in " ".join(response.get_json()["errors"]["postal_address"])


def test_a_letter_channel_needs_a_postal_address(client: FlaskClient, duty_officer: str) -> None:
    case_id = open_case(client, duty_officer)
    response = _create(client, duty_officer, case_id, safe_channels=["sms", "letter"])
    assert response.status_code == 422
    assert "letter" in response.get_json()["errors"]["postal_address"][0]


def test_dates_of_birth_in_the_future_or_before_1900_are_refused(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    for given in (tomorrow, "1899-12-31"):
        response = _create(client, duty_officer, case_id, date_of_birth=given)
        assert response.status_code == 422
        assert "date_of_birth" in response.get_json()["errors"]


def test_interpreter_language_is_iso_639_1_and_not_english_or_welsh(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    for code in ("en", "cy", "polish", "xx"):
        response = _create(client, duty_officer, case_id, interpreter_language=code)
        assert response.status_code == 422
        assert "interpreter_language" in response.get_json()["errors"]


def test_a_business_contact_needs_the_organisation_name(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    response = _create(client, duty_officer, case_id, recipient_role="business_contact")
    assert response.status_code == 422
    assert "organisation_name" in response.get_json()["errors"]
    named = _create(
        client,
        duty_officer,
        case_id,
        recipient_role="business_contact",
        organisation_name="Lantern Row Hardware Ltd",
    )
    assert named.status_code == 201
    assert named.get_json()["organisation_name"] == "Lantern Row Hardware Ltd"


def test_malformed_safe_contact_times_are_422_by_window(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    late = [*WINDOWS, {"days": ["fri"], "from": "18:00", "to": "08:00"}]
    response = _create(client, duty_officer, case_id, safe_contact_times=late)
    assert response.status_code == 422
    assert "before" in response.get_json()["errors"]["safe_contact_times.1"][0]
    bad_day = [{"days": ["someday"], "from": "09:00", "to": "10:00"}]
    assert _create(client, duty_officer, case_id, safe_contact_times=bad_day).status_code == 422


def test_a_parent_of_a_child_gets_enhanced_rights_with_the_reason_and_shorter_deadlines(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    parent = add_victim_body(client, duty_officer, case_id, recipient_role="parent_guardian")
    record_arrest(client, duty_officer, case_id)
    standard_due = arrest_duty(client, duty_officer, case_id)["due_at"]
    child = (date.today() - timedelta(days=365 * 9)).isoformat()
    response = _patch(client, duty_officer, parent, date_of_birth=child)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["enhanced_rights"] is True
    assert [d["basis"] for d in body["enhanced_derived"]] == ["vulnerable"]
    assert "under 18" in body["enhanced_derived"][0]["because"]
    assert arrest_duty(client, duty_officer, case_id)["due_at"] < standard_due
    stored = _stored(session, parent["id"])
    assert stored.enhanced_rights and stored.enhanced_derived[0]["basis"] == "vulnerable"


def test_enhanced_rights_cannot_be_switched_off_while_derived(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    spokesperson = add_victim_body(
        client, duty_officer, case_id, recipient_role="family_spokesperson"
    )
    assert spokesperson["enhanced_rights"] is True
    response = _patch(client, duty_officer, spokesperson, enhanced_rights=False)
    assert response.status_code == 422
    problem = response.get_json()
    assert "bereaved" in problem["detail"].lower()
    assert problem["errors"]["enhanced_rights"]


def test_a_corrected_date_of_birth_ends_the_derived_rights(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    child = (date.today() - timedelta(days=365 * 12)).isoformat()
    parent = add_victim_body(
        client, duty_officer, case_id, recipient_role="parent_guardian", date_of_birth=child
    )
    assert parent["enhanced_rights"] is True
    response = _patch(client, duty_officer, parent, date_of_birth="1990-01-01")
    assert response.status_code == 200
    assert response.get_json()["enhanced_rights"] is False
    assert response.get_json()["enhanced_derived"] == []


def test_opting_out_records_when_and_how_and_opting_back_in_clears_it(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    victim = add_victim_body(client, duty_officer, case_id)
    when = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    missing_how = _patch(client, duty_officer, victim, opted_out_at=when)
    assert missing_how.status_code == 422
    assert "opted_out_how" in missing_how.get_json()["errors"]
    response = _patch(
        client, duty_officer, victim, opted_out_at=when, opted_out_how="phone",
        opted_out_note="Said on the phone they want no more texts.",
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["opted_out"], body["opted_out_at"], body["opted_out_how"]) == (True, when, "phone")
    back = _patch(client, duty_officer, body, opted_out_at=None)
    assert back.status_code == 200
    assert back.get_json()["opted_out"] is False and "opted_out_how" not in back.get_json()
    assert _stored(session, victim["id"]).opted_out_note is None


def test_an_opt_out_in_the_future_is_refused(client: FlaskClient, duty_officer: str) -> None:
    case_id = open_case(client, duty_officer)
    victim = add_victim_body(client, duty_officer, case_id)
    later = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = _patch(client, duty_officer, victim, opted_out_at=later, opted_out_how="sms")
    assert response.status_code == 422


def test_erasure_blanks_the_needs_and_address(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    victim = _create(
        client, duty_officer, case_id, safe_channels=["sms", "letter"], postal_address=ADDRESS,
        needs="Hard of hearing.", date_of_birth="1980-05-01", safe_contact_times=WINDOWS,
    ).get_json()  # fmt: skip
    headers = {**bearer(duty_officer), "If-Match": f'"{victim["version"]}"'}
    assert client.delete(f"/api/v1/victims/{victim['id']}", headers=headers).status_code == 204
    stored = _stored(session, victim["id"])
    assert (stored.postal_address, stored.needs, stored.date_of_birth) == (None, None, None)
    assert stored.safe_contact_times is None
