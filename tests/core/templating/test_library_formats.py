"""The library file's optional ``format`` key: easy-read variants are templates of their own."""

from __future__ import annotations

import dataclasses

import pytest

from fieldapp.core.templating.library import (
    LibraryFileError,
    LibraryTemplate,
    format_template_file,
    parse_template_file,
)

STANDARD = LibraryTemplate(
    key="arrested-sms-en",
    family="arrested",
    channel="sms",
    language="en",
    event_type="arrested",
    name="Suspect arrested (text)",
    description="",
    change_note="First version.",
    body="We arrested someone. Call {{ officer.contact_phone }}.",
)
EASY = dataclasses.replace(STANDARD, key="arrested-sms-en-easy-read", format="easy_read")


def test_a_standard_template_is_written_without_a_format_key() -> None:
    text = format_template_file(STANDARD)
    assert "format:" not in text
    assert parse_template_file(text).format == "standard"


def test_an_easy_read_template_round_trips_with_its_format() -> None:
    text = format_template_file(EASY)
    assert "format: easy_read" in text
    assert parse_template_file(text) == EASY


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (dataclasses.replace(STANDARD, format="easy_read"), "-easy-read"),
        (dataclasses.replace(EASY, format="standard"), "-easy-read"),
        (dataclasses.replace(STANDARD, format="pictures"), "not one of"),
    ],
)
def test_formats_and_easy_read_keys_must_agree(template: LibraryTemplate, message: str) -> None:
    with pytest.raises(LibraryFileError, match=message):
        parse_template_file(format_template_file(template))
