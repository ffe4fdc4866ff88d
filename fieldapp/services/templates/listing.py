"""The templates list as people page through it: numbered pages, filters, and lagging siblings.

The API pages by key (``versions.list_templates``); a person wants page numbers and a count, so
this pages the same visible query (``versions.visible_templates``) by offset. Each row carries
what the list shows besides the template: when its wording was last published, the newest
version's status (for those who may see drafts), and its siblings in another language that were
last published before it (``fieldapp.core.translations``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.translations import OlderSibling, PublishedChange, older_siblings
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.templates.versions import sees_drafts, visible_templates

PAGE_SIZE = 25


@dataclass(frozen=True)
class TemplateRow:
    """A template as the list shows it."""

    template: MessageTemplate
    published_at: datetime | None
    latest: TemplateVersion | None  # None for callers who may not see drafts
    older: tuple[OlderSibling, ...]


@dataclass(frozen=True)
class TemplatePage:
    """One numbered page of templates, and how many there are in all."""

    rows: tuple[TemplateRow, ...]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, though it may be empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def first_index(self) -> int:
        """The position (from 1) of the page's first row in the whole list."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        """The position (from 1) of the page's last row in the whole list."""
        return self.first_index + len(self.rows) - 1 if self.rows else 0

    def window(self, around: int = 1) -> list[int | None]:
        """Page numbers to link, None for a gap: the first, the last and those near this one."""
        near = range(max(1, self.number - around), min(self.pages, self.number + around) + 1)
        shown = sorted({1, self.pages, *near})
        links: list[int | None] = []
        for previous, number in zip([0, *shown], shown, strict=False):
            if number - previous > 1:
                links.append(None)
            links.append(number)
        return links


def published_changes(
    session: Session, actor: Principal, families: Iterable[str]
) -> list[PublishedChange]:
    """The visible templates of some families, each with when its wording was last published."""
    published = and_(
        TemplateVersion.template_id == MessageTemplate.id,
        TemplateVersion.number == MessageTemplate.published_number,
    )
    query = (
        visible_templates(actor, {})
        .where(MessageTemplate.family.in_(set(families)))
        .outerjoin(TemplateVersion, published)
        .add_columns(TemplateVersion.reviewed_at, TemplateVersion.created_at)
    )
    return [
        PublishedChange(
            key=template.key,
            family=template.family,
            channel=template.channel,
            format=template.format,
            contentless=template.contentless,
            language=template.language,
            published_at=reviewed_at or created_at,
            active=template.status == "active",
        )
        for template, reviewed_at, created_at in session.execute(query)
    ]


def sibling_flags(
    changes: Iterable[PublishedChange], templates: Iterable[MessageTemplate]
) -> dict[str, tuple[OlderSibling, ...]]:
    """For each template given, its siblings in another language published before it."""
    wanted = {template.key for template in templates}
    return {key: older for key, older in older_siblings(changes).items() if key in wanted}


def _latest_versions(
    session: Session, templates: list[MessageTemplate]
) -> dict[uuid.UUID, TemplateVersion]:
    """The newest version of each template, by template id."""
    if not templates:
        return {}
    wanted = {(template.id, template.latest_number) for template in templates}
    found = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id.in_({template_id for template_id, _ in wanted}),
            TemplateVersion.number.in_({number for _, number in wanted}),
        )
    )
    return {v.template_id: v for v in found if (v.template_id, v.number) in wanted}


def template_page(
    session: Session,
    actor: Principal,
    *,
    filters: Mapping[str, Any],
    number: int,
    size: int = PAGE_SIZE,
) -> TemplatePage:
    """One numbered page of the templates the caller may see, in key order, with flags."""
    query = visible_templates(actor, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(MessageTemplate.key).offset((number - 1) * size).limit(size)
    templates = list(session.scalars(page))
    changes = published_changes(session, actor, {t.family for t in templates})
    times = {change.key: change.published_at for change in changes}
    flags = sibling_flags(changes, templates)
    latest = _latest_versions(session, templates) if sees_drafts(actor) else {}
    rows = tuple(
        TemplateRow(t, times.get(t.key), latest.get(t.id), flags.get(t.key, ())) for t in templates
    )
    return TemplatePage(rows, number, size, total)
