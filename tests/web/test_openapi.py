"""The committed OpenAPI document is what the code generates, and the docs need no CDN."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from flask.testing import FlaskClient

from fieldapp.connector.surface import OPERATIONS
from fieldapp.schemas.events import DETAILS_BY_TYPE
from fieldapp.web.openapi import generate_document
from fieldapp.web.openapi_enums import NAMED_ENUMS, named_enum_for

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.yaml"


def test_committed_openapi_yaml_matches_the_code(app: Flask) -> None:
    with app.app_context():
        generated = generate_document()
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "openapi.yaml is stale: run 'make openapi' and commit the result"
    )


def test_served_documents_equal_the_committed_one(client: FlaskClient) -> None:
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert client.get("/openapi.json").get_json() == committed
    served_yaml = client.get("/openapi.yaml")
    assert served_yaml.status_code == 200
    assert yaml.safe_load(served_yaml.get_data(as_text=True)) == committed


def test_document_describes_errors_as_problem_details() -> None:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.")
    default = document["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == ["application/problem+json"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], f"{method} {path}"
            assert operation.get("summary"), f"{method} {path} has no summary"


def test_docs_page_loads_its_assets_from_this_server(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"https?://", html), "docs must not load from a CDN"
    with client.get("/docs/assets/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200
        assert len(bundle.get_data()) > 100_000


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation of the document by (method, path)."""
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }


def test_every_operation_has_a_unique_pascal_case_operation_id() -> None:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    ids = [op.get("operationId") for op in _operations(document).values()]
    missing = [key for key, op in _operations(document).items() if "operationId" not in op]
    assert not missing, f"operations without an operationId: {missing}"
    assert all(re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", str(name)) for name in ids), ids
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_connector_operations_carry_the_document_operation_ids() -> None:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    operations = _operations(document)
    for operation in OPERATIONS:
        documented = operations[(operation.method, operation.path)]["operationId"]
        assert documented == operation.operation_id, f"{operation.method} {operation.path}"


def _inline_enums(node: Any, path: str = "") -> list[tuple[str, tuple[Any, ...]]]:
    """Every inline enum list in the document outside the components named for one."""
    found: list[tuple[str, tuple[Any, ...]]] = []
    if isinstance(node, dict):
        if "enum" in node:
            found.append((path, tuple(node["enum"])))
        for key, value in node.items():
            found += _inline_enums(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _inline_enums(value, f"{path}/{index}")
    return found


def test_each_closed_list_is_one_described_component_from_the_code() -> None:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    for named in NAMED_ENUMS:
        component = schemas[named.name]
        assert component["enum"] == list(named.values), named.name
        assert component.get("description"), named.name
    copies = [
        (path, values)
        for path, values in _inline_enums(document)
        if named_enum_for(values) is not None
        and path != f"/components/schemas/{named_enum_for(values).name}"  # type: ignore[union-attr]
    ]
    assert not copies, f"named enums repeated inline: {copies}"


def test_events_are_a_union_discriminated_by_type_with_typed_details() -> None:
    schemas = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))["components"]["schemas"]
    for union in ("Event", "EventCreate"):
        mapping = schemas[union]["discriminator"]["mapping"]
        assert list(mapping) == list(DETAILS_BY_TYPE), union
        assert [part["$ref"] for part in schemas[union]["oneOf"]] == list(mapping.values())
        for event_type, ref in mapping.items():
            variant = schemas[ref.rsplit("/", 1)[-1]]
            assert variant["properties"]["type"]["enum"] == [event_type]
            details = variant["properties"]["details"]["$ref"].rsplit("/", 1)[-1]
            assert details == DETAILS_BY_TYPE[event_type].__name__
            assert set(schemas[details]["properties"]) == set(DETAILS_BY_TYPE[event_type]().fields)


def test_servers_do_not_depend_on_the_machine_that_wrote_the_document() -> None:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert document["servers"][0]["url"] == "/"
    assert all("127.0.0.1" not in server["url"] for server in document["servers"])
