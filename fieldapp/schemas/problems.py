"""The one error shape: RFC 9457 problem details with fieldapp's extension members.

Documentation only (errors are rendered by ``fieldapp.web.problems``): every extension member
the server sends is named here, and the object stays open (``additionalProperties``), as RFC
9457 asks of clients, so that a member added later does not break a strict client.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from fieldapp.core.scopes import SCOPES


class TemplateProblemSchema(Schema):
    """One reason a template cannot be saved, with the line it is on."""

    code = fields.String(
        required=True, metadata={"description": "The lint rule's code.", "example": "unknown_field"}
    )
    message = fields.String(
        required=True,
        metadata={
            "description": "What is wrong, for the author.",
            "example": "body: 'victim.nickname' is not a merge field.",
        },
    )
    line = fields.Integer(
        metadata={"description": "The line of the template it is on, when known.", "example": 3}
    )


class ProblemSchema(Schema):
    """An error: what went wrong, a stable code, per-field messages and a trace id."""

    class Meta:
        """Open to members added later (RFC 9457 section 3.2)."""

        unknown = INCLUDE

    type = fields.String(
        required=True,
        metadata={
            "description": "A URI naming the kind of problem: urn:fieldapp:problem:<code>.",
            "example": "urn:fieldapp:problem:validation_failed",
        },
    )
    title = fields.String(
        required=True,
        metadata={
            "description": "A short summary of the kind of problem.",
            "example": "Validation failed",
        },
    )
    status = fields.Integer(
        required=True, metadata={"description": "The HTTP status code.", "example": 422}
    )
    detail = fields.String(
        required=True,
        metadata={
            "description": "What went wrong, for a person to read.",
            "example": "Some fields are not valid.",
        },
    )
    code = fields.String(
        required=True,
        metadata={
            "description": "A stable machine-readable error code.",
            "example": "validation_failed",
        },
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "For validation failures: field name to messages.",
            "example": {"crime_reference": ["Missing data for required field."]},
        },
    )
    trace_id = fields.String(
        required=True,
        metadata={
            "description": "The request id (X-Request-ID), to quote to support.",
            "example": "4f1c2b0e9d8a4c7b9e6f5a4b3c2d1e0f",
        },
    )
    current_version = fields.Integer(
        metadata={
            "description": "On a stale If-Match (412): the version now stored.",
            "example": 4,
        }
    )
    required_scope = fields.String(
        validate=validate.OneOf(tuple(SCOPES)),
        metadata={"description": "On insufficient_scope (403): the scope the API key lacks."},
    )
    problems = fields.List(
        fields.Nested(TemplateProblemSchema),
        metadata={
            "description": "On a template that cannot be saved (422): each problem with its line."
        },
    )
    missing_items = fields.List(
        fields.String(),
        metadata={
            "description": (
                "On missing_information (422): the items of information the duty requires "
                "that the message does not give."
            ),
            "example": ["support_information"],
        },
    )
    void_reason = fields.String(
        metadata={
            "description": "On recipient_changed (409): why the message is void.",
            "example": "'sms' is no longer a safe channel for this person",
        }
    )
