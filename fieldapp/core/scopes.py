"""API-key scopes: what each scope lets an integration do, as plain data.

A view names the one scope it needs with ``@allow(..., scope=...)``; a view that names none
cannot be called with an API key at all (deny by default).
"""

from __future__ import annotations

from typing import Final

#: Every scope an admin may grant, and what it allows (shown to admins and in the docs).
SCOPES: Final[dict[str, str]] = {
    "profile:read": "Read who the key acts for: the user's name, role and team (GET /me).",
    "cases:read": "List and read cases in the key user's scope.",
    "cases:write": "Create and change cases.",
    "victims:read": "List and read victims of cases in scope.",
    "victims:write": "Add and change victims (erasure is never allowed to a key).",
    "events:read": "List a case's investigation events.",
    "events:write": "Record investigation events (which create contact duties).",
    "duties:read": "List Victims' Code contact duties.",
    "duties:write": "Change a duty's status.",
    "templates:read": "List and read published templates, the merge fields, and preview.",
    "messages:read": "List and read victim-update messages.",
    "messages:write": "Write messages, send them, and confirm manual sends.",
    "contacts:read": "List a case's contacts with victims (calls, visits, letters by hand).",
    "contacts:write": "Record contacts with victims, which count toward their duties.",
    "metrics:read": "Read the Victims' Code compliance report.",
    "webhooks": "Manage webhook subscriptions receiving events the key user may see.",
}


def key_user_label(username: str, prefix: str) -> str:
    """How the audit trail names a caller acting through a key (fits its 64 characters)."""
    # The username is cut so the label always names the key; actor_id stays exact.
    return f"{username[:45]} [key fa_{prefix}]"
