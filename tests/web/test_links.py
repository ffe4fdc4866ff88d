"""Links and the connector's host come from FIELDAPP_PUBLIC_URL, never from the Host header."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import bearer, create_user, login

PUBLIC = "https://fieldapp.force.example"


def _first_users_page(app: Flask, client: FlaskClient, session: Session, host: str) -> str:
    """The nextLink of a one-user page of accounts, asked for with the given Host header."""
    create_user(app, session, username="admin.links", role="admin")
    create_user(app, session, username="pc.second")
    token = login(client, "admin.links")["access_token"]
    response = client.get(
        "/api/v1/users?limit=1", headers={**bearer(token), "Host": host}, base_url=f"http://{host}"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    link: str = response.get_json()["nextLink"]
    return link


def test_next_link_uses_the_public_url_whatever_host_was_sent(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["PUBLIC_URL"] = PUBLIC
    link = _first_users_page(app, client, session, "evil.example")
    assert link.startswith(PUBLIC + "/api/v1/users?")
    assert "evil.example" not in link


def test_next_link_follows_the_request_only_when_no_public_url_is_set(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["PUBLIC_URL"] = ""
    link = _first_users_page(app, client, session, "dev.localhost:5000")
    assert link.startswith("http://dev.localhost:5000/api/v1/users?")


def test_connector_definition_names_the_public_host_not_the_request_host(
    app: Flask, client: FlaskClient
) -> None:
    app.config["PUBLIC_URL"] = "http://fieldapp.force.example:8443"
    served = client.get(
        "/connector/apiDefinition.swagger.json", headers={"Host": "evil.example"}
    ).get_json()
    assert served["host"] == "fieldapp.force.example:8443"
    assert served["schemes"] == ["http"]
