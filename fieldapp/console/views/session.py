"""Signing in and out of the console, and the page each role starts on."""

from __future__ import annotations

from flask import current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from fieldapp.api.context import audit_context, passwords, request_origin
from fieldapp.console import sessions
from fieldapp.console.blueprint import bp
from fieldapp.console.cookies import cross_site
from fieldapp.console.forms import FormInvalid, parse_form
from fieldapp.console.notices import notify
from fieldapp.console.pages import render_page
from fieldapp.core.roles import ADMIN, AUDITOR, SUPERVISOR
from fieldapp.database import get_session
from fieldapp.errors import InvalidCredentials
from fieldapp.models.base import utcnow
from fieldapp.schemas.console import SignInFormSchema
from fieldapp.services import console_sessions
from fieldapp.web.access import allow
from fieldapp.web.limits import (
    failed,
    limiter,
    login_client_key,
    login_username_key,
    per_client_limit,
    per_username_limit,
)

sign_in_form = SignInFormSchema()
#: Why a browser was sent back to "Sign in", as the page says it.
ENDED = {console_sessions.IDLE_TIMEOUT: "You were signed out because you were inactive."}
WRONG = "The username or password is not right"


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page on this site, never elsewhere."""
    if target and target.startswith("/console/") and not ("\\" in target or "//" in target):
        return target
    return url_for("console.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    per_username_limit, key_func=login_username_key, deduct_when=failed, methods=["POST"]
)
@limiter.limit(per_client_limit, key_func=login_client_key, methods=["POST"])
def sign_in() -> Response | tuple[str, int]:
    """The "Sign in" page: a console session in an HttpOnly, SameSite=Strict cookie."""
    target = _safe_next(request.args.get("next"))
    ended = ENDED.get(request.args.get("ended", ""))
    if request.method == "GET":
        if cross_site():
            # A link from an email or another site arrives without the SameSite=Strict cookie,
            # even for someone signed in: a same-site "Continue" click carries it.
            return render_page("console/continue.html", target=target)
        return render_page("console/sign_in.html", errors={}, ended=ended, target=target)
    try:
        data = parse_form(sign_in_form, request.form)
        session_id, user_id = console_sessions.sign_in(
            get_session(),
            request_origin(),
            passwords=passwords(),
            user_agent=request.headers.get("User-Agent", ""),
            limits=sessions.limits(),
            **data,
        )
    except FormInvalid as exc:
        return render_page("console/sign_in.html", 422, errors=exc.fields, target=target)
    except InvalidCredentials:
        errors = {"username": WRONG}
        return render_page("console/sign_in.html", 401, errors=errors, target=target)
    sessions.start(session_id, user_id)
    return redirect(target, 303)


@bp.post("/sign-out")
@allow()
def sign_out() -> Response:
    """ "Sign out": ends this console session at once (audited)."""
    console_sessions.sign_out(get_session(), audit_context())
    sessions.forget()
    if request.form.get("ended") == console_sessions.IDLE_TIMEOUT:  # the page's own timer
        return redirect(url_for("console.sign_in", ended=console_sessions.IDLE_TIMEOUT), 303)
    notify("You have signed out.")
    return redirect(url_for("console.sign_in"), 303)


@bp.post("/keep-alive")
@allow()
def keep_alive() -> tuple[str, int]:
    """ "Stay signed in" on the timeout warning: counts as activity (WCAG 2.2.1)."""
    session_id = g.principal.session_id
    console_sessions.touch(get_session(), session_id=session_id, now=utcnow())
    return "", 204


@bp.get("/")
@allow()
def home() -> Response | tuple[str, int]:
    """Where each role starts: supervisors and admins at the review queue."""
    role = g.principal.role
    if role in (SUPERVISOR, ADMIN) and "console.review_queue" in current_app.view_functions:
        return redirect(url_for("console.review_queue"), 303)
    if role == AUDITOR and "console.templates" in current_app.view_functions:
        return redirect(url_for("console.templates"), 303)
    return render_page("console/home.html")
