"""The letter renderer: A4 PDFs in GOV.UK Notify's precompiled layout, Welsh, large print, pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fieldapp.core.letters import Letter, LetterError, LetterTooLong, page_count, render_letter
from fieldapp.core.letters.layout import layout
from tests.core.letters.pdf_text import page_count as pages_in
from tests.core.letters.pdf_text import runs, text

ADDRESS = ("Alex Morgan", "1 High Street", "Cardiff", "CF10 1AA")
SENDER = ("Demo Constabulary", "Police Headquarters", "DT1 1AA")
BODY = """Dear Alex,

I am writing about your report of burglary. Your crime reference is DEL/00001/26.

What happens next

- We will interview them.
- We will decide what to do next.

PC Sam Ashworth
Demo Constabulary"""
WELSH = """Annwyl Alex,

Rydym wedi cael eich ŵyl a'ch ŷd. â, ê, î, ô, û, ŵ, ŷ; Ŵ and Ŷ too.
Yn ôl ein cofnodion mae'n bwysig.

Yn gywir,
Heddlu Demo"""


def letter(**changes: object) -> Letter:
    """A one-page English letter, with ``changes``."""
    base = Letter(address=ADDRESS, on=date(2026, 12, 5), sender=SENDER, body=BODY)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_letter_is_one_a4_pdf_page_with_its_text() -> None:
    pdf = render_letter(letter(), compress=False)

    assert pdf.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 portrait, in points
    assert pages_in(pdf) == 1
    shown = text(pdf)
    assert "I am writing about your report of burglary." in shown
    assert "5 December 2026" in shown
    assert "•" in shown  # bullets


def test_the_compressed_pdf_is_the_same_letter() -> None:
    assert render_letter(letter()).startswith(b"%PDF-")
    assert render_letter(letter()) == render_letter(letter())  # deterministic bytes


def test_the_address_sits_alone_in_notifys_address_window() -> None:
    window, body_top = layout().address, layout().first_body_top
    found = runs(render_letter(letter(), compress=False))

    address = [run for run in found if run.text in ADDRESS]
    assert [run.text for run in address] == list(ADDRESS)
    for run in address:
        assert window.left <= run.x_mm < window.right
        assert window.top <= run.y_mm <= window.bottom
    others = [run for run in found if run.text not in ADDRESS]
    for run in others:  # nothing else in the window
        inside_x = window.left <= run.x_mm < window.right
        assert not (inside_x and window.top <= run.y_mm <= window.bottom), run
    body = [run for run in others if run.x_mm < layout().sender.left]
    assert body and all(run.y_mm >= body_top for run in body)


def test_everything_stays_inside_the_borders() -> None:
    border = layout().border
    for run in runs(render_letter(letter(body=BODY * 12), compress=False)):
        assert border.left <= run.x_mm <= border.right
        assert border.top <= run.y_mm <= border.bottom


def test_the_sender_block_is_top_right_with_the_force_name_in_bold() -> None:
    sender = layout().sender
    found = runs(render_letter(letter(), compress=False))

    name = next(run for run in found if run.text == "Demo Constabulary" and run.y_mm < 95)
    assert name.bold
    assert sender.left <= name.x_mm and sender.top <= name.y_mm <= sender.bottom


def test_welsh_letters_print_every_welsh_character_and_a_welsh_date() -> None:
    pdf = render_letter(letter(body=WELSH, language="cy"), compress=False)

    shown = text(pdf)
    for char in "âêîôûŵŷŴŶ":
        assert char in shown
    assert "5 Rhagfyr 2026" in shown
    assert b"/Lang (cy-GB)" in pdf


def test_decomposed_accents_are_printed_as_one_welsh_letter() -> None:
    shown = text(render_letter(letter(body="Annwyl Gw\u0302en,", language="cy"), compress=False))

    assert "Annwyl Gŵen," in shown


def test_large_print_sets_every_line_at_16_points_or_more() -> None:
    standard = runs(render_letter(letter(), compress=False))
    large = runs(render_letter(letter(print_format="large_print"), compress=False))

    assert min(run.size for run in standard) < 16
    assert min(run.size for run in large) >= 16
    assert max(run.size for run in large if not run.bold) >= 16


def test_a_long_address_shrinks_to_fit_the_window_not_past_it() -> None:
    long = ("Flat 12", "The Old Mill", "1 Long Road", "Llanfair", "Anglesey", "Wales", "LL61 5UJ")
    window = layout().address

    found = runs(render_letter(letter(address=long, print_format="large_print"), compress=False))

    address = [run for run in found if run.text in long]
    assert len(address) == 7
    assert all(window.top <= run.y_mm <= window.bottom for run in address)
    assert all(run.size < 16 for run in address)


def test_a_long_letter_runs_to_numbered_pages() -> None:
    pdf = render_letter(letter(body="\n\n".join([BODY] * 8)), compress=False)

    pages = pages_in(pdf)
    assert pages > 1
    assert page_count(letter(body="\n\n".join([BODY] * 8))) == pages
    shown = text(pdf)
    assert f"Page 1 of {pages}" in shown and f"Page {pages} of {pages}" in shown


def test_welsh_pages_are_numbered_in_welsh() -> None:
    shown = text(render_letter(letter(body="\n\n".join([WELSH] * 10), language="cy"),
                               compress=False))  # fmt: skip
    assert "Tudalen 1 o " in shown


def test_more_than_ten_pages_is_refused_saying_so() -> None:
    with pytest.raises(LetterTooLong) as refused:
        render_letter(letter(body="\n\n".join([BODY] * 60)))

    assert refused.value.pages > 10
    assert refused.value.limit == 10
    assert "at most 10" in str(refused.value)


@pytest.mark.parametrize("lines", [ADDRESS[:2], (*ADDRESS, "a", "b", "c", "d"), ("", " ", "x")])
def test_an_address_notify_would_refuse_is_refused(lines: tuple[str, ...]) -> None:
    with pytest.raises(LetterError, match="3 to 7 lines") as refused:
        render_letter(letter(address=lines))

    assert refused.value.field == "address"


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (("Alex Morgan", "(rear) 1 High Street", "CF10 1AA"), "start with"),
        (("Alex Morgan", "=1 High Street", "CF10 1AA"), "start with"),
        (("Alex Morgan", "No Fixed Abode", "Cardiff"), "delivered to"),
    ],
)
def test_address_lines_notify_would_refuse_are_refused(lines: tuple[str, ...], reason: str) -> None:
    with pytest.raises(LetterError, match=reason) as refused:
        render_letter(letter(address=lines))

    assert refused.value.field == "address"


def test_a_character_the_typeface_cannot_print_is_named() -> None:
    with pytest.raises(LetterError, match="U\\+6F22"):
        render_letter(letter(body="Dear 漢,"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"language": "fr"}, "language"), ({"print_format": "braille"}, "print_format")],
)
def test_unknown_languages_and_formats_are_refused(changes: dict[str, str], field: str) -> None:
    with pytest.raises(LetterError) as refused:
        render_letter(letter(**changes))

    assert refused.value.field == field
