"""Reading a rendered letter template into paragraphs, headings, bullets, and dates."""

from __future__ import annotations

from datetime import date

from fieldapp.core.letters import letter_date
from fieldapp.core.letters.blocks import Block, parse_body


def test_paragraphs_headings_and_bullets() -> None:
    body = "Dear Alex,\n\nWhat happens next\n\n- One.\n- Two\nAfter the list.\n\n\nPC Sam\nDemo"

    assert parse_body(body) == (
        Block("paragraph", ("Dear Alex,",)),
        Block("heading", ("What happens next",)),
        Block("bullets", ("One.", "Two")),
        Block("paragraph", ("After the list.",)),
        Block("paragraph", ("PC Sam", "Demo")),
    )


def test_the_closing_line_and_sentences_are_never_headings() -> None:
    blocks = parse_body("We arrested someone today.\n\nYours sincerely,\n\nDemo Constabulary")

    assert [block.kind for block in blocks] == ["paragraph", "paragraph", "paragraph"]


def test_windows_line_endings_and_trailing_spaces_are_tidied() -> None:
    assert parse_body("One  \r\nTwo\r\n\r\nThree") == (
        Block("paragraph", ("One", "Two")),
        Block("paragraph", ("Three",)),
    )


def test_dates_in_english_and_welsh() -> None:
    assert letter_date(date(2026, 12, 5), "en") == "5 December 2026"
    assert letter_date(date(2026, 2, 1), "cy") == "1 Chwefror 2026"
