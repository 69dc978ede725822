"""The province's overview and reports pages in Debian's chromium, on a real hub process over a real PostgreSQL:
a district leader sees the sites of their district (the silent one on top), a provincial leader every site; the
reports page shows the province's paragraph, the table and the chart, and offers the files."""

from __future__ import annotations

import time

import psycopg
import pytest
from playwright.sync_api import expect

from server.hub.overview import STOPPED_REPORTING_SECONDS
from tests.hub_live import LiveHub
from tests.hub_province import PASSWORD, SITES, build_province, yesterday

pytestmark = pytest.mark.browser


@pytest.fixture
def hub(pg_database, tmp_path):
    build_province(pg_database, tmp_path)
    with psycopg.connect(pg_database, autocommit=True) as conn:  # a commune office silent for an hour
        conn.execute("UPDATE hub_sites SET last_contact_at = %s WHERE code = 'LSN-X017'",
                     (int(time.time()) - STOPPED_REPORTING_SECONDS - 3600,))
    hub = LiveHub(pg_database, tmp_path / "hub.log", env={"HANGDOI_HUB_PROVINCE": "tỉnh Lạng Sơn"}).start()
    yield hub
    hub.stop()


def sign_in(page, url: str, username: str):
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "board")


def test_a_district_leader_sees_their_sites_the_silent_one_first(hub, page):
    sign_in(page, hub.url + "/hub/overview", "caoloc")
    expect(page.locator("#scope-name")).to_have_text("HUYỆN CAO LỘC")
    expect(page.locator("#stopped-panel")).to_be_visible()
    stopped = page.locator("#stopped tr")
    expect(stopped).to_have_count(1)
    expect(stopped.first).to_have_attribute("data-code", "LSN-X017")
    expect(stopped.first.locator(".province-contact")).to_contain_text("1 giờ")
    reporting = page.locator("#reporting tr")
    expect(reporting).to_have_count(1)
    expect(reporting.first).to_have_attribute("data-code", "LSN-H03")
    expect(reporting.first.locator(".province-waiting")).to_have_text("3")
    expect(reporting.first.locator(".province-longest")).to_contain_text("phút")
    expect(page.locator("#admin-nav a")).to_have_text(["Tổng quan toàn tỉnh", "Báo cáo"])


def test_a_provincial_leader_sees_every_site(hub, page):
    sign_in(page, hub.url + "/hub/overview", "lanhdao")
    expect(page.locator("#scope-name")).to_have_text("TOÀN TỈNH")
    expect(page.locator("#stopped tr, #reporting tr")).to_have_count(len(SITES))
    expect(page.locator("#totals")).to_contain_text("Ngừng báo cáo")


def test_the_reports_page_shows_the_province(hub, page):
    sign_in(page, hub.url + "/hub/reports", "lanhdao")
    page.select_option("#period", "day")
    page.fill("#date", yesterday().strftime("%d/%m/%Y"))
    page.click("#show")
    summary = page.locator("#summary")
    expect(summary).to_contain_text(f"Trong ngày {yesterday():%d/%m/%Y}, toàn tỉnh có 4 đơn vị")
    expect(page.locator("#report-rows tr")).to_have_count(len(SITES))
    expect(page.locator("#report-total")).to_contain_text("Tổng cộng")
    page.wait_for_function("() => window.hangdoiCharts && window.hangdoiCharts.rows")
    assert page.evaluate("() => window.hangdoiCharts.rows.data.labels.length") == len(SITES)
    href = page.locator("#export-xlsx").get_attribute("href")
    assert href.startswith("/api/hub/reports/export?") and "format=xlsx" in href
    answer = page.request.get(hub.url + href)
    assert answer.status == 200 and answer.body()[:2] == b"PK"
    page.select_option("#district", "Lộc Bình")
    page.click("#show")
    expect(page.locator("#report-rows tr")).to_have_count(1)
    expect(summary).to_contain_text("toàn huyện Lộc Bình có 1 đơn vị")
