"""The report page and its A4 print in chromium, on a center taking bookings: the section "Kênh lấy số và lịch hẹn"
shows the report grouped by channel and every line of the channel table the API gives (report.channels), formatted
in Vietnamese; on a center without bookings the section stays hidden (docs/REPORTS.md, "The channel table")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.csrf import CsrfSession
from tests.live import LiveServer
from tests.officer import PASSWORD, Officer, issue
from tests.test_browser_booking import booking_server  # noqa: F401 (the fixture: a center taking bookings)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def book_first_open_slot(url: str, i: int) -> dict:
    phones = CsrfSession()
    options = phones.get(f"{url}/api/appointments/options", timeout=10).json()
    for day in options["days"]:
        slots = phones.get(f"{url}/api/appointments/slots?service=lai-xe&date={day}", timeout=10).json()["slots"]
        for slot in slots:
            if slot["open"]:
                made = phones.post(f"{url}/api/appointments", json={
                    "service_code": "lai-xe", "date": day, "slot": slot["start"], "name": f"Công dân {i}",
                    "phone": f"09{i:08d}"}, timeout=10)
                assert made.status_code == 201
                return made.json()
    raise AssertionError("no open slot")


def vietnamese(value, percent: bool) -> str:
    """A value as the page writes it: 1.234 for counts, 40,0 for a rate at one decimal, – for none."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") if percent else f"{value:,}".replace(",", ".")


def sign_in(page, url, path):
    page.goto(url + path)
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")


def test_the_report_page_and_print_show_the_channel_table(booking_server, page):
    url = booking_server.url
    issue(url, "lai-xe")
    booked = [book_first_open_slot(url, i) for i in (1, 2, 3)]
    checkin = CsrfSession()
    for made in booked[:2]:
        assert checkin.post(f"{url}/api/checkin", json={"code": made["code"]}, timeout=10).status_code == 201
    cancelled = CsrfSession().post(f"{url}/api/appointments/{booked[2]['token']}/cancel", timeout=10)
    assert cancelled.status_code == 200
    Officer(url, booking_server.database, booking_server.center, "giamsat").set_password()

    sign_in(page, url, "/admin/reports")
    expect(page.locator("body")).to_have_attribute("data-report-state", "ready", timeout=30000)
    report = page.evaluate("() => fetch('/api/reports?period=day&group_by=department').then((r) => r.json())")
    lines = report["channels"]
    assert lines and report["appointments"]["booked"] == 2 and report["appointments"]["cancelled"] == 1
    section = page.locator("#channels-section")
    expect(section).to_be_visible()
    expect(section.locator(".fact-label")).to_have_text([line["label"] for line in lines])
    expect(section.locator(".fact-value")).to_have_text([vietnamese(line["value"], line["percent"])
                                                         for line in lines])
    rows = section.locator("#channels-table tbody tr td:nth-child(2)")
    expect(rows).to_have_count(2)  # the walk-in's channel, and the two bookings checked in on time
    assert sorted(rows.all_inner_texts()) == ["Ki-ốt", "Lịch hẹn"]

    page.goto(f"{url}/admin/reports/print?period=day&group_by=department")
    expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=15000)
    block = page.locator("#channels-block")
    expect(block).to_be_visible()
    expect(block.locator("tbody td.text")).to_have_text([line["label"] for line in lines])
    expect(block.locator("tbody td.num")).to_have_text([vietnamese(line["value"], line["percent"])
                                                        for line in lines])


def test_a_center_without_bookings_has_no_channel_section(tmp_path, page):
    server = LiveServer(tmp_path / "plain.db").start()
    try:
        issue(server.url, "lai-xe")
        Officer(server.url, server.database, server.center, "giamsat").set_password()
        sign_in(page, server.url, "/admin/reports")
        expect(page.locator("body")).to_have_attribute("data-report-state", "ready", timeout=30000)
        expect(page.locator("#wait-table tbody tr")).not_to_have_count(0)
        expect(page.locator("#channels-section")).to_be_hidden()
    finally:
        server.stop()
