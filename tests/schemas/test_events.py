"""Event details validated per type: required fields, closed lists, unknown keys refused."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from fieldapp.core.victims_code import EVENT_TYPES
from fieldapp.schemas.events import DETAILS_BY_TYPE, DETAILS_DOC, EventCreateSchema

WHEN = "2026-03-03T10:00:00Z"
COURT = {
    "court_name": "Cardiff Magistrates' Court",
    "court_address": "Fitzalan Place, Cardiff CF24 0RZ",
    "hearing_at": "2026-03-24T10:00:00Z",
}
# One valid set of details for every event type (new and changed in issue 12).
VALID: dict[str, dict[str, Any]] = {
    "bailed": {"answer_bail_on": "2026-04-14", "conditions": [
        {"type": "curfew", "from_time": "19:00", "to_time": "07:00", "protects_victim": False}]},
    "bail_varied": {},
    "no_further_action": {"reason_codes": ["insufficient_evidence"], "decision_maker": "police",
                          "suspect_interviewed": True},
    "not_investigated": {"reasons": "no lines of enquiry"},
    "case_closed": {"reason_codes": ["suspect_died"]},
    "charged": {**COURT, "charges": ["theft"], "remand_status": "bail_with_conditions",
                "conditions": [{"type": "no_contact", "protects_victim": True}]},
    "bail_decision_pending": {"decision_due_at": "2026-03-05T12:00:00Z"},
    "bail_cancelled": {},
    "charged_by_postal_requisition": {**COURT, "charges": ["theft"]},
    "youth_out_of_court_outcome": {"outcome": "outcome_22"},
    "vps_taken": {"statement_type": "business_impact_statement"},
    "vrr_decided": {"result": "decision_upheld"},
    "court_hearing_set": {**COURT, "hearing_type": "trial", "court_name_cy": "Llys Ynadon"},
    "hearing_result": {"result": "adjourned"},
    "sentenced": {"sentence": "a community order"},
    "appeal_lodged": {"appeal_by": "defence", "appeal_against": "sentence"},
    "appeal_outcome": {"result": "sentence_changed"},
    "needs_assessed": {},
    "preferred_method_unavailable": {"method": "sms", "reason_codes": ["no_safe_number"]},
}  # fmt: skip
# For each type, details missing or mistyping something, and the fields the 422 must name.
INVALID: list[tuple[str, dict[str, Any], set[str]]] = [
    ("bailed", {}, {"answer_bail_on"}),
    ("no_further_action", {"reasons": "x", "decision_maker": "police"}, {"suspect_interviewed"}),
    ("no_further_action", {"decision_maker": "police", "suspect_interviewed": True}, {"reasons"}),
    ("no_further_action", {"reason_codes": ["other"], "decision_maker": "cps",
                           "suspect_interviewed": False}, {"reasons"}),
    ("not_investigated", {"reason_codes": ["bored"]}, {"reason_codes.0"}),
    ("case_closed", {}, {"reasons"}),
    ("charged", {"charges": ["theft"], "court_name": "X Court", "hearing_at": WHEN},
     {"court_address", "remand_status"}),
    ("charged", {**COURT, "charges": ["theft"], "remand_status": "remanded_in_custody",
                 "conditions": [{"type": "no_contact", "protects_victim": True}]}, {"conditions"}),
    ("bail_decision_pending", {"proposed_conditions": []}, {"decision_due_at"}),
    ("charged_by_postal_requisition", {"charges": ["theft"]},
     {"court_name", "court_address", "hearing_at"}),
    ("youth_out_of_court_outcome", {"outcome": "caution"}, {"outcome"}),
    ("vps_taken", {}, {"statement_type"}),
    ("vrr_decided", {"result": "maybe"}, {"result"}),
    ("vrr_decided", {"result": "decision_upheld", "reason_codes": ["other"]}, {"reasons"}),
    ("court_hearing_set", {**COURT, "hearing_type": "party"}, {"hearing_type"}),
    ("hearing_result", {"result": "guilty"}, {"result"}),
    ("sentenced", {}, {"sentence"}),
    ("appeal_lodged", {"appeal_by": "victim"}, {"appeal_by", "appeal_against"}),
    ("appeal_outcome", {}, {"result"}),
    ("preferred_method_unavailable", {"method": "pigeon", "reason_codes": []},
     {"method", "reason_codes"}),
    ("preferred_method_unavailable", {"method": "sms", "reason_codes": ["other"]}, {"reasons"}),
    ("preferred_method_unavailable", {"method": "sms", "reason_codes": ["suspect_died"]},
     {"reason_codes.0"}),
    ("needs_assessed", {"needs": "x"}, {"needs"}),
]  # fmt: skip


def _load(event_type: str, details: dict[str, Any]) -> dict[str, Any]:
    """Load an event of this type through the API's create schema."""
    body = {"type": event_type, "occurred_at": WHEN, "details": details}
    loaded: dict[str, Any] = EventCreateSchema().load(body)
    return loaded


def _errors(event_type: str, details: dict[str, Any]) -> set[str]:
    """The detail fields a 422 would name (dotted below ``details``)."""
    with pytest.raises(ValidationError) as caught:
        DETAILS_BY_TYPE[event_type]().load(details)
    return set(_flatten(caught.value.messages))


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    """Dotted field names of nested marshmallow messages (as the problem's ``errors`` has)."""
    if not isinstance(messages, dict):
        return [prefix]
    names: list[str] = []
    for key, value in messages.items():
        names += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    return names


def test_every_event_type_has_a_details_schema_and_no_schema_is_for_an_unknown_type() -> None:
    assert set(DETAILS_BY_TYPE) == set(EVENT_TYPES)


def test_every_type_new_or_changed_in_issue_12_has_valid_details_here() -> None:
    assert set(VALID) <= set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(VALID))
def test_valid_details_load(event_type: str) -> None:
    loaded = DETAILS_BY_TYPE[event_type]().load(VALID[event_type])
    assert set(loaded) >= set(VALID[event_type])


@pytest.mark.parametrize(
    ("event_type", "details", "named"), INVALID, ids=[f"{t}-{sorted(n)}" for t, _, n in INVALID]
)
def test_invalid_details_name_the_fields(
    event_type: str, details: dict[str, Any], named: set[str]
) -> None:
    assert _errors(event_type, details) == named


@pytest.mark.parametrize("event_type", sorted(DETAILS_BY_TYPE))
def test_unknown_detail_keys_are_refused_by_name(event_type: str) -> None:
    details = {**VALID.get(event_type, {}), "colour": "blue"}
    assert "colour" in _errors(event_type, details)


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        ({"type": "curfew", "protects_victim": True}, {"from_time", "to_time"}),
        ({"type": "not_enter_area", "protects_victim": True}, {"area"}),
        ({"type": "other", "protects_victim": True}, {"text"}),
        ({"protects_victim": True}, {"text"}),
        ({"type": "curfew", "from_time": "7pm", "to_time": "25:00", "protects_victim": True},
         {"from_time", "to_time"}),
        ({"type": "no_contact"}, {"protects_victim"}),
        ({"type": "teleport", "protects_victim": True}, {"type"}),
    ],
)  # fmt: skip
def test_bad_conditions_name_their_fields(condition: dict[str, Any], named: set[str]) -> None:
    errors = _errors("bailed", {"answer_bail_on": "2026-04-14", "conditions": [condition]})
    assert errors == {f"conditions.0.{name}" for name in named}


def test_old_conditions_still_load_as_type_other() -> None:
    old = {"text": "Not to contact the victim", "protects_victim": True}
    loaded = _load("bailed", {"answer_bail_on": "2026-04-14", "conditions": [old]})
    assert loaded["details"]["conditions"] == [{**old, "type": "other"}]


def test_court_news_is_received_when_it_happened_unless_told_otherwise() -> None:
    loaded = _load("sentenced", {"sentence": "a fine"})
    assert loaded["details"]["received_at"] == "2026-03-03T10:00:00Z"
    later = _load("sentenced", {"sentence": "a fine", "received_at": "2026-03-04T09:00:00+01:00"})
    assert later["details"]["received_at"] == "2026-03-04T08:00:00Z"


def test_court_news_cannot_be_received_before_it_happened() -> None:
    with pytest.raises(ValidationError) as caught:
        _load("hearing_result", {"result": "adjourned", "received_at": "2026-03-02T10:00:00Z"})
    assert caught.value.messages == {"details": {"received_at": [
        "Received before it happened: give a time on or after occurred_at."]}}  # fmt: skip


def test_details_doc_names_every_event_type_and_field() -> None:
    for event_type, schema in DETAILS_BY_TYPE.items():
        assert event_type in DETAILS_DOC
        for name in schema().fields:
            assert name in DETAILS_DOC


@pytest.mark.parametrize(
    ("event_type", "details", "field"),
    [
        ("charged", {**VALID["charged"], "hearing_at": "2026-03-03T09:59:00Z"}, "hearing_at"),
        ("court_hearing_set", {**COURT, "hearing_at": "2026-03-01T10:00:00Z"}, "hearing_at"),
        ("bail_decision_pending", {"decision_due_at": "2026-03-02T12:00:00Z"}, "decision_due_at"),
    ],
)
def test_hearings_and_decisions_cannot_come_before_the_event(
    event_type: str, details: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _load(event_type, details)
    assert set(caught.value.messages["details"]) == {field}
