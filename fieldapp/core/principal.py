"""The acting user of a request, as plain data that services receive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


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
