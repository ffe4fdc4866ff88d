"""Username normalisation, so that 'PC.Smith ' and 'pc.smith' are one account."""

from __future__ import annotations

import unicodedata


def normalise_username(raw: str) -> str:
    """Return the canonical form of a username: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()
