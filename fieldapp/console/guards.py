"""Forged-request guards for the console's forms: a CSRF token, and same-origin posts only."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from fieldapp.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: What browsers send in Sec-Fetch-Site for a post this console's own pages made.
OWN_SITE = frozenset({"same-origin", "none"})

csrf = CSRFProtect()


class ForgedRequest(Forbidden):
    """A post without this session's CSRF token, or from another site."""

    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("This form could not be accepted. Go back, reload the page and try again.")


def _foreign_origin() -> bool:
    """Whether the browser says the post came from another origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in OWN_SITE:
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    expected = {request.host_url.rstrip("/")}
    if current_app.config.get("PUBLIC_URL"):
        expected.add(current_app.config["PUBLIC_URL"])
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" not in expected


def refuse_forged_posts() -> None:
    """Before every unsafe console request: same origin, and this session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if _foreign_origin():
        raise ForgedRequest()
    try:
        csrf.protect()
    except CSRFError as exc:
        raise ForgedRequest() from exc
