"""axe-core's WCAG 2.0/2.1/2.2 A and AA rules over every screen, at its real size, in Debian's chromium against the
real server: no violation except the kiosk's and the tablet's zoom lock (tests/axe_check.py says why). The results
are written to test-results/a11y/ (axe.md, one row per screen). The large-text, high-contrast mode is audited in
tests/test_browser_a11y.py with the same helper.
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.axe_check import ZOOM_LOCK, audit, explain
from tests.live import SMALL_CENTER, LiveServer
from tests.officer import PASSWORD, Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]

KIOSK = {"width": 1080, "height": 1920}
TV = {"width": 1920, "height": 1080}
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
# The small test center, taking bookings too, so that the booking page, the kiosk's check-in and the day's
# bookings are audited with the rest.
BOOKINGS = """
[appointments]
slot_minutes = 30
days_ahead = 2
capacity = { "ly-lich" = 3 }
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module: passwords for the officers an (counter 1, driven over Socket.IO for the tablet)
    and binh (the console in the browser), the supervisor and the admin; two tickets waiting."""
    folder = tmp_path_factory.mktemp("axe")
    center = folder / "center.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + BOOKINGS, encoding="utf-8")
    live = LiveServer(folder / "live.db", center=center).start()
    try:
        officers = [Officer(live.url, live.database, live.center, u).start_password()
                    for u in ("an", "binh", "giamsat", "quantri")]
        for officer in officers:
            officer.set_password()
        live.tickets = [issue(live.url, "ly-lich"), issue(live.url, "lai-xe")]
        yield live
    finally:
        live.stop()


@pytest.fixture
def screen(browser):
    """A new browser window of a given size (the screen's real one)."""
    contexts = []

    def open_window(size):
        context = browser.new_context(locale="vi-VN", viewport=size)
        contexts.append(context)
        return context.new_page()

    yield open_window
    for context in contexts:
        context.close()


def clean(page, name, allowed=frozenset()):
    violations = audit(page, name, allowed)
    assert violations == [], explain(violations)


def sign_in(page, server, username):
    page.goto(f"{server.url}/admin/live")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "board")


def test_kiosk_every_step(server, screen):
    page = screen(KIOSK)
    page.goto(f"{server.url}/kiosk?print=0")
    expect(page.get_by_role("button", name="Sở Tư pháp")).to_be_visible()
    clean(page, "kiosk: trang đầu", ZOOM_LOCK)
    page.get_by_role("button", name="Sở Tư pháp").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "services")
    clean(page, "kiosk: chọn lĩnh vực", ZOOM_LOCK)
    page.get_by_role("button", name="Lý lịch tư pháp").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "priority")
    clean(page, "kiosk: ưu tiên", ZOOM_LOCK)
    page.get_by_role("button", name="Không, lấy số thường").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "result")
    expect(page.locator("#result-qr")).to_have_js_property("complete", True)
    clean(page, "kiosk: số thứ tự", ZOOM_LOCK)


def test_kiosk_print_page(server, screen):
    page = screen({"width": 302, "height": 800})  # 80 mm paper
    page.goto(f"{server.url}/kiosk/print/{server.tickets[0]['token']}")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    clean(page, "phiếu in 80 mm")


def test_lobby_and_counter_displays(server, screen):
    page = screen(TV)
    page.goto(f"{server.url}/display")
    page.wait_for_selector("body[data-seq]", state="attached")
    clean(page, "màn hình sảnh")
    counter = screen({"width": 1280, "height": 720})
    counter.goto(f"{server.url}/display/counter/1")
    counter.wait_for_selector("body[data-seq]", state="attached")
    clean(counter, "màn hình quầy")


def test_phone_page(server, screen):
    page = screen(PHONE)
    page.goto(f"{server.url}/t/{server.tickets[1]['token']}")
    expect(page.get_by_text(server.tickets[1]["label"]).first).to_be_visible()
    clean(page, "trang theo dõi trên điện thoại")


def test_tablet_idle_rating_and_reasons(server, screen):
    page = screen(TABLET)
    page.goto(f"{server.url}/tablet/1")
    expect(page.locator("#idle-counter")).to_have_text("QUẦY SỐ 01")
    officer = Officer(server.url, server.database, server.center, "an")
    try:
        officer.sign_in(1)
        expect(page.locator("#idle-officer")).to_have_text("Công chức: Nguyễn Văn An")
        clean(page, "máy tính bảng: chờ", ZOOM_LOCK)
        for action in ("call_next", "start", "finish"):
            assert officer.act(action)["ok"]
        expect(page.locator("body")).to_have_attribute("data-screen", "rating")
        clean(page, "máy tính bảng: đánh giá", ZOOM_LOCK)
        page.locator(".level").filter(has=page.get_by_text("Không hài lòng", exact=True)).click()
        expect(page.locator("body")).to_have_attribute("data-screen", "reasons")
        clean(page, "máy tính bảng: lý do", ZOOM_LOCK)
        page.click("#comment")
        expect(page.locator("#keyboard")).to_be_visible()
        clean(page, "máy tính bảng: bàn phím góp ý", ZOOM_LOCK)
    finally:
        officer.close()


def test_console_sign_in_and_console(server, screen):
    page = screen(DESK)
    page.goto(f"{server.url}/counter")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    page.wait_for_selector("#signin-counter option[value='2']", state="attached")
    clean(page, "bàn làm việc: đăng nhập")
    page.fill("#signin-username", "binh")
    page.fill("#signin-password", PASSWORD)
    page.select_option("#signin-counter", "2")
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "console")
    expect(page.locator('[data-action="call_next"]')).to_be_enabled()
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)  # the buttons' colour transition (0.12 s) is over: axe reads the colours drawn
    clean(page, "bàn làm việc của công chức")


@pytest.mark.parametrize(("path", "name"), [
    ("/admin/live", "giám sát trực tiếp"), ("/admin/feedback", "phản ánh"), ("/admin/reports", "báo cáo"),
    ("/admin/reports/print?period=day", "báo cáo in A4"), ("/admin/config", "cấu hình"),
    ("/admin/devices", "thiết bị"), ("/admin/bookings", "lịch hẹn trong ngày"),
])
def test_staff_pages(server, screen, path, name):
    page = screen(DESK)
    sign_in(page, server, "quantri")
    page.goto(server.url + path)
    if "print" in path:
        expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=15000)
    else:
        view = "reports" if path == "/admin/reports" else "board"
        expect(page.locator("body")).to_have_attribute("data-view", view, timeout=15000)
    if path == "/admin/reports":
        expect(page.locator("body")).to_have_attribute("data-report-state", "ready", timeout=15000)
        # A fresh report fades in from its stale look (opacity, 0.15 s): audit the page as it then stays, not a
        # frame of the fade, whose half-transparent text axe rightly measures below 4.5:1.
        expect(page.locator("#report")).to_have_css("opacity", "1", timeout=15000)
    clean(page, name)


def test_booking_pages_and_the_kiosks_check_in(server, screen):
    page = screen(PHONE)
    page.goto(f"{server.url}/hen")
    expect(page.locator("#form")).to_be_visible()
    clean(page, "đặt lịch hẹn")
    page.select_option("#department", "STP")
    page.select_option("#service", "ly-lich")
    page.locator(".slot:not([disabled])").first.click()
    page.fill("#name", "Nguyễn Thị Hẹn")
    page.fill("#phone", "0912 345 678")
    clean(page, "đặt lịch hẹn: đã chọn giờ")
    page.click("#submit")
    page.wait_for_url("**/hen/*")
    expect(page.locator("#code")).to_have_text(re.compile(r"^\d{4} \d{4}$"))
    clean(page, "lịch hẹn của công dân")
    kiosk = screen(KIOSK)
    kiosk.goto(f"{server.url}/kiosk?print=0")
    kiosk.click("#open-checkin")
    expect(kiosk.locator("body")).to_have_attribute("data-screen", "checkin")
    clean(kiosk, "kiosk: xác nhận có mặt", ZOOM_LOCK)
    alone = screen(KIOSK)
    alone.goto(f"{server.url}/checkin")
    expect(alone.locator("#checkin-code")).to_be_visible()
    clean(alone, "xác nhận có mặt (trang riêng)")


def test_staff_sign_in_form_and_screen_list(server, screen):
    page = screen(DESK)
    page.goto(f"{server.url}/admin/live")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    clean(page, "đăng nhập cán bộ")
    page.goto(f"{server.url}/")
    clean(page, "danh sách màn hình")


def test_the_checker_finds_what_it_is_meant_to_find(server, screen):
    """The check can fail: a page with an image without text and grey-on-white text has violations."""
    page = screen(PHONE)
    page.goto(f"{server.url}/t/{server.tickets[1]['token']}")
    expect(page.get_by_text(server.tickets[1]["label"]).first).to_be_visible()
    page.evaluate("""() => {
      const img = document.createElement("img"); img.src = "/favicon.ico"; document.body.append(img);
      const p = document.createElement("p"); p.textContent = "Chữ mờ"; p.style.color = "#bbb";
      document.body.append(p);
    }""")
    add = audit(page, "cố ý sai", record=False)
    assert {"image-alt", "color-contrast"} <= {v["id"] for v in add}
    assert requests.get(f"{server.url}/vendor/axe.min.js", timeout=5).status_code == 200
