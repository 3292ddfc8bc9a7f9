"""The web chat's tables, example questions and Copy buttons, in a real headless Chromium against the real app.

Every page here runs offline (any request not to 127.0.0.1 is aborted and recorded) and records each
Content-Security-Policy violation the browser reports, so a test fails on either.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

import knowledge as knowledge_layer
from bot import Answerer
from bot.http_server import create_app, serving
from knowledge.loader import BUNDLED_DIR
from knowledge.models import ClusterProfile
from tests.auxil.browser import WAIT_MS, Tab, browser, record, serve_host_site  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.browser

LIST = "Who are the top PCT applicants?"
FACT = "Who is the top PCT applicant in Brussels–Antwerp?"
BOTH = "Who are the top PCT applicants and the top publishers?"
PLACES = "Which locations does Brussels–Antwerp collaborate with most on PCT applications?"
LONG = "Who are the top PCT applicants in Longlist Vale?"
SOURCE = "Global Innovation Index 2024, cluster profile: Brussels–Antwerp"
CAP = 5  # rows.js: rows shown before "Show all"

# Before any page script: keep every CSP violation the browser reports.
WATCH_CSP = """window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});"""
NO_CLIPBOARD = "delete Navigator.prototype.clipboard;"  # as on a plain-http LAN address (not a secure context)

LONG_APPLICANTS = ["Alder Optics", "Birchmont Photonics", "Cedarline Robotics", "Dunmore Materials",
                   "Elmsworth Sensors", "Fernhollow Batteries", "Gorsefield Instruments", "Hazelton Pharma",
                   "Ivybridge Polymers", "Juniper Coast Labs", "Kestrel Fabrication", "Larchgate Systems"]


def long_cluster() -> dict[str, Any]:
    """A fictional cluster whose applicants table has 12 rows (real profiles print 3): to test "Show all"."""
    profile = json.loads((BUNDLED_DIR / "brussels-antwerp.json").read_text(encoding="utf-8"))
    counts = [600 - 40 * index for index in range(len(LONG_APPLICANTS))]
    profile.update(
        id="longlist-vale", name="Longlist Vale", economies=["Zembla"], rank_size=80, rank_intensity=90,
        membership={"kind": "only", "count": 1, "economy": "Zembla",
                    "sentence": "Longlist Vale is the only cluster within Zembla that falls within the top 100 "
                                "S&T clusters in 2024."},
        source={"edition": 2024, "document": "Global Innovation Index 2024, cluster profile: Longlist Vale"})
    profile["top_applicants"]["rows"] = [
        {"rank": index + 1, "name": name, "count": count, "share": round(count / 100), "display_name": None,
         "aliases": []} for index, (name, count) in enumerate(zip(LONG_APPLICANTS, counts))]
    return ClusterProfile.model_validate(profile).model_dump(mode="json")


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serving(create_app(Answerer())) as url:
        yield url


@pytest.fixture(scope="module")
def two_clusters_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Brussels–Antwerp and the fictional Longlist Vale, loaded the way an operator's directory is."""
    directory = tmp_path_factory.mktemp("knowledge")
    (directory / "longlist-vale.json").write_text(json.dumps(long_cluster(), ensure_ascii=False), encoding="utf-8")
    answerer = Answerer(knowledge=knowledge_layer.load([str(directory)], with_bundled=True))
    assert [c.shown for c in answerer.knowledge.clusters] == ["Brussels–Antwerp", "Longlist Vale"]
    with serving(create_app(answerer)) as url:
        yield url


class Offline:
    """A browser context that lets only 127.0.0.1 through (everything else is aborted and kept in `strangers`)."""

    def __init__(self, browser: Any, origin: str, init_scripts: tuple[str, ...] = (), **options: Any) -> None:
        options.setdefault("viewport", {"width": 1000, "height": 760})
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(WAIT_MS)
        self.strangers: list[str] = []
        self.context.route("**/*", self._route)
        for script in (WATCH_CSP, *init_scripts):
            self.context.add_init_script(script)
        self.origin = origin

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            self.strangers.append(url)
            route.abort()

    def tab(self) -> Tab:
        page = self.context.new_page()
        tab = Tab(page=page, origin=self.origin)
        record(page, tab)
        return tab

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def offline(browser: Any, origin: str) -> Iterator[Offline]:
    context = Offline(browser, origin)
    yield context
    context.close()


def csp_violations(tab: Tab) -> list[str]:
    """What the page reported, plus console errors naming the CSP (in every frame)."""
    reported = [item for frame in tab.page.frames for item in frame.evaluate("window.__csp || []")]
    return reported + [error for error in tab.console_errors if "Content Security Policy" in error]


# Chromium's own note on the chat's `autofocus` inside the widget's frame (the chat focuses its box itself).
FRAME_AUTOFOCUS = "Blocked autofocusing on a <input> element in a cross-origin subframe."


def assert_clean(tab: Tab, offline: Offline) -> None:
    """Nothing left 127.0.0.1, no CSP violation, no script error."""
    assert offline.strangers == []
    assert [url for url in tab.requests if not url.startswith(("http://127.0.0.1:", "data:"))] == []
    assert csp_violations(tab) == []
    assert [error for error in tab.console_errors if error != FRAME_AUTOFOCUS] == []


def ask_with_json(tab: Tab, question: str) -> tuple[Any, dict[str, Any]]:
    """Ask in the page; the reply as shown and the Answer JSON the server sent for it."""
    with tab.page.expect_response(lambda response: response.url.endswith("/ask")) as answered:
        reply = tab.ask(question)
    return reply, answered.value.json()


# --- tables and bars ---------------------------------------------------------------------------

def test_a_list_answer_shows_a_captioned_table_with_bars_and_the_numbers_in_cells(offline: Offline) -> None:
    tab = offline.tab()
    tab.open()
    reply, answer = ask_with_json(tab, LIST)
    rows = answer["data"]["rows"]
    assert answer["status"] == "answered" and len(rows) == 3
    table = reply.locator("table.rows")
    assert table.count() == 1
    assert table.locator("caption").inner_text() == "PCT applicants"
    assert table.locator("thead th").all_inner_texts()[1:] == ["PCT applicant", "PCT applications", "Share"]
    lines = table.locator("tbody tr")
    assert lines.count() == 3
    largest = max(row["count"] for row in rows)
    for line, row in zip(lines.all(), rows):
        cells = line.locator("td")
        assert cells.nth(0).inner_text() == str(row["rank"])  # a rank is a number ...
        assert cells.nth(0).locator("svg").count() == 0       # ... never a bar
        assert line.locator("th .name-text").inner_text() == row["shown"]
        assert cells.nth(1).inner_text() == f"{row['count']:,}"
        assert cells.nth(2).inner_text() == f"{row['share']:g}%"
        bar = line.locator("svg.bar")
        assert bar.get_attribute("aria-hidden") == "true"
        width = float(bar.locator("rect.bar-fill").get_attribute("width"))
        assert width == pytest.approx(100 * row["count"] / largest, abs=0.1)
    assert table.locator("svg").count() == 3
    # The live region says the sentence only; the table is in the log, which is not live.
    assert tab.page.locator("#announcer").text_content() == answer["text"]
    assert not reply.locator("table").evaluate("t => !!t.closest('[aria-live=polite]')")
    assert_clean(tab, offline)


def test_a_single_fact_has_no_table(offline: Offline) -> None:
    tab = offline.tab()
    tab.open()
    reply, answer = ask_with_json(tab, FACT)
    assert answer["status"] == "answered" and len(answer["data"]["rows"]) == 1
    assert reply.locator(".rows-block, table, ol, svg").count() == 0
    assert reply.get_by_role("button", name="Copy", exact=True).is_visible()
    assert_clean(tab, offline)


def test_each_unit_has_its_own_scale_and_each_collection_its_table(offline: Offline) -> None:
    tab = offline.tab()
    tab.open()
    reply, answer = ask_with_json(tab, BOTH)
    tables = reply.locator("table.rows")
    assert tables.locator("caption").all_inner_texts() == ["PCT applicants", "Publishing organizations"]
    for index, table in enumerate(("applicants", "publishers")):
        counts = [row["count"] for row in answer["data"]["rows"] if row["table"] == table]
        widths = [float(width) for width in tables.nth(index).locator("rect.bar-fill").evaluate_all(
            "rects => rects.map(r => r.getAttribute('width'))")]
        assert widths == [pytest.approx(100 * count / max(counts), abs=0.1) for count in counts]
    # A comparison of two rows: both on the scale of the larger.
    compared, answer = ask_with_json(tab, "Compare AGFA and Toyota")
    widths = compared.locator("rect.bar-fill").evaluate_all("rects => rects.map(r => +r.getAttribute('width'))")
    assert widths == [100, pytest.approx(100 * 123 / 195, abs=0.1)]
    assert_clean(tab, offline)


def test_partner_locations_are_an_ordered_list_without_bars(offline: Offline) -> None:
    tab = offline.tab()
    tab.open()
    reply, answer = ask_with_json(tab, PLACES)
    places = [row["shown"] for row in answer["data"]["rows"]]
    assert len(places) == 3
    listed = reply.locator("ol.places-list li")
    assert listed.all_inner_texts() == places
    assert listed.evaluate_all("items => items.map(i => i.value)") == [1, 2, 3]
    caption = reply.locator(".places-caption")
    assert caption.inner_text() == "Top partner locations for PCT applications"
    assert reply.locator("ol").get_attribute("aria-labelledby") == caption.get_attribute("id")
    assert reply.locator("svg, table").count() == 0
    assert_clean(tab, offline)


def test_a_long_list_is_capped_with_show_all(browser: Any, two_clusters_origin: str) -> None:
    offline = Offline(browser, two_clusters_origin)
    try:
        tab = offline.tab()
        tab.open()
        reply, answer = ask_with_json(tab, LONG)
        assert len(answer["data"]["rows"]) == 12
        lines = reply.locator("table.rows tbody tr")
        assert lines.count() == 12
        assert len([line for line in lines.all() if line.is_visible()]) == CAP
        button = reply.locator("button.show-all")
        assert button.inner_text() == "Show all 12" and button.get_attribute("aria-expanded") == "false"
        button.click()
        assert all(line.is_visible() for line in lines.all())
        assert button.get_attribute("aria-expanded") == "true" and button.inner_text() == "Show fewer"
        button.click()
        assert len([line for line in lines.all() if line.is_visible()]) == CAP
        # The copied table has every row, shown or not.
        assert reply.locator("table.rows tbody th .name-text").all_text_contents() == LONG_APPLICANTS
        assert_clean(tab, offline)
    finally:
        offline.close()


def test_a_reload_draws_the_tables_again(offline: Offline) -> None:
    tab = offline.tab()
    tab.open()
    tab.ask(LIST)
    tab.ask(PLACES)
    tab.page.reload()
    tab.page.wait_for_selector("#log .msg-bot")
    assert tab.page.locator("#log table.rows tbody tr").count() == 3
    assert tab.page.locator("#log ol.places-list li").count() == 3
    assert_clean(tab, offline)


# --- the empty page ------------------------------------------------------------------------------

def _press_each_starter(browser: Any, origin: str) -> list[str]:
    """Press each example button, each on a fresh page; every one must be answered. Returns their questions."""
    from playwright.sync_api import expect

    pressed: list[str] = []
    for index in range(3):
        offline = Offline(browser, origin)
        try:
            tab = offline.tab()
            tab.open()
            starters = tab.page.locator("#starters button")
            expect(starters).to_have_count(3)
            question = starters.nth(index).inner_text()
            with tab.page.expect_response(lambda response: response.url.endswith("/ask")) as answered:
                starters.nth(index).click()
            reply = tab.wait_for_reply(0)
            assert answered.value.json()["status"] == "answered", question
            assert "status-answered" in reply.get_attribute("class")
            assert tab.page.locator("#log .msg-user .msg-text").last.inner_text() == question
            assert tab.page.locator("#intro").is_hidden()
            assert_clean(tab, offline)
            pressed.append(question)
        finally:
            offline.close()
    assert len(set(pressed)) == 3
    return pressed


def test_the_empty_page_says_what_it_knows_and_offers_three_questions_that_get_answers(
        browser: Any, origin: str) -> None:
    offline = Offline(browser, origin)
    try:
        tab = offline.tab()
        tab.open()
        knows = tab.page.locator("#knows")
        from playwright.sync_api import expect

        expect(knows).to_have_text("I know 1 science-and-technology cluster of the GII 2024: Brussels–Antwerp.")
        link = tab.page.locator("#intro a[href='about']")
        assert link.is_visible()
        assert_clean(tab, offline)
    finally:
        offline.close()
    assert all("Brussels–Antwerp" in question for question in _press_each_starter(browser, origin))


def test_the_example_questions_come_from_the_clusters_loaded(browser: Any, two_clusters_origin: str) -> None:
    pressed = _press_each_starter(browser, two_clusters_origin)
    assert any("Longlist Vale" in question for question in pressed)
    assert any("Brussels–Antwerp" in question for question in pressed)


def test_new_conversation_shows_the_examples_again(offline: Offline) -> None:
    tab = offline.tab()
    tab.open()
    tab.ask(FACT)
    assert tab.page.locator("#starters").is_hidden()
    tab.page.get_by_role("button", name="New conversation").click()
    assert tab.page.locator("#starters button").count() == 3
    assert tab.page.locator("#starters").is_visible()


# --- Copy ------------------------------------------------------------------------------------------

def _clipboard(browser: Any, origin: str, **options: Any) -> Offline:
    return Offline(browser, origin, permissions=["clipboard-read", "clipboard-write"], **options)


def test_copy_puts_the_answer_with_its_source_and_copy_table_the_rows_on_the_clipboard(
        browser: Any, origin: str) -> None:
    from playwright.sync_api import expect

    offline = _clipboard(browser, origin)
    try:
        tab = offline.tab()
        tab.open()
        reply, answer = ask_with_json(tab, LIST)
        copy = reply.locator("button.copy")  # by class: its name is "Copied" for a moment
        assert copy.inner_text() == "Copy"
        copy.click()
        expect(copy).to_have_text("Copied")
        assert tab.page.evaluate("navigator.clipboard.readText()") == f"{answer['text']} — Source: {SOURCE}"
        reply.get_by_role("button", name="Copy table").click()
        assert tab.page.evaluate("navigator.clipboard.readText()") == (
            "Rank\tPCT applicant\tPCT applications\tShare (%)\n"
            "1\tAGFA\t195\t6\n"
            "2\tK.U. Leuven Research & Development\t126\t4\n"
            "3\tToyota Motor Europe NV/SA\t123\t4")
        places, _ = ask_with_json(tab, PLACES)
        places.locator("button.copy-table").click()
        expect(places.locator("button.copy-table")).to_have_text("Copied")
        assert tab.page.evaluate("navigator.clipboard.readText()") == "Rank\tLocation\n1\tGent\n2\tParis\n3\tCologne"
        assert reply.locator(".copy-fallback").count() == 0
        assert_clean(tab, offline)
    finally:
        offline.close()


def test_without_the_clipboard_api_the_text_is_selected_with_a_hint(browser: Any, origin: str) -> None:
    offline = Offline(browser, origin, init_scripts=(NO_CLIPBOARD,))
    try:
        tab = offline.tab()
        tab.open()
        assert tab.page.evaluate("typeof navigator.clipboard") == "undefined"
        reply, answer = ask_with_json(tab, LIST)
        reply.get_by_role("button", name="Copy", exact=True).click()
        box = reply.locator(".copy-fallback textarea")
        assert box.is_visible() and box.get_attribute("readonly") is not None
        expected = f"{answer['text']} — Source: {SOURCE}"
        assert box.input_value() == expected
        selected = tab.page.evaluate("""() => { const e = document.activeElement;
            return [e.tagName, e.value.substring(e.selectionStart, e.selectionEnd)]; }""")
        assert selected == ["TEXTAREA", expected]
        assert "Ctrl+C" in reply.locator(".copy-hint").inner_text()
        # Copy table: its own box, under the table, with the tab-separated rows selected.
        reply.get_by_role("button", name="Copy table").click()
        table_box = reply.locator(".rows-block .copy-fallback textarea")
        assert table_box.input_value().startswith("Rank\tPCT applicant\t")
        assert tab.page.evaluate("document.activeElement.selectionEnd") == len(table_box.input_value())
        reply.get_by_role("button", name="Copy", exact=True).click()  # again: one box, not two
        assert reply.locator(".msg-actions + .copy-fallback").count() == 1
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= 1000
        assert_clean(tab, offline)
    finally:
        offline.close()


@pytest.fixture()
def host_site(origin: str) -> Iterator[str]:
    with serve_host_site(origin) as url:
        yield url


def test_copy_works_inside_the_widget_frame(browser: Any, origin: str, host_site: str) -> None:
    from playwright.sync_api import expect

    offline = _clipboard(browser, host_site)
    try:
        tab = offline.tab()
        tab.page.goto(host_site + "/")
        tab.page.locator("[data-gii-bot=button]").click()
        iframe = tab.page.locator("iframe[title='GII clusters chat']")
        assert "clipboard-write" in iframe.get_attribute("allow")
        chat = tab.page.frame_locator("iframe[title='GII clusters chat']")
        expect(chat.locator("#starters button")).to_have_count(3)
        chat.locator("#question").fill(LIST)
        chat.locator("#question").press("Enter")
        reply = chat.locator("#log .msg-bot:not(.typing)")
        expect(reply).to_have_count(1)
        expect(reply.locator("table.rows tbody tr")).to_have_count(3)
        copy = reply.locator("button.copy")
        copy.click()
        expect(copy).to_have_text("Copied")  # the frame may write: no fallback box
        assert reply.locator(".copy-fallback").count() == 0
        assert tab.page.evaluate("navigator.clipboard.readText()").endswith(" — Source: " + SOURCE)
        assert_clean(tab, offline)
    finally:
        offline.close()


# --- phones, colours ---------------------------------------------------------------------------------

def _everything(tab: Tab) -> None:
    """A conversation with each kind of reply and a fallback copy box open."""
    tab.open()
    tab.page.wait_for_selector("#starters button")
    for question in (LIST, BOTH, PLACES, "Who is the top PCT applicant in Paris?", "asdf qwer zxcv", FACT):
        tab.ask(question)
    tab.replies().nth(0).get_by_role("button", name="Copy table").click()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_horizontal_scroll_at_360_px(browser: Any, two_clusters_origin: str, scheme: str) -> None:
    offline = Offline(browser, two_clusters_origin, init_scripts=(NO_CLIPBOARD,), color_scheme=scheme,
                      viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        tab = offline.tab()
        tab.open()
        tab.page.wait_for_selector("#starters button")
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= 360
        for question in (LONG, BOTH, PLACES):
            tab.ask(question)
        tab.replies().nth(0).get_by_role("button", name="Show all 12").click()
        tab.replies().nth(0).get_by_role("button", name="Copy table").click()
        tab.replies().nth(1).get_by_role("button", name="Copy", exact=True).click()
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= 360
        # Nor inside: no reply wider than the log, no table wider than its reply.
        overflow = tab.page.evaluate("""() => [...document.querySelectorAll('#log .msg, #log table, #log textarea')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > 360)
            .map(e => e.className)""")
        assert overflow == []
        assert_clean(tab, offline)
    finally:
        offline.close()


CONTRAST = """() => {
  function rgba(text) {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function luminance(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function behind(element) {
    for (let e = element; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const found = [];
  for (const e of document.querySelectorAll("body *")) {
    const ownText = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const field = e.tagName === "TEXTAREA" || e.tagName === "INPUT";
    const text = ownText || (field && e.value);
    if (!text || !e.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    if (e.closest(".visually-hidden")) continue;
    const fg = rgba(getComputedStyle(e).color), bg = behind(e);
    const mixed = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
                    b: fg.b * fg.a + bg.b * (1 - fg.a) };
    const [light, dark] = [luminance(mixed), luminance(bg)].sort((x, y) => y - x);
    found.push({ text: (field ? e.value : e.textContent).trim().slice(0, 40), tag: e.tagName, className: String(e.className),
                 ratio: (light + 0.05) / (dark + 0.05) });
  }
  return found;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5_to_1(browser: Any, origin: str, scheme: str) -> None:
    offline = Offline(browser, origin, init_scripts=(NO_CLIPBOARD,), color_scheme=scheme)
    try:
        tab = offline.tab()
        tab.open()
        tab.page.wait_for_selector("#starters button")
        assert tab.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        empty = tab.page.evaluate(CONTRAST)
        assert {item["className"] for item in empty} >= {"knows", "starter", "intro-text"}
        _everything(tab)
        tab.page.mouse.move(0, 0)
        shown = tab.page.evaluate(CONTRAST)
        kinds = {item["className"] for item in shown}
        assert {"name-text", "num", "msg-label", "copy-hint", "copy-text", "action copy-table"} <= kinds, kinds
        low = [item for item in empty + shown if item["ratio"] < 4.5]
        assert low == [], low
        assert_clean(tab, offline)
    finally:
        offline.close()

