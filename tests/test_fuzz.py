"""Property-based tests: random and malformed input to every endpoint and Socket.IO event never gives a 500,
always gives a message, and a refusal changes nothing. The value classes (surrogates, control characters, long
strings, deep nesting, huge integers, NaN, dates, bad headers) come from tests/hostile.py: its explicit examples
run in tests/test_input_edges.py, the random mixes here (fixed examples first, then hypothesis's own)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hostile import EVENTS, HEADER_VALUES, HEADERS, HOSTILE_VALUES, RAW_BODIES, ROUTES, URL_VALUES, Sender, dumps
from tests.test_realtime import PASSWORD

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# The tests over every route and every event draw from many more combinations (a few seconds each).
WIDE = settings(FUZZ, max_examples=400)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                    st.text(max_size=30), st.sampled_from(["ly-lich", "A001", "nguoi-cao-tuoi", "an", "kiosk", 1]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=8)
keys = st.sampled_from(["service_code", "priority_group", "channel", "device", "username", "password", "counter",
                        "level", "reasons", "comment", "client_id", "label", "service_date", "token", "action",
                        "action_id", "params", "screen", "to_service", "to_counter", "reason", "kind", "code",
                        "name"])
bodies = st.one_of(values, st.dictionaries(keys, values, max_size=6))


def state(app) -> tuple:
    """Everything a refusal must leave untouched."""
    with app.extensions["hangdoi"].store.read() as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("tickets", "events", "ratings", "counter_actions", "number_sequences", "devices",
                      "audit_log", "center_versions")) + \
            tuple(tuple(r) for r in conn.execute("SELECT * FROM counter_state ORDER BY counter_number"))


def once(app, name, make):
    """A fixture-like object made on the first example and reused by the others (hypothesis reruns the body)."""
    cache = app.extensions.setdefault("fuzz", {})
    if name not in cache:
        cache[name] = make()
    return cache[name]


def signed_in(app, username, **extra):
    app.extensions["hangdoi"].accounts.set_password(username, PASSWORD)
    client = app.test_client()
    assert client.post("/api/session", json={"username": username, "password": PASSWORD, **extra}).status_code == 200
    return client


def check(response, before, app, accepted=(200, 201)):
    assert response.status_code < 500, response.data
    if response.status_code not in accepted:
        body = response.get_json()
        assert body["error"] and body["message"]
        assert state(app) == before


@given(body=bodies)
@FUZZ
def test_issue_ticket(app, body):
    before = state(app)
    check(app.test_client().post("/api/tickets", data=json.dumps(body), content_type="application/json"),
          before, app)


@given(body=bodies, path=st.sampled_from(["/api/ratings", "/api/session", "/api/tickets/x/rating",
                                          "/api/tickets/x/cancel"]))
@FUZZ
def test_other_posts(app, body, path):
    before = state(app)
    check(app.test_client().post(path, data=json.dumps(body), content_type="application/json"), before, app,
          accepted=())


@given(raw=st.binary(max_size=200), path=st.sampled_from(["/api/tickets", "/api/ratings", "/api/session"]))
@FUZZ
def test_bytes_that_are_not_json(app, raw, path):
    before = state(app)
    response = app.test_client().post(path, data=raw, content_type="application/json")
    check(response, before, app, accepted=())


@given(token=st.text(min_size=1, max_size=40).filter(lambda t: "/" not in t and t not in (".", "..")),
       suffix=st.sampled_from(["", "/ticket.png", "/qr.svg"]))
@FUZZ
def test_ticket_reads_with_any_token(app, token, suffix):
    response = app.test_client().get(f"/api/tickets/{token}{suffix}")
    assert response.status_code in (404, 308)


@given(query=st.dictionaries(st.sampled_from(["period", "date", "last", "group_by", "format", "table", "precision",
                                              "dialect"]),
                             st.text(max_size=15) | st.sampled_from(["csv", "rating_official", "comments", "2",
                                                                     "plain", "quarter", "9999-12-31"]), max_size=6))
@FUZZ
def test_report_queries(app, query):
    client = once(app, "leader", lambda: signed_in(app, "giamsat"))
    for path in ("/api/reports", "/api/reports/export", "/api/reports/comments"):
        response = client.get(path, query_string=query)
        assert response.status_code in (200, 400), (query, response.data)


@given(event=st.sampled_from(["subscribe", "counter_action", "rate", "follow_ticket", "console_state", "overview"]),
       payload=bodies)
@FUZZ
def test_socket_events(app, event, payload):
    desk = once(app, "desk", lambda: app.extensions["hangdoi"].socketio.test_client(
        app, flask_test_client=signed_in(app, "an", counter=1)))
    once(app, "ticket", lambda: app.test_client().post("/api/tickets", json={"service_code": "ly-lich"}))
    before = state(app)
    reply = desk.emit(event, payload, callback=True)
    assert isinstance(reply, dict) and "ok" in reply
    if not reply["ok"]:
        assert reply["message"] and state(app) == before


@given(body=bodies, path=st.sampled_from(["/api/admin/devices/approve", "/api/admin/devices/reject",
                                          "/api/admin/devices/1/revoke", "/api/admin/devices/x/revoke"]))
@FUZZ
def test_device_administration(app, body, path):
    admin = once(app, "admin", lambda: signed_in(app, "quantri"))
    once(app, "pending", lambda: app.test_client().post("/api/devices/pairing", json={"kind": "kiosk"}))
    before = state(app)
    check(admin.post(path, data=json.dumps(body), content_type="application/json"), before, app, accepted=())


@given(body=bodies)
@FUZZ
def test_pairing_requests(app, body):
    response = app.test_client().post("/api/devices/pairing", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 400, 404, 429), response.data
    assert response.get_json()["message" if response.status_code != 201 else "code"]


@given(value=st.text(max_size=20), path=st.sampled_from(["/api/admin/audit", "/api/admin/config", "/api/overview",
                                                         "/api/admin/devices", "/api/devices/me"]))
@FUZZ
def test_admin_reads_with_any_query(app, value, path):
    admin = once(app, "admin", lambda: signed_in(app, "quantri"))
    response = admin.get(path, query_string={"before": value, "limit": value},
                         # a header the test client can send at all (no control characters, ASCII)
                         headers={"X-Device-Token": value} if value.isascii() and value.isprintable() else {})
    assert response.status_code in (200, 400), (path, value, response.data)
    if response.status_code == 400:
        assert response.get_json()["message"]


# ----- every documented route and event, with the hostile value classes mixed in ---------------------------------

hostile = st.sampled_from(HOSTILE_VALUES)
texts = st.text(max_size=40) | st.text(st.characters(codec=None, categories=("Cs", "Cc", "Co", "Cn")), max_size=8)
mixed = st.recursive(scalars | hostile | texts | st.floats() | st.integers(), lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(texts, inner, max_size=3), max_leaves=6)
url_text = st.sampled_from(URL_VALUES) | st.text(st.characters(codec="ascii", exclude_characters="/?#%"),
                                                 min_size=1, max_size=20)


@st.composite
def requests(draw):
    """A route of docs/API.md with hostile values in its path, query, headers and body."""
    route = draw(st.sampled_from(ROUTES))
    url = route.url(**{p: draw(url_text) for p in route.params if draw(st.booleans())})
    query = {name: draw(url_text) for name in route.query if draw(st.booleans())}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    headers = {name: draw(st.sampled_from(HEADER_VALUES)) for name in HEADERS if draw(st.integers(0, 3)) == 0}
    body = None
    if route.method in ("POST", "PUT"):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            body = draw(st.sampled_from(RAW_BODIES))
        elif choice == 1:
            body = dumps(draw(mixed))
        else:
            fields = {name: draw(mixed) for name in route.fields if draw(st.booleans())}
            body = dumps({**(route.base or {}), **fields})
    return route, url, body, headers


@given(request=requests())
@example(request=(ROUTES[0], "/api/center", None, {"X-Device-Token": "\xed\xa0\x80"}))
@example(request=(next(r for r in ROUTES if r.path == "/api/admin/config/{section}"), "/api/admin/config/center",
                  b"[" * 1500 + b"]" * 1500, {"X-Config-Version": "99999999999999999999"}))
@example(request=(next(r for r in ROUTES if r.path == "/api/session" and r.method == "POST"), "/api/session",
                  dumps({"username": "an", "password": "\ud800", "counter": 1}), {}))
@example(request=(next(r for r in ROUTES if r.path == "/api/reports"), "/api/reports?period=week&date=9999-12-31",
                  None, {}))
@WIDE
def test_any_route_any_input(app, request):
    route, url, body, headers = request
    sender = once(app, "sender", lambda: Sender(app))
    sender.send(route, url, body, headers)
    assert sender.failures == [], sender.failures


payload_for = {event: st.one_of(mixed, st.fixed_dictionaries({}, optional={k: mixed for k in keys}))
               for event, keys in EVENTS.items()}


@given(data=st.data(), event=st.sampled_from(sorted(EVENTS)), who=st.sampled_from(["anonymous", "desk", "leader"]))
@WIDE
def test_any_event_any_payload_is_acknowledged(app, data, event, who):
    sockets = once(app, "sockets", lambda: {
        "anonymous": app.extensions["hangdoi"].socketio.test_client(app),
        "desk": app.extensions["hangdoi"].socketio.test_client(app, flask_test_client=signed_in(app, "an", counter=1)),
        "leader": app.extensions["hangdoi"].socketio.test_client(app, flask_test_client=signed_in(app, "giamsat"))})
    payload = data.draw(payload_for[event])
    before = state(app)
    reply = sockets[who].emit(event, payload, callback=True)
    assert isinstance(reply, dict) and "ok" in reply, (event, payload, reply)
    if not reply["ok"]:
        assert reply["error"] and reply["message"]
        assert state(app) == before
