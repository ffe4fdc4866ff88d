"""The blueprint class every API module uses: flask-smorest reading the pre-parsed body."""

from __future__ import annotations

from typing import Any

import flask
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser

from fieldapp.web.bodies import NO_BODY, current_body
from fieldapp.web.data_sources import DATA_SOURCE_DOC, declares_replica_reads

#: The security of an operation that an API key with the right scope may also call.
BEARER_OR_KEY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKey": []}]


class BodyParser(FlaskParser):
    """webargs parser that uses the body already checked for size, type and depth."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        """Return the parsed body, or ``missing`` when the request has none."""
        body = current_body()
        return core.missing if body is NO_BODY else body


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    """A flask-smorest blueprint with fieldapp's body parser."""

    ARGUMENTS_PARSER = BodyParser()

    def _store_endpoint_docs(
        self, endpoint: str, obj: Any, parameters: Any, tags: Any, **options: Any
    ) -> None:
        """Document API-key access (and the scope it needs) from the view's ``@allow``.

        A view that declares ``@reads_replica`` documents ``X-Data-Source`` on its success.
        """
        if declares_replica_reads(obj):
            for status, responses in obj._apidoc.get("response", {}).get("responses", {}).items():
                for response in responses:
                    if int(status) < 300 and isinstance(response, dict):
                        response.setdefault("headers", {}).update(DATA_SOURCE_DOC)
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        scope = getattr(getattr(obj, "access_policy", None), "scope", None)
        if scope is None:
            return
        for method, doc in self._docs[endpoint].items():
            if method != "parameters":
                manual = doc.setdefault("manual_doc", {})
                manual.setdefault("security", [dict(item) for item in BEARER_OR_KEY])
                manual["x-api-key-scope"] = scope
