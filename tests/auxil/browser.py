"""Headless Chromium for the browser tests (tests/test_web*.py): the browser fixture and a recorded tab.

Import the fixture into a test module (`from tests.auxil.browser import browser`) to use it there.
"""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 10_000


def unavailable(reason: str) -> None:
    """Skip on a developer machine without a browser; in CI, where .ci/run installs it, fail loudly."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright)")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set $CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A fresh browser context (own localStorage) with everything the page did recorded."""

    page: Any
    origin: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.origin + path)
        self.page.wait_for_selector("#question")

    def ask(self, question: str) -> Any:
        """Type and press Enter; returns the new bot reply once it is shown."""
        before = self.replies().count()
        self.page.fill("#question", question)
        self.page.press("#question", "Enter")
        return self.wait_for_reply(before)

    def wait_for_reply(self, before: int) -> Any:
        from playwright.sync_api import expect

        expect(self.replies()).to_have_count(before + 1, timeout=WAIT_MS)
        return self.replies().nth(before)  # not .last: locators are lazy and later replies would move it

    def replies(self) -> Any:
        return self.page.locator("#log .msg-bot:not(.typing)")

    def focused_id(self) -> str:
        return self.page.evaluate("document.activeElement && document.activeElement.id")

    def storage(self, key: str) -> Any:
        return self.page.evaluate("key => localStorage.getItem(key)", key)


def record(page: Any, tab: Tab) -> None:
    """Keep every request, dialog, console error and uncaught error of `page` in `tab`."""
    page.on("request", lambda request: tab.requests.append(request.url))

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", on_dialog)
    page.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    page.on("pageerror", lambda error: tab.console_errors.append(str(error)))


class _HostPage(BaseHTTPRequestHandler):
    """Another site (another port, so another origin) that embeds the widget with one script tag."""

    bot_origin = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path != "/":
            self.send_error(404)
            return
        body = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Host site</title></head>"
                f"<body><h1>Someone else's page</h1>"
                f"<script src=\"{self.bot_origin}/widget.js\"></script></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        # A strict host: only its own and the bot's scripts and frames; no inline styles allowed.
        self.send_header("Content-Security-Policy", f"default-src 'self'; script-src 'self' {self.bot_origin}; "
                                                    f"frame-src {self.bot_origin}; style-src 'self'")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_host_site(bot_origin: str) -> Iterator[str]:
    """Another site that embeds the bot's widget, served on a free port until the block ends; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("HostPage", (_HostPage,), {"bot_origin": bot_origin}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
