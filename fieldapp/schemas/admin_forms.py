"""The admin console's forms: the API's own schemas, plus what a form adds or words otherwise.

Each form subclasses the API schema for the same action, so the console accepts exactly what
the API accepts. A form leaves empty fields out, so a missing required field is the one error
people see: its message says what to enter, as the GOV.UK Design System asks. ``Meta.fields``
lists fields in page order, which is the order of the Error summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import Schema, fields, validate

from fieldapp.schemas.api_keys import ApiKeyCreateSchema
from fieldapp.schemas.users import TeamSchema, UserCreateSchema, UserUpdateSchema


class FormSchema(Schema):
    """A schema whose missing required fields are named by ``required_messages``."""

    required_messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, **kwargs: Any) -> None:
        """Word each required field's error; fields are per-instance copies, safe to change."""
        super().__init__(**kwargs)
        for name, message in self.required_messages.items():
            field = self.fields[name]
            field.error_messages = {**field.error_messages, "required": message}


class NewUserForm(FormSchema, UserCreateSchema):
    """The "Create user" form: the API's create, the team chosen by name."""

    class Meta:
        """Page order."""

        fields = (
            "username",
            "display_name",
            "role",
            "team",
            "password",
            "rank",
            "collar_number",
            "phone",
        )

    required_messages = {
        "username": "Enter a username",
        "display_name": "Enter a display name",
        "role": "Select a role",
        "team": "Select a team",
        "password": "Enter a password",
    }


class UserChangeForm(FormSchema, UserUpdateSchema):
    """One change on a user's page, with the version of the account the page showed."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))

    required_messages = {"version": "Reload the page and try again"}


class TeamForm(FormSchema, TeamSchema):
    """The "Create a team" form."""

    required_messages = {"name": "Enter a team name"}


class NewApiKeyForm(FormSchema, ApiKeyCreateSchema):
    """The "Create API key" form: the API's create, naming the user by username, not id."""

    class Meta:
        """Page order; the username stands for the API's ``user_id``."""

        fields = ("name", "username", "scopes", "rate_limit", "expires_at")

    username = fields.String(required=True, validate=validate.Length(max=256))

    required_messages = {
        "name": "Enter a name for the key",
        "username": "Enter the username of the user the key acts for",
        "scopes": "Select at least one scope",
    }
