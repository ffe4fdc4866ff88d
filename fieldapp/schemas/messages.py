"""Victim-update messages: writing one, reading them, sending and confirming."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_dump, validate, validates_schema

from fieldapp.core.templating.context import INPUT_FIELDS
from fieldapp.models.message import MESSAGE_STATUSES
from fieldapp.schemas.base import ApiSchema, UtcDateTime
from fieldapp.schemas.paging import PageQuerySchema
from fieldapp.schemas.templates import MAX_VERSION, LintSchema

NEXT_LINK_DOC = "Absolute URL of the next page; absent on the last page."
ERASED_FIELDS = ("recipient", "subject", "body", "address_lines", "given_another_way_note")
ITEM_IDS_DOC = "Ids of the duty's required items (see the duty's `required_items`)."


class MessageSchema(ApiSchema):
    """A message: what it said, to whom, from which exact template version, and its fate."""

    id = fields.UUID(required=True)
    case_id = fields.UUID(required=True)
    victim_id = fields.UUID(required=True)
    duty_id = fields.UUID(metadata={"description": "The duty it answers; absent if none."})
    event_id = fields.UUID(metadata={"description": "The event it is about; absent if none."})
    template_key = fields.String(
        required=True, metadata={"description": "The template the message was written from."}
    )
    template_version = fields.Integer(
        required=True, metadata={"description": "The exact version it was written from."}
    )
    requested_template_key = fields.String(
        metadata={"description": "The template asked for (absent on messages written before)."}
    )
    variant_reason = fields.String(
        metadata={
            "description": "Why `template_key` was used: `requested` (the one asked for), "
            "`contentless`, `bilingual` or `language:<code>` (a variant the recipient needs)."
        }
    )
    group_id = fields.UUID(
        metadata={"description": "Shared by the Welsh and English messages of a bilingual write."}
    )
    channel = fields.String(required=True)
    language = fields.String(required=True)
    recipient = fields.String(
        metadata={"description": "Phone (E.164) or email; absent once the recipient was erased."}
    )
    subject = fields.String(metadata={"description": "Email only; absent once erased."})
    body = fields.String(metadata={"description": "The text sent; absent once erased."})
    address_lines = fields.List(
        fields.String(),
        metadata={"description": "Letters: the postal address written to; absent once erased."},
    )
    postage = fields.String(metadata={"description": "Letters: GOV.UK Notify postage."})
    print_format = fields.String(
        metadata={"description": "Letters: `standard` or `large_print` (16 pt and larger)."}
    )
    printed_at = UtcDateTime(
        metadata={"description": "Letters: first printed (the date the letter carries)."}
    )
    erased = fields.Boolean(
        required=True,
        metadata={"description": "True once the recipient was erased: no address or text kept."},
    )
    status = fields.String(required=True, validate=validate.OneOf(MESSAGE_STATUSES))
    provider = fields.String(metadata={"description": "'manual' or 'notify' once sent or queued."})
    provider_reference = fields.String(metadata={"description": "The provider's id, if any."})
    ruleset_version = fields.String(required=True)
    merge_hash = fields.String(required=True, metadata={"description": "SHA-256 of merged data."})
    created_at = UtcDateTime(required=True)
    created_by_id = fields.UUID(required=True)
    queued_at = UtcDateTime()
    sent_at = UtcDateTime(
        metadata={"description": "When it went: for a manual send, the time the officer gave."}
    )
    confirmed_at = UtcDateTime(
        metadata={"description": "When the server recorded the send (confirmation or Notify)."}
    )
    sent_reason = fields.String(
        metadata={"description": "Why a manual send was confirmed long after it went."}
    )
    delivered_at = UtcDateTime()
    failed_at = UtcDateTime()
    failure_reason = fields.String()
    voided_at = UtcDateTime()
    void_reason = fields.String(
        metadata={"description": "Why it was not sent: the recipient's details changed."}
    )
    meets_duty = fields.Boolean(
        metadata={
            "description": "true: sending it gives everything its duty requires (with what was "
            "given before); false: a follow-up prompt that does not meet the duty on its own. "
            "Absent without a duty."
        }
    )
    carried_items = fields.List(
        fields.String(), metadata={"description": "Required items the text carries."}
    )
    missing_items = fields.List(
        fields.String(),
        metadata={"description": "Required items a follow-up prompt lacks: give them another way."},
    )
    given_another_way = fields.List(
        fields.String(), metadata={"description": "Required items the officer gave another way."}
    )
    given_another_way_note = fields.String(
        metadata={"description": "How they were given; absent once erased."}
    )
    version = fields.Integer(required=True)

    @post_dump(pass_original=True)
    def drop_erased(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> dict[str, Any]:
        """Never show what an erasure removed, whatever the row still holds."""
        if original.erased:
            for name in ERASED_FIELDS:
                data.pop(name, None)
        return data


class WrittenMessageSchema(MessageSchema):
    """A new message with the lint of its merged text; bilingual writes name both messages."""

    lint = fields.Nested(LintSchema, required=True)
    group_message_ids = fields.List(
        fields.UUID(),
        required=True,
        metadata={"description": "Every message this write made (two for bilingual, Welsh first)."},
    )


class MessageCreateSchema(ApiSchema):
    """Write a message for a victim on the case from a published template."""

    victim_id = fields.UUID(required=True)
    template_key = fields.String(
        required=True,
        validate=validate.Length(min=2, max=80),
        metadata={"example": "arrested-sms-en"},
    )
    duty_id = fields.UUID(metadata={"description": "The duty this message meets when sent."})
    template_version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_VERSION),
        metadata={"description": "Pin a published (or formerly published) version."},
    )
    values = fields.Dict(
        keys=fields.String(validate=validate.OneOf(INPUT_FIELDS)),
        values=fields.String(validate=validate.Length(max=500)),
        metadata={"description": "Free text the template uses: " + ", ".join(INPUT_FIELDS) + "."},
    )
    given_another_way = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        validate=validate.Length(max=40),
        metadata={
            "description": "Required items the person was told another way (not in this text); "
            "needs `given_another_way_note`. " + ITEM_IDS_DOC
        },
    )
    given_another_way_note = fields.String(
        validate=validate.Length(min=5, max=1000),
        metadata={"description": "How and when those items were given (required with the list)."},
    )

    @validates_schema
    def check_given_another_way(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Items given another way need a note saying how; a note needs the items."""
        note = (data.get("given_another_way_note") or "").strip()
        if data.get("given_another_way") and not note:
            raise ValidationError("Say how and when they were given.", "given_another_way_note")
        if note and not data.get("given_another_way"):
            raise ValidationError("Name the items the note is about.", "given_another_way")


class MessagePageSchema(ApiSchema):
    """One page of a case's messages, oldest first."""

    value = fields.List(fields.Nested(MessageSchema), required=True)
    nextLink = fields.String(metadata={"description": NEXT_LINK_DOC})  # noqa: N815


class MessageQuerySchema(PageQuerySchema):
    """Paging for a case's messages."""


class SentSchema(ApiSchema):
    """Confirm a message sent by hand."""

    sent_at = UtcDateTime(metadata={"description": "When it was sent; now if left out."})
    reason = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Why it is confirmed late: required when `sent_at` is more than "
            "15 minutes before now."
        },
    )
