"""Rendering console pages, and errors as pages (never JSON) with the right status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from fieldapp.console.headers import secure_headers
from fieldapp.console.sessions import SignInRequired
from fieldapp.core.roles import ADMIN, AUDITOR, SUPERVISOR
from fieldapp.errors import FieldappError
from fieldapp.web.problems import (
    database_outage,
    handle_fieldapp_error,
    handle_http_exception,
    handle_unexpected,
)

CONSOLE_PREFIX = "/console/"
#: The page title for each refused status: what happened, in plain words.
TITLES = {
    400: "Sorry, there is a problem with this request",
    401: "Sign in to continue",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Page not found",
    409: "This changed while you were working",
    410: "This page has gone",
    413: "What you sent is too large",
    422: "There is a problem",
    429: "Too many attempts",
    503: "Sorry, the service is unavailable",
}


#: The console's sections: endpoint, label, and the roles that see the link.
SECTIONS = (
    ("console.review_queue", "Review queue", (SUPERVISOR, ADMIN)),
    ("console.templates", "Templates", (SUPERVISOR, ADMIN, AUDITOR)),
    ("console.compliance", "Compliance", (SUPERVISOR, ADMIN)),
    ("console.users", "Users", (ADMIN,)),
    ("console.teams", "Teams", (ADMIN,)),
    ("console.api_keys", "API keys", (ADMIN,)),
)


def navigation() -> list[tuple[str, str, tuple[str, ...]]]:
    """The sections this app has (a feature may be switched off), for the service navigation."""
    views = current_app.view_functions
    return [section for section in SECTIONS if section[0] in views]


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a console template with a status."""
    return render_template(template, **context), status


def _error_page(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """The one error page, with the same status the API would answer."""
    title = TITLES.get(status, "Sorry, there is a problem with the service")
    body = render_template("console/error.html", status=status, title=title, detail=detail)
    return Response(body, status=status, headers=headers or {}, mimetype="text/html")


def fieldapp_error(error: FieldappError) -> Response:
    """A refusal or failure raised by a service or a guard, as a page."""
    handle_fieldapp_error(error)  # the API's bookkeeping: audited flag, problem code
    if isinstance(error, SignInRequired) and request.method == "GET":
        g.refused_status = 401
        target = url_for("console.sign_in", next=request.full_path.rstrip("?"), ended=error.ended)
        return redirect(target, 303)
    return _error_page(error.status_code, error.detail, error.headers)


def http_error(error: HTTPException) -> Response:
    """A werkzeug error (404, 405, 413, a rate limit's 429) as a page."""
    problem = handle_http_exception(error)
    headers = {k: v for k, v in problem.headers.items() if k == "Retry-After"}
    return _error_page(problem.status_code, error.description or "", headers)


def unexpected(error: Exception) -> Response:
    """A database outage as a 503 page; anything else unplanned logged once, a 500 page."""
    outage = database_outage(error)
    if outage is not None:
        return _error_page(503, outage.detail, outage.headers)
    handle_unexpected(error)
    return _error_page(500, "Something went wrong on our side. The error has been logged.")


def unrouted(error: HTTPException) -> Response:
    """An unrouted URL (404/405): a page under /console/, the problem shape elsewhere."""
    if request.path.startswith(CONSOLE_PREFIX):
        return secure_headers(http_error(error))
    return handle_http_exception(error)


def register_error_pages(bp: Blueprint) -> None:
    """Errors on console routes become pages."""
    bp.register_error_handler(FieldappError, fieldapp_error)
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(Exception, unexpected)
