"""Structured event details as merge fields: court, remand, results, appeals, reasons, review."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from fieldapp.core.templating.context import EventData, MergeData, build_context, sample_merge_data
from fieldapp.core.templating.details import event_details_context, review_applies
from fieldapp.core.templating.wording import table_codes, words


def _event(event_type: str, language: str = "en", **details: Any) -> dict[str, Any]:
    """The ``event`` part of the context for an event with these details."""
    moment = datetime(2026, 3, 3, 14, 30, tzinfo=UTC)
    data = replace(sample_merge_data(), event=EventData(event_type, moment, details))
    event: dict[str, Any] = build_context(data, language=language)["event"]
    return event


@pytest.mark.parametrize(
    ("decision_maker", "suspect_interviewed", "applies"),
    [
        ("police", True, "yes"),
        ("police", False, None),
        ("police", None, None),
        ("cps", True, None),
        ("cps", False, None),
        (None, True, None),
    ],
)
def test_review_applies_only_to_a_police_decision_after_an_interview(
    decision_maker: str | None, suspect_interviewed: bool | None, applies: str | None
) -> None:
    details = {"decision_maker": decision_maker, "suspect_interviewed": suspect_interviewed}
    present = {name: value for name, value in details.items() if value is not None}
    assert review_applies(present) == applies
    event = _event("no_further_action", reasons="x", **present)
    assert event.get("review_applies") == applies


def test_a_charge_gives_court_address_and_remand_status_in_each_language() -> None:
    details = {
        "charges": ["theft"],
        "court_name": "Cardiff Magistrates' Court",
        "court_name_cy": "Llys Ynadon Caerdydd",
        "court_address": "Fitzalan Place, Cardiff CF24 0RZ",
        "hearing_at": "2026-07-01T09:00:00Z",
        "remand_status": "remanded_in_custody",
    }
    english, welsh = _event("charged", **details), _event("charged", "cy", **details)
    assert english["court_name"] == "Cardiff Magistrates' Court"
    assert welsh["court_name"] == "Llys Ynadon Caerdydd"
    assert english["court_address"] == welsh["court_address"] == details["court_address"]
    assert english["remand_status"] == (
        "They are being kept in custody (remanded) until the court hearing."
    )
    assert welsh["remand_status"].startswith("Maen nhw'n cael eu cadw yn y ddalfa")
    assert welsh["hearing_time"] == "10yb"
    assert english["bail_conditions"] == []  # remanded: no conditions, but a list to test


def test_a_court_without_a_welsh_name_keeps_its_name_in_welsh_messages() -> None:
    event = _event("court_hearing_set", "cy", court_name="Leeds Crown Court", hearing_type="trial")
    assert (event["court_name"], event["hearing_type"]) == ("Leeds Crown Court", "treial")


def test_a_charge_on_bail_with_conditions_lists_the_protective_ones() -> None:
    conditions = [
        {"type": "no_contact", "protects_victim": True},
        {"type": "reporting", "protects_victim": False},
    ]
    event = _event("charged", remand_status="bail_with_conditions", conditions=conditions)
    assert event["bail_conditions"] == [
        "They must not contact you, directly or through anyone else."
    ]


def test_a_pending_bail_decision_gives_its_uk_day_and_the_proposed_conditions() -> None:
    event = _event(
        "bail_decision_pending",
        "cy",
        decision_due_at="2026-07-01T23:30:00Z",
        proposed_conditions=[
            {"type": "not_enter_area", "area": "Y Rhath", "protects_victim": True}
        ],
    )
    assert event["decision_date"] == "Dydd Iau 2 Gorffennaf 2026"
    assert event["proposed_conditions"] == [
        "Rhaid iddyn nhw beidio â mynd i mewn i'r ardal hon: Y Rhath."
    ]


def test_a_pending_bail_decision_without_proposals_has_an_empty_list() -> None:
    event = _event("bail_decision_pending", decision_due_at="2026-07-01T12:00:00Z")
    assert event["proposed_conditions"] == []


@pytest.mark.parametrize(
    ("event_type", "table"),
    [("hearing_result", "hearing_result"), ("appeal_outcome", "appeal_outcome"),
     ("vrr_decided", "vrr_result")],
)  # fmt: skip
@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_result_is_a_sentence(event_type: str, table: str, language: str) -> None:
    for code in table_codes(table):
        result = _event(event_type, language, result=code)["result"]
        assert result == words(table, code, language)
        assert result[0].isupper()
        assert result.endswith(".")


@pytest.mark.parametrize(
    ("by", "against", "english", "welsh"),
    [
        ("defence", "conviction", "The defence has appealed against the conviction.",
         "Mae'r amddiffyniad wedi apelio yn erbyn yr euogfarn."),
        ("prosecution", "sentence", "The prosecution has appealed against the sentence.",
         "Mae'r erlyniad wedi apelio yn erbyn y ddedfryd."),
        ("defence", "conviction_and_sentence",
         "The defence has appealed against the conviction and the sentence.",
         "Mae'r amddiffyniad wedi apelio yn erbyn yr euogfarn a'r ddedfryd."),
    ],
)  # fmt: skip
def test_an_appeal_says_who_appealed_and_against_what(
    by: str, against: str, english: str, welsh: str
) -> None:
    assert _event("appeal_lodged", appeal_by=by, appeal_against=against)["appeal"] == english
    assert _event("appeal_lodged", "cy", appeal_by=by, appeal_against=against)["appeal"] == welsh


def test_a_sentence_is_given_as_typed() -> None:
    assert _event("sentenced", sentence="2 years in prison")["sentence"] == "2 years in prison"


@pytest.mark.parametrize(
    ("method", "english", "welsh"),
    [("sms", "text message", "neges destun"), ("email", "email", "e-bost"),
     ("letter", "letter", "llythyr"), ("phone", "phone call", "galwad ffôn"),
     ("in_person", "visit in person", "ymweliad wyneb yn wyneb")],
)  # fmt: skip
def test_an_unavailable_method_is_in_words_with_its_reasons(
    method: str, english: str, welsh: str
) -> None:
    details = {"method": method, "reason_codes": ["number_not_working"]}
    event = _event("preferred_method_unavailable", **details)
    assert event["method_unavailable"] == english
    assert event["reasons"] == "The number we have for you is not working."
    assert _event("preferred_method_unavailable", "cy", **details)["method_unavailable"] == welsh


@pytest.mark.parametrize(
    ("code", "english", "welsh"),
    [("youth_caution", "a youth caution", "rhybudd ieuenctid"),
     ("youth_conditional_caution", "a youth conditional caution", "rhybudd amodol ieuenctid"),
     ("community_resolution", "a community resolution", "datrysiad cymunedol")],
)  # fmt: skip
def test_youth_outcomes_are_plain_words(code: str, english: str, welsh: str) -> None:
    assert _event("youth_out_of_court_outcome", outcome=code)["outcome"] == english
    assert _event("youth_out_of_court_outcome", "cy", outcome=code)["outcome"] == welsh


def test_outcome_22_is_explained_in_both_languages() -> None:
    assert "Outcome 22" in _event("youth_out_of_court_outcome", outcome="outcome_22")["outcome"]
    welsh = _event("youth_out_of_court_outcome", "cy", outcome="outcome_22")["outcome"]
    assert "(a elwir yn Ganlyniad 22)" in welsh  # soft mutation after predicative yn


@pytest.mark.parametrize("language", ["en", "cy"])
def test_no_out_of_court_wording_says_anyone_admitted_anything(language: str) -> None:
    for table in ("out_of_court_outcome", "youth_outcome"):
        for code in table_codes(table):
            text = str(words(table, code, language)).lower()
            assert "admit" not in text
            assert "cyfadd" not in text  # Welsh cyfaddef, to admit


def test_unknown_codes_are_left_out_rather_than_guessed() -> None:
    assert event_details_context("hearing_result", {"result": "nonsense"}, "en") == {}


@pytest.mark.parametrize("table", ["remand_status", "hearing_type", "statement_type", "method"])
def test_every_closed_list_has_words_in_both_languages(table: str) -> None:
    for code in table_codes(table):
        assert words(table, code, "en")
        assert words(table, code, "cy")


def _with_forces(language: str) -> dict[str, Any]:
    """The force part of a context whose data gives the force in Welsh too."""
    data: MergeData = sample_merge_data()
    welsh = replace(data.force, name="Heddlu Enghreifftiol", support_name="Cymorth i Ddioddefwyr")
    force: dict[str, Any] = build_context(replace(data, force_cy=welsh), language=language)["force"]
    return force


def test_force_details_follow_the_message_language() -> None:
    assert _with_forces("en")["name"] == "Demo Constabulary"
    assert _with_forces("cy")["name"] == "Heddlu Enghreifftiol"
    assert _with_forces("cy")["support_name"] == "Cymorth i Ddioddefwyr"
    assert _with_forces("cy")["phone"] == "101"


def test_welsh_messages_use_the_english_force_details_when_no_welsh_ones_are_given() -> None:
    force = build_context(sample_merge_data(), language="cy")["force"]
    assert force["name"] == "Demo Constabulary"
