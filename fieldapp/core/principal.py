"""The acting user of a request, as plain data that services receive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fieldapp.core.scopes import key_user_label


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: loaded from the database on every request, never from token claims."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: str
    team_id: uuid.UUID
    team_name: str
    rank: str | None
    collar_number: str | None
    session_id: uuid.UUID | None  # None for command-line work (demo data, scripts)
    # Set when an integration calls with an API key acting for this user.
    api_key_id: uuid.UUID | None = None
    api_key_prefix: str | None = None

    @property
    def audit_name(self) -> str:
        """The name the audit trail records: the username, and the key when one was used."""
        if self.api_key_prefix is None:
            return self.username
        return key_user_label(self.username, self.api_key_prefix)
