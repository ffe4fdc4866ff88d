"""Console sign-in: a device session in a strict cookie, CSRF on every form, ended like others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp import console
from fieldapp.models import DeviceSession
from fieldapp.models.base import utcnow
from tests.conftest import make_app
from tests.console.conftest import console_login, csrf_token_of, post_form
from tests.factories import audit_rows, bearer, create_user, login

SUPERVISOR = "sup.cookie"


@pytest.fixture
def supervisor(app: Flask, session: Session) -> str:
    """A supervisor's username."""
    create_user(app, session, username=SUPERVISOR, role="supervisor")
    return SUPERVISOR


def _console_sessions(session: Session) -> list[DeviceSession]:
    session.expire_all()
    query = select(DeviceSession).where(DeviceSession.device_name.startswith("Web console"))
    return list(session.scalars(query))


def test_sign_in_opens_an_audited_device_session_in_a_strict_http_only_cookie(
    client: FlaskClient, session: Session, supervisor: str
) -> None:
    page = client.get("/console/sign-in")
    assert page.status_code == 200
    for label in ('<h1 class="govuk-heading-l">Sign in</h1>', "Username", "Password"):
        assert label in page.text
    response = client.post(
        "/console/sign-in",
        data={
            "username": supervisor,
            "password": "correct horse battery staple",
            "csrf_token": csrf_token_of(page.text),
        },
        headers={"User-Agent": "Mozilla/5.0 Firefox/140.0"},
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("fieldapp-console=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    [device] = _console_sessions(session)
    assert device.device_name == "Web console (Firefox)"
    [record] = audit_rows(session, operation="authentication", reason="signed_in")
    assert record.resource_id == str(device.id)
    assert client.get("/console/").status_code in (200, 303)


def test_the_cookie_is_secure_and_host_only_outside_development(
    database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDAPP_CONSOLE_SECURE_COOKIE", "true")
    app = make_app(database_url, tmp_path / "instance", **_secure_cookie_config())
    response = app.test_client().get("/console/sign-in", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-fieldapp-console=")
    assert "Secure" in cookie and "SameSite=Strict" in cookie and "Domain" not in cookie


def _secure_cookie_config() -> dict[str, object]:
    from fieldapp.config import console_settings

    return console_settings({"FIELDAPP_CONSOLE_SECURE_COOKIE": "true"}, production=False)


def test_a_wrong_password_is_a_401_page_with_one_vague_message_and_is_audited(
    client: FlaskClient, session: Session, supervisor: str
) -> None:
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={"username": supervisor, "password": "nope", "csrf_token": csrf_token_of(page.text)},
    )
    assert response.status_code == 401
    assert "There is a problem" in response.text
    assert "The username or password is not right" in response.text
    assert "<title>Error: Sign in" in response.text
    assert _console_sessions(session) == []
    [record] = audit_rows(session, operation="authentication", outcome="failed")
    assert (record.actor_name, record.reason) == (supervisor, "bad_password")


def test_empty_fields_are_named_in_the_error_summary(client: FlaskClient) -> None:
    response = post_form(client, "/console/sign-in", {})
    assert response.status_code == 422
    assert 'href="#username"' in response.text and "Enter your username" in response.text
    assert 'href="#password"' in response.text and "Enter your password" in response.text


def test_sign_in_is_rate_limited_like_the_api(
    app: Flask, client: FlaskClient, session: Session, supervisor: str
) -> None:
    app.config["LOGIN_LIMIT_PER_USERNAME"] = "2/minute"
    for _ in range(2):
        assert (
            post_form(
                client, "/console/sign-in", {"username": supervisor, "password": "x"}
            ).status_code
            == 401
        )
    refused = post_form(client, "/console/sign-in", {"username": supervisor, "password": "x"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text and refused.headers["Retry-After"]
    assert audit_rows(session, reason="rate_limited")


def test_a_post_without_the_csrf_token_is_refused_and_audited(
    client: FlaskClient, session: Session, supervisor: str
) -> None:
    console_login(client, supervisor)
    response = client.post("/console/sign-out", data={})
    assert response.status_code == 403
    assert "This form could not be accepted" in response.text
    [refusal] = audit_rows(session, resource_type="route", reason="csrf_failed")
    assert refusal.actor_name == supervisor
    [device] = _console_sessions(session)
    assert device.revoked_at is None  # the forged sign-out did nothing


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
)
def test_a_cross_site_post_is_refused_even_with_a_token(
    client: FlaskClient, session: Session, supervisor: str, headers: dict[str, str]
) -> None:
    console_login(client, supervisor)
    token = csrf_token_of(client.get("/console/sign-in").text)
    response = client.post("/console/sign-out", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 403
    assert _console_sessions(session)[0].revoked_at is None


def test_signing_out_ends_the_session_at_once(
    client: FlaskClient, session: Session, supervisor: str
) -> None:
    console_login(client, supervisor)
    stolen = client.get_cookie("fieldapp-console")
    assert stolen is not None
    response = post_form(client, "/console/sign-out")
    assert response.status_code == 303 and response.location == "/console/sign-in"
    [device] = _console_sessions(session)
    assert device.revoked_reason == "signed_out"
    assert audit_rows(session, reason="signed_out")
    # The old cookie, replayed, is worth nothing: the session is over in the database.
    replay = client.application.test_client()
    replay.set_cookie("fieldapp-console", stolen.value)
    assert replay.get("/console/").status_code == 303


def test_the_console_session_is_listed_and_revocable_in_the_api(
    client: FlaskClient, session: Session, supervisor: str
) -> None:
    token = login(client.application.test_client(), supervisor)["access_token"]
    console_login(client, supervisor)
    listed = client.application.test_client().get("/api/v1/me/sessions", headers=bearer(token))
    names = [item["device_name"] for item in listed.get_json()["value"]]
    assert sorted(names) == ["Test phone", "Web console"]
    [device] = _console_sessions(session)
    api = client.application.test_client()
    assert api.delete(f"/api/v1/me/sessions/{device.id}", headers=bearer(token)).status_code == 204
    response = client.get("/console/")
    assert response.status_code == 303
    assert response.location.startswith("/console/sign-in")


def test_a_role_change_ends_the_console_session(
    app: Flask, client: FlaskClient, session: Session, supervisor: str
) -> None:
    admin_client = app.test_client()
    create_user(app, session, username="admin.roles", role="admin")
    admin = login(admin_client, "admin.roles")["access_token"]
    console_login(client, supervisor)
    [device] = _console_sessions(session)
    url = f"/api/v1/users/{device.user_id}"
    etag = admin_client.get(url, headers=bearer(admin)).headers["ETag"]
    changed = admin_client.patch(
        url, json={"role": "officer"}, headers={**bearer(admin), "If-Match": etag}
    )
    assert changed.status_code == 200
    assert client.get("/console/").status_code == 303


def test_an_idle_session_ends_after_the_idle_limit_and_says_why(
    client: FlaskClient, session: Session, supervisor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    console_login(client, supervisor)
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(console.sessions, "utcnow", lambda: later)
    response = client.get("/console/")
    assert response.status_code == 303
    assert "ended=idle_timeout" in response.location
    page = client.get(response.location)
    assert "You were signed out because you were inactive." in page.text
    [device] = _console_sessions(session)
    assert device.revoked_reason == "idle_timeout"
    assert audit_rows(session, reason="idle_timeout")


def test_activity_keeps_a_session_alive_until_the_absolute_limit(
    client: FlaskClient, session: Session, supervisor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    console_login(client, supervisor)
    start = utcnow()
    for minutes in range(20, 600, 20):  # a visit every 20 minutes for ten hours
        moment = start + timedelta(minutes=minutes)
        monkeypatch.setattr(console.sessions, "utcnow", lambda moment=moment: moment)
        # The start page answers (or sends a supervisor on to the review queue), not sign-in.
        assert not (client.get("/console/").location or "").startswith("/console/sign-in"), minutes
    moment = start + timedelta(hours=10, minutes=1)
    monkeypatch.setattr(console.sessions, "utcnow", lambda: moment)
    assert client.get("/console/").location.startswith("/console/sign-in")


def test_bearer_tokens_and_api_keys_never_open_a_console_page(
    client: FlaskClient, supervisor: str
) -> None:
    token = login(client, supervisor)["access_token"]
    response = client.get("/console/", headers=bearer(token))
    assert response.status_code == 303 and response.location.startswith("/console/sign-in")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/console/", "/console/\\\\evil", "/api/v1/me"],
)
def test_after_sign_in_the_browser_goes_only_to_a_console_page(
    client: FlaskClient, supervisor: str, target: str
) -> None:
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        query_string={"next": target},
        data={
            "username": supervisor,
            "password": "correct horse battery staple",
            "csrf_token": csrf_token_of(page.text),
        },
    )
    assert response.status_code == 303
    assert response.location == "/console/"


def test_pages_carry_a_strict_csp_frame_denial_and_no_caching(
    client: FlaskClient, supervisor: str
) -> None:
    console_login(client, supervisor)
    for url in ("/console/sign-in", "/console/"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


def test_every_script_on_a_page_carries_the_nonce(client: FlaskClient, supervisor: str) -> None:
    console_login(client, supervisor)
    response = client.get("/console/", follow_redirects=True)
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    scripts = response.text.count("<script")
    assert scripts >= 3
    assert response.text.count(f'nonce="{nonce}"') == scripts
    assert "style=" not in response.text


def test_an_officer_sees_only_the_start_page(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.console", role="officer")
    console_login(client, "pc.console")
    page = client.get("/console/")
    assert page.status_code == 200
    assert "There is nothing for you to do here" in page.text
    assert "Review queue" not in page.text


def test_assets_are_served_from_the_app_with_caching(client: FlaskClient) -> None:
    for url in (
        "/console/static/vendor/govuk/govuk-frontend.min.css",
        "/console/static/vendor/htmx.min.js",
        "/console/static/console.mjs",
        "/assets/fonts/bold-b542beb274-v2.woff2",
    ):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"].startswith("public")
    assert client.get("/console/static/../../config.py").status_code == 404


def test_a_link_from_another_site_offers_a_same_site_continue_and_keeps_the_cookie(
    client: FlaskClient, supervisor: str
) -> None:
    """SameSite=Strict: a link in an email arrives without the cookie; one click carries it."""
    console_login(client, supervisor)
    kept = client.get_cookie("fieldapp-console")
    assert kept is not None
    elsewhere = {"Sec-Fetch-Site": "cross-site"}
    page = client.get(
        "/console/sign-in", query_string={"next": "/console/reviews"}, headers=elsewhere
    )
    assert page.status_code == 200
    assert "Continue to the console" in page.text and 'href="/console/reviews"' in page.text
    assert "csrf_token" not in page.text and "Set-Cookie" not in page.headers
    # Another site's post (no cookie travels with it) neither signs out nor rewrites the cookie.
    refused = client.application.test_client().post("/console/sign-out", headers=elsewhere)
    assert refused.status_code == 401 and "Set-Cookie" not in refused.headers
    after = client.get_cookie("fieldapp-console")
    assert after is not None and after.value == kept.value
    assert client.get("/console/").status_code in (200, 303)


def test_an_unknown_console_url_is_a_404_page_and_an_unknown_api_url_stays_json(
    client: FlaskClient,
) -> None:
    page = client.get("/console/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"


def test_stay_signed_in_counts_as_activity(
    client: FlaskClient, session: Session, supervisor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    console_login(client, supervisor)
    later = utcnow() + timedelta(minutes=25)
    monkeypatch.setattr(console.sessions, "utcnow", lambda: later)
    monkeypatch.setattr("fieldapp.console.views.session.utcnow", lambda: later)
    assert post_form(client, "/console/keep-alive").status_code == 204
    [device] = _console_sessions(session)
    assert device.last_seen_at == later
    assert client.post("/console/keep-alive").status_code == 403  # no CSRF token


def test_signed_in_pages_carry_the_timeout_warning_settings(
    client: FlaskClient, supervisor: str
) -> None:
    console_login(client, supervisor)
    page = client.get("/console/templates").text
    assert 'data-idle-seconds="1740"' in page  # 30 minutes, less the minute the server may lag
    assert 'id="timeout-warning"' in page and "Stay signed in" in page
    assert "data-idle-seconds" not in client.get("/console/sign-in").text.split("<main")[0]
