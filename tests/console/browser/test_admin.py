"""In the browser: the admin pages (users, teams, API keys) and their axe-core scans."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import axe, signed_in
from tests.factories.users import create_team, create_user


def _admin(live_server: LiveServer, page: Page, session: Session) -> None:
    """An admin, signed in through the page."""
    create_user(live_server.app, session, username="admin.axe", role="admin")
    signed_in(page, live_server, "admin.axe")


def test_users_pages_pass_axe_with_and_without_errors(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    team = create_team(session, name="Response Axe")
    create_user(live_server.app, session, username="pc.axe", team=team).disabled = True
    session.commit()
    _admin(live_server, page, session)
    page.goto(f"{live_server.url}/console/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("link", name="pc.axe")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create user")
    assert axe(page) == []
    page.get_by_label("Username", exact=True).fill("pc.new")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Create user \u2013 fieldapp console$"))
    assert axe(page) == []

    page.get_by_label("Display name").fill("PC New")
    page.get_by_label("Supervisor").check()
    page.get_by_label("Team", exact=True).select_option("Response Axe")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PC New")
    expect(page.get_by_text("User pc.new created.")).to_be_visible()
    assert axe(page) == []

    page.get_by_label("Officer").check()
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("pc.new: role changed. Signed out everywhere.")).to_be_visible()
    assert axe(page) == []


def test_teams_page_passes_axe(live_server: LiveServer, page: Page, session: Session) -> None:
    _admin(live_server, page, session)
    page.goto(f"{live_server.url}/console/teams")
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    assert axe(page) == []
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Team name").fill("Response Keyboard")
    page.get_by_label("Team name").press("Enter")
    expect(page.get_by_text("Team Response Keyboard created.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Response Keyboard")).to_be_visible()
    assert axe(page) == []


def test_api_key_pages_pass_axe_and_show_the_key_once(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    create_user(live_server.app, session, username="svc.axe")
    _admin(live_server, page, session)
    page.goto(f"{live_server.url}/console/api-keys")
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    assert axe(page) == []

    page.get_by_role("button", name="Create API key").click()
    page.get_by_label("Name", exact=True).fill("Power Automate")
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert axe(page) == []

    page.get_by_label("Username of the user it acts for").fill("svc.axe")
    page.get_by_label("cases:read").check()
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API key created")
    key = page.locator("#new-api-key").inner_text()
    assert key.startswith("fa_")
    assert axe(page) == []

    page.get_by_role("link", name="Go to API keys").click()
    expect(page.get_by_role("rowheader", name="Power Automate")).to_be_visible()
    assert key not in page.content()
    assert axe(page) == []

    page.get_by_role("link", name="Revoke Power Automate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke API key Power Automate")
    assert axe(page) == []
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_text("API key Power Automate revoked.")).to_be_visible()
    expect(page.get_by_role("link", name="Revoke Power Automate")).to_have_count(0)
    assert axe(page) == []
