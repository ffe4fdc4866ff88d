"""Codes as people read them: the one place the console and the connector take names from."""

from __future__ import annotations

import pytest

from fieldapp.core.display_names import display_name, words


@pytest.mark.parametrize(
    ("code", "field", "name"),
    [
        ("no_further_action", "type", "No further action"),
        ("vrr_requested", "event_type", "VRR requested"),
        ("sms", "preferred_channel", "SMS"),
        ("duty.due_soon", "events", "Duty due soon"),
        ("parent_guardian", "recipient_role", "Parent or guardian"),
        ("business_contact", "recipient_role", "Named contact for the business"),
        ("easy_read", "accessible_format", "Easy read"),
        ("mon", "days", "Monday"),
        ("cy", "language", "Welsh"),
        ("bilingual", "language", "Welsh and English"),
        ("pl", "interpreter_language", "Polish"),
        ("not_required", "status", "Not required"),
    ],
)
def test_each_code_has_the_name_people_read(code: str, field: str, name: str) -> None:
    assert display_name(code, field=field) == name


def test_a_two_letter_code_is_a_language_only_in_a_language_field() -> None:
    assert display_name("to", field="status") == "To"
    assert display_name("to", field="interpreter_language") == "Tonga (Tonga Islands)"


def test_words_keep_acronyms_and_lower_the_rest() -> None:
    assert words("VPS_taken") == "VPS taken"
    assert words("released_under_investigation") == "Released under investigation"
