"""Down-converting OpenAPI 3 pieces to the Swagger 2.0 a Power Platform connector accepts."""

from __future__ import annotations

import pytest

from fieldapp.connector.swagger2 import (
    UnsupportedSchema,
    convert_definitions,
    convert_parameter,
    convert_request_body,
    convert_responses,
    convert_schema,
    flatten_document,
    title_case,
)

REF = "#/components/schemas/"


def test_title_case_spells_acronyms_in_capitals() -> None:
    assert title_case("case_id") == "Case ID"
    assert title_case("Idempotency-Key") == "Idempotency Key"
    assert title_case("nextLink") == "Next Link"
    assert title_case("preferred_channel") == "Preferred Channel"


def test_component_refs_point_at_definitions() -> None:
    schema = {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}
    assert convert_schema(schema) == {"type": "array", "items": {"$ref": "#/definitions/Case"}}


def test_described_single_all_of_becomes_a_bare_ref() -> None:
    schema = {"description": "SMS only.", "allOf": [{"$ref": "#/components/schemas/SmsCount"}]}
    assert convert_schema(schema) == {"$ref": "#/definitions/SmsCount"}


@pytest.mark.parametrize("keyword", ["oneOf", "anyOf", "not"])
def test_polymorphic_schemas_are_refused(keyword: str) -> None:
    with pytest.raises(UnsupportedSchema):
        convert_schema({keyword: [{"type": "string"}]})


def test_nullable_is_dropped_and_properties_get_display_text() -> None:
    schema = {
        "type": "object",
        "properties": {
            "phone": {"type": "string", "nullable": True, "description": "Absent if none"},
            "due_at": {"type": "string", "format": "date-time"},
        },
    }
    converted = convert_schema(schema)
    phone = converted["properties"]["phone"]
    assert "nullable" not in phone
    assert phone["x-ms-summary"] == "Phone"
    assert phone["description"] == "Absent if none."
    due = converted["properties"]["due_at"]
    assert due["x-ms-summary"] == "Due At"
    assert "2026-11-29T10:00:00.123Z" in due["description"]


def test_arrays_always_declare_items() -> None:
    assert convert_schema({"type": "array"})["items"] == {"type": "string"}


def test_unknown_formats_are_dropped() -> None:
    assert convert_schema({"type": "string", "format": "ipv4"}) == {"type": "string"}


def test_path_parameter_is_flattened_required_and_single_encoded() -> None:
    parameter = {"in": "path", "name": "case_id", "schema": {"type": "string", "format": "uuid"}}
    assert convert_parameter(parameter) == {
        "name": "case_id",
        "in": "path",
        "required": True,
        "type": "string",
        "format": "uuid",
        "description": "The case ID.",
        "x-ms-summary": "Case ID",
        "x-ms-url-encoding": "single",
    }


def test_query_parameter_documents_its_choices_and_default() -> None:
    parameter = {
        "in": "query",
        "name": "scope",
        "schema": {"type": "string", "enum": ["mine", "team"], "default": "mine"},
    }
    converted = convert_parameter(parameter)
    assert converted["required"] is False
    assert converted["enum"] == ["mine", "team"]
    assert "One of: mine, team." in converted["description"]
    assert "Default: mine." in converted["description"]


def test_request_body_becomes_one_body_parameter() -> None:
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}},
    }
    converted = convert_request_body(body, summary="Open a case")
    assert converted["in"] == "body"
    assert converted["schema"] == {"$ref": "#/definitions/X"}
    assert converted["required"] is True


def test_responses_keep_one_success_and_a_schemaless_default() -> None:
    responses = {
        "422": {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"},
        "201": {
            "description": "Created",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
        },
        "default": {"$ref": "#/components/responses/DEFAULT_ERROR"},
    }
    assert convert_responses(responses, default="Error.") == {
        "201": {"description": "Created", "schema": {"$ref": "#/definitions/Case"}},
        "default": {"description": "Error."},
    }


def test_accepted_response_carries_no_schema() -> None:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
    responses = {"202": {"description": "Accepted", "content": content}}
    assert convert_responses(responses, default="Error.")["202"] == {"description": "Accepted"}


def test_two_success_responses_are_refused() -> None:
    with pytest.raises(UnsupportedSchema):
        convert_responses({"200": {}, "201": {}}, default="Error.")


def test_definitions_include_only_what_is_reachable() -> None:
    components = {
        "Page": {"type": "object", "properties": {"value": {"$ref": "#/components/schemas/A"}}},
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "string"},
        "Unused": {"type": "string"},
    }
    assert list(convert_definitions(components, ["Page"])) == ["A", "B", "Page"]


def test_named_enums_are_inlined_with_the_fields_own_words() -> None:
    document = {
        "paths": {},
        "components": {
            "schemas": {
                "Channel": {"type": "string", "enum": ["sms", "email"], "description": "How."},
                "Victim": {
                    "type": "object",
                    "properties": {
                        "channel": {"allOf": [{"$ref": REF + "Channel"}], "description": "Own."},
                        "safe": {"type": "array", "items": {"$ref": REF + "Channel"}},
                    },
                },
            }
        },
    }
    victim = flatten_document(document)["components"]["schemas"]["Victim"]["properties"]
    assert victim["channel"] == {"type": "string", "enum": ["sms", "email"], "description": "Own."}
    assert victim["safe"]["items"]["enum"] == ["sms", "email"]


def test_a_discriminated_union_becomes_one_object_with_every_details_field() -> None:
    def variant(kind: str, details: str) -> dict[str, object]:
        return {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": [kind]},
                "details": {"$ref": REF + details},
            },
            "required": ["details", "type"] if kind == "bailed" else ["type"],
        }

    schemas = {
        "Event": {
            "oneOf": [{"$ref": REF + "ArrestedEvent"}, {"$ref": REF + "BailedEvent"}],
            "discriminator": {
                "propertyName": "type",
                "mapping": {"arrested": REF + "ArrestedEvent", "bailed": REF + "BailedEvent"},
            },
        },
        "ArrestedEvent": variant("arrested", "NoDetails"),
        "BailedEvent": variant("bailed", "BailDetails"),
        "NoDetails": {"type": "object", "properties": {"notes": {"type": "string"}}},
        "BailDetails": {
            "type": "object",
            "properties": {"answer_bail_on": {"type": "string", "format": "date"}},
            "required": ["answer_bail_on"],
        },
    }
    flat = flatten_document({"paths": {}, "components": {"schemas": schemas}})
    event = flat["components"]["schemas"]["Event"]
    assert "oneOf" not in event
    assert event["required"] == ["type"]
    assert event["properties"]["type"]["enum"] == ["arrested", "bailed"]
    assert set(event["properties"]["details"]["properties"]) == {"notes", "answer_bail_on"}
    assert "required" not in event["properties"]["details"]
