"""Paired devices against the real server with pairing required: real Socket.IO clients and Debian's chromium.

An unpaired screen shows a code and starts once an admin confirms it; a revoked device is cut off at once and
goes back to its pairing notice; its token never works again.
"""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest
import requests
import socketio
from playwright.sync_api import expect

from tests.csrf import CsrfSession
from tests.live import LiveServer
from tests.officer import PASSWORD, Officer

pytestmark = [pytest.mark.live]


@pytest.fixture
def strict_server(tmp_path):
    server = LiveServer(tmp_path / "paired.db", env={"HANGDOI_REQUIRE_DEVICES": "1"}).start()
    yield server
    server.stop()


@pytest.fixture
def admin(strict_server) -> CsrfSession:
    Officer(strict_server.url, strict_server.database, strict_server.center, "quantri").set_password()
    session = CsrfSession()
    response = session.post(f"{strict_server.url}/api/session", json={"username": "quantri", "password": PASSWORD},
                            timeout=10)
    assert response.status_code == 200, response.text
    return session


def pair(url: str, admin: CsrfSession, kind: str, counter=None, name=None) -> str:
    request = requests.post(f"{url}/api/devices/pairing", json={"kind": kind, "counter": counter}, timeout=10).json()
    body = {"code": request["code"], **({"name": name} if name else {})}
    assert admin.post(f"{url}/api/admin/devices/approve", json=body, timeout=10).status_code == 201
    return requests.get(f"{url}/api/devices/pairing/{request['request']}", timeout=10).json()["token"]


def device_id(url: str, admin: CsrfSession, name: str) -> int:
    listing = admin.get(f"{url}/api/admin/devices", timeout=10).json()
    return next(d["id"] for d in listing["devices"] if d["name"] == name)


def test_a_revoked_display_is_cut_off_at_once_and_cannot_come_back(strict_server, admin):
    url = strict_server.url
    unpaired = socketio.Client(reconnection=False)
    unpaired.connect(url, transports=["websocket"])
    assert unpaired.call("subscribe", {"screen": "display"}, timeout=5)["error"] == "device_not_paired"
    unpaired.disconnect()

    token = pair(url, admin, "display", name="TV sảnh A")
    client = socketio.Client(reconnection=False)
    revoked, gone = threading.Event(), threading.Event()
    client.on("device_revoked", lambda _data: revoked.set())
    client.on("disconnect", lambda *_: gone.set())
    client.connect(url, transports=["websocket"], auth={"device": token})
    assert client.call("subscribe", {"screen": "display"}, timeout=5)["ok"]

    assert admin.post(f"{url}/api/admin/devices/{device_id(url, admin, 'TV sảnh A')}/revoke", timeout=10).ok
    assert revoked.wait(2) and gone.wait(2)
    again = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect(url, transports=["websocket"], auth={"device": token})
    strict_server.restart()  # revocation is stored, not only remembered
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(url, transports=["websocket"], auth={"device": token})


@pytest.mark.browser
def test_the_kiosk_pairs_issues_and_returns_to_pairing_when_revoked(strict_server, admin, page):
    url = strict_server.url
    page.goto(f"{url}/kiosk")
    code = page.locator("#pairing .pairing-code")
    expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=10000)
    assert requests.post(f"{url}/api/tickets", json={"service_code": "ly-lich"}, timeout=10).status_code == 401

    digits = code.text_content().replace(" ", "")
    assert admin.post(f"{url}/api/admin/devices/approve", json={"code": digits, "name": "Kiosk cửa chính"},
                      timeout=10).status_code == 201
    expect(page.locator("#pairing")).to_be_hidden(timeout=10000)
    page.get_by_role("button", name="Sở Tư pháp").click()
    page.get_by_role("button", name="Lý lịch tư pháp").click()
    page.get_by_role("button", name="Không, lấy số thường").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "result")
    with sqlite3.connect(strict_server.database) as conn:
        assert conn.execute("SELECT device FROM tickets").fetchall() == [("Kiosk cửa chính",)]

    assert admin.post(f"{url}/api/admin/devices/{device_id(url, admin, 'Kiosk cửa chính')}/revoke",
                      timeout=10).ok
    # No reload: the next number it tries to issue is refused, and it goes back to its pairing notice by itself.
    expect(page.locator("body")).not_to_have_attribute("data-screen", "result", timeout=30000)
    page.get_by_role("button", name="Sở Tư pháp").click()
    page.get_by_role("button", name="Lý lịch tư pháp").click()
    page.get_by_role("button", name="Không, lấy số thường").click()
    expect(page.locator("#pairing")).to_be_visible(timeout=10000)
    expect(code).not_to_have_text(digits, timeout=10000)


@pytest.mark.browser
def test_an_admin_pairs_and_revokes_a_tablet_on_the_devices_page(strict_server, browser):
    url = strict_server.url
    for username in ("quantri", "giamsat"):
        Officer(url, strict_server.database, strict_server.center, username).set_password()
    tablet_context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    admin_context = browser.new_context(locale="vi-VN", viewport={"width": 1600, "height": 1000})
    try:
        tablet = tablet_context.new_page()
        tablet.goto(f"{url}/tablet/3")
        code = tablet.locator("#pairing .pairing-code")
        expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=10000)
        expect(tablet.locator("#pairing .pairing-kind")).to_have_text("Máy đánh giá tại quầy – quầy số 3")

        page = admin_context.new_page()
        page.goto(f"{url}/admin/devices")
        page.fill("#username", "giamsat")  # a supervisor is turned away
        page.fill("#password", PASSWORD)
        page.click("#signin-submit")
        expect(page.locator("#signin-error")).to_have_text("Chỉ quản trị viên được quản lý thiết bị.")
        page.fill("#username", "quantri")
        page.fill("#password", PASSWORD)
        page.click("#signin-submit")
        pending = page.locator("#pending tr")
        expect(pending).to_have_count(1, timeout=10000)
        expect(page.locator("#admin-nav a")).to_have_text(["Giám sát", "Phản ánh", "Báo cáo", "Cấu hình", "Thiết bị"])
        expect(pending.locator("td").nth(2)).to_have_text("3")
        expect(pending.locator("td.code")).to_have_text(code.text_content())  # "123 456", as on the tablet
        pending.get_by_role("button", name="Chọn").click()
        page.fill("#device-name", "<b>Máy đánh giá</b> quầy 3")  # shown as text, never as HTML
        page.click("#approve")
        expect(page.locator("#approve-message")).to_contain_text("Đã ghép nối")
        row = page.locator("#devices tr").first
        expect(row.locator(".name")).to_have_text("<b>Máy đánh giá</b> quầy 3")

        expect(tablet.locator("#pairing")).to_be_hidden(timeout=10000)
        expect(tablet.locator("#idle-counter")).to_have_text("QUẦY SỐ 03")
        expect(row.locator(".connections")).to_have_text("Đang kết nối", timeout=10000)

        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Thu hồi").click()
        expect(row.locator(".status")).to_contain_text("Đã thu hồi")
        # cut off at once: the tablet is back at its pairing notice with a new code, without anyone touching it
        expect(tablet.locator("#pairing")).to_be_visible(timeout=10000)
        expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=10000)
        expect(page.locator("#pending tr")).to_have_count(1, timeout=10000)
    finally:
        tablet_context.close()
        admin_context.close()
