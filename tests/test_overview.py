"""The supervisors' live overview: waits against their target, idle counters, and who may see it."""

from __future__ import annotations

import pytest

from server.core.overview import IDLE_AFTER_SECONDS, live_overview

PASSWORD = "matkhau-giamsat"


def service(overview, code):
    return next(s for s in overview["services"] if s["service_code"] == code)


def counter(overview, number):
    return next(c for c in overview["counters"] if c["number"] == number)


def alerts(overview, kind):
    return [a for a in overview["alerts"] if a["kind"] == kind]


# ----- services ----------------------------------------------------------------------------------

def test_longest_wait_and_over_target(queue, clock):
    queue.issue("ly-lich")
    clock.advance(minutes=5)
    queue.issue("ly-lich")
    clock.advance(minutes=15)
    at_target = live_overview(queue)
    assert service(at_target, "ly-lich") == {
        "service_code": "ly-lich", "service_name": "Lý lịch tư pháp", "department_code": "STP",
        "department_name": "Sở Tư pháp", "waiting": 2, "longest_wait_seconds": 1200, "target_wait_seconds": 1200,
        "over_target": False}
    assert at_target["alerts"] == []

    clock.advance(minutes=1, seconds=30)
    over = live_overview(queue)
    assert service(over, "ly-lich")["longest_wait_seconds"] == 1290 and service(over, "ly-lich")["over_target"]
    assert over["alerts"] == [{
        "kind": "wait_over_target", "service_code": "ly-lich", "service_name": "Lý lịch tư pháp", "seconds": 1290,
        "target_seconds": 1200, "message": "Lĩnh vực Lý lịch tư pháp: công dân chờ 21 phút, vượt mục tiêu 20 phút"}]
    other = service(over, "ho-tich")
    assert (other["waiting"], other["longest_wait_seconds"], other["over_target"]) == (0, None, False)


def test_waiting_services_first_and_the_longest_wait_moves_on_when_called(queue, clock):
    queue.issue("ly-lich")
    clock.advance(minutes=8)
    queue.issue("ly-lich")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    clock.advance(minutes=2)
    overview = live_overview(queue)
    assert [s["service_code"] for s in overview["services"]] == ["ly-lich", "ho-tich", "lai-xe", "van-tai"]
    assert service(overview, "ly-lich")["waiting"] == 1
    assert service(overview, "ly-lich")["longest_wait_seconds"] == 120  # A002's wait, not A001's


def test_a_transferred_ticket_keeps_its_first_arrival(queue, clock):
    queue.issue("ly-lich")
    queue.open_counter(1, "an")
    clock.advance(minutes=10)
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    clock.advance(minutes=5)
    queue.transfer(1, "an", to_service="lai-xe")
    clock.advance(minutes=6)
    overview = live_overview(queue)
    moved = service(overview, "lai-xe")
    assert (moved["waiting"], moved["longest_wait_seconds"], moved["over_target"]) == (1, 21 * 60, True)
    assert service(overview, "ly-lich")["waiting"] == 0
    assert [a["service_code"] for a in alerts(overview, "wait_over_target")] == ["lai-xe"]


def test_yesterdays_waiting_tickets_are_not_todays_queue(queue, clock):
    queue.issue("ly-lich")
    clock.advance(minutes=24 * 60)
    overview = live_overview(queue)
    assert service(overview, "ly-lich")["waiting"] == 0 and overview["alerts"] == []


# ----- counters ----------------------------------------------------------------------------------

def test_counters_show_status_holder_and_current_number(queue):
    queue.issue("ly-lich")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.open_counter(2, "binh")
    queue.pause_counter(2, "binh", "Họp")
    overview = live_overview(queue)
    assert counter(overview, 1) | {"since": None} == {
        "number": 1, "name": "Quầy 01", "status": "open", "officer": "an", "officer_name": "Nguyễn Văn An",
        "pause_reason": None, "since": None, "current": {"label": "A001", "state": "called"}, "waiting": 0,
        "idle_seconds": None, "longest_wait_seconds": None, "over_target": False, "overrun_seconds": 0,
        "department_warning": None, "urgency": "other"}
    paused = counter(overview, 2)
    assert (paused["status"], paused["officer_name"], paused["pause_reason"]) == ("paused", "Trần Thị Bình", "Họp")
    closed = counter(overview, 3)
    assert (closed["status"], closed["officer"], closed["current"]) == ("closed", None, None)


def test_an_idle_counter_is_reported_after_the_threshold_only_when_its_services_wait(queue, clock):
    queue.open_counter(3, "cuong")  # lai-xe and van-tai
    queue.issue("ly-lich")          # not one of its services
    clock.advance(minutes=10)
    assert counter(live_overview(queue), 3)["idle_seconds"] is None
    queue.issue("lai-xe")
    clock.advance(seconds=IDLE_AFTER_SECONDS - 1)
    early = live_overview(queue)
    # Free since opening, but idle only since the citizen it could call arrived.
    assert counter(early, 3)["idle_seconds"] == IDLE_AFTER_SECONDS - 1 and alerts(early, "counter_idle") == []
    clock.advance(seconds=1)
    late = live_overview(queue)
    assert alerts(late, "counter_idle") == [{
        "kind": "counter_idle", "counter_number": 3, "officer": "Lê Văn Cường", "seconds": 120, "waiting": 1,
        "message": "Quầy 03 (Lê Văn Cường) rảnh 2 phút trong khi có 1 người chờ"}]
    assert alerts(live_overview(queue, idle_after=300), "counter_idle") == []


def test_idle_time_counts_from_the_last_ticket_the_counter_let_go(queue, clock):
    queue.issue("ly-lich")
    queue.issue("ho-tich")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    clock.advance(minutes=10)
    assert counter(live_overview(queue), 1)["idle_seconds"] is None  # serving
    queue.finish(1, "an")
    clock.advance(minutes=3)
    idle = counter(live_overview(queue), 1)
    assert (idle["idle_seconds"], idle["waiting"]) == (180, 1)
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    queue.park(1, "an")
    clock.advance(seconds=30)
    assert counter(live_overview(queue), 1)["idle_seconds"] is None  # nobody left to call


def test_a_ticket_sent_to_one_counter_waits_for_that_counter_only(queue, clock):
    queue.issue("lai-xe")
    queue.open_counter(3, "cuong")  # lai-xe, van-tai
    queue.call_next(3, "cuong")
    queue.transfer(3, "cuong", to_counter=5)  # van-tai at counter 5, which is closed
    queue.open_counter(5, "binh")
    clock.advance(minutes=5)
    overview = live_overview(queue)
    assert counter(overview, 3)["idle_seconds"] is None and counter(overview, 3)["waiting"] == 0
    assert counter(overview, 5)["idle_seconds"] == 300 and counter(overview, 5)["waiting"] == 1
    assert [a["counter_number"] for a in alerts(overview, "counter_idle")] == [5]


def test_paused_closed_and_busy_counters_are_never_idle(queue, clock):
    for _ in range(3):
        queue.issue("ly-lich")
    queue.open_counter(1, "an")
    queue.pause_counter(1, "an", "Nghỉ giải lao")
    queue.open_counter(2, "binh")
    queue.call_next(2, "binh")
    clock.advance(minutes=30)
    overview = live_overview(queue)
    assert [c["idle_seconds"] for c in overview["counters"]] == [None, None, None, None]
    assert alerts(overview, "counter_idle") == [] and len(alerts(overview, "wait_over_target")) == 1
    queue.resume_counter(1, "an")
    clock.advance(minutes=3)
    assert counter(live_overview(queue), 1)["idle_seconds"] == 180  # idle from the moment it resumed


def test_no_alerts_on_an_empty_queue(queue, clock):
    queue.open_counter(1, "an")
    queue.open_counter(3, "cuong")
    clock.advance(minutes=60)
    overview = live_overview(queue)
    assert overview["alerts"] == []
    assert all(s["waiting"] == 0 and s["longest_wait_seconds"] is None for s in overview["services"])
    assert all(c["idle_seconds"] is None for c in overview["counters"])


# ----- transport ---------------------------------------------------------------------------------

@pytest.fixture
def accounts(app):
    for username in ("an", "giamsat"):
        app.extensions["hangdoi"].accounts.set_password(username, PASSWORD)


def signed_in(app, username, counter_number=None):
    client = app.test_client()
    body = {"username": username, "password": PASSWORD}
    if counter_number is not None:
        body["counter"] = counter_number
    assert client.post("/api/session", json=body).status_code == 200
    return client


def ask(app, client=None):
    sock = app.extensions["hangdoi"].socketio.test_client(app, flask_test_client=client)
    return sock.emit("overview", {}, callback=True)


FORBIDDEN = {"ok": False, "error": "forbidden", "message": "Chỉ lãnh đạo, giám sát được xem màn hình này."}


def test_only_supervisors_get_the_overview(app, accounts, client):
    client.post("/api/tickets", json={"service_code": "ho-tich"})
    officer = signed_in(app, "an", 1)
    assert ask(app) == FORBIDDEN
    assert ask(app, officer) == FORBIDDEN
    assert client.get("/api/overview").status_code == 401
    refused = officer.get("/api/overview")
    assert refused.status_code == 403 and refused.get_json() == {"error": "forbidden",
                                                                 "message": FORBIDDEN["message"]}

    supervisor = signed_in(app, "giamsat")
    reply = ask(app, supervisor)
    assert reply["ok"] and service(reply["overview"], "ho-tich")["waiting"] == 1
    assert counter(reply["overview"], 1)["officer_name"] == "Nguyễn Văn An"
    http = supervisor.get("/api/overview")
    assert http.status_code == 200 and service(http.get_json()["overview"], "ho-tich")["waiting"] == 1
