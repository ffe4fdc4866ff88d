"""The template editor's forms: what a supervisor typed, parsed into what the services take.

Browsers send a textarea's lines as CRLF; the wording is kept with LF, as the API stores it, so
that an unchanged text is seen as unchanged. Metadata of a new template is checked by the API's
own schema (``TemplateCreateSchema``), so the console and the API accept exactly the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import CHANNELS, LIBRARY_EVENT_TYPES
from fieldapp.schemas.templates import TemplateCreateSchema
from fieldapp.services.templates.editing import PreviewTarget

ACTIONS = ("save", "submit", "check")
# The form's field for each of the API's, where they differ (an easy-read format follows
# from the key's ending, so its error shows on the key).
FORM_NAMES = {"body": "wording", "lint": "wording", "format": "key"}


class PreviewChoice(fields.String):
    """A "case id/victim id" choice from the preview list, or "" for the sample data."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        """A ``PreviewTarget``, or None for the sample data."""
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        case_id, _, victim_id = text.partition("/")
        try:
            return PreviewTarget(uuid.UUID(case_id), uuid.UUID(victim_id))
        except ValueError as exc:
            raise ValidationError(
                "Choose the sample data, or a case and victim from the list."
            ) from exc


def _lines(text: Any) -> Any:
    """Text with the browser's CRLF (or lone CR) line ends as LF."""
    return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")


class WordingForm(Schema):
    """The wording and what to do with it: check it, save it as a draft, or submit it."""

    class Meta:
        """The CSRF token (and a new template's fields) travel with the form: not refused."""

        unknown = EXCLUDE

    wording = fields.String(load_default="")
    subject = fields.String(load_default=None)
    change_note = fields.String(
        load_default="",
        validate=validate.Length(max=500, error="The change note must be 500 characters or fewer."),
    )
    preview = PreviewChoice(load_default=None)
    action = fields.String(
        load_default="check", validate=validate.OneOf(ACTIONS, error="Choose what to do.")
    )

    @validates_schema
    def require_wording_to_keep(self, data: Mapping[str, Any], **_kwargs: Any) -> None:
        """A wording may be checked empty, but not saved or submitted."""
        if data.get("action") in ("save", "submit") and not str(data.get("wording", "")).strip():
            raise ValidationError("Enter the wording.", "wording")

    @post_load
    def tidy(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """LF line ends; an empty subject is no subject."""
        subject = _lines(data["subject"]) or ""
        data["wording"] = _lines(data["wording"])
        data["subject"] = subject.strip() or None
        return data


class NewTemplateForm(WordingForm):
    """A new template: what it is for, and the wording of its first version."""

    name = fields.String(load_default="")
    key = fields.String(load_default="")
    event_type = fields.String(load_default="")
    channel = fields.String(load_default="")
    language = fields.String(load_default="en")
    description = fields.String(load_default="")

    @validates_schema
    def require_metadata(self, data: Mapping[str, Any], **_kwargs: Any) -> None:
        """What a new template needs, asked for as GOV.UK forms ask."""
        errors: dict[str, str] = {}
        if data.get("event_type") not in LIBRARY_EVENT_TYPES:
            errors["event_type"] = "Choose the event the message is about."
        if data.get("channel") not in CHANNELS:
            errors["channel"] = "Choose a channel."
        if data.get("language") not in TEMPLATE_LANGUAGES:
            errors["language"] = "Choose a language."
        if data.get("action") in ("save", "submit"):
            if not str(data.get("name", "")).strip():
                errors["name"] = "Enter a name."
            if not str(data.get("key", "")).strip():
                errors["key"] = "Enter a key."
        if errors:
            raise ValidationError(dict(errors))


def raw_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """A form that failed its schema, as typed, to show again (the sample data to preview)."""
    raw: dict[str, Any] = {name: str(v) for name, v in form.items() if name != "csrf_token"}
    raw["wording"] = _lines(raw.get("wording", ""))
    raw["preview"] = None
    return raw


def create_data(form: Mapping[str, Any]) -> dict[str, Any]:
    """A new template as the API creates it, checked by the API's schema (errors by form name)."""
    raw = {
        "key": form["key"].strip(),
        "name": form["name"].strip(),
        "event_type": form["event_type"],
        "channel": form["channel"],
        "language": form["language"],
        "description": form["description"].strip(),
        "body": form["wording"],
        "change_note": form["change_note"],
    }
    if form["channel"] == "email" and form["subject"] is not None:
        raw["subject"] = form["subject"]
    try:
        loaded: dict[str, Any] = TemplateCreateSchema().load(raw)
    except ValidationError as exc:
        messages = exc.messages_dict
        raise ValidationError(
            {FORM_NAMES.get(name, name): _first(message) for name, message in messages.items()}
        ) from exc
    return loaded


def version_data(form: Mapping[str, Any], channel: str) -> dict[str, Any]:
    """A new version as the API saves it (a subject only for emails)."""
    data = {"body": form["wording"], "change_note": form["change_note"]}
    if channel == "email":
        data["subject"] = form["subject"]
    return data


def _first(message: Any) -> str:
    """The first message of a marshmallow error entry."""
    if isinstance(message, list) and message:
        return str(message[0])
    if isinstance(message, dict) and message:
        return _first(next(iter(message.values())))
    return str(message)
