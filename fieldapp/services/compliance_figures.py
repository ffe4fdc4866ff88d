"""Every compliance grouping at once, with the on-time trend by ISO week: the console's figures.

The same counting as the API's report (``services.compliance``: which duties count, how each
outcome is counted, whose team the caller may see), run once per grouping: by team, by officer
in charge, by event type, and by the ISO week in which the deadline falls (London days). The
whole read is one audited consultation of statistics.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.victims_code import LONDON
from fieldapp.core.weeks import Week, iso_weeks
from fieldapp.models import ContactDuty, Message, Team
from fieldapp.models.base import utcnow
from fieldapp.services import audit, teams
from fieldapp.services.audit import AuditContext
from fieldapp.services.compliance import (
    GROUPINGS,
    RESOURCE,
    Counts,
    DutyColumns,
    MetEvent,
    Row,
    count_columns,
    counted_duties,
    counts_of,
    duty_filters,
    grouped_rows,
    report_period,
    ruleset_versions,
    scope_team,
    utc_bounds,
)
from fieldapp.services.scope import sees_all_teams

WEEK = "week"


@dataclass(frozen=True)
class WeekRow(Counts):
    """One ISO week's figures (the first and last weeks may be cut short by the range)."""

    week: Week | None = None


@dataclass(frozen=True)
class Figures:
    """The figures for one range and scope, in every grouping."""

    start: date
    end: date
    team_id: uuid.UUID | None
    team_name: str | None  # None: every team
    generated_at: datetime
    total: Counts
    groups: dict[str, list[Row]]
    weeks: list[WeekRow]
    ruleset_versions: list[str]


def _week_rows(
    session: Session, weeks: Sequence[Week], now: datetime, where: Sequence[ColumnElement[bool]]
) -> list[WeekRow]:
    """Counts per week, every week of the range listed (empty ones as zeros); one query."""
    # Each duty's week is the first whose (London) end is after its deadline: a CASE over the
    # week boundaries, so the database groups without any time-zone arithmetic of its own.
    boundaries = [utc_bounds(week.first, week.last)[1] for week in weeks]
    week_of: Any = case(
        *((ContactDuty.due_at < bound, index) for index, bound in enumerate(boundaries)),
        else_=len(weeks) - 1,
    )
    # Grouped in an outer query: PostgreSQL cannot see that a CASE with bound parameters in
    # the select list and the same CASE in GROUP BY are one expression.
    inner = (
        counted_duties()
        .add_columns(
            week_of.label("week"),
            ContactDuty.status,
            ContactDuty.due_at,
            ContactDuty.closed_at,
            Message.confirmed_at,
            MetEvent.recorded_at.label("met_recorded_at"),
        )
        .where(*where)
        .subquery()
    )
    c = inner.c
    columns = DutyColumns(c.status, c.due_at, c.closed_at, c.confirmed_at, c.met_recorded_at)
    found = {
        int(index): counts_of(counts)
        for index, *counts in session.execute(
            select(c.week, *count_columns(now, columns)).group_by(c.week)
        )
    }
    return [
        WeekRow(**asdict(found.get(index, Counts())), week=week) for index, week in enumerate(weeks)
    ]


def compliance_figures(
    context: AuditContext,
    *,
    reads: Session,
    writes: Session,
    start: date | None,
    end: date | None,
    team_id: uuid.UUID | None,
    now: datetime | None = None,
) -> Figures:
    """Count the duties due in a range by team, officer, event type and week; audited once.

    Counted with ``reads`` (a replica may serve it); audited and committed with ``writes``.
    """
    now = now or utcnow()
    start, end = report_period(start, end, today=now.astimezone(LONDON).date())
    scope = scope_team(context, team_id, reads=reads, writes=writes)
    where = duty_filters(scope, utc_bounds(start, end))
    groups = {group_by: grouped_rows(reads, group_by, now, where) for group_by in GROUPINGS}
    weeks = _week_rows(reads, iso_weeks(start, end), now, where)
    versions = ruleset_versions(reads, where)
    name = reads.get_one(Team, scope).name if scope else None
    audit.record(
        writes,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(scope) if scope else "all"],
        field_groups=[*GROUPINGS, WEEK],
    )
    writes.commit()
    total = sum(groups["team"], Counts())
    return Figures(start, end, scope, name, now, total, groups, weeks, versions)


def team_choices(session: Session, actor: Principal) -> list[Team]:
    """The teams the caller may pick for the figures: every team for admins, none for others."""
    return teams.list_teams(session) if sees_all_teams(actor) else []
