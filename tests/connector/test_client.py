"""End to end through the connector definition alone, as Power Apps would call the API.

A tiny client reads the generated apiDefinition.swagger.json and knows nothing else:
it finds operations by operationId, builds requests from their parameter definitions,
signs every call with the security definition's key header, resolves drop-downs from
``x-ms-dynamic-values`` and follows ``nextLink``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.services.templates.library import import_library
from tests.connector.test_definition import DEFINITION
from tests.factories import bearer, create_team, create_user, login
from tests.factories.webhooks import stand_in_dns


class ConnectorClient:
    """Calls operations the way the connector runtime does, from the definition only."""

    def __init__(self, client: FlaskClient, definition: dict[str, Any], key: str) -> None:
        self.client = client
        self.definition = definition
        scheme = definition["securityDefinitions"][next(iter(definition["security"][0]))]
        self.auth = {scheme["name"]: key}
        self.operations = {
            op["operationId"]: (method, path, op)
            for path, item in definition["paths"].items()
            for method, op in item.items()
            if not method.startswith("x-ms-")
        }

    def call(self, operation_id: str, **arguments: Any) -> Any:
        """Invoke an operation; arguments are named as its parameters; answers the body."""
        return self.respond(operation_id, **arguments).get_json()

    def respond(self, operation_id: str, **arguments: Any) -> TestResponse:
        """Invoke an operation; the whole response (status, headers, body)."""
        method, path, operation = self.operations[operation_id]
        query: dict[str, Any] = {}
        headers = dict(self.auth)
        body = None
        for parameter in operation["parameters"]:
            name = parameter["name"]
            if name not in arguments:
                assert not parameter.get("required"), f"{operation_id} needs {name}"
                continue
            value = arguments.pop(name)
            if parameter["in"] == "path":
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
            elif parameter["in"] == "query":
                query[name] = str(value).lower() if isinstance(value, bool) else value
            elif parameter["in"] == "header":
                headers[name] = str(value)
            else:
                body = value
        assert not arguments, f"{operation_id} has no parameters {sorted(arguments)}"
        response = self.client.open(
            path, method=method.upper(), query_string=query, headers=headers, json=body
        )
        assert str(response.status_code) in operation["responses"], response.get_json()
        return response

    def pages(self, operation_id: str, **arguments: Any) -> Iterator[dict[str, Any]]:
        """Every item of a pageable list, following nextLink as the platform does."""
        link_name = self.operations[operation_id][2]["x-ms-pageable"]["nextLinkName"]
        page = self.call(operation_id, **arguments)
        while True:
            yield from page["value"]
            if link_name not in page:
                return
            link = urlsplit(page[link_name])
            response = self.client.get(f"{link.path}?{link.query}", headers=self.auth)
            assert response.status_code == 200, response.get_json()
            page = response.get_json()

    def choices(self, definition_name: str, field: str, **caller: Any) -> list[dict[str, Any]]:
        """A drop-down's items: the (value, title) pairs its x-ms-dynamic-values lists."""
        schema = self.definition["definitions"][definition_name]["properties"][field]
        dynamic = schema["x-ms-dynamic-values"]
        arguments = {
            name: caller[source["parameter"]]
            for name, source in dynamic.get("parameters", {}).items()
            if source["parameter"] in caller  # a field not filled in yet is left out
        }
        target = self.operations[dynamic["operationId"]][2]
        if "x-ms-pageable" in target:
            items = list(self.pages(dynamic["operationId"], **arguments))
        else:
            items = self.call(dynamic["operationId"], **arguments)[dynamic["value-collection"]]
        return [
            {"value": item[dynamic["value-path"]], "title": item[dynamic["value-title"]], **item}
            for item in items
        ]


@pytest.fixture
def connector(app: Flask, client: FlaskClient, session: Session) -> ConnectorClient:
    """The connector, signed in with an officer's API key that an admin created."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    team = create_team(session, name="Northgate Response")
    officer = create_user(app, session, username="pc.conn", team=team, phone="+442079460127")
    create_user(app, session, username="admin.conn", team=team, role="admin")
    admin = login(client, "admin.conn")["access_token"]
    created = client.post(
        "/api/v1/api-keys",
        json={"name": "Officer app", "user_id": str(officer.id), "scopes": SCOPES},
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.get_json()
    definition = json.loads(DEFINITION.read_text(encoding="utf-8"))
    return ConnectorClient(client, definition, created.get_json()["key"])


SCOPES = [
    "profile:read", "cases:read", "cases:write", "victims:read", "victims:write", "events:write",
    "duties:read", "templates:read", "messages:read", "messages:write", "webhooks",
]  # fmt: skip


def _power_fx_now(delta: timedelta) -> str:
    """A time as Power Fx's JSON() writes it: UTC, Z, milliseconds."""
    return (datetime.now(UTC) + delta).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_officer_app_writes_a_message_for_a_victim_through_the_connector(
    connector: ConnectorClient,
) -> None:
    case = connector.call(
        "CreateCase",
        body={"crime_reference": "42/7777/26", "offence": "Burglary of a home"},
        **{"Idempotency-Key": str(uuid.uuid4())},
    )
    for first, last in (("Priya", "Shah"), ("Tom", "Ellis")):
        victim = {"first_name": first, "last_name": last, "phone": "07700 900123"}
        victim |= {"preferred_channel": "sms", "safe_channels": ["sms"]}
        connector.call("CreateVictim", case_id=case["id"], body=victim)
    event = connector.call(
        "RecordEvent",
        case_id=case["id"],
        body={"type": "arrested", "occurred_at": _power_fx_now(timedelta(hours=-1))},
    )
    assert event["duties_created"] == 2

    duties = list(connector.pages("ListDuties", scope="mine", status="open", limit=1))
    assert len(duties) == 2  # one page each, joined by nextLink
    duty = next(d for d in duties if d["victim_name"].endswith("Shah"))

    victims = connector.choices("MessageCreate", "victim_id", case_id=case["id"])
    victim_id = next(v["value"] for v in victims if v["title"] == "Shah")
    every_template = connector.choices("MessageCreate", "template_key")
    templates = connector.choices(
        "MessageCreate", "template_key", victim_id=victim_id, duty_id=duty["id"]
    )
    assert len(every_template) > 50
    assert [t["value"] for t in templates] == ["arrested-sms-en"]  # the duty's news, by text
    template_key = templates[0]["value"]

    read = connector.call("GetVictim", victim_id=victim_id)
    changed = connector.call(
        "UpdateVictim",
        victim_id=victim_id,
        body={"needs": "Prefers a call after 5pm."},
        **{"If-Match": str(read["version"])},
    )
    assert changed["version"] == read["version"] + 1
    assert connector.call("GetMe")["username"] == "pc.conn"

    write = {"victim_id": victim_id, "template_key": template_key, "duty_id": duty["id"]}
    retry_key = str(uuid.uuid4())
    message = connector.call(
        "WriteMessage", case_id=case["id"], body=write, **{"Idempotency-Key": retry_key}
    )
    again = connector.call(
        "WriteMessage", case_id=case["id"], body=write, **{"Idempotency-Key": retry_key}
    )
    assert again["id"] == message["id"]  # the platform's retry made no second message
    assert message["status"] == "drafted"
    assert "Dear Priya" in message["body"]

    connector.call(
        "ConfirmMessageSent",
        message_id=message["id"],
        body={"sent_at": _power_fx_now(timedelta(seconds=-5))},
    )
    assert connector.call("GetMessage", message_id=message["id"])["status"] == "sent"
    listed = list(connector.pages("ListMessages", case_id=case["id"]))
    assert [m["id"] for m in listed] == [message["id"]]


def test_turning_a_flow_on_and_off_subscribes_and_unsubscribes_through_the_trigger(
    app: Flask, connector: ConnectorClient
) -> None:
    callback = "https://prod-07.uksouth.logic.azure.com/workflows/4f2a/triggers/manual/run"
    stand_in_dns(app, {"prod-07.uksouth.logic.azure.com": "51.140.0.10"})
    _, path, trigger = connector.operations["CreateWebhook"]
    assert trigger["x-ms-trigger"] == "single"
    # The platform fills the notification URL in; the maker picks the events.
    created = connector.respond(
        "CreateWebhook", body={"url": callback, "events": ["duty.overdue", "duty.due_soon"]}
    )
    assert created.status_code == 201
    subscription = created.get_json()
    assert (subscription["url"], subscription["status"]) == (callback, "active")
    location = urlsplit(created.headers["Location"])
    _, delete_path, _ = connector.operations["DeleteWebhook"]
    assert location.path == delete_path.replace("{webhook_id}", subscription["id"])
    assert location.path.startswith(path + "/")

    # Turning the flow off: the platform deletes what the Location names, with the same key.
    gone = connector.client.delete(location.path, headers=connector.auth)
    assert gone.status_code == 204
    again = connector.client.delete(location.path, headers=connector.auth)
    assert again.status_code == 404
