"""Contacts with victims: phone calls, visits, letters handed over, and attempts that failed."""

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
from fieldapp.schemas.contacts import (
    ContactCreateSchema,
    ContactPageSchema,
    ContactQuerySchema,
    RecordedContactSchema,
)
from fieldapp.services import contacts
from fieldapp.services.contacts import Recorded
from fieldapp.web.access import allow

bp = Blueprint("contacts", __name__, url_prefix="/api/v1", description="Contacts with victims.")
ROLES = (OFFICER, SUPERVISOR, ADMIN)
recorded_schema = RecordedContactSchema()


@bp.post("/cases/<uuid:case_id>/contacts")
@bp.doc(operationId="RecordContact")
@bp.arguments(ContactCreateSchema)
@bp.response(201, RecordedContactSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(*ROLES, scope="contacts:write")
def record_contact(data: dict[str, Any], case_id: uuid.UUID) -> Recorded | Response:
    """Record a contact (or a failed attempt); a reached one counts toward its duty."""
    force = current_app.config["FORCE"]
    return create_once(
        lambda: contacts.record_contact(
            get_session(), audit_context(), case_id=case_id, data=data, force=force
        ),
        schema=recorded_schema,
        resource_type=contacts.RESOURCE,
        read=lambda found: contacts.get_recorded(get_session(), audit_context(), uuid.UUID(found)),
        identify=lambda created: str(created.contact.id),
    )


@bp.get("/cases/<uuid:case_id>/contacts")
@bp.doc(operationId="ListContacts")
@bp.arguments(ContactQuerySchema, location="query")
@bp.response(200, ContactPageSchema)
@allow(*ROLES, scope="contacts:read")
def list_contacts(query: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
    """List a case's contacts, oldest recorded first."""
    found = contacts.list_contacts(
        get_session(), audit_context(), case_id=case_id, after=time_id_key(query),
        limit=query["limit"],
    )  # fmt: skip
    return page(found, limit=query["limit"], key=lambda c: [c.created_at.isoformat(), str(c.id)])
