"""The merge context: plain strings and lists, UK time, GOV.UK dates, absent data left out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from fieldapp.core.templating.catalogue import Catalogue, flatten_context
from fieldapp.core.templating.context import (
    EventData,
    MergeData,
    build_context,
    sample_merge_data,
)
from fieldapp.core.templating.dates import format_date, format_time


def _with_event(event_type: str, **details: Any) -> MergeData:
    """The sample data with a different event."""
    moment = datetime(2026, 3, 3, 14, 30, tzinfo=UTC)
    return replace(sample_merge_data(), event=EventData(event_type, moment, details))


def _plain(value: object) -> bool:
    """Whether a value is built only of dicts with str keys, lists and strings."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return isinstance(value, str)


def test_sample_context_has_exactly_the_catalogue_fields(catalogue: Catalogue) -> None:
    flat = flatten_context(build_context(sample_merge_data(), language="en"))
    assert set(flat) == set(catalogue.fields)


def test_context_is_plain_data(context: dict[str, Any]) -> None:
    assert _plain(context)


def test_each_build_is_a_fresh_dict() -> None:
    data = sample_merge_data()
    first = build_context(data, language="en")
    first["victim"]["first_name"] = "changed"
    assert build_context(data, language="en")["victim"]["first_name"] == "Sam"


@pytest.mark.parametrize(
    ("day", "language", "written"),
    [
        (date(2026, 3, 3), "en", "Tuesday 3 March 2026"),
        (date(2026, 3, 3), "cy", "Dydd Mawrth 3 Mawrth 2026"),
        (date(2026, 1, 5), "cy", "Dydd Llun 5 Ionawr 2026"),
        (date(2026, 12, 27), "cy", "Dydd Sul 27 Rhagfyr 2026"),
        (date(2026, 7, 4), "en", "Saturday 4 July 2026"),
    ],
)
def test_dates_are_written_out_in_the_language(day: date, language: str, written: str) -> None:
    assert format_date(day, language) == written


@pytest.mark.parametrize(
    ("moment", "language", "written"),
    [
        (datetime(2026, 3, 3, 10, 0, tzinfo=UTC), "en", "10am"),
        (datetime(2026, 3, 3, 14, 30, tzinfo=UTC), "en", "2:30pm"),
        (datetime(2026, 3, 3, 12, 0, tzinfo=UTC), "en", "12pm"),
        (datetime(2026, 3, 3, 0, 5, tzinfo=UTC), "en", "12:05am"),
        (datetime(2026, 3, 3, 10, 0, tzinfo=UTC), "cy", "10yb"),
        (datetime(2026, 3, 3, 14, 30, tzinfo=UTC), "cy", "2:30yp"),
        # British Summer Time: 13:00 UTC is 2pm in London.
        (datetime(2026, 7, 1, 13, 0, tzinfo=UTC), "en", "2pm"),
        (datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=-4))), "en", "2pm"),
    ],
)
def test_times_are_uk_time_in_the_language(moment: datetime, language: str, written: str) -> None:
    assert format_time(moment, language) == written


def test_event_date_is_the_uk_day_not_the_utc_day() -> None:
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London
    data = replace(sample_merge_data(), event=EventData("arrested", late, {}))
    event = build_context(data, language="en")["event"]
    assert event == {"date": "Thursday 2 July 2026", "time": "12:30am"}


def test_naive_times_are_refused() -> None:
    data = replace(sample_merge_data(), event=EventData("arrested", datetime(2026, 3, 3), {}))
    with pytest.raises(ValueError, match="timezone-aware"):
        build_context(data, language="en")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        build_context(sample_merge_data(), language="fr")


def test_bail_conditions_hold_only_those_that_protect_the_victim() -> None:
    conditions = [
        {"text": "must not contact you", "protects_victim": True},
        {"text": "must live at his home address", "protects_victim": False},
    ]
    event = build_context(_with_event("bailed", conditions=conditions), language="en")["event"]
    assert event["bail_conditions"] == ["They must not contact you."]


def test_bail_without_conditions_has_an_empty_list_and_no_return_date() -> None:
    event = build_context(_with_event("bailed"), language="en")["event"]
    assert event["bail_conditions"] == []
    assert "answer_bail_on" not in event


def test_answer_bail_on_is_written_out() -> None:
    data = _with_event("bail_varied", answer_bail_on="2026-04-14")
    assert build_context(data, language="cy")["event"]["answer_bail_on"] == (
        "Dydd Mawrth 14 Ebrill 2026"
    )


def test_events_other_than_bail_have_no_bail_conditions() -> None:
    event = build_context(_with_event("arrested"), language="en")["event"]
    assert "bail_conditions" not in event


@pytest.mark.parametrize(
    "hearing_at", ["2026-07-01T09:00:00Z", datetime(2026, 7, 1, 9, tzinfo=UTC)]
)
def test_charge_gives_charges_court_and_hearing_in_uk_time(hearing_at: object) -> None:
    data = _with_event(
        "charged", charges=["theft"], court_name="Leeds Magistrates' Court", hearing_at=hearing_at
    )
    event = build_context(data, language="en")["event"]
    assert event["charges"] == ["theft"]
    assert event["court_name"] == "Leeds Magistrates' Court"
    assert event["hearing_date"] == "Wednesday 1 July 2026"
    assert event["hearing_time"] == "10am"


@pytest.mark.parametrize(
    ("code", "english", "welsh"),
    [
        ("caution", "a caution", "rhybudd"),
        ("conditional_caution", "a conditional caution", "rhybudd amodol"),
        ("community_resolution", "a community resolution", "datrysiad cymunedol"),
        ("penalty_notice", "a penalty notice", "hysbysiad cosb"),
    ],
)
def test_outcome_is_plain_words(code: str, english: str, welsh: str) -> None:
    data = _with_event("out_of_court_resolution", outcome=code)
    assert build_context(data, language="en")["event"]["outcome"] == english
    assert build_context(data, language="cy")["event"]["outcome"] == welsh


def test_no_further_action_gives_reasons_and_decision_maker() -> None:
    data = _with_event("no_further_action", reasons="no witnesses", decision_maker="cps")
    event = build_context(data, language="en")["event"]
    assert (event["reasons"], event["decision_maker"]) == ("No witnesses.", "cps")


def test_officer_without_rank_collar_or_phone_leaves_them_out() -> None:
    data = sample_merge_data()
    officer = replace(data.officer, rank=None, collar_number="", phone=None)
    context = build_context(replace(data, officer=officer), language="en")
    assert context["officer"] == {"name": "Jo Ashworth", "contact_phone": "101"}


def test_officer_contact_phone_is_their_own_phone_when_recorded(context: dict[str, Any]) -> None:
    assert context["officer"]["contact_phone"] == "01632 960 123"


def test_no_event_and_no_next_update_are_left_out() -> None:
    data = replace(sample_merge_data(), event=None, next_update_on=None)
    context = build_context(data, language="en")
    assert "event" not in context
    assert "date" not in context["next_update"]


def test_full_name_joins_first_and_last(context: dict[str, Any]) -> None:
    assert context["victim"]["full_name"] == "Sam Taylor"
