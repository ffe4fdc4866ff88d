"""Victims' Code compliance figures: contact duties due in a date range, counted by outcome.

One version of the truth for performance meetings. A duty counts in the range when the London
calendar date of its deadline falls within ``[start, end]``; the counting is done by the database
(one GROUP BY with CASE sums), so it costs the same for ten duties or a million.

Which time counts: a duty is met when the message that answers it was sent. For a manual send
that is the time the officer gave when confirming it (``TIME_COUNTED``); a time more than the
tolerance before the confirmation needs their reason, and ``met_on_time_by_claim`` flags the
duties met on time only by such a claim, recorded by the server after the deadline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from fieldapp.core.victims_code import LONDON
from fieldapp.errors import ValidationFailed
from fieldapp.models import Case, ContactDuty, InvestigationEvent, Message, Team, User
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.scope import deny, in_scope, sees_all_teams

RESOURCE = "compliance_report"
GROUPINGS = ("team", "officer", "event_type")
DEFAULT_DAYS = 28
MAX_DAYS = 366
TIME_COUNTED = (
    "A duty met by a message counts at the message's sent_at: when Notify accepted it, or for "
    "a manual send the time the officer gave (one more than 15 minutes before the confirmation "
    "needs their reason; confirmed_at keeps when the server recorded it). A duty met by an "
    "event (a referral made) counts at the time the event happened. met_on_time_by_claim "
    "counts the duties met on time by such a claimed time although recorded after the deadline."
)
# The event that met a duty (a referral, a statement taken), beside the event that created it.
MetEvent = aliased(InvestigationEvent, name="met_event")


@dataclass(frozen=True)
class Counts:
    """How the duties of one group (or of all groups) turned out."""

    due: int = 0
    met_on_time: int = 0
    met_late: int = 0
    missed: int = 0
    open: int = 0
    overdue: int = 0
    not_required: int = 0
    # Met on time by the sent time an officer claimed, though recorded after the deadline.
    met_on_time_by_claim: int = 0

    @property
    def on_time_percent(self) -> float | None:
        """Met on time as a share of the duties already decided or overdue; None without any."""
        settled = self.due - self.open
        if settled == 0:
            return None
        share = Decimal(self.met_on_time * 100) / Decimal(settled)
        return float(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def __add__(self, other: Counts) -> Counts:
        """Field-by-field sum, for the total row."""
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)))


@dataclass(frozen=True)
class Row(Counts):
    """One group's figures: its key (a team or user id, or an event type) and a label."""

    key: str = ""
    label: str = ""


@dataclass(frozen=True)
class Report:
    """The figures for one range, scope and grouping."""

    start: date
    end: date
    group_by: str
    team_id: uuid.UUID | None
    generated_at: datetime
    total: Counts
    value: list[Row]
    ruleset_versions: list[str]


def report_period(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The inclusive range asked for; 422 if backwards or longer than 366 days.

    ``to`` defaults to today and ``from`` to 27 days before ``to`` (28 days in all).
    """
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationFailed(errors={"to": ["'to' must be on or after 'from'."]})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(errors={"to": [f"A range covers at most {MAX_DAYS} days."]})
    return start, end


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants where London's ``start`` day begins and the day after ``end`` begins."""
    return (
        datetime.combine(start, time.min, tzinfo=LONDON).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(UTC),
    )


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet a condition (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class DutyColumns:
    """The columns the counts read: of the joined tables, or of a subquery that selects them."""

    status: Any
    due_at: Any
    closed_at: Any
    confirmed_at: Any  # when the server recorded the message that met the duty
    met_recorded_at: Any  # when the server recorded the event that met it


JOINED = DutyColumns(
    ContactDuty.status,
    ContactDuty.due_at,
    ContactDuty.closed_at,
    Message.confirmed_at,
    MetEvent.recorded_at,
)


def count_columns(now: datetime, columns: DutyColumns = JOINED) -> list[ColumnElement[int]]:
    """The CASE sums, in the order of the ``Counts`` fields."""
    status, due_at, closed_at = columns.status, columns.due_at, columns.closed_at
    is_open = status == "open"
    return [
        _sum(status != "not_required"),
        _sum(and_(status == "met", closed_at <= due_at)),
        # A met duty without a closing time cannot prove it was on time, so it counts as late.
        _sum(and_(status == "met", or_(closed_at.is_(None), closed_at > due_at))),
        _sum(status == "missed"),
        _sum(and_(is_open, due_at >= now)),
        _sum(and_(is_open, due_at < now)),
        _sum(status == "not_required"),
        _sum(
            and_(
                status == "met",
                closed_at <= due_at,
                or_(columns.confirmed_at > due_at, columns.met_recorded_at > due_at),
            )
        ),
    ]


def counted_duties() -> Select[Any]:
    """Duties joined to their case and to what met them: the FROM of every count."""
    return (
        select()
        .select_from(ContactDuty)
        .join(Case, Case.id == ContactDuty.case_id)
        .outerjoin(Message, Message.id == ContactDuty.message_id)
        .outerjoin(MetEvent, MetEvent.id == ContactDuty.met_by_event_id)
    )


def _grouped(group_by: str, now: datetime) -> Select[Any]:
    """The counting query for one grouping: key, label, then the counts."""
    query = counted_duties()
    key: Any
    label: Any
    if group_by == "team":
        key, label = Case.team_id, Team.name
        query = query.join(Team, Team.id == Case.team_id)
    elif group_by == "officer":
        key, label = Case.officer_in_charge_id, User.display_name
        query = query.join(User, User.id == Case.officer_in_charge_id)
    else:
        # Periodic updates have no event: their kind ('periodic_update') stands in.
        key = label = func.coalesce(InvestigationEvent.type, ContactDuty.kind)
        query = query.outerjoin(InvestigationEvent, InvestigationEvent.id == ContactDuty.event_id)
    query = query.add_columns(key, label, *count_columns(now))
    return query.group_by(key, label).order_by(label, key)


def scope_team(
    context: AuditContext, team_id: uuid.UUID | None, *, reads: Session, writes: Session
) -> uuid.UUID | None:
    """The team the figures cover: a supervisor's own; an admin's choice or every team.

    A refusal is recorded (and committed) with ``writes``; the team is looked up with ``reads``.
    """
    actor = context.actor
    if not sees_all_teams(actor):
        if team_id is None or in_scope(actor, team_id):
            return actor.team_id
    elif team_id is None or reads.get(Team, team_id) is not None:
        return team_id
    deny(
        writes,
        context,
        resource_type=RESOURCE,
        resource_id=team_id,
        message="No such team, or not one whose figures you may see.",
    )


def duty_filters(
    team_id: uuid.UUID | None, bounds: tuple[datetime, datetime]
) -> list[ColumnElement[bool]]:
    """Which duties count: due in the range, on live cases, in the team if one is set."""
    where = [
        ContactDuty.due_at >= bounds[0],
        ContactDuty.due_at < bounds[1],
        Case.deleted_at.is_(None),
    ]
    if team_id is not None:
        where.append(Case.team_id == team_id)
    return where


def ruleset_versions(session: Session, where: Sequence[ColumnElement[bool]]) -> list[str]:
    """The distinct rule-set versions of the counted (not not_required) duties."""
    query = (
        select(ContactDuty.ruleset_version)
        .join(Case, Case.id == ContactDuty.case_id)
        .where(*where, ContactDuty.status != "not_required")
        .distinct()
        .order_by(ContactDuty.ruleset_version)
    )
    return list(session.scalars(query))


def counts_of(values: Sequence[Any]) -> Counts:
    """Counts from the CASE sums of one result row (in ``count_columns`` order)."""
    return Counts(*(int(n) for n in values))


def grouped_rows(
    session: Session, group_by: str, now: datetime, where: Sequence[ColumnElement[bool]]
) -> list[Row]:
    """One grouping's rows: a single GROUP BY over the duties the filters select."""
    return [
        Row(**asdict(counts_of(counts)), key=str(key), label=str(label))
        for key, label, *counts in session.execute(_grouped(group_by, now).where(*where))
    ]


def compliance_report(
    context: AuditContext,
    *,
    reads: Session,
    writes: Session,
    start: date | None,
    end: date | None,
    group_by: str,
    team_id: uuid.UUID | None,
    now: datetime | None = None,
) -> Report:
    """Count the duties due in a range by group; the consultation of the figures is audited.

    Counted with ``reads`` (a replica may serve it); audited and committed with ``writes``.
    """
    if group_by not in GROUPINGS:
        raise ValidationFailed(errors={"group_by": [f"Use one of {', '.join(GROUPINGS)}."]})
    now = now or utcnow()
    start, end = report_period(start, end, today=now.astimezone(LONDON).date())
    scope = scope_team(context, team_id, reads=reads, writes=writes)
    where = duty_filters(scope, utc_bounds(start, end))
    rows = grouped_rows(reads, group_by, now, where)
    total = sum(rows, Counts())
    versions = ruleset_versions(reads, where)
    audit.record(
        writes,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(scope) if scope else "all"],
        field_groups=[group_by],
    )
    writes.commit()
    return Report(start, end, group_by, scope, now, total, rows, versions)
