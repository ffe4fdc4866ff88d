"""What browser tests do on console pages: sign in as a person would, and ask axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from playwright.sync_api import Page

from tests.factories.users import PASSWORD

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 AA, as UK public-sector services must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


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
