"""Who holds the console cookie: a live device session, checked on every request.

The cookie is Flask's signed session holding the device session's id and user id; it cannot
be forged, and it is worth nothing once the session ends (sign-out, revocation in the API,
a password, role or team change, or a timeout): that is decided in the database each time.
"""

from __future__ import annotations

import uuid

from flask import current_app, g, session

from fieldapp.api.context import request_origin
from fieldapp.database import get_database
from fieldapp.errors import Unauthorized
from fieldapp.models.base import utcnow
from fieldapp.services import console_sessions
from fieldapp.services.console_sessions import Limits

SESSION_KEY = "console_session"
USER_KEY = "console_user"


class SignInRequired(Unauthorized):
    """No live console session: the console sends the browser to "Sign in"."""

    def __init__(self, ended: str | None = None) -> None:
        super().__init__("Sign in to use the console.")
        self.ended = ended


def limits() -> Limits:
    """The configured idle and absolute limits."""
    config = current_app.config
    return Limits(idle=config["CONSOLE_IDLE_TIMEOUT"], absolute=config["CONSOLE_ABSOLUTE_TIMEOUT"])


def start(session_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Bind a fresh cookie to a new device session (a new CSRF secret too: no fixation)."""
    session.clear()
    session[SESSION_KEY] = str(session_id)
    session[USER_KEY] = str(user_id)


def forget() -> None:
    """Drop the cookie's contents."""
    session.clear()


def authenticate() -> None:
    """Load the console caller into ``g.principal``, or refuse with :class:`SignInRequired`."""
    if SESSION_KEY not in session:
        raise SignInRequired()  # nothing to forget: the cookie is left as it is
    try:
        session_id = uuid.UUID(str(session.get(SESSION_KEY)))
        user_id = uuid.UUID(str(session.get(USER_KEY)))
    except ValueError as exc:
        raise SignInRequired() from exc
    now = utcnow()
    with get_database().autocommit.connect() as connection:
        caller = console_sessions.load_caller(
            connection, session_id=session_id, user_id=user_id, now=now, limits=limits()
        )
    if caller.principal is None:
        forget()
        if caller.ended:
            with get_database().sessions() as db_session:
                console_sessions.end_idle(
                    db_session, request_origin(), session_id=session_id, now=now
                )
        raise SignInRequired(caller.ended)
    if caller.stale:
        with get_database().sessions() as db_session:
            console_sessions.touch(db_session, session_id=session_id, now=now)
    g.principal = caller.principal
