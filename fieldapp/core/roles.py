"""The roles a user may hold and what each is for."""

from __future__ import annotations

from typing import Final

OFFICER: Final = "officer"
SUPERVISOR: Final = "supervisor"
ADMIN: Final = "admin"
AUDITOR: Final = "auditor"

#: Every role, in the order they are listed to people.
ROLES: Final[tuple[str, ...]] = (OFFICER, SUPERVISOR, ADMIN, AUDITOR)

#: What each role is for, as an admin choosing one reads it.
ROLE_DESCRIPTIONS: Final[dict[str, str]] = {
    OFFICER: "Records events and keeps victims informed from the app on a work phone.",
    SUPERVISOR: "Writes and approves message templates and follows their team's duties.",
    ADMIN: "Manages accounts, teams and API keys.",
    AUDITOR: "Reads the audit trail and the published templates; changes nothing.",
}

#: The roles that work cases: read and record cases, victims, events and duties (auditors do not).
CASEWORK: Final[tuple[str, ...]] = (OFFICER, SUPERVISOR, ADMIN)
