"""In the browser: signing in and out of the console, and the sign-in page's accessibility."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import axe, signed_in
from tests.factories.users import create_user


def test_the_sign_in_page_and_its_error_summary_pass_axe(
    live_server: LiveServer, page: Page
) -> None:
    page.goto(f"{live_server.url}/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert axe(page) == []
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title("Error: Sign in \u2013 fieldapp console")
    assert axe(page) == []


def test_signing_in_then_out_by_keyboard_alone(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    create_user(live_server.app, session, username="officer.kb", role="officer")
    page.goto(f"{live_server.url}/console/sign-in")
    page.keyboard.press("Tab")  # the skip link first
    page.get_by_label("Username").focus()
    page.keyboard.type("officer.kb")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("fieldapp console")
    expect(page.get_by_text("There is nothing for you to do here")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{live_server.url}/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_signed_in_helper_reaches_the_start_page(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    create_user(live_server.app, session, username="auditor.b", role="auditor")
    signed_in(page, live_server, "auditor.b")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_error_pages_and_the_continue_page_pass_axe(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    create_user(live_server.app, session, username="pc.errors", role="officer")
    page.goto(f"{live_server.url}/console/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert axe(page) == []
    signed_in(page, live_server, "pc.errors")
    page.goto(f"{live_server.url}/console/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    assert axe(page) == []
    # What a link from an email shows: the browser says the request came from another site.
    page.goto("about:blank")
    page.set_content(f'<a href="{live_server.url}/console/sign-in?next=/console/">the console</a>')
    page.get_by_role("link", name="the console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Continue to the console")
    assert axe(page) == []
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("fieldapp console")


def test_a_timeout_warning_comes_two_minutes_before_and_stay_signed_in_keeps_the_session(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    """WCAG 2.2.1: warned before an inactivity sign-out, with time to stay (a fake clock)."""
    create_user(live_server.app, session, username="ps.idle", role="supervisor")
    page.clock.install()
    signed_in(page, live_server, "ps.idle")
    warning = page.locator("#timeout-warning")
    expect(warning).to_be_hidden()
    page.clock.run_for("26:50")  # 29 minutes allowed, warned 2 minutes before
    expect(warning).to_be_hidden()
    page.clock.run_for("00:20")
    expect(warning).to_be_visible()
    expect(warning).to_be_focused()
    assert axe(page) == []
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    with page.expect_response("**/console/keep-alive") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    # Nobody answers the next warning: the page signs out and says why.
    page.clock.run_for("29:10")
    page.wait_for_url("**/console/sign-in?ended=idle_timeout")
    expect(page.get_by_text("You were signed out because you were inactive.")).to_be_visible()
    page.goto(f"{live_server.url}/console/templates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
