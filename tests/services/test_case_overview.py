"""The console's case overview: the API's reads, scope and audit; names only for caseworkers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import NotFound
from fieldapp.models import AuditRecord
from fieldapp.services.audit import AuditContext
from fieldapp.services.case_overview import case_overview
from fieldapp.services.users import principal_of
from tests.factories import create_team, create_user
from tests.services.test_compliance import NOW, create_case, create_duty


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    """A case in team A with two duties; a supervisor and auditor in A, a supervisor in B."""
    team_a, team_b = create_team(session), create_team(session)
    case = create_case(session, create_user(app, session, team=team_a))
    create_duty(session, case, due_at=NOW)
    create_duty(session, case, due_at=NOW, event_type=None)
    people = {
        name: principal_of(create_user(app, session, team=team, role=role))
        for name, role, team in (
            ("supervisor", "supervisor", team_a),
            ("auditor", "auditor", team_a),
            ("other", "supervisor", team_b),
            ("admin", "admin", team_b),
        )
    }
    return {"case": case, **people}


def context(world: dict[str, Any], who: str) -> AuditContext:
    """The audit context of one of the world's people."""
    return AuditContext(world[who], "supervision")


def test_supervisor_sees_case_victims_events_and_duties(
    session: Session, world: dict[str, Any]
) -> None:
    found = case_overview(session, context(world, "supervisor"), world["case"].id)
    assert found.case.id == world["case"].id
    assert found.victims is not None
    assert [(v.first_name, v.last_name) for v in found.victims] == [("Sam", "Jones")]
    assert [e.type for e in found.events] == ["arrested"]
    assert len(found.duties) == 2 and not found.more_duties
    kinds = {
        r.resource_type
        for r in session.scalars(select(AuditRecord).where(AuditRecord.outcome == "allowed"))
    }
    assert kinds >= {"case", "victim", "event", "duty"}


def test_admin_sees_a_case_of_any_team(session: Session, world: dict[str, Any]) -> None:
    assert case_overview(session, context(world, "admin"), world["case"].id).victims


def test_auditor_sees_no_names_and_no_victim_is_read(
    session: Session, world: dict[str, Any]
) -> None:
    found = case_overview(session, context(world, "auditor"), world["case"].id)
    assert found.victims is None and len(found.duties) == 2
    victim_reads = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_type == "victim")
    ).all()
    assert victim_reads == []


@pytest.mark.parametrize("case_id", ["other-team", "missing"])
def test_out_of_scope_or_missing_case_is_a_404_audited_as_denied(
    session: Session, world: dict[str, Any], case_id: str
) -> None:
    wanted = world["case"].id if case_id == "other-team" else uuid.uuid4()
    with pytest.raises(NotFound):
        case_overview(session, context(world, "other"), wanted)
    denied = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "denied")).one()
    assert (denied.resource_type, denied.resource_id) == ("case", str(wanted))
