"""The citizens' screens write the center's time, never the PC's: a kiosk, a lobby TV or a phone whose own zone is
wrong (here New York) still shows the clock of the center's zone from /api/center (shared_ui/format.js
setTimeZone). The staff screens have the same test in tests/test_browser_console_queue.py."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.live import LiveServer
from tests.officer import issue
from tests.screenshots import save_screenshot
from tests.test_browser_console_queue import center_in, clock_now

CENTER_NAME = "Trung tâm Phục vụ hành chính công thử nghiệm"  # tests/centers/small.toml
PC_ZONE = "America/New_York"  # UTC−5 or −4: never the same wall clock as the centers below (+7, +9)
SCREENS = {"kiosk": ("/kiosk", {"width": 1080, "height": 1920}),
           "display": ("/display", {"width": 1920, "height": 1080})}


def day_in(zone: str) -> set[str]:
    """dd/mm/yyyy in `zone` now and a minute on (a test running across midnight)."""
    now = dt.datetime.now(ZoneInfo(zone))
    return {(now + dt.timedelta(minutes=m)).strftime("%d/%m/%Y") for m in (0, 1)}


@pytest.fixture(scope="module", params=["Asia/Ho_Chi_Minh", "Asia/Tokyo"])
def zoned_server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zone")
    server = LiveServer(tmp / "zone.db", center=center_in(tmp, request.param)).start()
    server.zone = request.param
    yield server
    server.stop()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_kiosk_and_lobby_clocks_follow_the_center(zoned_server, browser, screen):
    path, viewport = SCREENS[screen]
    context = browser.new_context(locale="vi-VN", viewport=viewport, timezone_id=PC_ZONE)
    try:
        page = context.new_page()
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == PC_ZONE
        page.goto(zoned_server.url + path)
        # Once the screen has the center (its name, zone and all), the clock it shows is the center's.
        expect(page.locator("#center-name")).to_have_text(CENTER_NAME)
        clock = page.locator("#clock-time")
        shown = clock.inner_text()[:5]
        assert shown in clock_now(zoned_server.zone) and shown not in clock_now(PC_ZONE)
        date = page.locator("#clock-date").inner_text()
        assert any(day in date for day in day_in(zoned_server.zone)), date
        save_screenshot(page, f"{screen}-clock-{zoned_server.zone.replace('/', '-')}-on-a-new-york-pc")
    finally:
        context.close()


def test_the_phone_page_writes_the_centers_time(zoned_server, browser):
    ticket = issue(zoned_server.url, "ly-lich")
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, timezone_id=PC_ZONE)
    try:
        page = context.new_page()
        page.goto(f"{zoned_server.url}/t/{ticket['token']}")
        updated = page.locator("#updated")
        expect(updated).to_have_text(re.compile(r"^Cập nhật lúc \d\d:\d\d:\d\d$"))
        shown = updated.inner_text()[len("Cập nhật lúc "):][:5]
        assert shown in clock_now(zoned_server.zone) and shown not in clock_now(PC_ZONE)
    finally:
        context.close()
