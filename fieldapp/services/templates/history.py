"""A template's page: its versions, newest first, its lagging siblings, and restoring old text.

Restoring goes through ``versions.save_version`` like any other change, so the old wording
comes back as a new draft that a second supervisor must review before officers see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.translations import OlderSibling
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.listing import published_changes, sibling_flags
from fieldapp.services.templates.reviews import retire_template
from fieldapp.services.templates.versions import (
    EDITOR_ROLES,
    SavedVersion,
    get_template,
    list_versions,
    require_editor,
    save_version,
    sees_drafts,
)


@dataclass(frozen=True)
class TemplateHistory:
    """A template, its versions (newest first), its siblings published before it, and what the
    caller may do: change it (supervisors, while active), open its reviews (who sees drafts)."""

    template: MessageTemplate
    versions: tuple[TemplateVersion, ...]
    older: tuple[OlderSibling, ...]
    editable: bool
    reviewable: bool


def template_history(session: Session, actor: Principal, key: str) -> TemplateHistory:
    """A template the caller may see, with the versions they may see."""
    template = get_template(session, actor, key)
    found = list_versions(session, actor, key)
    flags = sibling_flags(published_changes(session, actor, [template.family]), [template])
    editable = actor.role in EDITOR_ROLES and template.status == "active"
    return TemplateHistory(
        template, tuple(found), flags.get(template.key, ()), editable, sees_drafts(actor)
    )


def restore_version(
    session: Session, context: AuditContext, *, key: str, number: int
) -> SavedVersion:
    """Save an old version's wording as a new draft (audited, committed); unchanged: no draft."""
    require_editor(context.actor)
    saved = save_version(session, context, key=key, data={"restore_from": number})
    session.commit()
    return saved


def retire(
    session: Session, context: AuditContext, *, key: str, reason: str | None
) -> MessageTemplate:
    """Retire a template (audited, committed): officers stop seeing it; its history stays."""
    require_editor(context.actor)
    return retire_template(session, context, key=key, reason=reason)
