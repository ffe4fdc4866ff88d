"""Duty evidence: what sent messages and reached contacts told the victim, and when that was enough.

A duty's coverage is cumulative: the information items each piece of evidence gave add up in
``covered_items``, and the duty is met when every required item is covered, on time if the
evidence that completed it came by the deadline. A duty with no required items (periodic
updates, or one recorded before items existed) is met by any evidence. Any update that told the
victim something restarts their periodic updates (``told_something``). The caller audits and
commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.models import ContactDuty, Victim
from fieldapp.services import duties

MESSAGE, CONTACT, EVENT = "message", "contact", "event"
# How a reason names the evidence that completed a duty.
CONTACT_WORDS = {
    "phone": "a phone call",
    "in_person": "an in-person contact",
    "letter_by_hand": "a letter handed over",
}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: what it was, its id, when it told the victim, what it covered."""

    type: str
    id: uuid.UUID
    at: datetime
    items: tuple[str, ...]
    by_id: uuid.UUID | None
    method: str | None = None


def required_of(duty: ContactDuty) -> tuple[str, ...]:
    """The items a duty requires (none for a duty recorded before items existed)."""
    return tuple(duty.required_items or ())


def covered_of(duty: ContactDuty) -> tuple[str, ...]:
    """The required items given so far."""
    return tuple(duty.covered_items or ())


def outstanding(duty: ContactDuty) -> tuple[str, ...]:
    """The required items not yet given, in the rule data's order."""
    covered = set(covered_of(duty))
    return tuple(item for item in required_of(duty) if item not in covered)


def met_by(duty: ContactDuty) -> dict[str, object] | None:
    """What met a duty: ``{type, id}`` for a message, a contact or an event; None if nothing."""
    for kind, found in (
        (MESSAGE, duty.message_id),
        (CONTACT, duty.contact_id),
        (EVENT, duty.met_by_event_id),
    ):
        if found is not None:
            return {"type": kind, "id": found}
    return None


def _describe(evidence: Evidence) -> str:
    """The evidence in words, for the duty's reason."""
    if evidence.type == CONTACT:
        return CONTACT_WORDS.get(evidence.method or "", "a contact")
    return "a message" if evidence.type == MESSAGE else "an event"


def add_evidence(session: Session, duty: ContactDuty, evidence: Evidence, *, now: datetime) -> bool:
    """Add what the evidence covered to an open duty and meet it if nothing is left; True if met."""
    if duty.status != "open":
        return False  # already met, or closed: the evidence still stands on its own
    required = required_of(duty)
    given = set(covered_of(duty)) | set(evidence.items)
    duty.covered_items = [item for item in required if item in given]
    duty.updated_at = now
    if outstanding(duty):
        return False
    on_time = evidence.at <= duty.due_at
    earlier = " with what was given before" if required and len(set(evidence.items)) < len(
        required
    ) else ""  # fmt: skip
    duty.reason = f"Met {'on time' if on_time else 'late'} by {_describe(evidence)}{earlier}."
    duty.status = "met"
    if evidence.type == MESSAGE:
        duty.message_id = evidence.id
    elif evidence.type == CONTACT:
        duty.contact_id = evidence.id
    else:
        duty.met_by_event_id = evidence.id
    duty.closed_at, duty.closed_by_id = evidence.at, evidence.by_id
    return True


def told_something(session: Session, victim_id: uuid.UUID, *, at: datetime) -> None:
    """An update told the victim something: their agreed periodic updates count from ``at``."""
    victim = session.get(Victim, victim_id)
    if victim is not None:
        duties.after_update(session, victim, told_at=at)


def known_items(duty: ContactDuty, items: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split item ids into those the duty requires and those it does not."""
    required = set(required_of(duty))
    listed = list(dict.fromkeys(items))
    return [i for i in listed if i in required], [i for i in listed if i not in required]


def item_labels(
    duty: ContactDuty, *, event_type: str | None, recipient_role: str
) -> dict[str, str]:
    """The English label of each item the duty requires (the id where the rules have none)."""
    required = required_of(duty)
    if not required:
        return {}
    try:
        items = victims_code.required_items(
            duty.ruleset_version, event_type, duty.kind, recipient_role
        )
    except victims_code.VictimsCodeError:
        items = ()
    labels = {item.id: item.label("en") for item in items}
    return {item: labels.get(item, item) for item in required}


def describe(duty: ContactDuty, *, event_type: str | None, recipient_role: str) -> dict[str, Any]:
    """A duty's evidence for its response: its required items (labelled) and what met it."""
    labels = item_labels(duty, event_type=event_type, recipient_role=recipient_role)
    covered = set(covered_of(duty))
    return {
        "required_items": [
            {"id": item, "label": label, "covered": item in covered}
            for item, label in labels.items()
        ],
        "covered_items": list(covered_of(duty)),
        "basis": duty.basis,
        "clock_from": duty.clock_from,
        "met_by": met_by(duty),
    }
