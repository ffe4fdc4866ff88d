"""Message templates, their versions, review steps, diffs, previews, lint and merge fields."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import (
    CHANNELS,
    EASY_READ_SUFFIX,
    LIBRARY_EVENT_TYPES,
    TEMPLATE_FORMATS,
)
from fieldapp.models.template import TEMPLATE_STATUSES, VERSION_STATUSES
from fieldapp.schemas.base import ApiSchema, UtcDateTime
from fieldapp.schemas.paging import PageQuerySchema

MAX_VERSION = 1_000_000  # far beyond any real template; keeps numbers inside a 32-bit column
KEY = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{1,79}$",
    error="Use 2 to 80 lower-case letters, digits, '-' or '_', e.g. 'arrested-sms-en'.",
)
BUILT_IN_AUTHOR = "fieldapp built-in library"
NEXT_LINK_DOC = "Absolute URL of the next page; absent on the last page."
BODY = validate.Length(min=1, max=50_000)
#: Template wording the OpenAPI document shows as examples (both pass lint).
EXAMPLE_BODY = (
    "Hello {{ victim.first_name }}, this is {{ officer.name }} from {{ force.name }}. "
    "We have arrested someone in connection with crime {{ case.crime_reference }}. "
    "Call me on {{ officer.contact_phone }}."
)
EXAMPLE_LINT_BODY = (
    "Hello {{ victim.first_name }}, we have arrested someone in connection with crime "
    "{{ case.crime_reference }}."
)
SUBJECT_DOC = "Email only (required there); a template like the body, on one line."


class LintIssueSchema(ApiSchema):
    """One lint finding."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    line = fields.Integer(metadata={"description": "Line of the merged text; absent if none."})


class SmsCountSchema(ApiSchema):
    """How a text message will be sent and charged."""

    encoding = fields.String(required=True, metadata={"description": "'GSM-7' or 'UCS-2'."})
    characters = fields.Integer(required=True)
    fragments = fields.Integer(required=True)
    replaced = fields.List(
        fields.String(), required=True, metadata={"description": "Characters sent differently."}
    )


class LintSchema(ApiSchema):
    """Lint of a merged message: errors block submission, warnings do not."""

    ok = fields.Boolean(required=True, metadata={"description": "True when there are no errors."})
    errors = fields.List(fields.Nested(LintIssueSchema), required=True)
    warnings = fields.List(fields.Nested(LintIssueSchema), required=True)
    sms = fields.Nested(SmsCountSchema, metadata={"description": "SMS only."})
    reading_ease = fields.Float(
        metadata={"description": "Flesch reading ease (English only); below 60 warns."}
    )


class VersionSchema(ApiSchema):
    """One immutable wording of a template, with who did each review step and when."""

    template_key = fields.String(required=True, attribute="template.key")
    number = fields.Integer(required=True, attribute="version.number")
    status = fields.String(
        required=True, attribute="version.status", validate=validate.OneOf(VERSION_STATUSES)
    )
    subject = fields.String(attribute="version.subject", metadata={"description": SUBJECT_DOC})
    body = fields.String(required=True, attribute="version.body")
    change_note = fields.String(required=True, attribute="version.change_note")
    fields_used = fields.List(
        fields.String(),
        required=True,
        attribute="version.fields",
        data_key="fields",
        metadata={"description": "The merge fields the wording uses."},
    )
    restored_from = fields.Integer(
        attribute="version.restored_from",
        metadata={"description": "The version whose text it restores."},
    )
    created_at = UtcDateTime(required=True, attribute="version.created_at")
    author_id = fields.UUID(
        attribute="version.created_by_id",
        metadata={"description": "Absent for the built-in library."},
    )
    author_name = fields.Function(
        lambda saved: (
            saved.version.author.display_name if saved.version.author else BUILT_IN_AUTHOR
        ),
        required=True,
        metadata={"type": "string"},
    )
    submitted_at = UtcDateTime(attribute="version.submitted_at")
    submitted_by_id = fields.UUID(attribute="version.submitted_by_id")
    reviewed_at = UtcDateTime(
        attribute="version.reviewed_at",
        metadata={"description": "When it was approved or rejected."},
    )
    reviewed_by_id = fields.UUID(attribute="version.reviewed_by_id")
    reviewed_by_name = fields.String(attribute="version.reviewer.display_name")
    rejection_reason = fields.String(attribute="version.rejection_reason")
    superseded_at = UtcDateTime(attribute="version.superseded_at")
    lint = fields.Nested(
        LintSchema,
        attribute="checked.lint",
        metadata={"description": "The lint of the sample-merged text; on save and submit only."},
    )


class VersionListSchema(ApiSchema):
    """A template's versions, newest first."""

    value = fields.List(fields.Nested(VersionSchema), required=True)


class TemplateSchema(ApiSchema):
    """A message template; its wording is in its versions."""

    key = fields.String(required=True)
    family = fields.String(required=True, metadata={"description": "Shared by its variants."})
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(required=True, validate=validate.OneOf(TEMPLATE_LANGUAGES))
    event_type = fields.String(required=True, validate=validate.OneOf(LIBRARY_EVENT_TYPES))
    contentless = fields.Boolean(
        required=True, metadata={"description": "For victims who must get contentless contact."}
    )
    format = fields.String(
        required=True,
        validate=validate.OneOf(TEMPLATE_FORMATS),
        metadata={"description": "standard, easy_read (key ends -easy-read) or large_print."},
    )
    name = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(TEMPLATE_STATUSES))
    published_version = fields.Integer(
        attribute="published_number", metadata={"description": "Absent until one is approved."}
    )
    latest_version = fields.Integer(
        attribute="latest_number", metadata={"description": "Supervisors only."}
    )
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    retired_at = UtcDateTime()
    retire_reason = fields.String()


class TemplateCreatedSchema(VersionSchema):
    """A new template's first version (a draft) with its lint, and the template."""

    template = fields.Nested(TemplateSchema, required=True)


class TemplatePageSchema(ApiSchema):
    """One page of templates, in key order."""

    value = fields.List(fields.Nested(TemplateSchema), required=True)
    nextLink = fields.String(metadata={"description": NEXT_LINK_DOC})  # noqa: N815


#: The query parameters the message picker fills from the message being written.
PICKER_IDS = ("victim_id", "duty_id")


class TemplateQuerySchema(PageQuerySchema):
    """Filters for the template list (officers see active, published templates only)."""

    channel = fields.String(validate=validate.OneOf(CHANNELS))
    language = fields.String(validate=validate.OneOf(TEMPLATE_LANGUAGES))
    event_type = fields.String(validate=validate.OneOf(LIBRARY_EVENT_TYPES))
    family = fields.String(validate=validate.Length(max=80))
    status = fields.String(validate=validate.OneOf(TEMPLATE_STATUSES))
    victim_id = fields.UUID(
        metadata={
            "description": (
                "Only templates a message to this person takes as they are: a safe channel "
                "their format allows, their language, contentless if they need it, and a format "
                "that serves their needs. Needs the victims:read scope with an API key."
            )
        }
    )
    duty_id = fields.UUID(
        metadata={
            "description": (
                "Only templates that tell this duty's news (its event type), and that fit the "
                "duty's person as victim_id does. Needs the duties:read scope with an API key."
            )
        }
    )

    @pre_load
    def drop_empty_ids(self, data: Any, **_kwargs: Any) -> Any:
        """A drop-down with no victim or duty chosen yet sends them empty: as if left out."""
        if not any(data.get(name) == "" for name in PICKER_IDS):
            return data
        return {key: data[key] for key in data if not (key in PICKER_IDS and data[key] == "")}


class TemplateCreateSchema(ApiSchema):
    """A new template and the wording of its first version."""

    key = fields.String(required=True, validate=KEY, metadata={"example": "arrested-sms-en-local"})
    family = fields.String(validate=KEY, metadata={"description": "Defaults to the event type."})
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(required=True, validate=validate.OneOf(TEMPLATE_LANGUAGES))
    event_type = fields.String(
        required=True,
        validate=validate.OneOf(LIBRARY_EVENT_TYPES),
        metadata={"example": "arrested"},
    )
    contentless = fields.Boolean(load_default=False)
    format = fields.String(
        load_default="standard",
        validate=validate.OneOf(TEMPLATE_FORMATS),
        metadata={"description": "easy_read for an easy-read variant (key ends -easy-read)."},
    )
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={"example": "Suspect arrested (text)"},
    )
    description = fields.String(load_default="", validate=validate.Length(max=500))
    subject = fields.String(
        validate=validate.Length(min=1, max=500), metadata={"description": SUBJECT_DOC}
    )
    body = fields.String(
        required=True,
        validate=BODY,
        metadata={"example": EXAMPLE_BODY},
    )
    change_note = fields.String(
        load_default="", validate=validate.Length(max=500), metadata={"example": "First draft."}
    )

    @validates_schema
    def check_easy_read_key(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """An easy-read variant, and only one, has a key ending ``-easy-read``."""
        key = str(data.get("key", ""))
        if (data.get("format") == "easy_read") != key.endswith(EASY_READ_SUFFIX):
            raise ValidationError(
                f"An easy-read template (format easy_read), and only one, has a key ending "
                f"'{EASY_READ_SUFFIX}'.",
                "format",
            )


class VersionCreateSchema(ApiSchema):
    """A new draft: a new wording, or ``restore_from`` an old version's text."""

    subject = fields.String(
        validate=validate.Length(min=1, max=500), metadata={"description": SUBJECT_DOC}
    )
    body = fields.String(validate=BODY)
    restore_from = fields.Integer(
        validate=validate.Range(min=1, max=MAX_VERSION),
        metadata={"description": "Copy this version's text."},
    )
    change_note = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"example": "Plainer words in the second sentence."},
    )


class RejectSchema(ApiSchema):
    """Why a version is sent back."""

    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"example": "Say which police station the suspect is held at."},
    )


class RetireSchema(ApiSchema):
    """Why a template is withdrawn."""

    reason = fields.String(
        validate=validate.Length(max=500), metadata={"example": "Replaced by arrested-sms-en."}
    )


class DiffQuerySchema(ApiSchema):
    """The version to compare against."""

    against = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_VERSION))


class DiffSchema(ApiSchema):
    """A unified diff of subject and body."""

    template_key = fields.String(required=True)
    number = fields.Integer(required=True)
    against = fields.Integer(required=True)
    changed = fields.Boolean(required=True)
    diff = fields.String(required=True, metadata={"description": "Unified diff text."})


class PreviewRequestSchema(ApiSchema):
    """What to preview: a version (default: published, or latest for supervisors) and data."""

    version = fields.Integer(validate=validate.Range(min=1, max=MAX_VERSION))
    case_id = fields.UUID(metadata={"description": "With victim_id: merge a real case."})
    victim_id = fields.UUID()
    event_id = fields.UUID(
        metadata={"description": "Default: the case's latest event of the template's type."}
    )


class PreviewSchema(ApiSchema):
    """A merged message and its lint."""

    template_key = fields.String(required=True)
    version = fields.Integer(required=True)
    channel = fields.String(required=True)
    language = fields.String(required=True)
    subject = fields.String()
    body = fields.String(required=True)
    html = fields.String(metadata={"description": "Email only: the body as escaped HTML."})
    sample = fields.Boolean(required=True, metadata={"description": "Merged with sample data."})
    lint = fields.Nested(LintSchema, required=True)


class LintRequestSchema(ApiSchema):
    """A wording to lint before saving it."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(load_default="en", validate=validate.OneOf(TEMPLATE_LANGUAGES))
    subject = fields.String(validate=validate.Length(min=1, max=500))
    body = fields.String(
        required=True,
        validate=BODY,
        metadata={"example": EXAMPLE_LINT_BODY},
    )


class LintResultSchema(LintSchema):
    """Lint of a wording merged with the sample data; refusals are listed as errors."""

    fields_used = fields.List(fields.String(), required=True, data_key="fields")
    subject = fields.String(metadata={"description": "The sample-merged subject."})
    body = fields.String(metadata={"description": "The sample-merged body; absent if refused."})


class MergeFieldSchema(ApiSchema):
    """One field templates may use."""

    name = fields.String(required=True, metadata={"description": "e.g. 'victim.first_name'."})
    type = fields.String(required=True, metadata={"description": "'string' or 'list'."})
    description = fields.String(required=True)
    example = fields.Raw(required=True, metadata={"description": "From the sample data."})
    sms = fields.String(
        required=True, metadata={"description": "'allowed', 'caution' or 'forbidden' in SMS."}
    )


class MergeFieldListSchema(ApiSchema):
    """The merge-field catalogue."""

    version = fields.String(required=True)
    value = fields.List(fields.Nested(MergeFieldSchema), required=True)
