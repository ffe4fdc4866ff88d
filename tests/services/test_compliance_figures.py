"""Every grouping at once and the weekly trend: the same counts as the API's report, one audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.errors import NotFound
from fieldapp.models import AuditRecord, Case
from fieldapp.services.audit import AuditContext
from fieldapp.services.compliance_figures import Figures, compliance_figures
from tests.services.test_compliance import (
    MARCH,
    NOW,
    build_world,
    create_duty,
    figures,
    report,
    uk,
)


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    """The compliance service tests' two teams and their March duties."""
    return build_world(app, session)


def all_figures(session: Session, actor: Principal, **options: Any) -> Figures:
    """The figures as ``actor`` asks for them, at ``NOW``, for March unless told otherwise."""
    arguments: dict[str, Any] = {**MARCH, "team_id": None, **options}
    context = AuditContext(actor=actor, purpose="performance")
    return compliance_figures(context, reads=session, writes=session, now=NOW, **arguments)


@pytest.mark.parametrize("group_by", ["team", "officer", "event_type"])
def test_each_grouping_matches_the_api_report(
    session: Session, world: dict[str, Any], group_by: str
) -> None:
    every = all_figures(session, world["admin"])
    one = report(session, world["admin"], group_by=group_by)
    assert every.groups[group_by] == one.value
    assert every.total == one.total
    assert every.ruleset_versions == one.ruleset_versions


def test_weeks_cover_the_range_and_count_by_london_deadline(
    session: Session, world: dict[str, Any]
) -> None:
    result = all_figures(session, world["admin"])
    assert [row.week.key for row in result.weeks if row.week] == [
        "2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14",
    ]  # fmt: skip
    by_week = [figures(row) for row in result.weeks]
    assert by_week == [
        (0, 0, 0, 0, 0, 0, 0, None),
        (2, 1, 0, 1, 0, 0, 0, 50.0),  # 3 March met on time (team B), 5 March missed
        (3, 1, 1, 0, 0, 1, 1, 33.3),  # 10 March on time and late, 12 March overdue
        (1, 0, 0, 0, 1, 0, 0, None),  # 20 March, still open
        (0, 0, 0, 0, 0, 0, 0, None),
        (0, 0, 0, 0, 0, 0, 0, None),
    ]
    assert sum((row for row in result.weeks), start=type(result.total)()) == result.total


def test_a_week_ends_at_midnight_on_sunday_london_time(
    session: Session, world: dict[str, Any]
) -> None:
    case = session.scalars(select(Case).where(Case.officer_in_charge_id == world["cat"].id)).one()
    create_duty(session, case, due_at=uk("2026-06-28T23:30"), status="missed")  # Sunday, BST
    create_duty(session, case, due_at=uk("2026-06-29T00:30"), status="missed")  # Monday
    result = all_figures(session, world["admin"], start=date(2026, 6, 22), end=date(2026, 7, 5))
    assert [(r.week.key, r.missed) for r in result.weeks if r.week] == [
        ("2026-W26", 1), ("2026-W27", 1)
    ]  # fmt: skip
    assert datetime(2026, 6, 28, 22, 30, tzinfo=UTC) == uk("2026-06-28T23:30")


def test_supervisor_figures_cover_their_own_team_only(
    session: Session, world: dict[str, Any]
) -> None:
    result = all_figures(session, world["supervisor"])
    assert result.team_id == world["a"].id
    assert [row.label for row in result.groups["team"]] == ["A Team"]
    assert figures(result.total) == (5, 1, 1, 1, 1, 1, 1, 25.0)
    assert sum(row.due for row in result.weeks) == 5
    with pytest.raises(NotFound):
        all_figures(session, world["supervisor"], team_id=world["b"].id)


def test_the_whole_read_is_one_audited_consultation(
    session: Session, world: dict[str, Any]
) -> None:
    all_figures(session, world["admin"], team_id=world["b"].id)
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_type == "compliance_report")
    ).all()
    assert [(r.operation, r.resource_id, r.field_groups, r.outcome) for r in records] == [
        ("consultation", str(world["b"].id), "event_type,officer,team,week", "allowed")
    ]
