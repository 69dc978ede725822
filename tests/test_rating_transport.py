"""Ratings over HTTP and Socket.IO: tablet, phone, duplicates, and the supervisors' live alert."""

from __future__ import annotations

import json

import pytest

from tests.conftest import app_over
from tests.test_devices import pair_over_http, strict_app  # noqa: F401 (strict_app: the fixture, pairing required)
from tests.test_realtime import PASSWORD, act, console, socket


@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    for username in ("an", "giamsat"):
        runtime.accounts.set_password(username, PASSWORD)
    return runtime


def serve_one(app, client, action_prefix="serve"):
    """Issue a ticket and serve it at counter 1 through the console; returns its token."""
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    desk = console(app)
    for i, action in enumerate(("call_next", "start", "finish")):
        assert act(desk, action, f"{action_prefix}-{i:05d}")["ok"]
    return token


def test_tablet_rates_over_socket_once(app, rt, client):
    serve_one(app, client)
    tablet = socket(app)
    snapshot = tablet.emit("subscribe", {"screen": "tablet"}, callback=True)["snapshot"]
    assert snapshot["last_finished"]["1"] == {"label": "A001", "local_date": snapshot["local_date"],
                                              "ended_at": snapshot["last_finished"]["1"]["ended_at"], "rated": False}
    rating = {"client_id": "tablet1-000001", "counter": 1, "label": "A001", "level": 1}
    reply = tablet.emit("rate", rating, callback=True)
    assert reply["ok"] and reply["rating"]["level_name"] == "Rất hài lòng"
    again = tablet.emit("rate", rating, callback=True)  # the ack was lost; the tablet sends it again
    assert again["ok"] and again["rating"]["duplicate"]
    other = tablet.emit("rate", {**rating, "client_id": "tablet1-000002"}, callback=True)
    assert other == {"ok": False, "error": "already_rated",
                     "message": "Lượt phục vụ này đã được đánh giá. Trân trọng cảm ơn Ông/Bà!"}
    assert tablet.emit("subscribe", {"screen": "tablet"}, callback=True)["snapshot"]["last_finished"]["1"]["rated"]


def test_tablet_rates_over_http(app, rt, client):
    serve_one(app, client)
    body = {"client_id": "tablet1-http01", "counter": 1, "label": "A001", "level": 2}
    assert client.post("/api/ratings", json=body).status_code == 201
    assert client.post("/api/ratings", json=body).status_code == 200
    response = client.post("/api/ratings", json={**body, "client_id": "tablet1-http02", "counter": 2})
    assert response.status_code == 409 and response.get_json()["error"] == "not_served_here"


@pytest.mark.parametrize("body, error", [
    ({"level": 0}, "bad_level"),
    ({"level": "Rất hài lòng"}, "bad_request"),
    ({"level": 3, "reasons": "Thời gian chờ lâu"}, "bad_request"),
    ({"level": 3, "reasons": ["Không có lý do này"]}, "bad_reasons"),
    ({"level": 3, "comment": 5}, "bad_request"),
    ({"level": 3, "comment": "x" * 501}, "bad_comment"),
])
def test_bad_phone_ratings(app, rt, client, body, error):
    token = serve_one(app, client)
    response = client.post(f"/api/tickets/{token}/rating", json=body)
    assert response.status_code == 400 and response.get_json()["error"] == error
    assert client.get(f"/api/tickets/{token}").get_json()["can_rate"] is True


def test_phone_rating_and_status(app, rt, client):
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    assert client.get(f"/api/tickets/{token}").get_json()["can_rate"] is False  # not served yet
    response = client.post(f"/api/tickets/{token}/rating", json={"level": 1})
    assert response.status_code == 409 and response.get_json()["error"] == "not_finished"
    desk = console(app)
    for i, action in enumerate(("call_next", "start", "finish")):
        act(desk, action, f"phone-{i:05d}")
    assert client.get(f"/api/tickets/{token}").get_json()["can_rate"] is True
    assert client.post(f"/api/tickets/{token}/rating", json={"level": 2}).status_code == 201
    status = client.get(f"/api/tickets/{token}").get_json()
    assert status["can_rate"] is False and status["rating"]["level_name"] == "Hài lòng"


def supervisor_socket(app):
    signed = app.test_client()
    assert signed.post("/api/session", json={"username": "giamsat", "password": PASSWORD}).status_code == 200
    sock = socket(app, signed)
    assert sock.emit("subscribe", {"screen": "supervisor"}, callback=True)["ok"]
    return sock


def test_supervisor_sees_dissatisfied_ratings_live(app, rt, client):
    supervisor = supervisor_socket(app)
    display = socket(app)
    display.emit("subscribe", {"screen": "display"}, callback=True)
    serve_one(app, client)
    client.post("/api/ratings", json={"client_id": "tablet1-bad001", "counter": 1, "label": "A001", "level": 3,
                                      "reasons": ["Thời gian chờ lâu"], "comment": "<b>lâu</b>"})
    [alert] = [m["args"][0] for m in supervisor.get_received() if m["name"] == "alert"]
    assert (alert["label"], alert["counter_number"], alert["officer_name"], alert["reasons"], alert["comment"]) == \
        ("A001", 1, "Nguyễn Văn An", ["Thời gian chờ lâu"], "<b>lâu</b>")
    public = [m["args"][0] for m in display.get_received() if m["args"][0].get("kind") == "rating_recorded"]
    assert public and "comment" not in public[0] and "reasons" not in public[0]
    assert not [m for m in display.get_received() if m["name"] == "alert"]


def test_only_supervisors_get_the_supervisor_screen(app, rt, client):
    assert socket(app).emit("subscribe", {"screen": "supervisor"}, callback=True)["error"] == "not_signed_in"
    officer = app.test_client()
    response = officer.post("/api/session", json={"username": "an", "password": PASSWORD})
    assert response.status_code == 400  # an officer must take a counter


def tablet_rating(**fields):
    return {"client_id": "tablet1-case01", "counter": 1, "label": "A001", "level": 3, **fields}


@pytest.mark.parametrize("fields, status, error", [
    ({"label": None}, 400, "bad_request"),
    ({"label": ""}, 400, "bad_request"),
    ({"label": ["A001"]}, 400, "bad_request"),
    ({"service_date": "23/11/2026"}, 400, "bad_request"),
    ({"service_date": "2026-13-01"}, 400, "bad_request"),
    ({"counter": None}, 400, "bad_request"),
    ({"counter": "1"}, 400, "bad_request"),
    ({"counter": 9}, 404, "unknown_counter"),
    ({"level": "3"}, 400, "bad_request"),
    ({"reasons": "Thời gian chờ lâu"}, 400, "bad_request"),
    ({"comment": {"text": "lâu"}}, 400, "bad_request"),
    ({"timed_out": "true"}, 400, "bad_request"),
    ({"label": "A009"}, 404, "unknown_ticket"),
    ({"label": "A002"}, 409, "not_finished"),  # called at counter 1
    ({"label": "A003"}, 409, "not_finished"),  # waiting
    ({"label": "A001", "counter": 2}, 409, "not_served_here"),
    ({"label": "A004"}, 409, "not_served"),  # cancelled
    ({"label": "A001", "service_date": "2020-01-01"}, 404, "unknown_ticket"),
])
def test_tablet_refusals_say_what_happened(app, rt, client, fields, status, error):
    serve_one(app, client)  # A001
    for _ in range(3):  # A002 (called below), A003 (waiting), A004 (cancelled)
        token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    assert client.post(f"/api/tickets/{token}/cancel").status_code == 200
    assert act(console(app), "call_next", "call-00001")["ok"]
    response = client.post("/api/ratings", json=tablet_rating(**fields))
    assert response.status_code == status and response.get_json()["error"] == error, response.get_json()
    message = response.get_json()["message"]
    reply = socket(app).emit("rate", tablet_rating(**fields), callback=True)  # the same refusal, acknowledged
    assert reply == {"ok": False, "error": error, "message": message}
    assert any(ch in message for ch in "ốộưđảạ")  # Vietnamese, as a screen shows it


@pytest.mark.parametrize("body", [
    [], "A001", None, {"counter": {"$gt": 0}}, {"label": {}}, {"service_date": "2026-02-30"},
    {"reasons": [{"a": 1}]}, {"reasons": [["x"]]}, {"level": 1e308}, {"client_id": 5}, {"timed_out": None},
    {"label": "\ud800"}, {"comment": "lâu \udfff"}, {"reasons": ["\ud800"]}, {"device": "\ud800"},
    {"service_date": "２０２６-11-23"}, {"counter": 10 ** 30}, {"level": 10 ** 30},
])
def test_junk_ratings_are_refused_never_a_server_error(app, rt, client, body):
    serve_one(app, client)
    message = tablet_rating(**body) if isinstance(body, dict) else body
    # Sent as JSON text: "\ud800" stays an escape, as a hostile client would write it.
    response = client.post("/api/ratings", data=json.dumps(message), content_type="application/json")
    assert 400 <= response.status_code < 500, response.get_json()
    reply = socket(app).emit("rate", message, callback=True)
    assert reply["ok"] is False and reply["error"] and reply["message"]


def test_a_rating_that_fails_unexpectedly_is_still_acknowledged(app, rt, client, monkeypatch):
    serve_one(app, client)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(rt.ratings, "rate_at_counter", broken)
    reply = socket(app).emit("rate", tablet_rating(), callback=True)
    assert reply["ok"] is False and reply["error"] == "internal_error" and "thử lại" in reply["message"]


def test_a_level_left_on_timeout_is_stored_once_over_socket_and_http(app, rt, client):
    token = serve_one(app, client)
    tablet = socket(app)
    tablet.emit("subscribe", {"screen": "tablet"}, callback=True)
    chosen = tablet_rating(client_id="tablet1-left01", reasons=["Thời gian chờ lâu"], timed_out=True)
    reply = tablet.emit("rate", chosen, callback=True)
    assert reply["ok"] and reply["rating"]["sent_on_timeout"] is True
    [event] = [e for e in tablet.get_received() if e["args"][0].get("kind") == "rating_recorded"]
    assert event["args"][0]["sent_on_timeout"] is True
    resent = client.post("/api/ratings", json=chosen)  # the ack was lost; the outbox sent it again over HTTP
    assert resent.status_code == 200 and resent.get_json()["duplicate"] and resent.get_json()["sent_on_timeout"]
    status = client.get(f"/api/tickets/{token}").get_json()
    assert status["rating"]["sent_on_timeout"] is True and status["can_rate"] is False


def test_a_rating_sent_over_http_on_timeout(app, rt, client):
    serve_one(app, client)
    response = client.post("/api/ratings", json=tablet_rating(client_id="tablet1-left02", timed_out=True))
    assert response.status_code == 201 and response.get_json()["sent_on_timeout"] is True
    again = client.post("/api/ratings", json=tablet_rating(client_id="tablet1-left02", timed_out=True))
    assert again.status_code == 200 and again.get_json()["duplicate"]
    normal = socket(app).emit("rate", tablet_rating(client_id="tablet1-left03"), callback=True)
    assert normal["error"] == "already_rated"


def test_center_tells_the_tablet_which_levels_ask_a_reason(client):
    rating = client.get("/api/center").get_json()["rating"]
    assert (rating["dissatisfied"], rating["reason_required"]) == ([3], False)


@pytest.fixture
def reasons_app(tmp_path):
    """The app over a center whose `[rating]` says `reason_required = true`."""
    with app_over(tmp_path, "[rating]\nreason_required = true\n", "strict") as application:
        application.extensions["hangdoi"].accounts.set_password("an", PASSWORD)
        yield application


def test_reason_required_over_http_and_socket(reasons_app):
    client = reasons_app.test_client()
    assert client.get("/api/center").get_json()["rating"]["reason_required"] is True
    token = serve_one(reasons_app, client)
    response = client.post("/api/ratings", json=tablet_rating(comment="Chờ lâu"))
    assert response.status_code == 400 and response.get_json() == {
        "error": "reason_required", "message": "Ông/Bà vui lòng chọn ít nhất một lý do chưa hài lòng."}
    assert socket(reasons_app).emit("rate", tablet_rating(), callback=True)["error"] == "reason_required"
    phone = client.post(f"/api/tickets/{token}/rating", json={"level": 3})
    assert phone.status_code == 400 and phone.get_json()["error"] == "reason_required"
    left = socket(reasons_app).emit("rate", tablet_rating(timed_out=True), callback=True)  # never lost
    assert left["ok"] and left["rating"]["reasons"] == [] and left["rating"]["sent_on_timeout"]


@pytest.mark.parametrize("counter", ["1", None, [1]])
def test_a_paired_tablet_naming_no_number_is_a_bad_request(strict_app, counter):
    token, _ = pair_over_http(strict_app, "tablet", 1)
    body = tablet_rating(counter=counter)
    response = strict_app.test_client().post("/api/ratings", json=body, headers={"X-Device-Token": token})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    sock = strict_app.extensions["hangdoi"].socketio.test_client(strict_app, auth={"device": token})
    assert sock.emit("rate", body, callback=True)["error"] == "bad_request"
