"""One-off notices shown on the next page (a GOV.UK success banner): "Version 4 approved"."""

from __future__ import annotations

from flask import flash, get_flashed_messages

CATEGORY = "success"


def notify(text: str) -> None:
    """Show ``text`` once, on the next page this browser loads."""
    flash(text, CATEGORY)


def pending() -> list[str]:
    """The notices waiting to be shown (and so no longer waiting)."""
    return [str(text) for text in get_flashed_messages(category_filter=[CATEGORY])]
