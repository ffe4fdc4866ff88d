"""The console's own forms (the rest reuse the API's schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SignInFormSchema(Schema):
    """The "Sign in" form."""

    username = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        error_messages={"required": "Enter your username"},
    )
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        error_messages={"required": "Enter your password"},
    )
