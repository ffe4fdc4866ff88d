"""The shipped library loaded once, and sample data for rendering its templates in tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from fieldapp.core.templating.check import (
    Rendered,
    Wording,
    lint_rendered,
    render_wording,
    validate_wording,
)
from fieldapp.core.templating.context import MergeData, build_context, sample_merge_data
from fieldapp.core.templating.library import (
    LIBRARY_DIRECTORY,
    PERIODIC_UPDATE,
    LibraryTemplate,
    load_library,
)
from fieldapp.core.templating.lint import LintReport

LIBRARY = load_library(LIBRARY_DIRECTORY)
BY_KEY = {template.key: template for template in LIBRARY}
CONTENTLESS_FAMILY = "contentless"

# Who a message may be for, with the data each role brings (victims-code.md section 1.2).
ROLES: dict[str, dict[str, Any]] = {
    "victim": {},
    "parent_guardian": {},
    "family_spokesperson": {},
    "business_contact": {"organisation_name": "Acme Stores Ltd"},
}
# Sample details that differ by event type: the shared sample's outcome, result and reason codes
# are those of an adult out-of-court resolution, a trial and a decision not to charge.
EVENT_SAMPLES: dict[str, dict[str, Any]] = {
    "youth_out_of_court_outcome": {"outcome": "youth_caution"},
    "vrr_decided": {"result": "decision_upheld"},
    "appeal_outcome": {"result": "appeal_dismissed"},
    "preferred_method_unavailable": {"reason_codes": ["no_safe_number"]},
}


def ids(templates: list[LibraryTemplate]) -> list[str]:
    """Test ids: the template keys."""
    return [template.key for template in templates]


def sample_for(
    template: LibraryTemplate, *, role: str = "victim", **event_details: Any
) -> MergeData:
    """The sample data with the event the template is written for (none for a periodic update)."""
    data = sample_merge_data()
    victim = dataclasses.replace(data.victim, role=role, **ROLES[role])
    data = dataclasses.replace(data, victim=victim)
    if template.event_type == PERIODIC_UPDATE:
        return dataclasses.replace(data, event=None)
    assert data.event is not None
    details = {
        **data.event.details,
        **EVENT_SAMPLES.get(template.event_type, {}),
        **event_details,
    }
    event = dataclasses.replace(data.event, type=template.event_type, details=details)
    return dataclasses.replace(data, event=event)


def sparse(data: MergeData) -> MergeData:
    """Merge data with every optional value absent: rank, collar, phone, dates to come."""
    officer = dataclasses.replace(data.officer, rank=None, collar_number=None, phone=None)
    event = data.event
    if event is not None:
        details = {key: value for key, value in event.details.items() if key != "answer_bail_on"}
        event = dataclasses.replace(event, details=details)
    return dataclasses.replace(data, officer=officer, event=event, next_update_on=None)


def wording(template: LibraryTemplate) -> Wording:
    """A library template as the wording the engine checks."""
    return Wording(template.channel, template.language, template.body, template.subject)


def check(template: LibraryTemplate, data: MergeData) -> tuple[Rendered, LintReport]:
    """Validate, render and lint a template the way a saved wording is checked."""
    fields = validate_wording(wording(template))
    rendered = render_wording(wording(template), build_context(data, language=template.language))
    return rendered, lint_rendered(wording(template), rendered, fields)


def fields_of(template: LibraryTemplate) -> frozenset[str]:
    """The merge fields a template's subject and body use."""
    return validate_wording(wording(template))
