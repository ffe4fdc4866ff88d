"""Cases as officers' apps see and change them."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.schemas.base import ApiSchema, TrimmedLength, UtcDateTime
from fieldapp.schemas.paging import LIST_SCOPES, PageQuerySchema

CASE_STATUSES = ("open", "closed")
CRIME_REFERENCE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9/._-]{2,39}$",
    error="Use 3 to 40 letters, digits, '/', '.', '_' or '-', e.g. '42/123456/26'.",
)


class CaseSchema(ApiSchema):
    """A case: flat, with the names an app shows beside the ids."""

    id = fields.UUID(required=True)
    crime_reference = fields.String(required=True, metadata={"example": "42/123456/26"})
    offence = fields.String(
        required=True, metadata={"example": "Burglary of a home", "description": "Plain English."}
    )
    status = fields.String(required=True, validate=validate.OneOf(CASE_STATUSES))
    team = fields.Function(
        lambda case: case.team.name,
        required=True,
        metadata={"type": "string", "description": "The team's name."},
    )
    team_id = fields.UUID(required=True)
    officer_in_charge = fields.Function(
        lambda case: case.officer_in_charge.display_name,
        required=True,
        metadata={"type": "string", "description": "The officer in charge's display name."},
    )
    officer_in_charge_id = fields.UUID(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Send as If-Match."})


class CaseCreateSchema(ApiSchema):
    """A new case; it belongs to the officer in charge's team (the caller by default)."""

    crime_reference = fields.String(
        required=True, validate=CRIME_REFERENCE, metadata={"example": "42/123456/26"}
    )
    offence = fields.String(
        required=True,
        validate=TrimmedLength(min=3, max=200),
        metadata={"example": "Burglary of a home"},
    )
    status = fields.String(load_default="open", validate=validate.OneOf(CASE_STATUSES))
    officer_in_charge_id = fields.UUID(
        metadata={"description": "A user in the caller's team; the caller if left out."}
    )


class CaseUpdateSchema(ApiSchema):
    """Changes to a case."""

    offence = fields.String(
        validate=TrimmedLength(min=3, max=200), metadata={"example": "Aggravated burglary"}
    )
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    officer_in_charge_id = fields.UUID()


class CaseQuerySchema(PageQuerySchema):
    """Filters for the case list, which is ordered by last change (oldest first) for sync."""

    scope = fields.String(
        load_default="team",
        validate=validate.OneOf(LIST_SCOPES),
        metadata={"description": "'mine': cases I am in charge of; 'team': my team's."},
    )
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    updated_since = UtcDateTime(
        metadata={"description": "Only cases changed at or after this time (delta sync)."}
    )


class CasePageSchema(ApiSchema):
    """One page of cases."""

    value = fields.List(fields.Nested(CaseSchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )
