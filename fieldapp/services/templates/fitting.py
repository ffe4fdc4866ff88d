"""Which published templates fit a recipient and a duty: what the message picker offers.

A maker's drop-down for a message's template should list only templates a write would take
as they are: of the duty's event type, on a channel that is safe for the person and that their
accessible format allows, in the language (or interpreter's language) they read, contentless
if they must only get contentless contact, and in a format that serves their needs. The rules
are the write's own (``fieldapp.services.messages.needs`` and ``variants``); this turns them
into conditions on the template list. The victim and duty are read in the caller's scope: an
unknown or other team's id is the usual audited 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.core.victims_code import recipients
from fieldapp.errors import NotFound
from fieldapp.models import Case, ContactDuty, InvestigationEvent, MessageTemplate, Victim
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.messages.variants import CONTENTLESS_FAMILY
from fieldapp.services.messages.writing import message_languages
from fieldapp.services.scope import deny, in_scope

VICTIM = "victim"
DUTY = "duty"


@dataclass(frozen=True)
class TemplateFit:
    """Conditions a template must meet to fit a recipient and a duty (none: any fits)."""

    conditions: tuple[ColumnElement[bool], ...] = field(default=())


def _duty(
    session: Session, context: AuditContext, duty_id: uuid.UUID
) -> tuple[ContactDuty, InvestigationEvent | None]:
    """A duty on a case in the caller's scope, with its event, or an audited 404."""
    row = session.execute(
        select(ContactDuty, Case, InvestigationEvent)
        .join(Case, Case.id == ContactDuty.case_id)
        .outerjoin(InvestigationEvent, InvestigationEvent.id == ContactDuty.event_id)
        .where(ContactDuty.id == duty_id, Case.deleted_at.is_(None))
    ).first()
    if row is None or not in_scope(context.actor, row[1].team_id):
        deny(session, context, resource_type=DUTY, resource_id=duty_id, message="No such duty.")
    return row[0], row[2]


def _victim(session: Session, context: AuditContext, victim_id: uuid.UUID) -> Victim:
    """A recipient on a case in the caller's scope, or an audited 404; the read is audited."""
    row = session.execute(
        select(Victim, Case).join(Case, Case.id == Victim.case_id).where(Victim.id == victim_id)
    ).first()
    if row is None or row[0].deleted_at is not None or not in_scope(context.actor, row[1].team_id):
        deny(
            session, context, resource_type=VICTIM, resource_id=victim_id, message="No such victim."
        )
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=VICTIM,
        resource_ids=[str(victim_id)],
        field_groups=["needs"],
    )
    return row[0]


def duty_event_type(duty: ContactDuty, event: InvestigationEvent | None) -> str:
    """The event type of the templates that tell a duty's news (a review's: its outcome)."""
    if event is None:  # periodic updates have no event: their kind names their templates
        return duty.kind
    source = victims_code.information_from(duty.ruleset_version, event.type, duty.kind)
    return source or event.type


def victim_conditions(victim: Victim) -> tuple[ColumnElement[bool], ...]:
    """The channel, language, contentless kind and format a write to this person takes."""
    channels = set(victim.safe_channels)
    allowed = recipients.format_channels(victim.accessible_format)
    if allowed is not None:
        channels &= set(allowed)
    languages = set(message_languages(victim))
    if victim.interpreter_language:
        languages &= {victim.interpreter_language}
    if not channels or not languages:
        return (false(),)
    return (
        MessageTemplate.channel.in_(sorted(channels)),
        MessageTemplate.language.in_(sorted(languages)),
        MessageTemplate.contentless.is_(bool(victim.contentless)),
        MessageTemplate.format.in_(recipients.template_formats(victim.accessible_format)),
    )


def template_fit(
    session: Session,
    context: AuditContext,
    *,
    victim_id: uuid.UUID | None,
    duty_id: uuid.UUID | None,
) -> TemplateFit:
    """The conditions for templates that fit a victim and a duty (each read in scope)."""
    conditions: list[ColumnElement[bool]] = []
    event_type = None
    if duty_id is not None:
        duty, event = _duty(session, context, duty_id)
        if victim_id is not None and duty.victim_id != victim_id:
            raise NotFound("No such duty for this person.")
        victim_id, event_type = duty.victim_id, duty_event_type(duty, event)
    victim = None if victim_id is None else _victim(session, context, victim_id)
    if event_type is not None:
        news = MessageTemplate.event_type == event_type
        # Someone who must only get contentless contact is written to from the contentless
        # family whatever the news (``variants``): those templates fit any duty.
        contentless = MessageTemplate.family == CONTENTLESS_FAMILY
        conditions.append(or_(news, contentless) if victim and victim.contentless else news)
    if victim is not None:
        conditions.extend(victim_conditions(victim))
        session.commit()  # the audited read of the person's needs
    return TemplateFit(tuple(conditions))
