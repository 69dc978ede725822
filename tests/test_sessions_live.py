"""Server-side sessions against the real server (run.py, eventlet): a copied cookie's console socket and HTTP calls
are refused after sign-out, and after the password is reset by the command line in another process."""

from __future__ import annotations

import secrets

import requests
import socketio

from tests.officer import Officer, issue


def thief_of(officer: Officer):
    """An HTTP session and a console socket holding a copy of the officer's cookies."""
    http = requests.Session()
    http.cookies.update(officer.http.cookies)
    client = socketio.Client(reconnection=False)
    cookie = "; ".join(f"{c.name}={c.value}" for c in officer.http.cookies)
    client.connect(officer.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
    assert client.call("subscribe", {"screen": "console"}, timeout=10)["ok"]
    return http, client


def call_next(client) -> dict:
    return client.call("counter_action", {"action_id": secrets.token_hex(8), "action": "call_next", "params": {}},
                       timeout=10)


def test_a_copied_cookie_is_refused_after_sign_out_and_after_a_reset_by_the_command_line(live_server):
    issue(live_server.url, "ly-lich")
    an = Officer(live_server.url, live_server.database, live_server.center, "an")
    an.sign_in(1)
    http, sock = thief_of(an)
    try:
        assert http.get(f"{live_server.url}/api/session", timeout=10).json()["officer"]["username"] == "an"
        assert an.http.delete(f"{live_server.url}/api/session", timeout=10).status_code == 200
        reply = call_next(sock)
        assert reply["ok"] is False and reply["error"] == "session_ended" and "đăng xuất" in reply["message"]
        assert http.get(f"{live_server.url}/api/session", timeout=10).json()["officer"] is None
    finally:
        sock.disconnect()
        http.close()

    an.sign_in(1)
    http, sock = thief_of(an)
    try:
        reset = Officer(live_server.url, live_server.database, live_server.center, "an", password="mat-khau-moi")
        reset.set_password(command_line=True)  # `python -m server passwd an`: another process, the same database
        reply = call_next(sock)
        assert reply["error"] == "session_ended" and "mật khẩu" in reply["message"]
        body = http.get(f"{live_server.url}/api/session", timeout=10).json()
        assert body["officer"] is None and "mật khẩu" in body["ended"]
        assert an.client.call("counter_action", {"action_id": secrets.token_hex(8), "action": "call_next",
                                                 "params": {}}, timeout=10)["error"] == "session_ended"
    finally:
        sock.disconnect()
        http.close()
        an.close()
