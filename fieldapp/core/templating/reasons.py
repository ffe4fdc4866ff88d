"""Reasons for a decision as a victim reads them: the sentences for the codes, then free text.

Codes come from the closed lists in ``reasons.json``; ``other`` has no sentence of its own, so
the officer's words (``reasons``) say it. Free text is kept as typed, made into a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldapp.core.templating.wording import reason_sentence


def reasons_text(details: Mapping[str, Any], language: str) -> str | None:
    """The reasons in ``details`` as sentences, codes first; ``None`` when none are given."""
    codes = details.get("reason_codes") or ()
    sentences = [reason_sentence(str(code), language) for code in codes]
    parts = [sentence for sentence in sentences if sentence]
    free_text = as_sentence(str(details.get("reasons") or ""))
    if free_text:
        parts.append(free_text)
    return " ".join(parts) or None


def as_sentence(text: str) -> str:
    """Words as a sentence: trimmed, a capital first letter and a closing full stop."""
    words = " ".join(text.split())
    if not words:
        return ""
    words = words[0].upper() + words[1:]
    return words if words.endswith((".", "!", "?")) else words + "."
