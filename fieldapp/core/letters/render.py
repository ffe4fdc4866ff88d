"""Draw a letter on A4 pages with fpdf2, inside GOV.UK Notify's precompiled letter areas."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from fieldapp.core.letters.blocks import Block
from fieldapp.core.letters.fonts import FAMILY, FILES, font_path
from fieldapp.core.letters.layout import MM_PER_POINT, Format, Layout

#: A fixed creation date: the same letter always renders to the same bytes.
EPOCH = datetime(2000, 1, 1)


class LetterPDF(FPDF):
    """An A4 document whose footer numbers the pages in the letter's language."""

    def __init__(self, page_layout: Layout, fmt: Format, language: str, pages: int | None):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.spec, self.fmt, self.language, self.total_pages = page_layout, fmt, language, pages
        for style in FILES:
            self.add_font(FAMILY, style, font_path(style))
        border = page_layout.border
        self.set_margins(border.left, page_layout.later_body_top, page_layout.width - border.right)
        self.set_auto_page_break(True, margin=page_layout.height - page_layout.body_bottom)
        self.set_creation_date(EPOCH)
        self.set_producer("fieldapp")
        self.set_lang("cy-GB" if language == "cy" else "en-GB")

    def close_fonts(self) -> None:
        """Close the font files fpdf2 keeps open for lazy reading."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    def footer(self) -> None:
        """'Page n of N' at the foot of every page of a letter longer than one page."""
        if self.total_pages is None or self.total_pages < 2:
            return
        self.set_font(FAMILY, "", self.fmt.footer_pt)
        self.set_xy(self.l_margin, self.spec.footer_top)
        label = self.spec.page_label(self.language, self.page_no(), self.total_pages)
        self.cell(self.epw, self.fmt.line_height(self.fmt.footer_pt), label, align="C")


def draw_address(pdf: LetterPDF, lines: tuple[str, ...]) -> None:
    """The recipient's address alone in the window, in the largest size that fits (max body)."""
    spec = pdf.spec
    box = spec.address
    size = pdf.fmt.body_pt

    def line_height(points: float) -> float:
        return points * MM_PER_POINT * spec.address_line_spacing

    pdf.set_font(FAMILY, "", size)
    while size > spec.min_address_pt and (
        len(lines) * line_height(size) > box.height
        or max(pdf.get_string_width(line) for line in lines) > box.width
    ):
        size -= 0.5
        pdf.set_font(FAMILY, "", size)
    height = min(line_height(size), box.height / len(lines))
    for index, line in enumerate(lines):
        pdf.set_xy(box.left, box.top + index * height)
        pdf.cell(box.width, height, line)


def draw_sender(pdf: LetterPDF, sender: tuple[str, ...], date_line: str) -> None:
    """The force's name (bold) and return address, then the date, in the top-right area."""
    box, fmt = pdf.spec.sender, pdf.fmt
    height = fmt.line_height(fmt.sender_pt)
    pdf.set_xy(box.left, box.top)
    for index, line in enumerate(sender):
        pdf.set_font(FAMILY, "B" if index == 0 else "", fmt.sender_pt)
        pdf.set_x(box.left)
        pdf.multi_cell(box.width, height, line, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", fmt.sender_pt)
    pdf.set_xy(box.left, max(pdf.get_y() + height, box.bottom - 2 * height))
    pdf.multi_cell(box.width, height, date_line, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)


def draw_block(pdf: LetterPDF, block: Block) -> None:
    """One paragraph, heading or bullet list, then the gap after it."""
    fmt = pdf.fmt
    size = fmt.heading_pt if block.kind == "heading" else fmt.body_pt
    height = fmt.line_height(size)
    pdf.set_font(FAMILY, "B" if block.kind == "heading" else "", size)
    if block.kind == "bullets":
        for item in block.lines:
            _bullet(pdf, item, height)
    else:
        pdf.set_x(pdf.l_margin)
        text = "\n".join(block.lines)
        pdf.multi_cell(pdf.epw, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(fmt.paragraph_gap_mm)


def _bullet(pdf: LetterPDF, item: str, height: float) -> None:
    """One bullet: the mark in the indent, the text wrapping under itself."""
    indent = pdf.fmt.bullet_indent_mm
    if pdf.will_page_break(height):
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(indent, height, "•")
    pdf.set_xy(pdf.l_margin + indent, top)
    pdf.multi_cell(pdf.epw - indent, height, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
