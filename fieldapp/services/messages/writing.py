"""Write a victim-update message from case data and a published template, safely.

The template asked for is used when it fits the victim; a sibling of its family and channel is
used only when the victim needs another variant: the contentless one for contentless contact,
the Welsh version for a Welsh preference (refused rather than sent in English when none is
published), and both languages for a bilingual preference. Each message says which template was
asked for and why another was used. Only reviewed wording is ever used (four eyes): the
published version, or a pinned one that was published before. Each message records the
exact template version (a foreign key), the rule-set version, and a hash of the merged data.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.core.templating import LintReport
from fieldapp.core.templating.check import lint_rendered, merge_context, render_wording
from fieldapp.errors import Conflict, NotFound, ValidationFailed
from fieldapp.models import Message, Victim
from fieldapp.models.base import new_id, utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.messages import information, needs, sending
from fieldapp.services.messages.letters import (
    LetterSettings,
    channel_address,
    check_printable,
    default_settings,
    letter_fields,
)
from fieldapp.services.messages.sources import read_sources
from fieldapp.services.messages.variants import REQUESTED, Choice, choose_variant
from fieldapp.services.templates.merge_data import merge_facts, merged_event
from fieldapp.services.templates.preview import merge_errors
from fieldapp.services.templates.published import (
    Variant,
    VersionNotPublished,
    VersionText,
    reviewed_version,
)

RESOURCE = "message"


class UnsafeChannel(Conflict):
    """The channel is not one the recipient said is safe."""

    code, title = "unsafe_channel", "Channel not safe for this person"


@dataclass(frozen=True)
class Written:
    """One written message and the lint of its merged text."""

    message: Message
    lint: LintReport


@dataclass(frozen=True)
class WrittenGroup:
    """What a write produced: one message, or two (Welsh first) for a bilingual recipient."""

    messages: tuple[Written, ...]

    @property
    def primary(self) -> Written:
        """The message the response shows first."""
        return self.messages[0]


def _recipient(victim: Victim, channel: str) -> str:
    """The address for a channel that the recipient said is safe, or a clear refusal."""
    if channel not in victim.safe_channels:
        safe = ", ".join(victim.safe_channels) or "none recorded"
        raise UnsafeChannel(
            f"'{channel}' is not a safe way to contact this person (safe: {safe}).",
            errors={"template_key": [f"Choose a template for one of: {safe}."]},
        )
    address = channel_address(victim, channel)
    if not address:
        field = {"sms": "phone", "email": "email", "letter": "postal_address"}.get(
            channel, "address"
        )
        raise ValidationFailed(
            f"This person has no {field} recorded for '{channel}'.",
            errors={"victim_id": [f"Record the {field} first."]},
        )
    return address


def message_languages(victim: Victim) -> tuple[str, ...]:
    """The languages to write in: Welsh first for a bilingual recipient."""
    return {"cy": ("cy",), "bilingual": ("cy", "en")}.get(victim.language, ("en",))


def _pinned(
    session: Session, context: AuditContext, victim: Victim, key: str, number: int
) -> VersionText:
    """A pinned version, only if it passed review; a refusal is audited for every caller."""
    try:
        return reviewed_version(session, key, number)
    except VersionNotPublished:
        audit.record(
            session,
            context,
            operation=audit.COMBINATION,
            resource_type="victim",
            resource_ids=[str(victim.id)],
            field_groups=["message"],
            outcome="denied",
            reason=f"version_not_published: {key} v{number}"[:200],
        )
        session.commit()
        raise


def _chosen(
    session: Session,
    context: AuditContext,
    victim: Victim,
    data: Mapping[str, Any],
    variants: list[Variant],
) -> list[Choice]:
    """The template versions to write from, one per language, each with why it was chosen."""
    key = data["template_key"]
    requested = next((v for v in variants if v.text.key == key), None)
    if requested is None:
        raise NotFound(f"No published template '{key}'.")
    needs.require_fits_needs(
        victim, channel=requested.text.wording.channel, languages=message_languages(victim)
    )
    chosen = [
        choose_variant(variants, requested, victim, language)
        for language in message_languages(victim)
    ]
    pinned = data.get("template_version")
    if pinned is not None:
        if len(chosen) != 1 or chosen[0].text.key != key:
            raise ValidationFailed(
                "A pinned version applies to the template itself, but this person needs "
                f"'{', '.join(c.text.key for c in chosen)}'.",
                errors={"template_version": ["Leave it out to use the published versions."]},
            )
        chosen = [Choice(_pinned(session, context, victim, key, pinned), REQUESTED)]
    return chosen


def _merge_hash(merge: Mapping[str, Any]) -> str:
    """A digest of the merged data (what the message was built from), not the data itself."""
    canonical = json.dumps(merge, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _write_one(
    choice: Choice,
    merge: Mapping[str, Any],
    base: Mapping[str, Any],
    required: information.Required | None,
    follow_up: bool,
) -> Written:
    """Render one version with the merged data; lint errors or missing information stop it."""
    chosen = choice.text
    with merge_errors():
        rendered = render_wording(chosen.wording, merge, cache_key=chosen.content_hash, html=False)
    report = lint_rendered(chosen.wording, rendered, chosen.fields)
    if report.errors:
        raise ValidationFailed(
            "With this case's data the message breaks a rule: " + report.errors[0].message,
            errors={"lint": [issue.message for issue in report.errors]},
        )
    told = information.check_message(
        required,
        text=chosen,
        context=merge,
        rendered="\n".join(part for part in (rendered.subject, rendered.body) if part),
        follow_up=follow_up,
    )
    message = Message(
        **base,
        id=new_id(),
        template_version_id=chosen.version_id,
        template_key=chosen.key,
        template_version=chosen.number,
        variant_reason=choice.reason,
        channel=chosen.wording.channel,
        language=chosen.wording.language,
        subject=rendered.subject,
        body=rendered.body,
        merge_hash=_merge_hash(merge),
        carried_items=list(told.carried) if required is not None else None,
        missing_items=list(told.missing) if required is not None else None,
    )
    return Written(message, report)


def write_message(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    data: Mapping[str, Any],
    force: Mapping[str, Mapping[str, str]],
    letters: LetterSettings | None = None,
) -> WrittenGroup:
    """Write the update a victim is owed from a published template; stored as drafted."""
    letters = letters or default_settings(force)
    found = read_sources(
        session,
        context,
        case_id=case_id,
        victim_id=data["victim_id"],
        duty_id=data.get("duty_id"),
        template_key=data["template_key"],
    )
    case, victim, duty, duty_event = found.case, found.victim, found.duty, found.duty_event
    chosen = _chosen(session, context, victim, data, found.variants)
    follow_up = {variant.text.key: variant.follow_up for variant in found.variants}
    recipient = _recipient(victim, chosen[0].text.wording.channel)
    event = merged_event(session, case, duty, duty_event, chosen[0].text.event_type)
    required = information.required_for(
        duty,
        event_type=duty_event.type if duty_event is not None else None,
        recipient_role=victim.recipient_role,
        given_another_way=data.get("given_another_way") or (),
    )
    values = {k: v.strip() for k, v in (data.get("values") or {}).items() if v.strip()}
    information.check_note(duty, [c.text for c in chosen], values)
    facts = replace(
        merge_facts(case=case, victim=victim, event=event, force=force,
                    next_due=found.next_update_due),
        inputs=values,
    )  # fmt: skip
    now = utcnow()
    base = {
        "case_id": case.id,
        "victim_id": victim.id,
        "duty_id": duty.id if duty else None,
        "event_id": event.id if event is not None else None,
        "group_id": new_id() if len(chosen) > 1 else None,
        "recipient": recipient,
        "requested_template_key": data["template_key"],
        "inputs": values,
        "ruleset_version": duty.ruleset_version if duty else victims_code.ruleset_for(now).version,
        "status": "drafted",
        "created_at": now,
        "created_by_id": context.actor.user_id,
        "updated_at": now,
        **letter_fields(victim, chosen[0].text.wording.channel, letters),
        **information.given_another_way_columns(required, data),
    }
    group = WrittenGroup(
        tuple(
            _write_one(c, merge_context(facts, c.text.wording.language), base, required,
                       follow_up[c.text.key])
            for c in chosen
        )
    )  # fmt: skip
    for written in group.messages:
        check_printable(written.message, letters)
    session.add_all(written.message for written in group.messages)
    session.flush()
    information.audit_write(session, context, victim, required)
    session.flush()
    return group


# A write that passed had no lint errors; its warnings belong to the first response only.
REPLAYED_LINT = LintReport(errors=(), warnings=(), sms=None, reading_ease=None)


def read_written(session: Session, context: AuditContext, message_id: uuid.UUID) -> WrittenGroup:
    """A write read again for an idempotent replay: its messages as they are now (audited)."""
    first = sending.get_message(session, context, message_id)
    others: Iterable[Message] = (
        ()
        if first.group_id is None
        else session.scalars(
            select(Message)
            .where(Message.group_id == first.group_id, Message.id != first.id)
            .order_by(Message.id)
        )
    )
    return WrittenGroup(tuple(Written(m, REPLAYED_LINT) for m in [first, *others]))
