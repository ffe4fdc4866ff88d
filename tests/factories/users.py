"""Plain factories for teams and users, and the sign-in and credential headers tests use."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.api.context import PASSWORDS_KEY
from fieldapp.models import Team, User
from fieldapp.services import teams, users

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def create_team(session: Session, **overrides: Any) -> Team:
    """A team with a unique name."""
    name = overrides.get("name", f"Team {next(_counter)}")
    team = teams.create_team(session, name=name)
    session.commit()
    return team


def create_user(app: Flask, session: Session, **overrides: Any) -> User:
    """A user (officer unless told otherwise) whose password is ``PASSWORD``."""
    team = overrides.pop("team", None) or create_team(session)
    number = next(_counter)
    data = {
        "username": f"user{number}",
        "password": PASSWORD,
        "display_name": f"User {number}",
        "role": "officer",
        "team": team.name,
        "rank": "Constable",
        "collar_number": str(1000 + number),
        **overrides,
    }
    user = users.create_user(session, None, passwords=app.extensions[PASSWORDS_KEY], data=data)
    session.commit()
    return user


def login(
    client: FlaskClient, username: str, password: str = PASSWORD, device: str = "Test phone"
) -> dict[str, Any]:
    """Sign in and return the token pair, failing loudly if sign-in fails."""
    response = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "device_name": device},
    )
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def auth(credential: str) -> dict[str, str]:
    """The header for a credential: a JWT (it has dots) as a bearer token, else an API key."""
    return bearer(credential) if "." in credential else {"X-API-Key": credential}


def sign_in(app: Flask, client: FlaskClient, session: Session, username: str, **kw: Any) -> str:
    """A new user called ``username`` (with any other ``create_user`` overrides), signed in;
    their access token."""
    create_user(app, session, username=username, **kw)
    return str(login(client, username)["access_token"])
