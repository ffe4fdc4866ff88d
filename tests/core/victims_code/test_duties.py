"""Contact duties from investigation events: the API of issue 12 and the format-1 one it keeps."""

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
    duties_for_event,
    load_rulesets,
    next_periodic_update,
    recompute_duties,
    recompute_duty,
)
from tests.core.victims_code.conftest import CURRENT_VERSION, LATER_VERSION, REVISED_VERSION


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in London."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def end_of_day_utc(year: int, month: int, day: int, *, bst: bool) -> datetime:
    """The end of a London day, in UTC: 22:59:59.999999 in summer, 23:59:59.999999 in winter."""
    return datetime(year, month, day, 22 if bst else 23, 59, 59, 999999, tzinfo=UTC)


def duty(event_type: str, occurred_at: datetime, *, enhanced_rights: bool) -> DutySpec:
    """The first duty an event creates under the shipped rules, which must not be None."""
    spec = compute_duty(event_type, occurred_at, enhanced_rights=enhanced_rights)
    assert spec is not None
    return spec


def test_friday_arrest_is_due_end_of_following_friday_for_standard_victims() -> None:
    occurred_at = london(2026, 6, 5, 14, 0)
    (spec,) = duties_for_event("arrested", occurred_at, {}, enhanced_rights=False)
    assert spec == DutySpec(
        kind="key_decision",
        title="Tell the victim a suspect has been arrested",
        due_at=end_of_day_utc(2026, 6, 12, bst=True),
        working_days=5,
        ruleset_version=CURRENT_VERSION,
        required_items=("event_date",),
        basis="Right 6 (a): a suspect arrested, within 5 working days (1 under Enhanced Rights) "
        "[S: bedfordshire Right 6].",
        clock_from=occurred_at,
    )


def test_friday_arrest_is_due_end_of_monday_for_victims_with_enhanced_rights() -> None:
    spec = duty("arrested", london(2026, 6, 5, 14, 0), enhanced_rights=True)
    assert (spec.due_at, spec.working_days) == (end_of_day_utc(2026, 6, 8, bst=True), 1)


def test_a_crime_report_creates_confirmation_referral_and_needs_assessment_duties() -> None:
    reported = london(2026, 12, 3, 15, 0)  # Thursday
    specs = duties_for_event("crime_recorded", reported, {}, enhanced_rights=False)
    assert [(s.kind, s.working_days, s.due_at) for s in specs] == [
        ("written_confirmation", 5, end_of_day_utc(2026, 12, 10, bst=False)),
        ("support_referral", 2, end_of_day_utc(2026, 12, 7, bst=False)),
        ("needs_assessment", 5, end_of_day_utc(2026, 12, 10, bst=False)),
    ]
    assert {s.clock_from for s in specs} == {reported}


def test_a_charge_creates_the_key_decision_and_the_personal_statement_offer() -> None:
    specs = duties_for_event("charged", london(2026, 12, 3, 15, 0), {}, enhanced_rights=True)
    assert [(s.kind, s.due_at) for s in specs] == [
        ("key_decision", end_of_day_utc(2026, 12, 4, bst=False)),
        ("personal_statement", end_of_day_utc(2026, 12, 4, bst=False)),
    ]
    assert specs[1].required_items == ("personal_statement",)


def test_a_business_is_owed_an_impact_statement_offer_instead() -> None:
    specs = duties_for_event(
        "charged",
        london(2026, 12, 3, 15, 0),
        {},
        enhanced_rights=False,
        recipient_role="business_contact",
    )
    assert specs[1].required_items == ("business_impact_statement",)


@pytest.mark.parametrize(
    "event_type", ["vps_taken", "vrr_decided", "needs_assessed", "support_referral"]
)
def test_events_that_meet_duties_create_none(event_type: str) -> None:
    assert duties_for_event(event_type, london(2026, 12, 3, 9, 0), {}, enhanced_rights=False) == []
    assert compute_duty(event_type, london(2026, 12, 3, 9, 0), enhanced_rights=False) is None


@pytest.mark.parametrize(
    "event_type",
    ["court_hearing_set", "hearing_result", "sentenced", "appeal_lodged", "appeal_outcome"],
)
def test_court_stage_events_create_no_duty_when_the_witness_care_unit_does_not_use_the_app(
    event_type: str,
) -> None:
    moment = london(2026, 12, 3, 9, 0)
    assert duties_for_event(event_type, moment, {}, enhanced_rights=False)
    assert (
        duties_for_event(event_type, moment, {}, enhanced_rights=False, witness_care_in_app=False)
        == []
    )


def test_a_charge_is_told_by_the_police_whether_or_not_the_witness_care_unit_uses_the_app() -> None:
    specs = duties_for_event(
        "charged", london(2026, 12, 3, 9, 0), {}, enhanced_rights=False, witness_care_in_app=False
    )
    assert len(specs) == 2


def test_friday_arrest_before_christmas_2026_is_due_on_tuesday_29_december() -> None:
    spec = duty("arrested", london(2026, 12, 18, 14, 0), enhanced_rights=False)
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


def test_losing_enhanced_rights_recomputes_from_the_same_event_under_the_same_version() -> None:
    occurred_at = london(2026, 6, 5, 14, 0)
    original = duty("arrested", occurred_at, enhanced_rights=True)
    (recomputed,) = recompute_duties(
        "arrested", occurred_at, {}, enhanced_rights=False, ruleset_version=original.ruleset_version
    )
    assert (original.working_days, recomputed.working_days) == (1, 5)
    assert recomputed.ruleset_version == original.ruleset_version == CURRENT_VERSION
    assert recomputed.due_at == end_of_day_utc(2026, 6, 12, bst=True)


def test_an_old_referral_duty_is_recomputed_under_the_version_it_recorded() -> None:
    # Under 2020-code.1 the referral event itself started a 2-working-day clock.
    occurred_at = london(2026, 12, 24, 9, 0)
    (spec,) = recompute_duties(
        "support_referral", occurred_at, {}, enhanced_rights=True, ruleset_version=REVISED_VERSION
    )
    assert (spec.kind, spec.working_days, spec.ruleset_version) == (
        "support_referral",
        2,
        REVISED_VERSION,
    )
    assert spec.due_at == end_of_day_utc(2026, 12, 30, bst=False)
    old = recompute_duty(
        "support_referral", occurred_at, enhanced_rights=False, ruleset_version=REVISED_VERSION
    )
    assert old == spec


def test_an_old_crime_report_duty_keeps_its_one_duty_under_the_version_it_recorded() -> None:
    specs = recompute_duties(
        "crime_recorded",
        london(2026, 6, 5, 9, 0),
        {},
        enhanced_rights=False,
        ruleset_version=REVISED_VERSION,
    )
    assert [spec.kind for spec in specs] == ["written_confirmation"]


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
        ruleset_version=CURRENT_VERSION,
        rulesets=later_rulesets,
    )
    assert recomputed is not None
    assert (recomputed.ruleset_version, recomputed.working_days) == (CURRENT_VERSION, 5)
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
        duties_for_event("burgled", london(2026, 6, 5, 9, 0), {}, enhanced_rights=False)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(UnknownEventType):
        compute_duty("burgled", london(2026, 6, 5, 9, 0), enhanced_rights=False)
    with pytest.raises(UnknownEventType):
        recompute_duty(
            "burgled",
            london(2026, 6, 5, 9, 0),
            enhanced_rights=False,
            ruleset_version=CURRENT_VERSION,
        )


def test_recomputing_under_an_unknown_version_is_refused() -> None:
    with pytest.raises(UnknownRuleSetVersion):
        recompute_duties(
            "arrested", london(2026, 6, 5, 9, 0), {}, enhanced_rights=False, ruleset_version="9.9"
        )


def test_naive_event_time_is_refused() -> None:
    naive = datetime(2026, 6, 5, 9, 0)
    with pytest.raises(ValueError, match="occurred_at must be a timezone-aware datetime"):
        duties_for_event("arrested", naive, {}, enhanced_rights=False)
    with pytest.raises(ValueError, match="occurred_at must be a timezone-aware datetime"):
        recompute_duty("arrested", naive, enhanced_rights=False, ruleset_version=CURRENT_VERSION)


def test_periodic_update_is_due_at_the_end_of_the_day_after_the_agreed_calendar_days() -> None:
    ruleset = load_rulesets()[-1]
    due = next_periodic_update(london(2026, 6, 1, 10, 0), 14, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 6, 15, bst=True)


def test_periodic_update_uses_the_rule_set_default_when_no_days_were_agreed() -> None:
    ruleset = load_rulesets()[-1]
    due = next_periodic_update(london(2026, 6, 3, 10, 0), None, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 7, 1, bst=True)


def test_periodic_update_default_comes_from_the_rule_set_given(
    later_rulesets: tuple[RuleSet, ...],
) -> None:
    due = next_periodic_update(london(2027, 7, 5, 10, 0), None, ruleset=later_rulesets[-1])
    assert due == end_of_day_utc(2027, 7, 26, bst=True)


def test_periodic_update_falling_on_a_saturday_moves_to_the_end_of_monday() -> None:
    ruleset = load_rulesets()[-1]
    due = next_periodic_update(london(2026, 6, 5, 10, 0), 15, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 6, 22, bst=True)


def test_periodic_update_falling_on_boxing_day_observed_moves_to_the_next_working_day() -> None:
    ruleset = load_rulesets()[-1]
    due = next_periodic_update(london(2026, 11, 30, 10, 0), 28, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 12, 29, bst=False)


def test_periodic_update_counts_from_the_london_date_of_the_last_contact() -> None:
    ruleset = load_rulesets()[-1]
    # 23:30 UTC on Monday 1 June 2026 is 00:30 BST on Tuesday 2 June.
    due = next_periodic_update(datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 7, ruleset=ruleset)
    assert due == end_of_day_utc(2026, 6, 9, bst=True)


@pytest.mark.parametrize("frequency_days", [0, -7])
def test_periodic_update_refuses_a_frequency_below_one_day(frequency_days: int) -> None:
    ruleset = load_rulesets()[-1]
    with pytest.raises(ValueError, match="frequency_days must be at least 1"):
        next_periodic_update(london(2026, 6, 1, 10, 0), frequency_days, ruleset=ruleset)


def test_periodic_update_refuses_a_naive_last_contact() -> None:
    ruleset = load_rulesets()[-1]
    with pytest.raises(ValueError, match="last_contact must be a timezone-aware datetime"):
        next_periodic_update(datetime(2026, 6, 1, 10, 0), 14, ruleset=ruleset)


def test_the_format_1_api_gives_no_duty_that_needs_event_details_it_cannot_take() -> None:
    moment = london(2026, 12, 7, 10, 0)
    assert compute_duty("bail_decision_pending", moment, enhanced_rights=False) is None
    assert (
        recompute_duty(
            "bail_decision_pending",
            moment,
            enhanced_rights=False,
            ruleset_version=CURRENT_VERSION,
        )
        is None
    )
