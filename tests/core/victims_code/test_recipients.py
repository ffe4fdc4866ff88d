"""Recipient roles as data: enhanced rights derived from the role and age, wording, needs."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.core.victims_code import recipients
from fieldapp.core.victims_code.recipients import (
    age_on,
    derived_enhanced,
    derived_enhanced_basis,
)

OFFENCE = date(2026, 6, 15)


def test_a_bereaved_family_spokesperson_has_most_serious_crime_rights() -> None:
    assert derived_enhanced_basis("family_spokesperson", None, OFFENCE) == ("most_serious",)
    (why,) = derived_enhanced("family_spokesperson", None, OFFENCE)
    assert "bereaved" in why.because.lower()


@pytest.mark.parametrize("role", ["parent_guardian", "victim"])
def test_a_child_under_18_on_the_offence_date_is_vulnerable(role: str) -> None:
    (derived,) = derived_enhanced(role, date(2010, 6, 16), OFFENCE)
    assert derived.basis == "vulnerable"
    assert "2026-06-15" in derived.because and "2010-06-16" in derived.because


def test_eighteen_on_the_offence_date_is_no_longer_a_child() -> None:
    assert derived_enhanced_basis("victim", date(2008, 6, 15), OFFENCE) == ()
    assert derived_enhanced_basis("victim", date(2008, 6, 16), OFFENCE) == ("vulnerable",)


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18
    assert derived_enhanced_basis("parent_guardian", born, date(2026, 2, 28)) == ("vulnerable",)


@pytest.mark.parametrize("role", ["business_contact", "representative", "intermediary"])
def test_other_roles_derive_nothing_even_with_a_young_date_of_birth(role: str) -> None:
    assert derived_enhanced_basis(role, date(2015, 1, 1), OFFENCE) == ()


def test_a_parent_without_a_date_of_birth_derives_nothing() -> None:
    assert derived_enhanced_basis("parent_guardian", None, OFFENCE) == ()


def test_every_role_has_english_and_welsh_wording() -> None:
    roles = recipients.recipient_roles()
    assert "intermediary" in roles and "business_contact" in roles
    for role in roles:
        assert recipients.role_label(role, "en") and recipients.role_label(role, "cy")
    assert recipients.role_label("parent_guardian", "cy") == "rhiant neu warcheidwad"


def test_a_business_makes_an_impact_statement_and_gets_no_compensation_information() -> None:
    assert recipients.statement_item("business_contact") == "business_impact_statement"
    assert recipients.statement_item("parent_guardian") == "personal_statement"
    assert not recipients.compensation_applies("business_contact")
    assert recipients.compensation_applies("family_spokesperson")


def test_a_business_must_give_its_organisation_name() -> None:
    assert recipients.role_requires("business_contact") == ("organisation_name",)
    assert recipients.role_requires("victim") == ()


def test_large_print_and_braille_are_letters_only_and_easy_read_has_its_own_templates() -> None:
    assert recipients.format_channels("large_print") == ("letter",)
    assert recipients.format_channels("braille") == ("letter",)
    assert recipients.format_channels(None) is None
    assert recipients.template_formats("easy_read") == ("easy_read",)
    assert recipients.template_formats(None)[0] == "standard"


def test_interpreter_languages_are_iso_639_1_without_english_and_welsh() -> None:
    languages = recipients.interpreter_languages()
    assert {"pl", "ar", "ro", "pa"} <= set(languages)
    assert "en" not in languages and "cy" not in languages
    assert all(len(code) == 2 for code in languages)
    assert recipients.language_name("pl") == "Polish"


def test_the_rule_data_names_only_known_bases_channels_and_formats() -> None:
    from fieldapp.core.templating.library import CHANNELS, TEMPLATE_FORMATS

    document = recipients._document()
    bases = {
        rule["basis"] for role in document["roles"].values() for rule in role.get("derives", ())
    }
    assert bases <= {"most_serious", "persistently_targeted", "vulnerable", "intimidated"}
    for need in recipients.accessible_formats():
        assert set(recipients.format_channels(need) or ()) <= set(CHANNELS)
        assert set(recipients.template_formats(need)) <= set(TEMPLATE_FORMATS)
    assert set(recipients.timed_channels()) <= set(CHANNELS)
