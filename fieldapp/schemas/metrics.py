"""Victims' Code compliance figures: the query and the flat report low-code clients read."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.schemas.base import ApiDate, ApiSchema, UtcDateTime
from fieldapp.services.compliance import GROUPINGS, MAX_DAYS, TIME_COUNTED

_PERCENT = (
    "met_on_time / (due - open) * 100, rounded half up to one decimal place: the share of the "
    "duties already met, missed or overdue that were met on time. Absent when due - open is 0 "
    "(nothing to judge yet)."
)


class ComplianceQuerySchema(ApiSchema):
    """Which duties to count: those whose deadline falls on a UK calendar day in the range."""

    start = ApiDate(
        data_key="from",
        metadata={"description": "First day (YYYY-MM-DD, Europe/London), inclusive. "
                  "Default: 27 days before 'to'."},
    )  # fmt: skip
    end = ApiDate(
        data_key="to",
        metadata={"description": "Last day (YYYY-MM-DD, Europe/London), inclusive; on or after "
                  f"'from', at most {MAX_DAYS} days in all. Default: today."},
    )  # fmt: skip
    group_by = fields.String(load_default="team", validate=validate.OneOf(GROUPINGS))
    team_id = fields.UUID(
        metadata={"description": "Admins: one team's figures (default: every team). Supervisors "
                  "always get their own team's; naming another team is a 404."},
    )  # fmt: skip


class ComplianceCountsSchema(ApiSchema):
    """How the duties due in the range turned out."""

    due = fields.Integer(
        required=True,
        metadata={"description": "Duties due in the range, not counting not_required ones; "
                  "met_on_time + met_late + missed + open + overdue."},
    )  # fmt: skip
    met_on_time = fields.Integer(
        required=True, metadata={"description": "Met, closed at or before the deadline."}
    )
    met_late = fields.Integer(
        required=True, metadata={"description": "Met, closed after the deadline."}
    )
    missed = fields.Integer(required=True, metadata={"description": "Marked missed."})
    open = fields.Integer(
        required=True, metadata={"description": "Still open, deadline not yet passed."}
    )
    overdue = fields.Integer(
        required=True, metadata={"description": "Still open, deadline passed (see generated_at)."}
    )
    not_required = fields.Integer(
        required=True,
        metadata={"description": "Due in the range but marked not required: left out of 'due'."},
    )
    met_on_time_by_claim = fields.Integer(
        required=True,
        metadata={"description": "Of met_on_time, those on time only by the sent time the "
                  "officer claimed: the server recorded the send after the deadline."},
    )  # fmt: skip
    on_time_percent = fields.Float(metadata={"description": _PERCENT})


class ComplianceRowSchema(ComplianceCountsSchema):
    """One group's figures."""

    key = fields.String(
        required=True,
        metadata={"description": "The team id, the officer in charge's user id, or the event "
                  "type ('periodic_update' for agreed periodic updates)."},
    )  # fmt: skip
    label = fields.String(
        required=True,
        metadata={"description": "The team name, the officer's display name, or the event type."},
    )


class ComplianceReportSchema(ApiSchema):
    """The figures for one range: every group at once (groups are few, so no paging)."""

    start = ApiDate(required=True, data_key="from")
    end = ApiDate(required=True, data_key="to")
    group_by = fields.String(required=True)
    team_id = fields.UUID(metadata={"description": "The team covered; absent for every team."})
    generated_at = UtcDateTime(
        required=True,
        metadata={"description": "When the figures were counted: open and overdue are split "
                  "at this instant."},
    )  # fmt: skip
    time_counted = fields.Constant(
        TIME_COUNTED,
        required=True,
        metadata={
            "type": "string",
            "description": "Which sent time the figures count for a met duty.",
        },
    )
    ruleset_versions = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The Victims' Code rule-set versions of the counted duties."},
    )
    total = fields.Nested(ComplianceCountsSchema, required=True)
    value = fields.List(
        fields.Nested(ComplianceRowSchema),
        required=True,
        metadata={"description": "One row per group with duties in the range, ordered by label."},
    )
