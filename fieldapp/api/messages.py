"""Victim-update messages: write from a template, read, send (outbox) or confirm a manual send."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.api.paging import page, time_id_key
from fieldapp.core.roles import ADMIN, OFFICER, SUPERVISOR
from fieldapp.database import get_session
from fieldapp.models import Message
from fieldapp.schemas.messages import (
    MessageCreateSchema,
    MessagePageSchema,
    MessageQuerySchema,
    MessageSchema,
    SentSchema,
    WrittenMessageSchema,
)
from fieldapp.services.messages import letters, sending, writing
from fieldapp.services.messages.writing import WrittenGroup
from fieldapp.web.access import allow
from fieldapp.web.openapi_headers import header_refs

bp = Blueprint("messages", __name__, url_prefix="/api/v1", description="Victim-update messages.")
ROLES = (OFFICER, SUPERVISOR, ADMIN)


class WrittenView:
    """The first message of a write, with its lint and the ids of every message written."""

    def __init__(self, group: WrittenGroup) -> None:
        self._message = group.primary.message
        self.lint = group.primary.lint
        self.group_message_ids = [w.message.id for w in group.messages]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message, name)


written_schema = WrittenMessageSchema()


@bp.post("/cases/<uuid:case_id>/messages")
@bp.doc(operationId="WriteMessage")
@bp.arguments(MessageCreateSchema)
@bp.response(201, WrittenMessageSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(*ROLES, scope="messages:write")
def write_message(data: dict[str, Any], case_id: uuid.UUID) -> WrittenView | Response:
    """Write a victim's update from a published template; retries with one key make one."""
    result = create_once(
        lambda: WrittenView(
            writing.write_message(
                get_session(),
                audit_context(),
                case_id=case_id,
                data=data,
                force=current_app.config["FORCE"],
                letters=letters.settings_from_config(current_app.config),
            )
        ),
        schema=written_schema,
        resource_type=writing.RESOURCE,
        read=lambda found: WrittenView(
            writing.read_written(get_session(), audit_context(), uuid.UUID(found))
        ),
    )
    return result


@bp.get("/cases/<uuid:case_id>/messages")
@bp.doc(operationId="ListMessages")
@bp.arguments(MessageQuerySchema, location="query")
@bp.response(200, MessagePageSchema)
@allow(*ROLES, scope="messages:read")
def list_messages(query: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
    """List a case's messages, oldest first."""
    found = sending.list_messages(
        get_session(),
        audit_context(),
        case_id=case_id,
        after=time_id_key(query),
        limit=query["limit"],
    )
    return page(found, limit=query["limit"], key=lambda m: [m.created_at.isoformat(), str(m.id)])


@bp.get("/messages/<uuid:message_id>")
@bp.doc(operationId="GetMessage")
@bp.response(200, MessageSchema)
@allow(*ROLES, scope="messages:read")
def get_message(message_id: uuid.UUID) -> Message:
    """Read one message."""
    return sending.get_message(get_session(), audit_context(), message_id)


PDF_RESPONSE = {
    "200": {
        "description": "The letter as an A4 PDF to print (GOV.UK Notify's letter layout); "
        "the first download dates it. Audited as a disclosure. 404 if the message is not a "
        "letter, 410 once its recipient was erased, 409 if it is void.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "headers": header_refs("Content-Disposition"),
    }
}


@bp.get("/messages/<uuid:message_id>/letter.pdf")
@bp.doc(operationId="GetLetter")
@bp.doc(responses=PDF_RESPONSE)
@allow(*ROLES, scope="messages:read")
def letter_pdf(message_id: uuid.UUID) -> Response:
    """Download a letter to print and deliver by hand; then confirm it sent as any message."""
    pdf = letters.print_letter(
        get_session(),
        audit_context(),
        message_id=message_id,
        settings=letters.settings_from_config(current_app.config),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="letter-{message_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/messages/<uuid:message_id>/send")
@bp.doc(operationId="SendMessage")
@bp.response(202, MessageSchema)
@allow(*ROLES, scope="messages:write")
def send_message(message_id: uuid.UUID) -> Message:
    """Queue a drafted message for GOV.UK Notify (a retry changes nothing); 409 if sent by hand."""
    return sending.send_message(
        get_session(),
        audit_context(),
        message_id=message_id,
        provider=current_app.config["MESSAGE_PROVIDER"],
        quota=current_app.config["MESSAGE_QUOTA"],
    )


@bp.post("/messages/<uuid:message_id>/sent")
@bp.doc(operationId="ConfirmMessageSent")
@bp.arguments(SentSchema)
@bp.response(200, MessageSchema)
@allow(*ROLES, scope="messages:write")
def confirm_sent(data: dict[str, Any], message_id: uuid.UUID) -> Message:
    """Confirm you sent a drafted message from your phone; its duty is met at that time."""
    return sending.confirm_sent(
        get_session(),
        audit_context(),
        message_id=message_id,
        sent_at=data.get("sent_at"),
        reason=data.get("reason"),
        quota=current_app.config["MESSAGE_QUOTA"],
    )
