"""The template editor's use cases: check a wording as it is typed, save it, submit it.

A check is what a save would find (``drafting.lint_draft``: refusals as errors, unsafe ones
audited) and what the message would say, merged with the sample data or with a case and victim
in scope (``preview.preview_draft``: audited as a combination), every problem moved to the line
of the wording it comes from. Saving and submitting are the same services the API calls;
"Submit for review" saves and submits in one transaction, so it happens entirely or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.editor import problems
from fieldapp.core.editor.problems import Finding
from fieldapp.core.editor.sms_cost import SmsCharge, charge
from fieldapp.core.templating import LintIssue
from fieldapp.core.templating.check import Wording, sample_context
from fieldapp.core.templating.source_lines import trace_lines
from fieldapp.errors import FieldappError
from fieldapp.models import Case, Victim
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.scope import scoped
from fieldapp.services.templates import drafting, preview, reviews, versions
from fieldapp.services.templates.preview import MissingCaseData
from fieldapp.services.templates.versions import SavedVersion

#: How many of the most recently updated cases in scope the editor offers to preview with.
PREVIEW_CASES = 20


@dataclass(frozen=True)
class DraftCheck:
    """A wording as a save would find it, and the message it makes, ready for the editor."""

    findings: tuple[Finding, ...]
    subject: str | None = None
    body: str | None = None
    sms: SmsCharge | None = None
    sample: bool = True
    unmerged: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        """What must be fixed before the wording can go for review."""
        return tuple(f for f in self.findings if f.blocking)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """What the author should look at."""
        return tuple(f for f in self.findings if not f.blocking)

    @property
    def summary(self) -> str:
        """One line to announce: "No problems", "2 problems: lines 3 and 7"."""
        return problems.summary(self.findings)


@dataclass(frozen=True)
class PreviewTarget:
    """A case and victim to preview with (none: the sample data)."""

    case_id: uuid.UUID
    victim_id: uuid.UUID


def check_draft(
    session: Session,
    context: AuditContext,
    *,
    wording: Wording,
    event_type: str,
    target: PreviewTarget | None,
    force: Mapping[str, Mapping[str, str]],
    pence_per_text: Decimal,
) -> DraftCheck:
    """Check a wording as a save would, merged with the sample data or a case in scope."""
    linted = drafting.lint_draft(session, context, _lint_request(wording))
    if linted.body is None:  # refused, or too long to merge: nothing else can be known
        return DraftCheck(problems.ordered(problems.refused(linted.errors)))
    merged: Mapping[str, Any]
    if target is None:
        merged, rendered = sample_context(wording.language), (linted.subject, linted.body)
        errors, warnings = linted.errors, linted.warnings
    else:
        try:
            real = preview.preview_draft(
                session,
                context,
                wording=wording,
                event_type=event_type,
                case_id=target.case_id,
                victim_id=target.victim_id,
                force=force,
            )
        except MissingCaseData as missing:
            found = _findings(wording, sample_context(wording.language), linted.body, linted)
            return DraftCheck(found, unmerged=tuple(missing.errors or {}), sample=False)
        merged, rendered = real.merged, (real.rendered.subject, real.rendered.body)
        errors, warnings = real.lint.errors, real.lint.warnings
    subject, body = rendered
    return DraftCheck(
        findings=_findings(wording, merged, body, _Lint(errors, warnings)),
        subject=subject,
        body=body,
        sms=charge(body, pence_per_text) if wording.channel == "sms" else None,
        sample=target is None,
    )


@dataclass(frozen=True)
class _Lint:
    """Errors and warnings of a merged message."""

    errors: tuple[LintIssue, ...]
    warnings: tuple[LintIssue, ...]


def _findings(
    wording: Wording, merged: Mapping[str, Any], body: str, lint: _Lint | drafting.DraftLint
) -> tuple[Finding, ...]:
    """Lint of a merged body as findings on the lines of the wording."""
    origins = trace_lines(wording.body, merged, channel=wording.channel, merged=body)
    return problems.ordered(
        problems.located(lint.errors, origins, blocking=True)
        + problems.located(lint.warnings, origins, blocking=False)
    )


def _lint_request(wording: Wording) -> dict[str, Any]:
    """A wording as the lint service takes it."""
    return {
        "channel": wording.channel,
        "language": wording.language,
        "body": wording.body,
        "subject": wording.subject,
    }


def create_draft(
    session: Session, context: AuditContext, *, data: Mapping[str, Any], submit: bool = False
) -> SavedVersion:
    """Create a template with its first version as a draft (or submitted for review), audited.

    Creating and submitting are one transaction: both happen, or neither.
    """
    try:
        saved = versions.create_template(session, context, data=data)
        if submit:
            return reviews.submit_version(session, context, key=saved.template.key, number=1)
    except FieldappError:
        session.rollback()
        raise
    session.commit()
    return saved


def save_draft(
    session: Session, context: AuditContext, *, key: str, data: Mapping[str, Any]
) -> SavedVersion:
    """Save a wording as a new draft version, and commit (audited); unchanged: no version."""
    saved = versions.save_version(session, context, key=key, data=data)
    session.commit()
    return saved


def save_and_submit(
    session: Session, context: AuditContext, *, key: str, data: Mapping[str, Any]
) -> SavedVersion:
    """Save a wording and send it for review in one transaction: both happen, or neither."""
    try:
        saved = versions.save_version(session, context, key=key, data=data)
        return reviews.submit_version(session, context, key=key, number=saved.version.number)
    except FieldappError:
        session.rollback()  # a refused submit keeps no draft: the form still holds the text
        raise


@dataclass(frozen=True)
class VictimChoice:
    """A victim to preview with, named as the supervisor knows them."""

    victim_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class CaseChoice:
    """A case in scope to preview with, and its current victims."""

    case_id: uuid.UUID
    crime_reference: str
    victims: tuple[VictimChoice, ...]


def preview_choices(
    session: Session, context: AuditContext, *, limit: int = PREVIEW_CASES
) -> list[CaseChoice]:
    """The most recently updated cases in scope with their victims (an audited read of each)."""
    cases = list(
        session.scalars(
            scoped(select(Case), context)
            .where(Case.deleted_at.is_(None))
            .order_by(Case.updated_at.desc(), Case.id)
            .limit(limit)
        )
    )
    by_case: dict[uuid.UUID, list[Victim]] = {case.id: [] for case in cases}
    if by_case:
        found = session.scalars(
            select(Victim)
            .where(Victim.case_id.in_(by_case), Victim.deleted_at.is_(None))
            .order_by(Victim.last_name, Victim.first_name, Victim.id)
        )
        for victim in found:
            by_case[victim.case_id].append(victim)
    choices = [
        CaseChoice(
            case.id,
            case.crime_reference,
            tuple(VictimChoice(v.id, f"{v.first_name} {v.last_name}") for v in by_case[case.id]),
        )
        for case in cases
        if by_case[case.id]
    ]
    _record_read(session, context, choices)
    return choices


def _record_read(session: Session, context: AuditContext, choices: list[CaseChoice]) -> None:
    """Record the cases and victims listed as read, and commit."""
    for resource_type, ids in (
        ("case", [str(choice.case_id) for choice in choices]),
        ("victim", [str(v.victim_id) for choice in choices for v in choice.victims]),
    ):
        if ids:
            audit.record(
                session,
                context,
                operation=audit.CONSULTATION,
                resource_type=resource_type,
                resource_ids=ids,
            )
    session.commit()
