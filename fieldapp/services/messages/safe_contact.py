"""The send-time re-check: is this message still safe to send to this person, from this wording?

A message is written from the victim's safe-contact profile as it was then. Before it goes
(queued for Notify, confirmed sent by hand, or handed to Notify by a delivery worker) it is
checked again, in the same transaction, against the profile as it is now and against the
version it was written from. A changed recipient voids the message for good (status ``void``
with the reason, audited, its duty not met by it); a version that never passed review is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict
from fieldapp.models import ContactDuty, Message, MessageTemplate, TemplateVersion, Victim
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.messages import needs
from fieldapp.services.messages.letters import channel_address
from fieldapp.services.templates.published import REVIEWED_STATUSES, VersionNotPublished

RESOURCE = "message"
REOPENED = "Reopened: the message was void (the recipient's safe-contact details changed)."


class RecipientChanged(Conflict):
    """The recipient's safe-contact profile changed since the message was written."""

    code, title = "recipient_changed", "Recipient changed"


#: Why a message to an erased person is void (erasure voids unsent messages with it too).
ERASED = "the recipient was erased"


def _written_language(message: Message) -> str:
    """The language preference a message was written for (a bilingual pair shares a group)."""
    return "bilingual" if message.group_id is not None else message.language


def recipient_change(victim: Victim | None, message: Message, *, contentless: bool) -> str | None:
    """Why the message no longer fits its recipient as they are now, or None if it still does."""
    if victim is None or victim.deleted_at is not None:
        return ERASED
    if message.channel not in victim.safe_channels:
        return f"'{message.channel}' is no longer a safe channel for this person"
    if victim.contentless != contentless:
        wanted = "contentless" if victim.contentless else "full"
        return f"this person now needs {wanted} messages"
    if victim.language != _written_language(message):
        return f"this person's language is now '{victim.language}'"
    if unmet := needs.change_reason(victim, channel=message.channel, language=message.language):
        return unmet
    if channel_address(victim, message.channel) != message.recipient:
        what = {"sms": "phone", "email": "email", "letter": "postal address"}[message.channel]
        return f"this person's {what} changed"
    return None


def check_sendable(
    session: Session, message: Message
) -> VersionNotPublished | RecipientChanged | None:
    """The refusal for sending this message now, or None when it may go; reads current rows."""
    status, contentless = session.execute(
        select(TemplateVersion.status, MessageTemplate.contentless)
        .join(MessageTemplate, MessageTemplate.id == TemplateVersion.template_id)
        .where(TemplateVersion.id == message.template_version_id)
    ).one()
    if status not in REVIEWED_STATUSES:
        return VersionNotPublished(
            f"This message was written from version {message.template_version} of "
            f"'{message.template_key}', which is {status} and was never approved; write it again "
            "from the published version."
        )
    victim = session.get(Victim, message.victim_id, populate_existing=True)
    reason = recipient_change(victim, message, contentless=bool(contentless))
    if reason is None:
        return None
    return RecipientChanged(
        f"Not sent: {reason} since this message was written. It is void; write it again.",
        extra={"void_reason": reason},
    )


def void_refusal(message: Message) -> RecipientChanged:
    """The refusal a void message gets every time someone tries to send it again."""
    return RecipientChanged(
        f"Not sent: this message is void ({message.void_reason}). Write it again.",
        extra={"void_reason": message.void_reason},
    )


def refuse_send(
    session: Session,
    context: AuditContext,
    message: Message,
    refusal: VersionNotPublished | RecipientChanged,
    *,
    now: datetime,
) -> None:
    """Record a refused send: void the message if the recipient changed, and audit it as denied.

    A message already void keeps its first reason and time; every new attempt is audited.

    The caller commits, so that the record stands although the request fails.
    """
    if isinstance(refusal, RecipientChanged) and message.status != "void":
        reason = str(refusal.extra["void_reason"])
        message.status, message.voided_at, message.void_reason = "void", now, reason
        message.updated_at = now
        _reopen_duty(session, message, now=now)
    audit.record(
        session,
        context,
        operation=audit.DISCLOSURE,
        resource_type=RESOURCE,
        resource_ids=[str(message.id)],
        field_groups=[f"channel:{message.channel}"],
        outcome="denied",
        reason=f"{refusal.code}: {refusal.extra.get('void_reason', 'version not reviewed')}"[:200],
    )


def _reopen_duty(session: Session, message: Message, *, now: datetime) -> None:
    """A duty this message had met is not met by a void message: open it again."""
    duty = session.scalar(
        select(ContactDuty).where(ContactDuty.message_id == message.id, ContactDuty.status == "met")
    )
    if duty is not None:
        duty.status, duty.message_id, duty.reason = "open", None, REOPENED
        duty.closed_at, duty.closed_by_id, duty.updated_at = None, None, now
