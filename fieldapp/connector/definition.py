"""The Power Platform connector definition, built from the same code as openapi.yaml.

Pure: the app's OpenAPI 3 document goes in as a plain dict, down-converted
(``fieldapp.connector.swagger2``) for the operations in ``fieldapp.connector.surface`` and
decorated for makers (ids, summaries, drop-downs, paging, the API-key header).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fieldapp.connector.surface import (
    ADVANCED_PARAMETERS,
    DYNAMIC_LISTS,
    DYNAMIC_VALUES,
    IDEMPOTENCY_NOTE,
    OPERATIONS,
    PARAMETER_TEXT,
    PATH_PARAMETER_TEXT,
    PROPERTY_TEXT,
    PROPERTY_TYPES,
    SECURITY_HEADERS,
    TEMPLATE_PICKER,
    TRIGGER_TEXT,
    TRIGGERS,
    ConnectorOperation,
    WebhookTrigger,
)
from fieldapp.connector.swagger2 import (
    convert_definitions,
    convert_parameter,
    convert_request_body,
    convert_responses,
    describe,
    flatten_document,
    schema_refs,
)
from fieldapp.core.display_names import display_name

DEFAULT_HOST = "fieldapp.example.police.uk"
DEFINITION_FILE = "apiDefinition.swagger.json"
PROPERTIES_FILE = "apiProperties.json"
JSON = "application/json"
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})
API_KEY_HEADER = "X-API-Key"
TITLE = "Fieldapp"
DESCRIPTION = (
    "Cases, victims, Victims' Code contact duties and victim-update messages written from "
    "reviewed templates, for officers' apps and supervisors' flows. Sign in with an API key "
    "an administrator created for you."
)
DEFAULT_RESPONSE = "An error, as RFC 9457 problem details with a code and a detail."


def _parameters(operation: ConnectorOperation, source: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Path, query and header parameters, then the body, decorated for makers."""
    path_item = source["paths"][operation.path]
    raw = [*path_item.get("parameters", []), *path_item[operation.method].get("parameters", [])]
    parameters = []
    for parameter in raw:
        if parameter["name"] in SECURITY_HEADERS:
            continue
        converted = convert_parameter(parameter)
        name = converted["name"]
        if name in PARAMETER_TEXT:
            converted["description"] = PARAMETER_TEXT[name]
        if converted["in"] == "path" and name in PATH_PARAMETER_TEXT:
            converted["description"] = PATH_PARAMETER_TEXT[name]
        if name == "Idempotency-Key":
            converted["description"] = f"{IDEMPOTENCY_NOTE} {converted['description']}"
        if name == "key" and converted["in"] == "path":
            converted["x-ms-dynamic-values"] = dict(TEMPLATE_PICKER)
        advanced = name in ADVANCED_PARAMETERS and not converted["required"]
        converted["x-ms-visibility"] = "advanced" if advanced else "important"
        parameters.append(converted)
    body = path_item[operation.method].get("requestBody")
    if body is not None:
        parameters.append(convert_request_body(body, summary=operation.summary))
    return parameters


def _operation(operation: ConnectorOperation, source: Mapping[str, Any]) -> dict[str, Any]:
    """One Swagger 2.0 operation from its OpenAPI 3 twin and its curated names."""
    original = source["paths"][operation.path][operation.method]
    described = {
        "summary": operation.summary,
        "description": original["summary"],  # the view's docstring, a full sentence
        "operationId": operation.operation_id,
        "x-ms-visibility": operation.visibility,
        "tags": original.get("tags", []),
        "parameters": _parameters(operation, source),
        "responses": convert_responses(original["responses"], default=DEFAULT_RESPONSE),
    }
    return described


def _decorate_definitions(definitions: dict[str, dict[str, Any]]) -> None:
    """Type computed fields, word thin descriptions and add the drop-downs, in place."""
    for definition in definitions.values():
        for field, prop in definition.get("properties", {}).items():
            if field in PROPERTY_TEXT and prop.get("description") == describe(field, {}):
                prop["description"] = PROPERTY_TEXT[field]
    for (name, field), extra in PROPERTY_TYPES.items():
        if name in definitions:
            definitions[name]["properties"][field].update(extra)
    for (name, field), dynamic in DYNAMIC_VALUES.items():
        if name in definitions:
            definitions[name]["properties"][field]["x-ms-dynamic-values"] = dict(dynamic)
    for (name, field), listing in DYNAMIC_LISTS.items():
        if name in definitions:
            definitions[name]["properties"][field]["x-ms-dynamic-list"] = dict(listing)


def enum_values(field: str, values: list[Any]) -> list[dict[str, Any]]:
    """Display names for a field's codes (``x-ms-enum-values``); null has none."""
    return [
        {"value": value, "displayName": display_name(str(value), field=field)}
        for value in values
        if value is not None
    ]


def _name_enums(node: dict[str, Any], field: str) -> None:
    """Give the codes of a property or parameter (or of its items) display names, in place."""
    for schema in (node, node.get("items")):
        if isinstance(schema, dict) and "enum" in schema:
            schema["x-ms-enum-values"] = enum_values(field, schema["enum"])


def _name_all_enums(paths: Mapping[str, Any], definitions: Mapping[str, Any]) -> None:
    """Every enum of the parameters and definitions shows display names in drop-downs."""
    for operation in _operations(paths):
        for parameter in operation.get("parameters", []):
            _name_enums(parameter, parameter["name"])
            _name_properties(parameter.get("schema", {}))
    for definition in definitions.values():
        _name_properties(definition)


def _name_properties(schema: Mapping[str, Any]) -> None:
    """The enums of a schema's properties, recursively."""
    for field, prop in schema.get("properties", {}).items():
        _name_enums(prop, field)
        _name_properties(prop)


def _body_schema(
    operation: Mapping[str, Any], definitions: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The (referenced) schema of an operation's body parameter, if it has one."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "body":
            ref = parameter["schema"].get("$ref", "").removeprefix("#/definitions/")
            found: dict[str, Any] | None = definitions.get(ref, parameter["schema"])
            return found
    return None


def _operations(paths: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the paths (path items also hold x-ms-notification-content)."""
    return [op for item in paths.values() for key, op in item.items() if key in METHODS]


def _notify_with(trigger: WebhookTrigger, paths: dict[str, Any]) -> None:
    """Say what a trigger's notifications carry, on its path item (in place)."""
    for item in paths.values():
        if any(op.get("operationId") == trigger.operation_id for op in item.values()):
            item["x-ms-notification-content"] = {
                "description": trigger.content,
                "schema": {"$ref": f"#/definitions/{trigger.event_schema}"},
            }


def _make_trigger(
    trigger: WebhookTrigger, paths: dict[str, Any], definitions: dict[str, Any]
) -> None:
    """Turn a subscription create into a webhook trigger (Power Automate's, in place)."""
    for operation in _operations(paths):
        if operation["operationId"] != trigger.operation_id:
            continue
        operation["description"] = trigger.description
        operation["x-ms-trigger"] = "single"
        operation["x-ms-trigger-hint"] = trigger.hint
        # The platform sends no key of its own: it creates a flow's subscription once.
        operation["parameters"] = [
            p for p in operation["parameters"] if p["name"] != "Idempotency-Key"
        ]
        for parameter in operation["parameters"]:
            if parameter["in"] == "body":
                parameter["description"] = trigger.body
        body = _body_schema(operation, definitions) or {}
        for name, prop in body.get("properties", {}).items():
            prop["description"] = TRIGGER_TEXT.get(name, prop["description"])
            prop["x-ms-visibility"] = "advanced" if name == "description" else "important"
        url = body["properties"][trigger.url_field]
        url.update({"x-ms-notification-url": True, "x-ms-visibility": "internal"})
        operation["responses"]["201"]["headers"] = {
            "Location": {"type": "string", "description": trigger.location}
        }


def _mark_pageable(paths: dict[str, Any], definitions: Mapping[str, Any]) -> None:
    """Operations whose answer carries nextLink at its root page with it."""
    for operation in _operations(paths):
        schema = operation["responses"].get("200", {}).get("schema", {})
        target = definitions.get(schema.get("$ref", "").removeprefix("#/definitions/"), {})
        if "nextLink" in target.get("properties", {}):
            operation["x-ms-pageable"] = {"nextLinkName": "nextLink"}


def build_definition(
    source: Mapping[str, Any], *, host: str = DEFAULT_HOST, scheme: str = "https"
) -> dict[str, Any]:
    """The connector's Swagger 2.0 definition from the app's OpenAPI 3 document."""
    source = flatten_document(source)  # unions and named enums as a connector can show them
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation, source)
    for trigger in TRIGGERS:
        _notify_with(trigger, paths)
    definitions = convert_definitions(source["components"]["schemas"], schema_refs(paths))
    _decorate_definitions(definitions)
    for trigger in TRIGGERS:
        _make_trigger(trigger, paths, definitions)
    _name_all_enums(paths, definitions)
    _mark_pageable(paths, definitions)
    return {
        "swagger": "2.0",
        "info": {"title": TITLE, "description": DESCRIPTION, "version": source["info"]["version"]},
        "host": host,
        "basePath": "/",
        "schemes": [scheme],
        "consumes": [JSON],
        "produces": [JSON],
        "paths": paths,
        "definitions": definitions,
        "securityDefinitions": {
            "api_key": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}
        },
        "security": [{"api_key": []}],
    }


def build_properties() -> dict[str, Any]:
    """The apiProperties.json beside the definition: the key parameter and paging policy."""
    pageable = [op.operation_id for op in OPERATIONS if op.operation_id.startswith("List")]
    return {
        "properties": {
            "connectionParameters": {
                "api_key": {
                    "type": "securestring",
                    "uiDefinition": {
                        "displayName": "API key",
                        "description": "The fieldapp API key an administrator created for you.",
                        "tooltip": "Shown once when the key is created; ask an administrator.",
                        "constraints": {"tabIndex": 2, "clearText": False, "required": "true"},
                    },
                }
            },
            "iconBrandColor": "#1d3a6e",
            "capabilities": [],
            "policyTemplateInstances": [
                {
                    "templateId": "updatenextlink",
                    "title": "Route nextLink through the connector",
                    "parameters": {
                        "x-ms-apimTemplate-operationName": pageable,
                        "x-ms-apimTemplateParameter.nextLinkPropertyName": "nextLink",
                    },
                }
            ],
        }
    }


def dump(document: Mapping[str, Any]) -> str:
    """JSON text as committed: four-space indents, a final newline."""
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"
