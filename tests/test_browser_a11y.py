"""The citizens' screens for elderly, low-vision and blind citizens, in Debian's chromium against the real server:
the large-text, high-contrast mode (measured contrast of every text, axe-core clean in that mode too), keys and
keypad, the tablet's question read aloud (the guidance voice's record of clips played), and the phone page at
200 % text. The kiosk's blind walk-through is in tests/test_browser_a11y_kiosk.py."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from server.core.center import load_center
from server.core.guidance import name_key, spoken_names
from server.settings import DEMO_CENTER
from tests.axe_check import ZOOM_LOCK, audit, explain
from tests.contrast import lowest, text_contrasts, text_layout
from tests.officer import Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]

TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
AAA_TEXT = 7.0
LEVELS = ["Rất hài lòng", "Hài lòng", "Không hài lòng"]


def window(browser, size):
    context = browser.new_context(locale="vi-VN", viewport=size)
    return context, context.new_page()


def spoken(page):
    return page.evaluate("() => window.hangdoiGuidance.spoken.slice()")


def wait_spoken(page, count, timeout=30):
    """The record once `count` clips have started and the voice has finished (the clips are really played); polled
    from here, since the pages' CSP forbids the eval page.wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while True:
        state = page.evaluate("() => ({spoken: hangdoiGuidance.spoken.slice(), busy: hangdoiGuidance.busy})")
        if len(state["spoken"]) >= count and not state["busy"]:
            return state["spoken"]
        if time.monotonic() > deadline:
            raise AssertionError(f"the voice said only {state['spoken']}")
        page.wait_for_timeout(100)


@pytest.fixture
def officer(live_server):
    an = Officer(live_server.url, live_server.database, live_server.center, "an")
    an.set_password()
    an.sign_in(1)
    yield an
    an.close()


def finish_a_service(officer):
    for action in ("call_next", "start", "finish"):
        assert officer.act(action)["ok"]


def test_tablet_large_text_keys_and_question_read_aloud(live_server, officer, browser):
    context, page = window(browser, TABLET)
    try:
        page.goto(f"{live_server.url}/tablet/1?voice_rate=3")
        expect(page.locator("#idle-officer")).to_have_text("Công chức: Nguyễn Văn An")
        issue(live_server.url, "ly-lich")
        finish_a_service(officer)
        expect(page.locator("body")).to_have_attribute("data-screen", "rating")

        # The faces and colours are never the only cue: each level shows its words and its key.
        for i, name in enumerate(LEVELS, start=1):
            level = page.locator("#levels .level").nth(i - 1)
            expect(level.locator(".level-name")).to_have_text(name)
            expect(level.locator(".level-name")).to_be_visible()
            expect(level.locator(".level-key")).to_have_text(str(i))
            expect(level).to_have_accessible_name(f"{name}")

        usual = lowest(text_contrasts(page))
        toggle = page.get_by_role("button", name="Chữ to, tương phản cao")
        toggle.click()
        expect(page.locator("html")).to_have_attribute("data-access", "large")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        contrasts = text_contrasts(page)
        assert contrasts and lowest(contrasts)["ratio"] >= AAA_TEXT, (usual, lowest(contrasts))
        violations = audit(page, "máy tính bảng: đánh giá, chữ to tương phản cao", ZOOM_LOCK)
        assert violations == [], explain(violations)
        assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0

        # 0 reads the question, then every level with its key, as clips from the server.
        page.keyboard.press("0")
        expected = ["hd-cau-hoi-danh-gia"]
        for i, name in enumerate(LEVELS, start=1):
            expected += ["hd-chon-so", ["w-motj", "w-hai", "w-ba"][i - 1], name_key(name)]
        assert wait_spoken(page, len(expected)) == expected
        for key in set(expected):
            clip = requests.get(f"{live_server.url}/voice/{key}.wav", timeout=30)
            assert clip.status_code == 200 and clip.content[:4] == b"RIFF", key

        # Arrows move a visible focus through the levels; a number key chooses.
        page.keyboard.press("ArrowRight")
        first = page.locator("#levels .level").first
        expect(first).to_be_focused()
        page.keyboard.press("ArrowRight")
        expect(page.locator("#levels .level").nth(1)).to_be_focused()
        ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
        assert float(ring.removesuffix("px")) >= 6, ring  # a large visible focus
        page.keyboard.press("3")
        expect(page.locator("body")).to_have_attribute("data-screen", "reasons")
        # The reasons, then the comment with its keyboard, in the large mode too: every text readable, none cut or
        # drawn over another.
        for shown in ("lý do", "bàn phím góp ý"):
            if shown == "bàn phím góp ý":
                page.click("#comment")
                expect(page.locator("#keyboard")).to_be_visible()
            assert lowest(text_contrasts(page))["ratio"] >= AAA_TEXT, shown
            layout = text_layout(page)
            assert layout["clipped"] == [] and layout["overlapping"] == [], (shown, layout)
            violations = audit(page, f"máy tính bảng: {shown}, chữ to tương phản cao", ZOOM_LOCK)
            assert violations == [], explain(violations)
        page.click("#keyboard-done")
        page.keyboard.press("ArrowDown")
        expect(page.locator("#reasons .reason").first).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#reasons .reason").first).to_have_attribute("aria-pressed", "true")
        send = page.locator("#send")
        send.focus()
        page.keyboard.press("Enter")
        expect(page.locator("body")).to_have_attribute("data-screen", "thanks")
        # The next citizen finds the usual screen.
        expect(page.locator("body")).to_have_attribute("data-screen", "idle", timeout=10000)
        expect(page.locator("html")).not_to_have_attribute("data-access", "large")
        expect(toggle).to_have_attribute("aria-pressed", "false")
    finally:
        context.close()


def test_phone_page_large_mode_is_remembered_and_reads_at_200_percent(live_server, browser):
    ticket = issue(live_server.url, "ly-lich")
    context, page = window(browser, PHONE)
    try:
        page.goto(f"{live_server.url}/t/{ticket['token']}")
        expect(page.locator("#label")).to_have_text(ticket["label"])
        toggle = page.get_by_role("button", name="Chữ to, tương phản cao")
        toggle.click()
        expect(page.locator("html")).to_have_attribute("data-access", "large")
        contrasts = text_contrasts(page)
        assert lowest(contrasts)["ratio"] >= AAA_TEXT, lowest(contrasts)
        violations = audit(page, "điện thoại: chữ to tương phản cao")
        assert violations == [], explain(violations)
        layout = text_layout(page)
        assert layout == {"clipped": [], "overlapping": [], "overflow": 0}, layout
        page.reload()  # the citizen's own phone keeps the choice
        expect(page.locator("#label")).to_have_text(ticket["label"])
        expect(page.locator("html")).to_have_attribute("data-access", "large")
        page.get_by_role("button", name="Chữ to, tương phản cao").click()
        expect(page.locator("html")).not_to_have_attribute("data-access", "large")
    finally:
        context.close()

    # The phone's text at 200 %: the same page laid out in half the CSS width (what a 200 % zoom of a 390 px
    # phone gives), nothing cut off, nothing drawn over other text, no sideways scrolling.
    context, page = window(browser, {"width": PHONE["width"] // 2, "height": PHONE["height"] // 2})
    try:
        page.goto(f"{live_server.url}/t/{ticket['token']}")
        expect(page.locator("#label")).to_have_text(ticket["label"])
        layout = text_layout(page)
        assert layout == {"clipped": [], "overlapping": [], "overflow": 0}, layout
    finally:
        context.close()


def test_the_screens_name_the_clips_as_the_server_does(shared_server, browser):
    """shared_ui/voice.js nameKey and server/core/guidance.py name_key agree on every name of the demo center."""
    names = sorted(set(spoken_names(load_center(DEMO_CENTER)).values()) | {"Hổ tích", "Giấy phép lái xe hạng A1"})
    context, page = window(browser, PHONE)
    try:
        page.goto(f"{shared_server.url}/")
        keys = page.evaluate("""async (names) => {
          const voice = await import("/ui/shared/voice.js");
          return names.map((name) => [voice.nameKey(name), voice.labelKeys("A025"), voice.digitKeys(105)]);
        }""", names)
    finally:
        context.close()
    assert [k[0] for k in keys] == [name_key(n) for n in names]
    assert keys[0][1] == ["letter-a", "w-khong", "w-hai", "w-nam"]
    assert keys[0][2] == ["w-motj", "w-khong", "w-nam"]
