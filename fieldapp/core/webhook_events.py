"""The webhook event types, who may receive each, and the payload fields allowed in them.

Payloads carry ids and non-personal fields only: never names, phone numbers, emails, addresses
or message bodies. ``payload`` drops anything not on the allow-list, so a careless caller
cannot leak a field into a delivery.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

#: Event types and what each means (shown in the API description and docs/webhooks.md).
EVENT_TYPES: Final[dict[str, str]] = {
    "duty.due_soon": "A Victims' Code contact duty is due within the due-soon window.",
    "duty.overdue": "A contact duty passed its deadline while still open.",
    "message.delivered": "GOV.UK Notify delivered a victim-update message.",
    "message.failed": "A victim-update message failed for good (not delivered).",
    "template.submitted": "A template version was submitted for review.",
}

#: Event types about a team's case work; the rest are about templates (supervisors, admins).
TEAM_EVENTS: Final = frozenset(
    {"duty.due_soon", "duty.overdue", "message.delivered", "message.failed"}
)
TEMPLATE_ROLES: Final = frozenset({"supervisor", "admin"})

#: The only fields a payload's ``data`` may hold.
DATA_FIELDS: Final = (
    "case_id",
    "crime_reference",
    "team_id",
    "duty_id",
    "duty_kind",
    "due_at",
    "victim_id",
    "message_id",
    "message_status",
    "channel",
    "template_key",
    "template_version",
)


def may_receive(
    *, role: str, team_id: uuid.UUID, event_type: str, event_team: uuid.UUID | None
) -> bool:
    """Whether a subscription owner with this role and team may see an event.

    Admins see every team's events; others only their own team's. Template events go to
    supervisors and admins (officers see published templates only).
    """
    if event_type in TEAM_EVENTS:
        return role == "admin" or (event_team is not None and event_team == team_id)
    return role in TEMPLATE_ROLES


def payload(
    event_id: uuid.UUID, event_type: str, occurred_at: datetime, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON object a delivery posts: allow-listed data fields only, as strings and numbers."""
    return {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": rfc3339(occurred_at),
        "data": {name: data[name] for name in DATA_FIELDS if data.get(name) is not None},
    }


def rfc3339(moment: datetime) -> str:
    """A time in UTC with a trailing Z, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
