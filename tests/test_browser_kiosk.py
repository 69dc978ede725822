"""The kiosk, its print page and the phone page, driven in Debian's chromium against the real server process."""

from __future__ import annotations

import re
import sqlite3

import pytest
import requests
from playwright.sync_api import expect

from server.settings import DEMO_CENTER
from tests.live import SMALL_CENTER, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

MM_80 = 80 / 25.4 * 96  # 80 mm in CSS pixels


def issue(server, service_code="ly-lich", **body) -> dict:
    response = requests.post(f"{server.url}/api/tickets", json={"service_code": service_code, **body}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def button(page, name):
    """A visible button by its text (hidden screens are left out by Playwright's role queries)."""
    return page.get_by_role("button", name=name)


def take_number(page, department, service, priority=None):
    button(page, department).click()
    button(page, service).click()
    expect(page.locator("#chosen-service")).to_have_text(service)
    button(page, priority or "Không, lấy số thường").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "result")


def landscape_page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    return context, context.new_page()


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo center (16 departments, more than six services: the kiosk offers its search), open at any hour; one
    for the module (the search test issues the only ticket)."""
    server = LiveServer(tmp_path_factory.mktemp("demo") / "demo.db", center=DEMO_CENTER,
                        env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    yield server
    server.stop()


# ----- (a) taking a number -----------------------------------------------------------------------------------

def test_take_a_number_on_the_portrait_kiosk(live_server, page):
    page.goto(f"{live_server.url}/kiosk?kiosk=K1")
    expect(page.get_by_text("LẤY SỐ THỨ TỰ")).to_be_visible()
    expect(page.get_by_text("Xin chào! Mời Ông/Bà chọn lĩnh vực cần giải quyết")).to_be_visible()
    expect(page.locator("#center-name")).to_have_text("Trung tâm Phục vụ hành chính công thử nghiệm")
    expect(page.locator("#open-search")).to_be_hidden()  # four services: nothing to search

    take_number(page, "Sở Tư pháp", "Lý lịch tư pháp")
    expect(page.locator("#result-label")).to_have_text("A001")
    expect(page.locator("#result-service")).to_have_text("Lĩnh vực: Lý lịch tư pháp")
    expect(page.locator("#result-counters")).to_have_text("Quầy phục vụ: 01, 02")
    expect(page.locator("#result-ahead")).to_have_text("Số người đang chờ trước Ông/Bà: 0")
    expect(page.locator("#result-wait")).to_have_text("Thời gian chờ dự kiến: Sắp đến lượt")
    expect(page.get_by_text("Mời Ông/Bà nhận phiếu")).to_be_visible()
    # The ticket went to the hidden print frame, which rendered it for printing.
    printer = page.frame_locator("#printer")
    expect(printer.locator("body")).to_have_attribute("data-ready", "1")
    expect(printer.locator("#t-label")).to_have_text("A001")
    expect(page.locator("#result-qr")).to_have_js_property("complete", True)

    button(page, "Về trang đầu").click()
    take_number(page, "Sở Tư pháp", "Lý lịch tư pháp")
    expect(page.locator("#result-label")).to_have_text("A002")
    expect(page.locator("#result-ahead")).to_have_text("Số người đang chờ trước Ông/Bà: 1")
    expect(page.locator("#result-wait")).to_have_text("Thời gian chờ dự kiến: khoảng 5 phút")

    with sqlite3.connect(live_server.database) as conn:  # the kiosk named itself and its channel
        rows = conn.execute("SELECT label, channel, device, priority_group FROM tickets ORDER BY id").fetchall()
    assert rows == [("A001", "kiosk", "K1", None), ("A002", "kiosk", "K1", None)]


def test_priority_ticket_and_back_buttons(live_server, page):
    page.goto(f"{live_server.url}/kiosk")
    button(page, "Sở Giao thông vận tải").click()
    expect(page.locator("#services-title")).to_have_text("Sở Giao thông vận tải")
    button(page, "Quay lại").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "home")
    button(page, "Sở Giao thông vận tải").click()
    button(page, "Vận tải").click()
    button(page, "Quay lại").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "services")
    button(page, "Vận tải").click()
    expect(page.get_by_text("Tôi thuộc đối tượng ưu tiên")).to_be_visible()
    button(page, "Người cao tuổi").click()
    expect(page.locator("#result-label")).to_have_text("D001")
    expect(page.locator("#result-priority")).to_have_text("Ưu tiên: Người cao tuổi")
    expect(page.locator("#result-counters")).to_have_text("Quầy phục vụ: 03, 05")


def test_result_and_idle_screens_go_back_to_the_start(live_server, page):
    page.clock.install()
    page.goto(f"{live_server.url}/kiosk?print=0")
    take_number(page, "Sở Tư pháp", "Hộ tịch")
    expect(page.locator("#result-countdown")).to_have_text("Màn hình sẽ trở về trang đầu sau 10 giây")
    page.clock.run_for(11_000)
    expect(page.locator("body")).to_have_attribute("data-screen", "home")

    button(page, "Sở Tư pháp").click()
    page.clock.run_for(20_000)
    page.mouse.click(5, 900)  # a touch restarts the idle countdown
    page.clock.run_for(20_000)
    expect(page.locator("body")).to_have_attribute("data-screen", "services")
    page.clock.run_for(11_000)
    expect(page.locator("body")).to_have_attribute("data-screen", "home")


def test_daily_cap_reached_after_the_service_was_chosen_shows_the_server_message(live_server, page):
    """The cap ran out between the citizen's choice and the tap (the kiosk greys a full service out before the
    tap, tests/test_browser_kiosk_provincial.py): the server's message, then the service shown as full."""
    page.clock.install()  # the availability is asked again only when the test lets the time run
    page.goto(f"{live_server.url}/kiosk?print=0")
    button(page, "Sở Tư pháp").click()
    button(page, "Hộ tịch").click()
    for _ in range(3):  # Hộ tịch has daily_cap = 3 in the small center
        issue(live_server, "ho-tich")
    button(page, "Không, lấy số thường").click()
    expect(page.locator("#message-title")).to_have_text("Lĩnh vực này đã hết số trong ngày.")
    button(page, "Quay lại").click()
    expect(page.locator("#services-title")).to_have_text("Sở Tư pháp")
    expect(page.locator("#services .choice", has_text="Hộ tịch")).to_be_disabled()  # asked again on the refusal
    button(page, "Về trang đầu").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "home")


def test_closed_center_shows_the_hours(tmp_path, page):
    closed = (SMALL_CENTER.read_text(encoding="utf-8")
              .replace('working_days = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]', "working_days = []")
              .replace('sessions = [{ start = "00:00", end = "24:00" }]',
                       'sessions = [{ start = "07:00", end = "11:30" }, { start = "13:30", end = "17:00" }]'))
    center = tmp_path / "closed.toml"
    center.write_text(closed, encoding="utf-8")
    server = LiveServer(tmp_path / "closed.db", center=center).start()
    try:
        page.goto(f"{server.url}/kiosk")
        expect(page.get_by_text("Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số")).to_be_visible()
        expect(page.locator("#closed-hours")).to_have_text("Giờ lấy số: 07:00–11:30, 13:30–17:00")
        expect(button(page, "Về trang đầu")).to_be_visible()
        expect(page.locator("#departments")).to_be_hidden()
    finally:
        server.stop()


def test_closed_answer_to_a_ticket_shows_the_hours_until_the_center_opens(live_server, page):
    """Issuing stopped between loading the kiosk and the tap: the server's "closed" answer, then back by itself."""
    page.clock.install()
    page.goto(f"{live_server.url}/kiosk?print=0")
    page.route("**/api/tickets", lambda route: route.fulfill(status=409, json={
        "error": "closed", "message": "Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số."}))
    button(page, "Sở Tư pháp").click()
    button(page, "Hộ tịch").click()
    button(page, "Không, lấy số thường").click()
    expect(page.get_by_text("Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số")).to_be_visible()
    expect(page.locator("#closed-hours")).to_have_text(re.compile(r"^Giờ lấy số: 00:00–"))
    page.unroute("**/api/tickets")
    page.clock.run_for(16_000)  # the closed kiosk asks again every 15 s; the real server is issuing
    expect(page.locator("body")).to_have_attribute("data-screen", "home")
    take_number(page, "Sở Tư pháp", "Hộ tịch")
    expect(page.locator("#result-label")).to_have_text("B001")


# ----- (b) search ------------------------------------------------------------------------------------------

def test_search_finds_a_service_typed_without_diacritics(demo_server, page):
    page.goto(f"{demo_server.url}/kiosk")
    button(page, "Tìm thủ tục, lĩnh vực").click()
    page.locator("#search-input").fill("dat dai")
    results = page.locator("#search-results .choice")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Đất đai")
    expect(results.first).to_contain_text("Sở Tài nguyên và Môi trường")

    # The on-screen keyboard, as a citizen would type on the touch screen.
    button(page, "Xóa hết").click()
    keyboard = page.locator("#keyboard")
    for key in "HO TICH":
        keyboard.get_by_role("button", name="Dấu cách" if key == " " else key, exact=True).click()
    expect(page.locator("#search-input")).to_have_value("ho tich")
    expect(results.first.locator(".choice-title")).to_have_text("Hộ tịch, quốc tịch")  # others after it
    results.first.click()
    expect(page.locator("#chosen-service")).to_have_text("Hộ tịch, quốc tịch")
    button(page, "Quay lại").click()
    expect(page.locator("#search-input")).to_have_value("ho tich")  # back to the same search
    results.first.click()
    button(page, "Không, lấy số thường").click()
    expect(page.locator("#result-label")).to_have_text("P001")


def test_demo_center_fits_both_orientations(demo_server, page, browser):
    page.goto(f"{demo_server.url}/kiosk")
    expect(button(page, "Sở Tư pháp")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    context, wide = landscape_page(browser)
    try:
        wide.goto(f"{demo_server.url}/kiosk")
        expect(button(wide, "Sở Thông tin và Truyền thông")).to_be_in_viewport()
        assert horizontal_overflow(wide) <= 0
        button(wide, "Tìm thủ tục, lĩnh vực").click()
        wide.locator("#search-input").fill("giay phep")
        expect(wide.locator("#search-results .choice").first).to_be_in_viewport()  # not under the keyboard
        assert horizontal_overflow(wide) <= 0
    finally:
        context.close()


# ----- (c) print page --------------------------------------------------------------------------------------

def test_print_page_renders_the_ticket_on_80mm(live_server, page):
    issue(live_server)
    ticket = issue(live_server, priority_group="nguoi-cao-tuoi")
    page.set_viewport_size({"width": int(MM_80), "height": 1200})
    page.goto(f"{live_server.url}{ticket['print_url']}")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("#t-center")).to_have_text("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG THỬ NGHIỆM")
    expect(page.locator("#t-title")).to_have_text("PHIẾU SỐ THỨ TỰ")
    expect(page.locator("#t-label")).to_have_text("A002")
    expect(page.locator("#t-service")).to_have_text("Lĩnh vực: Lý lịch tư pháp")
    expect(page.locator("#t-counters")).to_have_text("Quầy phục vụ: 01, 02")
    expect(page.locator("#t-priority")).to_have_text("Ưu tiên: Người cao tuổi")
    expect(page.locator("#t-ahead")).to_have_text("Số người đang chờ trước Ông/Bà: 0")  # priority goes first
    expect(page.locator("#t-issued")).to_have_text(re.compile(r"^Lấy số lúc: \d\d:\d\d ngày \d\d/\d\d/\d{4}$"))
    expect(page.locator("#t-scan")).to_have_text("Quét mã QR để theo dõi lượt gọi")
    expect(page.locator("#t-footer")).to_contain_text("Trân trọng cảm ơn!")

    qr = page.locator("#t-qr")
    assert qr.get_attribute("src") == f"/api/tickets/{ticket['token']}/qr.svg"
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0
    loaded = page.evaluate("""() => [...document.fonts].filter((f) => f.family.includes('Be Vietnam Pro')
        && f.status === 'loaded').map((f) => f.weight)""")
    assert {"400", "700", "800"} <= set(loaded)  # printed in its own font, not a fallback
    assert page.locator("#ticket").evaluate("el => el.getBoundingClientRect().width") <= MM_80
    assert horizontal_overflow(page) <= 0

    # Printed, the page is 80 mm wide (227 pt) and one page long.
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) == 1
    assert abs(float(boxes[0][0]) - 80 / 25.4 * 72) < 1


def test_print_page_of_an_unknown_ticket_offers_the_way_back(shared_server, page):
    page.goto(f"{shared_server.url}/kiosk/print/no-such-token")
    expect(page.locator("body")).to_have_attribute("data-ready", "error")
    expect(page.get_by_text("Không tìm thấy phiếu này.")).to_be_visible()
    expect(page.get_by_role("link", name="Về trang đầu")).to_be_visible()


# ----- (d) phone page --------------------------------------------------------------------------------------

def test_phone_page_updates_live(live_server, page):
    first = issue(live_server)
    second = issue(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/t/{second['token']}")
    expect(page.locator("#label")).to_have_text("A002")
    expect(page.locator("#service")).to_have_text("Lĩnh vực: Lý lịch tư pháp")
    expect(page.locator("#ahead")).to_have_text("1")
    expect(page.locator("#wait")).to_have_text("khoảng 5 phút")
    expect(page.locator("#counters")).to_have_text("Quầy phục vụ: 01, 02")
    expect(page.locator("body")).to_have_attribute("data-connected", "1")
    expect(page.locator("#offline")).to_be_hidden()
    page.evaluate("window.sameDocument = true")

    assert requests.post(f"{live_server.url}/api/tickets/{first['token']}/cancel", timeout=10).ok
    expect(page.locator("#ahead")).to_have_text("0")
    expect(page.locator("#wait")).to_have_text("Sắp đến lượt")
    assert page.evaluate("window.sameDocument") is True  # pushed, not reloaded


def test_phone_page_cancels_after_confirmation(live_server, page):
    ticket = issue(live_server)
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(page.locator("#ahead")).to_have_text("0")
    button(page, "Hủy số").click()
    expect(page.get_by_text("Ông/Bà muốn hủy số A001?")).to_be_visible()
    button(page, "Không hủy").click()
    expect(page.locator("#confirm")).to_be_hidden()
    assert requests.get(f"{live_server.url}/api/tickets/{ticket['token']}", timeout=10).json()["state"] == "waiting"

    button(page, "Hủy số").click()
    page.locator("#confirm-yes").click()
    expect(page.locator("#other-title")).to_have_text("Đã hủy số")
    expect(button(page, "Hủy số")).to_be_hidden()
    assert requests.get(f"{live_server.url}/api/tickets/{ticket['token']}", timeout=10).json()["state"] == "cancelled"


def test_phone_page_of_an_earlier_days_ticket_says_it_has_expired(live_server, page):
    ticket = issue(live_server)
    with sqlite3.connect(live_server.database) as conn:  # as if issued yesterday and never called
        conn.execute("UPDATE tickets SET local_date = '2020-01-01' WHERE token = ?", (ticket["token"],))
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(page.locator("#other-title")).to_have_text("Số đã hết hiệu lực")
    expect(page.locator("#other-text")).to_contain_text("mời Ông/Bà lấy số mới")
    expect(page.locator("#st-waiting")).to_be_hidden()
    expect(button(page, "Hủy số")).to_be_hidden()


def test_phone_page_of_an_unknown_ticket(shared_server, page):
    page.goto(f"{shared_server.url}/t/no-such-token")
    expect(page.get_by_text("Không tìm thấy phiếu này")).to_be_visible()
    expect(page.get_by_role("link", name="Về trang đầu")).to_be_visible()
    expect(page.locator("#ticket")).to_be_hidden()


def test_phone_page_shows_the_badge_while_the_server_is_down(live_server, page):
    ticket = issue(live_server)
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(page.locator("body")).to_have_attribute("data-connected", "1")
    live_server.stop()
    expect(page.get_by_text("Mất kết nối, đang kết nối lại…")).to_be_visible(timeout=30_000)
    live_server.start()
    issue(live_server)  # the new ticket is behind ours: nothing changes
    assert requests.post(f"{live_server.url}/api/tickets/{ticket['token']}/cancel", timeout=10).ok
    expect(page.locator("#offline")).to_be_hidden(timeout=30_000)
    expect(page.locator("#other-title")).to_have_text("Đã hủy số")


# ----- (e) recovery after a server restart -------------------------------------------------------------------

def test_kiosk_recovers_after_a_server_restart(live_server, page):
    page.goto(f"{live_server.url}/kiosk")
    expect(button(page, "Sở Tư pháp")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    live_server.restart()
    take_number(page, "Sở Tư pháp", "Lý lịch tư pháp")
    expect(page.locator("#result-label")).to_have_text("A001")
    assert page.evaluate("window.sameDocument") is True


def test_kiosk_reconnects_by_itself_when_the_server_was_down(live_server, page):
    page.goto(f"{live_server.url}/kiosk")
    page.evaluate("window.sameDocument = true")
    button(page, "Sở Tư pháp").click()
    button(page, "Lý lịch tư pháp").click()
    live_server.stop(kill=True)
    button(page, "Không, lấy số thường").click()
    expect(page.get_by_text("Đang kết nối lại…")).to_be_visible()
    live_server.start()
    expect(page.locator("#offline")).to_be_hidden(timeout=15_000)
    # Back on the last step: one tap takes the number.
    expect(page.locator("#chosen-service")).to_have_text("Lý lịch tư pháp")
    button(page, "Không, lấy số thường").click()
    expect(page.locator("#result-label")).to_have_text("A001")
    assert page.evaluate("window.sameDocument") is True


# ----- (f) landscape ---------------------------------------------------------------------------------------

def test_landscape_kiosk_shows_departments_without_horizontal_scroll(live_server, browser):
    context, page = landscape_page(browser)
    try:
        page.goto(f"{live_server.url}/kiosk")
        for name in ("Sở Tư pháp", "Sở Giao thông vận tải"):
            expect(button(page, name)).to_be_in_viewport()
        assert horizontal_overflow(page) <= 0
        take_number(page, "Sở Giao thông vận tải", "Giấy phép lái xe")
        expect(page.locator("#result-label")).to_be_in_viewport()
        expect(page.get_by_text("Mời Ông/Bà nhận phiếu")).to_be_in_viewport()
        assert horizontal_overflow(page) <= 0
    finally:
        context.close()
