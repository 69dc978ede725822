"""The kiosk's 80 mm print page of a booked citizen's ticket shows the booked time (kiosk_ui/print.js, the line
`booked` of server/core/ticket_print.py), in chromium against the real server; a walk-in's ticket has no such
line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.csrf import CsrfSession
from tests.officer import issue
from tests.test_browser_booking import booking_server  # noqa: F401 (the fixture: a center taking bookings)
from tests.test_report_channels_browser import book_first_open_slot

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_printed_ticket_of_a_booked_citizen_shows_the_booked_time(booking_server, page):
    url = booking_server.url
    made = book_first_open_slot(url, 5)
    answer = CsrfSession().post(f"{url}/api/checkin", json={"code": made["code"]}, timeout=10).json()
    page.goto(f"{url}/kiosk/print/{answer['ticket']['token']}")
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=15000)
    expect(page.locator("#t-label")).to_have_text(answer["ticket"]["label"])
    expect(page.locator("#t-booked")).to_have_text(f"Giờ hẹn: {made['slot_start']} (ưu tiên theo lịch hẹn)")
    expect(page.locator("#t-booked")).to_be_visible()

    walk_in = issue(url, "lai-xe")
    page.goto(f"{url}/kiosk/print/{walk_in['token']}")
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=15000)
    expect(page.locator("#t-booked")).to_have_text("")
    expect(page.locator("#t-booked")).to_be_hidden()
