"""Letters as printable PDFs: a pure renderer (no web framework, no database).

``render_letter`` turns a letter (the recipient's address, the date, the force's name and return
address, an optional heading and the body a letter template rendered) into the bytes of an A4
PDF laid out to GOV.UK Notify's precompiled letter specification: the address alone in the
envelope window, the sender top right, the body from 95 mm down, side borders of 15 mm. Large
print sets everything at 16 pt or more. A letter is at most 10 pages (Notify's limit, 5 sheets
printed on both sides); a longer one, an address Notify would refuse, or a character the
typeface cannot print is a ``LetterError`` saying which.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from fieldapp.core.letters.blocks import Block, parse_body
from fieldapp.core.letters.fonts import unprintable
from fieldapp.core.letters.layout import FORMATS, LANGUAGES, Layout, layout
from fieldapp.core.letters.render import LetterPDF, draw_address, draw_block, draw_sender

__all__ = [
    "FORMATS",
    "Letter",
    "LetterError",
    "LetterTooLong",
    "letter_date",
    "page_count",
    "render_letter",
]


class LetterError(ValueError):
    """The letter cannot be printed as given; the message says why (no personal data)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class LetterTooLong(LetterError):
    """The letter runs past the page limit."""

    def __init__(self, pages: int, limit: int) -> None:
        super().__init__(
            f"The letter would be {pages} pages; GOV.UK Notify prints at most {limit}. "
            "Shorten the text.",
            field="body",
        )
        self.pages, self.limit = pages, limit


@dataclass(frozen=True)
class Letter:
    """What goes on a letter; ``body`` is the text its template rendered."""

    address: tuple[str, ...]
    on: date
    sender: tuple[str, ...]
    body: str
    language: str = "en"
    heading: str | None = None
    print_format: str = "standard"


def letter_date(on: date, language: str) -> str:
    """The date as a letter writes it: '5 December 2026', '5 Rhagfyr 2026'."""
    return f"{on.day} {layout().month(language, on.month)} {on.year}"


def _address(address: tuple[str, ...], page_layout: Layout) -> tuple[str, ...]:
    """The address lines, blank ones dropped, checked as Notify checks them: 3 to 7 lines, no
    line starting with a character Notify refuses, and not 'no fixed abode'."""
    lines = tuple(line.strip() for line in address if line.strip())
    low, high = page_layout.min_address_lines, page_layout.max_address_lines
    if not low <= len(lines) <= high:
        raise LetterError(
            f"A postal address needs {low} to {high} lines (this one has {len(lines)}), "
            "the last being the postcode or the country.",
            field="address",
        )
    forbidden = page_layout.forbidden_first_characters
    if any(line[0] in forbidden for line in lines):
        raise LetterError(
            f"No address line may start with any of {' '.join(forbidden)} (Notify refuses it).",
            field="address",
        )
    text = " ".join(lines).casefold()
    if any(phrase in text for phrase in page_layout.refused_phrases):
        raise LetterError("A letter needs an address it can be delivered to.", field="address")
    return lines


def _checked(letter: Letter) -> Letter:
    """The letter, refused if its language, format or characters cannot be printed."""
    if letter.language not in LANGUAGES or letter.print_format not in FORMATS:
        raise LetterError(
            f"Letters are printed in {', '.join(LANGUAGES)} and formats {', '.join(FORMATS)}.",
            field="language" if letter.language not in LANGUAGES else "print_format",
        )
    letter = replace(
        letter,
        address=_address(tuple(_nfc(line) for line in letter.address), layout()),
        sender=tuple(_nfc(line) for line in letter.sender),
        body=_nfc(letter.body),
        heading=_nfc(letter.heading) if letter.heading else None,
    )
    parts = (*letter.address, *letter.sender, letter.body, letter.heading or "")
    missing = unprintable("\n".join(parts))
    if missing:
        shown = " ".join(f"U+{ord(char):04X}" for char in missing[:10])
        raise LetterError(f"The typeface cannot print these characters: {shown}.", field="body")
    return letter


def _nfc(text: str) -> str:
    """Text with accents composed ("w" + combining circumflex is "ŵ") and tabs as spaces."""
    return unicodedata.normalize("NFC", text).replace("\t", " ")


def _draw(letter: Letter, blocks: tuple[Block, ...], pages: int | None) -> LetterPDF:
    """Lay the letter out once; ``pages`` is the total to number the pages with."""
    page_layout = layout()
    pdf = LetterPDF(page_layout, page_layout.formats[letter.print_format], letter.language, pages)
    try:
        pdf.set_title(letter.heading or page_layout.page_label(letter.language, 1, 1))
        pdf.add_page()
        draw_address(pdf, letter.address)
        draw_sender(pdf, letter.sender, letter_date(letter.on, letter.language))
        pdf.set_xy(pdf.l_margin, page_layout.first_body_top)
        heading = (Block("heading", (letter.heading,)),) if letter.heading else ()
        for block in (*heading, *blocks):
            draw_block(pdf, block)
    except BaseException:
        pdf.close_fonts()
        raise
    return pdf


def _pages(letter: Letter, blocks: tuple[Block, ...]) -> int:
    """How many pages a first layout takes."""
    pdf = _draw(letter, blocks, None)
    try:
        return pdf.pages_count
    finally:
        pdf.close_fonts()


def page_count(letter: Letter) -> int:
    """How many pages the letter takes (checking it as ``render_letter`` does)."""
    letter = _checked(letter)
    return _pages(letter, parse_body(letter.body))


def render_letter(letter: Letter, *, compress: bool = True) -> bytes:
    """The letter as PDF bytes; ``LetterError`` when it cannot be printed as given."""
    letter = _checked(letter)
    blocks = parse_body(letter.body)
    pages = _pages(letter, blocks)
    limit = layout().max_pages
    if pages > limit:
        raise LetterTooLong(pages, limit)
    pdf = _draw(letter, blocks, pages)
    try:
        pdf.compress = compress
        return bytes(pdf.output())
    finally:
        pdf.close_fonts()
