"""Text-message length and encoding, counted the way GOV.UK Notify counts them.

The rules follow alphagov/notifications-utils (``sanitise_text.SanitiseSMS`` and
``template.BaseSMSTemplate``): the text is cleaned of stray whitespace; characters outside the
GSM-7 alphabet are downgraded (curly quotes to straight ones, "é" to "e") or replaced with "?",
except the Welsh accented letters, which are kept and make the whole message UCS-2 (70/67
characters per text instead of 160/153). The extension characters ``^{}\\[~]|€`` take two
places in a fragment.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

# Notify's SMS_CHAR_COUNT_LIMIT (153 x 6). Like Notify, it is checked against the character
# count of the message itself: no service-name prefix, and extension characters count once.
SMS_CHAR_LIMIT = 918

GSM_SINGLE_MAX, GSM_FRAGMENT = 160, 153
UCS2_SINGLE_MAX, UCS2_FRAGMENT = 70, 67

# The GSM 03.38 default alphabet (including the escape, as Notify does) and its extension table.
GSM_EXTENSION: frozenset[str] = frozenset("^{}\\[~]|€")
GSM_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM: frozenset[str] = GSM_BASIC | GSM_EXTENSION

# Welsh takes a grave, acute, diaeresis or circumflex on any vowel (w and y are vowels).
WELSH_DIACRITICS: frozenset[str] = frozenset(
    unicodedata.normalize("NFC", vowel + accent)
    for vowel in "aeiouwyAEIOUWY"
    for accent in "\u0300\u0301\u0308\u0302"
)
# Kept as they are, but they force the message into UCS-2 (for example â ê î ô û ŵ ŷ).
WELSH_NON_GSM: frozenset[str] = WELSH_DIACRITICS - GSM
ALLOWED: frozenset[str] = GSM | WELSH_DIACRITICS

# Replacements that do not change what the message means: typography and invisible characters.
_TYPOGRAPHY: dict[str, str] = {
    "\u2011": "-",  # non-breaking hyphen
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # horizontal ellipsis
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u180e": "",  # Mongolian vowel separator
    "\u200b": "",  # zero width space
    "\u200c": "",  # zero width non-joiner
    "\u200d": "",  # zero width joiner
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space
    "\u2028": "",  # line separator
    "\u2029": "",  # paragraph separator
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\t": " ",
}
# Letters with no Unicode decomposition that Notify still maps to their base letter.
_LETTERS: dict[str, str] = {"Ł": "L", "ł": "l"}

_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([,.])")
_THREE_OR_MORE_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class SmsCount:
    """How a text message will be sent: encoding, length and the number of texts it costs."""

    encoding: Literal["GSM-7", "UCS-2"]
    characters: int
    fragments: int
    replaced: tuple[str, ...]

    @property
    def too_long(self) -> bool:
        """True when Notify would refuse the message (more than 918 characters)."""
        return self.characters > SMS_CHAR_LIMIT


@cache
def downgrade(char: str) -> str:
    """The text one character is sent as: itself, a plain equivalent, or "?"."""
    if char in ALLOWED:
        return char
    if char in _TYPOGRAPHY:
        return _TYPOGRAPHY[char]
    if char in _LETTERS:
        return _LETTERS[char]
    decomposition = unicodedata.decomposition(char)
    if decomposition and not decomposition.startswith("<"):
        # A canonical decomposition starts with the base letter: "ç" is "c" + cedilla. The base
        # may itself be accented ("ệ" is "ẹ" + circumflex), so keep going until it is allowed.
        return downgrade(chr(int(decomposition.split()[0], 16)))
    return "?"


def _normalise_line(line: str) -> str:
    """One line with characters downgraded, whitespace collapsed and no space before , or ."""
    # Most lines are plain GSM already: one set check in C instead of a lookup per character.
    encoded = line if ALLOWED.issuperset(line) else "".join(downgrade(char) for char in line)
    tidy = " ".join(encoded.split())
    if " ," in tidy or " ." in tidy:
        tidy = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", tidy)
    return tidy


def normalise(text: str) -> str:
    """The text exactly as it will be sent by text message (idempotent)."""
    # Notify tidies whitespace and then encodes; doing both per line makes the result a fixed
    # point, so normalising text that was already normalised never changes its count.
    lines = "\n".join(_normalise_line(line) for line in text.splitlines())
    if "\n\n\n" in lines:
        lines = _THREE_OR_MORE_NEWLINES.sub("\n\n", lines)
    return lines.strip()


def replaced_characters(text: str) -> tuple[str, ...]:
    """Characters whose meaning may change when sent: accents dropped or "?" (first seen order)."""
    seen: dict[str, None] = {}
    for char in text:
        if char not in ALLOWED and char not in _TYPOGRAPHY and not char.isspace():
            seen.setdefault(char)
    return tuple(seen)


def count(text: str) -> SmsCount:
    """Encoding, character count and number of texts for a message, after normalising it."""
    sent = normalise(text)
    # After normalising every character is in the Basic Multilingual Plane, so this equals the
    # UTF-16 length that handsets and Notify count; written out to make the unit explicit.
    characters = len(sent.encode("utf-16-le")) // 2
    # Notify adds one for each extension character whatever the encoding (even in UCS-2).
    weight = characters + sum(1 for char in sent if char in GSM_EXTENSION)
    if any(char in WELSH_NON_GSM for char in sent):
        encoding: Literal["GSM-7", "UCS-2"] = "UCS-2"
        single, fragment = UCS2_SINGLE_MAX, UCS2_FRAGMENT
    else:
        encoding, single, fragment = "GSM-7", GSM_SINGLE_MAX, GSM_FRAGMENT
    fragments = 1 if weight <= single else math.ceil(weight / fragment)
    return SmsCount(encoding, characters, fragments, replaced_characters(text))
