"""Where supervisors find the day's bookings: the staff pages' header (shared_ui/signin.js) links "Lịch hẹn" to
/admin/bookings on a center that takes bookings, after the feedback inbox (a center without bookings has no such
link: tests/test_browser_staff_pages.py checks its header's exact links)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.officer import PASSWORD, Officer
from tests.test_browser_booking import booking_server  # noqa: F401 (the fixture: a center taking bookings)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_a_supervisor_finds_the_bookings_page_in_the_header(booking_server, page):
    Officer(booking_server.url, booking_server.database, booking_server.center, "giamsat").set_password()
    page.goto(f"{booking_server.url}/admin/live")
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    nav = page.locator("#admin-nav a")
    expect(nav).to_have_text(["Giám sát", "Phản ánh", "Lịch hẹn", "Báo cáo"])
    page.get_by_role("link", name="Lịch hẹn").click()
    page.wait_for_url("**/admin/bookings")
    expect(page.locator("body")).to_have_attribute("data-view", "board", timeout=15000)
    expect(page.locator("#admin-nav a[aria-current=page]")).to_have_text("Lịch hẹn")
