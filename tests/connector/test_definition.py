"""The Power Platform connector: committed files match the code and pass Microsoft's checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jsonschema import validators

from fieldapp.connector.blueprint import generate_definition
from fieldapp.connector.definition import build_properties, dump
from fieldapp.connector.lint import is_filler, lint_definition
from fieldapp.connector.surface import OPERATIONS
from fieldapp.web.openapi import current_api
from tests.powerplatform_schemas import load_schema, validator_for

COMMITTED = Path(__file__).resolve().parents[2] / "connector"
DEFINITION = COMMITTED / "apiDefinition.swagger.json"
PROPERTIES = COMMITTED / "apiProperties.json"
CREATES = {"CreateCase", "CreateVictim", "RecordEvent", "WriteMessage"}


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    """The committed connector definition."""
    loaded: dict[str, Any] = json.loads(DEFINITION.read_text(encoding="utf-8"))
    return loaded


def _operations(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Operations by operationId."""
    return {
        operation["operationId"]: operation
        for item in definition["paths"].values()
        for key, operation in item.items()
        if not key.startswith("x-ms-")  # x-ms-notification-content sits beside the methods
    }


def _walk(node: Any) -> list[Any]:
    """Every dict and list in a JSON document."""
    found = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        found += _walk(child)
    return found


def test_committed_connector_files_match_the_code(app: Flask) -> None:
    with app.app_context():
        generated = dump(generate_definition())
    assert DEFINITION.read_text(encoding="utf-8") == generated, (
        "connector/ is stale: run 'make connector' and commit the result"
    )
    assert PROPERTIES.read_text(encoding="utf-8") == dump(build_properties())


def test_definition_passes_microsofts_schema_with_no_errors(definition: dict[str, Any]) -> None:
    validator = validator_for("apiDefinition.swagger.schema.json")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(definition)]
    assert errors == []


def test_definition_keeps_every_validator_rule(definition: dict[str, Any]) -> None:
    assert lint_definition(definition) == []


def test_api_properties_pass_their_schema() -> None:
    schema = load_schema("paconn-apiProperties.schema.json")
    validator = validators.validator_for(schema)(schema)
    properties = json.loads(PROPERTIES.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(properties)] == []
    parameter = properties["properties"]["connectionParameters"]["api_key"]
    assert parameter["type"] == "securestring"


def test_schema_loader_keeps_double_slashes_inside_strings() -> None:
    schema = load_schema("apiDefinition.swagger.schema.json")
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_definition_is_swagger_two_with_the_key_header(definition: dict[str, Any]) -> None:
    assert definition["swagger"] == "2.0"
    assert definition["host"] == "fieldapp.example.police.uk"
    assert definition["schemes"] == ["https"]
    assert definition["securityDefinitions"] == {
        "api_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    assert definition["security"] == [{"api_key": []}]
    assert "problem+json" not in json.dumps(definition)


def test_no_polymorphic_or_nullable_schemas_anywhere(definition: dict[str, Any]) -> None:
    for node in _walk(definition["definitions"]):
        if isinstance(node, dict):
            assert not {"oneOf", "anyOf", "not", "nullable", "allOf"} & set(node)


def test_officer_and_supervisor_operations_are_all_offered(definition: dict[str, Any]) -> None:
    assert set(_operations(definition)) == {
        "GetMe", "ListCases", "GetCase", "CreateCase", "UpdateCase", "ListVictims", "GetVictim",
        "UpdateVictim", "CreateVictim", "ListEvents",
        "RecordEvent", "ListDuties", "CloseDuty", "ListTemplates", "GetTemplate",
        "PreviewTemplate", "ListTemplateFields", "WriteMessage", "ListMessages", "GetMessage",
        "SendMessage", "ConfirmMessageSent", "GetComplianceMetrics", "CreateWebhook",
        "DeleteWebhook",
    }  # fmt: skip


def test_every_field_and_parameter_is_described_and_every_code_named(
    definition: dict[str, Any],
) -> None:
    described = [
        node
        for node in _walk(definition)
        if isinstance(node, dict) and "x-ms-summary" in node and "$ref" not in node
    ]
    assert len(described) > 250
    filler = [n["description"] for n in described if is_filler(n["x-ms-summary"], n["description"])]
    assert filler == []
    enums = [node for node in _walk(definition) if isinstance(node, dict) and "enum" in node]
    unnamed = [
        node["enum"]
        for node in enums
        if [e["value"] for e in node.get("x-ms-enum-values", [])]
        != [v for v in node["enum"] if v is not None]
    ]
    assert len(enums) > 40
    assert unnamed == []


def test_codes_show_the_names_people_read(definition: dict[str, Any]) -> None:
    event_type = definition["definitions"]["EventCreate"]["properties"]["type"]
    names = {e["value"]: e["displayName"] for e in event_type["x-ms-enum-values"]}
    assert names["no_further_action"] == "No further action"
    assert names["vrr_requested"] == "VRR requested"
    victim = definition["definitions"]["VictimCreate"]["properties"]
    languages = {e["value"]: e["displayName"] for e in victim["language"]["x-ms-enum-values"]}
    assert languages == {"en": "English", "cy": "Welsh", "bilingual": "Welsh and English"}
    interpreter = {
        e["value"]: e["displayName"] for e in victim["interpreter_language"]["x-ms-enum-values"]
    }
    assert interpreter["pl"] == "Polish"
    roles = {e["value"]: e["displayName"] for e in victim["recipient_role"]["x-ms-enum-values"]}
    assert roles["parent_guardian"] == "Parent or guardian"


def test_changes_take_the_version_read_as_if_match(definition: dict[str, Any]) -> None:
    operations = _operations(definition)
    for operation_id in ("UpdateCase", "UpdateVictim", "CloseDuty"):
        match = next(p for p in operations[operation_id]["parameters"] if p["name"] == "If-Match")
        assert match["required"] is True
        assert "version field" in match["description"]
    assert operations["GetMe"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/Me"}


def test_events_start_flows_through_a_webhook_trigger(definition: dict[str, Any]) -> None:
    item = definition["paths"]["/api/v1/webhooks"]
    trigger = item["post"]
    assert trigger["operationId"] == "CreateWebhook"
    assert (trigger["x-ms-trigger"], trigger["summary"]) == (
        "single",
        "When a fieldapp event happens",
    )
    assert trigger["x-ms-trigger-hint"]
    assert [p["name"] for p in trigger["parameters"]] == ["body"]  # no Idempotency-Key to fill
    body = definition["definitions"]["WebhookCreate"]
    url = body["properties"]["url"]
    assert (url["x-ms-notification-url"], url["x-ms-visibility"], url["type"]) == (
        True, "internal", "string",
    )  # fmt: skip
    assert "url" in body["required"]
    events = body["properties"]["events"]["items"]["x-ms-enum-values"]
    assert {"value": "duty.overdue", "displayName": "Duty overdue"} in events
    assert "Location" in trigger["responses"]["201"]["headers"]
    content = item["x-ms-notification-content"]
    assert content["schema"] == {"$ref": "#/definitions/WebhookEvent"}
    data = definition["definitions"]["WebhookEvent"]["properties"]["data"]
    fields = definition["definitions"][data["$ref"].removeprefix("#/definitions/")]["properties"]
    assert {"case_id", "duty_id", "due_at", "message_status"} <= set(fields)
    assert all(field["x-ms-summary"] and field["description"] for field in fields.values())
    delete = definition["paths"]["/api/v1/webhooks/{webhook_id}"]["delete"]
    assert (delete["operationId"], delete["x-ms-visibility"]) == ("DeleteWebhook", "internal")


def test_operation_ids_are_the_openapi_documents(app: Flask) -> None:
    with app.app_context():
        source = current_api().spec.to_dict()
    for operation in OPERATIONS:
        named = source["paths"][operation.path][operation.method].get("operationId")
        assert named in (None, operation.operation_id), operation  # None: not yet named there


def test_every_create_documents_an_advanced_idempotency_key(definition: dict[str, Any]) -> None:
    operations = _operations(definition)
    for operation_id in CREATES:
        keys = [p for p in operations[operation_id]["parameters"] if p["name"] == "Idempotency-Key"]
        assert len(keys) == 1, operation_id
        assert keys[0]["x-ms-visibility"] == "advanced"
        assert "GUID()" in keys[0]["description"]


def test_lists_with_next_link_are_pageable(definition: dict[str, Any]) -> None:
    operations = _operations(definition)
    for operation_id in ("ListCases", "ListDuties", "ListTemplates", "ListMessages"):
        assert operations[operation_id]["x-ms-pageable"] == {"nextLinkName": "nextLink"}
    cursor = next(p for p in operations["ListDuties"]["parameters"] if p["name"] == "cursor")
    assert cursor["x-ms-visibility"] == "advanced"


def test_write_message_offers_template_and_victim_drop_downs(definition: dict[str, Any]) -> None:
    fields = definition["definitions"]["MessageCreate"]["properties"]
    assert fields["template_key"]["x-ms-dynamic-values"]["operationId"] == "ListTemplates"
    picker = fields["template_key"]["x-ms-dynamic-values"]["parameters"]
    assert picker == {"victim_id": {"parameter": "victim_id"}, "duty_id": {"parameter": "duty_id"}}
    listing = fields["template_key"]["x-ms-dynamic-list"]
    assert listing["parameters"]["duty_id"] == {"parameterReference": "body/duty_id"}
    assert (listing["itemsPath"], listing["itemValuePath"]) == ("value", "key")
    list_templates = _operations(definition)["ListTemplates"]["parameters"]
    assert {"victim_id", "duty_id", "event_type"} <= {p["name"] for p in list_templates}
    victim = fields["victim_id"]["x-ms-dynamic-values"]
    assert victim["operationId"] == "ListVictims"
    assert victim["parameters"] == {"case_id": {"parameter": "case_id"}}
    assert victim["value-path"] == "id"


def test_date_times_are_documented_with_milliseconds(definition: dict[str, Any]) -> None:
    occurred = definition["definitions"]["EventCreate"]["properties"]["occurred_at"]
    assert "2026-11-29T10:00:00.123Z" in occurred["description"]


def test_send_answers_202_without_a_schema(definition: dict[str, Any]) -> None:
    responses = _operations(definition)["SendMessage"]["responses"]
    assert responses == {
        "202": {"description": "Accepted"},
        "default": {"description": responses["default"]["description"]},
    }


def test_served_files_are_public_and_follow_the_request_host(client: FlaskClient) -> None:
    served = client.get("/connector/apiDefinition.swagger.json", base_url="https://force.test")
    assert served.status_code == 200
    document = served.get_json()
    assert document["host"] == "force.test"
    committed = json.loads(DEFINITION.read_text(encoding="utf-8"))
    assert {**document, "host": committed["host"]} == committed
    properties = client.get("/connector/apiProperties.json")
    assert properties.status_code == 200
    assert properties.get_json() == json.loads(PROPERTIES.read_text(encoding="utf-8"))


def test_write_command_writes_both_files(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["connector", "write", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "apiDefinition.swagger.json").read_text(encoding="utf-8") == (
        DEFINITION.read_text(encoding="utf-8")
    )
    assert (tmp_path / "apiProperties.json").exists()
