"""The roles a user may hold and what each is for."""

from __future__ import annotations

from typing import Final

OFFICER: Final = "officer"
SUPERVISOR: Final = "supervisor"
ADMIN: Final = "admin"
AUDITOR: Final = "auditor"

#: Every role, in the order they are listed to people.
ROLES: Final[tuple[str, ...]] = (OFFICER, SUPERVISOR, ADMIN, AUDITOR)

#: The roles that work cases: read and record cases, victims, events and duties (auditors do not).
CASEWORK: Final[tuple[str, ...]] = (OFFICER, SUPERVISOR, ADMIN)
