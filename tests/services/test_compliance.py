"""Compliance figures: which duties count, how each outcome is counted, and who sees what."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.models import AuditRecord, Case, ContactDuty, InvestigationEvent, Team, User, Victim
from fieldapp.services import compliance
from fieldapp.services.audit import AuditContext
from fieldapp.services.compliance import Counts, Report
from fieldapp.services.users import principal_of
from tests.factories import create_team, create_user

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
_references = itertools.count(1)


def create_case(session: Session, officer: User) -> Case:
    """A case in the officer's team, with the officer in charge, and one victim."""
    case = Case(
        crime_reference=f"42/{next(_references):04d}/26",
        offence="Burglary of a home",
        team_id=officer.team_id,
        officer_in_charge_id=officer.id,
    )
    session.add(case)
    session.flush()
    session.add(
        Victim(case_id=case.id, first_name="Sam", last_name="Jones", recipient_role="victim",
               preferred_channel="letter", safe_channels=["letter"])
    )  # fmt: skip
    session.commit()
    return case


def create_duty(
    session: Session,
    case: Case,
    *,
    due_at: datetime,
    status: str = "open",
    closed_at: datetime | None = None,
    event_type: str | None = "arrested",
    ruleset_version: str = "2020-code.1",
) -> ContactDuty:
    """A duty on the case for its victim: an event duty, or a periodic one without an event."""
    victim = session.scalars(select(Victim).where(Victim.case_id == case.id)).first()
    assert victim is not None
    event_id = None
    if event_type is not None:
        event = InvestigationEvent(
            case_id=case.id, type=event_type, occurred_at=due_at - timedelta(days=7),
            recorded_at=due_at - timedelta(days=7), recorded_by_id=case.officer_in_charge_id,
        )  # fmt: skip
        session.add(event)
        session.flush()
        event_id = event.id
    duty = ContactDuty(
        case_id=case.id, victim_id=victim.id, event_id=event_id,
        kind="key_decision" if event_type else "periodic_update", title="Tell the victim",
        due_at=due_at, ruleset_version=ruleset_version, status=status, closed_at=closed_at,
    )  # fmt: skip
    session.add(duty)
    session.commit()
    return duty


def uk(text: str) -> datetime:
    """A London wall-clock time as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=compliance.LONDON).astimezone(UTC)


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    """Two teams; team A's two officers and team B's one, each with known March duties."""
    return build_world(app, session)


def build_world(app: Flask, session: Session) -> dict[str, Any]:
    """Two teams; team A's two officers and team B's one, each with known March duties."""
    team_a, team_b = create_team(session, name="A Team"), create_team(session, name="B Team")
    ann = create_user(app, session, team=team_a, display_name="PC Ann")
    bob = create_user(app, session, team=team_a, display_name="PC Bob")
    cat = create_user(app, session, team=team_b, display_name="PC Cat")
    a1, a2, b1 = create_case(session, ann), create_case(session, bob), create_case(session, cat)
    deadline = uk("2026-03-10T23:59:59")
    create_duty(session, a1, due_at=deadline, status="met", closed_at=uk("2026-03-09T10:00"))
    create_duty(session, a1, due_at=deadline, status="met", closed_at=uk("2026-03-12T10:00"))
    create_duty(session, a1, due_at=uk("2026-03-05T23:59:59"), status="missed",
                event_type="charged", closed_at=uk("2026-03-06T09:00"))  # fmt: skip
    create_duty(session, a2, due_at=uk("2026-03-20T23:59:59"), event_type="charged",
                ruleset_version="2020-code.2")  # fmt: skip
    create_duty(session, a2, due_at=uk("2026-03-12T23:59:59"), event_type=None)
    create_duty(session, a2, due_at=uk("2026-03-11T23:59:59"), status="not_required",
                closed_at=uk("2026-03-02T10:00"), ruleset_version="2019-draft")  # fmt: skip
    create_duty(session, b1, due_at=uk("2026-03-03T23:59:59"), status="met",
                event_type="interviewed", closed_at=uk("2026-03-03T23:59:59"))  # fmt: skip
    # Outside March in London time, though each is within a day of it in UTC.
    create_duty(session, b1, due_at=uk("2026-02-28T23:59:59"), status="missed")
    create_duty(session, b1, due_at=uk("2026-04-01T00:30"), status="missed")
    admin = create_user(app, session, team=team_a, role="admin")
    supervisor = create_user(app, session, team=team_a, role="supervisor")
    return {"a": team_a, "b": team_b, "ann": ann, "bob": bob, "cat": cat,
            "admin": principal_of(admin), "supervisor": principal_of(supervisor)}  # fmt: skip


def report(session: Session, actor: Principal, **options: Any) -> Report:
    """The figures as ``actor`` asks for them, at ``NOW``, for March unless told otherwise."""
    arguments: dict[str, Any] = {**MARCH, "group_by": "team", "team_id": None, **options}
    context = AuditContext(actor=actor, purpose="performance")
    return compliance.compliance_report(
        context, reads=session, writes=session, now=NOW, **arguments
    )


def figures(counts: Counts) -> tuple[Any, ...]:
    """due, met on time, met late, missed, open, overdue, not required, on-time percent."""
    return (counts.due, counts.met_on_time, counts.met_late, counts.missed, counts.open,
            counts.overdue, counts.not_required, counts.on_time_percent)  # fmt: skip


def test_admin_sees_every_team_counted_by_outcome(session: Session, world: dict[str, Any]) -> None:
    result = report(session, world["admin"])
    assert [(row.key, row.label) for row in result.value] == [
        (str(world["a"].id), "A Team"), (str(world["b"].id), "B Team"),
    ]  # fmt: skip
    assert figures(result.value[0]) == (5, 1, 1, 1, 1, 1, 1, 25.0)
    assert figures(result.value[1]) == (1, 1, 0, 0, 0, 0, 0, 100.0)
    assert figures(result.total) == (6, 2, 1, 1, 1, 1, 1, 40.0)
    assert result.team_id is None and result.generated_at == NOW
    assert result.ruleset_versions == ["2020-code.1", "2020-code.2"]


def test_figures_by_officer_follow_the_officer_in_charge(
    session: Session, world: dict[str, Any]
) -> None:
    result = report(session, world["admin"], group_by="officer")
    by_label = {row.label: (row.key, figures(row)) for row in result.value}
    assert by_label == {
        "PC Ann": (str(world["ann"].id), (3, 1, 1, 1, 0, 0, 0, 33.3)),
        "PC Bob": (str(world["bob"].id), (2, 0, 0, 0, 1, 1, 1, 0.0)),
        "PC Cat": (str(world["cat"].id), (1, 1, 0, 0, 0, 0, 0, 100.0)),
    }
    assert figures(result.total) == (6, 2, 1, 1, 1, 1, 1, 40.0)


def test_figures_by_event_type_put_periodic_updates_under_their_kind(
    session: Session, world: dict[str, Any]
) -> None:
    result = report(session, world["admin"], group_by="event_type")
    assert {row.key: figures(row) for row in result.value} == {
        "arrested": (2, 1, 1, 0, 0, 0, 1, 50.0),
        "charged": (2, 0, 0, 1, 1, 0, 0, 0.0),
        "interviewed": (1, 1, 0, 0, 0, 0, 0, 100.0),
        "periodic_update": (1, 0, 0, 0, 0, 1, 0, 0.0),
    }
    assert [row.label for row in result.value] == sorted(row.key for row in result.value)


def test_supervisor_sees_only_their_own_team(session: Session, world: dict[str, Any]) -> None:
    result = report(session, world["supervisor"], group_by="officer")
    assert {row.label for row in result.value} == {"PC Ann", "PC Bob"}
    assert result.team_id == world["a"].id
    assert figures(result.total) == (5, 1, 1, 1, 1, 1, 1, 25.0)
    own = report(session, world["supervisor"], team_id=world["a"].id)
    assert figures(own.total) == figures(result.total)


def test_supervisor_naming_another_team_gets_a_404_audited_as_denied(
    session: Session, world: dict[str, Any]
) -> None:
    with pytest.raises(NotFound):
        report(session, world["supervisor"], team_id=world["b"].id)
    denied = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_type == "compliance_report")
    ).one()
    assert (denied.resource_type, denied.resource_id, denied.outcome) == (
        "compliance_report", str(world["b"].id), "denied",
    )  # fmt: skip


def test_admin_may_narrow_to_one_team_but_not_an_unknown_one(
    session: Session, world: dict[str, Any]
) -> None:
    result = report(session, world["admin"], team_id=world["b"].id)
    assert [row.label for row in result.value] == ["B Team"]
    assert figures(result.total) == (1, 1, 0, 0, 0, 0, 0, 100.0)
    with pytest.raises(NotFound):
        report(session, world["admin"], team_id=uuid.uuid4())


def test_reading_the_figures_is_audited_once_as_a_statistics_consultation(
    session: Session, world: dict[str, Any]
) -> None:
    report(session, world["admin"], group_by="officer")
    report(session, world["supervisor"])
    records = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.resource_type == "compliance_report")
        .order_by(AuditRecord.seq)
    ).all()
    assert [(r.operation, r.resource_type, r.resource_id, r.field_groups) for r in records] == [
        ("consultation", "compliance_report", "all", "officer"),
        ("consultation", "compliance_report", str(world["a"].id), "team"),
    ]


def test_range_edges_are_whole_london_days_in_summer_time(
    session: Session, world: dict[str, Any]
) -> None:
    case = session.scalars(select(Case).where(Case.officer_in_charge_id == world["cat"].id)).one()
    # 23:30 BST on the last day is 22:30 UTC: it counts. 00:30 BST the next day does not.
    create_duty(session, case, due_at=uk("2026-06-30T23:30"), status="missed")
    create_duty(session, case, due_at=uk("2026-07-01T00:30"), status="missed")
    create_duty(session, case, due_at=uk("2026-06-01T00:00"), status="missed")
    create_duty(session, case, due_at=uk("2026-05-31T23:59:59"), status="missed")
    june = report(session, world["admin"], start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert june.total.missed == 2
    last_day = report(session, world["admin"], start=date(2026, 6, 30), end=date(2026, 6, 30))
    assert last_day.total.due == 1


def test_an_empty_range_has_zero_counts_and_no_percentage(
    session: Session, world: dict[str, Any]
) -> None:
    result = report(session, world["admin"], start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert result.value == [] and result.ruleset_versions == []
    assert figures(result.total) == (0, 0, 0, 0, 0, 0, 0, None)


def test_a_group_with_only_open_duties_has_no_percentage(
    session: Session, world: dict[str, Any]
) -> None:
    result = report(session, world["admin"], start=date(2026, 3, 20), end=date(2026, 3, 20))
    assert figures(result.total) == (1, 0, 0, 0, 1, 0, 0, None)


@pytest.mark.parametrize(
    ("due", "on_time", "open_", "percent"),
    [(3, 2, 0, 66.7), (16, 1, 0, 6.3), (5, 0, 5, None), (0, 0, 0, None), (4, 1, 2, 50.0)],
)
def test_on_time_percent_is_rounded_half_up_over_settled_duties(
    due: int, on_time: int, open_: int, percent: float | None
) -> None:
    counts = Counts(due=due, met_on_time=on_time, open=open_)
    assert counts.on_time_percent == percent


def test_default_range_is_the_28_days_up_to_today() -> None:
    today = date(2026, 3, 15)
    assert compliance.report_period(None, None, today=today) == (date(2026, 2, 16), today)
    assert compliance.report_period(date(2026, 3, 1), None, today=today) == (
        date(2026, 3, 1), today,
    )  # fmt: skip
    assert compliance.report_period(None, date(2026, 1, 28), today=today) == (
        date(2026, 1, 1), date(2026, 1, 28),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 3, 2), date(2026, 3, 1)), (date(2025, 1, 1), date(2026, 1, 2))],
)
def test_backwards_or_overlong_ranges_are_refused(start: date, end: date) -> None:
    with pytest.raises(ValidationFailed) as refused:
        compliance.report_period(start, end, today=date(2026, 3, 15))
    assert refused.value.errors is not None and "to" in refused.value.errors


def test_a_whole_leap_year_is_allowed() -> None:
    start, end = date(2028, 1, 1), date(2028, 12, 31)
    assert compliance.report_period(start, end, today=date(2026, 3, 15)) == (start, end)


def test_utc_bounds_follow_the_clock_change() -> None:
    assert compliance.utc_bounds(date(2026, 3, 1), date(2026, 3, 31)) == (
        datetime(2026, 3, 1, 0, 0, tzinfo=UTC), datetime(2026, 3, 31, 23, 0, tzinfo=UTC),
    )  # fmt: skip


def test_duties_of_deleted_cases_are_not_counted(session: Session, world: dict[str, Any]) -> None:
    case = session.scalars(select(Case).where(Case.officer_in_charge_id == world["cat"].id)).one()
    case.deleted_at = NOW
    session.commit()
    result = report(session, world["admin"])
    assert [row.label for row in result.value] == ["A Team"]
    assert session.get(Team, world["b"].id) is not None


def test_a_duty_met_by_an_event_recorded_late_is_on_time_by_claim(
    app: Flask, session: Session
) -> None:
    officer = create_user(app, session)
    case = create_case(session, officer)
    deadline = uk("2026-03-10T23:59:59")
    duty = create_duty(session, case, due_at=deadline)
    referral = InvestigationEvent(
        case_id=case.id, type="support_referral", occurred_at=uk("2026-03-10T15:00"),
        recorded_at=uk("2026-03-12T09:00"), recorded_by_id=officer.id,
    )  # fmt: skip
    session.add(referral)
    session.flush()
    duty.status, duty.closed_at, duty.met_by_event_id = "met", referral.occurred_at, referral.id
    session.commit()
    admin = principal_of(create_user(app, session, team=officer.team, role="admin"))
    total = report(session, admin).total
    assert (total.met_on_time, total.met_on_time_by_claim) == (1, 1)
