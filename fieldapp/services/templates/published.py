"""The published wording officers write from: plain data, read in one query each.

Officers preview and write messages from published versions all day, so these reads are built
once with bound parameters and return plain data (``VersionText``), not ORM objects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.check import Wording
from fieldapp.errors import Conflict, NotFound
from fieldapp.models import MessageTemplate, TemplateVersion

#: Version states that passed a second supervisor's review: published now, or before.
REVIEWED_STATUSES = ("published", "superseded")


class VersionNotPublished(Conflict):
    """The version never passed review (a draft, submitted or rejected): nobody may send it."""

    code, title = "version_not_published", "Version not published"


@dataclass(frozen=True)
class VersionText:
    """What one version says and for which template: plain data for merging."""

    key: str
    event_type: str
    number: int
    version_id: uuid.UUID
    content_hash: str
    fields: frozenset[str]
    wording: Wording

    @classmethod
    def of(cls, template: MessageTemplate, version: TemplateVersion) -> VersionText:
        """The text of a loaded template version."""
        wording = Wording(template.channel, template.language, version.body, version.subject)
        return cls(
            template.key,
            template.event_type,
            version.number,
            version.id,
            version.content_hash,
            frozenset(version.fields),
            wording,
        )


# Built once: officers preview and write from the published version on every message.
_T, _V = MessageTemplate.__table__.c, TemplateVersion.__table__.c
_PUBLISHED = (
    select(
        _T.key, _T.event_type, _T.channel, _T.language, _V.number, _V.id, _V.content_hash,
        _V.fields,
        _V.subject, _V.body,
    )
    .join_from(
        MessageTemplate.__table__,
        TemplateVersion.__table__,
        and_(_V.template_id == _T.id, _V.number == _T.published_number),
    )
    .where(_T.key == bindparam("key"), _T.status == "active")
)  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """A published template that may stand in for another: its family and contentless flag."""

    family: str
    contentless: bool
    text: VersionText
    format: str = "standard"
    #: A follow-up text (marked so, or contentless): it may leave a duty's items untold.
    follow_up: bool = False


_REQUESTED = MessageTemplate.__table__.alias("requested")
# Every published variant a message written from one template may use: the same family and
# channel in any language, and the contentless templates of that channel. A write reads them
# in its one read (``messages.sources``), bound by the parameter ``key``.
VARIANTS = (
    select(
        _T.key, _T.family, _T.contentless, _T.event_type, _T.channel, _T.language, _V.number,
        _V.id, _V.content_hash, _V.fields, _V.subject, _V.body, _T.format,
        or_(_T.follow_up, _T.contentless).label("follow_up"),
    )
    .join_from(
        MessageTemplate.__table__,
        TemplateVersion.__table__,
        and_(_V.template_id == _T.id, _V.number == _T.published_number),
    )
    .join(
        _REQUESTED,
        and_(
            _REQUESTED.c.key == bindparam("key"),
            _T.channel == _REQUESTED.c.channel,
            or_(_T.family == _REQUESTED.c.family, _T.contentless.is_(True)),
        ),
    )
    .where(_T.status == "active")
)  # fmt: skip


def version_text_of(row: Any) -> VersionText:
    """A version's text from a row with its key, event type, number, id, hash, fields, wording."""
    return VersionText(
        row.key,
        row.event_type,
        row.number,
        row.id,
        row.content_hash,
        frozenset(row.fields),
        Wording(row.channel, row.language, row.body, row.subject),
    )


def variant_of(row: Any) -> Variant:
    """A variant from a row with the columns of ``VARIANTS``."""
    text = version_text_of(row)
    return Variant(row.family, row.contentless, text, row.format, bool(row.follow_up))


def published_variants(reader: Session | Connection, key: str) -> list[Variant]:
    """The published variants a message from template ``key`` may use (one query)."""
    return [variant_of(row) for row in reader.execute(VARIANTS, {"key": key})]


def published_version(reader: Session | Connection, key: str) -> VersionText:
    """The version officers use now (one plain query, no ORM objects), or a 404."""
    row = reader.execute(_PUBLISHED, {"key": key}).first()
    if row is None:
        raise NotFound(f"Template '{key}' has no published version.")
    return version_text_of(row)


def reviewed_version(session: Session, key: str, number: int) -> VersionText:
    """Version ``number`` of ``key`` if it is or was published; 404 if none, 409 if unreviewed.

    The same for every role and credential: four eyes means a message is only ever written
    from wording a second supervisor approved.
    """
    row = session.execute(
        select(MessageTemplate, TemplateVersion)
        .join(TemplateVersion, TemplateVersion.template_id == MessageTemplate.id)
        .where(MessageTemplate.key == key, TemplateVersion.number == number)
    ).first()
    if row is None:
        raise NotFound(f"Template '{key}' has no version {number}.")
    template, version = row
    if version.status not in REVIEWED_STATUSES:
        raise VersionNotPublished(
            f"Version {number} of '{key}' is {version.status}: only a published (or formerly "
            "published) version can be used.",
            errors={"template_version": ["Use a version that a second supervisor approved."]},
        )
    return VersionText.of(template, version)
