"""Bail conditions as grammatical sentences, in English and Welsh."""

from __future__ import annotations

from typing import Any

import pytest

from fieldapp.core.templating.conditions import condition_sentence, protective_sentences
from fieldapp.core.templating.wording import condition_types

CASES: list[tuple[dict[str, Any], str, str]] = [
    (
        {"type": "no_contact"},
        "They must not contact you, directly or through anyone else.",
        "Rhaid iddyn nhw beidio â chysylltu â chi, yn uniongyrchol na thrwy unrhyw un arall.",
    ),
    (
        {"type": "no_contact", "person": "Mia"},
        "They must not contact Mia, directly or through anyone else.",
        "Rhaid iddyn nhw beidio â chysylltu â Mia, yn uniongyrchol na thrwy unrhyw un arall.",
    ),
    (
        {"type": "no_contact", "person": "Alun"},
        "They must not contact Alun, directly or through anyone else.",
        "Rhaid iddyn nhw beidio â chysylltu ag Alun, yn uniongyrchol na thrwy unrhyw un arall.",
    ),
    (
        {"type": "not_enter_area", "area": "the Riverside estate"},
        "They must not go into the Riverside estate.",
        "Rhaid iddyn nhw beidio â mynd i mewn i'r ardal hon: the Riverside estate.",
    ),
    (
        {"type": "not_go_near_address", "address": "12 High Street, Newtown"},
        "They must not go near 12 High Street, Newtown.",
        "Rhaid iddyn nhw beidio â mynd yn agos at y cyfeiriad hwn: 12 High Street, Newtown.",
    ),
    (
        {"type": "not_go_near_address"},
        "They must not go near your home.",
        "Rhaid iddyn nhw beidio â mynd yn agos at eich cartref.",
    ),
    (
        {"type": "curfew", "address": "4 Mill Lane", "from_time": "19:00", "to_time": "07:00"},
        "They must stay at 4 Mill Lane between 7pm and 7am.",
        "Rhaid iddyn nhw aros yn y cyfeiriad hwn rhwng 7yp a 7yb: 4 Mill Lane.",
    ),
    (
        {"type": "curfew", "from_time": "21:30", "to_time": "08:00"},
        "They must stay at home between 9:30pm and 8am.",
        "Rhaid iddyn nhw aros gartref rhwng 9:30yp ac 8yb.",
    ),
    (
        {"type": "residence", "address": "4 Mill Lane"},
        "They must live and sleep at 4 Mill Lane.",
        "Rhaid iddyn nhw fyw a chysgu yn y cyfeiriad hwn: 4 Mill Lane.",
    ),
    (
        {"type": "residence"},
        "They must live and sleep at the address they gave the police.",
        "Rhaid iddyn nhw fyw a chysgu yn y cyfeiriad a roddon nhw i'r heddlu.",
    ),
    (
        {"type": "reporting", "address": "Newtown police station"},
        "They must report to the police at Newtown police station when they are told to.",
        "Rhaid iddyn nhw gyflwyno eu hunain i'r heddlu yn y lle hwn pan ddywedir wrthyn nhw: "
        "Newtown police station.",
    ),
    (
        {"type": "reporting"},
        "They must report to the police when they are told to.",
        "Rhaid iddyn nhw gyflwyno eu hunain i'r heddlu pan ddywedir wrthyn nhw.",
    ),
    (
        {"type": "other", "text": "must not keep any dog"},
        "They must not keep any dog.",
        "Must not keep any dog.",
    ),
]


@pytest.mark.parametrize(("condition", "english", "welsh"), CASES)
def test_each_condition_reads_as_a_sentence_in_english_and_welsh(
    condition: dict[str, Any], english: str, welsh: str
) -> None:
    assert condition_sentence({**condition, "protects_victim": True}, "en") == english
    assert condition_sentence({**condition, "protects_victim": True}, "cy") == welsh


def test_every_condition_type_has_a_case_here() -> None:
    assert {condition["type"] for condition, _, _ in CASES} == set(condition_types())


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Not to contact Ceri Evans directly or indirectly", "They must not contact Ceri Evans "
         "directly or indirectly."),
        ("To live and sleep at his home address", "They must live and sleep at his home address."),
        ("must not contact you", "They must not contact you."),
        ("Surrender his passport.", "Surrender his passport."),
    ],
)  # fmt: skip
def test_conditions_recorded_before_types_read_as_sentences(text: str, sentence: str) -> None:
    assert condition_sentence({"text": text, "protects_victim": True}, "en") == sentence


def test_only_the_conditions_that_protect_the_victim_are_told() -> None:
    conditions = [
        {"type": "no_contact", "protects_victim": True},
        {"type": "residence", "protects_victim": False},
        {"type": "not_enter_area", "area": "Newtown", "protects_victim": True},
    ]
    assert protective_sentences(conditions, "en") == [
        "They must not contact you, directly or through anyone else.",
        "They must not go into Newtown.",
    ]


@pytest.mark.parametrize(("to_time", "joined"), [("11:00", "ac 11yb"), ("06:00", "a 6yb")])
def test_welsh_and_is_ac_before_a_vowel_sound(to_time: str, joined: str) -> None:
    condition = {"type": "curfew", "from_time": "20:00", "to_time": to_time}
    assert joined in condition_sentence(condition, "cy")
