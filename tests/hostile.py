"""Hostile input for every documented route and Socket.IO event (docs/API.md), shared by tests/test_fuzz.py (the
random part) and tests/test_input_edges.py (the explicit examples).

A value class is what a careless or malicious client sends: lone surrogates, NUL and control characters, very long
strings, deep nesting, integers beyond SQLite's range, NaN and Infinity, wrong types, impossible or extreme dates,
empty and non-JSON bodies, malformed headers. Each goes into every field, path parameter, query parameter and
header a route reads; nothing may answer a 500, and every socket event must be acknowledged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from tests.test_realtime import PASSWORD

DEEP = 1500  # the nesting the report used; Python's parser itself stops near 1,000
LONG = 100_000

# Values that survive json.dumps (the deep ones and the non-standard constants are raw bodies below).
HOSTILE_VALUES = [
    None, True, False, 0, -1, 1, 2**63, -(2**63) - 1, 99999999999999999999, 10**300, -(10**300), 1.5, -0.0,
    1e308, "", " ", "\ud800", "a\udfffb", "\udbff\udc00x\ud800", "\x00", "a\x00b", "\x01\x02\x1b\x7f\x9f",
    "\u202e\u200b\ufeff", "x" * LONG, "9999-12-31", "0001-01-01", "2026-02-30", "0000-00-00", "2026-11-23",
    "²", "٣", "1e5", "-1", "99999999999999999999", "NaN", "../../etc/passwd", "<script>alert(1)</script>",
    "=HYPERLINK(\"x\")", "Asia/Ho_Chi_Minh" * 300, [], {}, [1, "a", None], {"a": "\ud800"},
    {"x": {"y": {"z": [{"w": 1}]}}},
]



def nested(depth: int, inner: str = "1") -> str:
    """JSON nested `depth` levels deep, written directly (json.dumps itself stops near 1,000)."""
    return "[" * depth + inner + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


HOSTILE_VALUES.append(json.loads(nested(40, '"deep"')))  # deep, yet within what json.dumps writes

# Bodies that are not (standard, sane) JSON, as bytes on the wire.
RAW_BODIES = [
    b"", b" ", b"null", b"0", b'"text"', b"[]", b"{", b"{]", b"\xff\xfe\x00", b"\xed\xa0\x80",
    b'{"a": "\xed\xa0\x80"}', b'"\\ud800"', b'{"comment": "\\ud800"}', b'{"\\udfff": 1}', b"NaN",
    b'{"level": NaN}', b'{"counter": Infinity}', b'{"counter": -Infinity}', b'{"counter": 1e999}',
    b'{"counter": ' + b"9" * 5000 + b"}", b'{"counter": 123456789012345678901234567890}',
    nested(DEEP).encode(), nested(900).encode(), nested_objects(DEEP).encode(), nested_objects(200).encode(),
    b'{"a": ' + nested(DEEP).encode() + b"}", b"\x00" * 10, "{\"name\": \"Tên\"}".encode("utf-16"),
    b"x" * 70_000,
]

# Header values as a real server hands them to the app: bytes decoded as latin-1 (never a surrogate).
HEADER_VALUES = [
    "", " ", "0", "-1", "1.5", "99999999999999999999", "9" * 5000, "²", "\xb2", "١٢", "abc", "\x00", "a\x7fb",
    "é", "Tiếng Việt".encode().decode("latin-1"), "\xed\xa0\x80", "x" * 8000, "1" * 19, str(2**63), str(2**63 - 1),
]
HEADERS = ("X-Config-Version", "X-Device-Token", "X-CSRF-Token")

# Strings for path parameters and query parameters, as a client writes them into a URL (percent-encoded bytes;
# %ED%A0%80 is a surrogate's UTF-8 form, which the server must read as invalid UTF-8).
URL_VALUES = [
    "", "0", "-1", "1", "99999999999999999999", "9" * 5000, "%ED%A0%80", "a%00b", "%00", "%01%1F%7F",
    "%C3%A9", "%FF%FE", "9999-12-31", "0001-01-01", "2026-02-30", "2026-11-23", "²", "..", "x" * 5000,
    "%F0%9F%98%80", "a,b,,c", "NaN", "Infinity", "1e9", "%20",
]


@dataclass(frozen=True)
class Route:
    """One documented route: method, path with `{name}` parameters, who calls it, what it reads."""

    method: str
    path: str
    who: str | None = None  # None: anonymous; "officer", "supervisor", "admin": a signed-in session
    fields: tuple = ()  # JSON body keys
    query: tuple = ()  # query parameter names
    base: dict | None = None  # a body that would be valid (one field at a time is replaced)
    defaults: dict = field(default_factory=dict)  # path parameters when not the one being varied

    def url(self, **params) -> str:
        values = {**self.defaults, **params}
        return self.path.format(**values)

    @property
    def params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{") and part.endswith("}")]

    def __str__(self):
        return f"{self.method} {self.path}"


TICKET_FIELDS = ("service_code", "priority_group", "channel", "device")
RATING_FIELDS = ("client_id", "counter", "label", "level", "reasons", "comment", "service_date", "timed_out",
                 "device")
REPORT_QUERY = ("period", "date", "last", "group_by", "precision", "format", "table", "dialect")
FEEDBACK_QUERY = ("state", "first", "last", "department", "service", "counter", "officer", "dissatisfied", "limit",
                  "offset")
CONFIG_SECTIONS = ("center", "hours", "queue", "departments", "counters", "officers", "priority_groups", "rating")

# Every route of docs/API.md, plus the pages (they take path parameters too).
ROUTES = [
    Route("GET", "/api/center"),
    Route("POST", "/api/tickets", fields=TICKET_FIELDS, base={"service_code": "ly-lich"}),
    Route("GET", "/api/tickets/{token}", defaults={"token": "x"}),
    Route("POST", "/api/tickets/{token}/cancel", defaults={"token": "x"}),
    Route("GET", "/api/tickets/{token}/ticket.png", defaults={"token": "x"}),
    Route("GET", "/api/tickets/{token}/qr.svg", defaults={"token": "x"}),
    Route("POST", "/api/tickets/{token}/rating", fields=("level", "reasons", "comment"), defaults={"token": "x"},
          base={"level": 1}),
    Route("POST", "/api/ratings", fields=RATING_FIELDS,
          base={"client_id": "fuzz-0001", "counter": 1, "label": "A001", "level": 1}),
    Route("GET", "/api/queue"),
    Route("GET", "/api/session"),
    Route("POST", "/api/session", fields=("username", "password", "counter"),
          base={"username": "cuong", "password": "sai-mat-khau", "counter": 3}),
    Route("DELETE", "/api/session", who="officer"),
    Route("POST", "/api/devices/pairing", fields=("kind", "counter"), base={"kind": "kiosk"}),
    Route("GET", "/api/devices/pairing/{pairing}", defaults={"pairing": "x"}),
    Route("GET", "/api/devices/me"),
    Route("GET", "/api/admin/devices", who="admin"),
    Route("POST", "/api/admin/devices/approve", who="admin", fields=("code", "name", "counter"),
          base={"code": "000000"}),
    Route("POST", "/api/admin/devices/reject", who="admin", fields=("code",), base={"code": "000000"}),
    Route("POST", "/api/admin/devices/{device_id}/revoke", who="admin", defaults={"device_id": "1"}),
    Route("GET", "/api/reports", who="supervisor", query=REPORT_QUERY),
    Route("GET", "/api/reports/comments", who="supervisor", query=REPORT_QUERY),
    Route("GET", "/api/reports/export", who="supervisor", query=REPORT_QUERY),
    Route("GET", "/api/reports/timeline", who="supervisor",
          query=("date", "format", "dialect", "table", "department", "service")),
    Route("GET", "/api/feedback", who="supervisor", query=FEEDBACK_QUERY),
    Route("GET", "/api/feedback/{item_id}", who="supervisor", defaults={"item_id": "1"}),
    Route("GET", "/api/feedback/summary", who="supervisor"),
    Route("GET", "/api/feedback/filters", who="supervisor"),
    Route("POST", "/api/feedback/{item_id}/{change}", who="supervisor", fields=("note",),
          defaults={"item_id": "1", "change": "take"}, base={"note": "Đã gọi lại"}),
    Route("GET", "/api/admin/config", who="admin"),
    Route("PUT", "/api/admin/config/{section}", who="admin", defaults={"section": "center"},
          fields=("name", "address", "notice", "timezone"),
          base={"name": "Trung tâm", "timezone": "Asia/Ho_Chi_Minh"}),
    Route("PUT", "/api/admin/config/{section}", who="admin", defaults={"section": "queue"},
          fields=("priority_policy", "priority_every", "no_show_min_calls", "no_show_min_seconds",
                  "default_service_minutes", "default_target_wait_minutes"),
          base={"priority_policy": "interleave"}),
    Route("PUT", "/api/admin/config/{section}", who="admin", defaults={"section": "hours"},
          fields=("working_days", "sessions", "holidays", "stop_issuing_minutes_before_end"),
          base={"working_days": ["T2"], "sessions": [{"start": "00:00", "end": "24:00"}]}),
    Route("PUT", "/api/admin/config/{section}", who="admin", defaults={"section": "rating"},
          fields=("scale", "reasons", "reason_required", "official"), base={"scale": 3}),
    Route("POST", "/api/admin/officers/{username}/password", who="admin", fields=("password",),
          defaults={"username": "binh"}, base={"password": "x"}),
    Route("GET", "/api/admin/audit", who="admin", query=("before",)),
    Route("GET", "/api/overview", who="supervisor"),
    Route("GET", "/api/ping"),
    Route("POST", "/api/ping"),
    Route("GET", "/api/admin/sessions", who="admin"),
    Route("POST", "/api/admin/officers/{username}/sign-out", who="admin", defaults={"username": "an"}),
    Route("POST", "/api/admin/sign-in-locks/clear", who="admin", fields=("key",), base={"key": "account:an"}),
    Route("GET", "/api/search", query=("q",)),
    Route("GET", "/api/services/availability"),
    Route("GET", "/api/guidance/numbers"),
    # Bookings and remote numbers (a center without [appointments] refuses them; tests/test_booking_api.py sends
    # these values to a center that takes bookings).
    Route("GET", "/api/appointments/status"),
    Route("GET", "/api/appointments/options"),
    Route("GET", "/api/appointments/slots", query=("service", "date")),
    Route("POST", "/api/appointments", fields=("service_code", "date", "slot", "name", "phone")),
    Route("POST", "/api/appointments/lookup", fields=("code", "phone")),
    Route("GET", "/api/appointments/day", who="supervisor", query=("date",)),
    Route("GET", "/api/appointments/waiting", who="supervisor"),
    Route("GET", "/api/appointments/{token}", defaults={"token": "x"}),
    Route("POST", "/api/appointments/{token}/cancel", defaults={"token": "x"}),
    Route("POST", "/api/appointments/{token}/move", fields=("date", "slot"), defaults={"token": "x"}),
    Route("GET", "/api/appointments/{token}/qr.svg", defaults={"token": "x"}),
    Route("POST", "/api/remote-tickets", fields=("service_code", "name", "phone")),
    Route("POST", "/api/checkin", fields=("code", "token")),
    Route("GET", "/healthz"),
    Route("GET", "/voice/{key}.wav", defaults={"key": "chime"}),
    Route("GET", "/vendor/{name}", defaults={"name": "socket.io.min.js"}),
    Route("GET", "/ui/{screen}/{name}", defaults={"screen": "shared", "name": "base.css"}),
    Route("GET", "/kiosk/print/{token}", defaults={"token": "x"}),
    Route("GET", "/t/{token}", defaults={"token": "x"}),
    Route("GET", "/display/counter/{number}", defaults={"number": "1"}),
    Route("GET", "/tablet/{number}", defaults={"number": "1"}),
    Route("GET", "/hen/{token}", defaults={"token": "x"}),
]

# Every client → server event of docs/API.md with the keys its payload reads.
EVENTS = {
    "subscribe": ("screen", "counter"),
    "console_state": (),
    "counter_action": ("action_id", "action", "params"),
    "follow_ticket": ("token",),
    "rate": RATING_FIELDS,
    "overview": (),
}
ACTIONS = ("open", "close", "pause", "resume", "call_next", "call_ticket", "recall", "start", "finish", "no_show",
           "park", "resume_parked", "transfer")
ACTION_PARAMS = ("reason", "label", "to_service", "to_counter")


def sign_in(app, username: str, **extra):
    """A test client signed in as `username` (supervisors and admins need no counter)."""
    app.extensions["hangdoi"].accounts.set_password(username, PASSWORD)
    client = app.test_client()
    response = client.post("/api/session", json={"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.get_json()
    return client


STRANGER = "198.51.100.7"  # the anonymous client's address (TEST-NET-2)
SESSION_USERS = {"officer": ("an", {"counter": 1}), "supervisor": ("giamsat", {}), "admin": ("quantri", {})}


class Sender:
    """Sends requests the way a client on the network would and keeps count of every answer's status."""

    def __init__(self, app):
        self.app = app
        self.clients = {}
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []

    def client(self, who):
        if who not in self.clients:
            if who is None:  # from another address than the sessions': failed sign-ins lock an address out
                self.clients[who] = self.app.test_client()
                self.clients[who].environ_base["REMOTE_ADDR"] = STRANGER
            else:
                username, extra = SESSION_USERS[who]
                self.clients[who] = sign_in(self.app, username, **extra)
        return self.clients[who]

    def send(self, route: Route, url: str, body: bytes | None = None, headers: dict | None = None,
             what: str = ""):
        client = self.client(route.who)
        kwargs = {"headers": headers or {}}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        response = client.open(url, method=route.method, **kwargs)
        self.record(response, f"{route} {url[:80]!r} {what}")
        response.close()  # a file's answer (a voice clip, a page) holds the file open until closed
        return response

    def record(self, response, what: str):
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.failures.append(f"{status} {what}: {response.get_data()[:300]!r}")
        elif status >= 400 and response.mimetype == "application/json":
            body = response.get_json()
            if not (body.get("error") and body.get("message")):
                self.failures.append(f"{status} without error/message {what}: {body!r}")

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


def dumps(value) -> bytes:
    """A JSON body as a client library writes it (surrogates escaped as \\udxxx, as JSON.stringify does)."""
    return json.dumps(value).encode()


def request_cases(route: Route):
    """Every (url, body, headers, what) the explicit examples send to one route."""
    url = route.url()
    for param in route.params:
        for value in URL_VALUES:
            yield route.url(**{param: value}), None if route.base is None else dumps(route.base), None, param
    for name in route.query:
        for value in URL_VALUES:
            yield f"{url}?{name}={value}", None, None, f"?{name}"
        yield f"{url}?{name}=a&{name}=b", None, None, f"?{name} twice"
    for name in HEADERS:
        for value in HEADER_VALUES:
            yield url, None if route.base is None else dumps(route.base), {name: value}, name
    if route.method in ("POST", "PUT"):
        for value in HOSTILE_VALUES:
            yield url, dumps(value), None, "whole body"
            for name in route.fields:
                yield url, dumps({**(route.base or {}), name: value}), None, name
        for raw in RAW_BODIES:
            yield url, raw, None, "raw body"


def quoted(value: str) -> str:
    return quote(value, safe="")
