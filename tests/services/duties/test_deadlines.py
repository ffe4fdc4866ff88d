"""Overdue and due-soon duty lists: open duties only, in scope, earliest first, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import NotFound
from fieldapp.models import AuditRecord, Case, Victim
from fieldapp.services.audit import AuditContext
from fieldapp.services.duties import deadlines
from fieldapp.services.duties.deadlines import Deadlines, near_deadline
from fieldapp.services.users import principal_of
from tests.factories import create_team, create_user
from tests.services.test_compliance import NOW, create_case, create_duty

WITHIN = timedelta(hours=48)


@pytest.fixture
def teams(app: Flask, session: Session) -> dict[str, Any]:
    """Team A with overdue, due-soon and later duties; team B with one overdue duty."""
    team_a, team_b = create_team(session, name="A"), create_team(session, name="B")
    ann = create_user(app, session, team=team_a, display_name="PC Ann")
    cat = create_user(app, session, team=team_b, display_name="PC Cat")
    a1, b1 = create_case(session, ann), create_case(session, cat)
    duties = {
        "old": create_duty(session, a1, due_at=NOW - timedelta(days=90)),
        "late": create_duty(session, a1, due_at=NOW - timedelta(hours=1), event_type="charged"),
        "soon": create_duty(session, a1, due_at=NOW + timedelta(hours=47), event_type=None),
        "later": create_duty(session, a1, due_at=NOW + timedelta(hours=49)),
        "met": create_duty(session, a1, due_at=NOW - timedelta(hours=2), status="met",
                           closed_at=NOW - timedelta(hours=3)),
        "b": create_duty(session, b1, due_at=NOW - timedelta(hours=5)),
    }  # fmt: skip
    admin = create_user(app, session, team=team_a, role="admin")
    supervisor = create_user(app, session, team=team_a, role="supervisor")
    return {"a": team_a, "b": team_b, "case": a1, "duties": duties,
            "admin": principal_of(admin), "supervisor": principal_of(supervisor)}  # fmt: skip


def near(session: Session, teams: dict[str, Any], who: str, **options: Any) -> Deadlines:
    """The lists as ``who`` sees them at NOW."""
    context = AuditContext(teams[who], "performance")
    arguments: dict[str, Any] = {"team_id": None, "within": WITHIN, "now": NOW, **options}
    return near_deadline(context, reads=session, writes=session, **arguments)


def test_supervisor_sees_own_team_overdue_and_due_soon_earliest_first(
    session: Session, teams: dict[str, Any]
) -> None:
    found = near(session, teams, "supervisor")
    duties = teams["duties"]
    assert [d.duty_id for d in found.overdue.duties] == [duties["old"].id, duties["late"].id]
    assert found.overdue.total == 2
    assert [d.duty_id for d in found.due_soon.duties] == [duties["soon"].id]
    soon = found.due_soon.duties[0]
    assert (soon.crime_reference, soon.officer, soon.event_type, soon.kind) == (
        teams["case"].crime_reference, "PC Ann", None, "periodic_update"
    )  # fmt: skip
    assert found.overdue.duties[1].event_type == "charged"


def test_admin_sees_every_team_or_one(session: Session, teams: dict[str, Any]) -> None:
    assert near(session, teams, "admin").overdue.total == 3
    only_b = near(session, teams, "admin", team_id=teams["b"].id)
    assert [d.duty_id for d in only_b.overdue.duties] == [teams["duties"]["b"].id]
    assert only_b.due_soon.total == 0


def test_supervisor_naming_another_team_gets_a_404(session: Session, teams: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        near(session, teams, "supervisor", team_id=teams["b"].id)


def test_duties_of_erased_victims_and_deleted_cases_are_left_out(
    session: Session, teams: dict[str, Any]
) -> None:
    victim = session.scalars(select(Victim).where(Victim.case_id == teams["case"].id)).one()
    victim.deleted_at = NOW
    session.commit()
    assert near(session, teams, "supervisor").overdue.total == 0
    victim.deleted_at = None
    session.get_one(Case, teams["case"].id).deleted_at = NOW
    session.commit()
    assert near(session, teams, "admin").overdue.total == 1


def test_lists_stop_at_the_limit_but_count_every_duty(
    session: Session, teams: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadlines, "LIST_LIMIT", 1)
    found = near(session, teams, "supervisor")
    assert len(found.overdue.duties) == 1 and found.overdue.total == 2


def test_each_duty_shown_is_an_audited_read(session: Session, teams: dict[str, Any]) -> None:
    near(session, teams, "supervisor")
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_type == "duty").order_by(AuditRecord.seq)
    ).all()
    duties = teams["duties"]
    assert [(r.operation, r.resource_id) for r in records] == [
        ("consultation", str(duties[name].id)) for name in ("old", "late", "soon")
    ]
