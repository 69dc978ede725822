"""The officer's console at 1366×768 in Debian's chromium against the real server: the next five tickets and what
the counter may call (checked against what Space then calls), parked tickets, a real double press of Enter that
must start and never finish, the transfer dialog (search, open counters first, services by department), the
warning for an officer at another department's counter, and the center's clock in a browser set to another zone.
Each test saves screenshots (tests/screenshots.py)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from contextlib import closing
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.live import SMALL_CENTER, LiveServer
from tests.officer import PASSWORD, Officer, issue
from tests.screenshots import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

CONSOLE = {"width": 1366, "height": 768}


@pytest.fixture
def desk(browser):
    context = browser.new_context(locale="vi-VN", viewport=CONSOLE)
    yield context.new_page()
    context.close()


def officer(server, username) -> Officer:
    person = Officer(server.url, server.database, server.center, username)
    person.set_password()
    return person


def sign_in(page, server, username="an", counter=1):
    page.goto(f"{server.url}/counter")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    page.fill("#signin-username", username)
    page.fill("#signin-password", PASSWORD)
    page.select_option("#signin-counter", str(counter))
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "console")
    expect(page.locator("#counter-status")).to_have_text("Đang làm việc")


def button(page, action):
    return page.locator(f'.actions [data-action="{action}"]')


def ticket_state(server, label) -> str:
    with closing(sqlite3.connect(server.database, timeout=10)) as db:
        return db.execute("SELECT state FROM tickets WHERE label = ? ORDER BY id DESC LIMIT 1", (label,)).fetchone()[0]


def actions_recorded(server, action) -> int:
    with closing(sqlite3.connect(server.database, timeout=10)) as db:
        return db.execute("SELECT count(*) FROM counter_actions WHERE action = ?", (action,)).fetchone()[0]


def send_on(server, counters) -> list[str]:
    """Driving-licence citizens called at counter 3 and sent on, one to each of `counters`; their labels."""
    person = officer(server, "cuong")
    person.sign_in(3)
    labels = []
    for to_counter in counters:
        label = issue(server.url, "lai-xe")["label"]
        assert person.act("call_next")["result"]["label"] == label
        assert person.act("transfer", to_counter=to_counter)["ok"]
        labels.append(label)
    person.close()
    return labels


def test_next_five_are_what_space_then_calls_and_parked_tickets(live_server, desk):
    server = live_server
    officer(server, "an")
    # Counter 1 serves ly-lich and ho-tich. Counter 3 sends one citizen to it and one to counter 2, who waits in
    # ho-tich for counter 2 only: counter 1 must neither count nor list that one.
    mine, theirs = send_on(server, [1, 2])  # waits as ly-lich for counter 1, as ho-tich for counter 2
    issue(server.url, "ly-lich")
    phone = issue(server.url, "ly-lich", channel="phone")["label"]
    elder = issue(server.url, "ho-tich", priority_group="nguoi-cao-tuoi")["label"]
    issue(server.url, "ly-lich")
    issue(server.url, "ho-tich")
    issue(server.url, "ly-lich")
    # "12 minutes ago" for the first citizen: the row counts minutes from the server's arrival time.
    with closing(sqlite3.connect(server.database, timeout=10)) as db, db:
        db.execute("UPDATE tickets SET arrived_at = arrived_at - 720 WHERE label = 'A001' AND state = 'waiting'")

    sign_in(desk, server)
    rows = desk.locator("#next-list .next-row")
    expect(rows).to_have_count(5)
    save_screenshot(desk, "console-1366-next-five")
    shown = rows.evaluate_all("rows => rows.map(r => r.dataset.label)")
    total = int(desk.locator("#waiting-total").inner_text())
    assert theirs not in shown
    row = desk.locator(f'#next-list .next-row[data-label="{phone}"]')
    if row.count():
        expect(row.locator(".tag-channel")).to_have_text("Từ xa")
    expect(desk.locator(f'#next-list .next-row[data-label="{elder}"] .tag-priority')).to_have_text(
        "Ưu tiên · Người cao tuổi")
    expect(desk.locator(f'#next-list .next-row[data-label="{mine}"] .tag-reserved')).to_have_text(
        "Chuyển đến quầy này")
    expect(desk.locator('#next-list .next-row[data-label="A001"] .next-waited')).to_have_text("12 phút")
    expect(desk.locator("#next-list .next-row .tag-channel")).to_have_count(1 if phone in shown else 0)

    # Serve everybody with the keys; park the first citizen. What Space calls is always the list's first row.
    called = []
    while desk.locator("#next-list .next-row").count():
        expected = desk.locator("#next-list .next-row").first.get_attribute("data-label")
        expect(button(desk, "call_next")).to_be_enabled()
        desk.keyboard.press("Space")
        expect(desk.locator("#current-label")).to_have_text(expected)
        channel = desk.locator("#current-channel")
        if expected == phone:  # how the citizen came, on the current ticket too
            expect(channel).to_have_text("Từ xa")
            save_screenshot(desk, "console-1366-remote-ticket")
        else:
            expect(channel).to_be_hidden()
        called.append(expected)
        expect(button(desk, "start")).to_be_enabled()
        desk.keyboard.press("Enter")
        expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")
        expect(button(desk, "park" if len(called) == 1 else "finish")).to_be_enabled()
        desk.keyboard.press("p" if len(called) == 1 else "h")
        expect(desk.locator("#current-ticket")).to_be_hidden()
        if len(called) == 1:
            parked = desk.locator(f'#parked-list .parked-row[data-label="{expected}"]')
            expect(parked.locator(".parked-service")).not_to_be_empty()
            save_screenshot(desk, "console-1366-parked")
        assert len(called) <= total, "Space called more tickets than the console said wait"
    assert called[:5] == shown
    assert len(called) == total  # the count was exactly what this counter could call
    expect(desk.locator("#waiting-total")).to_have_text("0")
    expect(desk.locator("#next-empty")).to_be_visible()
    assert ticket_state(server, theirs) == "waiting"  # still there, for counter 2


def test_a_double_press_of_enter_starts_and_never_finishes(live_server, desk):
    server = live_server
    officer(server, "an")
    label = issue(server.url, "ly-lich")["label"]
    sign_in(desk, server)
    desk.keyboard.press("Space")
    expect(desk.locator("#current-label")).to_have_text(label)
    expect(button(desk, "start")).to_be_enabled()
    desk.keyboard.press("Enter")  # a double press: two key presses as fast as the keyboard sends them
    desk.keyboard.press("Enter")
    expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")
    expect(button(desk, "finish")).to_be_enabled()
    desk.keyboard.press("Enter")  # and once more, after the console has settled: Enter never finishes
    desk.wait_for_timeout(700)    # room for a finish to reach the server, had one been sent
    assert ticket_state(server, label) == "serving"
    assert actions_recorded(server, "finish") == 0
    expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")

    desk.keyboard.press("?")
    help_dialog = desk.locator("#help-dialog")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Enter chỉ dùng để bắt đầu")
    expect(help_dialog).to_contain_text("không bao giờ vừa bắt đầu vừa kết thúc")
    save_screenshot(desk, "console-1366-help-keys")
    desk.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    desk.keyboard.press("h")
    expect(desk.locator("#current-ticket")).to_be_hidden()
    assert ticket_state(server, label) == "done"
    assert actions_recorded(server, "finish") == 1

    # The mouse too: a double click on "Bắt đầu tiếp nhận" starts once and finishes nothing.
    second = issue(server.url, "ly-lich")["label"]
    desk.keyboard.press("Space")
    expect(desk.locator("#current-label")).to_have_text(second)
    expect(button(desk, "start")).to_be_enabled()
    button(desk, "start").dblclick()
    expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")
    desk.wait_for_timeout(700)
    assert ticket_state(server, second) == "serving"
    assert actions_recorded(server, "finish") == 1 and actions_recorded(server, "start") == 2


def test_transfer_dialog_search_open_counters_first_services_by_department(live_server, desk):
    server = live_server
    officer(server, "an")
    cuong = officer(server, "cuong")
    cuong.sign_in(3)                           # open
    binh = officer(server, "binh")
    binh.sign_in(2)
    assert binh.act("pause", reason="Họp")["ok"]  # paused; counter 5 stays closed
    label = issue(server.url, "ly-lich")["label"]
    sign_in(desk, server)
    desk.keyboard.press("Space")
    expect(desk.locator("#current-label")).to_have_text(label)
    desk.keyboard.press("t")
    dialog = desk.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(desk.locator("#transfer-search")).to_be_focused()

    counters = dialog.locator("#transfer-counters .choice")
    expect(counters).to_have_count(3)
    statuses = counters.evaluate_all("cs => cs.map(c => c.dataset.status)")
    assert statuses == ["open", "paused", "closed"]
    assert counters.evaluate_all("cs => cs.map(c => Number(c.dataset.counter))") == [3, 2, 5]

    center = requests.get(f"{server.url}/api/center", timeout=5).json()
    groups = dialog.locator("#transfer-services .choice-group")
    departments = groups.evaluate_all("gs => gs.map(g => g.dataset.department)")
    assert departments == [d["code"] for d in center["departments"]]  # every department, in the center's order
    for department in center["departments"]:
        group = dialog.locator(f'#transfer-services .choice-group[data-department="{department["code"]}"]')
        expect(group.locator(".choice-group-title")).to_have_text(department["name"])
        offered = group.locator(".choice").evaluate_all("cs => cs.map(c => c.dataset.service)")
        assert offered == [s["code"] for s in department["services"] if s["code"] != "ly-lich"]
    save_screenshot(desk, "console-1366-transfer-dialog")

    desk.keyboard.type("ho tich")  # no tone marks, as officers type quickly
    visible = dialog.locator(".choice:visible")
    expect(visible).to_have_count(2)
    assert visible.evaluate_all("cs => cs.map(c => c.dataset.service || 'counter ' + c.dataset.counter)") == [
        "counter 2", "ho-tich"]
    expect(dialog.locator('.choice-group[data-department="SGTVT"]')).to_be_hidden()
    save_screenshot(desk, "console-1366-transfer-search")
    desk.fill("#transfer-search", "khong co gi")
    expect(dialog.locator(".choice:visible")).to_have_count(0)
    expect(desk.locator("#transfer-none")).to_be_visible()
    desk.fill("#transfer-search", "Giấy phép lái")
    expect(dialog.locator('[data-service="lai-xe"]')).to_be_visible()
    dialog.locator('[data-service="lai-xe"]').click()
    expect(dialog).to_be_hidden()
    expect(desk.locator("#message")).to_contain_text("Giấy phép lái xe")
    moved = requests.get(f"{server.url}/api/queue", timeout=5).json()
    assert next(s for s in moved["services"] if s["service_code"] == "lai-xe")["waiting"] == 1
    cuong.close()
    binh.close()


def test_an_officer_at_another_departments_counter_is_warned(live_server, desk):
    server = live_server
    officer(server, "cuong")  # Sở Giao thông vận tải
    sign_in(desk, server, "cuong", 1)  # counter 1 serves Sở Tư pháp
    warning = desk.locator("#department-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Quầy 01 phục vụ lĩnh vực của Sở Tư pháp, không thuộc Sở Giao thông vận tải")
    save_screenshot(desk, "console-1366-department-warning")
    desk.click("#signout")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    sign_in(desk, server, "cuong", 3)  # a counter of the officer's own department: no warning
    expect(desk.locator("#counter-title")).to_contain_text("QUẦY 03")
    expect(warning).to_be_hidden()


def center_in(tmp_path, zone: str):
    """The small test center, in another time zone than Việt Nam's."""
    text = SMALL_CENTER.read_text(encoding="utf-8").replace("[center]\n", f'[center]\ntimezone = "{zone}"\n', 1)
    path = tmp_path / "center.toml"
    path.write_text(text, encoding="utf-8")
    return path


def clock_now(zone: str) -> set[str]:
    """HH:MM in `zone` now and a minute on (the page may draw at the turn of a minute)."""
    now = dt.datetime.now(ZoneInfo(zone))
    return {(now + dt.timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}


def clock_earlier(zone: str) -> set[str]:
    """HH:MM in `zone` in the last two minutes (something that happened while the test was setting up)."""
    now = dt.datetime.now(ZoneInfo(zone))
    return {(now - dt.timedelta(minutes=m)).strftime("%H:%M") for m in (1, 2)}


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Asia/Tokyo"])
def test_console_and_board_write_the_centers_time_not_the_pcs(tmp_path, browser, zone):
    server = LiveServer(tmp_path / "zone.db", center=center_in(tmp_path, zone)).start()
    try:
        for name in ("an", "giamsat"):
            officer(server, name)
        # A complaint rated a moment ago: its time is on the board's alert and in the feedback inbox.
        binh = officer(server, "binh")
        binh.sign_in(2)
        ticket = issue(server.url, "ho-tich")
        for action in ("call_next", "start", "finish"):
            assert binh.act(action)["ok"]
        assert requests.post(f"{server.url}/api/tickets/{ticket['token']}/rating", json={"level": 3},
                             timeout=10).status_code == 201
        binh.close()
        pc_zone = "America/New_York"  # a PC left on another zone: never the center's (UTC−5 or −4 vs +7, +9)
        context = browser.new_context(locale="vi-VN", viewport=CONSOLE, timezone_id=pc_zone)
        page = context.new_page()
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == pc_zone
        sign_in(page, server)
        expect(page.locator("#clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        assert page.locator("#clock").inner_text() in clock_now(zone)
        assert page.locator("#clock").inner_text() not in clock_now(pc_zone)
        save_screenshot(page, f"console-1366-clock-{zone.replace('/', '-')}")

        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{server.url}/admin/live")
        page.fill("#username", "giamsat")
        page.fill("#password", PASSWORD)
        page.click("#signin-submit")
        updated = page.locator("#overview-time")
        expect(updated).to_have_text(re.compile(r"^Cập nhật lúc \d\d:\d\d:\d\d$"))
        assert updated.inner_text()[len("Cập nhật lúc "):][:5] in clock_now(zone)
        alert_time = page.locator("#alerts .alert .alert-time")
        expect(alert_time).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
        assert alert_time.inner_text()[:5] in clock_now(zone) | clock_earlier(zone)
        save_screenshot(page, f"board-1920-clock-{zone.replace('/', '-')}")

        page.goto(f"{server.url}/admin/feedback")  # the same session: the inbox, on the center's clock too
        item_time = page.locator(".item-time").first
        expect(item_time).to_have_text(re.compile(r"^\d\d:\d\d \d\d/\d\d/\d{4}$"))
        assert item_time.inner_text()[:5] in clock_now(zone) | clock_earlier(zone)
        context.close()
    finally:
        server.stop()
