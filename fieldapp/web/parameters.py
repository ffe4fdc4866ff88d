"""Everything a request carries besides its body: the path, the query string and the headers.

Checked once for every request, before any view runs, so that no route has to remember:

- a query parameter the operation does not define is a 400 ``unknown_parameter`` naming it
  (a typo such as ``?stauts=open`` must not silently widen a list), once the caller is
  authenticated (a stranger gets the 401 first);
- a NUL byte or a lone surrogate in a path segment, query value or header is a 422 naming it,
  before access control (an API key is looked up in the database): PostgreSQL cannot store
  either, and no client has a reason to send them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from flask import Flask, current_app, request

from fieldapp.core.text import UNSTORABLE_TEXT_MESSAGE, has_unstorable_text
from fieldapp.errors import UnknownParameter, ValidationFailed
from fieldapp.web.surfaces import serves_console


@cache
def query_parameter_names(view: Callable[..., Any]) -> frozenset[str]:
    """The query parameters a view's OpenAPI documentation declares (none if it declares none)."""
    arguments = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    names: set[str] = set()
    for argument in arguments:
        if argument.get("in") != "query":
            continue
        schema = argument["schema"]
        schema = schema() if isinstance(schema, type) else schema
        names.update(
            field.data_key or name for name, field in schema.fields.items() if not field.dump_only
        )
    return frozenset(names)


def refuse_unknown_query_parameters() -> None:
    """A 400 naming every query parameter the routed operation does not take."""
    if request.endpoint is None or not request.args or serves_console():
        return  # unrouted requests become 404/405 in the one error shape; pages parse their own
    view = current_app.view_functions[request.endpoint]
    unknown = sorted(set(request.args) - query_parameter_names(view))
    if unknown:
        raise UnknownParameter(
            f"This operation does not take the query parameter(s): {', '.join(unknown)}.",
            errors={
                name[:64]: ["This operation does not take this parameter."] for name in unknown
            },
        )


def _unstorable(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The names of the pairs whose name or value holds a NUL byte or a lone surrogate."""
    return sorted({name for name, value in pairs if has_unstorable_text(name + value)})


def refuse_unstorable_text() -> None:
    """A 422 naming any path segment, query parameter or header holding unstorable text."""
    bad = _unstorable((name, str(value)) for name, value in (request.view_args or {}).items())
    bad += _unstorable(request.args.items(multi=True))
    bad += _unstorable(request.headers.items())
    if has_unstorable_text(request.path) and not bad:
        bad = ["path"]
    if bad:
        names = [name.encode("ascii", "replace").decode()[:64] for name in bad]
        raise ValidationFailed(errors={name: [UNSTORABLE_TEXT_MESSAGE] for name in names})


def init_app(app: Flask) -> None:
    """Check path, query and header text before anything (API-key lookup included) uses it."""
    app.before_request(refuse_unstorable_text)


def init_query_check(app: Flask) -> None:
    """Check query parameter names after access control, so that strangers learn nothing."""
    app.before_request(refuse_unknown_query_parameters)
