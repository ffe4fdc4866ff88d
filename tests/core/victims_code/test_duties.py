"""Contact duties from investigation events: deadlines, enhanced rights, versions, updates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldapp.core.victims_code import (
    LONDON,
    DutySpec,
    RuleSet,
    UnknownEventType,
    UnknownRuleSetVersion,
    add_working_days,
    compute_duty,
    load_rulesets,
    next_periodic_update,
    recompute_duty,
)

SHIPPED_VERSION = "2020-code.1"
LATER_VERSION = "2027-test.1"  # the test-only rule set from conftest.py


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in London."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def end_of_day_utc(year: int, month: int, day: int, *, bst: bool) -> datetime:
    """The end of a London day, in UTC: 22:59:59.999999 in summer, 23:59:59.999999 in winter."""
    return datetime(year, month, day, 22 if bst else 23, 59, 59, 999999, tzinfo=UTC)


def duty(event_type: str, occurred_at: datetime, *, enhanced_rights: bool) -> DutySpec:
    """The duty an event creates under the shipped rules, which must not be None."""
    spec = compute_duty(event_type, occurred_at, enhanced_rights=enhanced_rights)
    assert spec is not None
    return spec


def test_friday_arrest_is_due_end_of_following_friday_for_standard_victims() -> None:
    spec = duty("arrested", london(2026, 6, 5, 14, 0), enhanced_rights=False)
    assert spec == DutySpec(
        kind="key_decision",
        title="Tell the victim a suspect has been arrested",
        due_at=end_of_day_utc(2026, 6, 12, bst=True),
        working_days=5,
        ruleset_version=SHIPPED_VERSION,
    )


def test_friday_arrest_is_due_end_of_monday_for_victims_with_enhanced_rights() -> None:
    spec = duty("arrested", london(2026, 6, 5, 14, 0), enhanced_rights=True)
    assert (spec.due_at, spec.working_days) == (end_of_day_utc(2026, 6, 8, bst=True), 1)


def test_friday_arrest_before_christmas_2026_is_due_on_tuesday_29_december() -> None:
    spec = duty("arrested", london(2026, 12, 18, 14, 0), enhanced_rights=False)
    assert spec.due_at == end_of_day_utc(2026, 12, 29, bst=False)


def test_enhanced_charge_on_christmas_eve_2026_is_due_after_boxing_day_observed() -> None:
    spec = duty("charged", london(2026, 12, 24, 17, 30), enhanced_rights=True)
    assert spec.due_at == end_of_day_utc(2026, 12, 29, bst=False)


def test_arrest_on_the_thursday_before_easter_2027_is_due_on_the_tuesday_after() -> None:
    spec = duty("arrested", london(2027, 3, 25, 16, 0), enhanced_rights=True)
    assert spec.due_at == end_of_day_utc(2027, 3, 30, bst=True)


def test_crime_recorded_just_before_midnight_is_due_a_day_earlier_than_just_after() -> None:
    before = duty("crime_recorded", london(2026, 1, 15, 23, 59), enhanced_rights=True)
    after = duty("crime_recorded", london(2026, 1, 16, 0, 1), enhanced_rights=True)
    assert before.kind == after.kind == "written_confirmation"
    assert before.due_at == end_of_day_utc(2026, 1, 16, bst=False)
    assert after.due_at == end_of_day_utc(2026, 1, 19, bst=False)


def test_event_recorded_days_later_is_due_from_when_it_happened() -> None:
    occurred_at = london(2026, 3, 2, 10, 0)  # Monday
    typed_at = london(2026, 3, 5, 15, 0)  # Thursday
    spec = duty("arrested", occurred_at, enhanced_rights=True)
    assert spec.due_at == end_of_day_utc(2026, 3, 3, bst=False)
    # Already overdue when typed: the clock never starts from the moment of entry.
    assert spec.due_at < typed_at < add_working_days(typed_at, 1)


def test_support_referral_is_due_in_two_working_days_with_or_without_enhanced_rights() -> None:
    occurred_at = london(2026, 12, 24, 9, 0)
    standard = duty("support_referral", occurred_at, enhanced_rights=False)
    enhanced = duty("support_referral", occurred_at, enhanced_rights=True)
    assert standard == enhanced
    assert (standard.kind, standard.working_days) == ("support_referral", 2)
    assert standard.due_at == end_of_day_utc(2026, 12, 30, bst=False)


def test_complaint_is_due_in_ten_working_days_with_or_without_enhanced_rights() -> None:
    # Thursday 18 March 2027; Good Friday and Easter Monday fall inside the ten days.
    occurred_at = london(2027, 3, 18, 11, 0)
    standard = duty("complaint_received", occurred_at, enhanced_rights=False)
    enhanced = duty("complaint_received", occurred_at, enhanced_rights=True)
    assert standard == enhanced
    assert (standard.kind, standard.working_days) == ("complaint_response", 10)
    assert standard.due_at == end_of_day_utc(2027, 4, 5, bst=True)


def test_review_request_acknowledgement_is_due_in_ten_working_days() -> None:
    spec = duty("vrr_requested", london(2026, 12, 14, 9, 0), enhanced_rights=True)
    assert (spec.kind, spec.working_days) == ("vrr_acknowledgement", 10)
    assert spec.due_at == end_of_day_utc(2026, 12, 30, bst=False)


def test_losing_enhanced_rights_recomputes_from_the_same_event_under_the_same_version() -> None:
    occurred_at = london(2026, 6, 5, 14, 0)
    original = duty("arrested", occurred_at, enhanced_rights=True)
    recomputed = recompute_duty(
        "arrested",
        occurred_at,
        enhanced_rights=False,
        ruleset_version=original.ruleset_version,
    )
    assert recomputed is not None
    assert (original.working_days, recomputed.working_days) == (1, 5)
    assert recomputed.ruleset_version == original.ruleset_version == SHIPPED_VERSION
    assert recomputed.due_at == end_of_day_utc(2026, 6, 12, bst=True)


def test_recomputing_keeps_the_recorded_version_even_when_a_later_one_is_in_force(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    occurred_at = london(2027, 7, 5, 10, 0)  # Monday, under the later rule set
    fresh = compute_duty("arrested", occurred_at, enhanced_rights=True, rulesets=later_rulesets)
    assert fresh is not None
    assert (fresh.ruleset_version, fresh.working_days) == (LATER_VERSION, 2)
    recomputed = recompute_duty(
        "arrested",
        occurred_at,
        enhanced_rights=False,
        ruleset_version=SHIPPED_VERSION,
        rulesets=later_rulesets,
    )
    assert recomputed is not None
    assert (recomputed.ruleset_version, recomputed.working_days) == (SHIPPED_VERSION, 5)
    assert recomputed.due_at == end_of_day_utc(2027, 7, 12, bst=True)


def test_event_that_a_rule_set_says_creates_no_duty_gives_none(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    before = compute_duty(
        "case_closed", london(2027, 6, 30, 9, 0), enhanced_rights=False, rulesets=later_rulesets
    )
    after = compute_duty(
        "case_closed", london(2027, 7, 1, 9, 0), enhanced_rights=False, rulesets=later_rulesets
    )
    assert before is not None and before.kind == "key_decision"
    assert after is None


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="'burgled'") as caught:
        compute_duty("burgled", london(2026, 6, 5, 9, 0), enhanced_rights=False)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(UnknownEventType):
        recompute_duty(
            "burgled",
            london(2026, 6, 5, 9, 0),
            enhanced_rights=False,
            ruleset_version=SHIPPED_VERSION,
        )


def test_recomputing_under_an_unknown_version_is_refused() -> None:
    with pytest.raises(UnknownRuleSetVersion):
        recompute_duty(
            "arrested", london(2026, 6, 5, 9, 0), enhanced_rights=False, ruleset_version="9.9"
        )


def test_naive_event_time_is_refused() -> None:
    naive = datetime(2026, 6, 5, 9, 0)
    with pytest.raises(ValueError, match="occurred_at must be a timezone-aware datetime"):
        compute_duty("arrested", naive, enhanced_rights=False)
    with pytest.raises(ValueError, match="occurred_at must be a timezone-aware datetime"):
        recompute_duty("arrested", naive, enhanced_rights=False, ruleset_version=SHIPPED_VERSION)


def test_periodic_update_is_due_at_the_end_of_the_day_after_the_agreed_calendar_days() -> None:
    (ruleset,) = load_rulesets()
    due = next_periodic_update(london(2026, 6, 1, 10, 0), 14, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 6, 15, bst=True)


def test_periodic_update_uses_the_rule_set_default_when_no_days_were_agreed() -> None:
    (ruleset,) = load_rulesets()
    due = next_periodic_update(london(2026, 6, 3, 10, 0), None, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 7, 1, bst=True)


def test_periodic_update_default_comes_from_the_rule_set_given(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    due = next_periodic_update(london(2027, 7, 5, 10, 0), None, ruleset=later_rulesets[-1])
    assert due == end_of_day_utc(2027, 7, 26, bst=True)


def test_periodic_update_falling_on_a_saturday_moves_to_the_end_of_monday() -> None:
    (ruleset,) = load_rulesets()
    due = next_periodic_update(london(2026, 6, 5, 10, 0), 15, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 6, 22, bst=True)


def test_periodic_update_falling_on_boxing_day_observed_moves_to_the_next_working_day() -> None:
    (ruleset,) = load_rulesets()
    due = next_periodic_update(london(2026, 11, 30, 10, 0), 28, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 12, 29, bst=False)


def test_periodic_update_counts_from_the_london_date_of_the_last_contact() -> None:
    (ruleset,) = load_rulesets()
    # 23:30 UTC on Monday 1 June 2026 is 00:30 BST on Tuesday 2 June.
    due = next_periodic_update(datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 7, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 6, 9, bst=True)


@pytest.mark.parametrize("frequency_days", [0, -7])
def test_periodic_update_refuses_a_frequency_below_one_day(frequency_days: int) -> None:
    (ruleset,) = load_rulesets()
    with pytest.raises(ValueError, match="frequency_days must be at least 1"):
        next_periodic_update(london(2026, 6, 1, 10, 0), frequency_days, ruleset=ruleset)


def test_periodic_update_refuses_a_naive_last_contact() -> None:
    (ruleset,) = load_rulesets()
    with pytest.raises(ValueError, match="last_contact must be a timezone-aware datetime"):
        next_periodic_update(datetime(2026, 6, 1, 10, 0), 14, ruleset=ruleset)
