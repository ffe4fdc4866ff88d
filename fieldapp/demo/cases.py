"""Demo cases for ``make run``: fictional cases, victims and events with duties due today,
overdue and already met. Names, streets and towns are invented; phone numbers are in Ofcom's
drama range and the postcode (AA1 1AA) has the shape of a UK postcode but no such area exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.core.principal import Principal
from fieldapp.core.victims_code.working_days import end_of_local_day, local_date
from fieldapp.models import ContactDuty, User
from fieldapp.models.base import utcnow
from fieldapp.services import cases, events, victims
from fieldapp.services.audit import AuditContext


@dataclass(frozen=True)
class DemoCase:
    """One fictional case, its victim and the event that creates the duty."""

    reference: str
    offence: str
    victim: dict[str, Any]
    event_type: str
    due_in_working_days: int  # 0: due today; negative: overdue; positive: due later
    met: bool = False
    details: dict[str, Any] = field(default_factory=dict)


DEMO_CASES = (
    DemoCase("42/100231/26", "Burglary of a home", {
        "first_name": "Alex", "last_name": "Morgan", "phone": "07700 900101",
        "preferred_channel": "sms", "safe_channels": ["sms", "email"],
        "email": "alex.morgan@example.com"}, "arrested", 0),
    DemoCase("42/100244/26", "Theft from a car", {
        "first_name": "Jordan", "last_name": "Reeves", "phone": "07700 900102",
        "preferred_channel": "sms", "safe_channels": ["sms"]}, "interviewed", -3),
    DemoCase("42/100259/26", "Assault", {
        "first_name": "Priya", "last_name": "Shah", "phone": "07700 900103",
        "preferred_channel": "sms", "safe_channels": ["sms"], "enhanced_rights": True,
        "enhanced_basis": ["vulnerable"], "language": "en"}, "crime_recorded", -1, met=True),
    DemoCase("42/100262/26", "Harassment", {
        "first_name": "Ceri", "last_name": "Evans", "email": "ceri.evans@example.com",
        "preferred_channel": "email", "safe_channels": ["email"], "contentless": True,
        "language": "cy", "enhanced_rights": True, "enhanced_basis": ["persistently_targeted"]},
        "bailed", 1, details={"conditions": [
            {"type": "no_contact", "protects_victim": True},
            {"type": "not_go_near_address", "protects_victim": True},
            {"type": "residence", "protects_victim": False}]}),
    # Who is being told: a parent of a child victim (enhanced rights follow from the date of
    # birth), a business's named contact, a Welsh speaker and someone reached only by letter.
    DemoCase("42/100275/26", "Robbery", {
        "first_name": "Morgan", "last_name": "Blake", "recipient_role": "parent_guardian",
        "date_of_birth": date(2014, 9, 3), "phone": "07700 900104",
        "preferred_channel": "sms", "safe_channels": ["sms"],
        "needs": "The victim is Morgan's son, aged 12; speak to Morgan, not to him."},
        "arrested", 1),
    DemoCase("42/100288/26", "Burglary of a shop", {
        "first_name": "Sunita", "last_name": "Rao", "recipient_role": "business_contact",
        "organisation_name": "Lantern Row Hardware Ltd", "email": "sunita.rao@example.com",
        "preferred_channel": "email", "safe_channels": ["email"],
        "safe_contact_times": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:30"}]},
        "interviewed", 2),
    DemoCase("42/100291/26", "Criminal damage", {
        "first_name": "Dafydd", "last_name": "Pritchard", "phone": "07700 900105",
        "preferred_channel": "sms", "safe_channels": ["sms"], "language": "cy"},
        "arrested", 0),
    DemoCase("42/100304/26", "Fraud by false representation", {
        "first_name": "Edith", "last_name": "Marsh", "preferred_channel": "letter",
        "safe_channels": ["letter"], "accessible_format": "large_print",
        "postal_address": ["Mrs Edith Marsh", "12 Quillon Mews", "Little Fictionby",
                           "Demoshire", "AA1 1AA"],
        "needs": "No phone or email; reads large print."},
        "released_under_investigation", 3),
)  # fmt: skip
BAIL_WEEKS = 4


def demo_details(demo: DemoCase, occurred: datetime) -> dict[str, Any]:
    """The event's details; bail is answered four weeks after the event."""
    if demo.event_type != "bailed":
        return dict(demo.details)
    answer_on = local_date(occurred) + timedelta(weeks=BAIL_WEEKS)
    return {**demo.details, "answer_bail_on": answer_on.isoformat()}


def _deadline(now: datetime, offset: int) -> datetime:
    """The end of the working day ``offset`` working days from today (negative: in the past)."""
    if offset >= 0:
        return victims_code.add_working_days(now, offset)
    day, counted = local_date(now), 0
    while counted < -offset:
        day -= timedelta(days=1)
        counted += victims_code.is_working_day(day)
    return end_of_local_day(day)


def _occurred_for(target: datetime, enhanced: bool, event_type: str, now: datetime) -> datetime:
    """The most recent hour whose event would be due exactly at ``target``."""
    for hours_back in range(1, 24 * 40):
        moment = now - timedelta(hours=hours_back)
        spec = victims_code.compute_duty(event_type, moment, enhanced_rights=enhanced)
        if spec is not None and spec.due_at == target:
            return moment
    return now - timedelta(hours=1)


def load_demo_cases(session: Session, *, officer_username: str) -> int:
    """Open the demo cases as the demo officer; return how many were made."""
    officer = session.scalar(select(User).where(User.username == officer_username))
    if officer is None:
        return 0
    actor = Principal.of_user(officer, team_name=officer.team.name)
    context = AuditContext(actor=actor, purpose="demo data")
    now = utcnow()
    for demo in DEMO_CASES:
        case = cases.create_case(
            session, context, data={"crime_reference": demo.reference, "offence": demo.offence}
        )
        victim = victims.create_victim(session, context, case_id=case.id, data=demo.victim)
        enhanced = victim.enhanced_rights  # set by the officer, or derived from role and age
        target = _deadline(now, demo.due_in_working_days)
        occurred = _occurred_for(target, enhanced, demo.event_type, now)
        events.record_event(
            session, context, case_id=case.id,
            data={"type": demo.event_type, "occurred_at": occurred,
                  "details": demo_details(demo, occurred)},
            witness_care_in_app=True,
        )  # fmt: skip
        session.commit()
        if demo.met:
            for duty in session.scalars(select(ContactDuty).where(ContactDuty.case_id == case.id)):
                duty.status, duty.closed_at, duty.closed_by_id = "met", now, officer.id
                duty.reason = "Phoned the victim and confirmed the details (demo)."
            session.commit()
    return len(DEMO_CASES)
