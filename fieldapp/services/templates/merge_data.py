"""Gather what a message merges: case, victim, officer, event, next update and force, as plain data.

The template engine receives only these plain values (never ORM rows), so a template cannot
reach anything the merge-field catalogue does not name.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.core.templating.context import (
    CaseData,
    EventData,
    ForceData,
    MergeData,
    OfficerData,
    VictimData,
)
from fieldapp.core.victims_code import LONDON
from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.models import Case, ContactDuty, InvestigationEvent, User, Victim
from fieldapp.services.duties import PERIODIC_KIND

GB_COUNTRY_CODE = 44


def national_phone(e164: str) -> str:
    """A stored E.164 number as people write it (``01632 960123`` for UK numbers)."""
    parsed = phonenumbers.parse(e164, "GB")
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == GB_COUNTRY_CODE
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def victim_on_case(session: Session, case: Case, victim_id: uuid.UUID) -> Victim:
    """A current victim of a case (the case is already in scope), or a 404."""
    victim = session.get(Victim, victim_id)
    if victim is None or victim.case_id != case.id or victim.deleted_at is not None:
        raise NotFound("No such victim on this case.")
    return victim


def event_for(
    session: Session, case: Case, *, event_type: str, event_id: uuid.UUID | None
) -> InvestigationEvent | None:
    """The event a message is about: the one named, or the case's latest of the template's type."""
    if event_id is not None:
        event = session.get(InvestigationEvent, event_id)
        if event is None or event.case_id != case.id:
            raise NotFound("No such event on this case.")
        return event
    return session.scalars(
        select(InvestigationEvent)
        .where(InvestigationEvent.case_id == case.id, InvestigationEvent.type == event_type)
        .order_by(InvestigationEvent.occurred_at.desc(), InvestigationEvent.id.desc())
        .limit(1)
    ).first()


def duty_event_of(
    session: Session, case: Case, duty: ContactDuty | None
) -> InvestigationEvent | None:
    """The event that created the duty a message answers (none for a periodic update)."""
    if duty is None or duty.event_id is None:
        return None
    return event_for(session, case, event_type="", event_id=duty.event_id)


def merged_event(
    session: Session,
    case: Case,
    duty: ContactDuty | None,
    duty_event: InvestigationEvent | None,
    template_event_type: str,
) -> InvestigationEvent | None:
    """The event a message merges: the duty's own, or the one the rules say tells its news.

    A review's outcome answers the duty the request made, told from the latest ``vrr_decided``
    event; until one is recorded there is nothing to tell (422).
    """
    if duty is None or duty_event is None:
        return event_for(session, case, event_type=template_event_type, event_id=None)
    source = victims_code.information_from(duty.ruleset_version, duty_event.type, duty.kind)
    if source is None:
        return duty_event
    found = event_for(session, case, event_type=source, event_id=None)
    if found is None:
        raise ValidationFailed(
            f"Record the '{source}' event first: this duty tells the victim its outcome.",
            errors={"duty_id": [f"No '{source}' event on this case yet."]},
        )
    return found


def next_update_due(session: Session, victim: Victim) -> datetime | None:
    """When the victim's next periodic update is due (the earliest open one), if any."""
    return session.scalar(next_update_due_of(victim.id))


def next_update_due_of(victim_id: Any) -> Select[datetime]:
    """The earliest open periodic duty's deadline of a victim (an id or a correlated column)."""
    return select(func.min(ContactDuty.due_at)).where(
        ContactDuty.victim_id == victim_id,
        ContactDuty.kind == PERIODIC_KIND,
        ContactDuty.status == "open",
    )


def merge_data(
    session: Session,
    *,
    case: Case,
    victim: Victim,
    event: InvestigationEvent | None,
    force: Mapping[str, Mapping[str, str]],
) -> MergeData:
    """The plain merge data for one victim's message on a case (reads the next update's date).

    ``force`` is the app's ``FORCE`` setting: the force's details by language (``en``, ``cy``).
    """
    return merge_facts(
        case=case,
        victim=victim,
        event=event,
        force=force,
        next_due=next_update_due(session, victim),
    )


def merge_facts(
    *,
    case: Case,
    victim: Victim,
    event: InvestigationEvent | None,
    force: Mapping[str, Mapping[str, str]],
    next_due: datetime | None,
) -> MergeData:
    """The plain merge data from what was already read, without another query."""
    officer: User = case.officer_in_charge
    return MergeData(
        victim=VictimData(
            first_name=victim.first_name,
            last_name=victim.last_name,
            role=victim.recipient_role,
            organisation_name=victim.organisation_name,
        ),
        case=CaseData(crime_reference=case.crime_reference, offence=case.offence),
        officer=OfficerData(
            name=officer.display_name,
            rank=officer.rank,
            collar_number=officer.collar_number,
            phone=None if officer.phone is None else national_phone(officer.phone),
        ),
        event=None
        if event is None
        else EventData(type=event.type, occurred_at=event.occurred_at, details=event.details),
        next_update_on=None if next_due is None else next_due.astimezone(LONDON).date(),
        force=ForceData(**force["en"]),
        force_cy=ForceData(**force["cy"]) if "cy" in force else None,
    )
