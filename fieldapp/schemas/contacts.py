"""Contacts: a victim told by phone, in person or by a letter handed over, or a failed attempt."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_dump, validate, validates_schema

from fieldapp.models.contact import CONTACT_METHODS, CONTACT_OUTCOMES
from fieldapp.schemas.base import ApiSchema, UtcDateTime
from fieldapp.schemas.duties import DutyProgressSchema
from fieldapp.schemas.paging import PageQuerySchema

LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
METHODS_DOC = (
    "`phone`, `in_person`, `letter_by_hand`, or `voicemail_no_detail` (a message left that "
    "said nothing: never reached, covers nothing)."
)


class ContactCreateSchema(ApiSchema):
    """Record a contact with a victim on the case, or an attempt that did not reach them."""

    victim_id = fields.UUID(required=True)
    duty_id = fields.UUID(metadata={"description": "The duty the contact was for."})
    method = fields.String(
        required=True,
        validate=validate.OneOf(CONTACT_METHODS),
        metadata={"description": METHODS_DOC},
    )
    outcome = fields.String(
        validate=validate.OneOf(CONTACT_OUTCOMES),
        metadata={"description": "Default `reached` (`not_reached` for `voicemail_no_detail`)."},
    )
    occurred_at = UtcDateTime(required=True, metadata={"description": "When; not in the future."})
    summary = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"example": "Called Priya: told her about the arrest and the bail conditions."},
    )
    covered = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=40),
        metadata={"description": "Ids of the duty's required items the victim was told."},
    )
    interpreter_language = fields.String(
        validate=validate.Regexp(
            LANGUAGE_TAG, error="Give a language tag such as 'pl' or 'pt-BR'."
        ),
        metadata={"description": "The language an interpreter used, if one did."},
    )

    @validates_schema
    def check_summary(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """A summary of only spaces says nothing."""
        if "summary" in data and not data["summary"].strip():
            raise ValidationError("Say what was said (or tried).", "summary")


class ContactSchema(ApiSchema):
    """A contact: who, how, when, whether they were reached, which required items it covered."""

    id = fields.UUID(required=True)
    case_id = fields.UUID(required=True)
    victim_id = fields.UUID(required=True)
    duty_id = fields.UUID(metadata={"description": "The duty it was for; absent if none."})
    method = fields.String(required=True, validate=validate.OneOf(CONTACT_METHODS))
    outcome = fields.String(required=True, validate=validate.OneOf(CONTACT_OUTCOMES))
    occurred_at = UtcDateTime(required=True)
    summary = fields.String(metadata={"description": "What was said; absent once erased."})
    covered = fields.List(fields.String(), required=True)
    interpreter_language = fields.String()
    erased = fields.Boolean(
        required=True, metadata={"description": "True once the victim was erased: no summary kept."}
    )
    created_by_id = fields.UUID(required=True)
    created_at = UtcDateTime(required=True)

    @post_dump(pass_original=True)
    def drop_erased(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> dict[str, Any]:
        """Never show what an erasure removed."""
        if getattr(original, "erased", False):
            data.pop("summary", None)
        return data


class RecordedContactSchema(ContactSchema):
    """A new contact and its duty as it stands after it."""

    duty = fields.Nested(
        DutyProgressSchema, metadata={"description": "The duty's status; absent without a duty."}
    )


class ContactPageSchema(ApiSchema):
    """One page of a case's contacts, oldest recorded first."""

    value = fields.List(fields.Nested(ContactSchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )


class ContactQuerySchema(PageQuerySchema):
    """Paging for a case's contacts."""
