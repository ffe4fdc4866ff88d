"""The blueprint class every API module uses: flask-smorest reading the pre-parsed body."""

from __future__ import annotations

from typing import Any

import flask
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser

from fieldapp.bodies import NO_BODY, current_body


class BodyParser(FlaskParser):
    """webargs parser that uses the body already checked for size, type and depth."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        """Return the parsed body, or ``missing`` when the request has none."""
        body = current_body()
        return core.missing if body is NO_BODY else body


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    """A flask-smorest blueprint with fieldapp's body parser."""

    ARGUMENTS_PARSER = BodyParser()
