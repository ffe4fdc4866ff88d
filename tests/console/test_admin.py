"""Admin console pages: users, teams and API keys, with the API's rules, sessions and audit."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from fieldapp.console.views import admin
from fieldapp.models import ApiKey, DeviceSession, Team, User
from tests.console.conftest import console_login, csrf_token_of, post_form
from tests.factories import audit_rows, create_team, create_user, login

NEW_PASSWORD = "a long and unusual passphrase"
_KEY = re.compile(r"fa_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def admin_user(app: Flask, session: Session) -> User:
    """An admin in their own team."""
    return create_user(app, session, username="admin.ada", role="admin", display_name="Ada")


@pytest.fixture
def admin_client(client: FlaskClient, admin_user: User) -> FlaskClient:
    """The test client signed in to the console as the admin."""
    console_login(client, admin_user.username)
    return client


def _user(session: Session, username: str) -> User:
    """An account read afresh from the database."""
    session.expire_all()
    found = session.scalar(select(User).where(User.username == username))
    assert found is not None
    return found


def _change(client: FlaskClient, account: User, **data: str) -> TestResponse:
    """Post one change from the user's page, with the version it showed."""
    url = f"/console/users/{account.id}"
    return post_form(client, url, {"version": str(account.version), **data}, page=url)


def _live_sessions(session: Session, user: User) -> list[DeviceSession]:
    """A user's device sessions nobody has ended."""
    session.expire_all()
    query = select(DeviceSession).where(
        DeviceSession.user_id == user.id, DeviceSession.revoked_at.is_(None)
    )
    return list(session.scalars(query))


# --- users -------------------------------------------------------------------------------


def test_users_page_lists_accounts_with_role_team_and_status(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    team = create_team(session, name="Response B")
    create_user(app, session, username="pc.bo", display_name="PC Bo", team=team).disabled = True
    session.commit()
    page = admin_client.get("/console/users")
    assert page.status_code == 200
    assert "<title>Users \u2013 fieldapp console</title>" in page.text
    assert "pc.bo" in page.text and "PC Bo" in page.text and "Response B" in page.text
    assert "Disabled" in page.text and "Officer" in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_users_page_pages_on_the_server(
    admin_client: FlaskClient, app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    for name in ("pc.a1", "pc.a2", "pc.a3"):
        create_user(app, session, username=name)
    first = admin_client.get("/console/users")
    assert "admin.ada" in first.text and "pc.a1" in first.text and "pc.a2" not in first.text
    next_url = re.search(r'href="(/console/users\?cursor=[^"]+)" rel="next"', first.text)
    assert next_url is not None
    second = admin_client.get(next_url.group(1))
    assert "pc.a2" in second.text and "pc.a3" in second.text and "pc.a1" not in second.text
    assert 'rel="next"' not in second.text and "First page" in second.text


def test_a_forged_cursor_is_a_422_page(admin_client: FlaskClient) -> None:
    response = admin_client.get("/console/users?cursor=bm90IGpzb24")
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_create_user_makes_the_account_and_audits_it(
    admin_client: FlaskClient, session: Session, admin_user: User
) -> None:
    create_team(session, name="Response C")
    form = admin_client.get("/console/users/new")
    assert form.status_code == 200 and "Response C" in form.text
    data = {
        "username": "PC.New",
        "display_name": "PC New",
        "role": "supervisor",
        "team": "Response C",
        "password": NEW_PASSWORD,
        "rank": "",
        "collar_number": "4321",
        "phone": "",
    }
    response = post_form(admin_client, "/console/users/new", data, page="/console/users/new")
    assert response.status_code == 303
    created = _user(session, "pc.new")
    assert response.headers["Location"] == f"/console/users/{created.id}"
    assert (created.role, created.team.name, created.collar_number) == (
        "supervisor",
        "Response C",
        "4321",
    )
    assert created.rank is None and not created.disabled
    records = audit_rows(session, resource_type="user", resource_id=str(created.id))
    assert [(r.operation, r.actor_id, r.reason) for r in records] == [
        ("administration", admin_user.id, "created supervisor")
    ]
    assert "User pc.new created." in admin_client.get(response.headers["Location"]).text
    login(admin_client, "pc.new", NEW_PASSWORD)  # the password works through the API


def test_invalid_new_user_is_422_with_an_error_summary(
    admin_client: FlaskClient, session: Session
) -> None:
    create_team(session, name="Response D")
    data = {"username": "x", "display_name": "", "team": "Response D", "password": "short"}
    response = post_form(admin_client, "/console/users/new", data, page="/console/users/new")
    assert response.status_code == 422
    assert "<title>Error: Create user \u2013 fieldapp console</title>" in response.text
    assert "There is a problem" in response.text
    links = re.findall(r'href="#([a-z_]+)"', response.text)
    assert links == ["username", "display_name", "role", "password"]
    assert "Enter a display name" in response.text and "Select a role" in response.text
    assert "Use 12 to 128 characters." in response.text
    assert 'value="short"' not in response.text  # a password is never written back
    assert 'value="x"' in response.text
    assert session.scalar(select(User).where(User.username == "x")) is None


def test_new_user_refuses_a_common_password_as_the_api_does(
    admin_client: FlaskClient, session: Session
) -> None:
    create_team(session, name="Response E")
    data = {
        "username": "pc.weak",
        "display_name": "PC Weak",
        "role": "officer",
        "team": "Response E",
        "password": "password1234",
    }
    response = post_form(admin_client, "/console/users/new", data, page="/console/users/new")
    assert response.status_code == 422
    assert 'href="#password"' in response.text
    assert session.scalar(select(User).where(User.username == "pc.weak")) is None


def test_new_user_with_a_taken_username_is_409_on_that_field(
    admin_client: FlaskClient, admin_user: User
) -> None:
    data = {
        "username": "Admin.Ada",
        "display_name": "Again",
        "role": "officer",
        "team": admin_user.team.name,
        "password": NEW_PASSWORD,
    }
    response = post_form(admin_client, "/console/users/new", data, page="/console/users/new")
    assert response.status_code == 409
    assert 'href="#username"' in response.text and "is taken" in response.text


def test_role_change_ends_that_users_sessions(
    admin_client: FlaskClient, app: Flask, session: Session, admin_user: User
) -> None:
    officer = create_user(app, session, username="pc.role", role="officer")
    login(app.test_client(), "pc.role")  # a phone
    browser = app.test_client()
    console_login(browser, "pc.role")  # and the console
    assert len(_live_sessions(session, officer)) == 2
    response = _change(admin_client, officer, role="supervisor")
    assert response.status_code == 303
    assert _user(session, "pc.role").role == "supervisor"
    assert _live_sessions(session, officer) == []
    ended = session.scalars(select(DeviceSession).where(DeviceSession.user_id == officer.id))
    assert {row.revoked_reason for row in ended} == {"account_changed"}
    records = audit_rows(session, resource_type="user", resource_id=str(officer.id))
    assert (records[-1].field_groups, records[-1].reason) == ("role", "role supervisor")
    assert records[-1].actor_id == admin_user.id
    assert browser.get("/console/").status_code == 303  # back to "Sign in"
    page = admin_client.get(response.headers["Location"]).text
    assert "pc.role: role changed. Signed out everywhere." in page


def test_saving_the_same_role_changes_nothing(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.same", role="officer")
    login(app.test_client(), "pc.same")
    before = len(audit_rows(session, resource_type="user", resource_id=str(officer.id)))
    response = _change(admin_client, officer, role="officer")
    assert response.status_code == 303
    assert len(_live_sessions(session, officer)) == 1
    assert len(audit_rows(session, resource_type="user", resource_id=str(officer.id))) == before


def test_team_change_and_password_end_sessions_and_the_new_password_works(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.move")
    create_team(session, name="Response F")
    login(app.test_client(), "pc.move")
    assert _change(admin_client, officer, team="Response F").status_code == 303
    assert _user(session, "pc.move").team.name == "Response F"
    assert _live_sessions(session, officer) == []
    moved = _user(session, "pc.move")
    assert _change(admin_client, moved, password=NEW_PASSWORD).status_code == 303
    login(app.test_client(), "pc.move", NEW_PASSWORD)


def test_unknown_team_and_weak_password_are_422_on_the_users_page(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.stay")
    response = _change(admin_client, officer, team="Nowhere")
    assert response.status_code == 422 and 'href="#team"' in response.text
    response = _change(admin_client, officer, password="short")
    assert response.status_code == 422 and 'href="#password"' in response.text
    assert _user(session, "pc.stay").team.name == officer.team.name


def test_disable_then_enable_an_account(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.off")
    login(app.test_client(), "pc.off")
    assert "Disable account" in admin_client.get(f"/console/users/{officer.id}").text
    assert _change(admin_client, officer, disabled="true").status_code == 303
    disabled = _user(session, "pc.off")
    assert disabled.disabled and _live_sessions(session, officer) == []
    assert "Enable account" in admin_client.get(f"/console/users/{officer.id}").text
    assert _change(admin_client, disabled, disabled="false").status_code == 303
    assert not _user(session, "pc.off").disabled
    login(app.test_client(), "pc.off")


def test_an_admin_cannot_demote_or_disable_themselves(
    admin_client: FlaskClient, session: Session, admin_user: User
) -> None:
    page = admin_client.get(f"/console/users/{admin_user.id}").text
    assert "Disable account" not in page and "Change role" not in page
    response = _change(admin_client, admin_user, disabled="true")
    assert response.status_code == 409
    assert "There is a problem" in response.text and "cannot disable your own" in response.text
    assert not _user(session, "admin.ada").disabled


def test_a_change_from_a_stale_page_is_refused(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.stale")
    stale_version = officer.version
    assert _change(admin_client, officer, role="supervisor").status_code == 303
    url = f"/console/users/{officer.id}"
    data = {"version": str(stale_version), "team": "Anything", "disabled": "true"}
    response = post_form(admin_client, url, data, page=url)
    assert response.status_code == 412
    assert "Someone changed this account" in response.text
    assert not _user(session, "pc.stale").disabled


def test_sign_out_everywhere_ends_every_session_and_is_audited(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.lost")
    login(app.test_client(), "pc.lost", device="Lost phone")
    url = f"/console/users/{officer.id}"
    response = post_form(admin_client, f"{url}/sign-out-everywhere", page=url)
    assert response.status_code == 303 and response.headers["Location"] == url
    assert _live_sessions(session, officer) == []
    records = audit_rows(session, resource_type="user", resource_id=str(officer.id))
    assert (records[-1].field_groups, records[-1].reason) == ("sessions", "revoked_by_admin")


def test_an_unknown_user_is_a_404_page(admin_client: FlaskClient) -> None:
    response = admin_client.get(f"/console/users/{uuid.uuid4()}")
    assert response.status_code == 404 and response.mimetype == "text/html"


# --- teams -------------------------------------------------------------------------------


def test_teams_page_lists_and_creates_teams(admin_client: FlaskClient, session: Session) -> None:
    create_team(session, name="Response G")
    assert "Response G" in admin_client.get("/console/teams").text
    data = {"name": " Response H "}
    response = post_form(admin_client, "/console/teams", data, page="/console/teams")
    assert response.status_code == 303
    team_id = session.scalar(select(Team.id).where(Team.name == "Response H"))
    assert team_id is not None
    assert "Team Response H created." in admin_client.get("/console/teams").text
    [record] = audit_rows(session, resource_type="team")
    assert (record.resource_id, record.reason) == (str(team_id), "created")


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [("", 422, "Enter a team name"), ("Response I", 409, "already exists"), ("x" * 81, 422, "")],
)
def test_a_team_the_api_would_refuse_is_refused(
    admin_client: FlaskClient, session: Session, name: str, status: int, message: str
) -> None:
    create_team(session, name="Response I")
    response = post_form(admin_client, "/console/teams", {"name": name}, page="/console/teams")
    assert response.status_code == status
    assert 'href="#name"' in response.text and message in response.text
    assert session.scalar(select(Team).where(Team.name == name)) is None or name == "Response I"


# --- API keys ----------------------------------------------------------------------------


def _create_key(client: FlaskClient, username: str, **extra: str | list[str]) -> TestResponse:
    """Post the "Create API key" form."""
    data: dict[str, str | list[str]] = {
        "name": "Power Automate",
        "username": username,
        "scopes": ["cases:read", "duties:read"],
        "rate_limit": "60/minute",
        **extra,
    }
    return post_form(client, "/console/api-keys/new", data, page="/console/api-keys/new")


def test_create_api_key_shows_the_key_once(
    admin_client: FlaskClient, app: Flask, session: Session, admin_user: User
) -> None:
    integration = create_user(app, session, username="svc.flow")
    response = _create_key(admin_client, "svc.flow")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    shown = _KEY.findall(response.text)
    assert len(set(shown)) == 1
    key = session.scalar(select(ApiKey))
    assert key is not None
    assert key.hash == hashlib.sha256(shown[0].encode()).hexdigest()
    assert (key.user_id, key.scopes, key.rate_limit) == (
        integration.id,
        ["cases:read", "duties:read"],
        "60/minute",
    )
    assert key.created_by_id == admin_user.id
    records = audit_rows(session, resource_type="api_key", resource_id=str(key.id))
    assert [r.reason for r in records] == ["created for svc.flow"]
    listing = admin_client.get("/console/api-keys").text
    assert f"fa_{key.prefix}" in listing and "Power Automate" in listing and "Live" in listing
    assert shown[0] not in listing and _KEY.search(listing) is None
    confirm = admin_client.get(f"/console/api-keys/{key.id}/revoke").text
    assert shown[0] not in confirm


def test_new_api_key_form_offers_every_scope_and_the_default_rate(
    admin_client: FlaskClient,
) -> None:
    page = admin_client.get("/console/api-keys/new?username=svc.any").text
    assert 'value="cases:read"' in page and 'value="metrics:read"' in page
    assert 'value="120/minute"' in page and 'value="svc.any"' in page


@pytest.mark.parametrize(
    ("username", "extra", "field"),
    [
        ("nobody", {}, "username"),
        ("svc.off", {}, "username"),
        ("svc.on", {"scopes": []}, "scopes"),
        ("svc.on", {"scopes": ["cases:read", "audit:read"]}, "scopes.1"),
        ("svc.on", {"rate_limit": "lots"}, "rate_limit"),
        ("svc.on", {"name": ""}, "name"),
    ],
)
def test_an_api_key_the_api_would_refuse_is_refused(
    admin_client: FlaskClient,
    app: Flask,
    session: Session,
    username: str,
    extra: dict[str, str | list[str]],
    field: str,
) -> None:
    create_user(app, session, username="svc.on")
    create_user(app, session, username="svc.off").disabled = True
    session.commit()
    response = _create_key(admin_client, username, **extra)
    assert response.status_code == 422
    assert f'href="#{field}"' in response.text
    assert session.scalar(select(ApiKey)) is None


def test_revoking_a_key_asks_first_then_revokes_it(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    create_user(app, session, username="svc.old")
    assert _create_key(admin_client, "svc.old").status_code == 201
    key = session.scalar(select(ApiKey))
    assert key is not None
    url = f"/console/api-keys/{key.id}/revoke"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert f'action="{url}"' in confirm.text and "Revoke key" in confirm.text
    response = post_form(admin_client, url, page=url)
    assert response.status_code == 303 and response.headers["Location"] == "/console/api-keys"
    session.expire_all()
    revoked = session.get(ApiKey, key.id)
    assert revoked is not None and revoked.revoked_at is not None
    records = audit_rows(session, resource_type="api_key", resource_id=str(key.id))
    assert records[-1].reason == "revoked"
    listing = admin_client.get("/console/api-keys").text
    assert "API key Power Automate revoked." in listing and "Revoked" in listing
    assert "Revoke key" not in admin_client.get(url).text


def test_revoking_an_unknown_key_is_a_404_page(admin_client: FlaskClient) -> None:
    url = f"/console/api-keys/{uuid.uuid4()}/revoke"
    assert admin_client.get(url).status_code == 404
    response = post_form(admin_client, url, page="/console/api-keys")
    assert response.status_code == 404 and response.mimetype == "text/html"


# --- page shape --------------------------------------------------------------------------


class _Shape(HTMLParser):
    """The parts of a page every console page must get right: h1s, title, ids."""

    def __init__(self) -> None:
        super().__init__()
        self.h1s: list[str] = []
        self.title = ""
        self.ids: Counter[str] = Counter()
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)
        if tag == "h1":
            self._in = tag
            self.h1s.append("")
        elif tag == "title" and not self.title:  # the page's, not an SVG's
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h1":
            self.h1s[-1] += data
        elif self._in == "title":
            self.title += data


def test_every_admin_page_has_one_h1_that_starts_its_title_and_unique_ids(
    admin_client: FlaskClient, app: Flask, session: Session
) -> None:
    officer = create_user(app, session, username="pc.shape")
    assert _create_key(admin_client, "pc.shape").status_code == 201
    key = session.scalar(select(ApiKey))
    assert key is not None
    urls = [
        "/console/users",
        "/console/users/new",
        f"/console/users/{officer.id}",
        "/console/teams",
        "/console/api-keys",
        "/console/api-keys/new",
        f"/console/api-keys/{key.id}/revoke",
    ]
    pages = [admin_client.get(url).text for url in urls]
    pages.append(_create_key(admin_client, "pc.shape").text)
    pages.append(post_form(admin_client, "/console/teams", {}, page="/console/teams").text)
    for html in pages:
        shape = _Shape()
        shape.feed(html)
        assert len(shape.h1s) == 1, shape.title
        h1 = " ".join(shape.h1s[0].split())
        title = " ".join(shape.title.split()).removeprefix("Error: ")
        assert title == f"{h1} \u2013 fieldapp console"
        assert [name for name, count in shape.ids.items() if count > 1] == []


# --- who may -----------------------------------------------------------------------------

ADMIN_PAGES = ["/console/users", "/console/users/new", "/console/teams", "/console/api-keys"]


@pytest.mark.parametrize("role", ["supervisor", "officer", "auditor"])
def test_only_admins_reach_admin_pages(
    client: FlaskClient, app: Flask, session: Session, role: str
) -> None:
    other = create_user(app, session, username=f"not.admin.{role}", role=role)
    console_login(client, other.username)
    for url in [*ADMIN_PAGES, f"/console/users/{other.id}", "/console/api-keys/new"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.mimetype == "text/html"
    response = post_form(client, "/console/teams", {"name": "Sneaky"}, page="/console/teams")
    assert response.status_code == 403
    assert session.scalar(select(Team).where(Team.name == "Sneaky")) is None
    refusals = audit_rows(session, outcome="denied", actor_id=other.id)
    assert refusals, "refusals are audited"


def test_a_post_without_the_csrf_token_is_refused(
    admin_client: FlaskClient, session: Session
) -> None:
    response = admin_client.post("/console/teams", data={"name": "No token"})
    assert response.status_code in (400, 403)
    assert response.mimetype == "text/html"
    assert session.scalar(select(Team).where(Team.name == "No token")) is None


def test_a_cross_site_post_is_refused_even_with_the_token(
    admin_client: FlaskClient, session: Session
) -> None:
    token = csrf_token_of(admin_client.get("/console/teams").text)
    response = admin_client.post(
        "/console/teams",
        data={"name": "Cross site", "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code in (400, 403)
    assert session.scalar(select(Team).where(Team.name == "Cross site")) is None
