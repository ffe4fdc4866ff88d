"""The review queue: submitted versions awaiting a second supervisor, oldest first, with diffs.

Each is compared with the version it would replace: the published one, else the one before it
(a template's first version is compared with nothing). Versions the caller wrote are listed
apart: four eyes means someone else decides them, and ``reviews`` refuses the author anyway.
Who may decide follows the API (``versions.require_editor``): supervisors; admins only read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.errors import Forbidden
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.comparison import Comparison, compare
from fieldapp.services.templates.reviews import approve_version, reject_version
from fieldapp.services.templates.versions import (
    EDITOR_ROLES,
    SavedVersion,
    get_version,
    require_editor,
    sees_drafts,
)


@dataclass(frozen=True)
class Review:
    """A version awaiting (or past) review, its comparison, and whether the caller may decide."""

    comparison: Comparison
    own: bool  # the caller wrote it
    may_decide: bool

    @property
    def template(self) -> MessageTemplate:
        """The version's template."""
        return self.comparison.template

    @property
    def version(self) -> TemplateVersion:
        """The version under review."""
        return self.comparison.new

    @property
    def base(self) -> TemplateVersion | None:
        """The version it would replace, if any."""
        return self.comparison.old


@dataclass(frozen=True)
class ReviewQueue:
    """Versions awaiting a decision: by others (to review) and by the caller (to wait for)."""

    others: tuple[Review, ...]
    own: tuple[Review, ...]


def replaced_number(template: MessageTemplate, version: TemplateVersion) -> int | None:
    """The version a submitted one would replace: the published one, else the one before it."""
    if template.published_number is not None and template.published_number != version.number:
        return template.published_number
    return version.number - 1 if version.number > 1 else None


def _review(
    actor: Principal,
    template: MessageTemplate,
    version: TemplateVersion,
    base: TemplateVersion | None,
) -> Review:
    """A version as the caller reviews it."""
    own = version.created_by_id == actor.user_id
    may_decide = (
        actor.role in EDITOR_ROLES
        and not own
        and version.status == "submitted"
        and template.status == "active"
    )
    return Review(compare(template, base, version), own, may_decide)


def review_queue(session: Session, actor: Principal) -> ReviewQueue:
    """Submitted versions of active templates, oldest submission first, split by author."""
    if not sees_drafts(actor):
        raise Forbidden("Your role does not review templates.")
    rows = list(
        session.execute(
            select(MessageTemplate, TemplateVersion)
            .join(TemplateVersion, TemplateVersion.template_id == MessageTemplate.id)
            .where(TemplateVersion.status == "submitted", MessageTemplate.status == "active")
            .order_by(TemplateVersion.submitted_at, MessageTemplate.key, TemplateVersion.number)
        )
    )
    wanted = {(t.id, n) for t, v in rows if (n := replaced_number(t, v)) is not None}
    bases: dict[tuple[object, int], TemplateVersion] = {}
    if wanted:
        found = session.scalars(
            select(TemplateVersion).where(
                TemplateVersion.template_id.in_({template_id for template_id, _ in wanted}),
                TemplateVersion.number.in_({number for _, number in wanted}),
            )
        )
        bases = {(v.template_id, v.number): v for v in found}
    reviews = [
        _review(actor, t, v, bases.get((t.id, n)) if (n := replaced_number(t, v)) else None)
        for t, v in rows
    ]
    return ReviewQueue(
        others=tuple(r for r in reviews if not r.own), own=tuple(r for r in reviews if r.own)
    )


def get_review(session: Session, actor: Principal, *, key: str, number: int) -> Review:
    """One version as a review: its comparison with what it replaces, whatever its status."""
    template, version = get_version(session, actor, key, number)
    base_number = replaced_number(template, version)
    base = None if base_number is None else get_version(session, actor, key, base_number)[1]
    return _review(actor, template, version, base)


def decide_review(
    session: Session, context: AuditContext, *, key: str, number: int, reason: str | None
) -> SavedVersion:
    """Approve a submitted version, or reject it when a reason is given (both audited)."""
    require_editor(context.actor)
    if reason is None:
        return approve_version(session, context, key=key, number=number)
    return reject_version(session, context, key=key, number=number, reason=reason)
