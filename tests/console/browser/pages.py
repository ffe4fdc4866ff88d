"""What browser tests do on console pages: sign in as a person would, move by keyboard, ask axe."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Protocol

import yaml
from playwright.sync_api import Page

from tests.factories.users import PASSWORD

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 AA, as UK public-sector services must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


#: What a key press should bring focus to: an accessible name, or a role and a name. A name is
#: matched whole (spaces collapsed, visually hidden text included), a pattern with re.search.
Name = str | re.Pattern[str]
Matcher = Name | tuple[str, Name]
#: An element in Playwright's ARIA snapshot: `role "name"`, the name escaped as in JSON.
ROLE_AND_NAME = re.compile(r'^(?P<role>[\w-]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?')
#: GOV.UK's focus colour, $govuk-focus-colour (#ffdd00), as computed styles give it.
FOCUS_COLOUR = "rgb(255, 221, 0)"
#: The focused select's chosen option's text, for page.evaluate.
SELECTED_TEXT = """() => {
    const select = document.activeElement
    return select instanceof HTMLSelectElement ? select.selectedOptions[0]?.text.trim() : null
}"""


class Served(Protocol):
    """Anything with the base URL of the app under test."""

    url: str


def axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; the serious and critical WCAG 2.2 AA violations it finds."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => window.axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def signed_in(page: Page, server: Served, username: str, password: str = PASSWORD) -> None:
    """Sign in through the console's "Sign in" page, as a person would."""
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/console/sign-in" not in url)


def focused(page: Page) -> tuple[str, str] | None:
    """The role and accessible name of the element that has focus, or None if nothing has."""
    here = page.locator("*:focus")
    if here.count() == 0:
        return None
    # The snapshot is YAML: one item, `role "name"`, a key if the element has children or a value.
    [item] = yaml.safe_load(here.first.aria_snapshot(timeout=2_000))
    found = ROLE_AND_NAME.match(next(iter(item)) if isinstance(item, dict) else str(item))
    if found is None:
        return (str(item), "")
    name = json.loads(f'"{found["name"]}"') if found["name"] is not None else ""
    return (found["role"], " ".join(name.split()))


def _named(name: str, wanted: Name) -> bool:
    """Whether an accessible name is the one wanted."""
    if isinstance(wanted, re.Pattern):
        return wanted.search(name) is not None
    return name == " ".join(wanted.split())


def _matches(here: tuple[str, str] | None, matcher: Matcher) -> bool:
    """Whether the focused element (role, name) is what the matcher describes."""
    if here is None:
        return False
    role, name = here
    if isinstance(matcher, tuple):
        wanted_role, wanted_name = matcher
        return role == wanted_role and _named(name, wanted_name)
    return _named(name, matcher)


def tab_to(page: Page, matcher: Matcher, limit: int = 200, *, key: str = "Tab") -> None:
    """Press Tab (or `key`) until the focused element matches; fail listing where focus went."""
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        here = focused(page)
        if _matches(here, matcher):
            return
        visited.append("nothing" if here is None else f'{here[0]} "{here[1]}"')
    shown = matcher.pattern if isinstance(matcher, re.Pattern) else matcher
    raise AssertionError(
        f"{key} never brought focus to {shown!r} in {limit} presses on {page.url}; "
        f"focus went to: {'; '.join(visited)}"
    )


def shift_tab_to(page: Page, matcher: Matcher, limit: int = 200) -> None:
    """Press Shift+Tab until the focused element matches (for controls above the focus)."""
    tab_to(page, matcher, limit, key="Shift+Tab")


def focus_indicator(page: Page) -> dict[str, str]:
    """The computed styles that show where the focus is, on the focused element."""
    styles: dict[str, str] = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement)
            return {
                element: document.activeElement.tagName.toLowerCase(),
                outlineStyle: style.outlineStyle,
                outlineColor: style.outlineColor,
                outlineWidth: style.outlineWidth,
                boxShadow: style.boxShadow,
                backgroundColor: style.backgroundColor,
            }
        }"""
    )
    return styles


def has_visible_focus(styles: dict[str, str]) -> bool:
    """Whether the styles draw GOV.UK's focus indicator: an outline or shadow, in its yellow."""
    outline = (
        styles["outlineStyle"] != "none"
        and styles["outlineWidth"] not in ("0px", "")
        and styles["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    )
    drawn = outline or styles["boxShadow"] != "none"
    yellow = any(
        FOCUS_COLOUR in styles[name] for name in ("outlineColor", "backgroundColor", "boxShadow")
    )
    return drawn and yellow


def choose_with_arrows(page: Page, text: Name, limit: int = 50) -> None:
    """Press the down arrow on the focused select until the option named `text` is chosen."""
    for _ in range(limit):
        chosen = selected_text(page)
        if chosen is not None and _named(chosen, text):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the down arrow never chose {text!r}; last: {selected_text(page)!r}")


def selected_text(page: Page) -> str | None:
    """The text of the chosen option of the focused select (None if focus is not on one)."""
    chosen: str | None = page.evaluate(SELECTED_TEXT)
    return chosen


def signed_in_by_keyboard(
    page: Page, server: Served, username: str, password: str = PASSWORD
) -> None:
    """Sign in with the keyboard alone: Tab to "Username", type, Tab, type the password, Enter."""
    page.goto(f"{server.url}/console/sign-in")
    tab_to(page, ("textbox", "Username"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused(page) == ("textbox", "Password")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/console/sign-in" not in url)
