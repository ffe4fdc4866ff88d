"""In the browser: the compliance page and a case page; axe finds no serious or critical problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import axe, signed_in
from tests.factories import create_team, create_user
from tests.services.test_compliance import create_case, create_duty


@pytest.fixture
def arranged(live_server: LiveServer, session: Session) -> dict[str, Any]:
    """A supervisor's team with a duty of each outcome, one overdue and one due soon."""
    app = live_server.app
    team = create_team(session, name="Northtown")
    officer = create_user(app, session, team=team, display_name="PC Ann Example")
    create_user(app, session, team=team, role="supervisor", username="sgt.browser")
    case = create_case(session, officer)
    now = datetime.now(UTC)
    create_duty(session, case, due_at=now - timedelta(days=2), status="met",
                closed_at=now - timedelta(days=3))  # fmt: skip
    create_duty(session, case, due_at=now - timedelta(days=4), status="met",
                closed_at=now - timedelta(days=1))  # fmt: skip
    create_duty(session, case, due_at=now - timedelta(days=5), status="missed",
                event_type="charged", closed_at=now - timedelta(days=4))  # fmt: skip
    create_duty(session, case, due_at=now - timedelta(days=1))
    create_duty(session, case, due_at=now + timedelta(hours=6), event_type=None)
    return {"case_id": case.id, "reference": case.crime_reference}


def test_the_compliance_page_passes_axe_and_links_to_the_case(
    live_server: LiveServer, page: Page, arranged: dict[str, Any]
) -> None:
    signed_in(page, live_server, "sgt.browser")
    page.goto(f"{live_server.url}/console/compliance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    expect(page).to_have_title("Compliance \u2013 fieldapp console")
    expect(page.get_by_role("table", name="Duties by team")).to_be_visible()
    assert page.locator("[aria-hidden='true'] > svg").count() == 3
    assert axe(page) == []
    page.get_by_role("link", name=arranged["reference"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {arranged['reference']}")


def test_the_case_page_passes_axe(
    live_server: LiveServer, page: Page, arranged: dict[str, Any]
) -> None:
    signed_in(page, live_server, "sgt.browser")
    page.goto(f"{live_server.url}/console/cases/{arranged['case_id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {arranged['reference']}")
    expect(page.get_by_role("cell", name="Overdue", exact=True)).to_have_count(1)
    assert axe(page) == []


def test_the_compliance_error_summary_passes_axe(
    live_server: LiveServer, page: Page, arranged: dict[str, Any]
) -> None:
    signed_in(page, live_server, "sgt.browser")
    page.goto(f"{live_server.url}/console/compliance?from=2026-03-10&to=2026-03-01")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title("Error: Compliance \u2013 fieldapp console")
    assert axe(page) == []
