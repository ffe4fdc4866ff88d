"""Demo data for ``make run``: a fictional team and one account per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import User
from fieldapp.services import teams, users
from fieldapp.services.passwords import Passwords

DEMO_TEAM = "Northtown Neighbourhood Team"


@dataclass(frozen=True)
class DemoAccount:
    """One demo account: who it is and how to sign in."""

    username: str
    role: str
    display_name: str
    rank: str
    collar_number: str


DEMO_ACCOUNTS = (
    DemoAccount("pc.ashworth", "officer", "PC Sam Ashworth", "Constable", "4127"),
    DemoAccount("ps.okafor", "supervisor", "PS Grace Okafor", "Sergeant", "2210"),
    DemoAccount("admin.lee", "admin", "Jordan Lee", "Staff", "S101"),
    DemoAccount("auditor.patel", "auditor", "Priya Patel", "Staff", "S202"),
)


def load_demo(session: Session, *, passwords: Passwords) -> dict[str, str]:
    """Create the demo accounts on an empty database; return {username: password}."""
    if session.scalar(select(func.count()).select_from(User)):
        return {}
    if teams.find_team(session, DEMO_TEAM) is None:
        teams.create_team(session, name=DEMO_TEAM)
    created: dict[str, str] = {}
    for account in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        users.create_user(
            session,
            passwords=passwords,
            data={
                "username": account.username,
                "password": password,
                "role": account.role,
                "team": DEMO_TEAM,
                "display_name": account.display_name,
                "rank": account.rank,
                "collar_number": account.collar_number,
            },
        )
        created[account.username] = password
    return created
