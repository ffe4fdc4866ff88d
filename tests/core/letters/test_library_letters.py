"""Every built-in letter template prints: merged with the sample data it renders to a PDF within
GOV.UK Notify's 10 pages, in standard and large print, with no character the typeface lacks."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.core.letters import Letter, page_count, render_letter
from fieldapp.core.templating.check import Wording, render_wording, sample_context
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, LibraryTemplate, load_library
from tests.core.letters.pdf_text import text

LETTERS = [t for t in load_library(LIBRARY_DIRECTORY) if t.channel == "letter"]
ADDRESS = ("Priya Shah", "Flat 2", "1 High Street", "Llandudno", "LL30 2AA")
SENDER = ("Demo Constabulary", "Police Headquarters", "1 Example Road", "DT1 1AA")


def test_the_library_has_a_letter_to_print() -> None:
    assert LETTERS


@pytest.mark.parametrize("template", LETTERS, ids=lambda t: t.key)
@pytest.mark.parametrize("print_format", ["standard", "large_print"])
def test_each_letter_template_prints_within_ten_pages(
    template: LibraryTemplate, print_format: str
) -> None:
    wording = Wording(template.channel, template.language, template.body, template.subject)
    rendered = render_wording(wording, sample_context(template.language), html=False)
    letter = Letter(
        address=ADDRESS,
        on=date(2026, 12, 5),
        sender=SENDER,
        body=rendered.body,
        language=template.language,
        heading=rendered.subject,
        print_format=print_format,
    )

    pdf = render_letter(letter)

    assert 1 <= page_count(letter) <= 10
    first_line = rendered.body.strip().splitlines()[0]
    assert first_line in text(pdf)
