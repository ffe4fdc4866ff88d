"""The template engine, pure: merge fields, the sandbox, SMS counting, lint and the library.

Nothing here imports Flask, SQLAlchemy or the rest of fieldapp; it takes and returns plain data.
Templates written by supervisors are untrusted code: see ``engine`` and docs/security.md section 1.
"""

from __future__ import annotations

from fieldapp.core.templating.budget import RenderBudget, RenderTooCostly
from fieldapp.core.templating.catalogue import (
    Catalogue,
    MergeField,
    flatten_context,
    load_catalogue,
    parse_catalogue,
)
from fieldapp.core.templating.check import (
    Checked,
    Rendered,
    Wording,
    check_wording,
    lint_rendered,
    merge_context,
    render_wording,
    sample_context,
    validate_wording,
)
from fieldapp.core.templating.context import (
    TEMPLATE_LANGUAGES,
    CaseData,
    EventData,
    ForceData,
    MergeData,
    OfficerData,
    VictimData,
    build_context,
    sample_merge_data,
)
from fieldapp.core.templating.dates import format_date, format_time
from fieldapp.core.templating.engine import TEMPLATE_CACHE, TemplateCache, render, validate
from fieldapp.core.templating.errors import (
    MissingData,
    OutputTooLong,
    Problem,
    TemplateRefused,
    TemplatingError,
)
from fieldapp.core.templating.library import (
    CHANNELS,
    LIBRARY_EVENT_TYPES,
    LibraryFileError,
    LibraryTemplate,
    format_template_file,
    load_library,
    parse_template_file,
)
from fieldapp.core.templating.lint import LintIssue, LintReport, lint
from fieldapp.core.templating.lint_rules import (
    InvalidLintRules,
    LintRules,
    load_lint_rules,
    parse_lint_rules,
)
from fieldapp.core.templating.sms import SMS_CHAR_LIMIT, SmsCount, count, normalise

__all__ = [
    "CHANNELS",
    "LIBRARY_EVENT_TYPES",
    "SMS_CHAR_LIMIT",
    "TEMPLATE_CACHE",
    "TEMPLATE_LANGUAGES",
    "CaseData",
    "Catalogue",
    "Checked",
    "EventData",
    "ForceData",
    "InvalidLintRules",
    "LibraryFileError",
    "LibraryTemplate",
    "LintIssue",
    "LintReport",
    "LintRules",
    "MergeData",
    "MergeField",
    "MissingData",
    "OfficerData",
    "OutputTooLong",
    "Problem",
    "RenderBudget",
    "RenderTooCostly",
    "Rendered",
    "SmsCount",
    "TemplateCache",
    "TemplateRefused",
    "TemplatingError",
    "VictimData",
    "Wording",
    "build_context",
    "check_wording",
    "count",
    "flatten_context",
    "format_date",
    "format_template_file",
    "format_time",
    "lint",
    "lint_rendered",
    "load_catalogue",
    "load_library",
    "load_lint_rules",
    "merge_context",
    "normalise",
    "parse_catalogue",
    "parse_lint_rules",
    "parse_template_file",
    "render",
    "render_wording",
    "sample_context",
    "sample_merge_data",
    "validate",
    "validate_wording",
]
