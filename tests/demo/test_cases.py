"""The demo cases: their events carry details the API itself would accept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldapp.demo.cases import DEMO_CASES, DemoCase, demo_details
from fieldapp.schemas.events import EventCreateSchema


@pytest.mark.parametrize("demo", DEMO_CASES, ids=[demo.reference for demo in DEMO_CASES])
def test_demo_event_details_are_what_the_api_accepts(demo: DemoCase) -> None:
    occurred = datetime(2026, 3, 3, 10, tzinfo=UTC)
    details = demo_details(demo, occurred)
    loaded = EventCreateSchema().load(
        {"type": demo.event_type, "occurred_at": "2026-03-03T10:00:00Z", "details": details}
    )
    assert loaded["details"].keys() >= details.keys()
