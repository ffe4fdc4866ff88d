"""Console fixtures: signing a test client in through the real form, CSRF token included."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories.users import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_of(html: str) -> str:
    """The hidden csrf_token value of the first form in a page."""
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def console_login(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Sign ``client`` in to the console through the "Sign in" form."""
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_token_of(page.text)},
    )
    assert response.status_code == 303, response.text
    return response


def post_form(
    client: FlaskClient, url: str, data: dict[str, str] | None = None, *, page: str | None = None
) -> TestResponse:
    """POST a form as the browser would, with this session's CSRF token (read from ``page``)."""
    source = client.get(page or "/console/sign-in")
    token = csrf_token_of(source.text)
    return client.post(url, data={**(data or {}), "csrf_token": token})


@pytest.fixture
def signed_in_as(client: FlaskClient):  # type: ignore[no-untyped-def]
    """A function that signs the test client in as a username."""

    def sign(username: str, password: str = PASSWORD) -> FlaskClient:
        console_login(client, username, password)
        return client

    return sign
