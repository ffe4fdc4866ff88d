"""Help for supervisors writing a template: lint before saving, and the merge-field catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldapp.core.templating import LintIssue, SmsCount, TemplateRefused, load_catalogue
from fieldapp.core.templating.check import (
    Wording,
    lint_rendered,
    render_wording,
    sample_context,
    validate_wording,
)
from fieldapp.core.templating.errors import OutputTooLong


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


def lint_draft(data: Mapping[str, Any]) -> DraftLint:
    """Validate, merge with the sample data and lint; a refusal comes back as lint errors."""
    wording = Wording(data["channel"], data["language"], data["body"], data.get("subject"))
    try:
        used = validate_wording(wording)
        rendered = render_wording(wording, sample_context(wording.language))
    except (TemplateRefused, OutputTooLong) as refused:
        issues = tuple(LintIssue(p.code, p.message, p.line) for p in refused.problems)
        return DraftLint(fields_used=(), errors=issues, warnings=())
    report = lint_rendered(wording, rendered, used)
    return DraftLint(
        fields_used=tuple(sorted(used)),
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
