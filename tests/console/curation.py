"""What the curation page tests share: who curates, who reads, who is refused; their clients."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.models import User
from tests.console.conftest import console_login
from tests.factories import create_team, create_user

ROLES = {
    "alice": "supervisor",
    "bob": "supervisor",
    "ada": "admin",
    "audrey": "auditor",
    "owen": "officer",
}


@dataclass
class People:
    """Users by first name (two supervisors, an admin, an auditor, an officer)."""

    app: Flask
    users: dict[str, User]

    def __getitem__(self, name: str) -> User:
        return self.users[name]

    def client(self, name: str) -> FlaskClient:
        """A test client signed in to the console as ``name``."""
        client = self.app.test_client()
        console_login(client, self.users[name].username)
        return client


def create_people(app: Flask, session: Session) -> People:
    """One user for each role the curation pages treat differently, in one team."""
    team = create_team(session)
    users = {
        name: create_user(app, session, role=role, team=team, username=name)
        for name, role in ROLES.items()
    }
    return People(app, users)
