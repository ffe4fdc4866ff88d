"""The document shows real examples: no "string" placeholders, and one on every request body."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator

from tests.web.openapi_document import as_json_schema, document


def _examples(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every ``example`` value in the document, with where it is."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                found.append((path, value))
            found += _examples(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _examples(value, f"{path}/{index}")
    return found


def _bodies() -> list[tuple[str, dict[str, Any]]]:
    """Each operation's JSON request body, by operationId."""
    return [
        (operation["operationId"], operation["requestBody"]["content"]["application/json"])
        for item in document()["paths"].values()
        for method, operation in item.items()
        if method != "parameters" and "requestBody" in operation
    ]


def test_no_example_is_a_placeholder() -> None:
    examples = _examples(document())
    assert len(examples) > 50
    assert [path for path, value in examples if value in ("string", "", 0)] == []


@pytest.mark.parametrize(("operation_id", "body"), _bodies(), ids=lambda v: str(v)[:30])
def test_every_request_body_has_a_valid_example(operation_id: str, body: dict[str, Any]) -> None:
    assert "example" in body, operation_id
    schema = {**as_json_schema(document()), **as_json_schema(body["schema"])}
    errors = [e.message for e in Draft7Validator(schema).iter_errors(body["example"])]
    assert errors == [], operation_id
