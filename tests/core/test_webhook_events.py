"""Webhook events: who may receive each, and payloads that carry allow-listed fields only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fieldapp.core.webhook_events import may_receive, payload

TEAM, OTHER = uuid.uuid4(), uuid.uuid4()


def test_team_events_go_to_the_same_team_or_admins() -> None:
    assert may_receive(role="officer", team_id=TEAM, event_type="duty.overdue", event_team=TEAM)
    assert not may_receive(
        role="officer", team_id=TEAM, event_type="duty.overdue", event_team=OTHER
    )
    assert may_receive(role="admin", team_id=TEAM, event_type="message.failed", event_team=OTHER)


def test_template_events_go_to_supervisors_and_admins_only() -> None:
    for role, allowed in (
        ("officer", False),
        ("auditor", False),
        ("supervisor", True),
        ("admin", True),
    ):
        assert (
            may_receive(role=role, team_id=TEAM, event_type="template.submitted", event_team=None)
            is allowed
        )


def test_payload_keeps_allow_listed_fields_and_drops_personal_ones() -> None:
    event_id = uuid.uuid4()
    body = payload(
        event_id,
        "message.failed",
        datetime(2026, 12, 6, 3, 0, 1, 500, tzinfo=UTC),
        {"message_id": "m1", "recipient": "+447700900123", "body": "Dear Alex", "duty_id": None},
    )
    assert body == {
        "id": str(event_id),
        "type": "message.failed",
        "occurred_at": "2026-12-06T03:00:01Z",
        "data": {"message_id": "m1"},
    }
