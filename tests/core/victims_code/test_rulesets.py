"""The shipped rule-set document loads, its versions are chosen right, and bad documents fail."""

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
from tests.core.victims_code.conftest import (
    CURRENT_VERSION,
    LATER_VERSION,
    REVISED_VERSION,
    current_entry,
)

# The investigation event types of the API (issue 12 contract section 1), listed independently.
API_EVENT_TYPES = [
    "crime_recorded", "support_referral", "not_investigated", "arrested", "interviewed", "bailed",
    "bail_varied", "released_under_investigation", "no_further_action",
    "out_of_court_resolution", "charged", "case_closed", "vrr_requested", "complaint_received",
    "bail_decision_pending", "bail_cancelled", "charged_by_postal_requisition",
    "youth_out_of_court_outcome", "vps_taken", "vrr_decided", "court_hearing_set",
    "hearing_result", "sentenced", "appeal_lodged", "appeal_outcome", "needs_assessed",
    "preferred_method_unavailable",
]  # fmt: skip


def test_shipped_data_holds_the_2020_code_and_its_revision_both_from_1_april_2021() -> None:
    revised, current = load_rulesets()
    assert (revised.version, current.version) == (REVISED_VERSION, CURRENT_VERSION)
    assert revised.effective_from == current.effective_from == date(2021, 4, 1)
    assert revised.revised_by == CURRENT_VERSION and current.revised_by is None
    assert "Victims' Code" in current.source


def test_every_rule_set_covers_every_api_event_type_in_order() -> None:
    for ruleset in load_rulesets():
        assert list(ruleset.events) == API_EVENT_TYPES


def test_new_events_are_judged_by_the_revision_even_when_they_happened_before_it_shipped() -> None:
    assert ruleset_for(datetime(2021, 4, 1, 9, 0, tzinfo=UTC)).version == CURRENT_VERSION
    assert ruleset_for(datetime(2026, 11, 20, 9, 0, tzinfo=UTC)).version == CURRENT_VERSION


def test_the_revised_version_stays_for_duties_that_recorded_it() -> None:
    old = ruleset_by_version(REVISED_VERSION)
    (referral,) = old.rule_for("support_referral").duties
    assert referral.kind == "support_referral"
    assert [duty.kind for duty in old.rule_for("crime_recorded").duties] == ["written_confirmation"]
    assert old.rule_for("court_hearing_set").no_duty


def test_shipped_default_periodic_update_interval_is_28_days() -> None:
    assert {ruleset.default_update_interval_days for ruleset in load_rulesets()} == {28}


def test_loading_the_rule_sets_reads_the_file_once() -> None:
    assert load_rulesets() is load_rulesets()


def test_rule_set_refuses_an_unknown_event_type() -> None:
    with pytest.raises(UnknownEventType, match="'burgled'"):
        load_rulesets()[-1].rule_for("burgled")


def test_rule_set_in_force_is_chosen_by_the_date_of_the_event(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    before = ruleset_for(datetime(2027, 6, 30, 12, 0, tzinfo=UTC), later_rulesets)
    after = ruleset_for(datetime(2027, 7, 1, 12, 0, tzinfo=UTC), later_rulesets)
    assert (before.version, after.version) == (CURRENT_VERSION, LATER_VERSION)


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
    assert ruleset_by_version(REVISED_VERSION, later_rulesets).effective_from == date(2021, 4, 1)
    assert ruleset_by_version(LATER_VERSION, later_rulesets).default_update_interval_days == 21


def test_unknown_rule_set_version_is_refused() -> None:
    with pytest.raises(UnknownRuleSetVersion, match=re.escape("'1999-code.1'")):
        ruleset_by_version("1999-code.1")


def _break_format(document: dict[str, Any]) -> None:
    document["format"] = 1


def _break_document_key(document: dict[str, Any]) -> None:
    document["rule_sets"] = []


def _break_no_rulesets(document: dict[str, Any]) -> None:
    document["rulesets"] = []


def _break_ruleset_key(document: dict[str, Any]) -> None:
    current_entry(document)["effective_to"] = "2030-01-01"


def _break_missing_source(document: dict[str, Any]) -> None:
    del current_entry(document)["source"]


def _break_date(document: dict[str, Any]) -> None:
    current_entry(document)["effective_from"] = "1 April 2021"


def _break_interval(document: dict[str, Any]) -> None:
    current_entry(document)["default_update_interval_days"] = 0


def _break_duplicate_version(document: dict[str, Any]) -> None:
    document["rulesets"].append(dict(current_entry(document), effective_from="2030-01-01"))


def _break_revision_unknown(document: dict[str, Any]) -> None:
    document["rulesets"][0]["revised_by"] = "2020-code.9"


def _break_revision_other_date(document: dict[str, Any]) -> None:
    current_entry(document)["effective_from"] = "2021-05-01"


def _break_two_current_on_one_date(document: dict[str, Any]) -> None:
    del document["rulesets"][0]["revised_by"]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_format, "must have format 2"),
        (_break_document_key, "unexpected keys ['rule_sets']"),
        (_break_no_rulesets, "at least one rule set"),
        (_break_ruleset_key, "unexpected keys ['effective_to']"),
        (_break_missing_source, "missing keys ['source']"),
        (_break_date, "YYYY-MM-DD"),
        (_break_interval, "'default_update_interval_days' must be at least 1"),
        (_break_duplicate_version, "share the same version"),
        (_break_revision_unknown, "revised_by must name a current rule set, got '2020-code.9'"),
        (_break_revision_other_date, "its revision must take effect on the same date"),
        (_break_two_current_on_one_date, "Two current rule sets share the same effective_from"),
    ],
)
def test_malformed_rule_set_documents_are_refused_with_a_clear_message(
    document: dict[str, Any], breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    breakage(document)
    with pytest.raises(InvalidRuleSet, match=re.escape(message)):
        parse_rulesets(document)
