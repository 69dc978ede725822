"""Role boundaries: an officer acts only at the counter they hold, and only while they hold it; officers see no
supervisor or admin data; nobody unsigned acts at all. (Device boundaries: tests/test_devices*.py.)"""

from __future__ import annotations

import pytest

from tests.test_realtime import PASSWORD, act, console, sign_in, socket


@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    for username in ("an", "binh"):
        runtime.accounts.set_password(username, PASSWORD)
    return runtime


def counters(app) -> dict:
    return {c["number"]: c for c in app.extensions["hangdoi"].queue.counters_overview()}


def test_console_actions_apply_to_the_signed_in_counter_whatever_the_payload_says(app, rt):
    rt.queue.issue("ly-lich")
    an = console(app, "an", 1)
    reply = act(an, "call_next", "boundary-001", counter=2)
    assert reply["ok"]
    assert counters(app)[1]["current"]["label"] == "A001" and counters(app)[2]["current"] is None
    bad = an.emit("counter_action", {"action_id": "boundary-002", "action": "finish", "counter": 2}, callback=True)
    assert counters(app)[2]["status"] == "closed" and bad["ok"] is False


def test_an_officer_cannot_take_a_ticket_called_at_another_counter(app, rt):
    rt.queue.issue("ly-lich")
    an, binh = console(app, "an", 1), console(app, "binh", 2)
    assert act(an, "call_next", "boundary-010")["ok"]
    stolen = act(binh, "call_ticket", "boundary-011", label="A001")
    assert stolen["ok"] is False
    assert counters(app)[1]["current"]["label"] == "A001" and counters(app)[2]["current"] is None


def test_a_console_socket_stops_acting_once_its_officer_signed_out(app, rt):
    rt.queue.issue("ly-lich")
    client = sign_in(app, "an", 1)
    sock = socket(app, client)
    assert sock.emit("subscribe", {"screen": "console"}, callback=True)["ok"]
    assert client.delete("/api/session").status_code == 200
    binh = console(app, "binh", 1)  # someone else now holds counter 1
    reply = act(sock, "call_next", "boundary-020")
    assert reply["ok"] is False
    assert counters(app)[1]["officer"] == "binh" and counters(app)[1]["current"] is None
    assert act(binh, "call_next", "boundary-021")["ok"]


def test_officers_see_no_supervisor_or_admin_data(app, rt):
    client = sign_in(app, "an", 1)
    sock = socket(app, client)
    assert sock.emit("subscribe", {"screen": "supervisor"}, callback=True)["error"] == "forbidden"
    for path in ("/api/reports?period=day", "/api/admin/devices"):
        response = client.get(path)
        assert response.status_code == 403 and response.get_json()["message"], path
    assert client.post("/api/admin/devices/approve", json={"code": "123456"}).status_code == 403


def test_nobody_unsigned_acts_or_watches(app, rt):
    anonymous = socket(app)
    reply = anonymous.emit("counter_action", {"action_id": "boundary-030", "action": "call_next"}, callback=True)
    assert reply["error"] == "not_signed_in"
    assert anonymous.emit("subscribe", {"screen": "console"}, callback=True)["error"] == "not_signed_in"
    assert anonymous.emit("subscribe", {"screen": "supervisor"}, callback=True)["error"] == "not_signed_in"
    assert app.test_client().get("/api/reports?period=day").status_code == 401
    assert app.test_client().get("/api/admin/devices").status_code == 401


def test_a_password_is_checked_for_every_role(app, rt):
    rt.accounts.set_password("quantri", PASSWORD)
    response = app.test_client().post("/api/session", json={"username": "quantri", "password": "sai-mat-khau"})
    assert response.status_code == 401 and response.get_json()["error"] == "bad_credentials"
