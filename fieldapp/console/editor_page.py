"""How the editor's pages are drawn: the form, its check, the merge fields and any errors.

Errors are kept as lists of messages per field id, so that a wording with three problems shows
three lines ("Line 3: ...") under the field and three links in the error summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app, render_template, url_for

from fieldapp.core.display_names import display_name
from fieldapp.core.editor.fields import group_fields
from fieldapp.core.editor.problems import label
from fieldapp.core.editor.sms_cost import SmsCharge, describe, describe_encoding
from fieldapp.core.templating.library import LIBRARY_EVENT_TYPES
from fieldapp.errors import FieldappError, ValidationFailed
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.templates import drafting
from fieldapp.services.templates.editing import CaseChoice, DraftCheck

FormErrors = dict[str, list[str]]
CHANNEL_NAMES = {"sms": "Text message", "email": "Email", "letter": "Letter"}
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}
# Where a service's error about a field shows in the form (its field id).
FIELD_IDS = {"body": "wording", "lint": "wording", "restore_from": "wording"}


def url_if_served(endpoint: str, **values: Any) -> str | None:
    """The URL of another console page, or None when this app does not serve it."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _helpers(channel: str) -> dict[str, Any]:
    """What every editor template uses to describe findings, texts and merge fields."""
    fields = drafting.merge_fields()["value"]
    return {
        "label": label,
        "describe_encoding": describe_encoding,
        "describe_cost": _describe_cost,
        "field_groups": group_fields(fields),
        "channel": channel,
    }


def _describe_cost(found: SmsCharge) -> str:
    """The cost sentence of a text message."""
    return describe(found)


def error_list(errors: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """The error summary's links: one per message, each to its field."""
    return [
        {"text": message, "href": f"#{field}"}
        for field, messages in errors.items()
        for message in messages
    ]


def render_edit(
    *,
    template: MessageTemplate,
    latest: TemplateVersion,
    form: Mapping[str, Any],
    check: DraftCheck | None,
    choices: Sequence[CaseChoice],
    errors: FormErrors | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The edit page of a template."""
    html = render_template(
        "console/editor/edit.html",
        template=template,
        latest=latest,
        form=form,
        check=check,
        choices=choices,
        errors=errors or {},
        error_list=error_list(errors or {}),
        language=template.language,
        channel_name=CHANNEL_NAMES.get(template.channel, template.channel),
        language_name=LANGUAGE_NAMES.get(template.language, template.language),
        check_url=url_for("console.check_template", key=template.key),
        back_url=url_if_served("console.template", key=template.key),
        **_helpers(template.channel),
    )
    return html, status


def render_new(
    *,
    form: Mapping[str, Any],
    check: DraftCheck | None,
    choices: Sequence[CaseChoice],
    errors: FormErrors | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The new template page."""
    html = render_template(
        "console/editor/new.html",
        form=form,
        check=check,
        choices=choices,
        errors=errors or {},
        error_list=error_list(errors or {}),
        language=form.get("language") or "en",
        event_types=[{"value": name, "text": display_name(name)} for name in LIBRARY_EVENT_TYPES],
        check_url=url_for("console.check_new_template"),
        back_url=url_if_served("console.templates"),
        **_helpers(str(form.get("channel") or "")),
    )
    return html, status


def render_check(check: DraftCheck, language: str, channel: str) -> str:
    """The live check's partial: the summary line, and the details out of band."""
    return render_template(
        "console/editor/_check.html",
        check=check,
        language=language,
        **_helpers(channel),
    )


def invalid_errors(messages: Mapping[str, Any]) -> FormErrors:
    """A form schema's messages as lists of messages per field id."""
    errors: FormErrors = {}
    for field, found in messages.items():
        listed = found if isinstance(found, list) else [found]
        errors.setdefault(FIELD_IDS.get(field, field), []).extend(str(m) for m in listed)
    return errors


def service_errors(failed: FieldappError, check: DraftCheck | None) -> FormErrors:
    """A service's refusal as form errors; wording problems told by line, from the check."""
    errors = invalid_errors(failed.errors or {})
    about_wording = "wording" in errors or not errors
    if isinstance(failed, ValidationFailed) and check and check.errors and about_wording:
        errors.pop("wording", None)
        for finding in check.errors:
            if finding.part == "subject":
                errors.setdefault("subject", []).append(finding.message)
            else:
                errors.setdefault("wording", []).append(label(finding))
    return errors or {"wording": [failed.detail]}
