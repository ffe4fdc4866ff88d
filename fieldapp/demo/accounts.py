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
    rank: str | None
    collar_number: str
    phone: str | None = None


# Messages say "PC Sam Ashworth": the rank is its own field, not part of the name.
DEMO_ACCOUNTS = (
    DemoAccount("pc.ashworth", "officer", "Sam Ashworth", "PC", "4127", "+442079460127"),
    DemoAccount("ps.okafor", "supervisor", "Grace Okafor", "PS", "2210", "+442079460210"),
    # A second supervisor: a template one supervisor writes, the other reviews (four eyes).
    DemoAccount("ps.mensah", "supervisor", "Ama Mensah", "PS", "2231", "+442079460231"),
    DemoAccount("admin.lee", "admin", "Jordan Lee", None, "S101"),
    DemoAccount("auditor.patel", "auditor", "Priya Patel", None, "S202"),
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
            None,
            passwords=passwords,
            data={
                "username": account.username,
                "password": password,
                "role": account.role,
                "team": DEMO_TEAM,
                "display_name": account.display_name,
                "rank": account.rank,
                "collar_number": account.collar_number,
                "phone": account.phone,
            },
        )
        created[account.username] = password
    session.commit()
    return created
