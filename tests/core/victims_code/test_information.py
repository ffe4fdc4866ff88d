"""Information items: what a text must carry to meet a duty, and refusals of malformed items."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from fieldapp.core.victims_code import (
    Coverage,
    InformationItem,
    InvalidRuleSet,
    UnknownDutyKind,
    check_information,
    load_rulesets,
    parse_rulesets,
    required_items,
)
from tests.core.victims_code.conftest import CURRENT_VERSION, REVISED_VERSION

ITEMS = load_rulesets()[-1].items.items
CHARGE_CONTEXT: dict[str, Any] = {
    "victim": {"first_name": "Sam", "role": "victim"},
    "case": {"crime_reference": "CR/2026/000123", "offence": "burglary of your home"},
    "officer": {"name": "PC Jo Ashworth", "contact_phone": "01632 960 123"},
    "event": {
        "date": "Tuesday 3 March 2026",
        "charges": ["burglary of a home", "criminal damage"],
        "court_name": "Cardiff Magistrates' Court",
        "court_address": "Fitzalan Place, Cardiff CF24 0RZ",
        "hearing_date": "Tuesday 24 March 2026",
        "hearing_time": "10am",
        "remand_status": "He is on bail until the hearing.",
        "bail_conditions": [],
    },
    "force": {"witness_care_name": "Demo Witness Care Unit", "witness_care_phone": "01632 960 500",
              "review_url": "https://demo.example/review"},
}  # fmt: skip
CHARGE_FIELDS = frozenset(
    {"event.charges", "event.court_name", "event.court_address", "event.hearing_date",
     "event.hearing_time", "event.remand_status", "event.bail_conditions",
     "force.witness_care_name", "force.witness_care_phone"}
)  # fmt: skip
CHARGE_TEXT = (
    "Dear Sam, he has been charged with burglary of a home and criminal damage. The first "
    "hearing is on Tuesday 24 March 2026 at 10am at Cardiff Magistrates' Court, Fitzalan Place, "
    "Cardiff CF24 0RZ. He is on bail until the hearing. Demo Witness Care Unit will keep you "
    "informed: 01632 960 500."
)


def items(*ids: str) -> list[InformationItem]:
    """The shipped items with these ids."""
    return [ITEMS[item_id] for item_id in ids]


def charge_items() -> list[InformationItem]:
    """What a charge message must carry."""
    return list(required_items(CURRENT_VERSION, "charged", "key_decision", "victim"))


def test_a_charge_text_that_says_everything_carries_every_item() -> None:
    coverage = check_information(charge_items(), CHARGE_CONTEXT, CHARGE_FIELDS, CHARGE_TEXT, "en")
    assert coverage == Coverage(
        carried=("charges", "first_hearing", "court", "remand_status", "witness_care_contact"),
        missing=(),
        not_applicable=("protective_conditions",),
    )


def test_an_item_is_missing_when_the_template_did_not_use_its_field() -> None:
    # The court address typed into the template by hand is not the court of this case.
    used = CHARGE_FIELDS - {"event.court_address"}
    coverage = check_information(charge_items(), CHARGE_CONTEXT, used, CHARGE_TEXT, "en")
    assert coverage.missing == ("court",)


def test_an_item_is_missing_when_its_value_is_not_in_the_text() -> None:
    # The field was used, but under a condition that left it out of this text.
    text = CHARGE_TEXT.replace(" at 10am", "")
    coverage = check_information(charge_items(), CHARGE_CONTEXT, CHARGE_FIELDS, text, "en")
    assert coverage.missing == ("first_hearing",)


def test_every_element_of_a_list_must_be_in_the_text() -> None:
    text = CHARGE_TEXT.replace(" and criminal damage", "")
    coverage = check_information(items("charges"), CHARGE_CONTEXT, CHARGE_FIELDS, text, "en")
    assert coverage.missing == ("charges",)


def test_protective_conditions_apply_when_there_are_some_and_each_must_be_told() -> None:
    context = json.loads(json.dumps(CHARGE_CONTEXT))
    context["event"]["bail_conditions"] = ["He must not contact you.", "He must not go to Splott."]
    told = CHARGE_TEXT + " He must not contact you. He must not go to Splott."
    half = CHARGE_TEXT + " He must not contact you."
    item = items("protective_conditions")
    assert check_information(item, context, CHARGE_FIELDS, told, "en").carried == (
        "protective_conditions",
    )
    assert check_information(item, context, CHARGE_FIELDS, half, "en").missing == (
        "protective_conditions",
    )


def test_an_always_item_without_a_value_is_missing_not_inapplicable() -> None:
    context = json.loads(json.dumps(CHARGE_CONTEXT))
    del context["event"]["court_address"]  # an event recorded before courts had addresses
    coverage = check_information(charge_items(), context, CHARGE_FIELDS, CHARGE_TEXT, "en")
    assert coverage.missing == ("court",)


def test_an_item_without_any_value_does_not_apply_unless_always() -> None:
    context = {"event": {"date": "Friday 5 June 2026"}}
    coverage = check_information(
        items("answer_date", "protective_conditions", "offence"), context, frozenset(), "", "en"
    )
    assert coverage == Coverage((), (), ("answer_date", "protective_conditions", "offence"))


def test_text_is_compared_without_case_spacing_typography_or_html_escapes() -> None:
    text = (
        "CARDIFF MAGISTRATES&#39; COURT,\n   Fitzalan   Place,\nCardiff CF24 0RZ"
        "  cardiff magistrates\u2019 court"
    )
    coverage = check_information(items("court"), CHARGE_CONTEXT, CHARGE_FIELDS, text, "en")
    assert coverage.carried == ("court",)


def test_a_multi_field_item_needs_every_field() -> None:
    context = {"officer": {"name": "PC Jo Ashworth", "contact_phone": "01632 960 123"}}
    text = "PC Jo Ashworth, 01632 960 123"
    item = items("officer_contact")
    assert check_information(item, context, frozenset({"officer.name"}), text, "en").missing == (
        "officer_contact",
    )
    both = frozenset({"officer.name", "officer.contact_phone"})
    assert check_information(item, context, both, text, "en").carried == ("officer_contact",)


def test_the_review_right_applies_only_when_the_victim_has_it() -> None:
    item = items("review_right")
    no_review = check_information(item, CHARGE_CONTEXT, frozenset(), "", "en")
    assert no_review.not_applicable == ("review_right",)
    context = json.loads(json.dumps(CHARGE_CONTEXT))
    context["event"]["review_applies"] = "yes"
    used = frozenset({"force.review_url"})
    told = "Ask for a review at https://demo.example/review"
    assert check_information(item, context, used, told, "en").carried == ("review_right",)
    assert check_information(item, context, used, "", "en").missing == ("review_right",)


@pytest.mark.parametrize(
    ("text", "language", "verdict"),
    [
        ("You can make a victim personal statement.", "en", "carried"),
        ("You can make a Victim Personal\nStatement.", "en", "carried"),
        ("Gallwch wneud datganiad personol dioddefwr.", "cy", "carried"),
        ("Mae gennych hawl i wneud ddatganiad personol.", "cy", "carried"),
        ("You can make a victim personal statement.", "cy", "missing"),
        ("Gallwch wneud datganiad personol dioddefwr.", "en", "missing"),
        ("You can tell the court how the crime affected you.", "en", "missing"),
    ],
)
def test_a_phrase_item_is_carried_when_the_text_has_one_of_its_phrases_in_the_language(
    text: str, language: str, verdict: str
) -> None:
    coverage = check_information(items("personal_statement"), {}, frozenset(), text, language)
    assert getattr(coverage, verdict) == ("personal_statement",)


def test_a_welsh_complaint_acknowledgement_is_recognised_after_mutation() -> None:
    coverage = check_information(
        items("complaint_acknowledgement"), {}, frozenset(), "Mae eich gŵyn wedi dod i law.", "cy"
    )
    assert coverage.carried == ("complaint_acknowledgement",)


def test_a_business_is_offered_an_impact_statement_and_no_compensation_information() -> None:
    statement = required_items(CURRENT_VERSION, "charged", "personal_statement", "business_contact")
    assert [item.id for item in statement] == ["business_impact_statement"]
    text = "You can make an impact statement for business."
    assert check_information(statement, {}, frozenset(), text, "en").carried == (
        "business_impact_statement",
    )
    written = required_items(
        CURRENT_VERSION, "crime_recorded", "written_confirmation", "business_contact"
    )
    assert "compensation_information" not in [item.id for item in written]
    assert "compensation_information" in [
        item.id
        for item in required_items(
            CURRENT_VERSION, "crime_recorded", "written_confirmation", "victim"
        )
    ]


def test_required_items_follow_the_recorded_version() -> None:
    old = required_items(REVISED_VERSION, "support_referral", "support_referral", "victim")
    assert old == ()
    with pytest.raises(UnknownDutyKind, match="'support_referral' events create no"):
        required_items(CURRENT_VERSION, "support_referral", "support_referral", "victim")


def test_a_duty_without_an_event_requires_no_items() -> None:
    assert required_items(CURRENT_VERSION, None, "periodic_update", "victim") == ()


def test_items_have_labels_in_english_and_welsh() -> None:
    item = ITEMS["court"]
    assert item.label("en") == "The court and its address"
    assert item.label("cy") == "Y llys a'i gyfeiriad"
    assert item.label("fr") == item.label("en")


def test_checking_in_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        check_information(items("court"), {}, frozenset(), "", "fr")


def test_every_item_field_is_a_merge_field_of_the_template_catalogue() -> None:
    catalogue = json.loads(
        resources.files("fieldapp.core.templating")
        .joinpath("merge_fields.json")
        .read_text(encoding="utf-8")
    )
    known = {field["name"] for field in catalogue["fields"]}
    for item in ITEMS.values():
        named = set(item.fields) | ({item.applies_when} if item.applies_when else set())
        assert named <= known, item.id


def _item(document: dict[str, Any], item_id: str) -> dict[str, Any]:
    (item,) = [i for i in document["information_items"] if i["id"] == item_id]
    found: dict[str, Any] = item
    return found


def _break_no_items(document: dict[str, Any]) -> None:
    document["information_items"] = []


def _break_item_key(document: dict[str, Any]) -> None:
    _item(document, "court")["field"] = ["event.court_name"]


def _break_missing_welsh_label(document: dict[str, Any]) -> None:
    del _item(document, "court")["label"]["cy"]


def _break_not_a_merge_field(document: dict[str, Any]) -> None:
    _item(document, "court")["fields"] = ["court_name"]


def _break_applies_when(document: dict[str, Any]) -> None:
    _item(document, "review_right")["applies_when"] = "details.review"


def _break_duplicate_id(document: dict[str, Any]) -> None:
    document["information_items"].append(_item(document, "court"))


def _break_nothing_to_check(document: dict[str, Any]) -> None:
    del _item(document, "court")["fields"]


def _break_always_without_fields(document: dict[str, Any]) -> None:
    _item(document, "personal_statement")["always"] = True


def _break_missing_welsh_phrases(document: dict[str, Any]) -> None:
    del _item(document, "personal_statement")["phrases"]["cy"]


def _break_empty_phrases(document: dict[str, Any]) -> None:
    _item(document, "personal_statement")["phrases"]["cy"] = []


def _break_unknown_replacement(document: dict[str, Any]) -> None:
    _item(document, "personal_statement")["replaced_for"] = {"business_contact": "bis"}


def _break_role_name(document: dict[str, Any]) -> None:
    _item(document, "compensation_information")["excluded_for"] = ["Business Contact"]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_no_items, "information_items must be a non-empty list"),
        (_break_item_key, "information item 'court': unexpected keys ['field']"),
        (_break_missing_welsh_label, "'court'.label: missing keys ['cy']"),
        (_break_not_a_merge_field, "'court_name' is not a merge field"),
        (_break_applies_when, "'details.review' is not a merge field"),
        (_break_duplicate_id, "item 'court' is defined twice"),
        (_break_nothing_to_check, "give 'fields', 'phrases' or both"),
        (_break_always_without_fields, "'always' must be true or false, and needs 'fields'"),
        (_break_missing_welsh_phrases, "phrases: missing keys ['cy']"),
        (_break_empty_phrases, "no phrase for ['cy']"),
        (_break_unknown_replacement, "replacements for 'business_contact' name unknown"),
        (_break_role_name, "name 'Business Contact' must be lower_snake_case"),
    ],
)
def test_malformed_information_items_are_refused_with_a_clear_message(
    document: dict[str, Any], breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    breakage(document)
    with pytest.raises(InvalidRuleSet, match=re.escape(message)):
        parse_rulesets(document)


def test_items_can_be_collected_in_sets() -> None:
    assert {*items("court", "court", "charges")} == {ITEMS["court"], ITEMS["charges"]}
