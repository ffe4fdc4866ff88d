"""Help for supervisors writing a template: lint before saving, and the merge-field catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fieldapp.core.templating import LintIssue, SmsCount, TemplateRefused, load_catalogue
from fieldapp.core.templating.check import Wording, check_wording
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.audit import LINT_RESOURCE, record_refused_wording


@dataclass(frozen=True)
class DraftLint:
    """Lint of an unsaved wording merged with the sample data."""

    fields_used: tuple[str, ...]
    errors: tuple[LintIssue, ...]
    warnings: tuple[LintIssue, ...]
    sms: SmsCount | None = None
    reading_ease: float | None = None
    subject: str | None = None
    body: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing blocks submission."""
        return not self.errors


def lint_draft(session: Session, context: AuditContext, data: Mapping[str, Any]) -> DraftLint:
    """Check a wording as a save would; refusals come back as errors (unsafe ones audited)."""
    wording = Wording(data["channel"], data["language"], data["body"], data.get("subject"))
    try:
        checked = check_wording(wording)
    except TemplateRefused as refused:
        record_refused_wording(session, context, refused, resource=LINT_RESOURCE)
        issues = tuple(LintIssue(p.code, p.message, p.line) for p in refused.problems)
        return DraftLint(fields_used=(), errors=issues, warnings=())
    if checked.sample is None:  # too long to merge: nothing else to report
        return DraftLint(fields_used=(), errors=checked.lint.errors, warnings=())
    report, rendered = checked.lint, checked.sample
    return DraftLint(
        fields_used=tuple(sorted(checked.fields)),
        errors=report.errors,
        warnings=report.warnings,
        sms=report.sms,
        reading_ease=report.reading_ease,
        subject=rendered.subject,
        body=rendered.body,
    )


def merge_fields() -> dict[str, Any]:
    """The merge-field catalogue with an example of each field from the sample data."""
    catalogue = load_catalogue()
    return {"version": catalogue.version, "value": list(catalogue.fields.values())}
