"""The message write's one read (``services/messages/sources.py``), built once for every caller.

The statement is shared by every request; only its bound values and the caller's scope differ.
These pin that nothing of one request's read (ids, scope) carries over into the next.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Message, Team
from fieldapp.services.templates.library import import_library
from tests.factories import create_team, create_user, login
from tests.factories.cases import add_victim_body, open_case, record_arrest
from tests.factories.messages import write_message


@pytest.fixture
def team(session: Session) -> Team:
    """The officers' team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Sources")


def _officer(app: Flask, client: FlaskClient, session: Session, team: Team, name: str) -> str:
    """A signed-in officer of ``team``: the token."""
    create_user(app, session, username=name, team=team, display_name="Sam Ashworth")
    return str(login(client, name)["access_token"])


def _arrested_case(client: FlaskClient, token: str) -> tuple[str, str]:
    """A case with an SMS-only victim and an arrest: (case id, victim id)."""
    case_id = open_case(client, token)
    victim_id = str(add_victim_body(client, token, case_id)["id"])
    record_arrest(client, token, case_id)
    return case_id, victim_id


def _write(client: FlaskClient, token: str, case_id: str, victim_id: str) -> tuple[int, object]:
    """The arrest update for the victim: (status, body)."""
    response = write_message(
        client, token, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    )
    return response.status_code, response.get_json()


def test_each_write_reads_its_own_case_and_victim(
    app: Flask, client: FlaskClient, session: Session, team: Team
) -> None:
    token = _officer(app, client, session, team, "pc.sources")
    first, second = _arrested_case(client, token), _arrested_case(client, token)

    assert _write(client, token, *first)[0] == 201
    assert _write(client, token, *second)[0] == 201
    # The first case's victim on the second case: no such victim there.
    assert _write(client, token, second[0], first[1])[0] == 404

    written = session.execute(select(Message.case_id, Message.victim_id)).all()
    assert sorted(written) == sorted(
        (uuid.UUID(case_id), uuid.UUID(victim_id)) for case_id, victim_id in (first, second)
    )


def test_one_callers_scope_does_not_stick_to_the_next(
    app: Flask, client: FlaskClient, session: Session, team: Team
) -> None:
    own = _officer(app, client, session, team, "pc.own")
    other = _officer(app, client, session, create_team(session, name="Elsewhere"), "pc.other")
    case_id, victim_id = _arrested_case(client, own)

    status, body = _write(client, other, case_id, victim_id)
    # Had the other team's filter stuck to the shared statement, this would be a 404 too.
    own_status, own_body = _write(client, own, case_id, victim_id)

    assert status == 404, body
    assert own_status == 201, own_body
    assert len(session.scalars(select(Message.id)).all()) == 1
