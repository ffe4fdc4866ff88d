"""The supervisor console: server-rendered pages at /console on the GOV.UK Design System.

Same accounts, roles, services and audit trail as the API; its own sign-in is a device session
held in an HttpOnly, SameSite=Strict cookie, and every form carries a CSRF token.
"""

from __future__ import annotations

from flask import Flask
from jinja2 import BaseLoader, ChoiceLoader, PackageLoader, PrefixLoader

from fieldapp.console import guards, pages, sessions
from fieldapp.console.blueprint import assets, bp
from fieldapp.console.cookies import SameSiteOnlySessionInterface
from fieldapp.web.access import CONSOLE_SIGN_IN


def init_app(app: Flask) -> None:
    """Register the console's pages, their guards, headers, error pages and template loaders."""
    from fieldapp.console import views  # noqa: F401  (registers every page on bp)

    app.extensions[CONSOLE_SIGN_IN] = sessions.authenticate
    app.session_interface = SameSiteOnlySessionInterface()
    guards.csrf.init_app(app)
    govuk = PackageLoader("govuk_frontend_jinja")
    loaders: list[BaseLoader] = [PrefixLoader({"govuk_frontend_jinja": govuk})]
    if app.jinja_loader is not None:
        loaders.insert(0, app.jinja_loader)
    app.jinja_loader = ChoiceLoader(loaders)
    for status in (404, 405):  # unrouted: no blueprint yet, so the app decides by path
        app.register_error_handler(status, pages.unrouted)
    app.register_blueprint(bp)
    app.register_blueprint(assets)
