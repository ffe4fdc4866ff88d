"""The audit trail as auditors read it."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.schemas.base import ApiSchema, UtcDateTime
from fieldapp.schemas.paging import PageQuerySchema
from fieldapp.services.audit import OPERATIONS, OUTCOMES


class AuditRecordSchema(ApiSchema):
    """One logged operation (DPA 2018 s.62)."""

    seq = fields.Integer(required=True)
    occurred_at = UtcDateTime(required=True)
    actor_id = fields.UUID(metadata={"description": "Absent for system actions."})
    actor_name = fields.String(required=True)
    session_id = fields.UUID(metadata={"description": "The device session, when there was one."})
    operation = fields.String(
        required=True,
        metadata={"description": "collection, alteration, consultation, disclosure, "
                  "combination, erasure, authentication or administration."},
    )  # fmt: skip
    resource_type = fields.String(required=True)
    resource_id = fields.String(required=True)
    field_groups = fields.String(metadata={"description": "For changes: which groups of fields."})
    purpose = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"description": "allowed, denied or failed."})
    request_id = fields.String()
    api_key_id = fields.UUID(metadata={"description": "The API key used, when one was."})
    client_address = fields.String(metadata={"description": "The caller's network address."})
    reason = fields.String(metadata={"description": "Why it was refused or failed, or a note."})
    chain_index = fields.Integer(
        attribute="seal.chain_index",
        metadata={"description": "Its place in the keyed chain; absent until it is sealed."},
    )
    mac = fields.String(
        attribute="seal.mac",
        metadata={"description": "Its HMAC-SHA256 chain seal (hex); absent until it is sealed."},
    )


class AuditQuerySchema(PageQuerySchema):
    """Filters for the audit trail (oldest first)."""

    actor_id = fields.UUID()
    resource_type = fields.String(validate=validate.Length(max=30))
    resource_id = fields.String(validate=validate.Length(max=64))
    operation = fields.String(validate=validate.OneOf(OPERATIONS))
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    since = UtcDateTime(metadata={"description": "Records at or after this time."})
    until = UtcDateTime(metadata={"description": "Records before this time."})


class AuditPageSchema(ApiSchema):
    """One page of audit records."""

    value = fields.List(fields.Nested(AuditRecordSchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )
