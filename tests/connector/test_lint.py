"""The connector lint: the Power Platform validator rules Microsoft's JSON schema misses."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fieldapp.connector.lint import is_filler, lint_definition


def _clean() -> dict[str, Any]:
    """A small definition that keeps every rule."""
    page = {
        "type": "object",
        "properties": {
            "value": {
                "type": "array",
                "items": {"type": "string"},
                "x-ms-summary": "Value",
                "description": "The items.",
            },
            "nextLink": {"type": "string", "x-ms-summary": "Next Link", "description": "Next."},
        },
    }
    get_case = {
        "operationId": "GetCase",
        "summary": "Get a case",
        "description": "Read one case.",
        "parameters": [
            {
                "name": "case_id",
                "in": "path",
                "required": True,
                "type": "string",
                "x-ms-summary": "Case ID",
                "description": "The case.",
                "x-ms-url-encoding": "single",
            }
        ],
        "responses": {
            "200": {"description": "OK", "schema": {"$ref": "#/definitions/Page"}},
            "default": {"description": "Error."},
        },
        "x-ms-pageable": {"nextLinkName": "nextLink"},
    }
    return {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "host": "example.org",
        "basePath": "/",
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": {"/cases/{case_id}": {"get": get_case}},
        "definitions": {"Page": page},
        "securityDefinitions": {"api_key": {"type": "apiKey", "in": "header", "name": "K"}},
        "security": [{"api_key": []}],
    }


def _operation(doc: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = doc["paths"]["/cases/{case_id}"]["get"]
    return operation


def test_a_clean_definition_has_no_findings() -> None:
    assert lint_definition(_clean()) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: _operation(d).update(operationId="getCase"), "OperationIdNotPascalCase"),
        (lambda d: _operation(d).update(summary="Get a case."), "OperationSummaryNotValid"),
        (lambda d: _operation(d).update(summary="x" * 81), "OperationSummaryNotValid"),
        (lambda d: _operation(d).update(description="Get a case"), "OperationDescription"),
        (
            lambda d: _operation(d)["responses"]["default"].update(schema={"type": "object"}),
            "DefaultResponseHasSchema",
        ),
        (
            lambda d: _operation(d)["responses"].update(
                {"202": {"description": "A", "schema": {"type": "object"}}}
            ),
            "SchemaDefinitionSetIncorrectly",
        ),
        (lambda d: _operation(d)["responses"].pop("200"), "OperationShouldHaveSuccessfulResponse"),
        (
            lambda d: _operation(d).update({"x-ms-pageable": {"nextLinkName": "next"}}),
            "InvalidNextLinkNameValue",
        ),
        (lambda d: d.update(produces=["application/problem+json"]), "MimeTypeNotValid"),
        (lambda d: d.update(swagger="3.0"), "SpecificationVersionIncorrect"),
        (lambda d: d.update(host="https://example.org"), "HostNameNotValid"),
        (lambda d: _operation(d)["parameters"][0].pop("x-ms-summary"), "ParameterSummary"),
        (lambda d: _operation(d)["parameters"][0].update(required=False), "PathParameterMust"),
        (
            lambda d: _operation(d)["parameters"][0].pop("x-ms-url-encoding"),
            "PathParameterMissingEncoding",
        ),
        (lambda d: _operation(d)["parameters"][0].update(name="x"), "OperationMissingPath"),
        (
            lambda d: d["definitions"]["Page"]["properties"]["value"].pop("items"),
            "ArrayHasNoItems",
        ),
        (
            lambda d: d["definitions"]["Page"]["properties"]["nextLink"].update(nullable=True),
            "SchemaKeywordNotAllowed",
        ),
        (
            lambda d: d["definitions"]["Page"]["properties"]["value"].pop("x-ms-summary"),
            "PropertySummaryMissing",
        ),
        (lambda d: d.update(security=[{"oauth": []}]), "SecurityRequirementMustBeDefined"),
        (
            lambda d: d["definitions"]["Page"]["properties"]["value"].update(
                description="The value."
            ),
            "PropertyDescriptionIsFiller",
        ),
        (
            lambda d: _operation(d)["parameters"][0].update(description="The case ID. Required."),
            "ParameterDescriptionIsFiller",
        ),
        (
            lambda d: _operation(d)["parameters"][0].update(enum=["a", "b"]),
            "EnumValueDisplayNameMissing",
        ),
        (
            lambda d: d["definitions"]["Page"]["properties"]["value"]["items"].update(
                enum=["a"], **{"x-ms-enum-values": [{"value": "b", "displayName": "B"}]}
            ),
            "EnumValueDisplayNameMissing",
        ),
    ],
)
def test_each_broken_rule_is_reported(change: Any, rule: str) -> None:
    doc = copy.deepcopy(_clean())
    change(doc)
    assert any(finding.startswith(rule) for finding in lint_definition(doc)), rule


def test_a_body_on_a_get_and_an_authorization_header_are_reported() -> None:
    doc = _clean()
    _operation(doc)["parameters"] += [
        {"name": "body", "in": "body", "schema": {"type": "object"}, "x-ms-summary": "B"},
        {"name": "Authorization", "in": "header", "type": "string", "x-ms-summary": "A"},
    ]
    findings = "\n".join(lint_definition(doc))
    assert "BodyOrFormDataParameterInFetchOperationNotAllowed" in findings
    assert "ReservedParameterIsUsed" in findings


def test_named_codes_and_real_descriptions_pass() -> None:
    doc = _clean()
    _operation(doc)["parameters"][0].update(
        enum=["a", None], **{"x-ms-enum-values": [{"value": "a", "displayName": "A"}]}
    )
    assert lint_definition(doc) == []
    assert is_filler("Due At", "The due at. A UTC date-time ending in Z.")
    assert not is_filler("Due At", "The deadline by which the person must be told.")


def test_duplicate_operation_ids_are_reported() -> None:
    doc = _clean()
    doc["paths"]["/other/{case_id}"] = {"get": copy.deepcopy(_operation(doc))}
    assert any(f.startswith("OperationIdNotUnique") for f in lint_definition(doc))


def test_a_drop_down_must_read_an_array() -> None:
    doc = _clean()
    _operation(doc)["parameters"][0]["x-ms-dynamic-values"] = {
        "operationId": "GetCase",
        "value-collection": "nextLink",
    }
    assert any(f.startswith("InvokedOperationShouldProduceArray") for f in lint_definition(doc))
    _operation(doc)["parameters"][0]["x-ms-dynamic-values"]["value-collection"] = "value"
    assert lint_definition(doc) == []
    _operation(doc)["parameters"][0]["x-ms-dynamic-list"] = {
        "operationId": "GetCase",
        "itemsPath": "nextLink",
    }
    assert any("x-ms-dynamic-list" in f for f in lint_definition(doc))


def _with_trigger() -> dict[str, Any]:
    """The clean definition plus a webhook trigger that keeps every rule."""
    doc = _clean()
    text = {"x-ms-summary": "URL", "description": "Where events go."}
    doc["definitions"]["Hook"] = {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "x-ms-notification-url": True,
                    "x-ms-visibility": "internal", **text},
        },
    }  # fmt: skip
    body = {"name": "body", "in": "body", "required": True, "x-ms-summary": "Body",
            "description": "The hook.", "schema": {"$ref": "#/definitions/Hook"}}  # fmt: skip
    path_id = dict(_operation(doc)["parameters"][0], name="hook_id")
    doc["paths"]["/hooks"] = {
        "x-ms-notification-content": {"schema": {"$ref": "#/definitions/Page"}},
        "post": {
            "operationId": "CreateHook",
            "summary": "When something happens",
            "description": "Starts a flow.",
            "x-ms-trigger": "single",
            "parameters": [body],
            "responses": {
                "201": {"description": "Created", "schema": {"$ref": "#/definitions/Page"},
                        "headers": {"Location": {"type": "string"}}},
                "default": {"description": "Error."},
            },
        },
    }  # fmt: skip
    doc["paths"]["/hooks/{hook_id}"] = {
        "delete": {
            "operationId": "DeleteHook",
            "summary": "Delete a hook",
            "description": "Stops the events.",
            "x-ms-visibility": "internal",
            "parameters": [path_id],
            "responses": {"204": {"description": "Gone"}, "default": {"description": "Error."}},
        }
    }
    return doc


def _hook(doc: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = doc["paths"]["/hooks"]["post"]
    return operation


def test_a_webhook_trigger_that_keeps_the_rules_is_clean() -> None:
    assert lint_definition(_with_trigger()) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: _hook(d).update({"x-ms-trigger": "many"}), "TriggerTypeNotValid"),
        (
            lambda d: d["definitions"]["Hook"]["properties"]["url"].pop("x-ms-notification-url"),
            "WebhookTriggerNotificationUrlMissing",
        ),
        (
            lambda d: d["definitions"]["Hook"].update(required=[]),
            "NotificationUrlParameterNotValid",
        ),
        (
            lambda d: d["definitions"]["Hook"]["properties"]["url"].update(type="integer"),
            "NotificationUrlParameterNotValid",
        ),
        (
            lambda d: d["definitions"]["Hook"]["properties"]["url"].update(
                {"x-ms-visibility": "important"}
            ),
            "NotificationUrlParameterNotInternal",
        ),
        (lambda d: d["paths"]["/hooks"].pop("x-ms-notification-content"), "NotificationContent"),
        (lambda d: _hook(d)["responses"]["201"].pop("headers"), "WebhookTriggerLocationMissing"),
        (lambda d: d["paths"].pop("/hooks/{hook_id}"), "WebhookTriggerDeleteMissing"),
        (
            lambda d: _operation(d)["parameters"].append(
                {
                    "name": "mode",
                    "in": "query",
                    "required": True,
                    "type": "string",
                    "x-ms-visibility": "internal",
                    "x-ms-summary": "Mode",
                    "description": "How to read.",
                }
            ),
            "InternalRequiredParameterWithoutDefault",
        ),
    ],
)
def test_each_broken_trigger_rule_is_reported(change: Any, rule: str) -> None:
    doc = _with_trigger()
    change(doc)
    assert any(finding.startswith(rule) for finding in lint_definition(doc)), rule
