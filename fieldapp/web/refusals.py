"""The record of refusals: every 401, 403, 404 and 410 on a protected route is in the audit trail.

Each is written in its own transaction after the refused request's work is rolled back; so is
the first 429 per caller (or client address) a minute, so a flood writes one record a minute,
not one each. Public endpoints and unrouted URLs are never recorded: anyone could fill the
trail. A failed sign-in is recorded by the sign-in itself; a refused (429) one is recorded here.
A 404 or 410 that a service already recorded against the resource it concerns (a scoped lookup
audited as denied) is not recorded again as a route.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request

from fieldapp.api.context import request_origin
from fieldapp.core.principal import Principal
from fieldapp.database import get_database
from fieldapp.errors import HTTP_CODES
from fieldapp.services import auth
from fieldapp.services.refusals import Refusal, record_refusal
from fieldapp.web.access import PUBLIC_ENDPOINTS
from fieldapp.web.keys import claimed_key_name
from fieldapp.web.limits import claimed_username, first_in_minute

#: Sign-ins: the phones' and the console's. A refused (429) one is recorded as a sign-in.
LOGIN_ENDPOINTS = frozenset({"auth.login", "console.sign_in"})
REFUSAL_STATUSES = frozenset({401, 403, 404, 410, 429})

log = logging.getLogger("fieldapp.refusals")


def _recorded(status: int, endpoint: str | None, actor: Principal | None) -> bool:
    """Whether this response is a refusal the trail keeps."""
    if status not in REFUSAL_STATUSES or endpoint is None or g.get("refusal_audited"):
        return False
    if endpoint in PUBLIC_ENDPOINTS and not (status == 429 and endpoint in LOGIN_ENDPOINTS):
        return False
    return status != 429 or first_in_minute(_caller_key(endpoint, actor))


def _caller_key(endpoint: str, actor: Principal | None) -> str:
    """Whom a 429 is counted against: the signed-in caller or key, else the client address."""
    if actor is not None and endpoint not in LOGIN_ENDPOINTS:
        return f"caller:{actor.api_key_id or actor.user_id}"
    return f"address:{request.remote_addr}"


def audit_refusal(response: Response) -> Response:
    """After every request: record a refusal on a protected route (never on public ones)."""
    actor: Principal | None = g.get("principal")
    # A console page answers "sign in" with a redirect; it is a 401 all the same.
    status = g.get("refused_status") or response.status_code
    if not _recorded(status, request.endpoint, actor):
        return response
    request_session = g.get("db_session")
    if request_session is not None:
        request_session.rollback()  # the refused request's work is not kept; its refusal is
    origin = request_origin()
    try:
        with get_database().sessions() as session:
            if request.endpoint in LOGIN_ENDPOINTS:
                auth.record_rate_limited(session, origin, claimed_username())
                return response
            code = g.get("problem_code") or HTTP_CODES.get(status, ("refused",))[0]
            refusal = Refusal(status, code, request.method, request.path)
            claimed = g.get("token_subject") or claimed_key_name()
            record_refusal(session, origin, refusal, actor=actor, claimed_name=claimed)
    except Exception:  # the caller is refused either way; a lost record must be seen
        log.exception("could not record a refusal in the audit trail")
    return response


def init_app(app: Flask) -> None:
    """Record refusals after every request."""
    app.after_request(audit_refusal)
