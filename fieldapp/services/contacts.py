"""Contacts: a victim told by phone, in person or by a letter handed over, or a failed attempt.

A reached contact is evidence for its duty just as a sent message is: the required items it
covered add up with what messages carried, and the duty is met when nothing is left. A failed
attempt (not reached, or a voicemail that said nothing) is kept, covers nothing and meets
nothing. Rule refusals are audited, like every other refused write on a case.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.check import merge_context
from fieldapp.errors import Conflict, FieldappError, NotFound, ValidationFailed
from fieldapp.models import Case, Contact, ContactDuty, InvestigationEvent, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit, evidence
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import case_records, require_case
from fieldapp.services.events import FUTURE_TOLERANCE
from fieldapp.services.messages import information
from fieldapp.services.scope import require_found, scoped
from fieldapp.services.templates.merge_data import merge_data, victim_on_case

RESOURCE = "contact"
NO_DETAIL = "voicemail_no_detail"
REACHED, NOT_REACHED = "reached", "not_reached"


@dataclass(frozen=True)
class Recorded:
    """A recorded contact and the duty it was for, as it stands after the contact."""

    contact: Contact
    duty: dict[str, Any] | None

    def __getattr__(self, name: str) -> Any:
        """The contact's own fields, for the response schema."""
        return getattr(self.contact, name)


def _duty_view(session: Session, duty: ContactDuty | None) -> dict[str, Any] | None:
    """A duty's status and evidence, as the contact response shows it."""
    if duty is None:
        return None
    event = session.get(InvestigationEvent, duty.event_id) if duty.event_id else None
    victim = session.get(Victim, duty.victim_id)
    described = evidence.describe(
        duty,
        event_type=event.type if event is not None else None,
        recipient_role=victim.recipient_role if victim is not None else "victim",
    )
    own = ("id", "kind", "status", "due_at", "reason", "closed_at", "version")
    return {**{name: getattr(duty, name) for name in own}, **described}


def _refuse(
    session: Session, context: AuditContext, victim: Victim, error: FieldappError, reason: str
) -> FieldappError:
    """Record a refused contact against the victim (committed on its own); the error to raise."""
    audit.record(
        session,
        context,
        operation=audit.COLLECTION,
        resource_type="victim",
        resource_ids=[str(victim.id)],
        field_groups=[RESOURCE],
        outcome="denied",
        reason=reason,
    )
    session.commit()
    return error


def _duty(session: Session, victim: Victim, duty_id: uuid.UUID | None) -> ContactDuty | None:
    """The duty a contact is for: this victim's (locked, as evidence may change it)."""
    if duty_id is None:
        return None
    duty = session.scalar(select(ContactDuty).where(ContactDuty.id == duty_id).with_for_update())
    if duty is None or duty.victim_id != victim.id:
        raise NotFound("No such duty for this person.")
    return duty


def _check(
    data: Mapping[str, Any], duty: ContactDuty | None, now: datetime
) -> tuple[str, FieldappError] | None:
    """The first rule the contact breaks, as (audit reason, error); None if it breaks none."""
    covered, method = data["covered"], data["method"]
    if data["occurred_at"] > now + FUTURE_TOLERANCE:
        return "future", ValidationFailed(errors={"occurred_at": ["This is in the future."]})
    if method == NO_DETAIL and (covered or data["outcome"] == REACHED):
        error = "A voicemail that left no detail tells the person nothing: it covers no items."
        field = "covered" if covered else "outcome"
        return "voicemail_no_detail", ValidationFailed(errors={field: [error]})
    if data["outcome"] == NOT_REACHED and covered:
        error = "Nobody was reached, so nothing was covered."
        return "not_reached_covered", ValidationFailed(errors={"covered": [error]})
    if covered and duty is None:
        error = "Name the duty (duty_id) whose required items were covered."
        return "covered_without_duty", ValidationFailed(errors={"duty_id": [error]})
    if duty is not None and duty.status != "open" and data["outcome"] == REACHED:
        return "duty_closed", Conflict(f"This duty is already {duty.status}.")
    if duty is not None:
        _known, unknown = evidence.known_items(duty, covered)
        if unknown:
            error = "Not required by this duty: " + ", ".join(unknown) + "."
            return "unknown_items", ValidationFailed(errors={"covered": [error]})
    return None


def _outcome(data: Mapping[str, Any]) -> str:
    """The outcome given, or the natural one: a voicemail with no detail reached nobody."""
    given = data.get("outcome")
    return str(given) if given else NOT_REACHED if data["method"] == NO_DETAIL else REACHED


def _nothing_to_tell(
    session: Session, case: Case, victim: Victim, duty: ContactDuty, force: Mapping[str, Any]
) -> tuple[str, ...]:
    """The duty's items that do not apply to this case: a contact need not cover them."""
    event = session.get(InvestigationEvent, duty.event_id) if duty.event_id else None
    required = information.required_for(
        duty,
        event_type=event.type if event is not None else None,
        recipient_role=victim.recipient_role,
        given_another_way=(),
    )
    if required is None:
        return ()
    facts = merge_data(session, case=case, victim=victim, event=event, force=force)
    return information.nothing_to_tell(required, merge_context(facts, "en"))


def record_contact(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    data: Mapping[str, Any],
    force: Mapping[str, Any],
) -> Recorded:
    """Record a contact with a victim; a reached one adds what it covered to its duty."""
    case = require_case(session, context, case_id)
    victim = victim_on_case(session, case, data["victim_id"])
    duty = _duty(session, victim, data.get("duty_id"))
    now = utcnow()
    covered = list(dict.fromkeys(data.get("covered") or ()))
    data = {**data, "covered": covered, "outcome": _outcome(data)}
    broken = _check(data, duty, now)
    if broken is not None:
        raise _refuse(session, context, victim, broken[1], broken[0])
    contact = Contact(
        case_id=case.id,
        victim_id=victim.id,
        duty_id=duty.id if duty is not None else None,
        method=data["method"],
        outcome=data["outcome"],
        occurred_at=data["occurred_at"],
        summary=data["summary"].strip(),
        covered=data["covered"],
        interpreter_language=data.get("interpreter_language"),
        created_by_id=context.actor.user_id,
        created_at=now,
    )
    session.add(contact)
    session.flush()
    if duty is not None and contact.outcome == REACHED:
        moot = _nothing_to_tell(session, case, victim, duty, force)
        _add_evidence(session, duty, contact, moot, now=now)
    if contact.outcome == REACHED:
        evidence.told_something(session, victim.id, at=contact.occurred_at)
    audit.record(
        session,
        context,
        operation=audit.COLLECTION,
        resource_type=RESOURCE,
        resource_ids=[str(contact.id)],
        field_groups=[f"method:{contact.method}", f"outcome:{contact.outcome}"],
    )
    session.flush()
    return Recorded(contact, _duty_view(session, duty))


def _add_evidence(
    session: Session,
    duty: ContactDuty,
    contact: Contact,
    moot: tuple[str, ...],
    *,
    now: datetime,
) -> None:
    """A reached contact's covered items (and those with nothing to tell) count toward its duty."""
    told = evidence.Evidence(
        type=evidence.CONTACT,
        id=contact.id,
        at=contact.occurred_at,
        items=(*contact.covered, *moot),
        by_id=contact.created_by_id,
        method=contact.method,
    )
    evidence.add_evidence(session, duty, told, now=now)


def list_contacts(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Contact]:
    """A page of a case's contacts, oldest first (plus one to show more follow); audited."""
    return case_records(
        session, context, Contact, resource_type=RESOURCE, case_id=case_id, after=after, limit=limit
    )


def get_recorded(session: Session, context: AuditContext, contact_id: uuid.UUID) -> Recorded:
    """A contact in scope with its duty as it is now (an audited read), for a replayed create."""
    contact = require_found(
        session,
        context,
        session.scalar(
            scoped(select(Contact).join(Case, Case.id == Contact.case_id), context).where(
                Contact.id == contact_id, Case.deleted_at.is_(None)
            )
        ),
        resource_type=RESOURCE,
        resource_id=contact_id,
        message="No such contact.",
    )
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(contact.id)],
    )
    session.commit()
    duty = session.get(ContactDuty, contact.duty_id) if contact.duty_id else None
    return Recorded(contact, _duty_view(session, duty))
