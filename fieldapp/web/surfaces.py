"""Which surface a request is routed to: the JSON API, or the console's HTML pages."""

from __future__ import annotations

from flask import request

#: The supervisor console's pages: signed in by its cookie, never by a token or an API key;
#: they take HTML forms and read their own query parameters.
CONSOLE_BLUEPRINT = "console"


def serves_console() -> bool:
    """Whether this request is routed to a console page."""
    return request.blueprint == CONSOLE_BLUEPRINT
