"""The template the officer asks for is the one used when it fits the recipient; a sibling only
for a variant the recipient needs, and the message says which and why."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Message, MessageTemplate, Team, TemplateVersion
from fieldapp.services.templates.library import import_library
from tests.factories import create_team, create_user, login
from tests.factories.cases import add_victim, open_case, record_arrest
from tests.factories.messages import write_message

KEY = "arrested-sms-en"
TWIN = "arrested-sms-en-short"


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in library and a second English SMS arrest update published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    original = session.scalars(select(MessageTemplate).where(MessageTemplate.key == KEY)).one()
    twin = MessageTemplate(
        key=TWIN, family=original.family, channel="sms", language="en",
        event_type=original.event_type, name="Arrest update (short)", published_number=1,
        latest_number=1,
    )  # fmt: skip
    session.add(twin)
    session.flush()
    source = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == original.id, TemplateVersion.status == "published"
        )
    ).one()
    body = "Short: " + source.body
    session.add(
        TemplateVersion(
            template_id=twin.id, number=1, status="published", body=body,
            fields=source.fields,
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
        )
    )  # fmt: skip
    session.commit()
    return create_team(session, name="Southbank")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.twin", team=team)
    return str(login(client, "pc.twin")["access_token"])


def written(client: FlaskClient, officer: str, key: str, **victim: object) -> dict[str, object]:
    """Write from ``key`` to a new victim with the given profile; the response body."""
    case_id = open_case(client, officer)
    record_arrest(client, officer, case_id)
    victim_id = add_victim(client, officer, case_id, **victim)
    response = write_message(client, officer, case_id, victim_id=victim_id, template_key=key)
    assert response.status_code == 201, response.get_json()
    body: dict[str, object] = response.get_json()
    return body


@pytest.mark.parametrize("key", [KEY, TWIN])
def test_either_of_two_fitting_templates_writes_from_the_one_asked_for(
    client: FlaskClient, session: Session, officer: str, key: str
) -> None:
    body = written(client, officer, key)

    assert (body["template_key"], body["requested_template_key"]) == (key, key)
    assert str(body["body"]).startswith("Short: ") is (key == TWIN)
    assert body["variant_reason"] == "requested"
    stored = session.get(Message, uuid.UUID(str(body["id"])))
    assert stored is not None
    used = session.scalar(
        select(MessageTemplate.key)
        .join(TemplateVersion, TemplateVersion.template_id == MessageTemplate.id)
        .where(TemplateVersion.id == stored.template_version_id)
    )
    assert used == key
    assert (stored.requested_template_key, stored.variant_reason) == (key, "requested")


@pytest.mark.parametrize(
    ("profile", "used", "reason"),
    [
        ({"language": "cy"}, "arrested-sms-cy", "language:cy"),
        ({"contentless": True}, "contentless-sms-en", "contentless"),
        ({"language": "bilingual"}, "arrested-sms-cy", "bilingual"),
    ],
)
def test_a_sibling_is_used_only_for_a_variant_the_recipient_needs_and_says_why(
    client: FlaskClient,
    session: Session,
    officer: str,
    profile: dict[str, object],
    used: str,
    reason: str,
) -> None:
    body = written(client, officer, TWIN, **profile)

    assert (body["template_key"], body["requested_template_key"]) == (used, TWIN)
    assert body["variant_reason"] == reason
    stored = session.scalars(select(Message)).all()
    assert len(stored) == (2 if reason == "bilingual" else 1)
    assert {m.requested_template_key for m in stored} == {TWIN}
