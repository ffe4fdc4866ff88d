"""The description of ``details`` in the OpenAPI document, written from the schemas themselves.

Generated rather than typed out, so that it cannot drift from what the API accepts.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fieldapp.core.templating.wording import condition_rules
from fieldapp.schemas.events.details import DETAILS_BY_TYPE
from fieldapp.schemas.events.parts import BailCondition

_KINDS: dict[type[fields.Field[Any]], str] = {
    fields.DateTime: "date-time",
    fields.Date: "date",
    fields.Boolean: "true|false",
}


def describe_field(name: str, field: fields.Field[Any]) -> str:
    """One field: its name, * when required, and its closed list or kind."""
    label = f"{name}*" if field.required else name
    if isinstance(field, fields.List):
        inner = field.inner
        if isinstance(inner, fields.Nested):
            return f"{label} [condition]"
        return f"{label} [{_kind(inner) or 'text'}]"
    kind = _kind(field)
    return f"{label} ({kind})" if kind else label


def _kind(field: fields.Field[Any]) -> str | None:
    """A closed list as 'a|b|c', or the kind of a date, time or flag."""
    for check in field.validators:
        if isinstance(check, validate.OneOf):
            return "|".join(str(choice) for choice in check.choices)
        if isinstance(check, validate.Regexp):
            return "HH:MM"
    for kind, word in _KINDS.items():
        if isinstance(field, kind):
            return word
    return None


def describe_schema(schema: type[Schema]) -> str:
    """Every field of a details schema, comma-separated."""
    return ", ".join(describe_field(name, field) for name, field in schema().fields.items())


def details_doc() -> str:
    """The whole description: each group of event types with its fields, then conditions."""
    groups: dict[type[Schema], list[str]] = {}
    for event_type, schema in DETAILS_BY_TYPE.items():
        groups.setdefault(schema, []).append(event_type)
    lines = [f"{', '.join(types)}: {describe_schema(schema)}." for schema, types in groups.items()]
    required = "; ".join(
        f"{kind} needs {', '.join(rule['required'])}"
        for kind, rule in condition_rules().items()
        if rule["required"]
    )
    return (
        "Flat JSON depending on type; * marks a required field; unknown fields are refused. "
        + " ".join(lines)
        + f" A condition is {{{describe_schema(BailCondition)}}} ({required}); the old "
        "{text, protects_victim} is read as type other. With reason codes, the code other "
        "needs reasons (free text); a decision needs reason_codes, reasons or both."
        " charged: conditions only with remand_status bail_with_conditions. received_at"
        " defaults to occurred_at; received_at, hearing_at and decision_due_at cannot be"
        " before occurred_at."
    )


DETAILS_DOC = details_doc()
