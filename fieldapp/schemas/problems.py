"""The one error shape: RFC 9457 problem details with fieldapp's extension members."""

from __future__ import annotations

from marshmallow import Schema, fields


class ProblemSchema(Schema):
    """An error: what went wrong, a stable code, per-field messages and a trace id."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem."})
    title = fields.String(metadata={"description": "A short summary of the kind of problem."})
    status = fields.Integer(metadata={"description": "The HTTP status code."})
    detail = fields.String(metadata={"description": "What went wrong, for a person to read."})
    code = fields.String(metadata={"description": "A stable machine-readable error code."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For validation failures: field name to messages."},
    )
    trace_id = fields.String(metadata={"description": "The request id, to quote to support."})
    current_version = fields.Integer(
        metadata={"description": "On a stale If-Match: the version now stored."}
    )
