"""The audit trail of template administration: each step of a template's life, and refusals.

Steps (create, save, restore, submit, approve, reject, retire) are administration records on
``template`` resources named ``<key>/<version>``. A wording refused for an unsafe construct (a
call, an underscored name, a disallowed node or filter) is recorded as denied, with the
problem codes but never the text, and committed although the request fails; a mere typo is not.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fieldapp.core.templating import TemplateRefused
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext

RESOURCE = "template"
LINT_RESOURCE = "lint"
# Problem codes an author makes by mistake; every other refusal is a construct the sandbox bars.
ORDINARY_CODES = frozenset(
    {"syntax_error", "unknown_field", "loop", "missing_data", "output_too_long", "render_failed"}
)


def resource_id(key: str, number: int | None = None) -> str:
    """``key/number`` (or the key), cut to fit the trail's resource id."""
    suffix = "" if number is None else f"/{number}"
    return key[: 64 - len(suffix)] + suffix


def record_step(
    session: Session,
    context: AuditContext,
    *,
    key: str,
    number: int | None,
    step: str,
    outcome: str = "allowed",
) -> None:
    """Record one step of a template's review workflow in the caller's transaction."""
    audit.record(
        session,
        context,
        operation=audit.ADMINISTRATION,
        resource_type=RESOURCE,
        resource_ids=[resource_id(key, number)],
        outcome=outcome,
        reason=step,
    )


def unsafe_codes(refused: TemplateRefused) -> list[str]:
    """The problem codes of a refusal that name a barred construct, not an ordinary mistake."""
    return sorted({p.code for p in refused.problems} - ORDINARY_CODES)


def record_refused_wording(
    session: Session, context: AuditContext, refused: TemplateRefused, *, resource: str
) -> None:
    """Record and commit an unsafe wording's refusal (nothing if it was only a mistake)."""
    codes = unsafe_codes(refused)
    if not codes:
        return
    session.rollback()  # nothing of the refused request is kept, only its refusal
    audit.record(
        session,
        context,
        operation=audit.ADMINISTRATION,
        resource_type=RESOURCE,
        resource_ids=[resource[:64]],
        outcome="denied",
        reason="unsafe_template: " + ",".join(codes),
    )
    session.commit()
