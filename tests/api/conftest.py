"""Fixtures the API tests of victims, events and duties share."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.models import Team
from tests.factories import create_team, create_user, login


@pytest.fixture
def duty_team(session: Session) -> Team:
    """The duty officer's team."""
    return create_team(session, name="Westfield Response")


@pytest.fixture
def duty_officer(app: Flask, client: FlaskClient, session: Session, duty_team: Team) -> str:
    """A signed-in officer's token, for victims, their events and the duties they create."""
    create_user(app, session, username="pc.duty", team=duty_team, display_name="PC Duty")
    return str(login(client, "pc.duty")["access_token"])
