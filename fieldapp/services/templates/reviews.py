"""The review workflow: draft -> submitted -> published or rejected, four eyes, and retiring.

Each step locks the template row (``FOR UPDATE`` on PostgreSQL; the row's version counter
everywhere), so when two supervisors approve at the same moment one wins and the other gets a
409, and exactly one version is ever published (a partial unique index backs this up).
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.check import Wording
from fieldapp.errors import Conflict, FieldappError, ValidationFailed
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.models.base import utcnow
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.audit import record_step
from fieldapp.services.templates.versions import (
    SavedVersion,
    check,
    commit_change,
    find_version,
    lock_template,
)
from fieldapp.services.webhooks import events as webhook_events


class FourEyes(FieldappError):
    """The author of a version may not review it."""

    status_code, code, title = 403, "four_eyes", "A second supervisor must review"
    default_detail = "You wrote this version; another supervisor must approve or reject it."
    audited = True  # recorded against the version by _refuse_own_review


def _locked_version(
    session: Session, key: str, number: int
) -> tuple[MessageTemplate, TemplateVersion]:
    """The template (locked) and one of its versions, on an active template."""
    template = lock_template(session, key)
    if template.status != "active":
        raise Conflict("This template is retired.")
    return template, find_version(session, template, number)


def _expect(version: TemplateVersion, status: str, action: str) -> None:
    """Refuse a step that does not follow from the version's status."""
    if version.status != status:
        raise Conflict(
            f"Version {version.number} is {version.status}; only a {status} version can be "
            f"{action}."
        )


def _refuse_own_review(
    session: Session, context: AuditContext, version: TemplateVersion, key: str, step: str
) -> None:
    """Four eyes: the author may not review their own version (refusal audited and committed)."""
    if version.created_by_id != context.actor.user_id:
        return
    number = version.number
    session.rollback()  # release the template's lock: nothing but the refusal is kept
    record_step(session, context, key=key, number=number, step=step, outcome="denied")
    session.commit()
    raise FourEyes()


def submit_version(
    session: Session, context: AuditContext, *, key: str, number: int
) -> SavedVersion:
    """Send a draft for review (audited); lint errors block it (422 listing them)."""
    actor = context.actor
    template, version = _locked_version(session, key, number)
    _expect(version, "draft", "submitted")
    wording = Wording(template.channel, template.language, version.body, version.subject)
    checked = check(session, context, wording, resource=key)
    if checked.lint.errors:
        raise ValidationFailed(
            "Fix the lint errors before submitting.",
            errors={"lint": [issue.message for issue in checked.lint.errors]},
        )
    now = utcnow()
    version.status, version.submitted_at, version.submitted_by_id = "submitted", now, actor.user_id
    template.updated_at = now
    commit_change(
        session,
        partial(record_step, session, context, key=key, number=number, step="submitted"),
        partial(webhook_events.template_submitted, session, template, version),
    )
    return SavedVersion(template, version, checked)


def approve_version(
    session: Session, context: AuditContext, *, key: str, number: int
) -> SavedVersion:
    """Publish a submitted version (approver is not the author), audited; it supersedes."""
    actor = context.actor
    template, version = _locked_version(session, key, number)
    _expect(version, "submitted", "approved")
    _refuse_own_review(session, context, version, key, "four_eyes: approve")
    if template.published_number is not None and template.published_number > number:
        raise Conflict(
            f"Version {template.published_number} is already published and is newer; "
            "restore this text as a new version instead."
        )
    now = utcnow()
    if template.published_number is not None:
        old = find_version(session, template, template.published_number)
        old.status, old.superseded_at = "superseded", now
        session.flush()  # the old one stops being published before the new one starts
    version.status, version.reviewed_at, version.reviewed_by_id = "published", now, actor.user_id
    template.published_number = number
    template.updated_at = now
    commit_change(
        session, partial(record_step, session, context, key=key, number=number, step="approved")
    )
    return SavedVersion(template, version, None)


def reject_version(
    session: Session, context: AuditContext, *, key: str, number: int, reason: str
) -> SavedVersion:
    """Send a submitted version back with a reason (not by its author), audited."""
    actor = context.actor
    template, version = _locked_version(session, key, number)
    _expect(version, "submitted", "rejected")
    _refuse_own_review(session, context, version, key, "four_eyes: reject")
    now = utcnow()
    version.status, version.reviewed_at, version.reviewed_by_id = "rejected", now, actor.user_id
    version.rejection_reason = reason
    template.updated_at = now
    commit_change(
        session, partial(record_step, session, context, key=key, number=number, step="rejected")
    )
    return SavedVersion(template, version, None)


def retire_template(
    session: Session, context: AuditContext, *, key: str, reason: str | None
) -> MessageTemplate:
    """Withdraw a template (audited): officers no longer see it; its versions stay."""
    actor = context.actor
    template = lock_template(session, key)
    if template.status == "retired":
        raise Conflict("This template is already retired.")
    now = utcnow()
    template.status, template.retired_at, template.retired_by_id = "retired", now, actor.user_id
    template.retire_reason = reason
    template.updated_at = now
    pending = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.status == "submitted"
        )
    )
    for version in pending:  # nothing stays waiting for a review that cannot publish
        version.status, version.reviewed_at, version.reviewed_by_id = "rejected", now, actor.user_id
        version.rejection_reason = "The template was retired."
    commit_change(
        session, partial(record_step, session, context, key=key, number=None, step="retired")
    )
    return template
