"""The lobby TV and the officer's console in chromium against the real server: a remote number (lấy số từ xa)
checked in at the kiosk appears among the next numbers of the TV's waiting panel and of the console's next five at
once, from its `ticket_checked_in` event alone (no other event happens; display_ui/display.js asks for `upcoming`
again on it, counter_ui/console.js for `console_state`)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from server.core import booking_codes
from tests.csrf import CsrfSession
from tests.officer import issue
from tests.screenshots import save_screenshot
from tests.test_browser_console_queue import officer, sign_in
from tests.test_preview_events_live import POLICY, server  # noqa: F401 (the fixture: a center with remote numbers)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def remote_number(server, phone: str):
    """A remote number (lấy số từ xa) of ly-lich taken from a phone: the phone's HTTP session and the answer."""
    http = CsrfSession()
    return http, http.post(server.url + "/api/remote-tickets", timeout=10, json={
        "service_code": "ly-lich", "name": "Lý Từ Xa", "phone": phone}).json()


def test_the_lobby_shows_a_remote_number_right_after_its_check_in(server, browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        http, remote = remote_number(server, "0988 123 456")
        walk_in = issue(server.url, "ly-lich")["label"]
        page.goto(f"{server.url}/display?voice=off")
        page.wait_for_selector("body[data-seq]", state="attached")
        row = page.locator('#waiting [data-service="ly-lich"]')
        expect(row.locator(".waiting-count")).to_have_text("2")
        expect(row.locator(".waiting-next")).to_have_text(walk_in)  # held: not among the next numbers
        seq = int(page.evaluate("document.body.dataset.seq"))
        answer = http.post(server.url + "/api/checkin", timeout=10,
                           json={"code": booking_codes.shown(remote["code"])})
        assert answer.status_code == 201
        expect(row.locator(".waiting-ticket")).to_have_text([remote["ticket_label"], walk_in])
        assert int(page.evaluate("document.body.dataset.seq")) == seq + 1  # the check-in's event, nothing else
        save_screenshot(page, "display-remote-checked-in")
    finally:
        context.close()


def test_the_console_lists_a_remote_number_right_after_its_check_in(server, browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    desk = context.new_page()
    try:
        officer(server, "an")
        http, remote = remote_number(server, "0988 123 457")
        walk_in = issue(server.url, "ly-lich")["label"]
        sign_in(desk, server)  # counter 1 serves ly-lich
        rows = desk.locator("#next-list .next-row")
        expect(rows).to_have_count(1)
        assert rows.first.get_attribute("data-label") == walk_in  # held: not callable yet
        answer = http.post(server.url + "/api/checkin", timeout=10,
                           json={"code": booking_codes.shown(remote["code"])})
        assert answer.status_code == 201
        expect(rows).to_have_count(2)
        assert rows.evaluate_all("rows => rows.map(r => r.dataset.label)") == [remote["ticket_label"], walk_in]
        save_screenshot(desk, "console-remote-checked-in")
    finally:
        context.close()


@pytest.fixture
def clocked(tmp_path):
    """The app (threading mode) served over HTTP in this process with a clock the test moves: a booked slot starts
    when the test says, and the minute job (`Appointments.settle`) runs when the test calls it."""
    from werkzeug.serving import make_server

    from tests.conftest import FakeClock, app_over
    from tests.live import free_port
    from tests.officer import store_password

    with app_over(tmp_path, POLICY, name="clocked") as app:
        rt = app.extensions["hangdoi"]
        clock = rt.queue.clock = FakeClock()  # the appointments read the queue's clock
        port = free_port()
        http = make_server("127.0.0.1", port, app, threaded=True)
        serving = threading.Thread(target=http.serve_forever, daemon=True)
        serving.start()
        store_password(tmp_path / "clocked.db", tmp_path / "clocked.toml", "an")
        try:
            yield rt, clock, f"http://127.0.0.1:{port}"
        finally:
            http.shutdown()
            serving.join(10)


def test_a_booked_slot_starting_reorders_the_lobby_and_the_console(clocked, browser):
    rt, clock, url = clocked
    today = rt.center.local_date(clock())
    made = rt.appointments.book("ly-lich", today, "08:30", "Hẹn Giờ", "0977000777", "10.0.0.7")
    walk_in = rt.queue.issue("ly-lich").result["label"]
    booked = rt.appointments.check_in(code=made["code"])["ticket"]["label"]  # 08:00: early, held until 08:30
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    try:
        tv, desk = context.new_page(), context.new_page()
        tv.goto(f"{url}/display?voice=off")
        tv.wait_for_selector("body[data-seq]", state="attached")
        panel = tv.locator('#waiting [data-service="ly-lich"] .waiting-ticket')
        expect(panel).to_have_text([walk_in])
        sign_in(desk, SimpleNamespace(url=url))  # counter 1 serves ly-lich
        rows = desk.locator("#next-list .next-row")
        expect(rows).to_have_count(1)
        seq = int(tv.evaluate("document.body.dataset.seq"))
        clock.advance(minutes=30)  # 08:30: the slot begins; the screens cannot know until the job says so
        assert rt.appointments.settle()["bookings_due"] == 1
        expect(panel).to_have_text([booked, walk_in])
        expect(rows).to_have_count(2)
        assert rows.evaluate_all("rows => rows.map(r => r.dataset.label)") == [booked, walk_in]
        assert int(tv.evaluate("document.body.dataset.seq")) == seq + 1  # bookings_due, nothing else
        save_screenshot(tv, "display-bookings-due")
    finally:
        context.close()


def test_the_phone_of_a_remote_number_drops_the_check_in_note_at_once(server, browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        http, remote = remote_number(server, "0988 123 458")
        phone.goto(server.url + remote["ticket_url"])
        expect(phone.locator("#remote-note")).to_be_visible()  # how to check in, while held
        answer = http.post(server.url + "/api/checkin", timeout=10, json={"token": remote["token"]})
        assert answer.status_code == 201
        expect(phone.locator("#remote-note")).to_be_hidden()  # from its ticket_event, no reload
        save_screenshot(phone, "ticket-remote-checked-in")
    finally:
        context.close()
