"""Every event type's meaning under the current rules, and refusals of malformed event rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from fieldapp.core import victims_code
from fieldapp.core.victims_code import (
    EVENT_TYPES,
    InvalidRuleSet,
    ends_periodic_updates,
    parse_rulesets,
    ruleset_by_version,
    satisfies,
    superseded_by,
)
from tests.core.victims_code.conftest import CURRENT_VERSION, current_entry

KD = (5, 1, "occurred_at")
WCU = (1, 1, "received_at")
CHARGE = ("charges", "first_hearing", "court", "remand_status", "protective_conditions",
          "witness_care_contact")  # fmt: skip
POSTAL = ("charges", "first_hearing", "court", "witness_care_contact")
WRITTEN = (
    "crime_reference", "offence", "officer_contact", "support_information",
    "restorative_justice", "compensation_information", "victims_code_information",
)  # fmt: skip

# event type -> [(kind, (standard, enhanced, counted from) or "at:<field>", required items)]
EXPECTED_DUTIES: dict[str, list[tuple[str, Any, tuple[str, ...]]]] = {
    "crime_recorded": [
        ("written_confirmation", KD, WRITTEN),
        ("support_referral", (2, 2, "occurred_at"), ()),
        ("needs_assessment", KD, ()),
    ],
    "support_referral": [],
    "not_investigated": [("key_decision", KD, ("reasons", "support_information"))],
    "arrested": [("key_decision", KD, ("event_date",))],
    "interviewed": [("key_decision", KD, ("event_date",))],
    "bailed": [("key_decision", KD, ("protective_conditions", "answer_date"))],
    "bail_varied": [("key_decision", KD, ("protective_conditions", "answer_date"))],
    "released_under_investigation": [("key_decision", KD, ("event_date",))],
    "no_further_action": [("key_decision", KD, ("reasons", "review_right", "support_information"))],
    "out_of_court_resolution": [("key_decision", KD, ("outcome",))],
    "charged": [
        ("key_decision", KD, CHARGE),
        ("personal_statement", KD, ("personal_statement",)),
    ],
    "case_closed": [("key_decision", KD, ("reasons",))],
    "vrr_requested": [
        ("vrr_acknowledgement", (10, 10, "occurred_at"), ("review_acknowledgement",)),
        ("vrr_outcome", (30, 30, "occurred_at"), ("result", "reasons")),
    ],
    "complaint_received": [
        ("complaint_response", (10, 10, "occurred_at"), ("complaint_acknowledgement",))
    ],
    "bail_decision_pending": [("bail_views", "at:decision_due_at", ("bail_decision",))],
    "bail_cancelled": [("key_decision", KD, ("event_date",))],
    "charged_by_postal_requisition": [
        ("key_decision", KD, POSTAL),
        ("personal_statement", KD, ("personal_statement",)),
    ],
    "youth_out_of_court_outcome": [("key_decision", KD, ("outcome",))],
    "vps_taken": [],
    "vrr_decided": [],
    "court_hearing_set": [("court_information", WCU, ("first_hearing", "court"))],
    "hearing_result": [("court_information", WCU, ("result",))],
    "sentenced": [("court_information", WCU, ("sentence",))],
    "appeal_lodged": [("court_information", WCU, ("appeal",))],
    "appeal_outcome": [("court_information", WCU, ("result",))],
    "needs_assessed": [],
    "preferred_method_unavailable": [("method_explanation", KD, ("method_unavailable",))],
}
SATISFIES = {
    "support_referral": ("support_referral",),
    "vps_taken": ("personal_statement",),
    "needs_assessed": ("needs_assessment",),
}
ENDS_UPDATES = {"case_closed", "not_investigated", "no_further_action",
                "out_of_court_resolution", "youth_out_of_court_outcome", "sentenced"}  # fmt: skip
WITNESS_CARE = {"court_hearing_set", "hearing_result", "sentenced", "appeal_lodged",
                "appeal_outcome"}  # fmt: skip


def _clock(duty: Any) -> Any:
    """A duty rule's clock in the short form of EXPECTED_DUTIES."""
    clock = duty.clock
    if clock.due_at_field is not None:
        return f"at:{clock.due_at_field}"
    return (clock.standard_working_days, clock.enhanced_working_days, clock.counts_from)


def test_the_expectations_cover_every_event_type() -> None:
    assert list(EXPECTED_DUTIES) == list(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_event_type_has_its_duties_clocks_items_and_flags(event_type: str) -> None:
    ruleset = ruleset_by_version(CURRENT_VERSION)
    rule = ruleset.rule_for(event_type)
    found = [(d.kind, _clock(d), d.required_items) for d in rule.duties]
    assert found == EXPECTED_DUTIES[event_type]
    assert all(duty.title and re.search(r"\[(S|S-old|K)\b", duty.basis) for duty in rule.duties)
    assert bool(rule.no_duty) == (not rule.duties)
    assert satisfies(event_type, ruleset) == SATISFIES.get(event_type, ())
    assert ends_periodic_updates(event_type, ruleset) is (event_type in ENDS_UPDATES)
    assert rule.witness_care is (event_type in WITNESS_CARE)


def test_each_duty_names_the_code_paragraph_it_comes_from() -> None:
    ruleset = ruleset_by_version(CURRENT_VERSION)
    for event_type in EVENT_TYPES:
        for duty in ruleset.rule_for(event_type).duties:
            assert re.search(r"Rights? \d+|PACE s\.30CA|Victims' Right to Review", duty.basis), (
                event_type,
                duty.kind,
            )


@pytest.mark.parametrize(
    ("event_type", "later"),
    [
        ("arrested", {"interviewed", "bailed", "charged", "no_further_action", "case_closed"}),
        ("bailed", {"bail_varied", "bail_cancelled", "charged", "released_under_investigation"}),
        ("bail_decision_pending", {"bailed", "bail_varied", "charged"}),
        ("court_hearing_set", {"hearing_result", "sentenced"}),
        ("appeal_lodged", {"appeal_outcome"}),
        ("charged", {"sentenced"}),
    ],
)
def test_later_events_make_earlier_duties_moot_for_a_victim_added_late(
    event_type: str, later: set[str]
) -> None:
    assert later <= set(superseded_by(event_type, ruleset_by_version(CURRENT_VERSION)))


@pytest.mark.parametrize(
    "event_type", ["crime_recorded", "no_further_action", "sentenced", "complaint_received"]
)
def test_nothing_makes_the_first_or_final_duties_moot(event_type: str) -> None:
    assert superseded_by(event_type, ruleset_by_version(CURRENT_VERSION)) == ()


def _events(document: dict[str, Any]) -> dict[str, Any]:
    events: dict[str, Any] = current_entry(document)["events"]
    return events


def _break_missing_event(document: dict[str, Any]) -> None:
    del _events(document)["charged"]


def _break_unknown_event(document: dict[str, Any]) -> None:
    _events(document)["burgled"] = {"duties": [], "no_duty": "Not an event type."}


def _break_event_key(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["ends_updates"] = True


def _break_duties_not_list(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["duties"] = {"kind": "key_decision"}


def _break_no_duty_missing(document: dict[str, Any]) -> None:
    del _events(document)["vps_taken"]["no_duty"]


def _break_no_duty_with_duties(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["no_duty"] = "Both at once."


def _break_duty_key(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["duties"][0]["paragraph"] = "6.3"


def _break_duty_missing_basis(document: dict[str, Any]) -> None:
    del _events(document)["arrested"]["duties"][0]["basis"]


def _break_blank_title(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["duties"][0]["title"] = "  "


def _break_kind(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["duties"][0]["kind"] = "Key Decision"


def _break_same_kind_twice(document: dict[str, Any]) -> None:
    duties = _events(document)["charged"]["duties"]
    duties[1]["kind"] = duties[0]["kind"]


def _break_unknown_item(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["duties"][0]["required_items"] = ["event_date", "weather"]


def _break_item_twice(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["duties"][0]["required_items"] = ["event_date", "event_date"]


def _break_satisfies_unknown_kind(document: dict[str, Any]) -> None:
    _events(document)["vps_taken"]["satisfies"] = ["statement_taken"]


def _break_superseded_unknown(document: dict[str, Any]) -> None:
    _events(document)["arrested"]["superseded_by"] = ["convicted"]


def _break_flag_type(document: dict[str, Any]) -> None:
    _events(document)["sentenced"]["witness_care"] = "yes"


def _break_information_from(document: dict[str, Any]) -> None:
    _events(document)["vrr_requested"]["duties"][1]["information_from"] = "review_done"


def _break_requester_flag(document: dict[str, Any]) -> None:
    _events(document)["complaint_received"]["duties"][0]["only_for_requester"] = 1


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_missing_event, "no rule for event types ['charged']"),
        (_break_unknown_event, "unknown event types ['burgled']"),
        (_break_event_key, "events.arrested: unexpected keys ['ends_updates']"),
        (_break_duties_not_list, "'duties' must be a list"),
        (_break_no_duty_missing, "events.vps_taken: give 'no_duty' (why) exactly when"),
        (_break_no_duty_with_duties, "events.arrested: give 'no_duty' (why) exactly when"),
        (_break_duty_key, "(key_decision): unexpected keys ['paragraph']"),
        (_break_duty_missing_basis, "missing keys ['basis']"),
        (_break_blank_title, "'title' must not be blank"),
        (_break_kind, "kind 'Key Decision' must be lower_snake_case"),
        (_break_same_kind_twice, "events.charged: two duties of the same kind"),
        (_break_unknown_item, "'required_items' names unknown ['weather']"),
        (_break_item_twice, "'required_items' lists a name twice"),
        (_break_satisfies_unknown_kind, "satisfies unknown duty kinds ['statement_taken']"),
        (_break_superseded_unknown, "'superseded_by' names unknown ['convicted']"),
        (_break_flag_type, "'witness_care' must be of type bool"),
        (_break_information_from, "information_from 'review_done' is not an event type"),
        (_break_requester_flag, "'only_for_requester' must be of type bool"),
    ],
)
def test_malformed_event_rules_are_refused_with_a_clear_message(
    document: dict[str, Any], breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    breakage(document)
    with pytest.raises(InvalidRuleSet, match=re.escape(message)):
        parse_rulesets(document)


def test_review_outcomes_come_from_the_decision_and_requests_stay_with_the_requester() -> None:
    version = CURRENT_VERSION
    assert victims_code.information_from(version, "vrr_requested", "vrr_outcome") == "vrr_decided"
    assert victims_code.information_from(version, "charged", "key_decision") is None
    assert victims_code.information_from(version, None, "periodic_update") is None
    specs = victims_code.duties_for_event(
        "vrr_requested", datetime(2026, 12, 7, 10, tzinfo=UTC), {}, enhanced_rights=False
    )
    assert {spec.kind: spec.only_for_requester for spec in specs} == {
        "vrr_acknowledgement": True,
        "vrr_outcome": True,
    }
    charged = victims_code.duties_for_event(
        "charged",
        datetime(2026, 12, 7, 10, tzinfo=UTC),
        {"hearing_at": "2026-12-21T10:00:00Z"},
        enhanced_rights=False,
    )
    assert not any(spec.only_for_requester for spec in charged)
