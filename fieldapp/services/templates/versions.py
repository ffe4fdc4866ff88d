"""Message templates: create, save versions, and read them; officers see only published wording.

Versions are numbered under a lock on the template row (PostgreSQL ``FOR UPDATE``) and the
row's version counter, so numbers stay unique and gapless however many supervisors save at once.
The review workflow (submit, approve, reject, retire) lives in ``reviews``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.core.principal import Principal
from fieldapp.core.roles import SUPERVISOR
from fieldapp.core.templating import TemplateRefused
from fieldapp.core.templating.check import Checked, Wording, check_wording
from fieldapp.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.models.base import utcnow
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.audit import record_refused_wording, record_step

# Versions anyone signed in may read; the rest (drafts and reviews) are the supervisors'.
PUBLISHED_STATUSES = ("published", "superseded")
EDITOR_ROLES = (SUPERVISOR,)
READ_ALL_ROLES = (SUPERVISOR, "admin")


@dataclass(frozen=True)
class SavedVersion:
    """A version as saved, with the lint of its sample render; ``created`` False for a no-op."""

    template: MessageTemplate
    version: TemplateVersion
    checked: Checked | None
    created: bool = True


def sees_drafts(actor: Principal) -> bool:
    """Whether the caller may see drafts, reviews and retired templates."""
    return actor.role in READ_ALL_ROLES


def require_editor(actor: Principal) -> None:
    """Refuse (403) a change to templates by a role that may only read them (admins, auditors)."""
    if actor.role not in EDITOR_ROLES:
        raise Forbidden("Only a supervisor may change templates or decide reviews.")


def visible_templates(actor: Principal, filters: Mapping[str, Any]) -> Select[MessageTemplate]:
    """The query for the templates the caller may see, narrowed by the filters given."""
    query = select(MessageTemplate)
    if not sees_drafts(actor):
        query = query.where(
            MessageTemplate.status == "active", MessageTemplate.published_number.is_not(None)
        )
    for name in ("channel", "language", "event_type", "family", "status"):
        if filters.get(name) is not None:
            query = query.where(getattr(MessageTemplate, name) == filters[name])
    return query


def list_templates(
    session: Session,
    actor: Principal,
    *,
    filters: Mapping[str, Any],
    after_key: str | None,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[MessageTemplate]:
    """A page of templates in key order (plus one to show more follow), meeting ``where``."""
    query = visible_templates(actor, filters)
    if where:
        query = query.where(*where)
    if after_key is not None:
        query = query.where(MessageTemplate.key > after_key)
    return list(session.scalars(query.order_by(MessageTemplate.key).limit(limit + 1)))


def get_template(session: Session, actor: Principal, key: str) -> MessageTemplate:
    """One template the caller may see, or a 404."""
    template = session.scalars(select(MessageTemplate).where(MessageTemplate.key == key)).first()
    if template is None:
        raise NotFound(f"No template '{key}'.")
    if not sees_drafts(actor) and (template.status != "active" or not template.published_number):
        raise NotFound(f"No template '{key}'.")
    return template


def lock_template(session: Session, key: str) -> MessageTemplate:
    """The template row for a change, locked until commit (on PostgreSQL), or a 404."""
    template = session.scalars(
        select(MessageTemplate)
        .where(MessageTemplate.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if template is None:
        raise NotFound(f"No template '{key}'.")
    return template


def check(session: Session, context: AuditContext, wording: Wording, *, resource: str) -> Checked:
    """Check a wording: a refusal is a 422 naming each problem; an unsafe one is audited."""
    try:
        return check_wording(wording)
    except TemplateRefused as refused:
        record_refused_wording(session, context, refused, resource=resource)
        raise refusal(refused) from refused


def refusal(refused: TemplateRefused) -> ValidationFailed:
    """The 422 for an unsafe or unknown template: each problem with its line, never data."""
    messages: dict[str, list[str]] = {}
    for problem in refused.problems:
        part, _, message = problem.message.partition(": ")
        where = f"line {problem.line}: " if problem.line else ""
        messages.setdefault(part if part in ("subject", "body") else "body", []).append(
            where + (message or problem.message)
        )
    problems = [
        {"code": p.code, "message": p.message, **({"line": p.line} if p.line else {})}
        for p in refused.problems
    ]
    return ValidationFailed(
        "The template cannot be saved: " + refused.problems[0].message,
        errors=messages,
        extra={"problems": problems},
    )


def create_template(
    session: Session,
    context: AuditContext,
    *,
    data: Mapping[str, Any],
) -> SavedVersion:
    """Create a template with its first version as a draft (audited); a taken key is a 409."""
    actor = context.actor
    wording = _wording(data["channel"], data["language"], data)
    checked = check(session, context, wording, resource=data["key"])
    now = utcnow()
    template = MessageTemplate(
        key=data["key"],
        family=data.get("family") or data["event_type"],
        channel=data["channel"],
        language=data["language"],
        event_type=data["event_type"],
        contentless=data.get("contentless", False),
        format=data.get("format", "standard"),
        name=data["name"],
        description=data.get("description", ""),
        status="active",
        latest_number=1,
        created_at=now,
        created_by_id=actor.user_id,
        updated_at=now,
    )
    session.add(template)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"A template with key '{data['key']}' exists.") from exc
    version = _new_version(template, 1, wording, checked, actor, data)
    session.add(version)
    saved = SavedVersion(template, version, checked)
    created = partial(record_step, session, context, key=template.key, number=1, step="created")
    flush_change(session, created)
    return saved


def _wording(channel: str, language: str, data: Mapping[str, Any]) -> Wording:
    """The wording in a request, checked for the subject rule of the channel."""
    subject = data.get("subject")
    if channel == "email" and not subject:
        raise ValidationFailed(errors={"subject": ["An email needs a subject."]})
    if channel != "email" and subject is not None:
        raise ValidationFailed(errors={"subject": ["Only emails have a subject."]})
    return Wording(channel=channel, language=language, body=data["body"], subject=subject)


def _new_version(
    template: MessageTemplate,
    number: int,
    wording: Wording,
    checked: Checked,
    actor: Principal,
    data: Mapping[str, Any],
) -> TemplateVersion:
    """A new draft version row."""
    return TemplateVersion(
        template_id=template.id,
        number=number,
        status="draft",
        subject=wording.subject,
        body=wording.body,
        change_note=data.get("change_note") or "",
        fields=sorted(checked.fields),
        content_hash=wording.content_hash,
        restored_from=data.get("restore_from"),
        created_at=utcnow(),
        created_by_id=actor.user_id,
    )


@contextmanager
def _concurrent_change_refused(session: Session) -> Iterator[None]:
    """Turn a concurrent change (a stale version, a taken key) into a rolled-back 409."""
    try:
        yield
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise Conflict(
            "Another supervisor changed this template at the same moment. Reload and try again."
        ) from exc


def flush_change(session: Session, *after_flush: Callable[[], None]) -> None:
    """Flush, then record (the callbacks) and flush again; a concurrent change is a 409.

    The caller commits: a create's view commits once, with its Idempotency-Key outcome.
    """
    with _concurrent_change_refused(session):
        session.flush()
        for step in after_flush:
            step()
        session.flush()


def commit_change(session: Session, *after_flush: Callable[[], None]) -> None:
    """Flush and record the change as ``flush_change`` does, then commit; a race is a 409."""
    with _concurrent_change_refused(session):
        flush_change(session, *after_flush)
        session.commit()


def save_version(
    session: Session,
    context: AuditContext,
    *,
    key: str,
    data: Mapping[str, Any],
) -> SavedVersion:
    """Save a new draft (or restore an old text as one), audited; unchanged text: no version."""
    template = lock_template(session, key)
    if template.status != "active":
        raise Conflict("This template is retired; it cannot change.")
    if data.get("restore_from") is not None:
        old = find_version(session, template, data["restore_from"])
        data = {
            "subject": old.subject,
            "body": old.body,
            "change_note": data.get("change_note") or f"Restored the text of version {old.number}.",
            "restore_from": old.number,
        }
    elif "body" not in data:
        raise ValidationFailed(errors={"body": ["Give a body, or restore_from a version."]})
    wording = _wording(template.channel, template.language, data)
    latest = find_version(session, template, template.latest_number)
    if latest.content_hash == wording.content_hash:
        unchanged = SavedVersion(template, latest, None, created=False)
        flush_change(session)
        return unchanged
    checked = check(session, context, wording, resource=key)
    template.latest_number += 1
    template.updated_at = utcnow()
    number = template.latest_number
    version = _new_version(template, number, wording, checked, context.actor, data)
    session.add(version)
    step = "restored" if data.get("restore_from") is not None else "saved"
    saved = SavedVersion(template, version, checked)
    recorded = partial(record_step, session, context, key=key, number=number, step=step)
    flush_change(session, recorded)
    return saved


def find_version(session: Session, template: MessageTemplate, number: int) -> TemplateVersion:
    """One version of a template, or a 404."""
    version = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound(f"Template '{template.key}' has no version {number}.")
    return version


def list_versions(session: Session, actor: Principal, key: str) -> list[TemplateVersion]:
    """A template's versions, newest first (officers: only those that were published)."""
    template = get_template(session, actor, key)
    query = select(TemplateVersion).where(TemplateVersion.template_id == template.id)
    if not sees_drafts(actor):
        query = query.where(TemplateVersion.status.in_(PUBLISHED_STATUSES))
    return list(session.scalars(query.order_by(TemplateVersion.number.desc())))


def get_version(
    session: Session, actor: Principal, key: str, number: int
) -> tuple[MessageTemplate, TemplateVersion]:
    """One version the caller may see, or a 404."""
    template = get_template(session, actor, key)
    version = find_version(session, template, number)
    if not sees_drafts(actor) and version.status not in PUBLISHED_STATUSES:
        raise NotFound(f"Template '{key}' has no version {number}.")
    return template, version


@dataclass(frozen=True)
class VersionDiff:
    """A unified diff between two versions of a template."""

    template_key: str
    number: int
    against: int
    changed: bool
    diff: str


def diff_versions(
    session: Session, actor: Principal, *, key: str, number: int, against: int
) -> VersionDiff:
    """The unified diff of subject and body from version ``against`` to version ``number``."""
    _, new = get_version(session, actor, key, number)
    _, old = get_version(session, actor, key, against)
    lines: list[str] = []
    for part, before, after in (
        ("subject", old.subject, new.subject),
        ("body", old.body, new.body),
    ):
        if before is None and after is None:
            continue
        lines.extend(
            difflib.unified_diff(
                (before or "").splitlines(),
                (after or "").splitlines(),
                fromfile=f"version {against} {part}",
                tofile=f"version {number} {part}",
                lineterm="",
            )
        )
    return VersionDiff(key, number, against, bool(lines), "\n".join(lines))
