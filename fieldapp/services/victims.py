"""Victims and other recipients on a case; changing enhanced rights recomputes their duties."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.victims_code import recipients
from fieldapp.core.victims_code.working_days import local_date
from fieldapp.errors import PreconditionFailed, ValidationFailed
from fieldapp.models import Case, InvestigationEvent, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit, duties
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import require_case
from fieldapp.services.messages import erasure
from fieldapp.services.scope import in_scope, require_found
from fieldapp.services.versions import commit_versioned

RESOURCE = "victim"
# Field groups named in audit records for changes (never the values).
FIELD_GROUPS = {
    "first_name": "identity",
    "last_name": "identity",
    "recipient_role": "identity",
    "phone": "contact",
    "email": "contact",
    "preferred_channel": "contact_preferences",
    "safe_channels": "contact_preferences",
    "contentless": "contact_preferences",
    "language": "contact_preferences",
    "update_frequency_days": "contact_preferences",
    "enhanced_rights": "enhanced_rights",
    "enhanced_basis": "enhanced_rights",
    "date_of_birth": "identity",
    "organisation_name": "identity",
    "postal_address": "contact",
    "interpreter_language": "needs",
    "accessible_format": "needs",
    "needs": "needs",
    "safe_contact_times": "contact_preferences",
    "opted_out_at": "opt_out",
    "opted_out_how": "opt_out",
    "opted_out_note": "opt_out",
}
# The field a safe channel needs recorded before anyone may write through it.
CHANNEL_ADDRESS = {"sms": "phone", "email": "email", "letter": "postal_address"}


def list_victims(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    updated_since: datetime | None = None,
) -> list[Victim]:
    """The recipients on a case in scope (each an audited read).

    With ``updated_since`` (delta sync) only those changed since then, erased ones included as
    tombstones so that a phone can drop its copy.
    """
    require_case(session, context, case_id)
    query = select(Victim).where(Victim.case_id == case_id)
    if updated_since is None:
        query = query.where(Victim.deleted_at.is_(None))
    else:
        query = query.where(Victim.updated_at >= updated_since)
    found = list(session.scalars(query.order_by(Victim.updated_at, Victim.id)))
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(v.id) for v in found],
    )
    session.commit()
    return found


def _check(victim: Victim) -> None:
    """Rules that hold for the whole record after a change."""
    problems: dict[str, list[str]] = {}
    if victim.preferred_channel not in victim.safe_channels:
        problems["preferred_channel"] = ["The preferred channel must be one of the safe channels."]
    for channel in victim.safe_channels:
        field = CHANNEL_ADDRESS[channel]
        if not getattr(victim, field):
            problems.setdefault(field, []).append(f"Needed for the safe channel '{channel}'.")
    if victim.enhanced_rights and not (victim.enhanced_basis or victim.enhanced_derived):
        problems["enhanced_basis"] = ["Say why the victim has enhanced rights."]
    for field in recipients.role_requires(victim.recipient_role):
        if not getattr(victim, field):
            label = recipients.role_label(victim.recipient_role, "en")
            problems.setdefault(field, []).append(f"Needed for a {label}.")
    if (victim.opted_out_at is None) != (victim.opted_out_how is None):
        problems["opted_out_how"] = ["Give when and how the person said they want no updates."]
    if problems:
        raise ValidationFailed(errors=problems)


def _offence_date(session: Session, case_id: uuid.UUID) -> date:
    """The offence date for age rules: when the crime was recorded, else today (London)."""
    recorded = session.scalar(
        select(func.min(InvestigationEvent.occurred_at)).where(
            InvestigationEvent.case_id == case_id, InvestigationEvent.type == "crime_recorded"
        )
    )
    return local_date(recorded if recorded is not None else utcnow())


def _derive_enhanced(victim: Victim, changes: Mapping[str, Any], *, on: date) -> None:
    """Set the bases that follow from role and age; they switch enhanced rights on (and hold it)."""
    had = bool(victim.enhanced_derived)
    derived = recipients.derived_enhanced(victim.recipient_role, victim.date_of_birth, on)
    victim.enhanced_derived = [d.as_dict() for d in derived]
    if derived and changes.get("enhanced_rights") is False:
        raise ValidationFailed(
            "Enhanced rights cannot be switched off while they follow from the recipient: "
            + " ".join(d.because for d in derived),
            errors={"enhanced_rights": [d.because for d in derived]},
        )
    if derived:
        victim.enhanced_rights = True
    elif had and not victim.enhanced_basis and "enhanced_rights" not in changes:
        victim.enhanced_rights = False  # the only basis (e.g. a corrected date of birth) ended


def create_victim(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    data: Mapping[str, Any],
    witness_care_in_app: bool = True,
) -> Victim:
    """Add a recipient to a case in scope; they get the duties still owed for earlier events."""
    require_case(session, context, case_id)
    now = utcnow()
    on = _offence_date(session, case_id)
    victim = Victim(case_id=case_id, created_at=now, updated_at=now, **_defaults(data))
    _derive_enhanced(victim, data, on=on)
    _check(victim)
    session.add(victim)
    session.flush()
    duties.owed_to_new_victim(session, victim, witness_care_in_app=witness_care_in_app)
    duties.schedule_periodic(session, victim, now=now)
    audit.record(
        session,
        context,
        operation=audit.COLLECTION,
        resource_type=RESOURCE,
        resource_ids=[str(victim.id)],
    )
    session.flush()
    return victim


def _defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """A new victim's fields, with safe defaults for what was left out."""
    return {
        "recipient_role": "victim",
        "contentless": False,
        "language": "en",
        "enhanced_rights": False,
        "enhanced_basis": [],
        "enhanced_derived": [],
        **data,
        "safe_channels": sorted(set(data["safe_channels"])),
    }


def _in_scope(session: Session, context: AuditContext, victim_id: uuid.UUID) -> Victim:
    """A victim on a case the caller may see, or a 404 audited as denied."""
    row = session.execute(
        select(Victim, Case).join(Case, Case.id == Victim.case_id).where(Victim.id == victim_id)
    ).first()
    victim = row[0] if row is not None and in_scope(context.actor, row[1].team_id) else None
    current = victim if victim is not None and victim.deleted_at is None else None
    return require_found(
        session,
        context,
        current,
        resource_type=RESOURCE,
        resource_id=victim_id,
        message="No such victim.",
    )


def get_victim(session: Session, context: AuditContext, victim_id: uuid.UUID) -> Victim:
    """One recipient in scope (an audited read)."""
    victim = _in_scope(session, context, victim_id)
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(victim.id)],
    )
    session.commit()
    return victim


def update_victim(
    session: Session,
    context: AuditContext,
    *,
    victim_id: uuid.UUID,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Victim:
    """Change a recipient; enhanced-rights changes recompute their open duties at once."""
    victim = _in_scope(session, context, victim_id)
    if victim.version != expected_version:
        raise PreconditionFailed(extra={"current_version": victim.version})
    rights_before = victim.enhanced_rights
    # Read before changing anything: a query after would flush (and count) the change twice.
    on = _offence_date(session, victim.case_id)
    opt_out_before = (victim.opted_out_at, victim.opted_out_how)
    for field, value in changes.items():
        setattr(victim, field, sorted(set(value)) if field == "safe_channels" else value)
    if "opted_out_at" in changes and changes["opted_out_at"] is None:
        victim.opted_out_how, victim.opted_out_note = None, None  # opted back in
    _derive_enhanced(victim, changes, on=on)
    _check(victim)
    now = utcnow()
    victim.updated_at = now
    if victim.enhanced_rights != rights_before:
        duties.recompute_for_victim(session, victim)
    if "update_frequency_days" in changes:
        duties.schedule_periodic(session, victim, now=now)
    if (victim.opted_out_at, victim.opted_out_how) != opt_out_before:
        duties.apply_opt_out(session, victim, now=now)
    audit.record(
        session,
        context,
        operation=audit.ALTERATION,
        resource_type=RESOURCE,
        resource_ids=[str(victim.id)],
        field_groups=sorted({FIELD_GROUPS[f] for f in changes if f in FIELD_GROUPS}),
    )
    commit_versioned(session)
    return victim


def erase_victim(
    session: Session, context: AuditContext, *, victim_id: uuid.UUID, expected_version: int
) -> None:
    """Erase a recipient's personal data and every message's copy of it, in one transaction.

    A tombstone stays for sync; their open duties close; unsent messages fail.
    """
    victim = _in_scope(session, context, victim_id)
    if victim.version != expected_version:
        raise PreconditionFailed(extra={"current_version": victim.version})
    now = utcnow()
    victim.first_name, victim.last_name, victim.phone, victim.email = "", "", None, None
    victim.safe_channels, victim.enhanced_basis, victim.update_frequency_days = [], [], None
    _erase_profile(victim)
    victim.deleted_at, victim.updated_at = now, now
    duties.close_all_for_victim(session, victim, reason="The recipient was erased.", now=now)
    audit.record(
        session,
        context,
        operation=audit.ERASURE,
        resource_type=RESOURCE,
        resource_ids=[str(victim.id)],
        field_groups=sorted(set(FIELD_GROUPS.values())),
    )
    redacted = erasure.redact_messages(session, victim_id=victim.id, now=now)
    if redacted:
        audit.record(
            session,
            context,
            operation=audit.ERASURE,
            resource_type="message",
            resource_ids=redacted,
            field_groups=erasure.MESSAGE_FIELD_GROUPS,
        )
    summaries = erasure.redact_contacts(session, victim_id=victim.id, now=now)
    if summaries:
        audit.record(
            session,
            context,
            operation=audit.ERASURE,
            resource_type="contact",
            resource_ids=summaries,
            field_groups=erasure.CONTACT_FIELD_GROUPS,
        )
    commit_versioned(session)


def _erase_profile(victim: Victim) -> None:
    """Blank the recipient's needs, address and other personal details (erasure)."""
    victim.date_of_birth, victim.organisation_name, victim.postal_address = None, None, None
    victim.interpreter_language, victim.accessible_format, victim.needs = None, None, None
    victim.safe_contact_times, victim.opted_out_note, victim.enhanced_derived = None, None, []
