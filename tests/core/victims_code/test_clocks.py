"""Duty clocks: counting from another moment, due at a given moment, and malformed clocks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from fieldapp.core.victims_code import (
    LONDON,
    InvalidEventDetails,
    InvalidRuleSet,
    duties_for_event,
    parse_rulesets,
)
from tests.core.victims_code.conftest import current_entry

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def court_duty(details: dict[str, Any]) -> Any:
    """The one duty a court hearing set on Monday 7 December 2026 creates."""
    (duty,) = duties_for_event("court_hearing_set", MONDAY, details, enhanced_rights=False)
    return duty


@pytest.mark.parametrize(
    "received_at",
    [
        "2026-12-09T14:00:00Z",
        "2026-12-09T14:00:00+00:00",
        datetime(2026, 12, 9, 14, 0, tzinfo=LONDON),
    ],
)
def test_a_witness_care_clock_counts_from_when_the_unit_received_the_news(
    received_at: str | datetime,
) -> None:
    duty = court_duty({"received_at": received_at})
    assert duty.clock_from == datetime(2026, 12, 9, 14, 0, tzinfo=UTC)
    assert duty.due_at == datetime(2026, 12, 10, 23, 59, 59, 999999, tzinfo=UTC)


def test_a_witness_care_clock_counts_from_the_event_when_receipt_is_not_given() -> None:
    duty = court_duty({"received_at": None})
    assert duty.clock_from == MONDAY
    assert duty.due_at == datetime(2026, 12, 8, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-12-09T14:00:00", "details.received_at must say its time zone"),
        ("next Wednesday", "details.received_at is not a date and time: 'next Wednesday'"),
        (20261209, "details.received_at is not a date and time: 20261209"),
    ],
)
def test_a_garbled_clock_start_is_refused(value: object, message: str) -> None:
    with pytest.raises(InvalidEventDetails, match=re.escape(message)) as caught:
        court_duty({"received_at": value})
    assert caught.value.field == "received_at"
    assert isinstance(caught.value, ValueError)


def test_a_duty_due_at_a_given_moment_needs_that_moment() -> None:
    with pytest.raises(InvalidEventDetails, match=r"details\.decision_due_at is required"):
        duties_for_event("bail_decision_pending", MONDAY, {}, enhanced_rights=True)


def test_a_duty_due_at_a_given_moment_is_due_then_with_no_working_days() -> None:
    (duty,) = duties_for_event(
        "bail_decision_pending",
        MONDAY,
        {"decision_due_at": "2026-12-08T14:00:00Z"},
        enhanced_rights=False,
    )
    assert (duty.kind, duty.working_days) == ("bail_views", None)
    assert duty.due_at == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    assert duty.due_at.tzinfo is UTC
    assert duty.clock_from == MONDAY


def _clock(document: dict[str, Any], event_type: str = "arrested") -> dict[str, Any]:
    clock: dict[str, Any] = current_entry(document)["events"][event_type]["duties"][0]["clock"]
    return clock


def _break_both_shapes(document: dict[str, Any]) -> None:
    _clock(document, "bail_decision_pending")["working_days"] = {"standard": 5, "enhanced": 1}


def _break_no_days(document: dict[str, Any]) -> None:
    del _clock(document)["working_days"]


def _break_zero_days(document: dict[str, Any]) -> None:
    _clock(document)["working_days"]["enhanced"] = 0


def _break_boolean_days(document: dict[str, Any]) -> None:
    _clock(document)["working_days"]["standard"] = True


def _break_missing_enhanced(document: dict[str, Any]) -> None:
    del _clock(document)["working_days"]["enhanced"]


def _break_extra_day_key(document: dict[str, Any]) -> None:
    _clock(document)["working_days"]["weekend"] = 0


def _break_enhanced_longer(document: dict[str, Any]) -> None:
    _clock(document)["working_days"] = {"standard": 1, "enhanced": 5}


def _break_from(document: dict[str, Any]) -> None:
    _clock(document, "sentenced")["from"] = "Received At"


def _break_due_at(document: dict[str, Any]) -> None:
    _clock(document, "bail_decision_pending")["due_at"] = ""


def _break_clock_key(document: dict[str, Any]) -> None:
    _clock(document)["calendar_days"] = 7


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_both_shapes, "bail_views).clock: unexpected keys ['working_days']"),
        (_break_no_days, "(key_decision).clock: missing keys ['working_days']"),
        (_break_zero_days, "'enhanced' must be at least 1"),
        (_break_boolean_days, "'standard' must be of type int"),
        (_break_missing_enhanced, "working_days: missing keys ['enhanced']"),
        (_break_extra_day_key, "working_days: unexpected keys ['weekend']"),
        (_break_enhanced_longer, "enhanced rights cannot allow more days than standard"),
        (_break_from, "field 'Received At' must be lower_snake_case"),
        (_break_due_at, "'due_at' must not be blank"),
        (_break_clock_key, "unexpected keys ['calendar_days']"),
    ],
)
def test_malformed_clocks_are_refused_with_a_clear_message(
    document: dict[str, Any], breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    breakage(document)
    with pytest.raises(InvalidRuleSet, match=re.escape(message)):
        parse_rulesets(document)
