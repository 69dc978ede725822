"""The citizen's booking page in chromium against the real server: book a slot, see its code and QR, check in on
the kiosk's keypad, be called at the slot ahead of a walk-in who came first; take a remote number and follow it
on the ticket page; move and cancel on the booking's own page; supervisors' day of bookings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.csrf import CsrfSession
from tests.live import SMALL_CENTER, LiveServer
from tests.officer import PASSWORD, Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Open around the clock (the small center); the slot under way may still be booked for 30 minutes and checked in
# on time for 60, so the test runs whatever the time of day.
POLICY = """
[appointments]
slot_minutes = 30
days_ahead = 2
close_minutes_before = -30
per_address_per_day = 100
late_minutes = 60
booked_every = 2
capacity = { "ly-lich" = 3, "lai-xe" = 3 }
remote_daily_cap = { "ly-lich" = 5 }
"""


def center_file(tmp_path):
    path = tmp_path / "booking.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + POLICY, encoding="utf-8")
    return path


@pytest.fixture
def booking_server(tmp_path):
    server = LiveServer(tmp_path / "booking.db", center=center_file(tmp_path)).start()
    yield server
    server.stop()


def book_in_browser(page, server, service="ly-lich", name="Nguyễn Thị Hẹn", phone="0912 345 678"):
    """Fill the booking page with the first open slot of today; returns the slot chosen. Ends on /hen/<token>."""
    page.goto(f"{server.url}/hen")
    expect(page.locator("#form")).to_be_visible()
    page.select_option("#department", "STP" if service in ("ly-lich", "ho-tich") else "SGTVT")
    page.select_option("#service", service)
    expect(page.locator(f"#slots[data-request^='{service}/'][data-day]")).to_be_attached()  # this service's slots
    first = page.locator(".slot:not([disabled])").first
    expect(first).to_be_visible()
    start = first.get_attribute("data-start")
    first.click()
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.click("#submit")
    page.wait_for_url("**/hen/*")
    expect(page.locator("#code")).to_have_text(re.compile(r"^\d{4} \d{4}$"))
    return start


def test_book_check_in_and_be_called_at_the_slot(booking_server, page):
    walk_in = issue(booking_server.url, "ly-lich")  # came first, without a booking
    start = book_in_browser(page, booking_server)
    expect(page.locator("#state")).to_have_text("Đã đặt")
    expect(page.locator("#service")).to_have_text("Lý lịch tư pháp")
    expect(page.locator("#phone")).to_have_text("091****678")
    expect(page.locator("#qr")).to_have_js_property("complete", True)  # loaded (or failed): then it must show
    assert page.eval_on_selector("#qr", "img => img.naturalWidth > 0")
    code = page.inner_text("#code")
    manage = page.url

    # At the center: the kiosk's keypad.
    kiosk = page.context.new_page()
    kiosk.goto(f"{booking_server.url}/kiosk?kiosk=K1&print=0")
    kiosk.click("#open-checkin")
    for digit in code.replace(" ", ""):
        kiosk.click(f"#checkin [data-key='{digit}']")
    expect(kiosk.locator("#checkin-code")).to_have_text(code)
    kiosk.click("#checkin-confirm")
    expect(kiosk.locator("#result-note")).to_contain_text(f"theo lịch hẹn {start}")
    label = kiosk.inner_text("#result-label")
    assert label != walk_in["label"]

    officer = Officer(booking_server.url, booking_server.database, booking_server.center, "an")
    try:
        officer.sign_in(1)
        called = officer.act("call_next")  # the slot has begun: the booked citizen before the walk-in
        assert called["ok"] and called["result"]["label"] == label
        assert called["result"]["channel"] == "appointment"
    finally:
        officer.close()
    page.goto(manage)
    expect(page.locator("#state")).to_have_text("Đã xác nhận có mặt")
    page.click("#ticket-link")
    expect(page.locator("#called-text")).to_have_text("MỜI ÔNG/BÀ ĐẾN QUẦY 01")


def test_remote_number_shows_its_place_on_the_ticket_page(booking_server, page):
    issue(booking_server.url, "ly-lich")
    page.goto(f"{booking_server.url}/hen")
    page.check("input[value=remote]")
    expect(page.locator("#when")).to_be_hidden()
    page.select_option("#service", "ly-lich")
    page.fill("#name", "Trần Văn Xa")
    page.fill("#phone", "0987654321")
    page.click("#submit")
    page.wait_for_url("**/hen/*")
    expect(page.locator("#title")).to_have_text("Số lấy từ xa của Ông/Bà")
    page.click("#ticket-link")
    page.wait_for_url("**/t/*")
    expect(page.locator("#label")).to_have_text("A002")
    expect(page.locator("#ahead")).to_have_text("1")
    expect(page.locator("#remote-note")).to_be_visible()


def test_move_and_cancel_on_the_booking_page(booking_server, page):
    book_in_browser(page, booking_server, service="lai-xe", phone="0900000002")
    code, manage = page.inner_text("#code"), page.url
    page.goto(f"{booking_server.url}/hen")  # the page was lost: found again by its code and phone number
    page.fill("#lookup-code", code)
    page.fill("#lookup-phone", "0900 000 002")
    page.click("#lookup-submit")
    page.wait_for_url(manage)
    expect(page.locator("#change")).to_be_visible()
    tomorrow = page.locator("#day option").nth(1).get_attribute("value")
    page.select_option("#day", tomorrow)
    expect(page.locator(f"#slots[data-day='{tomorrow}']")).to_be_attached()  # not today's slots still on screen
    target = page.locator(".slot:not([disabled])").nth(3)
    new_start = target.get_attribute("data-start")
    target.click()
    page.click("#move")
    expect(page.locator("#message")).to_have_text("Đã đổi giờ hẹn.")
    expect(page.locator("#when")).to_contain_text(new_start)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cancel")
    expect(page.locator("#state")).to_have_text("Đã hủy")
    expect(page.locator("#change")).to_be_hidden()


def test_a_bad_phone_number_is_told_in_vietnamese(booking_server, page):
    page.goto(f"{booking_server.url}/hen")
    page.locator(".slot:not([disabled])").first.click()
    page.fill("#name", "Nguyễn An")
    page.fill("#phone", "12345")
    page.click("#submit")
    expect(page.locator("#message")).to_contain_text("Số điện thoại không hợp lệ")
    assert "/hen/" not in page.url


def test_supervisors_see_the_day_of_bookings(booking_server, page):
    book_in_browser(page, booking_server, service="lai-xe", phone="0900000003")
    code = page.inner_text("#code")
    book_in_browser(page, booking_server, service="lai-xe", phone="0900000004")
    CsrfSession().post(f"{booking_server.url}/api/checkin", json={"code": code}, timeout=10)
    Officer(booking_server.url, booking_server.database, booking_server.center, "giamsat").set_password()
    page.goto(f"{booking_server.url}/admin/bookings")
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("#rows tr")).to_have_count(1)
    cells = page.locator("#rows tr td")
    expect(cells.nth(0)).to_have_text("Giấy phép lái xe")
    expect(cells.nth(2)).to_have_text("2")  # places taken
    expect(cells.nth(3)).to_have_text("1")  # not arrived yet
    expect(cells.nth(4)).to_have_text("1")  # checked in
    expect(page.locator("#summary")).to_contain_text("2 chỗ đã đặt, 1 người đã có mặt")
    assert "0900000003" not in page.content() and "Nguyễn Thị Hẹn" not in page.content()
