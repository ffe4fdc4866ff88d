"""In the browser: the editor's live check as a supervisor types, and its accessibility."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.services.templates.library import import_library
from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import axe, signed_in
from tests.factories.users import create_user

KEY = "arrested-sms-en"
CLEAN = (
    "Dear {{ victim.first_name }}, your crime reference is {{ case.crime_reference }}.\n"
    "We arrested someone on {{ event.date }}.\n"
    "Call {{ officer.name }} on {{ officer.contact_phone }}."
)


@pytest.fixture
def editing(live_server: LiveServer, page: Page, session: Session) -> Page:
    """A supervisor signed in, on the editor of the arrest text."""
    import_library(session, [t for t in load_library(LIBRARY_DIRECTORY) if t.key == KEY])
    session.commit()
    create_user(live_server.app, session, username="sup.typing", role="supervisor")
    signed_in(page, live_server, "sup.typing")
    page.goto(f"{live_server.url}/console/templates/{KEY}/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Suspect arrested (text)")
    return page


def test_a_lint_problem_appears_as_you_type_and_goes_when_fixed(editing: Page) -> None:
    status = editing.locator("#check-status")
    expect(status).to_have_text("No problems")
    wording = editing.get_by_label("Wording")

    wording.fill(CLEAN + "\nMore at http://example.org/help")

    expect(status).to_have_text("1 problem: line 4")
    expect(editing.locator("#check-details")).to_contain_text(
        "Line 4: Use a link that starts with https://"
    )
    assert editing.evaluate("document.activeElement.id") == "wording"  # focus never moves
    expect(editing.locator(".govuk-error-summary")).to_have_count(0)  # advice, not errors
    assert axe(editing) == []

    wording.fill(CLEAN + "\nMore at https://example.org/help")

    expect(status).to_have_text("No problems")
    expect(editing.locator("#check-details")).not_to_contain_text("Line 4")
    expect(editing.locator("#preview-message")).to_contain_text("More at https://example.org/help")


def test_the_count_and_cost_of_a_text_follow_the_wording(editing: Page) -> None:
    editing.get_by_label("Wording").fill("Diolch {{ victim.first_name }}. Ŵyr.")
    expect(editing.locator("#sms-count")).to_contain_text("UCS-2 (because of Ŵ)")
    expect(editing.locator("#sms-count")).to_contain_text("Will be charged as 1 text message")


def test_saving_a_refused_wording_shows_the_error_summary_and_focuses_it(editing: Page) -> None:
    editing.get_by_label("Wording").fill(CLEAN + "\n{{ victim.nickname }}")
    editing.get_by_role("button", name="Save draft").click()
    summary = editing.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_contain_text("Line 4:")
    expect(summary).to_be_focused()
    expect(editing).to_have_title("Error: Edit Suspect arrested (text) \u2013 fieldapp console")
    assert axe(editing) == []
    summary.get_by_role("link").first.click()
    expect(editing.get_by_label("Wording")).to_be_focused()


def test_the_merge_field_picker_inserts_at_the_cursor(editing: Page) -> None:
    wording = editing.get_by_label("Wording")
    wording.fill("Hello ")
    editing.get_by_text("Merge fields you can use").click()
    assert axe(editing) == []
    editing.get_by_role("button", name="Insert {{ victim.first_name }} into the wording").click()
    expect(wording).to_have_value("Hello {{ victim.first_name }}")
    expect(editing.locator("#preview-message")).to_contain_text("Hello Sam")


def test_a_new_template_is_checked_as_you_type_and_passes_axe(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    create_user(live_server.app, session, username="sup.new", role="supervisor")
    signed_in(page, live_server, "sup.new")
    page.goto(f"{live_server.url}/console/templates/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New template")
    assert axe(page) == []
    page.get_by_label("Email").check()
    page.get_by_label("Subject").fill("About {{ case.crime_reference }}")
    page.get_by_label("Wording").fill(CLEAN + "\nSee bit.ly/help")
    expect(page.locator("#check-status")).to_have_text("1 problem: line 4")
    expect(page.locator("#preview-message")).to_contain_text("Subject: About CR/")
    assert axe(page) == []
