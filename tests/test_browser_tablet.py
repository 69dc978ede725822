"""The counter's rating tablet and the supervisors' live page, end to end in chromium against the real server."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.csrf import browser_token
from tests.live import SMALL_CENTER, LiveServer
from tests.officer import PASSWORD, Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]

TABLET = {"width": 1280, "height": 800}
QUESTION = "Ông/Bà đánh giá như thế nào về thái độ công chức khi tiếp nhận và hướng dẫn giải quyết hồ sơ?"
THANKS = "Trân trọng cảm ơn Ông/Bà đã đánh giá!"
OUTBOX = "JSON.parse(localStorage.getItem('hangdoi.tablet.outbox') || '[]')"
DRAFT = "JSON.parse(localStorage.getItem('hangdoi.tablet.draft.1'))"


def wait_until(check, timeout=15.0, message="condition"):
    """Poll a condition outside the page (the database, localStorage) until it holds; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.1)


def ratings(live_server) -> list[dict]:
    """Every stored rating, read from the live server's SQLite file without writing to it."""
    conn = sqlite3.connect(f"file:{live_server.database}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(
            "SELECT r.level, r.level_name, r.reasons, r.comment, r.client_id, r.channel, r.sent_on_timeout, t.label"
            " FROM ratings r JOIN tickets t ON t.id = r.ticket_id ORDER BY r.id")]
    finally:
        conn.close()


@pytest.fixture
def officer(live_server):
    """Nguyễn Văn An at counter 1; the supervisor's password is set alongside (the commands overlap)."""
    an = Officer(live_server.url, live_server.database, live_server.center, "an").start_password()
    supervisor = Officer(live_server.url, live_server.database, live_server.center, "giamsat").start_password()
    supervisor.set_password()
    an.sign_in(1)
    yield an
    an.close()
    supervisor.close()


def open_tablet(page, live_server, counter=1, query=""):
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}/tablet/{counter}{query}")
    expect(page.locator("#idle-counter")).to_have_text(f"QUẦY SỐ {counter:02d}")
    return page


def screen(page, name):
    return page.locator(f".screen[data-screen='{name}']")


def act(officer, action, **params):
    reply = officer.act(action, **params)
    assert reply["ok"], reply
    return reply["result"]


def serve(live_server, officer, *actions):
    """A citizen takes a number and the officer serves it (by default: call, start, finish); returns its label."""
    label = issue(live_server.url, "ly-lich")["label"]
    for action in actions or ("call_next", "start", "finish"):
        act(officer, action)
    return label


def level(page, name):
    """A level button by its exact words ("Hài lòng" is also part of "Rất hài lòng")."""
    return page.locator(".level").filter(has=page.get_by_text(name, exact=True))


def test_idle_service_and_quick_rating(live_server, officer, page):
    open_tablet(page, live_server)
    expect(page.locator("#idle-officer")).to_have_text("Công chức: Nguyễn Văn An")

    label = serve(live_server, officer, "call_next", "start")
    assert label == "A001"
    expect(page.locator("#idle-serving")).to_have_text("Đang phục vụ số A001")

    act(officer, "finish")
    expect(screen(page, "rating")).to_be_visible()
    expect(page.locator(".rating-question")).to_have_text(QUESTION)
    expect(page.locator("#rating-ticket")).to_have_text("Số thứ tự: A001")
    expect(page.locator(".level-name")).to_have_text(["Rất hài lòng", "Hài lòng", "Không hài lòng"])

    level(page, "Rất hài lòng").click()
    expect(page.locator(".thanks-text")).to_have_text(THANKS)
    [stored] = wait_until(lambda: ratings(live_server), message="the rating in the database")
    assert (stored["label"], stored["level"], stored["level_name"], stored["channel"], stored["reasons"]) == \
        ("A001", 1, "Rất hài lòng", "tablet", "[]")
    again = requests.post(f"{live_server.url}/api/ratings", timeout=10, json={
        "client_id": "test-other-tablet-1", "counter": 1, "label": "A001", "level": 2})
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    expect(screen(page, "idle")).to_be_visible(timeout=10000)  # the thank-you leaves by itself
    expect(page.locator("#badge")).to_be_hidden()

    # The next citizen is called while the rating screen still waits: it gives way at once.
    serve(live_server, officer)
    expect(page.locator("#rating-ticket")).to_have_text("Số thứ tự: A002")
    issue(live_server.url, "ly-lich")
    act(officer, "call_next")
    expect(page.locator("#idle-serving")).to_have_text("Đang phục vụ số A003")
    assert len(ratings(live_server)) == 1


def test_closed_counter(shared_server, page):
    open_tablet(page, shared_server, counter=2)
    expect(page.locator("#idle-status")).to_have_text("Quầy chưa mở")
    expect(page.locator("#idle-officer")).to_be_hidden()


def test_dissatisfied_with_reasons_comment_and_supervisor_alert(live_server, officer, page, browser):
    supervisor_context = browser.new_context(locale="vi-VN", viewport=TABLET)
    supervisor = supervisor_context.new_page()
    try:
        supervisor.goto(f"{live_server.url}/admin/live")
        supervisor.fill("#username", "giamsat")
        supervisor.fill("#password", "sai-mat-khau")
        supervisor.click("#signin-submit")
        expect(supervisor.locator("#signin-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
        supervisor.fill("#password", PASSWORD)
        supervisor.click("#signin-submit")
        expect(supervisor.locator("#user-name")).to_have_text("Phạm Thị Giám Sát")
        row = supervisor.locator("#counters [data-counter='1']")
        expect(row).to_contain_text("Nguyễn Văn An")
        expect(row.locator(".status")).to_have_text("Đang mở")

        open_tablet(page, live_server)
        serve(live_server, officer, "call_next", "start")
        expect(row.locator(".current-label")).to_have_text("A001")
        act(officer, "finish")
        expect(row.locator(".counter-current")).to_have_text("—")

        level(page, "Không hài lòng").click()
        expect(screen(page, "reasons")).to_be_visible()
        page.locator(".reason", has_text="Thời gian chờ lâu").click()
        page.locator(".reason", has_text="Hướng dẫn chưa rõ ràng, đầy đủ").click()
        expect(page.locator(".reason[aria-pressed='true']")).to_have_count(2)
        page.locator("#comment").click()
        expect(page.locator("#keyboard")).to_be_visible()
        for key in ("c", "h", "ơ", "huyền", "space", "l", "â", "u"):
            page.locator(f".key[data-key='{key}']").click()
        expect(page.locator("#comment")).to_have_value("chờ lâu")
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator(".thanks-text")).to_have_text(THANKS)

        [stored] = wait_until(lambda: ratings(live_server), message="the rating in the database")
        assert json.loads(stored["reasons"]) == ["Hướng dẫn chưa rõ ràng, đầy đủ", "Thời gian chờ lâu"]
        assert (stored["comment"], stored["level_name"]) == ("chờ lâu", "Không hài lòng")

        alert = supervisor.locator("#alerts .alert").first
        expect(alert).to_have_class("alert alert-new")
        expect(alert.locator(".alert-who")).to_contain_text("Quầy 01")
        expect(alert.locator(".alert-officer")).to_have_text("Nguyễn Văn An")
        expect(alert.locator(".alert-ticket")).to_have_text("Số A001")
        expect(alert.locator(".alert-level")).to_have_text("Không hài lòng")
        expect(alert.locator(".alert-reason")).to_have_text(["Hướng dẫn chưa rõ ràng, đầy đủ", "Thời gian chờ lâu"])
        expect(alert.locator(".alert-comment-text")).to_have_text("chờ lâu")
        alert.click()  # seen
        expect(alert).to_have_class("alert")

        supervisor.get_by_role("button", name="Đăng xuất").click()
        expect(supervisor.locator("#signin-form")).to_be_visible()
        assert supervisor.request.get(f"{live_server.url}/api/session").json()["officer"] is None
        expect(supervisor.locator("#alerts .alert")).to_have_count(0)
    finally:
        supervisor_context.close()


def test_supervisor_already_signed_in_skips_the_form(live_server, officer, browser):
    context = browser.new_context(locale="vi-VN", viewport=TABLET)
    try:
        page = context.new_page()
        response = page.request.post(f"{live_server.url}/api/session",
                                     data={"username": "giamsat", "password": PASSWORD},
                                     headers=browser_token(context, live_server.url))
        assert response.ok
        page.goto(f"{live_server.url}/admin/live")
        expect(page.locator("#board")).to_be_visible()
        expect(page.locator("#signin")).to_be_hidden()
        act(officer, "pause", reason="Họp giao ban")
        row = page.locator("#counters [data-counter='1']")
        expect(row.locator(".status")).to_have_text("Tạm dừng")
        expect(row.locator(".pause-reason")).to_have_text("Họp giao ban")
    finally:
        context.close()


def test_untouched_rating_returns_to_idle_and_stores_nothing(live_server, officer, page):
    open_tablet(page, live_server, query="?timeout=2")
    serve(live_server, officer)
    expect(screen(page, "rating")).to_be_visible()
    expect(screen(page, "idle")).to_be_visible(timeout=10000)

    serve(live_server, officer)  # "Quay lại" takes the level back: the level screen shows nothing chosen
    level(page, "Không hài lòng").click()
    expect(screen(page, "reasons")).to_be_visible()
    page.get_by_role("button", name="Quay lại").click()
    expect(screen(page, "rating")).to_be_visible()
    expect(screen(page, "idle")).to_be_visible(timeout=10000)

    assert page.evaluate(OUTBOX) == [] and page.evaluate(DRAFT) is None
    assert ratings(live_server) == []
    # Both services can still be rated (by phone, for instance): nothing was recorded for them.
    reply = requests.post(f"{live_server.url}/api/ratings", timeout=10, json={
        "client_id": "test-late-tablet-1", "counter": 1, "label": "A002", "level": 1})
    assert reply.status_code == 201


def test_a_complaint_left_on_timeout_is_sent_once(live_server, officer, page):
    open_tablet(page, live_server, query="?timeout=2")
    serve(live_server, officer)
    level(page, "Không hài lòng").click()
    page.locator(".reason", has_text="Thời gian chờ lâu").click()
    draft = page.evaluate(DRAFT)
    assert (draft["label"], draft["level"], draft["reasons"]) == ("A001", 3, ["Thời gian chờ lâu"])
    # The citizen walks away: the choice goes as it stands, and the tablet returns to idle (no thanks to nobody).
    expect(screen(page, "idle")).to_be_visible(timeout=10000)
    [stored] = wait_until(lambda: ratings(live_server), message="the rating left on timeout")
    assert (stored["label"], stored["level_name"], json.loads(stored["reasons"]), stored["sent_on_timeout"]) == \
        ("A001", "Không hài lòng", ["Thời gian chờ lâu"], 1)
    assert stored["client_id"] == draft["client_id"]  # the id it got when the level was tapped
    wait_until(lambda: page.evaluate(OUTBOX) == [], message="the outbox emptied")
    assert page.evaluate(DRAFT) is None
    again = requests.post(f"{live_server.url}/api/ratings", timeout=10, json={
        "client_id": draft["client_id"], "counter": 1, "label": "A001", "level": 3, "timed_out": True,
        "reasons": ["Thời gian chờ lâu"]})
    assert again.status_code == 200 and again.json()["duplicate"] and again.json()["sent_on_timeout"]
    assert len(ratings(live_server)) == 1


def test_the_next_call_sends_the_choice_for_the_service_it_was_made_for(live_server, officer, page):
    open_tablet(page, live_server)  # the usual 30 s: the call comes first
    serve(live_server, officer)
    level(page, "Không hài lòng").click()
    page.locator(".reason", has_text="Phải đi lại nhiều lần").click()
    page.locator("#comment").click()
    for key in ("l", "â", "u"):
        page.locator(f".key[data-key='{key}']").click()
    issue(live_server.url, "ly-lich")
    act(officer, "call_next")  # A002 is called while A001's complaint waits for "Gửi đánh giá"
    expect(page.locator("#idle-serving")).to_have_text("Đang phục vụ số A002")
    [stored] = wait_until(lambda: ratings(live_server), message="A001's complaint")
    assert (stored["label"], stored["level_name"], json.loads(stored["reasons"]), stored["comment"],
            stored["sent_on_timeout"]) == ("A001", "Không hài lòng", ["Phải đi lại nhiều lần"], "lâu", 1)
    act(officer, "start")
    act(officer, "finish")  # then A002 is offered as usual, with nothing chosen
    expect(page.locator("#rating-ticket")).to_have_text("Số thứ tự: A002")
    assert page.evaluate(DRAFT) is None
    level(page, "Hài lòng").click()
    wait_until(lambda: len(ratings(live_server)) == 2, message="A002's rating")
    assert [(r["label"], r["sent_on_timeout"]) for r in ratings(live_server)] == [("A001", 1), ("A002", 0)]


def test_a_choice_left_offline_goes_once_when_back(live_server, officer, page):
    open_tablet(page, live_server, query="?timeout=2")
    serve(live_server, officer)
    expect(screen(page, "rating")).to_be_visible()
    page.context.set_offline(True)
    expect(page.locator("#badge")).to_contain_text("Mất kết nối")
    level(page, "Không hài lòng").click()
    expect(screen(page, "idle")).to_be_visible(timeout=10000)
    expect(page.locator("#badge")).to_contain_text("Chưa gửi: 1")
    [kept] = page.evaluate(OUTBOX)
    assert (kept["label"], kept["level"], kept["reasons"], kept["timed_out"]) == ("A001", 3, [], True)
    page.route("**/socket.io/**", lambda route: route.abort())  # the page loads, the live connection does not
    page.context.set_offline(False)
    page.reload()  # kept across a reload, and its id with it
    expect(page.locator("#badge")).to_contain_text("Chưa gửi: 1")
    assert ratings(live_server) == []
    page.unroute("**/socket.io/**")
    wait_until(lambda: page.evaluate(OUTBOX) == [], message="the kept choice delivered")
    [stored] = ratings(live_server)
    assert (stored["client_id"], stored["sent_on_timeout"], stored["level_name"]) == \
        (kept["client_id"], 1, "Không hài lòng")


def test_a_choice_interrupted_by_a_reload_is_sent_on_the_next_start(live_server, officer, page):
    open_tablet(page, live_server)
    serve(live_server, officer)
    level(page, "Không hài lòng").click()
    page.locator(".reason", has_text="Thời gian chờ lâu").click()
    draft = page.evaluate(DRAFT)
    page.reload()  # a power cut: the citizen has gone, and what they chose is a rating
    [stored] = wait_until(lambda: ratings(live_server), message="the recovered choice")
    assert (stored["client_id"], stored["sent_on_timeout"], json.loads(stored["reasons"])) == \
        (draft["client_id"], 1, ["Thời gian chờ lâu"])
    wait_until(lambda: page.evaluate(OUTBOX) == [], message="the outbox emptied")
    expect(screen(page, "idle")).to_be_visible()


@pytest.fixture
def strict_server(tmp_path):
    """The real server over a center whose `[rating]` says `reason_required = true`."""
    center = tmp_path / "strict.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + "\n[rating]\nreason_required = true\n",
                      encoding="utf-8")
    server = LiveServer(tmp_path / "strict.db", center=center).start()
    yield server
    server.stop()


def test_reason_required_keeps_the_citizen_on_the_reasons_until_one_is_picked(strict_server, page):
    an = Officer(strict_server.url, strict_server.database, strict_server.center, "an").start_password()
    an.sign_in(1)
    try:
        open_tablet(page, strict_server, query="?timeout=3")
        serve(strict_server, an)
        level(page, "Không hài lòng").click()
        expect(page.locator("#reasons-help")).to_have_text("Vui lòng chọn ít nhất một lý do (có thể chọn nhiều)")
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator("#reasons-error")).to_be_visible()
        expect(screen(page, "reasons")).to_be_visible()
        assert page.evaluate(OUTBOX) == []
        page.locator(".reason", has_text="Ý kiến khác").click()
        expect(page.locator("#reasons-error")).to_be_hidden()
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator(".thanks-text")).to_have_text(THANKS)
        [stored] = wait_until(lambda: ratings(strict_server), message="the complaint with its reason")
        assert (json.loads(stored["reasons"]), stored["sent_on_timeout"]) == (["Ý kiến khác"], 0)

        serve(strict_server, an)  # without a reason and left: still kept, never lost
        level(page, "Không hài lòng").click()
        expect(screen(page, "idle")).to_be_visible(timeout=10000)
        wait_until(lambda: len(ratings(strict_server)) == 2, message="the complaint left without a reason")
        assert (ratings(strict_server)[1]["reasons"], ratings(strict_server)[1]["sent_on_timeout"]) == ("[]", 1)
    finally:
        an.close()


def test_offline_ratings_are_kept_and_delivered_once(live_server, officer, page):
    context = page.context
    open_tablet(page, live_server)
    badge = page.locator("#badge")

    def finish_next(label):
        serve(live_server, officer)
        expect(page.locator("#rating-ticket")).to_have_text(f"Số thứ tự: {label}")
        expect(screen(page, "rating")).to_be_visible()

    def go_offline():
        context.set_offline(True)
        expect(badge).to_contain_text("Mất kết nối")

    # 1. Rated while offline: the citizen is thanked, the rating waits, and leaves once back online.
    finish_next("A001")
    go_offline()
    level(page, "Rất hài lòng").click()
    expect(page.locator(".thanks-text")).to_have_text(THANKS)
    expect(badge).to_contain_text("Chưa gửi: 1")
    [first] = page.evaluate(OUTBOX)
    assert (first["label"], first["level"], first["counter"]) == ("A001", 1, 1)
    assert first["service_date"] and ratings(live_server) == []
    context.set_offline(False)
    wait_until(lambda: len(ratings(live_server)) == 1, message="the first rating delivered")
    expect(badge).to_be_hidden(timeout=10000)

    # 2. Rated offline, then the page is reloaded before the server is reachable again: the outbox survives.
    finish_next("A002")
    go_offline()
    level(page, "Không hài lòng").click()
    page.locator(".reason", has_text="Phải đi lại nhiều lần").click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".thanks-text")).to_have_text(THANKS)
    page.route("**/socket.io/**", lambda route: route.abort())  # pages load, the live connection does not
    context.set_offline(False)
    page.reload()
    expect(badge).to_contain_text("Chưa gửi: 1")
    expect(screen(page, "idle")).to_be_visible()
    assert len(ratings(live_server)) == 1
    page.unroute("**/socket.io/**")
    wait_until(lambda: len(ratings(live_server)) == 2, message="the second rating delivered after the reload")
    expect(badge).to_be_hidden(timeout=10000)
    # Back online with the rated service still the counter's last one: it is not offered again.
    expect(screen(page, "idle")).to_be_visible()

    # 3. A third one the same way.
    finish_next("A003")
    go_offline()
    level(page, "Hài lòng").click()
    expect(badge).to_contain_text("Chưa gửi: 1")
    context.set_offline(False)
    wait_until(lambda: len(ratings(live_server)) == 3, message="the third rating delivered")
    expect(badge).to_be_hidden(timeout=10000)

    # 4. The first rating's acknowledgement "was lost": the tablet sends it again, the server keeps one.
    page.evaluate(f"localStorage.setItem('hangdoi.tablet.outbox', JSON.stringify([{json.dumps(first)}]))")
    page.reload()
    wait_until(lambda: page.evaluate(OUTBOX) == [], message="the resent rating acknowledged")
    stored = ratings(live_server)
    assert [(r["label"], r["level_name"]) for r in stored] == \
        [("A001", "Rất hài lòng"), ("A002", "Không hài lòng"), ("A003", "Hài lòng")]
    assert stored[0]["client_id"] == first["client_id"]
    assert json.loads(stored[1]["reasons"]) == ["Phải đi lại nhiều lần"]
    assert len({r["client_id"] for r in stored}) == 3


def test_reconnected_tablet_offers_the_rating_it_missed(live_server, officer, page):
    open_tablet(page, live_server)
    serve(live_server, officer, "call_next", "start")
    expect(page.locator("#idle-serving")).to_have_text("Đang phục vụ số A001")
    page.context.set_offline(True)
    expect(page.locator("#badge")).to_contain_text("Mất kết nối")
    act(officer, "finish")  # the tablet cannot hear it
    page.context.set_offline(False)
    expect(page.locator("#rating-ticket")).to_have_text("Số thứ tự: A001", timeout=15000)
    level(page, "Hài lòng").click()
    [stored] = wait_until(lambda: ratings(live_server), message="the rating in the database")
    assert (stored["label"], stored["level_name"]) == ("A001", "Hài lòng")


def test_tone_marks_go_where_vietnamese_writes_them(shared_server, page):
    open_tablet(page, shared_server)
    typed = page.evaluate("""() => {
        const tones = {sac: "\\u0301", huyen: "\\u0300", hoi: "\\u0309", nga: "\\u0303", nang: "\\u0323"};
        const write = (letters, tone) => {
            document.getElementById("comment").value = "";
            hangdoiKeyboard.type(letters);
            for (const t of tone.split(" ")) hangdoiKeyboard.applyTone(tones[t]);
            return document.getElementById("comment").value;
        };
        return [write("ngươi", "huyen"), write("hoa", "huyen"), write("quy", "sac"), write("gia", "huyen"),
                write("toan", "sac"), write("ngoai", "huyen"), write("lâu", "nga"), write("đi lai", "nang"),
                write("khoe", "hoi sac"), write("ma", "sac sac"), write("chờ ", "sac")];
    }""")
    assert typed == ["người", "hòa", "quý", "già", "toán", "ngoài", "lẫu", "đi lại", "khóe", "ma", "chờ "]
