"""Query parameters for keyset-paged lists."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.schemas.base import ApiSchema

PAGE_SIZE_MAX = 200
#: The ``scope`` of the case and duty lists: only mine, or my team's.
LIST_SCOPES = ("mine", "team")


class PageQuerySchema(ApiSchema):
    """``limit`` (1 to 200, default 50) and an opaque ``cursor`` from ``nextLink``."""

    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=PAGE_SIZE_MAX),
        metadata={"description": f"Items per page, at most {PAGE_SIZE_MAX}."},
    )
    cursor = fields.String(
        validate=[
            validate.Length(max=512),
            validate.Regexp(r"^[A-Za-z0-9_-]*$", error="The cursor is not valid."),
        ],
        metadata={"description": "Opaque cursor taken from the previous page's nextLink."},
    )
