"""fieldapp: the JSON API behind police officers' work phones."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldapp import console, database
from fieldapp.api import register as register_api
from fieldapp.api.context import PASSWORDS_KEY
from fieldapp.audit_keys import ledger_settings
from fieldapp.commands import register as register_commands
from fieldapp.config import build_config
from fieldapp.connector import blueprint as connector
from fieldapp.services.passwords import Passwords
from fieldapp.version import __version__
from fieldapp.web import (
    access,
    bodies,
    data_sources,
    logs,
    openapi,
    parameters,
    principals,
    problems,
    refusals,
    tokens,
)
from fieldapp.web.limits import init_app as init_limits

__all__ = ["__version__", "create_app"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_instance_path() -> Path:
    """``instance/`` in the checkout; from an installed package, in the working directory."""
    # An installed package's parent is site-packages: never keep databases or keys in there.
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "instance"
    return Path.cwd() / "instance"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from the environment, with optional overrides for tests."""
    instance = Path(os.environ.get("FIELDAPP_INSTANCE_PATH") or default_instance_path())
    app = Flask(__name__, instance_path=str(instance.resolve()), static_folder=None)
    app.config.from_mapping(build_config(os.environ, instance))
    app.config.from_mapping(ledger_settings(os.environ, instance))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.extensions[PASSWORDS_KEY] = Passwords(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_COST"],
        parallelism=app.config["ARGON2_PARALLELISM"],
    )
    # Order matters: request id first, then body and parameter checks, rate limits, and access.
    logs.init_app(app)
    bodies.init_app(app)
    parameters.init_app(app)
    database.init_app(app)
    principals.init_app(app)
    tokens.init_app(app)
    init_limits(app)
    api = openapi.init_app(app)
    register_api(api)
    connector.init_app(app)
    console.init_app(app)
    access.init_app(app)
    refusals.init_app(app)
    data_sources.init_app(app)
    parameters.init_query_check(app)
    problems.init_app(app)
    register_commands(app)
    return app
