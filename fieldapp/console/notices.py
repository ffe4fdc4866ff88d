"""Notices: one-off ones on the next page (a GOV.UK success banner): "Version 4 approved";
standing ones on every page until dealt with (webhooks disabled after repeated failures)."""

from __future__ import annotations

from flask import flash, g, get_flashed_messages
from sqlalchemy.exc import SQLAlchemyError

from fieldapp.core.roles import ADMIN
from fieldapp.database import get_session
from fieldapp.services.webhooks import subscriptions

CATEGORY = "success"


def notify(text: str) -> None:
    """Show ``text`` once, on the next page this browser loads."""
    flash(text, CATEGORY)


def pending() -> list[str]:
    """The notices waiting to be shown (and so no longer waiting)."""
    return [str(text) for text in get_flashed_messages(category_filter=[CATEGORY])]


def standing() -> list[str]:
    """Warnings shown on every page until dealt with: to admins, webhooks disabled by failures."""
    principal = g.get("principal")
    if principal is None or principal.role != ADMIN:
        return []
    try:
        failing = subscriptions.failing_subscriptions(get_session(), limit=5)
    except SQLAlchemyError:  # an error page while the database is down still renders
        return []
    return [
        f"The webhook to {record.url[:80]} was disabled: {record.disabled_reason} "
        f"Re-enable it with PATCH /api/v1/webhooks/{record.id} and status 'active'."
        for record in failing
    ]
