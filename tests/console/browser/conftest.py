"""Browser fixtures: the app served on loopback, Debian's chromium driven by Playwright, axe-core.

No browser is downloaded: Playwright drives /usr/bin/chromium (Debian's package, which
``.ci/run`` installs). axe-core comes from npm (package-lock.json) and is injected into the
page the way @axe-core/playwright does, so the console's CSP is not loosened for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = Path(os.environ.get("FIELDAPP_CHROMIUM", "/usr/bin/chromium"))
#: The flags a root, offline, headless machine needs (no sandbox as root; no calls home).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@dataclass
class LiveServer:
    """The app served over HTTP on loopback for a real browser."""

    app: Flask
    url: str
    server: BaseWSGIServer = field(repr=False)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test app on a free loopback port, in a thread, for this test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", server)
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian chromium for the whole run."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page; fails the test on any CSP violation it logs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert violations == [], f"the page broke its Content-Security-Policy: {violations}"
