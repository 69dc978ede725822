"""Ratings over HTTP and Socket.IO: tablet, phone, duplicates, and the supervisors' live alert."""

from __future__ import annotations

import pytest

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
    ({"level": "Rất hài lòng"}, "bad_level"),
    ({"level": 3, "reasons": "Thời gian chờ lâu"}, "bad_reasons"),
    ({"level": 3, "comment": 5}, "bad_comment"),
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
