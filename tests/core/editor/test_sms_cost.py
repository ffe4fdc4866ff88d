"""What a text message costs, and why, as the editor tells its author."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fieldapp.core.editor.sms_cost import charge, describe, describe_encoding, format_pence

PRICE = Decimal("2.33")


def test_one_plain_text_costs_one_fragment() -> None:
    found = charge("a" * 160, PRICE)
    assert (found.encoding, found.characters, found.fragments) == ("GSM-7", 160, 1)
    assert found.cost_pence == PRICE
    assert describe(found) == "Will be charged as 1 text message: 2.33p plus VAT."


def test_a_longer_text_is_charged_per_fragment_of_153() -> None:
    found = charge("a" * 307, PRICE)
    assert found.fragments == 3
    assert found.cost_pence == Decimal("6.99")
    assert describe(found) == "Will be charged as 3 text messages: 6.99p plus VAT."


@pytest.mark.parametrize("letter", ["ŵ", "ŷ", "â"])
def test_welsh_circumflexes_force_ucs2_and_say_so(letter: str) -> None:
    found = charge("Diolch " + letter, PRICE)
    assert (found.encoding, found.single_limit, found.fragment_limit) == ("UCS-2", 70, 67)
    assert found.forced_by == (letter,)
    assert describe_encoding(found).startswith(f"UCS-2 (because of {letter}): up to 70 characters")


def test_ucs2_splits_at_67_characters() -> None:
    found = charge("ŵ" * 71, PRICE)
    assert found.fragments == 2
    assert found.cost_pence == Decimal("4.66")


def test_accents_that_gsm_has_stay_gsm() -> None:
    found = charge("Café à la carte", PRICE)
    assert found.encoding == "GSM-7"
    assert describe_encoding(found).startswith("GSM-7: up to 160 characters in one text, 153")


def test_too_long_is_over_918_characters() -> None:
    assert charge("a" * 919, PRICE).too_long
    assert not charge("a" * 918, PRICE).too_long


@pytest.mark.parametrize(
    ("pence", "written"),
    [("2.33", "2.33p"), ("7", "7p"), ("7.00", "7p"), ("2.30", "2.3p"), ("0", "0p"),
     ("0.005", "0.01p"), ("100", "£1.00"), ("140.5", "£1.41")],
)  # fmt: skip
def test_amounts_are_written_as_people_write_them(pence: str, written: str) -> None:
    assert format_pence(Decimal(pence)) == written
