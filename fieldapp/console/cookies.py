"""The console cookie is never written in answer to another site's request.

It is SameSite=Strict, so a link or form from another site arrives without it; but a response
to such a top-level navigation may still set cookies, and a fresh (empty) session written then
would replace a signed-in supervisor's cookie. So a cross-site request never saves the session.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response

CROSS_SITE = "cross-site"


def cross_site() -> bool:
    """Whether the browser says this request was started by another site."""
    return request.headers.get("Sec-Fetch-Site") == CROSS_SITE


class SameSiteOnlySessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, left untouched by cross-site requests."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as Flask does, unless another site started this request."""
        if cross_site():
            return
        super().save_session(app, session, response)
