"""The letter layout as data: page areas (GOV.UK Notify's precompiled letter spec) and formats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

FORMATS = ("standard", "large_print")
LANGUAGES = ("en", "cy")


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in millimetres from the top-left corner."""

    left: float
    right: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        """How wide the box is."""
        return self.right - self.left

    @property
    def height(self) -> float:
        """How tall the box is."""
        return self.bottom - self.top


@dataclass(frozen=True)
class Format:
    """Type sizes and spacing for one print format (standard or large print)."""

    body_pt: float
    heading_pt: float
    sender_pt: float
    footer_pt: float
    line_spacing: float
    paragraph_gap_mm: float
    bullet_indent_mm: float

    def line_height(self, points: float) -> float:
        """The height in millimetres of one line of text set at ``points``."""
        return points * MM_PER_POINT * self.line_spacing


@dataclass(frozen=True)
class Layout:
    """Everything the renderer places: the page, its areas, the formats and the words."""

    width: float
    height: float
    max_pages: int
    border: Box
    address: Box
    min_address_lines: int
    max_address_lines: int
    min_address_pt: float
    address_line_spacing: float
    forbidden_first_characters: str
    refused_phrases: tuple[str, ...]
    sender: Box
    first_body_top: float
    later_body_top: float
    body_bottom: float
    footer_top: float
    formats: dict[str, Format]
    words: dict[str, dict[str, Any]]

    def page_label(self, language: str, page: int, pages: int | str) -> str:
        """'Page 2 of 3' in the letter's language."""
        return str(self.words[language]["page"]).format(page=page, pages=pages)

    def month(self, language: str, number: int) -> str:
        """The name of a month (1-12) in the letter's language."""
        return str(self.words[language]["months"][number - 1])


MM_PER_POINT = 25.4 / 72


@cache
def layout() -> Layout:
    """The layout shipped with the package (read once)."""
    raw = json.loads(
        resources.files("fieldapp.core.letters").joinpath("layout.json").read_text("utf-8")
    )
    page, border, address = raw["page"], raw["border"], raw["address"]
    return Layout(
        width=page["width"],
        height=page["height"],
        max_pages=page["max_pages"],
        border=Box(
            left=border["left"],
            right=page["width"] - border["right"],
            top=border["top"],
            bottom=page["height"] - border["bottom"],
        ),
        address=Box(address["left"], address["right"], address["top"], address["bottom"]),
        min_address_lines=address["min_lines"],
        max_address_lines=address["max_lines"],
        min_address_pt=address["min_pt"],
        address_line_spacing=address["line_spacing"],
        forbidden_first_characters=address["forbidden_first_characters"],
        refused_phrases=tuple(address["refused_phrases"]),
        sender=Box(**raw["sender"]),
        first_body_top=raw["body"]["first_page_top"],
        later_body_top=raw["body"]["later_page_top"],
        body_bottom=raw["body"]["bottom"],
        footer_top=raw["footer"]["top"],
        formats={name: Format(**values) for name, values in raw["formats"].items()},
        words=raw["words"],
    )
