"""The web chat and the widget in a real headless Chromium (Playwright) against the real app on 127.0.0.1."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot import Answerer
from bot.http_server import create_app, serving
from tests.auxil.browser import WAIT_MS, Tab, browser, record, serve_host_site  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
TOP_PCT = "Who is the top PCT applicant in Brussels–Antwerp?"
SECOND = "K.U. Leuven Research & Development"
INJECTION = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serving(create_app(Answerer())) as url:
        yield url


@pytest.fixture()
def tab(browser: Any, origin: str) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    tab = Tab(page=page, origin=origin)
    record(page, tab)
    yield tab
    context.close()


def test_question_gets_the_right_answer(tab: Tab) -> None:
    tab.open()
    reply = tab.ask(TOP_PCT)
    assert "AGFA" in reply.locator(".msg-text").inner_text()
    assert "status-answered" in reply.get_attribute("class")
    source = reply.locator(".msg-source")
    assert source.is_visible() and "Global Innovation Index 2024" in source.inner_text()
    assert tab.page.locator("#log .msg-user .msg-text").last.inner_text() == TOP_PCT
    assert tab.focused_id() == "question"
    assert tab.page.input_value("#question") == ""
    assert not tab.console_errors


def test_follow_up(tab: Tab) -> None:
    tab.open()
    tab.ask(TOP_PCT)
    reply = tab.ask("And the second?")
    assert SECOND in reply.inner_text()


def test_list_answer_and_screenshot(tab: Tab) -> None:
    """The README's screenshot: a list answer with its table (GII_BOT_UPDATE_SCREENSHOT=1 rewrites it)."""
    tab.open()
    reply = tab.ask("Who are the top PCT applicants?")
    assert reply.locator("table.rows tbody tr").count() == 3
    tab.page.mouse.move(0, 0)  # no hover state in the picture
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "web-chat.png"))
    if os.environ.get("GII_BOT_UPDATE_SCREENSHOT") == "1":
        tab.page.screenshot(path=str(ROOT / "docs" / "web-chat.png"))


def test_suggestion_button_asks_it(tab: Tab) -> None:
    tab.open()
    tab.ask(TOP_PCT)
    buttons = tab.page.locator("#log .msg-bot").last.locator("button.suggestion")
    assert buttons.count() >= 1
    suggestion = buttons.first.inner_text()
    before = tab.replies().count()
    buttons.first.click()
    reply = tab.wait_for_reply(before)
    assert tab.page.locator("#log .msg-user .msg-text").last.inner_text() == suggestion
    assert "status-not_understood" not in reply.get_attribute("class")
    # Only the latest reply offers suggestions.
    assert tab.page.locator("#log .msg-bot").first.locator("button.suggestion").count() == 0
    assert tab.focused_id() == "question"


def test_reload_keeps_the_conversation_and_the_session(tab: Tab) -> None:
    tab.open()
    tab.ask(TOP_PCT)
    session = tab.storage("gii-bot.session")
    shown = tab.page.locator("#log .msg").all_inner_texts()
    tab.page.reload()
    tab.page.wait_for_selector("#log .msg-bot")
    assert tab.page.locator("#log .msg").all_inner_texts() == shown
    assert tab.storage("gii-bot.session") == session
    assert SECOND in tab.ask("And the second?").inner_text()


def test_new_conversation_clears_history_and_context(tab: Tab) -> None:
    tab.open()
    tab.ask(TOP_PCT)
    old_session = tab.storage("gii-bot.session")
    tab.page.get_by_role("button", name="New conversation").click()
    assert tab.page.locator("#log .msg").count() == 0
    assert tab.focused_id() == "question"
    new_session = tab.storage("gii-bot.session")
    assert new_session and new_session != old_session
    tab.page.reload()
    tab.page.wait_for_selector("#question")
    assert tab.page.locator("#log .msg").count() == 0
    assert SECOND not in tab.ask("And the second?").inner_text()


def test_sessions_differ_between_browsers(browser: Any, tab: Tab) -> None:
    tab.open()
    other = browser.new_context()
    try:
        page = other.new_page()
        page.goto(tab.origin + "/")
        page.wait_for_selector("#question")
        assert page.evaluate("localStorage.getItem('gii-bot.session')") != tab.storage("gii-bot.session")
    finally:
        other.close()


def test_markup_in_a_question_is_shown_as_text(tab: Tab) -> None:
    tab.open()
    tab.ask(INJECTION)
    assert tab.page.locator("#log .msg-user .msg-text").last.text_content() == INJECTION
    tab.page.reload()  # and again when the kept transcript is drawn
    tab.page.wait_for_selector("#log .msg-user")
    assert tab.page.locator("#log .msg-user .msg-text").last.text_content() == INJECTION
    tab.page.wait_for_timeout(300)  # give a would-be onerror handler the chance to fire
    assert tab.page.locator("img").count() == 0
    assert tab.dialogs == []


def test_no_data_and_not_understood_look_different(tab: Tab) -> None:
    tab.open()
    unclear = tab.ask("asdf qwer zxcv")
    assert "status-not_understood" in unclear.get_attribute("class")
    assert unclear.locator(".msg-label").inner_text().lower() == "not understood"
    missing = tab.ask("Who is the top PCT applicant in Paris?")
    assert "status-no_data" in missing.get_attribute("class")
    assert missing.locator(".msg-label").inner_text().lower() == "i don't have that"
    answered = tab.ask(TOP_PCT)
    assert answered.locator(".msg-label").count() == 0

    def look(locator: Any) -> str:
        return locator.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderStyle].join()")
    assert len({look(unclear), look(missing), look(answered)}) == 3


def test_keyboard_only(tab: Tab) -> None:
    tab.open()
    tab.page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(10):
        tab.page.keyboard.press("Tab")
        if tab.focused_id() == "question":
            break
    assert tab.focused_id() == "question"
    before = tab.replies().count()
    tab.page.keyboard.type(TOP_PCT)
    tab.page.keyboard.press("Enter")
    assert "AGFA" in tab.wait_for_reply(before).inner_text()
    assert tab.focused_id() == "question"
    # Shift+Tab back to the last suggestion button and press Enter on it.
    for _ in range(10):
        tab.page.keyboard.press("Shift+Tab")
        if tab.page.evaluate("document.activeElement.classList.contains('suggestion')"):
            break
    asked = tab.page.evaluate("document.activeElement.textContent")
    before = tab.replies().count()
    tab.page.keyboard.press("Enter")
    tab.wait_for_reply(before)
    assert tab.page.locator("#log .msg-user .msg-text").last.inner_text() == asked
    assert tab.focused_id() == "question"


def test_controls_are_labelled_and_replies_announced(tab: Tab) -> None:
    tab.open()
    assert tab.page.get_by_label("Your question").get_attribute("id") == "question"
    assert tab.page.get_by_role("button", name="Send").is_visible()
    # The log is a log to browse, not live: the announcer says each reply's sentence (tables stay out of it).
    log = tab.page.locator("#log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "off"
    announcer = tab.page.locator("#announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    reply = tab.ask(TOP_PCT)
    assert announcer.text_content() == reply.locator(".msg-text").inner_text()
    missing = tab.ask("Who is the top PCT applicant in Paris?")
    assert announcer.text_content() == "I don't have that. " + missing.locator(".msg-text").inner_text()


def test_page_only_talks_to_its_own_server(tab: Tab) -> None:
    tab.open()
    tab.ask(TOP_PCT)
    tab.page.locator("button.suggestion").first.click()
    tab.wait_for_reply(1)
    tab.page.reload()
    tab.page.wait_for_selector("#log .msg-bot")
    assert tab.requests, "no requests recorded"
    strangers = [url for url in tab.requests if not url.startswith(tab.origin + "/")]
    assert strangers == []
    assert not [error for error in tab.console_errors if "Content Security Policy" in error]


def test_phone_width_and_dark_mode(browser: Any, origin: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, color_scheme="dark", is_mobile=True)
    try:
        page = context.new_page()
        tab = Tab(page=page, origin=origin)
        record(page, tab)
        tab.open()
        tab.ask(TOP_PCT)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.get_by_role("button", name="Send").is_visible()
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(part) for part in background[background.index("(") + 1:-1].split(",")[:3])
        assert red + green + blue < 150, background
    finally:
        context.close()


@pytest.fixture()
def host_site(origin: str) -> Iterator[str]:
    with serve_host_site(origin) as url:
        yield url


def test_widget_on_another_site_opens_the_chat_and_answers(tab: Tab, host_site: str) -> None:
    from playwright.sync_api import expect

    tab.page.goto(host_site + "/")
    button = tab.page.locator("[data-gii-bot=button]")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box and box["x"] > 1000 / 2 and box["y"] > 760 / 2, "button not in the bottom-right corner"
    assert button.get_attribute("aria-expanded") == "false"
    assert tab.page.locator("iframe").count() == 0
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    iframe = tab.page.locator("iframe[title='GII clusters chat']")
    assert iframe.get_attribute("src") == tab.origin + "/embed"
    chat = tab.page.frame_locator("iframe[title='GII clusters chat']")
    expect(chat.locator("#question")).to_be_focused()  # opening puts the caret in the box
    tab.page.keyboard.type(TOP_PCT)
    tab.page.keyboard.press("Enter")
    expect(chat.locator("#log .msg-bot:not(.typing)")).to_have_count(1, timeout=WAIT_MS)
    assert "AGFA" in chat.locator("#log .msg-bot").last.inner_text()
    assert chat.locator("html.embed").count() == 1
    button.click()
    expect(iframe).to_be_hidden()
    assert tab.page.evaluate("document.activeElement.dataset.giiBot") == "button"
    strangers = [url for url in tab.requests if not url.startswith((host_site + "/", tab.origin + "/"))]
    assert strangers == []
    assert any(url.startswith(tab.origin + "/ask") for url in tab.requests)
    assert not [error for error in tab.console_errors if "Content Security Policy" in error]


def test_escape_inside_the_widget_frame_closes_it(tab: Tab, host_site: str) -> None:
    from playwright.sync_api import expect

    tab.page.goto(host_site + "/")
    button = tab.page.locator("[data-gii-bot=button]")
    button.click()
    iframe = tab.page.locator("iframe[title='GII clusters chat']")
    chat = tab.page.frame_locator("iframe[title='GII clusters chat']")
    expect(chat.locator("#question")).to_be_focused()  # focus is inside the frame
    tab.page.keyboard.press("Escape")
    expect(iframe).to_be_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    assert tab.page.evaluate("document.activeElement.dataset.giiBot") == "button"
    button.click()  # and it opens again after that
    expect(chat.locator("#question")).to_be_focused()


def test_a_close_message_from_another_frame_is_ignored(tab: Tab, host_site: str) -> None:
    from playwright.sync_api import expect

    tab.page.goto(host_site + "/")
    button = tab.page.locator("[data-gii-bot=button]")
    button.click()
    chat = tab.page.frame_locator("iframe[title='GII clusters chat']")
    expect(chat.locator("#question")).to_be_focused()
    # The host page itself (not the chat frame) posts the same message: the panel stays open.
    # A listener added after the widget's runs after it for the same message: then it has been handled.
    tab.page.evaluate("""() => new Promise(resolve => {
        window.addEventListener("message", () => resolve(), { once: true });
        window.postMessage({ giiBot: "close" }, "*");
    })""")
    expect(tab.page.locator("iframe[title='GII clusters chat']")).to_be_visible()
    assert button.get_attribute("aria-expanded") == "true"


def test_api_docs_render_with_no_request_leaving_the_server(tab: Tab) -> None:
    from playwright.sync_api import expect

    # Offline: any request to another host fails, as it would without a network.
    tab.page.route(lambda url: not url.startswith(tab.origin + "/"), lambda route: route.abort())
    tab.page.goto(tab.origin + "/docs")
    operation = tab.page.locator(".swagger-ui .opblock-summary-path", has_text="/ask")
    expect(operation).to_be_visible(timeout=WAIT_MS)
    expect(tab.page.locator(".swagger-ui .info .title")).to_contain_text("gii-bot")
    strangers = [url for url in tab.requests if not url.startswith(tab.origin + "/")]
    assert strangers == []
    assert any(url == tab.origin + "/docs/swagger-ui-bundle.js" for url in tab.requests)
    assert not [error for error in tab.console_errors if "Content Security Policy" in error], tab.console_errors

