"""The console's blueprints: its pages under /console, and the files they need."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory
from werkzeug.exceptions import NotFound

from fieldapp.console import guards, pages
from fieldapp.console.headers import csp_nonce, secure_headers
from fieldapp.console.notices import pending, standing
from fieldapp.console.pages import navigation
from fieldapp.core.display_names import display_name
from fieldapp.web.surfaces import CONSOLE_BLUEPRINT

HERE = Path(__file__).resolve().parent
#: The console's own scripts.
STATIC = HERE / "static"
#: Front-end packages from npm, copied here by ``make assets`` (not committed).
VENDOR = HERE / "vendor"
#: Where GOV.UK Frontend's and MOJ Frontend's stylesheets expect their fonts and images.
ASSET_DIRECTORIES = (VENDOR / "govuk" / "assets", VENDOR / "moj" / "assets")
ASSET_MAX_AGE = 3600

bp = Blueprint(CONSOLE_BLUEPRINT, __name__, url_prefix="/console", template_folder="templates")
assets = Blueprint("console_assets", __name__)

bp.before_request(guards.refuse_forged_posts)
bp.after_request(secure_headers)
bp.app_context_processor(
    lambda: {
        "csp_nonce": csp_nonce,
        "notices": pending,
        "standing_notices": standing,
        "console_navigation": navigation(),
    }
)
bp.add_app_template_filter(display_name, "display_name")  # codes as people read them
pages.register_error_pages(bp)


def _send(directories: tuple[Path, ...], filename: str) -> Response:
    """The first of ``directories`` holding ``filename`` serves it (cacheable: no personal data)."""
    for directory in directories:
        if (directory / filename).is_file():
            response = send_from_directory(directory, filename, max_age=ASSET_MAX_AGE)
            response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}"
            return response
    raise NotFound()


@assets.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Fonts and images of GOV.UK Frontend and MOJ Frontend."""
    return _send(ASSET_DIRECTORIES, filename)


@assets.get("/console/static/<path:filename>")
def static(filename: str) -> Response:
    """The console's scripts, and the vendored packages under ``vendor/``."""
    if filename.startswith("vendor/"):
        return _send((VENDOR,), filename.removeprefix("vendor/"))
    return _send((STATIC,), filename)
