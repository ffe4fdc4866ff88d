"""The acting user of a request, as plain data that services receive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from fieldapp.core.scopes import key_user_label


class UserFields(Protocol):
    """The columns of a user a Principal carries: a ``User``, or a row of a one-query load."""

    id: uuid.UUID
    username: str
    display_name: str
    role: str
    team_id: uuid.UUID
    rank: str | None
    collar_number: str | None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from the database (or the invalidated principal cache), never from claims."""

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

    @classmethod
    def of_user(
        cls,
        user: UserFields,
        *,
        team_name: str,
        session_id: uuid.UUID | None = None,
        api_key_id: uuid.UUID | None = None,
        api_key_prefix: str | None = None,
    ) -> Principal:
        """The one way to build a Principal: a user, their team's name, and how they called."""
        return cls(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            team_id=user.team_id,
            team_name=team_name,
            rank=user.rank,
            collar_number=user.collar_number,
            session_id=session_id,
            api_key_id=api_key_id,
            api_key_prefix=api_key_prefix,
        )

    @property
    def audit_name(self) -> str:
        """The name the audit trail records: the username, and the key when one was used."""
        if self.api_key_prefix is None:
            return self.username
        return key_user_label(self.username, self.api_key_prefix)
