"""The provincial admin's sites page (/hub/sites) in Debian's chromium, on a real hub process: sign in, grant a
token (shown once), see a site report (acknowledged seq, last contact), revoke it, start a diverged one over."""

from __future__ import annotations

import psycopg
import pytest
import requests
from playwright.sync_api import expect

from tests.hub_live import ADMIN, ADMIN_PASSWORD, start_hub_with_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def hub(pg_database, tmp_path):
    hub = start_hub_with_admin(pg_database, tmp_path / "hub.log")
    yield hub
    hub.stop()


def test_the_admin_grants_sees_and_revokes_a_site(hub, page):
    page.goto(hub.url + "/hub/sites")
    page.fill("#username", ADMIN)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "board")
    expect(page.locator("#user-name")).to_have_text("Quản trị tỉnh")
    expect(page.locator("#admin-nav a[aria-current=page]")).to_have_text("Đơn vị và mã truy cập")

    page.fill("#site-code", "LSN-X001")
    page.click("#grant")
    expect(page.locator("#token-box")).to_be_visible()
    token = page.locator("#token").inner_text()
    assert token.startswith("hdh_")
    row = page.locator('tr[data-code="LSN-X001"]')
    expect(row.locator(".state")).to_have_text("Đang nhận")
    expect(row).to_contain_text("Chưa liên lạc")

    # the site reports (a heartbeat with its identity): the page shows it within its refresh
    answer = requests.post(hub.url + "/api/hub/v1/batches", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                           json={"site": {"code": "LSN-X001", "name": "UBND xã Tân Tiến", "level": "xa",
                                          "district": "Huyện Tràng Định"}, "after": 0, "through": 0, "events": []})
    assert answer.status_code == 200
    expect(row).to_contain_text("UBND xã Tân Tiến", timeout=10000)
    expect(row).to_contain_text("Cấp xã")
    expect(row).not_to_contain_text("Chưa liên lạc")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Thu hồi mã").click()
    expect(row.locator(".state")).to_have_text("Đã thu hồi mã")
    refused = requests.get(hub.url + "/api/hub/v1/state", params={"site": "LSN-X001"}, timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401

    with psycopg.connect(hub.dsn) as conn:  # as ingest does when a site's history goes back
        conn.execute("UPDATE hub_sites SET state = 'diverged' WHERE code = 'LSN-X001'")
    page.reload()
    expect(row.locator(".state")).to_have_text("Lệch dữ liệu (chờ đồng bộ lại)")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Cấp lại mã và đồng bộ lại từ đầu").click()
    expect(row.locator(".state")).to_have_text("Đang nhận")
    new_token = page.locator("#token").inner_text()
    assert new_token != token
    state = requests.get(hub.url + "/api/hub/v1/state", params={"site": "LSN-X001"}, timeout=10,
                         headers={"Authorization": f"Bearer {new_token}"})
    assert state.json() == {"acked_seq": 0, "state": "active", "epoch": 2}


def test_the_admin_adds_a_district_leader_and_locks_an_account(hub, page):
    page.goto(hub.url + "/hub/accounts")
    page.fill("#username", ADMIN)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "board")
    expect(page.locator("#district-field")).to_be_hidden()
    page.fill("#account-username", "lanhdao.trangdinh")
    page.fill("#account-name", "Hoàng Văn Định")
    page.select_option("#account-role", "district_leader")
    expect(page.locator("#district-field")).to_be_visible()
    page.fill("#account-password", "mat-khau-huyen")
    page.click("#save-account")
    expect(page.locator("#message")).to_have_text("Lãnh đạo huyện phải gắn với một huyện.")
    page.fill("#account-district", "Huyện Tràng Định")
    page.click("#save-account")
    row = page.locator('tr[data-username="lanhdao.trangdinh"]')
    expect(row.locator(".role")).to_have_text("Lãnh đạo huyện")
    expect(row).to_contain_text("Huyện Tràng Định")
    expect(page.locator(f'tr[data-username="{ADMIN}"]').get_by_role("button")).to_have_count(0)  # not oneself

    leader = requests.Session()
    leader.get(hub.url + "/api/session", timeout=10)
    signed = leader.post(hub.url + "/api/session", json={"username": "lanhdao.trangdinh",
                                                         "password": "mat-khau-huyen"},
                         headers={"X-CSRF-Token": leader.cookies.get("hangdoi_csrf")}, timeout=10)
    assert signed.json()["officer"]["district"] == "Huyện Tràng Định"
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Khóa tài khoản").click()
    expect(row.locator(".state")).to_contain_text("Đã khóa")
    assert leader.get(hub.url + "/api/session", timeout=10).json()["officer"] is None  # its session ended
