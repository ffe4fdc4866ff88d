"""The typeface letters are printed in: Source Sans Pro (SIL Open Font License 1.1).

It ships inside the ``font-source-sans-pro`` package (with its licence), so nothing is fetched
at run time. It covers Welsh (â ê î ô û ŵ ŷ, ẁ ẃ ẅ ỳ) and the typographic quotes and dashes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_PACKAGE = "font_source_sans_pro"
FAMILY = "SourceSansPro"
FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}


def font_path(style: str = "") -> Path:
    """The TTF file for a style: '' (regular) or 'B' (bold)."""
    return Path(str(resources.files(FONT_PACKAGE).joinpath("files", FILES[style])))


@cache
def covered() -> frozenset[int]:
    """The code points both styles can print."""
    maps = []
    for style in FILES:
        with TTFont(font_path(style), lazy=True) as font:
            maps.append(frozenset(font.getBestCmap()))
    return maps[0] & maps[1]


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text`` the typeface cannot print (controls aside)."""
    glyphs = covered()
    seen: list[str] = []
    for char in text:
        if char not in "\n\t" and ord(char) not in glyphs and char not in seen:
            seen.append(char)
    return seen
