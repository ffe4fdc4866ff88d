"""The console's headers: a nonce CSP without 'unsafe-inline', no framing, no caching."""

from __future__ import annotations

import secrets
from typing import TypeVar

from flask import g
from werkzeug.wrappers import Response

R = TypeVar("R", bound=Response)

#: GOV.UK Frontend's stylesheets and scripts, htmx and the console's modules are all served
#: from this origin; the template's one inline script carries the request's nonce.
_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def csp_nonce() -> str:
    """This request's script nonce (made on first use)."""
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def secure_headers(response: R) -> R:
    """Every console page: CSP, no framing, no caching (pages show personal data)."""
    response.headers["Content-Security-Policy"] = _POLICY.format(nonce=csp_nonce())
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    # Same-origin Referer only: Flask-WTF's HTTPS check needs it; other sites get nothing.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response
