"""The kiosk for a blind or low-vision citizen, in Debian's chromium against the real server: a walk-through by keys
alone from the first screen to the ticket, asserting the clips the guidance voice played (shared_ui/voice.js's
record) and that each was served; the voice and the large-text mode end when the kiosk goes back to its start;
arrows name the choice they reach; the large-text, high-contrast mode measured (every text at least 7:1) and
clean for axe-core; the print page's number at least 20 mm high."""

from __future__ import annotations

import re
import sqlite3
import time
from io import BytesIO

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from server.core.announcements import NUMBER_WORD_KEYS, read_number, read_ticket_label
from server.core.guidance import name_key
from server.settings import DEMO_CENTER
from tests.axe_check import ZOOM_LOCK, audit, explain
from tests.contrast import lowest, text_contrasts, text_layout
from tests.ink import ink_bands
from tests.live import SMALL_CENTER, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

KIOSK = {"width": 1080, "height": 1920}
AAA_TEXT = 7.0
BOOKINGS = """
[appointments]
slot_minutes = 30
days_ahead = 2
capacity = { "ly-lich" = 3 }
"""
COUNTER_21 = """
[[counters]]
number = 21
services = ["ly-lich"]
"""
DIGIT = ["w-khong", "w-motj", "w-hai", "w-ba", "w-bons", "w-nam", "w-saus", "w-bayr", "w-tams", "w-chins"]


def kiosk(browser, server):
    context = browser.new_context(locale="vi-VN", viewport=KIOSK)
    page = context.new_page()
    page.goto(f"{server.url}/kiosk?print=0&voice_rate=4")
    expect(page.get_by_role("button", name="Sở Tư pháp")).to_be_visible()
    return context, page


def record(page):
    return page.evaluate("() => ({spoken: hangdoiGuidance.spoken.slice(), busy: hangdoiGuidance.busy})")


def heard(page, since, timeout=40):
    """The clips started since the record held `since` of them, once the voice is quiet again (polled from here:
    the kiosk's CSP forbids the eval page.wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    page.wait_for_timeout(150)
    while True:
        now = record(page)
        if len(now["spoken"]) > since and not now["busy"]:
            return now["spoken"][since:]
        if time.monotonic() > deadline:
            raise AssertionError(f"the voice is still speaking or silent: {now}")
        page.wait_for_timeout(100)


def press(page, key):
    """A key, then what the voice said in answer."""
    since = len(record(page)["spoken"])
    page.keyboard.press(key)
    return heard(page, since)


def words(number):
    """A number's clips as the lobby reads it (its own unit tests: tests/test_announcements.py)."""
    return [NUMBER_WORD_KEYS[word] for word in read_number(number)]


def choice(number, name):
    return ["hd-chon-so", DIGIT[number], name_key(name)]


def test_a_blind_citizen_takes_a_number_with_the_keys_alone(tmp_path, browser):
    """Twelve citizens are ahead and Lý lịch tư pháp is also served at counter 21: the ticket's sentence reads its
    number, the counters and the people ahead as words, as the lobby reads them (mười ba, hai mươi mốt, mười hai)."""
    center = tmp_path / "counter21.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + COUNTER_21, encoding="utf-8")
    live_server = LiveServer(tmp_path / "walk.db", center=center).start()
    for _ in range(12):
        assert requests.post(f"{live_server.url}/api/tickets", json={"service_code": "ly-lich"},
                             timeout=10).status_code == 201
    context, page = kiosk(browser, live_server)
    try:
        toggle = page.get_by_role("button", name="Hướng dẫn bằng giọng nói")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-pressed", "false")
        said = []

        step = press(page, "*")  # the keypad's * turns the voice on: the start screen reads itself
        expect(toggle).to_have_attribute("aria-pressed", "true")
        assert step == ["hd-da-bat", "hd-chon-linh-vuc", "hd-bam-phim",
                        *choice(1, "Sở Tư pháp"), *choice(2, "Sở Giao thông vận tải")]
        said += step

        step = press(page, "1")
        expect(page.locator("body")).to_have_attribute("data-screen", "services")
        assert step == [name_key("Sở Tư pháp"), *choice(1, "Lý lịch tư pháp"), *choice(2, "Hộ tịch")]
        said += step

        step = press(page, "1")
        expect(page.locator("body")).to_have_attribute("data-screen", "priority")
        assert step == ["hd-linh-vuc-da-chon", name_key("Lý lịch tư pháp"), "hd-chon-so", DIGIT[1],
                        "hd-lay-so-thuong", "hd-doi-tuong-uu-tien", *choice(2, "Người cao tuổi")]
        said += step

        step = press(page, "1")  # lấy số thường
        expect(page.locator("body")).to_have_attribute("data-screen", "result")
        with sqlite3.connect(live_server.database) as db:
            [(label,)] = db.execute("SELECT label FROM tickets ORDER BY id DESC LIMIT 1").fetchall()
            [(ahead,)] = db.execute("SELECT COUNT(*) - 1 FROM tickets WHERE service_code = 'ly-lich' "
                                    "AND state = 'waiting'").fetchall()
        expect(page.locator("#result-label")).to_have_text(label)
        counters = [int(n) for n in re.findall(r"\d+", page.locator("#result-counters").inner_text())]
        assert label == "A013" and ahead == 12 and counters == [1, 2, 21]  # the numbers this test is about
        expect(page.locator("#result-ahead")).to_contain_text(str(ahead))
        ticket = ["hd-so-thu-tu-la", *read_ticket_label(label),
                  *[clip for n in counters for clip in ["hd-quay", *words(n)]],
                  "hd-so-nguoi-dang-cho", *words(ahead), "hd-moi-nhan-phieu"]
        # Written out: A không mười ba, quầy một, hai, hai mươi mốt, mười hai người đang chờ; never digit by digit.
        assert ticket[1:5] == ["letter-a", "w-khong", "w-muoif", "w-ba"]
        assert ticket[-8:] == ["hd-quay", "w-hai", "w-muoi", "w-mots", "hd-so-nguoi-dang-cho", "w-muoif", "w-hai",
                               "hd-moi-nhan-phieu"]
        # "Đang lấy số" may start while the server answers; then the ticket, twice.
        assert [k for k in step if k != "hd-dang-lay-so"] == [*ticket, "pause", *ticket]
        assert step.count("hd-dang-lay-so") <= 1 and step[-len(ticket):] == ticket
        said += step

        for key in set(said):  # every clip heard was a real file the server has (names made by espeak-ng)
            clip = requests.get(f"{live_server.url}/voice/{key}.wav", timeout=30)
            assert clip.status_code == 200 and clip.content[:4] == b"RIFF", key

        # 0 goes back to the start: the next citizen finds the kiosk silent.
        page.keyboard.press("0")
        expect(page.locator("body")).to_have_attribute("data-screen", "home")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        quiet = len(record(page)["spoken"])
        page.keyboard.press("2")
        expect(page.locator("body")).to_have_attribute("data-screen", "services")
        page.wait_for_timeout(500)
        assert len(record(page)["spoken"]) == quiet
    finally:
        context.close()
        live_server.stop()


def test_arrows_name_the_choice_they_reach_and_enter_takes_it(live_server, browser):
    context, page = kiosk(browser, live_server)
    try:
        page.get_by_role("button", name="Hướng dẫn bằng giọng nói").click()
        heard(page, 0)
        assert press(page, "ArrowDown") == choice(1, "Sở Tư pháp")
        expect(page.get_by_role("button", name="Sở Tư pháp")).to_be_focused()
        assert press(page, "ArrowDown") == choice(2, "Sở Giao thông vận tải")
        ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
        assert float(ring.removesuffix("px")) >= 6, ring  # a large visible focus
        step = press(page, "Enter")
        expect(page.locator("#services-title")).to_have_text("Sở Giao thông vận tải")
        assert step[0] == name_key("Sở Giao thông vận tải")
        page.keyboard.press("0")  # back
        expect(page.locator("body")).to_have_attribute("data-screen", "home")
    finally:
        context.close()


def test_large_text_and_high_contrast_on_the_kiosk(live_server, browser):
    context, page = kiosk(browser, live_server)
    try:
        toggle = page.get_by_role("button", name="Chữ to, tương phản cao")
        usual = lowest(text_contrasts(page))
        page.keyboard.press("/")  # the keypad's / key, or the button
        expect(page.locator("html")).to_have_attribute("data-access", "large")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        for screen, shown in (("trang đầu", "home"), ("chọn lĩnh vực", "services"), ("ưu tiên", "priority"),
                              ("số thứ tự", "result")):
            expect(page.locator("body")).to_have_attribute("data-screen", shown)
            if shown == "result":
                expect(page.locator("#result-qr")).to_have_js_property("complete", True)
            contrasts = text_contrasts(page)
            assert lowest(contrasts)["ratio"] >= AAA_TEXT, (screen, usual, lowest(contrasts))
            violations = audit(page, f"kiosk: {screen}, chữ to tương phản cao", ZOOM_LOCK)
            assert violations == [], explain(violations)
            assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0, screen
            assert page.evaluate("() => main.scrollWidth - main.clientWidth") <= 0, screen  # nothing cut sideways
            layout = text_layout(page)
            assert layout["clipped"] == [] and layout["overlapping"] == [], (screen, layout)
            if shown != "result":
                page.keyboard.press("1")
        page.get_by_role("button", name="Về trang đầu").click()
        expect(page.locator("html")).not_to_have_attribute("data-access", "large")  # the next citizen
        expect(toggle).to_have_attribute("aria-pressed", "false")
    finally:
        context.close()


def test_the_print_page_prints_the_number_20_mm_high(live_server, browser):
    """The page the kiosk prints (/kiosk/print/<token>), drawn by chromium at twice the pixels: the ink of its
    number, measured on the screenshot, is at least 20 mm at the page's 96 CSS pixels per inch, and within the
    72 mm the printer prints."""
    ticket = requests.post(f"{live_server.url}/api/tickets", json={"service_code": "van-tai"}, timeout=10).json()
    context = browser.new_context(locale="vi-VN", viewport={"width": 302, "height": 1000}, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/kiosk/print/{ticket['token']}")
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        expect(page.locator("#t-label")).to_have_text(ticket["label"])
        shot = Image.open(BytesIO(page.locator("#ticket").screenshot()))
        bands = ink_bands(shot)
        mm = [band[1] / 2 / 96 * 25.4 for band in bands]
        number = next(i for i, height in enumerate(mm) if height >= 10)  # the first tall ink under the title
        assert mm[number] >= 20, mm
        top, height, left, right = bands[number]
        assert left > 0 and right < shot.width - 1  # inside the ticket's 72 mm, nothing cut
        assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0
    finally:
        context.close()


def test_the_check_in_code_is_typed_on_the_keypad(tmp_path, browser):
    """On the check-in screen the keypad's digits (0 included) and Backspace type the booking code on the screen's
    own keys instead of choosing or going back."""
    center = tmp_path / "booking.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + BOOKINGS, encoding="utf-8")
    server = LiveServer(tmp_path / "booking.db", center=center).start()
    try:
        context, page = kiosk(browser, server)
        try:
            page.click("#open-checkin")
            expect(page.locator("body")).to_have_attribute("data-screen", "checkin")
            for key in "12304567":
                page.keyboard.press(key)
            expect(page.locator("#checkin-code")).to_have_text(re.compile(r"^1230\D*4567$"))
            page.keyboard.press("Backspace")
            expect(page.locator("#checkin-code")).to_have_text(re.compile(r"^1230\D*456$"))
            expect(page.locator("body")).to_have_attribute("data-screen", "checkin")  # 0 did not go back
        finally:
            context.close()
    finally:
        server.stop()


def test_large_text_on_a_provincial_kiosk_in_landscape(tmp_path, browser):
    """The demo center's sixteen departments on a landscape kiosk in the large mode: the start screen and a
    department's services readable (7:1), nothing cut sideways or drawn over other text, axe clean."""
    server = LiveServer(tmp_path / "demo.db", center=DEMO_CENTER, env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kiosk?print=0")
        expect(page.get_by_role("button", name="Sở Tư pháp")).to_be_visible()
        page.get_by_role("button", name="Chữ to, tương phản cao").click()
        for screen in ("trang đầu", "Sở Tư pháp"):
            if screen != "trang đầu":
                page.get_by_role("button", name=screen).click()
                expect(page.locator("#services-title")).to_have_text(screen)
            assert lowest(text_contrasts(page))["ratio"] >= AAA_TEXT, screen
            assert page.evaluate("() => main.scrollWidth - main.clientWidth") <= 0, screen
            layout = text_layout(page)
            assert layout["clipped"] == [] and layout["overlapping"] == [], (screen, layout)
            violations = audit(page, f"kiosk ngang, trung tâm tỉnh: {screen}, chữ to tương phản cao", ZOOM_LOCK)
            assert violations == [], explain(violations)
    finally:
        context.close()
        server.stop()


def test_the_ticket_is_read_to_the_end_before_the_kiosk_goes_back_to_its_start(live_server, browser):
    """At the kiosk's own pace the ticket, read twice, lasts longer than the result screen's 10 seconds: the start
    screen waits for the end of the reading, then a few seconds more (to find the printed ticket), no longer."""
    context = browser.new_context(locale="vi-VN", viewport=KIOSK)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/kiosk?print=0")
        expect(page.get_by_role("button", name="Sở Tư pháp")).to_be_visible()
        for key in "*111":
            page.keyboard.press(key)
            page.wait_for_timeout(300)
        expect(page.locator("body")).to_have_attribute("data-screen", "result")
        page.wait_for_timeout(11_000)
        expect(page.locator("body")).to_have_attribute("data-screen", "result", timeout=100)
        assert record(page)["busy"], "the ticket was read in less than 10 s: this test proves nothing"
        heard(page, 0, timeout=40)
        ended = time.monotonic()
        expect(page.locator("body")).to_have_attribute("data-screen", "home", timeout=8000)
        assert time.monotonic() - ended >= 3.5  # kiosk.js AFTER_VOICE_SECONDS (5), counted in whole-second ticks
        spoken = record(page)["spoken"]
        ticket = spoken[spoken.index("hd-so-thu-tu-la"):]
        assert ticket.count("hd-moi-nhan-phieu") == 2 and ticket[-1] == "hd-moi-nhan-phieu"  # twice, to the end
    finally:
        context.close()


def test_a_service_not_taken_now_is_named_apart_and_cannot_be_keyed(live_server, browser):
    """Hộ tịch's daily cap (3) is used up: its department's screen numbers only Lý lịch tư pháp, then says Hộ tịch
    is paused ("Tạm ngưng lấy số: Hộ tịch"); the key 2 takes nothing."""
    for _ in range(3):
        assert requests.post(f"{live_server.url}/api/tickets", json={"service_code": "ho-tich"},
                             timeout=10).status_code == 201
    context, page = kiosk(browser, live_server)
    try:
        press(page, "*")
        step = press(page, "1")
        expect(page.locator("body")).to_have_attribute("data-screen", "services")
        expect(page.get_by_role("button", name=re.compile("Hộ tịch"))).to_be_disabled()
        assert step == [name_key("Sở Tư pháp"), *choice(1, "Lý lịch tư pháp"), "hd-tam-ngung", name_key("Hộ tịch")]
        page.keyboard.press("2")
        page.wait_for_timeout(500)
        expect(page.locator("body")).to_have_attribute("data-screen", "services")
    finally:
        context.close()
