"""Refusals on protected routes (401, 403, 404, 410 and bounded 429s) in the audit trail.

A refused request's own transaction is rolled back, so each refusal is written and committed
on its own: one record, whoever the caller claimed to be, never a token, key or password.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext

ANONYMOUS = "anonymous"
ROUTE = "route"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for a record made before (or without) a known caller."""

    purpose: str
    request_id: str | None = None
    client_address: str | None = None

    def context(self, actor: Principal) -> AuditContext:
        """The audit context of a known caller from this origin."""
        return AuditContext(actor, self.purpose, self.request_id, self.client_address)


@dataclass(frozen=True)
class Refusal:
    """One refused request: its status, the error code, and the route as ``METHOD path``."""

    status: int
    code: str
    method: str
    path: str


def operation_of(refusal: Refusal) -> str:
    """What the caller was attempting: signing in (401), or reading or changing something."""
    if refusal.status == 401:
        return audit.AUTHENTICATION
    return audit.CONSULTATION if refusal.method in SAFE_METHODS else audit.ALTERATION


def record_refusal(
    session: Session,
    origin: Origin,
    refusal: Refusal,
    *,
    actor: Principal | None,
    claimed_name: str | None = None,
) -> None:
    """Write and commit one denied record for a refused request on a protected route."""
    # Only the path: query strings may carry values (search terms) that are not for the trail.
    resource_id = f"{refusal.method} {refusal.path}"[:64]
    operation = operation_of(refusal)
    if actor is not None:
        audit.record(
            session,
            origin.context(actor),
            operation=operation,
            resource_type=ROUTE,
            resource_ids=[resource_id],
            outcome="denied",
            reason=refusal.code,
        )
    else:
        audit.record_anonymous(
            session,
            actor_name=(claimed_name or ANONYMOUS)[:64],
            client_address=origin.client_address,
            request_id=origin.request_id,
            purpose=origin.purpose,
            operation=operation,
            resource_type=ROUTE,
            resource_id=resource_id,
            outcome="denied",
            reason=refusal.code,
        )
    session.commit()
