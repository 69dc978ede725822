"""The hub's pages in Debian's chromium on a real hub process over a real PostgreSQL, on a PC whose clock is set
to another zone than Việt Nam's: axe-core finds no violation on /hub/sites, /hub/accounts, /hub/overview and
/hub/reports (tests/axe_check.py), and every time they write is the hub's zone (the answers' `timezone`), not the
browser's."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import expect

from tests.axe_check import ROOT, audit, explain
from tests.hub_live import LiveHub
from tests.hub_province import SITES, build_province, yesterday
from tests.screenshots import save_screenshot
from tests.test_hub_overview_browser import sign_in

pytestmark = pytest.mark.browser

PC_ZONE = "America/New_York"  # a PC left on another zone (UTC−5 or −4 against Việt Nam's +7)
HUB_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DESKTOP = {"width": 1366, "height": 768}
# A site's last contact and an account's lock two hours ago: silent that long, the site is listed as stopped.
CONTACT_AGO = 2 * 3600


@pytest.fixture
def hub(pg_database, tmp_path):
    build_province(pg_database, tmp_path)
    contact = int(time.time()) - CONTACT_AGO
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("UPDATE hub_sites SET last_contact_at = %s WHERE code = 'LSN-X017'", (contact,))
        conn.execute("UPDATE hub_accounts SET disabled_at = %s WHERE username = 'caoloc'", (contact,))
    hub = LiveHub(pg_database, tmp_path / "hub.log", env={"HANGDOI_HUB_PROVINCE": "tỉnh Lạng Sơn"}).start()
    yield hub, contact
    hub.stop()


@pytest.fixture
def pc(browser):
    """A page in a browser whose zone is not Việt Nam's, with axe-core loaded into every document."""
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP, timezone_id=PC_ZONE)
    context.add_init_script(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == PC_ZONE
    yield page
    context.close()


def written(epoch: int, zone) -> str:
    """A moment as shared_ui/format.js's dateTime writes it: "08:05 23/11/2026"."""
    return dt.datetime.fromtimestamp(epoch, zone).strftime("%H:%M %d/%m/%Y")


def no_violations(page, name: str):
    violations = audit(page, name)
    assert not violations, explain(violations)


def test_the_hub_pages_pass_axe_and_write_the_hubs_time(hub, pc):
    hub, contact = hub
    assert written(contact, HUB_ZONE) != written(contact, ZoneInfo(PC_ZONE))

    sign_in(pc, hub.url + "/hub/sites", "quantri")
    row = pc.locator('tr[data-code="LSN-X017"]')
    expect(row).to_contain_text(written(contact, HUB_ZONE) + " (ngừng báo cáo)")
    expect(row).not_to_contain_text(written(contact, ZoneInfo(PC_ZONE)))
    no_violations(pc, "hub: đơn vị và mã truy cập")
    save_screenshot(pc, "hub-sites-1366")

    pc.goto(hub.url + "/hub/accounts")
    expect(pc.locator("body")).to_have_attribute("data-view", "board")
    locked = pc.locator('tr[data-username="caoloc"] .state')
    expect(locked).to_have_text(f"Đã khóa {written(contact, HUB_ZONE)}")
    no_violations(pc, "hub: tài khoản")
    save_screenshot(pc, "hub-accounts-1366")

    pc.goto(hub.url + "/hub/overview")
    expect(pc.locator("body")).to_have_attribute("data-view", "board")
    expect(pc.locator("#stopped tr, #reporting tr")).to_have_count(len(SITES))
    silent = pc.locator('tr[data-code="LSN-X017"] .province-contact')
    expect(silent).to_contain_text(written(contact, HUB_ZONE))
    no_violations(pc, "hub: tổng quan toàn tỉnh")
    save_screenshot(pc, "hub-overview-1366")

    pc.goto(hub.url + "/hub/reports")
    expect(pc.locator("body")).to_have_attribute("data-view", "board")
    pc.select_option("#period", "day")
    pc.fill("#date", yesterday().strftime("%d/%m/%Y"))
    pc.click("#show")
    expect(pc.locator("#report-rows tr")).to_have_count(len(SITES))
    no_violations(pc, "hub: báo cáo toàn tỉnh")
    save_screenshot(pc, "hub-reports-1366")
