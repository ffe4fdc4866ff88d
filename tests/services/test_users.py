"""User service: finding an account by username as people type it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.services import users
from tests.factories import create_user


def test_find_user_compares_usernames_in_their_normal_form(app: Flask, session: Session) -> None:
    user = create_user(app, session, username="pc.find")
    assert users.find_user(session, " PC.Find ") is user
    assert users.find_user(session, "pc.lost") is None
