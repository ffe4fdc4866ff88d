"""The "Review queue" and the review of one version: "Approve", or "Reject" with a reason.

The author of a version is never offered a decision on it, and the services refuse one anyway
(four eyes, audited). Admins read both pages; only supervisors decide, as in the API.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from fieldapp.api.context import audit_context, current_principal
from fieldapp.console.blueprint import bp
from fieldapp.console.forms import FormInvalid, parse_form
from fieldapp.console.notices import notify
from fieldapp.console.pages import render_page
from fieldapp.core.roles import ADMIN, SUPERVISOR
from fieldapp.core.templating.dates import format_moment
from fieldapp.database import get_session
from fieldapp.errors import BadRequest
from fieldapp.schemas.curation import RejectFormSchema
from fieldapp.services.templates import queue
from fieldapp.web.access import allow

reject_form = RejectFormSchema()
REVIEW_PATH = "/templates/<string(maxlength=80):key>/versions/<int(max=1000000):number>/review"
DECISIONS = ("approve", "reject")


@bp.get("/reviews")
@allow(SUPERVISOR, ADMIN)
def review_queue() -> tuple[str, int]:
    """The "Review queue": versions awaiting a decision, oldest first, each with its diff."""
    found = queue.review_queue(get_session(), current_principal())
    return render_page("console/reviews/queue.html", queue=found, when=format_moment)


def _review_page(
    key: str, number: int, errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    """The review page of one version, with the errors of a refused decision."""
    found = queue.get_review(get_session(), current_principal(), key=key, number=number)
    return render_page(
        "console/reviews/review.html", status, review=found, errors=errors, when=format_moment
    )


def _reason(action: str | None) -> str | None:
    """The decision posted: None to approve, the reason (checked) to reject."""
    if action not in DECISIONS:
        raise BadRequest("Choose Approve or Reject.")
    if action == "approve":
        return None
    reason: str = parse_form(reject_form, request.form)["reason"]
    return reason


@bp.route(REVIEW_PATH, methods=["GET", "POST"])
@allow(SUPERVISOR, ADMIN)
def review(key: str, number: int) -> tuple[str, int] | Response:
    """Review one version: its summary and diff; "Approve", or "Reject" with a reason."""
    if request.method == "GET":
        return _review_page(key, number, {})
    try:
        reason = _reason(request.form.get("action"))
    except FormInvalid as exc:
        return _review_page(key, number, exc.fields, 422)
    saved = queue.decide_review(
        get_session(), audit_context(), key=key, number=number, reason=reason
    )
    outcome = (
        "approved: officers now write from it" if reason is None else "sent back to its author"
    )
    notify(f"{saved.template.name}: version {number} {outcome}.")
    return redirect(url_for("console.review_queue"), 303)
