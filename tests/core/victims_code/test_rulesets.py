"""The shipped rule-set data loads, covers every event type, and the right version is chosen."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from fieldapp.core.victims_code import (
    InvalidRuleSet,
    NoRuleSetApplies,
    RuleSet,
    UnknownEventType,
    UnknownRuleSetVersion,
    load_rulesets,
    parse_rulesets,
    ruleset_by_version,
    ruleset_for,
)

LATER_VERSION = "2027-test.1"  # the test-only rule set from conftest.py

# The investigation event types of the API, listed independently of the package.
API_EVENT_TYPES = [
    "crime_recorded",
    "support_referral",
    "not_investigated",
    "arrested",
    "interviewed",
    "bailed",
    "bail_varied",
    "released_under_investigation",
    "no_further_action",
    "out_of_court_resolution",
    "charged",
    "case_closed",
    "vrr_requested",
    "complaint_received",
]


def test_shipped_data_file_loads_the_2020_code_in_force_from_1_april_2021() -> None:
    (ruleset,) = load_rulesets()
    assert ruleset.version == "2020-code.1"
    assert ruleset.effective_from == date(2021, 4, 1)
    assert "Victims' Code" in ruleset.source


def test_shipped_rule_set_covers_every_api_event_type() -> None:
    (ruleset,) = load_rulesets()
    assert set(ruleset.duties) | set(ruleset.no_duty) == set(API_EVENT_TYPES)
    assert not set(ruleset.duties) & set(ruleset.no_duty)


@pytest.mark.parametrize(
    ("event_type", "kind", "standard", "enhanced"),
    [
        ("crime_recorded", "written_confirmation", 5, 1),
        ("support_referral", "support_referral", 2, 2),
        ("not_investigated", "key_decision", 5, 1),
        ("arrested", "key_decision", 5, 1),
        ("interviewed", "key_decision", 5, 1),
        ("bailed", "key_decision", 5, 1),
        ("bail_varied", "key_decision", 5, 1),
        ("released_under_investigation", "key_decision", 5, 1),
        ("no_further_action", "key_decision", 5, 1),
        ("out_of_court_resolution", "key_decision", 5, 1),
        ("charged", "key_decision", 5, 1),
        ("case_closed", "key_decision", 5, 1),
        ("vrr_requested", "vrr_acknowledgement", 10, 10),
        ("complaint_received", "complaint_response", 10, 10),
    ],
)
def test_shipped_rule_set_gives_each_event_its_duty_and_working_days(
    event_type: str, kind: str, standard: int, enhanced: int
) -> None:
    (ruleset,) = load_rulesets()
    rule = ruleset.rule_for(event_type)
    assert rule is not None
    assert (rule.kind, rule.standard_working_days, rule.enhanced_working_days) == (
        kind,
        standard,
        enhanced,
    )
    assert rule.title and rule.basis


def test_shipped_default_periodic_update_interval_is_28_days() -> None:
    assert load_rulesets()[0].default_update_interval_days == 28


def test_loading_the_rule_sets_reads_the_file_once() -> None:
    assert load_rulesets() is load_rulesets()


def test_rule_set_refuses_an_unknown_event_type() -> None:
    with pytest.raises(UnknownEventType, match="'burgled'"):
        load_rulesets()[0].rule_for("burgled")


def test_rule_set_in_force_is_chosen_by_the_date_of_the_event(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    before = ruleset_for(datetime(2027, 6, 30, 12, 0, tzinfo=UTC), later_rulesets)
    after = ruleset_for(datetime(2027, 7, 1, 12, 0, tzinfo=UTC), later_rulesets)
    assert (before.version, after.version) == ("2020-code.1", LATER_VERSION)


def test_rule_set_is_chosen_by_the_london_date_not_the_utc_date(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    # 23:30 UTC on 30 June 2027 is 00:30 BST on 1 July, the later rule set's first day.
    chosen = ruleset_for(datetime(2027, 6, 30, 23, 30, tzinfo=UTC), later_rulesets)
    assert chosen.version == LATER_VERSION


def test_order_of_the_rule_sets_does_not_matter(later_rulesets: tuple[RuleSet, ...]) -> None:
    moment = datetime(2028, 1, 10, 9, 0, tzinfo=UTC)
    assert ruleset_for(moment, tuple(reversed(later_rulesets))).version == LATER_VERSION


def test_event_before_the_first_rule_set_has_no_rule_set() -> None:
    with pytest.raises(NoRuleSetApplies, match="2021-03-31"):
        ruleset_for(datetime(2021, 3, 31, 12, 0, tzinfo=UTC))


def test_choosing_a_rule_set_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ruleset_for(datetime(2026, 6, 5, 9, 0))


def test_rule_set_is_found_by_the_version_a_duty_recorded(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    assert ruleset_by_version("2020-code.1", later_rulesets).effective_from == date(2021, 4, 1)
    assert ruleset_by_version(LATER_VERSION, later_rulesets).default_update_interval_days == 21


def test_unknown_rule_set_version_is_refused() -> None:
    with pytest.raises(UnknownRuleSetVersion, match=re.escape("'1999-code.1'")):
        ruleset_by_version("1999-code.1")


def _break_missing_trigger(document: dict[str, Any]) -> None:
    del document["rulesets"][0]["triggers"]["charged"]


def _break_unknown_trigger(document: dict[str, Any]) -> None:
    document["rulesets"][0]["triggers"]["burgled"] = {"no_duty": "Not an event type."}


def _break_zero_days(document: dict[str, Any]) -> None:
    document["rulesets"][0]["triggers"]["arrested"]["working_days"]["enhanced"] = 0


def _break_boolean_days(document: dict[str, Any]) -> None:
    document["rulesets"][0]["triggers"]["arrested"]["working_days"]["standard"] = True


def _break_date(document: dict[str, Any]) -> None:
    document["rulesets"][0]["effective_from"] = "1 April 2021"


def _break_kind(document: dict[str, Any]) -> None:
    document["rulesets"][0]["triggers"]["arrested"]["kind"] = "Key Decision"


def _break_extra_key(document: dict[str, Any]) -> None:
    document["rulesets"][0]["triggers"]["arrested"]["workingdays"] = 5


def _break_no_duty_with_rule(document: dict[str, Any]) -> None:
    document["rulesets"][0]["triggers"]["arrested"]["no_duty"] = "Both at once."


def _break_duplicate_version(document: dict[str, Any]) -> None:
    later = dict(document["rulesets"][0], effective_from="2030-01-01")
    document["rulesets"].append(later)


def _break_format(document: dict[str, Any]) -> None:
    document["format"] = 2


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_missing_trigger, "no rule for event types ['charged']"),
        (_break_unknown_trigger, "unknown event types ['burgled']"),
        (_break_zero_days, "'enhanced' must be at least 1"),
        (_break_boolean_days, "'standard' must be of type int"),
        (_break_date, "YYYY-MM-DD"),
        (_break_kind, "lower_snake_case"),
        (_break_extra_key, "unexpected keys ['workingdays']"),
        (_break_no_duty_with_rule, "'no_duty' must stand alone"),
        (_break_duplicate_version, "share the same version"),
        (_break_format, "format 1"),
    ],
)
def test_malformed_rule_set_data_is_refused_with_a_clear_message(
    shipped_document: dict[str, Any], breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    breakage(shipped_document)
    with pytest.raises(InvalidRuleSet, match=re.escape(message)):
        parse_rulesets(shipped_document)
