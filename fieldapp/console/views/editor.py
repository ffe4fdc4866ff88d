"""The template editor: write a wording, see its problems and preview as you type, save, submit.

Supervisors only, as in the API (admins administer accounts; they do not curate wording).
Every action is a plain form post that works without JavaScript; htmx only adds the live check
(``check_template``), which answers a partial with 200 even when the wording has problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from fieldapp.api.context import audit_context, current_principal
from fieldapp.console import editor_page
from fieldapp.console.blueprint import bp
from fieldapp.console.editor_forms import (
    NewTemplateForm,
    WordingForm,
    create_data,
    raw_form,
    version_data,
)
from fieldapp.console.notices import notify
from fieldapp.core.roles import SUPERVISOR
from fieldapp.core.templating.check import Wording
from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import CHANNELS
from fieldapp.database import get_session
from fieldapp.errors import Conflict, FieldappError, ValidationFailed
from fieldapp.models import MessageTemplate
from fieldapp.services.templates import editing, versions
from fieldapp.web.access import allow

wording_form = WordingForm()
new_template_form = NewTemplateForm()
KEY_PATH = "/templates/<string(maxlength=80):key>"
#: A new template's form before anything is typed.
NEW_TEMPLATE_START: dict[str, Any] = {
    **dict.fromkeys(("name", "key", "event_type", "channel", "description", "wording"), ""),
    "language": "en",
    "subject": None,
    "change_note": "",
    "preview": None,
}


def _check(wording: Wording, event_type: str, form: Mapping[str, Any]) -> editing.DraftCheck:
    """The editor's check of a wording, merged with the sample data or the chosen case."""
    return editing.check_draft(
        get_session(),
        audit_context(),
        wording=wording,
        event_type=event_type,
        target=form.get("preview"),
        force=current_app.config["FORCE"],
        pence_per_text=current_app.config["SMS_FRAGMENT_PENCE"],
    )


def _wording(form: Mapping[str, Any], channel: str, language: str) -> Wording:
    """The wording in a form, for a channel and language (a subject only for emails)."""
    subject = form.get("subject") if channel == "email" else None
    return Wording(channel, language, form.get("wording") or "", subject)


def _edit_page(
    template: MessageTemplate,
    form: Mapping[str, Any],
    *,
    errors: editor_page.FormErrors | None = None,
    failed: FieldappError | None = None,
) -> ResponseReturnValue:
    """The edit page for a form, with its check, the cases to preview with, and any errors."""
    session = get_session()
    check = _check(_wording(form, template.channel, template.language), template.event_type, form)
    if failed is not None:
        errors = editor_page.service_errors(failed, check)
    return editor_page.render_edit(
        template=template,
        latest=versions.find_version(session, template, template.latest_number),
        form=form,
        check=check,
        choices=editing.preview_choices(session, audit_context()),
        errors=errors,
        status=_status(errors, failed),
    )


def _status(errors: editor_page.FormErrors | None, failed: FieldappError | None) -> int:
    """200 for a page without errors, else the refusal's status (422 for a form's own)."""
    if failed is not None:
        return failed.status_code
    return 422 if errors else 200


@bp.route(KEY_PATH + "/edit", methods=["GET", "POST"])
@allow(SUPERVISOR)
def edit_template(key: str) -> ResponseReturnValue:
    """Edit a template's wording: check it, save it as a draft, or submit it for review."""
    template = versions.get_template(get_session(), current_principal(), key)
    if request.method == "GET":
        latest = versions.find_version(get_session(), template, template.latest_number)
        form = {"wording": latest.body, "subject": latest.subject, "change_note": ""}
        return _edit_page(template, form)
    try:
        form = wording_form.load(request.form)
    except ValidationError as invalid:
        return _edit_page(template, raw_form(request.form), errors=invalid_errors(invalid))
    if form["action"] == "check":
        return _edit_page(template, form)
    try:
        saved = _keep(template.key, form, version_data(form, template.channel))
    except (ValidationFailed, Conflict) as failed:
        return _edit_page(template, form, failed=failed)
    if form["action"] == "submit":
        notify(f"Version {saved.version.number} is waiting for another supervisor's review.")
        page = editor_page.url_if_served("console.template", key=template.key)
        return redirect(page or url_for("console.edit_template", key=template.key), 303)
    notify(
        f"Draft saved as version {saved.version.number}." if saved.created else "Nothing changed."
    )
    return redirect(url_for("console.edit_template", key=template.key), 303)


def _keep(key: str, form: Mapping[str, Any], data: Mapping[str, Any]) -> versions.SavedVersion:
    """Save the wording as a draft, or save it and submit it for review (one transaction)."""
    keep = editing.save_and_submit if form["action"] == "submit" else editing.save_draft
    return keep(get_session(), audit_context(), key=key, data=data)


def invalid_errors(invalid: ValidationError) -> editor_page.FormErrors:
    """A form's schema errors by field id."""
    return editor_page.invalid_errors(invalid.messages_dict)


@bp.post(KEY_PATH + "/check")
@allow(SUPERVISOR)
def check_template(key: str) -> ResponseReturnValue:
    """The live check as the supervisor types: one summary line, the problems and the preview."""
    template = versions.get_template(get_session(), current_principal(), key)
    return _partial(template.event_type, template.channel, template.language)


@bp.post("/templates/new/check")
@allow(SUPERVISOR)
def check_new_template() -> ResponseReturnValue:
    """The live check of a new template's wording, for the channel and language chosen so far."""
    channel, language = request.form.get("channel", ""), request.form.get("language", "")
    return _partial(
        request.form.get("event_type", ""),
        channel if channel in CHANNELS else "sms",
        language if language in TEMPLATE_LANGUAGES else "en",
    )


def _partial(event_type: str, channel: str, language: str) -> ResponseReturnValue:
    """The check's partial; 200 even with problems (htmx swaps only a success)."""
    try:
        form = wording_form.load({**request.form.to_dict(), "action": "check"})
    except ValidationError as invalid:
        return "; ".join(m for ms in invalid_errors(invalid).values() for m in ms), 422
    check = _check(_wording(form, channel, language), event_type, form)
    return editor_page.render_check(check, language, channel)


def _new_page(
    form: Mapping[str, Any],
    *,
    errors: editor_page.FormErrors | None = None,
    failed: FieldappError | None = None,
) -> ResponseReturnValue:
    """The new template page for a form, with its check (once there is wording to check)."""
    channel, language = str(form.get("channel") or "sms"), str(form.get("language") or "en")
    check = None
    if form.get("wording"):
        check = _check(_wording(form, channel, language), str(form.get("event_type") or ""), form)
    if failed is not None:
        errors = editor_page.service_errors(failed, check)
    return editor_page.render_new(
        form=form,
        check=check,
        choices=editing.preview_choices(get_session(), audit_context()),
        errors=errors,
        status=_status(errors, failed),
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@allow(SUPERVISOR)
def new_template() -> ResponseReturnValue:
    """Create a template with the wording of its first version, as a draft or for review."""
    if request.method == "GET":
        return _new_page(NEW_TEMPLATE_START)
    try:
        form = new_template_form.load(request.form)
        data = create_data(form) if form["action"] != "check" else {}
    except ValidationError as invalid:
        return _new_page(raw_form(request.form), errors=invalid_errors(invalid))
    if form["action"] == "check":
        return _new_page(form)
    submit = form["action"] == "submit"
    try:
        saved = editing.create_draft(get_session(), audit_context(), data=data, submit=submit)
    except (ValidationFailed, Conflict) as failed:
        return _new_page(form, failed=failed)
    notify(f"Template created: version 1 is {saved.version.status}.")
    return redirect(url_for("console.edit_template", key=saved.template.key), 303)
