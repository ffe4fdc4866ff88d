"""Preview a template version with the sample data, or with a real case and victim in scope.

Preview renders through the same path as sending, so what a supervisor or officer sees is what
the victim would get. Merging real case data into a template is audited as a combination.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fieldapp.core.templating import LintReport, MissingData, OutputTooLong, TemplateRefused
from fieldapp.core.templating.check import (
    Rendered,
    Wording,
    lint_rendered,
    merge_context,
    render_wording,
    sample_context,
)
from fieldapp.errors import ValidationFailed
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services import audit, templates
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import require_case
from fieldapp.services.merge_data import event_for, merge_data, victim_on_case


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
    session: Session, context: AuditContext, key: str, number: int | None
) -> tuple[MessageTemplate, TemplateVersion]:
    """The version named, else the published one (supervisors: the latest)."""
    actor = context.actor
    if number is not None:
        return templates.get_version(session, actor, key, number)
    if templates.sees_drafts(actor):
        template = templates.get_template(session, actor, key)
        return template, templates.find_version(session, template, template.latest_number)
    return templates.published_version(session, actor, key)


def render_version(
    template: MessageTemplate, version: TemplateVersion, merge: Mapping[str, Any]
) -> tuple[Wording, Rendered]:
    """Render a version with a merge context; missing data and over-long output are 422s."""
    wording = Wording(template.channel, template.language, version.body, version.subject)
    try:
        return wording, render_wording(wording, merge, cache_key=version.content_hash)
    except MissingData as missing:
        raise MissingCaseData(
            "The case lacks data this template needs: " + ", ".join(missing.fields) + ".",
            errors={name: ["Missing on this case."] for name in missing.fields},
        ) from missing
    except OutputTooLong as too_long:
        raise ValidationFailed(
            too_long.problems[0].message, errors={"body": [too_long.problems[0].message]}
        ) from too_long
    except TemplateRefused as refused:  # a stored version the data cannot be merged into
        raise templates.refusal(refused) from refused


def preview_template(
    session: Session,
    context: AuditContext,
    *,
    key: str,
    number: int | None,
    case_id: uuid.UUID | None,
    victim_id: uuid.UUID | None,
    event_id: uuid.UUID | None,
    force: Mapping[str, str],
) -> Preview:
    """Render a version with sample data, or with a case and victim the caller may see."""
    template, version = _choose_version(session, context, key, number)
    sample = case_id is None
    if case_id is None:
        if victim_id is not None or event_id is not None:
            raise ValidationFailed(errors={"case_id": ["Give the case with the victim or event."]})
        merge = sample_context(template.language)
    else:
        if victim_id is None:
            raise ValidationFailed(errors={"victim_id": ["Give the victim with the case."]})
        case = require_case(session, context, case_id)
        victim = victim_on_case(session, case, victim_id)
        event = event_for(session, case, event_type=template.event_type, event_id=event_id)
        data = merge_data(session, case=case, victim=victim, event=event, force=force)
        merge = merge_context(data, template.language)
    wording, rendered = render_version(template, version, merge)
    report = lint_rendered(wording, rendered, frozenset(version.fields))
    if not sample:
        audit.record(
            session,
            context,
            operation=audit.COMBINATION,
            resource_type="victim",
            resource_ids=[str(victim_id)],
        )
        session.commit()
    return Preview(
        template_key=template.key,
        version=version.number,
        channel=template.channel,
        language=template.language,
        subject=rendered.subject,
        body=rendered.body,
        html=rendered.html,
        lint=report,
        sample=sample,
    )
