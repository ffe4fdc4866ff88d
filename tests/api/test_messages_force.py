"""What a message says about the force follows its language (FIELDAPP_FORCE_<NAME>_CY)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Message
from fieldapp.services.templates.library import import_library
from tests.factories import create_team, create_user, login
from tests.factories.cases import add_victim, open_case, post_event
from tests.factories.messages import write_message


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session) -> str:
    """A signed-in officer's token, with the built-in library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    team = create_team(session, name="Westfield Response")
    create_user(app, session, username="pc.force", team=team, display_name="Sam Ashworth")
    return str(login(client, "pc.force")["access_token"])


def test_a_bilingual_message_names_the_force_in_each_language(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    app.config["FORCE"]["cy"] = {**app.config["FORCE"]["cy"], "name": "Heddlu Enghreifftiol"}
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, language="bilingual")
    occurred = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    post_event(client, officer, case_id, type="crime_recorded", occurred_at=occurred)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="crime-recorded-sms-en"
    )

    assert response.status_code == 201, response.get_json()
    welsh, english = session.scalars(select(Message).order_by(Message.language)).all()
    assert "Heddlu Enghreifftiol" in welsh.body
    assert "Demo Constabulary" not in welsh.body
    assert "Demo Constabulary" in english.body
