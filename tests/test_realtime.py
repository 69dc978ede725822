"""Socket.IO handlers through Flask-SocketIO's test client: snapshots, sequence numbers, console actions."""

from __future__ import annotations

import pytest

PASSWORD = "matkhau-an"


@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    runtime.accounts.set_password("an", PASSWORD)
    runtime.accounts.set_password("binh", PASSWORD)
    return runtime


def socket(app, client=None):
    return app.extensions["hangdoi"].socketio.test_client(app, flask_test_client=client)


def sign_in(app, username="an", counter=1):
    client = app.test_client()
    response = client.post("/api/session", json={"username": username, "password": PASSWORD, "counter": counter})
    assert response.status_code == 200, response.get_json()
    return client


def console(app, username="an", counter=1):
    sock = socket(app, sign_in(app, username, counter))
    assert sock.emit("subscribe", {"screen": "console"}, callback=True)["ok"]
    return sock


def act(sock, action, action_id, **params):
    return sock.emit("counter_action", {"action_id": action_id, "action": action, "params": params}, callback=True)


def events(sock, name="queue_event"):
    return [m["args"][0] for m in sock.get_received() if m["name"] == name]


def test_display_snapshot_then_events_in_sequence(app, rt, client):
    client.post("/api/tickets", json={"service_code": "ly-lich"})
    display = socket(app)
    reply = display.emit("subscribe", {"screen": "display"}, callback=True)
    snapshot = reply["snapshot"]
    assert snapshot["waiting"]["ly-lich"] == 1 and snapshot["seq"] >= 1
    assert [c["number"] for c in snapshot["counters"]] == [1, 2, 3, 5]
    client.post("/api/tickets", json={"service_code": "ly-lich"})
    [event] = events(display)
    assert event["kind"] == "ticket_issued" and event["seq"] == snapshot["seq"] + 1 and event["waiting"] == 2
    assert "token" not in event


def test_console_needs_a_signed_in_officer(app, rt):
    anonymous = socket(app)
    assert anonymous.emit("subscribe", {"screen": "console"}, callback=True)["error"] == "not_signed_in"
    assert act(anonymous, "call_next", "a" * 12)["error"] == "not_signed_in"


def test_wrong_password_is_refused_and_takes_no_counter(app, rt, client):
    response = client.post("/api/session", json={"username": "an", "password": "sai-mat-khau", "counter": 1})
    assert response.status_code == 401 and response.get_json()["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert client.get("/api/queue").get_json()["counters"][0]["status"] == "closed"


def test_second_officer_cannot_take_a_held_counter(app, rt):
    sign_in(app, "an", 1)
    other = app.test_client()
    response = other.post("/api/session", json={"username": "binh", "password": PASSWORD, "counter": 1})
    assert response.status_code == 409 and response.get_json()["error"] == "counter_taken"


def test_call_reaches_displays_with_the_voice_line(app, rt, client):
    client.post("/api/tickets", json={"service_code": "ly-lich"})
    display = socket(app)
    display.emit("subscribe", {"screen": "display"}, callback=True)
    desk = console(app)
    reply = act(desk, "call_next", "call-0001")
    assert reply["ok"] and reply["result"]["label"] == "A001"
    opened, event = events(display)
    assert opened["kind"] == "counter_opened" and opened["counter"]["officer_name"] == "Nguyễn Văn An"
    assert event["kind"] == "ticket_called" and event["counter_number"] == 1 and event["seq"] == opened["seq"] + 1
    assert event["announcement"]["text"] == "Kính mời công dân có số thứ tự A không không một đến quầy số một"
    clips = event["announcement"]["clips"]
    assert clips[0] == "chime" and all(isinstance(c, str) for c in clips)


def test_a_replayed_action_id_acts_once(app, rt, client):
    for _ in range(2):
        client.post("/api/tickets", json={"service_code": "ly-lich"})
    desk = console(app)
    first = act(desk, "call_next", "double-click-1")
    desk.get_received()
    again = act(desk, "call_next", "double-click-1")
    assert again["replayed"] and again["result"]["label"] == first["result"]["label"] == "A001"
    assert events(desk) == []  # nothing new happened
    assert act(desk, "start", "start-00001")["ok"]
    assert act(desk, "finish", "finish-0001")["ok"]
    assert act(desk, "call_next", "double-click-2")["result"]["label"] == "A002"


def test_refusals_are_kept_under_their_action_id(app, rt):
    desk = console(app)
    refused = act(desk, "call_next", "empty-queue-1")
    assert refused == {"ok": False, "error": "queue_empty", "message": "Hiện không có công dân nào đang chờ."}
    assert act(desk, "call_next", "empty-queue-1")["replayed"]


@pytest.mark.parametrize("payload, error", [
    ({"action_id": "short", "action": "call_next"}, "bad_action_id"),
    ({"action_id": "abcdefgh1", "action": "fly"}, "unknown_action"),
    ({"action_id": "abcdefgh2", "action": "transfer", "params": {"to_counter": "two"}}, "bad_request"),
    ({"action_id": "abcdefgh3", "action": "pause", "params": []}, "bad_request"),
    ({"action_id": "abcdefgh4", "action": "pause"}, "reason_required"),
    ("call_next", "bad_request"),
])
def test_bad_console_messages(app, rt, payload, error):
    desk = console(app)
    reply = desk.emit("counter_action", payload, callback=True)
    assert reply["ok"] is False and reply["error"] == error and reply["message"]


def test_console_state_survives_a_reload(app, rt, client):
    client.post("/api/tickets", json={"service_code": "ly-lich"})
    signed = sign_in(app)
    first = socket(app, signed)
    first.emit("subscribe", {"screen": "console"}, callback=True)
    act(first, "call_next", "reload-test1")
    first.disconnect()
    again = socket(app, signed)  # the same browser after a reload
    state = again.emit("subscribe", {"screen": "console"}, callback=True)["snapshot"]["console"]
    assert state["counter"]["current"]["label"] == "A001" and state["counter"]["officer"] == "an"
    assert state["stats"]["waiting"][0] == {"service_code": "ly-lich", "service_name": "Lý lịch tư pháp", "waiting": 0}


def test_sign_out_closes_the_counter_unless_serving(app, rt, client):
    client.post("/api/tickets", json={"service_code": "ly-lich"})
    signed = sign_in(app)
    desk = socket(app, signed)
    act(desk, "call_next", "signout-001")
    response = signed.delete("/api/session")
    assert response.status_code == 409 and response.get_json()["error"] == "counter_busy"
    act(desk, "start", "signout-002")
    act(desk, "finish", "signout-003")
    signed_out = signed.delete("/api/session").get_json()
    assert (signed_out["officer"], signed_out["counter"]) == (None, None)
    assert client.get("/api/queue").get_json()["counters"][0]["status"] == "closed"


def test_phone_follows_its_ticket(app, rt, client):
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    phone = socket(app)
    reply = phone.emit("follow_ticket", {"token": token}, callback=True)
    assert reply["ok"] and reply["ticket"]["label"] == "A001"
    assert phone.emit("follow_ticket", {"token": "nope"}, callback=True)["error"] == "unknown_ticket"
    act(console(app), "call_next", "phone-call-1")
    [event] = events(phone, "ticket_event")
    assert event["kind"] == "ticket_called" and event["counter_number"] == 1


def test_each_committed_transaction_is_one_json_log_line_naming_its_events(app, rt, client):
    """The log says what happened when (a batch of kiosks is one line); tokens never reach it."""
    import io
    import json
    import logging

    from server.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("hangdoi")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)  # setLevel also clears the loggers' cached levels
    try:
        batch = rt.queue.issue_many([{"service_code": "ly-lich"}, {"service_code": "lai-xe"}])
        assert len(batch) == 2
        rt.queue.open_counter(1, "an")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["events", "events"]
    issued, opened = lines
    assert [e[1:3] for e in issued["events"]] == [["ticket_issued", "A001"], ["ticket_issued", "C001"]]
    assert issued["events"][1][0] == issued["events"][0][0] + 1
    assert opened["events"][0][1] == "counter_opened" and opened["events"][0][3] == 1
    assert all(b.result["token"] not in stream.getvalue() for b in batch)


def test_the_phone_hears_can_rate_over_the_socket_as_over_http(app, rt, client):
    """`follow_ticket` and GET /api/tickets/<token> answer with the core's one view (server/core/phone.py)."""
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    desk = console(app)
    for step, action in enumerate(("call_next", "start", "finish")):
        act(desk, action, f"phone-rate-{step}")
    phone = socket(app)
    over_socket = phone.emit("follow_ticket", {"token": token}, callback=True)["ticket"]
    over_http = client.get(f"/api/tickets/{token}").get_json()
    assert over_socket["can_rate"] is over_http["can_rate"] is True
    assert {k: v for k, v in over_http.items() if not k.endswith("_url")} == over_socket


def test_the_one_path_from_a_commit_to_the_sockets(app, rt, client):
    """Every committed transaction is heard by the store's commit listeners in sequence order, a refused (rolled
    back) action by none; the display receives exactly what was committed, once."""
    heard = []
    rt.store.on_commit(lambda events: heard.append([e.seq for e in events]))
    display = socket(app)
    start = display.emit("subscribe", {"screen": "display"}, callback=True)["snapshot"]["seq"]
    desk = console(app)
    assert act(desk, "call_next", "path-empty-1")["error"] == "queue_empty"  # stored as a refusal, no event
    for _ in range(3):
        client.post("/api/tickets", json={"service_code": "ly-lich"})
    act(desk, "call_next", "path-call-01")
    got = events(display)
    assert [seq for batch in heard for seq in batch] == [e["seq"] for e in got] == \
        list(range(start + 1, start + len(got) + 1))
    assert [e["kind"] for e in got] == ["counter_opened"] + ["ticket_issued"] * 3 + ["ticket_called"]


def test_a_failing_broadcast_does_not_undo_or_repeat_a_committed_ticket(app, rt, client, caplog, monkeypatch):
    """The listener runs after COMMIT: if it fails the ticket is stored, the kiosk is answered once, the failure
    is logged, and nobody is issued a second number by a retry."""
    def broken(*_args, **_kwargs):
        raise RuntimeError("socket layer down")

    monkeypatch.setattr(rt.socketio, "emit", broken)
    with caplog.at_level("ERROR", "hangdoi.store"):
        response = client.post("/api/tickets", json={"service_code": "ly-lich"})
    assert response.status_code == 201 and response.get_json()["label"] == "A001"
    assert [r.getMessage() for r in caplog.records] == ["a commit listener failed on events [1]"]
    monkeypatch.undo()
    assert client.get("/api/queue").get_json()["services"][0]["waiting"] == 1
    assert client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["label"] == "A002"


def test_screens_hear_of_the_core_only_through_realtime():
    """Only server/web/realtime.py emits to screens (queue events, center_changed); no handler imports a view."""
    import ast
    import pathlib

    for path in pathlib.Path("server").rglob("*.py"):
        tree = ast.parse(path.read_text())
        emits = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Attribute) and node.func.attr == "emit"]
        if path.name != "realtime.py":
            assert not emits, f"{path} emits to sockets: the path is server/web/realtime.py"
        if path.name == "realtime.py":
            imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
            assert "api" not in imported and "admin" not in imported
