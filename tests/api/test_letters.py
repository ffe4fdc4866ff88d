"""Letters through the API: written to the postal address, downloaded as a PDF to print (an
audited disclosure), refused clearly without an address, gone once the recipient is erased."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Message, Team
from fieldapp.services.templates.library import import_library
from tests.core.letters.pdf_text import page_count, text
from tests.factories import audit_rows, bearer, create_team, create_user, login
from tests.factories.cases import add_victim, open_case, record_arrest
from tests.factories.letters import ADDRESS, give_address, publish_letter_templates
from tests.factories.messages import write_message

LETTER_VICTIM = {
    "preferred_channel": "letter",
    "safe_channels": ["sms", "letter"],
    "postal_address": ADDRESS,
}


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in library and the arrest letter (en, cy) published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    publish_letter_templates(session, "en", "cy")
    return create_team(session, name="Riverside")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.letters", team=team)
    return str(login(client, "pc.letters")["access_token"])


def _letter_case(client: FlaskClient, officer: str, **victim: Any) -> tuple[str, str]:
    """A case with an arrest and a victim who takes letters: (case id, victim id)."""
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, **{**LETTER_VICTIM, **victim})
    record_arrest(client, officer, case_id)
    return case_id, victim_id


def _write(client: FlaskClient, officer: str, case_id: str, victim_id: str, key: str) -> Any:
    """Write the arrest letter; the response."""
    return write_message(client, officer, case_id, victim_id=victim_id, template_key=key)


def test_a_letter_is_written_to_the_postal_address(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)

    response = _write(client, officer, case_id, victim_id, "arrested-letter-en")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["channel"] == "letter"
    assert body["address_lines"] == ADDRESS
    assert body["recipient"] == ", ".join(ADDRESS)
    assert (body["postage"], body["print_format"]) == ("second", "standard")
    assert "printed_at" not in body or body["printed_at"] is None
    stored = session.get(Message, uuid.UUID(body["id"]))
    assert stored is not None and stored.address_lines == ADDRESS and stored.status == "drafted"


def test_a_large_print_reader_gets_a_large_print_letter(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id, accessible_format="large_print")

    response = _write(client, officer, case_id, victim_id, "arrested-letter-en")

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["print_format"] == "large_print"


@pytest.mark.parametrize("lines", [None, [], ["Priya Shah", "CF10 1AA"]])
def test_no_usable_postal_address_is_a_422_naming_it(
    client: FlaskClient, session: Session, officer: str, lines: list[str] | None
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    # The victims API refuses such an address; one stored before it checked is refused here.
    victim = give_address(session, victim_id, lines or [])
    if lines is None:
        victim.postal_address = None
        session.commit()

    response = _write(client, officer, case_id, victim_id, "arrested-letter-en")

    assert response.status_code == 422, response.get_json()
    assert "postal_address" in str(response.get_json())
    assert session.query(Message).count() == 0


def test_a_letter_downloads_as_a_pdf_once_audited_as_a_disclosure(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)
    message = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()

    response = client.get(f"/api/v1/messages/{message['id']}/letter.pdf", headers=bearer(officer))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF-")
    assert 1 <= page_count(response.data) <= 10
    shown = text(response.data)
    assert "Dear Priya," in shown
    assert all(line in shown for line in ADDRESS)
    [record] = audit_rows(session, operation="disclosure", resource_id=message["id"])
    assert record.outcome == "allowed"
    assert record.field_groups == "message_text,recipient"
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None and stored.printed_at is not None


def test_a_reprint_carries_the_first_printing_date(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)
    message = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()
    url = f"/api/v1/messages/{message['id']}/letter.pdf"

    first = client.get(url, headers=bearer(officer))
    printed = session.get(Message, uuid.UUID(message["id"]))
    assert printed is not None
    stamp = printed.printed_at
    second = client.get(url, headers=bearer(officer))

    assert first.data == second.data
    session.expire_all()
    again = session.get(Message, uuid.UUID(message["id"]))
    assert again is not None and again.printed_at == stamp


def test_a_welsh_speaker_gets_a_welsh_letter(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer, language="cy")
    give_address(session, victim_id)

    response = _write(client, officer, case_id, victim_id, "arrested-letter-en")

    assert response.status_code == 201, response.get_json()
    message = response.get_json()
    assert (message["template_key"], message["language"]) == ("arrested-letter-cy", "cy")
    pdf = client.get(f"/api/v1/messages/{message['id']}/letter.pdf", headers=bearer(officer))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_a_letter_sent_by_hand_is_confirmed_like_any_message(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)
    message = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()
    client.get(f"/api/v1/messages/{message['id']}/letter.pdf", headers=bearer(officer))

    response = client.post(
        f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer)
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "sent"


def test_a_changed_address_voids_the_letter_and_it_cannot_be_printed(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)
    message = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()
    give_address(session, victim_id, ["Priya Shah", "2 New Road", "Swansea", "SA1 1AA"])
    sent = client.post(f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer))

    response = client.get(f"/api/v1/messages/{message['id']}/letter.pdf", headers=bearer(officer))

    assert sent.status_code == 409
    assert sent.get_json()["void_reason"] == "this person's postal address changed"
    assert response.status_code == 409, response.get_json()
    assert "void" in response.get_json()["detail"]


def test_an_erased_recipients_letter_is_gone(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)
    message = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()
    etag = client.get(f"/api/v1/victims/{victim_id}", headers=bearer(officer)).headers["ETag"]
    erased = client.delete(
        f"/api/v1/victims/{victim_id}", headers={**bearer(officer), "If-Match": etag}
    )

    response = client.get(f"/api/v1/messages/{message['id']}/letter.pdf", headers=bearer(officer))

    assert erased.status_code == 204
    assert response.status_code == 410, response.get_json()
    stored = session.get(Message, uuid.UUID(message["id"]))
    assert stored is not None and stored.address_lines is None
    read = client.get(f"/api/v1/messages/{message['id']}", headers=bearer(officer)).get_json()
    assert "address_lines" not in read
    [denied] = audit_rows(session, operation="disclosure", outcome="denied")
    assert denied.resource_id == message["id"]


def test_an_sms_has_no_letter_and_another_team_sees_none(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = _letter_case(client, officer)
    sms = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    ).get_json()
    give_address(session, victim_id)
    letter = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()
    create_user(app, session, username="pc.other", team=create_team(session, name="Hillside"))
    other = str(login(client, "pc.other")["access_token"])

    not_letter = client.get(f"/api/v1/messages/{sms['id']}/letter.pdf", headers=bearer(officer))
    out_of_scope = client.get(f"/api/v1/messages/{letter['id']}/letter.pdf", headers=bearer(other))

    assert (not_letter.status_code, out_of_scope.status_code) == (404, 404)
    denied = audit_rows(session, operation="disclosure", outcome="denied")
    assert {row.resource_id for row in denied} == {sms["id"], letter["id"]}


def test_a_letter_is_queued_for_notify_like_any_message(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    app.config["MESSAGE_PROVIDER"] = "notify"
    case_id, victim_id = _letter_case(client, officer)
    give_address(session, victim_id)
    message = _write(client, officer, case_id, victim_id, "arrested-letter-en").get_json()

    response = client.post(
        f"/api/v1/messages/{message['id']}/send", json={}, headers=bearer(officer)
    )

    assert response.status_code == 202, response.get_json()
    assert (response.get_json()["status"], response.get_json()["provider"]) == ("queued", "notify")
