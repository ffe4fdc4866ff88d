"""Lint a Swagger 2.0 connector definition for the Power Platform rules its JSON schema misses.

Microsoft's schema checks the shape; its certification validator adds rules the schema
cannot express (unique PascalCase operation ids, short summaries, one success schema on
200/201, no schema on ``default``, the MIME whitelist, ...). :func:`lint_definition`
returns one finding per broken rule, each naming the rule and where; none means clean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
MIME_TYPES = frozenset(
    {"application/json", "text/plain", "multipart/form-data", "application/x-www-form-urlencoded"}
)
NEXT_LINK_NAMES = frozenset({"nextLink", "@odata.nextLink"})
TRIGGER_KINDS = frozenset({"single", "batch"})
FORBIDDEN_PARAMETERS = frozenset({"authorization", "connectionid"})
FORBIDDEN_SCHEMA_KEYWORDS = ("oneOf", "anyOf", "not", "nullable")
PASCAL_CASE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
SUMMARY_CHARACTERS = re.compile(r"^[A-Za-z0-9 ()]+$")
MAX_SUMMARY = 80
MAX_OPERATIONS = 256
MAX_BYTES = 1_000_000
DEFINITIONS = "#/definitions/"
#: Drop-down extensions and the key naming the array they list, in the called operation's answer.
DYNAMIC_COLLECTIONS = (
    ("x-ms-dynamic-values", "value-collection"),
    ("x-ms-dynamic-list", "itemsPath"),
)


def is_filler(summary: str, description: str) -> bool:
    """Whether a description only repeats the display name ("The overdue." for Overdue)."""
    first = description.strip().split(". ")[0].strip().rstrip(".").lower()
    name = summary.strip().lower()
    return first in {name, f"the {name}", f"a {name}", f"an {name}"}


def _text_findings(node: Mapping[str, Any], place: str, kind: str) -> Iterator[str]:
    """A property or parameter has a display name, a real description, and enum display names."""
    summary, description = node.get("x-ms-summary"), node.get("description")
    if not summary:
        yield f"{kind}SummaryMissing: {place} has no x-ms-summary"
    if not description:
        yield f"{kind}DescriptionMissing: {place} has no description"
    elif summary and is_filler(str(summary), str(description)):
        yield f"{kind}DescriptionIsFiller: {place} says only {description.split('. ')[0]!r}"
    yield from _enum_findings(node, place)


def _enum_findings(node: Mapping[str, Any], place: str) -> Iterator[str]:
    """Every enum value (but null) has exactly one display name in x-ms-enum-values."""
    for where, schema in ((place, node), (f"{place}[items]", node.get("items"))):
        if not isinstance(schema, Mapping) or "enum" not in schema:
            continue
        named = [entry.get("value") for entry in schema.get("x-ms-enum-values", [])]
        wanted = [value for value in schema["enum"] if value is not None]
        if sorted(map(str, named)) != sorted(map(str, wanted)):
            yield f"EnumValueDisplayNameMissing: {where} needs x-ms-enum-values for each value"


def _operations(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Every (path, method, operation) of the document."""
    for path, item in doc.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def _schema_findings(schema: Any, where: str, definitions: Mapping[str, Any]) -> Iterator[str]:
    """Rules every schema object keeps, checked recursively."""
    if not isinstance(schema, Mapping):
        return
    for keyword in FORBIDDEN_SCHEMA_KEYWORDS:
        if keyword in schema:
            yield f"SchemaKeywordNotAllowed: {where} uses '{keyword}'"
    ref = schema.get("$ref")
    if ref is not None:
        if not ref.startswith(DEFINITIONS) or ref.removeprefix(DEFINITIONS) not in definitions:
            yield f"SchemaReferenceNotValid: {where} refers to {ref}"
        if len(schema) > 1:
            yield f"AdditionalPropertyNotAllowedAdjacentToRef: {where}"
        return
    if schema.get("type") == "array" and "items" not in schema:
        yield f"ArrayHasNoItems: {where}"
    if "enum" in schema and not schema["enum"]:
        yield f"EnumMustContainAtLeastOneElement: {where}"
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in properties:
            yield f"RequiredPropertyDefinitionMissing: {where} requires '{name}'"
    for name, prop in properties.items():
        place = f"{where}.{name}"
        if isinstance(prop, Mapping) and "$ref" not in prop:
            yield from _text_findings(prop, place, "Property")
        yield from _schema_findings(prop, place, definitions)
    for key in ("items", "additionalProperties"):
        yield from _schema_findings(schema.get(key), f"{where}[{key}]", definitions)


def _parameter_findings(
    path: str, method: str, operation: Mapping[str, Any], definitions: Mapping[str, Any]
) -> Iterator[str]:
    """Rules on one operation's parameters."""
    where = f"{method.upper()} {path}"
    parameters = operation.get("parameters", [])
    bodies = [p for p in parameters if p.get("in") == "body"]
    if bodies and method == "get":
        yield f"BodyOrFormDataParameterInFetchOperationNotAllowed: {where}"
    if len(bodies) > 1:
        yield f"OperationParametersContainMultipleBodyParameters: {where}"
    declared = {p["name"] for p in parameters if p.get("in") == "path"}
    for name in sorted(set(re.findall(r"{([^}]+)}", path)) - declared):
        yield f"OperationMissingPathParameter: {where} lacks '{name}'"
    for parameter in parameters:
        place = f"{where} parameter '{parameter.get('name')}'"
        if str(parameter.get("name", "")).lower() in FORBIDDEN_PARAMETERS:
            yield f"ReservedParameterIsUsed: {place}"
        if parameter.get("in") != "body":
            yield from _text_findings(parameter, place, "Parameter")
        elif not parameter.get("x-ms-summary") or not parameter.get("description"):
            yield f"ParameterSummaryMissing: {place}"
        hidden = parameter.get("x-ms-visibility") == "internal" and parameter.get("required")
        filled_in = "default" in parameter or parameter.get("x-ms-notification-url")
        if hidden and not filled_in:
            yield f"InternalRequiredParameterWithoutDefault: {place}"
        if parameter.get("in") == "path":
            if parameter.get("required") is not True:
                yield f"PathParameterMustBeRequired: {place}"
            if "x-ms-url-encoding" not in parameter:
                yield f"PathParameterMissingEncoding: {place}"
        if "schema" in parameter:
            yield from _schema_findings(parameter["schema"], place, definitions)
        elif parameter.get("type") == "array" and "items" not in parameter:
            yield f"ArrayHasNoItems: {place}"


def _response_findings(
    where: str, operation: Mapping[str, Any], doc: Mapping[str, Any]
) -> Iterator[str]:
    """One success response, its schema only on 200/201, no schema on default; paging."""
    responses = operation.get("responses", {})
    success = [code for code in responses if str(code).startswith("2")]
    if not success:
        yield f"OperationShouldHaveSuccessfulResponse: {where}"
    with_schema = [code for code in responses if "schema" in responses[code]]
    if len([c for c in with_schema if c != "default"]) > 1:
        yield f"OperationHasManyResponsesWithSchema: {where}"
    for code in with_schema:
        if code == "default":
            yield f"DefaultResponseHasSchema: {where}"
        elif code not in ("200", "201"):
            yield f"SchemaDefinitionSetIncorrectly: {where} has a schema on {code}"
    for code in success:
        if code in ("200", "201") and "schema" not in responses[code]:
            yield f"SuccessResponseSchemaMissing: {where} {code} has no schema"
    for code, response in responses.items():
        yield from _schema_findings(
            response.get("schema"), f"{where} {code}", doc.get("definitions", {})
        )
    pageable = operation.get("x-ms-pageable")
    if pageable is not None:
        name = pageable.get("nextLinkName")
        if name not in NEXT_LINK_NAMES:
            yield f"InvalidNextLinkNameValue: {where} uses {name!r}"
        elif name not in _root_properties(doc, responses.get("200", {}).get("schema", {})):
            yield f"NextLinkNotInResponse: {where} has no root property {name!r}"


def _root_properties(doc: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The top-level properties of a response schema, following one $ref."""
    ref = schema.get("$ref", "")
    if ref.startswith(DEFINITIONS):
        schema = doc.get("definitions", {}).get(ref.removeprefix(DEFINITIONS), {})
    properties: Mapping[str, Any] = schema.get("properties", {})
    return properties


def _notification_urls(
    operation: Mapping[str, Any], doc: Mapping[str, Any]
) -> list[tuple[str, Mapping[str, Any], bool]]:
    """Each (name, schema, required) marked x-ms-notification-url: a parameter, or a property
    of the body's schema (following one $ref)."""
    found: list[tuple[str, Mapping[str, Any], bool]] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "body":
            if parameter.get("x-ms-notification-url"):
                found.append((parameter["name"], parameter, parameter.get("required") is True))
            continue
        body = parameter.get("schema", {})
        ref = body.get("$ref", "")
        if ref.startswith(DEFINITIONS):
            body = doc.get("definitions", {}).get(ref.removeprefix(DEFINITIONS), {})
        required = set(body.get("required", [])) if parameter.get("required") is True else set()
        for name, prop in body.get("properties", {}).items():
            if isinstance(prop, Mapping) and prop.get("x-ms-notification-url"):
                found.append((f"body.{name}", prop, name in required))
    return found


def _trigger_findings(
    path: str, method: str, operation: Mapping[str, Any], doc: Mapping[str, Any]
) -> Iterator[str]:
    """A webhook trigger: one notification URL (required, string, internal), the notification
    content on its path, and a 201 whose Location a DELETE operation serves."""
    where = f"{method.upper()} {path}"
    kind = operation.get("x-ms-trigger")
    if kind is None:
        return
    if kind not in TRIGGER_KINDS:
        yield f"TriggerTypeNotValid: {where} has x-ms-trigger {kind!r}"
    if method == "get":
        return  # a polling trigger: no subscription to make or delete
    urls = _notification_urls(operation, doc)
    if len(urls) != 1:
        yield f"WebhookTriggerNotificationUrlMissing: {where} needs exactly one, has {len(urls)}"
    for name, schema, required in urls:
        if not (required and schema.get("type") == "string"):
            yield f"NotificationUrlParameterNotValid: {where} {name} must be a required string"
        if schema.get("x-ms-visibility") != "internal":
            yield f"NotificationUrlParameterNotInternal: {where} {name} must be internal"
    content = doc.get("paths", {}).get(path, {}).get("x-ms-notification-content")
    if not isinstance(content, Mapping) or "schema" not in content:
        yield f"NotificationContentMissing: {where} has no x-ms-notification-content schema"
    created = operation.get("responses", {}).get("201", {})
    if "Location" not in created.get("headers", {}):
        yield f"WebhookTriggerLocationMissing: {where} needs a 201 with a Location header"
    deletes = [p for p, m, _ in _operations(doc) if m == "delete" and p.startswith(path + "/{")]
    if not deletes:
        yield f"WebhookTriggerDeleteMissing: {where} has no DELETE for the Location it answers"


def _operation_findings(
    path: str, method: str, operation: Mapping[str, Any], doc: Mapping[str, Any]
) -> Iterator[str]:
    """Naming, text, MIME types and security of one operation."""
    where = f"{method.upper()} {path}"
    operation_id = operation.get("operationId", "")
    if not PASCAL_CASE.match(operation_id):
        yield f"OperationIdNotPascalCase: {where} has {operation_id!r}"
    summary = operation.get("summary", "")
    if not summary:
        yield f"OperationSummaryMissing: {where}"
    elif len(summary) > MAX_SUMMARY or not SUMMARY_CHARACTERS.match(summary):
        yield f"OperationSummaryNotValid: {where}: {summary!r}"
    description = operation.get("description", "")
    if not description or description == summary:
        yield f"OperationDescriptionNotValid: {where} needs a description unlike its summary"
    for key in ("consumes", "produces"):
        for mime in set(operation.get(key, [])) - MIME_TYPES:
            yield f"MimeTypeNotValid: {where} {key} {mime}"
    yield from _parameter_findings(path, method, operation, doc.get("definitions", {}))
    yield from _response_findings(where, operation, doc)
    yield from _trigger_findings(path, method, operation, doc)


def _document_findings(doc: Mapping[str, Any]) -> Iterator[str]:
    """Rules on the document as a whole."""
    if doc.get("swagger") != "2.0":
        yield "SpecificationVersionIncorrect: swagger must be '2.0'"
    if not re.fullmatch(r"[^{}/ :\\]+(:\d+)?", str(doc.get("host", ""))):
        yield f"HostNameNotValid: {doc.get('host')!r}"
    if not str(doc.get("basePath", "")).startswith("/"):
        yield "BasePathNotValid: basePath must start with '/'"
    schemes = doc.get("schemes", [])
    if not schemes or set(schemes) - {"http", "https"}:
        yield f"SchemeNotSupported: {schemes}"
    for key in ("consumes", "produces"):
        if not doc.get(key):
            yield f"ConsumesMissing: no top-level {key}"
        for mime in set(doc.get(key, [])) - MIME_TYPES:
            yield f"MimeTypeNotValid: {key} {mime}"
    defined = doc.get("securityDefinitions", {})
    for requirement in doc.get("security", []):
        for name, scopes in requirement.items():
            if name not in defined:
                yield f"SecurityRequirementMustBeDefined: {name}"
            if not isinstance(scopes, list):
                yield f"SecurityRequirementMustHaveValue: {name}"
    for name, schema in doc.get("definitions", {}).items():
        yield from _schema_findings(schema, f"#/definitions/{name}", doc.get("definitions", {}))


def _dynamic_value_findings(doc: Mapping[str, Any]) -> Iterator[str]:
    """Every x-ms-dynamic-values names an operation that returns an array where it says."""
    by_id = {op.get("operationId"): op for _, _, op in _operations(doc)}

    def walk(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, Mapping):
            for extension, key in DYNAMIC_COLLECTIONS:
                dynamic = node.get(extension)
                if not isinstance(dynamic, Mapping):
                    continue
                target = by_id.get(dynamic.get("operationId"))
                schema = (target or {}).get("responses", {}).get("200", {}).get("schema", {})
                collection = _root_properties(doc, schema).get(str(dynamic.get(key, "")))
                if target is None or not collection or collection.get("type") != "array":
                    yield f"InvokedOperationShouldProduceArray: {where} ({extension})"
            for key, value in node.items():
                yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}/{index}")

    yield from walk(doc, "#")


def lint_definition(doc: Mapping[str, Any]) -> list[str]:
    """Every Power Platform rule the definition breaks (an empty list when it is clean)."""
    findings = list(_document_findings(doc))
    operations = list(_operations(doc))
    if len(operations) > MAX_OPERATIONS:
        findings.append(f"TotalOperationsCountExceedsMaxAllowed: {len(operations)}")
    if len(json.dumps(doc).encode("utf-8")) >= MAX_BYTES:
        findings.append("SwaggerFileTooLarge: the definition must be under 1 MB")
    seen: dict[str, str] = {}
    for path, method, operation in operations:
        operation_id = operation.get("operationId", "")
        if operation_id in seen:
            findings.append(f"OperationIdNotUnique: {operation_id} ({seen[operation_id]})")
        seen[operation_id] = f"{method.upper()} {path}"
        findings.extend(_operation_findings(path, method, operation, doc))
    findings.extend(_dynamic_value_findings(doc))
    return findings
