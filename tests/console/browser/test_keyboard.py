"""The whole supervisor journey with the keyboard alone (issue 13, point 4).

Every interaction is a key press or typing: Tab and Shift+Tab to move, Enter to follow a link or
press a button, arrow keys and typing to choose in a select, Control+End to reach the end of the
wording. Nothing is clicked, filled, focused or selected through Playwright's pointer shortcuts,
so a control that a keyboard cannot reach, a focus trap or focus lost after an htmx swap fails it.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.console.browser.arrest_case import AUTHOR, REVIEWER, arrange_arrest_case
from tests.console.browser.conftest import LiveServer
from tests.console.browser.pages import (
    choose_with_arrows,
    focus_indicator,
    focused,
    has_visible_focus,
    selected_text,
    shift_tab_to,
    signed_in_by_keyboard,
    tab_to,
)

NEW_LINE = "We will keep you up to date at every step."
UNKNOWN_FIELD = "{{ victim.shoe_size }}"
TEMPLATE = "Suspect arrested (text)"
WORDING = ("textbox", "Wording")
#: Where the caret is in the focused textarea, and how long its text is.
CARET = "() => [document.activeElement.selectionStart, document.activeElement.value.length]"


def press_enter_and_load(page: Page) -> None:
    """Press Enter on a link or button that loads a page, and wait until it has loaded.

    Waiting for the load event means the page's scripts have run (GOV.UK's success banner takes
    focus as they start), so the next Tab starts from where a person's would.
    """
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_focus_visible(page: Page) -> None:
    """The focused element shows GOV.UK's yellow focus indicator."""
    styles = focus_indicator(page)
    assert has_visible_focus(styles), f"no visible focus on {focused(page)}: {styles}"


def assert_wording_keeps_focus(page: Page) -> None:
    """Focus is still in "Wording", with the caret at the end where the typing left it."""
    assert focused(page) == WORDING
    start, length = page.evaluate(CARET)
    assert start == length


def find_template_with_filters(page: Page) -> None:
    """From "Templates", narrow the list with the filter selects and open the arrest text."""
    tab_to(page, ("link", "Templates"))
    assert_focus_visible(page)
    press_enter_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Templates")

    tab_to(page, ("combobox", "Event"))
    assert_focus_visible(page)
    page.keyboard.type("Arrested")  # type-ahead picks the option
    assert selected_text(page) == "Arrested"
    tab_to(page, ("combobox", "Channel"), limit=1)
    choose_with_arrows(page, "Text message")
    tab_to(page, ("combobox", "Language"), limit=1)
    choose_with_arrows(page, "English")
    tab_to(page, ("button", "Apply filters"))
    assert_focus_visible(page)
    press_enter_and_load(page)
    assert "event_type=arrested" in page.url
    assert "channel=sms" in page.url and "language=en" in page.url

    tab_to(page, ("link", TEMPLATE))
    assert_focus_visible(page)
    press_enter_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TEMPLATE)


def change_wording(page: Page) -> str:
    """In the editor, add a line by keyboard while the live check answers; returns the wording."""
    tab_to(page, ("link", "Edit"))
    press_enter_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {TEMPLATE}")
    tab_to(page, WORDING)
    assert_focus_visible(page)
    original: str = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(UNKNOWN_FIELD)

    # The status region answers as they type; focus and caret stay where they were.
    status = page.locator("#check-status")
    expect(status).to_have_text(re.compile(r"^1 problem: line \d+\s*$"))
    assert_wording_keeps_focus(page)
    page.keyboard.press("Shift+Home")
    page.keyboard.type(NEW_LINE)
    expect(status).to_have_text("No problems")
    expect(page.locator("#check-details")).to_contain_text(NEW_LINE)
    assert_wording_keeps_focus(page)
    wording: str = page.evaluate("() => document.activeElement.value")
    assert wording == original + "\n" + NEW_LINE

    # A preview with the team's real case, chosen with the arrow keys; focus stays on the select.
    tab_to(page, ("combobox", "Preview with"), limit=1)
    choose_with_arrows(page, re.compile(r"^Robin .*NT/00042/26"))
    expect(page.locator("#check-details")).to_contain_text("Dear Robin")
    expect(page.locator("#check-details")).to_contain_text("Merged with the chosen case")
    assert focused(page) == ("combobox", "Preview with")
    return wording


def test_the_supervisor_journey_with_the_keyboard_alone(
    live_server: LiveServer, page: Page, session: Session
) -> None:
    arrange_arrest_case(live_server, session)

    # The author finds the arrest text message and changes its wording.
    signed_in_by_keyboard(page, live_server, AUTHOR)
    find_template_with_filters(page)
    wording = change_wording(page)
    tab_to(page, "Change note (optional)")
    page.keyboard.type("Says we will keep them up to date.")
    tab_to(page, ("button", "Save draft"))
    assert_focus_visible(page)
    press_enter_and_load(page)
    expect(page.get_by_text("Draft saved as version 2.")).to_be_visible()
    expect(page.get_by_label("Wording")).to_have_value(wording)

    # They submit it for review, then sign out; "Sign out" is above, so Shift+Tab reaches it.
    tab_to(page, ("button", "Submit for review"))
    press_enter_and_load(page)
    expect(page.get_by_text("is waiting for another supervisor's review")).to_be_visible()
    shift_tab_to(page, ("button", "Sign out"))
    assert_focus_visible(page)
    press_enter_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # The second supervisor opens it from the review queue, reads the diff and approves it.
    signed_in_by_keyboard(page, live_server, REVIEWER)
    tab_to(page, ("link", "Review queue"))
    press_enter_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    tab_to(page, ("link", TEMPLATE))
    press_enter_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review version 2 of {TEMPLATE}")
    expect(page.get_by_role("cell", name=NEW_LINE).first).to_be_visible()
    expect(page.get_by_role("cell", name="Added", exact=True).first).to_be_visible()
    tab_to(page, ("button", re.compile(r"^Approve\b")))
    assert_focus_visible(page)
    press_enter_and_load(page)
    notice = page.get_by_role("alert").filter(has_text=f"{TEMPLATE}: version 2 approved")
    expect(notice).to_be_visible()
    # GOV.UK's success banner takes focus, so the next Tab starts from the news.
    expect(notice).to_be_focused()
