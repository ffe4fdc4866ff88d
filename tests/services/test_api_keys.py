"""API-key service: key shape, hashing, and how often last use is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.api_key_states import KeyState
from fieldapp.core.principal import Principal
from fieldapp.database import get_database
from fieldapp.errors import InvalidApiKey
from fieldapp.models import ApiKey
from fieldapp.models.base import utcnow
from fieldapp.services import api_keys
from fieldapp.services.audit import AuditContext
from tests.factories import create_user


@pytest.mark.parametrize(
    ("presented", "prefix"),
    [
        ("fa_ab12cd34_se_cr-et", "ab12cd34"),
        ("fa_ab12cd34_", None),
        ("xx_ab12cd34_secret", None),
        ("fa__secret", None),
        ("fa_ab12cd34_" + "s" * 300, None),
    ],
)
def test_key_prefix_reads_only_well_formed_keys(presented: str, prefix: str | None) -> None:
    assert api_keys.key_prefix(presented) == prefix


def test_last_use_is_written_at_most_once_a_minute(app: Flask, session: Session) -> None:
    user = create_user(app, session, username="pc.keys", role="officer")
    actor = Principal.of_user(user, team_name=user.team.name)
    start = utcnow()
    issued = api_keys.create_key(
        session,
        context=AuditContext(actor=actor, purpose="test"),
        data={"name": "K", "user_id": user.id, "scopes": ["cases:read"], "rate_limit": "9/hour"},
        now=start,
    )
    session.commit()
    with get_database(app).autocommit.connect() as connection:
        caller = api_keys.authenticate(connection, presented=issued.key, now=start)
        api_keys.authenticate(connection, presented=issued.key, now=start + timedelta(seconds=30))
        with pytest.raises(InvalidApiKey):
            api_keys.authenticate(connection, presented=issued.key + "x", now=start)
    assert caller.principal.api_key_id == issued.record.id
    assert caller.principal.audit_name == f"pc.keys [key fa_{issued.record.prefix}]"
    assert caller.scopes == {"cases:read"} and caller.rate_limit == "9/hour"
    session.expire_all()
    assert session.scalar(select(ApiKey.last_used_at)) == start


def test_state_of_a_stored_key_follows_its_user_and_revocation(
    app: Flask, session: Session
) -> None:
    user = create_user(app, session, username="pc.state", role="officer")
    actor = Principal.of_user(user, team_name=user.team.name)
    now = utcnow()
    data = {"name": "K", "user_id": user.id, "scopes": ["cases:read"], "rate_limit": "9/hour"}
    issued = api_keys.create_key(
        session, context=AuditContext(actor=actor, purpose="test"), data=data, now=now
    )
    session.commit()
    assert api_keys.state_of(issued.record, now=now) is KeyState.LIVE
    user.disabled = True
    assert api_keys.state_of(issued.record, now=now) is KeyState.USER_DISABLED
    issued.record.revoked_at = now
    assert api_keys.state_of(issued.record, now=now) is KeyState.REVOKED
    session.rollback()
