"""The console's template-curation forms: the templates filter, diffs, rejecting and retiring.

Messages are written for people reading a GOV.UK error summary, not for API clients.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import CHANNELS, LIBRARY_EVENT_TYPES
from fieldapp.models.template import TEMPLATE_STATUSES

MAX_VERSION = 1_000_000
MAX_PAGE = 10_000
REASON_REQUIRED = "Enter why you are rejecting this version"


class TemplateFilterSchema(Schema):
    """The templates list's filters (a GET form) and its page number."""

    event_type = fields.String(validate=validate.OneOf(LIBRARY_EVENT_TYPES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    language = fields.String(validate=validate.OneOf(TEMPLATE_LANGUAGES))
    status = fields.String(validate=validate.OneOf(TEMPLATE_STATUSES))
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        error_messages={"invalid": "Page must be a number"},
    )


class DiffQuerySchema(Schema):
    """Which two versions to compare: ``from`` the old one ``to`` the new one."""

    old = fields.Integer(
        data_key="from",
        required=True,
        validate=validate.Range(min=1, max=MAX_VERSION),
        error_messages={"required": "Choose the version to compare from"},
    )
    new = fields.Integer(
        data_key="to",
        required=True,
        validate=validate.Range(min=1, max=MAX_VERSION),
        error_messages={"required": "Choose the version to compare to"},
    )


class RejectFormSchema(Schema):
    """Why a version is sent back (the same limits as the API's)."""

    reason = fields.String(
        required=True,
        validate=validate.Length(
            min=3, max=500, error="Enter a reason between {min} and {max} characters long"
        ),
        error_messages={"required": REASON_REQUIRED},
    )


class RetireFormSchema(Schema):
    """Retiring a template: an optional reason, and the confirmation the second step sends."""

    reason = fields.String(
        validate=validate.Length(max=500, error="Enter a reason of {max} characters or fewer")
    )
    confirm = fields.Boolean(load_default=False)
