"""The built-in library, ``message_templates/``: imported as published version 1.

Built-in templates are reviewed in the code repository, so they are imported already published,
with no author or reviewer account; any later change goes through the review workflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating import LibraryTemplate, TemplateRefused
from fieldapp.core.templating.check import Wording, check_wording
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.models.base import utcnow


class LibraryRefused(Exception):
    """A built-in template fails its checks: nothing is imported."""


@dataclass
class ImportResult:
    """Which built-in templates were imported and which already existed."""

    imported: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


def _checked_fields(item: LibraryTemplate) -> tuple[Wording, list[str]]:
    """Check a built-in template as strictly as a supervisor's: refused or lint errors stop it."""
    wording = Wording(item.channel, item.language, item.body, item.subject)
    try:
        checked = check_wording(wording)
    except TemplateRefused as refused:
        raise LibraryRefused(f"{item.key}: {refused.problems[0].message}") from refused
    if checked.lint.errors:
        raise LibraryRefused(f"{item.key}: {checked.lint.errors[0].message}")
    return wording, sorted(checked.fields)


def import_library(session: Session, items: Iterable[LibraryTemplate]) -> ImportResult:
    """Add each built-in template whose key is absent, published as version 1, in one commit."""
    result = ImportResult()
    existing = set(session.scalars(select(MessageTemplate.key)))
    now = utcnow()
    for item in items:
        if item.key in existing:
            result.present.append(item.key)
            continue
        wording, fields = _checked_fields(item)
        template = MessageTemplate(
            key=item.key,
            family=item.family,
            channel=item.channel,
            language=item.language,
            event_type=item.event_type,
            contentless=item.contentless,
            follow_up=item.follow_up,
            format=item.format,
            name=item.name,
            description=item.description,
            status="active",
            published_number=1,
            latest_number=1,
            created_at=now,
            updated_at=now,
        )
        session.add(template)
        session.flush()
        session.add(
            TemplateVersion(
                template_id=template.id,
                number=1,
                status="published",
                subject=item.subject,
                body=item.body,
                change_note=item.change_note or "Imported from the built-in library.",
                fields=fields,
                content_hash=wording.content_hash,
                created_at=now,
                reviewed_at=now,
            )
        )
        result.imported.append(item.key)
    session.commit()
    return result


def export_library(session: Session) -> list[LibraryTemplate]:
    """Every active template's published wording, as library files would hold it."""
    rows = session.execute(
        select(MessageTemplate, TemplateVersion)
        .join(TemplateVersion, TemplateVersion.template_id == MessageTemplate.id)
        .where(
            MessageTemplate.status == "active",
            TemplateVersion.number == MessageTemplate.published_number,
        )
        .order_by(MessageTemplate.key)
    )
    return [
        LibraryTemplate(
            key=template.key,
            family=template.family,
            channel=template.channel,
            language=template.language,
            event_type=template.event_type,
            name=template.name,
            description=template.description,
            change_note=version.change_note,
            body=version.body,
            subject=version.subject,
            contentless=template.contentless,
            follow_up=template.follow_up,
            format=template.format,
        )
        for template, version in rows
    ]
