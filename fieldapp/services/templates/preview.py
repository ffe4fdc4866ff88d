"""Preview a template version with the sample data, or with a real case and victim in scope.

Preview renders through the same path as sending, so what a supervisor or officer sees is what
the victim would get. Merging real case data into a template is audited as a combination.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fieldapp.core.templating import LintReport, MissingData, OutputTooLong, TemplateRefused
from fieldapp.core.templating.check import (
    Rendered,
    Wording,
    lint_rendered,
    merge_context,
    render_wording,
    sample_preview,
    validate_wording,
)
from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import require_case
from fieldapp.services.templates import versions
from fieldapp.services.templates.merge_data import event_for, merge_data, victim_on_case
from fieldapp.services.templates.published import VersionText, published_version


@dataclass(frozen=True)
class Preview:
    """A rendered message and its lint."""

    template_key: str
    version: int
    channel: str
    language: str
    subject: str | None
    body: str
    html: str | None
    lint: LintReport
    sample: bool


class MissingCaseData(ValidationFailed):
    """The case lacks data the template needs; never a blank in the text."""

    code, title = "missing_data", "Missing case data"


def _choose_version(
    session: Session, context: AuditContext, key: str, number: int | None, reads: Engine
) -> VersionText:
    """The version named, else the published one (supervisors: the latest).

    The published version is read on ``reads``, an autocommit engine: one round trip, no
    transaction, since officers preview it all day.
    """
    actor = context.actor
    if number is not None:
        return VersionText.of(*versions.get_version(session, actor, key, number))
    if versions.sees_drafts(actor):
        template = versions.get_template(session, actor, key)
        return VersionText.of(
            template, versions.find_version(session, template, template.latest_number)
        )
    with reads.connect() as connection:
        return published_version(connection, key)


@contextmanager
def merge_errors() -> Iterator[None]:
    """Turn what can go wrong while merging into 422s: missing data names the fields."""
    try:
        yield
    except MissingData as missing:
        raise MissingCaseData(
            "The case lacks data this template needs: " + ", ".join(missing.fields) + ".",
            errors={name: ["Missing on this case."] for name in missing.fields},
        ) from missing
    except OutputTooLong as too_long:
        message = too_long.problems[0].message
        raise ValidationFailed(message, errors={"body": [message]}) from too_long
    except TemplateRefused as refused:  # a stored version the data cannot be merged into
        raise versions.refusal(refused) from refused


def _real_merge(
    session: Session,
    context: AuditContext,
    about: tuple[str, str],
    ids: tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None],
    force: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    """The merge context of a case and victim in scope (and the event the message is about).

    ``about`` is the template's event type and language.
    """
    case_id, victim_id, event_id = ids
    if victim_id is None:
        raise ValidationFailed(errors={"victim_id": ["Give the victim with the case."]})
    case = require_case(session, context, case_id)
    try:
        victim = victim_on_case(session, case, victim_id)
    except NotFound:  # a victim of another case: a denied combination, on the record
        _record_combination(session, context, victim_id, outcome="denied")
        session.commit()
        raise
    event_type, language = about
    event = event_for(session, case, event_type=event_type, event_id=event_id)
    data = merge_data(session, case=case, victim=victim, event=event, force=force)
    return merge_context(data, language)


def _record_combination(
    session: Session, context: AuditContext, victim_id: uuid.UUID | None, outcome: str = "allowed"
) -> None:
    """Record merging (or the refused attempt to merge) a victim's data into a template."""
    audit.record(
        session,
        context,
        operation=audit.COMBINATION,
        resource_type="victim",
        resource_ids=[str(victim_id)],
        outcome=outcome,
    )


def preview_template(
    session: Session,
    context: AuditContext,
    *,
    key: str,
    number: int | None,
    case_id: uuid.UUID | None,
    victim_id: uuid.UUID | None,
    event_id: uuid.UUID | None,
    force: Mapping[str, Mapping[str, str]],
    reads: Engine,
) -> Preview:
    """Render a version with sample data, or with a case and victim the caller may see."""
    if case_id is None and (victim_id is not None or event_id is not None):
        raise ValidationFailed(errors={"case_id": ["Give the case with the victim or event."]})
    chosen = _choose_version(session, context, key, number, reads)
    wording, fields = chosen.wording, chosen.fields
    if case_id is None:
        with merge_errors():
            rendered, report = sample_preview(wording, fields)
    else:
        about = (chosen.event_type, wording.language)
        merge = _real_merge(session, context, about, (case_id, victim_id, event_id), force)
        with merge_errors():
            rendered = render_wording(wording, merge, cache_key=chosen.content_hash)
        report = lint_rendered(wording, rendered, fields)
        _record_combination(session, context, victim_id)
        session.commit()
    return Preview(
        template_key=chosen.key,
        version=chosen.number,
        channel=wording.channel,
        language=wording.language,
        subject=rendered.subject,
        body=rendered.body,
        html=rendered.html,
        lint=report,
        sample=case_id is None,
    )


@dataclass(frozen=True)
class DraftPreview:
    """An unsaved wording merged with a real case: the message, its lint, and what it merged."""

    rendered: Rendered
    lint: LintReport
    merged: Mapping[str, Any]


def preview_draft(
    session: Session,
    context: AuditContext,
    *,
    wording: Wording,
    event_type: str,
    case_id: uuid.UUID,
    victim_id: uuid.UUID,
    force: Mapping[str, Mapping[str, str]],
) -> DraftPreview:
    """Render a wording not yet saved with a case and victim in scope, as sending would.

    The editor's live preview: the same checks and merge as ``preview_template``, and the same
    audit record of the combination; a refused wording is a 422 naming its problems.
    """
    with merge_errors():
        fields = validate_wording(wording)
    about = (event_type, wording.language)
    merge = _real_merge(session, context, about, (case_id, victim_id, None), force)
    with merge_errors():
        rendered = render_wording(wording, merge)
    report = lint_rendered(wording, rendered, fields)
    _record_combination(session, context, victim_id)
    session.commit()
    return DraftPreview(rendered, report, merge)
