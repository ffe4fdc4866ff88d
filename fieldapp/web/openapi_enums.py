"""Named enums in the OpenAPI document: one component per closed list, referenced where used.

A field validated by ``OneOf(<list>)`` names its list in the document as a component (e.g.
``EventType``) instead of repeating the values inline, so that a generated client has one
shared enum class. The values are the very tuples the schemas validate with, imported here; a
field is matched to its component by its values, so a schema keeps its ordinary ``OneOf``.
In OpenAPI 3.0 a ``$ref`` cannot carry siblings: a field with its own description, default or
``nullable`` refers to its enum through a one-entry ``allOf``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import marshmallow
from apispec import APISpec
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import validate

from fieldapp.core.roles import ROLES
from fieldapp.core.scopes import SCOPES
from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import CHANNELS, LIBRARY_EVENT_TYPES, TEMPLATE_FORMATS
from fieldapp.core.victims_code import EVENT_TYPES, contact_times, recipients
from fieldapp.models.contact import CONTACT_METHODS, CONTACT_OUTCOMES
from fieldapp.models.message import MESSAGE_STATUSES
from fieldapp.models.template import TEMPLATE_STATUSES, VERSION_STATUSES
from fieldapp.schemas.cases import CASE_STATUSES
from fieldapp.schemas.duties import DUTY_STATUSES
from fieldapp.schemas.paging import LIST_SCOPES
from fieldapp.schemas.victims import (
    ACCESSIBLE_FORMATS,
    ENHANCED_BASES,
    LANGUAGE_PREFERENCES,
    OPT_OUT_METHODS,
)
from fieldapp.services.audit import OPERATIONS, OUTCOMES
from fieldapp.services.compliance import GROUPINGS

SCHEMA_REF = "#/components/schemas/"


@dataclass(frozen=True)
class NamedEnum:
    """A closed list of strings as one named component of the document."""

    name: str
    values: tuple[str, ...]
    description: str

    def component(self) -> dict[str, Any]:
        """The component schema."""
        return {"type": "string", "enum": list(self.values), "description": self.description}


def _scopes_doc() -> str:
    """The scopes with what each allows."""
    return "What an API key may do. " + " ".join(f"{n}: {text}" for n, text in SCOPES.items())


NAMED_ENUMS: tuple[NamedEnum, ...] = (
    NamedEnum(
        "EventType",
        EVENT_TYPES,
        "What happened in an investigation. Each type has its own details and creates the "
        "Victims' Code contact duties its rules name.",
    ),
    NamedEnum(
        "TemplateEventType",
        LIBRARY_EVENT_TYPES,
        "The event a message template is written for: every EventType, and periodic_update "
        "for a scheduled progress update with no event behind it.",
    ),
    NamedEnum("Channel", CHANNELS, "How a message reaches its recipient."),
    NamedEnum("TemplateLanguage", TEMPLATE_LANGUAGES, "The language a template is written in."),
    NamedEnum(
        "LanguagePreference",
        LANGUAGE_PREFERENCES,
        "The language a recipient wants messages in: English, Welsh or both (bilingual).",
    ),
    NamedEnum(
        "RecipientRole",
        recipients.recipient_roles(),
        "Who a recipient is: the victim, or someone who receives updates for them.",
    ),
    NamedEnum("Role", ROLES, "A user's role, which decides what they may see and do."),
    NamedEnum("CaseStatus", CASE_STATUSES, "Whether a case is open or closed."),
    NamedEnum(
        "DutyState",
        DUTY_STATUSES,
        "A contact duty: open (due), met (a message, contact or event met it), missed or "
        "not_required (closed by a supervisor or officer with a reason).",
    ),
    NamedEnum(
        "MessageStatus",
        MESSAGE_STATUSES,
        "Where a message is: drafted, queued for the provider, sent, delivered, failed, or "
        "void (its recipient's details changed before it was sent).",
    ),
    NamedEnum("ContactMethod", CONTACT_METHODS, "How an officer contacted a victim directly."),
    NamedEnum("ContactOutcome", CONTACT_OUTCOMES, "Whether a contact attempt reached the person."),
    NamedEnum("TemplateStatus", TEMPLATE_STATUSES, "Whether a template may still be used."),
    NamedEnum(
        "VersionStatus",
        VERSION_STATUSES,
        "A template version's place in review: draft, submitted, published, rejected or "
        "superseded by a later published version.",
    ),
    NamedEnum("TemplateFormat", TEMPLATE_FORMATS, "The accessible format a template is in."),
    NamedEnum("ApiKeyScope", tuple(SCOPES), _scopes_doc()),
    NamedEnum(
        "EnhancedBasis",
        ENHANCED_BASES,
        "Why a victim is entitled to enhanced rights under the Victims' Code.",
    ),
    NamedEnum(
        "AccessibleFormat", ACCESSIBLE_FORMATS, "A recipient's need for an accessible format."
    ),
    NamedEnum("OptOutMethod", OPT_OUT_METHODS, "How a recipient said they want no more updates."),
    NamedEnum(
        "InterpreterLanguage",
        recipients.interpreter_languages(),
        "The ISO 639-1 code of the language an interpreter is needed for (not en or cy).",
    ),
    NamedEnum("Weekday", contact_times.DAYS, "A day of the week."),
    NamedEnum("ListScope", LIST_SCOPES, "mine: only your own; team: your team's."),
    NamedEnum("ComplianceGrouping", GROUPINGS, "How the compliance figures are broken down."),
    NamedEnum("AuditOperation", OPERATIONS, "The kind of processing an audit record records."),
    NamedEnum(
        "AuditOutcome", OUTCOMES, "Whether the audited action was allowed, denied or failed."
    ),
)

_BY_VALUES = {named.values: named for named in NAMED_ENUMS}
if len(_BY_VALUES) != len(NAMED_ENUMS):  # two names for one list would make matching ambiguous
    raise RuntimeError("two named enums have the same values")


def named_enum_for(choices: Iterable[Any]) -> NamedEnum | None:
    """The named enum with exactly these values (None, for a nullable field, aside)."""
    return _BY_VALUES.get(tuple(choice for choice in choices if choice is not None))


def _one_of(field: marshmallow.fields.Field[Any]) -> validate.OneOf | None:
    """The field's OneOf validator, if it has one."""
    return next((v for v in field.validators if isinstance(v, validate.OneOf)), None)


class EnumConverter(OpenAPIConverter):
    """apispec's converter, referring to named enum components instead of inline lists."""

    spec: APISpec

    def field2property(self, field: marshmallow.fields.Field[Any]) -> dict[str, Any]:
        """The property, with a named enum as a reference (siblings kept through allOf)."""
        prop: dict[str, Any] = super().field2property(field)
        one_of = _one_of(field)
        named = None if one_of is None else named_enum_for(one_of.choices)
        if named is None:
            return prop
        if named.name not in self.spec.components.schemas:
            self.spec.components.schema(named.name, named.component())
        ref = {"$ref": SCHEMA_REF + named.name}
        siblings = {k: v for k, v in prop.items() if k not in ("type", "enum")}
        if siblings.get("nullable"):  # OpenAPI 3.0's nullable needs a type beside it
            siblings = {"type": "string", **siblings}
        return {"allOf": [ref], **siblings} if siblings else ref


def prune_unused_enums(document: dict[str, Any]) -> None:
    """Remove named enum components nothing refers to (e.g. one only a replaced schema used)."""
    schemas = document.get("components", {}).get("schemas", {})
    text = repr({key: value for key, value in document.items() if key != "components"})
    text += repr(schemas)
    for named in NAMED_ENUMS:
        if named.name in schemas and f"'{SCHEMA_REF}{named.name}'" not in text:
            del schemas[named.name]
