"""The supervisor journey in a real browser, end to end (issue 13, point 5).

A supervisor signs in, finds the arrest text message, changes its wording, sees a lint problem
appear and go away, previews it with a real case, reads the diff and submits it; a second
supervisor approves it from the review queue (the author is never offered "Approve"); the
officer's next message is written from the new version; forged posts are refused; signing out
ends the session. With FIELDAPP_SCREENSHOTS=<folder> it also saves the README's screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import DeviceSession
from tests.console.browser.arrest_case import arrange_arrest_case
from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import axe, signed_in
from tests.factories import create_user
from tests.factories.cases import arrest_duty
from tests.factories.messages import write_message

NEW_LINE = "We will keep you up to date at every step."
UNKNOWN_FIELD = "{{ victim.shoe_size }}"


def shoot(page: Page, name: str) -> None:
    """Save a screenshot for the README when asked to (make screenshots)."""
    folder = os.environ.get("FIELDAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_template_change_from_editing_to_an_officers_message(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    officer, case_id, victim_id = arrange_arrest_case(live_server, session)
    base = live_server.url

    # The author finds the arrest text message through the filters.
    signed_in(page, live_server, "ps.author")
    page.get_by_role("link", name="Templates", exact=True).click()
    page.get_by_label("Event").select_option(label="Arrested")
    page.get_by_label("Channel").select_option(label="Text message")
    page.get_by_label("Language").select_option(label="English")
    page.get_by_role("button", name="Apply filters").click()
    assert axe(page) == []
    page.get_by_role("link", name="Suspect arrested (text)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspect arrested (text)")
    page.get_by_role("link", name="Edit").click()

    # A lint problem appears as they type, and goes when they fix it.
    wording = page.get_by_label("Wording")
    original = wording.input_value()
    wording.fill(original + "\n" + UNKNOWN_FIELD)
    status = page.locator("#check-status")
    expect(status).to_have_text("1 problem: line 4")
    assert axe(page) == []
    wording.fill(original + "\n" + NEW_LINE)
    expect(status).to_have_text("No problems")

    # A preview with a real case and victim of the team.
    choice = page.locator("#preview option", has_text="Robin").first
    assert "NT/00042/26" in (choice.text_content() or "")
    page.get_by_label("Preview with").select_option(value=choice.get_attribute("value"))
    expect(page.locator("#check-details")).to_contain_text("Dear Robin")
    expect(page.locator("#check-details")).to_contain_text(NEW_LINE)
    shoot(page, "editor")
    page.get_by_label("Change note").fill("Says we will keep them up to date.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved as version 2.")).to_be_visible()

    # The diff between the published version and the draft, side by side.
    page.goto(f"{base}/console/templates/arrested-sms-en")
    page.get_by_role("link", name="Changes from version 1").click()
    expect(page.get_by_role("cell", name=NEW_LINE).first).to_be_visible()
    expect(page.get_by_role("cell", name="Added", exact=True).first).to_be_visible()
    assert axe(page) == []
    page.goto(f"{base}/console/templates/arrested-sms-en/edit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("is waiting for another supervisor's review")).to_be_visible()

    # The author sees their version waiting, never an "Approve" for it.
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_text("Suspect arrested (text)").first).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # A second supervisor approves it from the review queue.
    signed_in(page, live_server, "ps.reviewer")
    page.goto(f"{base}/console/reviews")
    shoot(page, "review-queue")
    assert axe(page) == []
    page.get_by_role("link", name="Suspect arrested (text)").first.click()
    expect(page.get_by_role("cell", name=NEW_LINE).first).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("approved", exact=False).first).to_be_visible()

    # The officer's next message is written from the new version.
    api = live_server.app.test_client()
    duty = arrest_duty(api, officer, case_id)
    written = write_message(
        api, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    )  # fmt: skip
    assert written.status_code == 201, written.get_json()
    message = written.get_json()
    assert message["template_version"] == 2
    assert NEW_LINE in message["body"]

    # The compliance page, for the README.
    page.goto(f"{base}/console/compliance")
    assert axe(page) == []
    shoot(page, "compliance")


def test_forged_and_cross_site_posts_are_refused_and_sign_out_ends_the_session(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    app = live_server.app
    create_user(app, session, username="ps.target", role="supervisor")
    signed_in(page, live_server, "ps.target")
    [device] = session.scalars(select(DeviceSession)).all()
    sign_out = f"{live_server.url}/console/sign-out"

    # A post without the CSRF token, from the page's own cookie jar.
    assert page.request.post(sign_out, form={}).status == 403
    # A post from another site: the browser keeps the Strict cookie to itself.
    page.goto("about:blank")
    page.set_content(f'<form method="post" action="{sign_out}"><button>Win a prize</button></form>')
    with page.expect_navigation():
        page.get_by_role("button", name="Win a prize").click()
    assert "Sign in" in page.content() or "could not be accepted" in page.content()
    session.expire_all()
    assert session.get(DeviceSession, device.id).revoked_at is None  # type: ignore[union-attr]

    # Signing out for real ends the session in the database; the pages are gone.
    page.goto(f"{live_server.url}/console/sign-in")
    page.goto(f"{live_server.url}/console/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    session.expire_all()
    assert session.get(DeviceSession, device.id).revoked_reason == "signed_out"  # type: ignore[union-attr]
    page.goto(f"{live_server.url}/console/reviews")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
