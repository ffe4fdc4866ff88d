"""HTML forms read with the API's marshmallow schemas; errors as GOV.UK pages show them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from fieldapp.errors import ValidationFailed

#: Form fields that are never data: the CSRF token and the button pressed.
CONTROL_FIELDS = frozenset({"csrf_token", "action"})


class FormInvalid(ValidationFailed):
    """A form that breaks its schema; ``fields`` maps each field to its first message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__(errors={name: [message] for name, message in fields.items()})
        self.fields = dict(fields)


def form_data(form: MultiDict[str, str], *, lists: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A form as a dict: empty fields left out, ``lists`` fields as lists (checkboxes)."""
    data: dict[str, Any] = {}
    for name in form:
        if name in CONTROL_FIELDS:
            continue
        if name in lists:
            data[name] = [value for value in form.getlist(name) if value != ""]
        elif (value := form.get(name, "").strip()) != "":
            data[name] = value
    return data


def parse_form(
    schema: Schema, form: MultiDict[str, str], *, lists: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Load a form through a schema, or raise :class:`FormInvalid` naming each bad field."""
    try:
        loaded: dict[str, Any] = schema.load(form_data(form, lists=lists))
    except SchemaError as exc:
        raise FormInvalid(first_messages(exc.normalized_messages())) from exc  # type: ignore[no-untyped-call]
    return loaded


def first_messages(messages: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """The first message for each field, nested fields named ``parent.child``."""
    out: dict[str, str] = {}
    for name, value in messages.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.update(first_messages(value, prefix=f"{key}."))
        elif isinstance(value, list) and value:
            first = value[0]
            if isinstance(first, Mapping):
                out[key] = next(iter(first_messages(first).values()), "")
            else:
                out[key] = str(first)
        else:
            out[key] = str(value)
    return out


def form_errors(exc: ValidationFailed) -> dict[str, str]:
    """A service's 422 as one message per field (the page shows them in an Error summary)."""
    if isinstance(exc, FormInvalid):
        return exc.fields
    if not exc.errors:
        return {"": exc.detail}
    return first_messages(exc.errors)
