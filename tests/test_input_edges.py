"""Every documented route and Socket.IO event against every class of hostile input (tests/hostile.py), with
explicit examples: no 500, a `{error, message}` for every refusal, an acknowledgement for every socket call.
The random part is tests/test_fuzz.py."""

from __future__ import annotations

import json
import logging
import re

import pytest

from server.web import edge
from tests.hostile import DEEP, EVENTS, HOSTILE_VALUES, ROUTES, Sender, nested, nested_objects, request_cases, sign_in

SOCKET_WHO = ("anonymous", "officer", "supervisor")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_route_answers_every_hostile_input_without_a_500(app, route):
    sender = Sender(app)
    for url, body, headers, what in request_cases(route):
        sender.send(route, url, body, headers, what)
    assert sender.failures == [], f"{len(sender.failures)} of {sender.count}: " + "\n".join(sender.failures[:10])
    assert 500 not in sender.statuses and sender.count >= 20


def test_every_route_with_input_is_in_the_hostile_table(app):
    """A new route that reads a body, a query or a path value gets its hostile inputs too: every such route of the
    app is in tests/hostile.py's ROUTES (pages without parameters read nothing)."""
    table = {(r.method, r.path) for r in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        reads_input = path.startswith(("/api/", "/healthz")) or "{" in path
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if reads_input and (method, path) not in table and rule.endpoint != "static":
                missing.append(f"{method} {path}")
    assert missing == []


class Sockets:
    """Socket.IO test clients (anonymous, a signed-in console, a supervisor) that count every call and answer."""

    def __init__(self, app):
        self.app = app
        sio = app.extensions["hangdoi"].socketio
        self.clients = {"anonymous": sio.test_client(app),
                        "officer": sio.test_client(app, flask_test_client=sign_in(app, "an", counter=1)),
                        "supervisor": sio.test_client(app, flask_test_client=sign_in(app, "giamsat"))}
        self.calls = 0
        self.unanswered: list[str] = []

    def emit(self, who, event, *args):
        reply = self.clients[who].emit(event, *args, callback=True)
        self.judge(reply, f"{who} {event} {args!r:.120}")
        return reply

    def raw(self, who, packet: str):
        """Send an encoded packet as a client on the network could (json.dumps cannot write 1,500 levels)."""
        client = self.clients[who]
        client.acks = None
        self.app.extensions["hangdoi"].socketio.server._handle_eio_message(client.eio_sid, packet)
        reply = client.acks["args"][0] if client.acks else None
        client.acks = None
        self.judge(reply, f"{who} raw {packet[:80]!r}")
        return reply

    def judge(self, reply, what):
        self.calls += 1
        if not (isinstance(reply, dict) and "ok" in reply and (reply["ok"] or reply.get("error") and
                                                               reply.get("message"))):
            self.unanswered.append(f"{what}: {reply!r:.200}")


def payloads(keys):
    yield None
    for value in HOSTILE_VALUES:
        yield value
        for key in keys:
            yield {key: value}
    for value in HOSTILE_VALUES:  # inside a counter action's params
        yield {"action_id": "fuzz-action-1", "action": "call_ticket", "params": {"label": value}}
        yield {"action_id": "fuzz-action-2", "action": value, "params": {}}


@pytest.mark.parametrize("event", [*EVENTS, "no_such_event"])
def test_every_socket_call_is_acknowledged(app, event):
    app.test_client().post("/api/tickets", json={"service_code": "ly-lich"})
    sockets = Sockets(app)
    for who in SOCKET_WHO:
        for payload in payloads(EVENTS.get(event, ("x",))):
            sockets.emit(who, event, payload)
        sockets.emit(who, event)  # no payload at all
        sockets.emit(who, event, {"screen": "display"}, "second", 3)  # more arguments than the handler takes
        for body in (nested(DEEP), nested(900), nested_objects(DEEP), '{"token": "\\ud800"}', "NaN",
                     '{"level": Infinity}', "[1,", '{"a": 1', "1" * 5000):
            sockets.raw(who, f'21["{event}",{body}]')
        sockets.raw(who, "21" + nested(DEEP))  # not even an event name
    assert sockets.unanswered == [], f"{len(sockets.unanswered)} of {sockets.calls}: " + \
        "\n".join(sockets.unanswered[:10])
    assert sockets.calls > 400


# ----- what the issue found, one by one ----------------------------------------------------------------------------

def test_deep_json_on_an_admin_route_is_a_400(app):
    admin = sign_in(app, "quantri")
    for body, error in ((nested_objects(DEEP), "invalid_json"), (nested(DEEP), "invalid_json"),
                        (nested(900), "bad_request")):
        response = admin.put("/api/admin/config/center", data=body, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"] == error
    response = admin.put("/api/admin/config/departments", data=nested(40), content_type="application/json")
    assert response.get_json() == {"error": "bad_request", "message": "Dữ liệu lồng nhau quá sâu."}


@pytest.mark.parametrize("path,body", [
    ("/api/tickets/x/rating", {"level": 1, "comment": "Tốt\ud800"}),
    ("/api/session", {"username": "an", "password": "mat\udfffkhau", "counter": 1}),
    ("/api/ratings", {"client_id": "abcdefgh", "counter": 1, "label": "A\ud800", "level": 1}),
    ("/api/admin/officers/binh/password", {"password": "\ud800\ud800\ud800\ud800\ud800\ud800"}),
    ("/api/admin/devices/approve", {"code": "123456", "name": "\udc00"}),
    ("/api/feedback/1/close", {"note": "\ud800"}),
    ("/api/tickets", {"service_code": "ly-lich", "device": {"\ud800": 1}}),
])
def test_a_lone_surrogate_anywhere_is_refused_once_at_the_edge(app, path, body):
    admin = sign_in(app, "quantri")
    response = admin.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request", "message": "Dữ liệu có ký tự không hợp lệ."}


@pytest.mark.parametrize("version", ["99999999999999999999", "9223372036854775808", "9" * 200, "²", "-1", "1.0"])
def test_a_config_version_beyond_sqlite_is_a_400(app, version):
    admin = sign_in(app, "quantri")
    response = admin.put("/api/admin/config/center", json={"name": "Trung tâm"},
                         headers={"X-Config-Version": version})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_the_largest_version_sqlite_holds_is_read_as_a_version(app):
    admin = sign_in(app, "quantri")
    current = admin.get("/api/admin/config").get_json()["sections"]["center"]
    response = admin.put("/api/admin/config/center", json=current, headers={"X-Config-Version": str(2**63 - 1)})
    assert response.status_code in (200, 409)  # a version from the future: compared, not refused as malformed


@pytest.mark.parametrize("zone", ["A" * 5000, "Asia/" + "x" * 70, "../../../etc/passwd", "Asia/Ho_Chi_Minh\x00",
                                  "/usr/share/zoneinfo/UTC", "Asia//Ho_Chi_Minh", "\u00c9tc/UTC"])
def test_a_time_zone_is_checked_before_it_is_opened(app, zone):
    admin = sign_in(app, "quantri")
    current = admin.get("/api/admin/config").get_json()["sections"]["center"]
    response = admin.put("/api/admin/config/center", json={**current, "timezone": zone})
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_config" and response.get_json()["key"] == "center.timezone"


def test_a_center_text_is_bounded(app):
    admin = sign_in(app, "quantri")
    current = admin.get("/api/admin/config").get_json()["sections"]["center"]
    response = admin.put("/api/admin/config/center", json={**current, "notice": "x" * 2001})
    assert response.get_json()["key"] == "center.notice"
    assert admin.put("/api/admin/config/center", json={**current, "notice": "x" * 2000}).status_code == 200


@pytest.mark.parametrize("body", [b"NaN", b'{"service_code": NaN}', b'{"service_code": "ly-lich", "x": Infinity}',
                                  b'{"service_code": "ly-lich", "x": 1e999}'])
def test_nan_and_infinity_are_not_json(client, body):
    response = client.post("/api/tickets", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] in ("invalid_json", "bad_request")


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_integers_beyond_sqlite_are_refused(client, value):
    response = client.post("/api/ratings", json={"client_id": "abcdefgh", "counter": value, "label": "A001",
                                                 "level": 1})
    assert response.get_json() == {"error": "bad_request", "message": "Dữ liệu có số quá lớn hoặc không hợp lệ."}


def test_a_path_integer_beyond_sqlite_is_a_404(app):
    admin = sign_in(app, "quantri")
    assert admin.post("/api/admin/devices/99999999999999999999/revoke").status_code == 404
    assert admin.post(f"/api/admin/devices/{2**63 - 1}/revoke").get_json()["error"] == "unknown_device"


@pytest.mark.parametrize("header", ["X-CSRF-Token", "X-Device-Token", "X-Config-Version"])
def test_a_header_that_is_not_printable_ascii_is_a_400(app, header):
    admin = sign_in(app, "quantri")
    for value in ("é", "\x00", "x" * 257, "Tiếng".encode().decode("latin-1")):
        response = admin.post("/api/admin/devices/reject", json={"code": "1"}, headers={header: value})
        assert response.status_code == 400, (header, value)
        assert response.get_json()["message"] == f"Tiêu đề {header} không hợp lệ."


def test_socket_payload_refusals_say_why(app):
    sock = app.extensions["hangdoi"].socketio.test_client(app)
    assert sock.emit("follow_ticket", {"token": "\ud800"}, callback=True) == {
        "ok": False, "error": "bad_request", "message": "Dữ liệu có ký tự không hợp lệ."}
    assert sock.emit("rate", {"counter": 2**64}, callback=True)["message"] == edge.BAD_NUMBER
    assert sock.emit("subscribe", json.loads(nested(20, '"display"')), callback=True)["message"] == edge.TOO_DEEP
    assert sock.emit("no_such_event", {}, callback=True)["error"] == "unknown_event"
    sockets = Sockets(app)
    assert sockets.raw("anonymous", '21["subscribe",' + nested(DEEP) + "]")["message"] == edge.TOO_DEEP
    assert sockets.raw("anonymous", '22["subscribe",{"screen": NaN}]')["message"] == edge.BAD_NUMBER
    assert sockets.raw("anonymous", '22["subscribe",{"screen": ')["message"] == edge.NOT_JSON
    assert sockets.raw("anonymous", '23["subscribe",{"screen":"display"}]')["ok"]  # the decoder is still JSON


@pytest.mark.parametrize("auth", [{"device": "\ud800"}, {"device": 12}, {"device": ["x"]}, {"device": "x" * 20_001}])
def test_a_socket_with_a_malformed_device_token_is_refused(app, auth):
    sock = app.extensions["hangdoi"].socketio.test_client(app, auth=auth)
    assert not sock.is_connected()


def test_an_unexpected_failure_is_acknowledged_and_logged_once_a_minute(app, caplog, monkeypatch):
    rt = app.extensions["hangdoi"]
    sock = rt.socketio.test_client(app)

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(rt.queue, "snapshot", broken)
    monkeypatch.setattr("server.logs.repeated_errors._last", {})
    with caplog.at_level(logging.ERROR, "hangdoi.edge"):
        replies = [sock.emit("subscribe", {"screen": "display"}, callback=True) for _ in range(5)]
    assert replies == [edge.INTERNAL_ERROR] * 5
    [line] = [r for r in caplog.records if r.name == "hangdoi.edge"]
    assert line.getMessage() == "socket event 'subscribe' failed: RuntimeError" and line.exc_info


def test_an_unexpected_http_failure_is_a_json_500_logged_once(app, caplog, monkeypatch):
    rt = app.extensions["hangdoi"]

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(rt.queue, "service_overview", broken)
    monkeypatch.setattr("server.logs.repeated_errors._last", {})
    client = app.test_client()
    with caplog.at_level(logging.ERROR, "server.web.errors"):
        responses = [client.get("/api/queue") for _ in range(3)]
    assert {r.status_code for r in responses} == {500}
    assert responses[0].get_json()["error"] == "internal_error"
    assert len([r for r in caplog.records if r.name == "server.web.errors"]) == 1


def test_control_characters_in_a_comment_do_not_break_the_exports(app):
    client = app.test_client()
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    desk = app.extensions["hangdoi"].socketio.test_client(app, flask_test_client=sign_in(app, "an", counter=1))
    for i, action in enumerate(("call_next", "start", "finish")):
        assert desk.emit("counter_action", {"action_id": f"edge-{i:04d}", "action": action, "params": {}},
                         callback=True)["ok"]
    comment = "=A\x00\x01\x1b\x7f\x9f end"
    assert client.post(f"/api/tickets/{token}/rating", json={"level": 3, "comment": comment}).status_code == 201
    leader = sign_in(app, "giamsat")
    for path in ("/api/reports/export?format=xlsx", "/api/reports/export?format=csv&table=comments",
                 "/api/reports/timeline?format=xlsx", "/api/reports/timeline?format=csv"):
        assert leader.get(path).status_code == 200, path


def test_control_characters_in_a_center_text_are_refused(app):
    admin = sign_in(app, "quantri")
    current = admin.get("/api/admin/config").get_json()["sections"]["center"]
    response = admin.put("/api/admin/config/center", json={**current, "name": "Trung tâm\x01"})
    assert response.get_json()["key"] == "center.name"
    assert admin.put("/api/admin/config/center", json={**current, "notice": "Dòng 1\nDòng 2\tcột"}).status_code == 200
