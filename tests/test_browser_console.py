"""The officer's counter console (/counter) in Debian's chromium against the real server process.

Covers sign-in through the form, the keyboard shortcuts, a reload in the middle of a service, a double click that
must call one citizen only, the transfer and pause dialogs, a refused sign-in, and an action resent with the same
action id after the server comes back or after a reload that followed a lost answer.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests
import socketio

from tests.officer import store_password

pytestmark = pytest.mark.browser

PASSWORD = "matkhau1"


@pytest.fixture
def server(live_server):
    """The live server with a password for officer "an" (counter 1: ly-lich A, ho-tich B), set as the CLI sets it
    (tests/officer.py store_password; the command line itself is tested in test_sessions_live.py)."""
    store_password(live_server.database, live_server.center, "an", PASSWORD)
    return live_server


@pytest.fixture
def desk(page):
    """The console at an officer's usual desktop size."""
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def issue(server, service="ly-lich") -> dict:
    response = requests.post(f"{server.url}/api/tickets", json={"service_code": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def queue(server) -> dict:
    return requests.get(f"{server.url}/api/queue", timeout=5).json()


def waiting(server, service="ly-lich") -> int:
    return next(s["waiting"] for s in queue(server)["services"] if s["service_code"] == service)


def counter(server, number=1) -> dict:
    return next(c for c in queue(server)["counters"] if c["number"] == number)


def recorded_actions(server, action: str) -> list[str]:
    """Action ids the server applied (or refused) for one action name, from its database."""
    with sqlite3.connect(server.database) as db:
        return [row[0] for row in db.execute("SELECT action_id FROM counter_actions WHERE action = ? ORDER BY at",
                                             (action,))]


def button(page, action):
    return page.locator(f'.actions [data-action="{action}"]')


def fill_sign_in(page, server, username="an", password=PASSWORD, counter_number=1, load=True):
    if load:
        page.goto(f"{server.url}/counter")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    page.fill("#signin-username", username)
    page.fill("#signin-password", password)
    page.select_option("#signin-counter", str(counter_number))  # waits for the options to load
    page.click("#signin-submit")


def sign_in(page, server):
    fill_sign_in(page, server)
    console_ready(page)


def console_ready(page):
    expect(page.locator("body")).to_have_attribute("data-view", "console")
    expect(page.locator("#counter-title")).to_have_text("QUẦY 01 – Nguyễn Văn An")
    expect(page.locator("#counter-status")).to_have_text("Đang làm việc")


def call_first(page):
    """Space calls the next citizen; returns once the console shows A001 and the buttons are back."""
    expect(button(page, "call_next")).to_be_enabled()
    page.keyboard.press("Space")
    expect(page.locator("#current-label")).to_have_text("A001")
    expect(page.locator("#current-state")).to_have_text("Đã gọi")
    expect(button(page, "start")).to_be_enabled()


def test_sign_in_then_call_start_and_finish_with_the_keyboard(server, desk):
    issue(server)
    sign_in(desk, server)
    expect(desk.locator("#waiting-total")).to_have_text("1")
    call_first(desk)
    expect(button(desk, "call_next")).to_be_disabled()  # a ticket is active
    expect(button(desk, "no_show")).to_be_enabled()      # only while called
    desk.keyboard.press("Enter")
    expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")
    expect(desk.locator("#elapsed-caption")).to_have_text("Thời gian phục vụ")
    expect(button(desk, "no_show")).to_be_disabled()
    expect(button(desk, "finish")).to_be_enabled()
    desk.keyboard.press("h")  # finish has its own key: Enter only starts
    expect(desk.locator("#current-ticket")).to_be_hidden()
    expect(desk.locator("#served-today")).to_have_text("1")
    assert counter(server)["current"] is None


def test_a_reload_in_the_middle_of_a_service_keeps_the_ticket(server, desk):
    issue(server)
    sign_in(desk, server)
    call_first(desk)
    desk.keyboard.press("Enter")
    expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")
    desk.reload()
    console_ready(desk)  # no sign-in form: the session cookie and the server's state are enough
    expect(desk.locator("#current-label")).to_have_text("A001")
    expect(desk.locator("#current-state")).to_have_text("Đang phục vụ")
    expect(desk.locator("#current-service")).to_have_text("Lý lịch tư pháp")
    expect(button(desk, "finish")).to_be_enabled()


def test_a_double_click_calls_one_citizen(server, desk):
    issue(server)
    issue(server)
    sign_in(desk, server)
    expect(button(desk, "call_next")).to_be_enabled()
    button(desk, "call_next").dblclick()
    expect(desk.locator("#current-label")).to_have_text("A001")
    expect(button(desk, "start")).to_be_enabled()
    desk.wait_for_timeout(500)  # room for a second call to arrive, if one had been sent
    assert counter(server)["current"]["label"] == "A001"
    assert waiting(server) == 1  # A002 still waits
    assert len(recorded_actions(server, "call_next")) == 1  # the second click sent nothing at all
    expect(desk.locator("#message")).not_to_contain_text("hãy hoàn thành trước")


def test_transfer_to_another_service_through_the_dialog(server, desk):
    ticket = issue(server)
    sign_in(desk, server)
    call_first(desk)
    desk.keyboard.press("t")
    dialog = desk.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(desk.locator("#transfer-label")).to_have_text("A001")
    expect(dialog.locator('[data-service="ly-lich"]')).to_have_count(0)  # its own service is not offered
    desk.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    button(desk, "transfer").click()
    expect(dialog).to_be_visible()
    dialog.locator('[data-service="lai-xe"]').click()
    expect(dialog).to_be_hidden()
    expect(desk.locator("#current-ticket")).to_be_hidden()
    expect(desk.locator("#message")).to_contain_text("Giấy phép lái xe")
    moved = requests.get(f"{server.url}/api/tickets/{ticket['token']}", timeout=5).json()
    assert moved["service_code"] == "lai-xe" and moved["state"] == "waiting" and moved["label"] == "A001"
    assert counter(server)["current"] is None


def test_pause_with_a_reason_then_resume(server, desk):
    issue(server)
    sign_in(desk, server)
    expect(button(desk, "pause")).to_be_enabled()
    desk.keyboard.press("z")
    dialog = desk.locator("#pause-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-reason]")).to_have_text(["Nghỉ giải lao", "Họp", "Hỗ trợ công dân", "Lý do khác"])
    dialog.locator('[data-reason="Họp"]').click()
    expect(desk.locator("#counter-status")).to_have_text("Tạm dừng – Họp")
    expect(button(desk, "call_next")).to_be_disabled()
    expect(button(desk, "pause")).to_contain_text("Tiếp tục")
    state = counter(server)
    assert state["status"] == "paused" and state["pause_reason"] == "Họp"
    desk.keyboard.press("Space")  # nothing: the button is off while paused
    expect(button(desk, "pause")).to_be_enabled()
    desk.keyboard.press("z")
    expect(desk.locator("#counter-status")).to_have_text("Đang làm việc")
    expect(button(desk, "call_next")).to_be_enabled()
    assert counter(server)["status"] == "open" and counter(server)["current"] is None


def test_a_wrong_password_shows_the_servers_message(server, desk):
    fill_sign_in(desk, server, password="sai-mat-khau")
    expect(desk.locator("#signin-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    assert counter(server)["status"] == "closed"


def test_sign_out_is_refused_mid_service_then_closes_the_counter(server, desk):
    issue(server)
    sign_in(desk, server)
    call_first(desk)
    desk.click("#signout")
    expect(desk.locator("#message")).to_have_text("Quầy đang phục vụ một số; hãy hoàn thành trước khi đóng quầy.")
    expect(desk.locator("body")).to_have_attribute("data-view", "console")
    desk.keyboard.press("Enter")
    expect(button(desk, "finish")).to_be_enabled()
    desk.keyboard.press("h")
    expect(desk.locator("#current-ticket")).to_be_hidden()
    expect(desk.locator("#signout")).to_be_enabled()
    desk.click("#signout")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    assert counter(server)["status"] == "closed"
    fill_sign_in(desk, server, load=False)  # same page, new session: the console opens a fresh socket
    console_ready(desk)
    expect(desk.locator("#served-today")).to_have_text("1")
    expect(button(desk, "call_next")).to_be_enabled()


def test_shortcuts_do_not_fire_while_typing(server, desk):
    issue(server)
    sign_in(desk, server)
    desk.keyboard.press("g")
    expect(desk.locator("#call-dialog")).to_be_visible()
    desk.keyboard.type("zsprt ")  # shortcut letters and a space typed in the input do nothing else
    desk.wait_for_timeout(300)
    expect(desk.locator("#call-dialog")).to_be_visible()
    assert counter(server)["current"] is None and counter(server)["status"] == "open"
    desk.fill("#call-label", "a1")  # short for A001
    desk.keyboard.press("Enter")  # submits the dialog: call this number
    expect(desk.locator("#current-label")).to_have_text("A001")


def test_an_action_made_while_the_server_is_down_is_sent_once_after_it_returns(server, desk):
    issue(server)
    issue(server)
    sign_in(desk, server)
    expect(button(desk, "call_next")).to_be_enabled()
    server.stop()
    expect(desk.locator("#offline")).to_be_visible()
    button(desk, "call_next").click()
    expect(desk.locator("#message")).to_contain_text("tự gửi lại")
    pending = json.loads(desk.evaluate("sessionStorage.getItem('hangdoi.console.pending')"))
    assert pending["action"] == "call_next"
    server.start()  # same port, same database
    expect(desk.locator("#offline")).to_be_hidden(timeout=20_000)
    expect(desk.locator("#current-label")).to_have_text("A001")
    assert desk.evaluate("sessionStorage.getItem('hangdoi.console.pending')") is None
    assert recorded_actions(server, "call_next") == [pending["id"]]  # the very id chosen at the click
    assert counter(server)["current"]["label"] == "A001" and waiting(server) == 1


def test_a_reload_resends_an_action_whose_answer_was_lost(server, desk):
    """The server applied the call, the answer never came back, the officer reloads: the same id goes again and
    gets the first answer back, so the second citizen is not called."""
    issue(server)
    issue(server)
    sign_in(desk, server)
    action_id = "lost-answer-0001"
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in desk.context.cookies())
    other = socketio.SimpleClient()
    other.connect(server.url, headers={"Cookie": cookies}, transports=["websocket"])
    try:  # the same officer's session applies the action; its answer is "lost" (the page never sees it)
        reply = other.call("counter_action", {"action_id": action_id, "action": "call_next", "params": {}})
    finally:
        other.disconnect()
    assert reply["ok"] and reply["result"]["label"] == "A001"
    entry = {"id": action_id, "action": "call_next", "params": {}, "counter": 1, "officer": "an"}
    desk.evaluate("entry => sessionStorage.setItem('hangdoi.console.pending', JSON.stringify(entry))", entry)
    desk.reload()
    console_ready(desk)
    expect(desk.locator("#current-label")).to_have_text("A001")
    expect(desk.locator("#message")).to_have_text("Đã gọi số A001.")  # the replayed first answer
    expect(button(desk, "start")).to_be_enabled()
    assert desk.evaluate("sessionStorage.getItem('hangdoi.console.pending')") is None
    assert recorded_actions(server, "call_next") == [action_id]
    assert waiting(server) == 1
