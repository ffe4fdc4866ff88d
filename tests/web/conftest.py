"""Fixtures for the routing tests: two databases with different contents, and an app on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import make_app
from tests.factories import create_team, create_user
from tests.factories.audit import append
from tests.services.test_compliance import create_case, create_duty


@pytest.fixture
def replica_app(database_url: str, standby_url: str, tmp_path: Path, app: Flask) -> Flask:
    """An app on the test database with the stand-in as its replica (``app`` empties both)."""
    return make_app(database_url, tmp_path / "replica-app", REPLICA_DATABASE_URL=standby_url)


@pytest.fixture
def two_databases(app: Flask, session: Session, standby: Session) -> dict[str, Any]:
    """On the primary the North team and its people; on the replica another team's figures."""
    north = create_team(session, name="North")
    ann = create_user(app, session, team=north, username="pc.north", display_name="PC Ann")
    for username, role in (("sgt.north", "supervisor"), ("admin", "admin"), ("auditor", "auditor")):
        create_user(app, session, username=username, role=role, team=north)
    deadline = datetime.now(UTC) - timedelta(days=2)
    north_case = create_case(session, ann)
    create_duty(session, north_case, due_at=deadline, status="missed")
    standby_team = create_team(standby, name="Standby Team")
    bea = create_user(app, standby, team=standby_team, display_name="PC Bea")
    standby_case = create_case(standby, bea)
    create_duty(standby, standby_case, due_at=deadline, status="met", closed_at=deadline)
    create_duty(standby, standby_case, due_at=deadline)
    append(standby, "replica-record-1", "replica-record-2")
    return {"north_case": north_case, "standby_case": standby_case}
