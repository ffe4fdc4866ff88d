"""In the browser: the review queue, a review, the templates list, a template and a diff, by axe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.templates.library import import_library
from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import axe, signed_in
from tests.console.curation import People, create_people
from tests.factories.templates import BODY, publish, save_draft, submit

KEY = "arrested-sms-en"


@pytest.fixture
def people(live_server: LiveServer, session: Session) -> People:
    """The built-in library, and the users of these tests."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_people(live_server.app, session)


@pytest.fixture
def submitted(session: Session, people: People) -> int:
    """Bob's new wording of the arrest SMS, submitted for review; its number."""
    number = save_draft(session, people["bob"], KEY, BODY, "Shorter and plainer")
    submit(session, people["bob"], KEY, number)
    return number


def test_the_review_queue_and_a_review_pass_axe(
    live_server: LiveServer, page: Page, people: People, submitted: int
) -> None:
    signed_in(page, live_server, "alice")
    page.get_by_role("link", name="Review queue").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.get_by_text("Awaiting review").first).to_be_visible()
    expect(page.get_by_role("cell", name="Changed").first).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="Suspect arrested (text)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Review version {submitted} of Suspect arrested (text)"
    )
    assert axe(page) == []
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title(
        f"Error: Review version {submitted} of Suspect arrested (text) \u2013 fieldapp console"
    )
    assert axe(page) == []
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.get_by_text(f"version {submitted} approved")).to_be_visible()


def test_the_author_is_not_offered_approve(
    live_server: LiveServer, page: Page, people: People, submitted: int
) -> None:
    signed_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/console/reviews")
    expect(page.get_by_text("Yours: another supervisor must review")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_have_count(0)
    assert axe(page) == []


def test_the_templates_list_with_filters_open_passes_axe(
    live_server: LiveServer, page: Page, people: People, session: Session
) -> None:
    publish(
        session, people["bob"], people["alice"], KEY, save_draft(session, people["bob"], KEY, BODY)
    )
    _pretend_welsh_published_earlier(session)
    signed_in(page, live_server, "audrey")
    page.get_by_role("link", name="Templates").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Templates")
    assert axe(page) == []
    page.get_by_label("Event").select_option("arrested")
    page.get_by_label("Channel").select_option("sms")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Remove this filter: Event")).to_be_visible()
    expect(page.get_by_text("Welsh version older", exact=True)).to_be_visible()
    assert axe(page) == []


def test_a_template_page_its_retire_step_and_a_diff_pass_axe(
    live_server: LiveServer, page: Page, people: People, submitted: int
) -> None:
    signed_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/console/templates/{KEY}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspect arrested (text)")
    expect(page.get_by_role("button", name="Restore")).to_have_count(1)
    assert axe(page) == []
    page.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure")
    assert axe(page) == []
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name=f"Changes from version 1 to version {submitted}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Changes from version 1 to version {submitted}"
    )
    expect(page.get_by_role("table").first).to_contain_text("Changed")
    assert axe(page) == []


def _pretend_welsh_published_earlier(session: Session) -> None:
    """The Welsh arrest SMS published long before the English one (no clocks in tests)."""
    welsh = session.scalars(
        select(MessageTemplate).where(MessageTemplate.key == "arrested-sms-cy")
    ).one()
    session.execute(
        update(TemplateVersion)
        .where(TemplateVersion.template_id == welsh.id)
        .values(reviewed_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    session.commit()
