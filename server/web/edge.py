"""Input checked once, at the edge: what every HTTP request body, header and Socket.IO message must be before a
view, a handler or the core sees it (docs/API.md, "Errors").

- Strings are text UTF-8 can carry: JSON's `\\ud800` escapes decode to lone surrogates, which SQLite, hashing and
  encoding then refuse deep inside the core. At most MAX_STRING characters.
- JSON nests at most MAX_DEPTH levels; numbers are finite; integers fit SQLite's 64-bit column.
- The headers the app reads are short printable ASCII; an integer in a path fits SQLite too.
- Every string that passes is handed on in NFC (server/core/names.py): a name typed decomposed is stored composed.

A value that breaks one of these is a `400 bad_request` over HTTP, the same refusal in a Socket.IO
acknowledgement. Socket.IO handlers registered through `answering` always acknowledge: a refusal, or
`internal_error` when something unexpected failed (logged once a minute per distinct error, server/logs.py).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from functools import wraps

from flask import request
from socketio.packet import Packet
from werkzeug.exceptions import NotFound

from ..core.center import storable_text
from ..core.names import composed
from ..core.queue import QueueRefused
from ..core.vietnamese import parse_day
from ..logs import repeated_errors
from .errors import BUSY_MESSAGE, BadRequest

log = logging.getLogger("hangdoi.edge")

# A configuration section, the deepest thing the API takes, nests 5 levels (departments → services → counters).
MAX_DEPTH = 16
# Longer than any text the API keeps (a comment is 500 characters, a note 1,000, a center's notice a few lines).
MAX_STRING = 20_000
# SQLite stores integers in 8 bytes: a larger one raises OverflowError wherever it is bound.
SQLITE_MIN, SQLITE_MAX = -(2**63), 2**63 - 1
# Headers the app reads; anything longer or other than printable ASCII is no token and no version number.
CHECKED_HEADERS = ("X-Config-Version", "X-Device-Token", "X-CSRF-Token")
MAX_HEADER = 256

BAD_TEXT = "Dữ liệu có ký tự không hợp lệ."
TOO_DEEP = "Dữ liệu lồng nhau quá sâu."
TOO_LONG = "Dữ liệu có chuỗi ký tự quá dài."
BAD_NUMBER = "Dữ liệu có số quá lớn hoặc không hợp lệ."
NOT_JSON = "Dữ liệu gửi lên phải là JSON."
INTERNAL_ERROR = {"ok": False, "error": "internal_error", "message": BUSY_MESSAGE}


def text_problem(text: str) -> str | None:
    """Why a string cannot be taken (a lone surrogate, too long), or None."""
    if len(text) > MAX_STRING:
        return TOO_LONG
    return None if storable_text(text) else BAD_TEXT


def fits_integer(number: int) -> bool:
    """Whether an integer can be bound as an SQLite parameter."""
    return SQLITE_MIN <= number <= SQLITE_MAX


def check(value) -> None:
    """Refuse decoded JSON (HTTP body, Socket.IO payload) that breaks the edge's rules; 400 bad_request."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise BadRequest(problem)
        elif isinstance(item, int):
            if not fits_integer(item):
                raise BadRequest(BAD_NUMBER)
        elif isinstance(item, float):
            if not math.isfinite(item):  # NaN, Infinity and 1e999 are not numbers any field takes
                raise BadRequest(BAD_NUMBER)
        elif isinstance(item, (list, dict)):
            if depth >= MAX_DEPTH:
                raise BadRequest(TOO_DEEP)
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
                item = item.values()
            stack.extend((inner, depth + 1) for inner in item)
        else:  # a Socket.IO binary attachment, or anything else JSON does not make
            raise BadRequest(NOT_JSON)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse(data: bytes):
    """Decoded and checked JSON (standard JSON only: NaN and Infinity are not), or 400 invalid_json / bad_request."""
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past what the parser follows
        raise BadRequest(NOT_JSON, "invalid_json") from None
    check(value)
    if isinstance(data, bytes) and data.isascii() and b"\\u" not in data:  # no letter to compose (a kiosk's request)
        return value
    return composed(value)  # every name in NFC, however the keyboard wrote it (core/names.py)


def check_request():
    """before_request: an integer in the path (`<int:device_id>`) beyond SQLite's range names nothing (404); a
    header the app reads is short printable ASCII, or the request is a 400 bad_request."""
    if any(isinstance(v, int) and not fits_integer(v) for v in (request.view_args or {}).values()):
        raise NotFound()
    if not request.path.startswith("/api/"):
        return
    for name in CHECKED_HEADERS:
        value = request.headers.get(name)
        if value is not None and (len(value) > MAX_HEADER or not value.isascii() or not value.isprintable()):
            raise BadRequest(f"Tiêu đề {name} không hợp lệ.")


def query_day(name: str, message: str, default: str | None = None) -> dt.date | None:
    """?name=YYYY-MM-DD as a date (None when absent and no default), or a 400 with `message`."""
    text = request.args.get(name) or default
    if text is None:
        return None
    day = parse_day(text)
    if day is None:
        raise BadRequest(message)
    return day


def refusal(exc: QueueRefused) -> dict:
    """A refusal as a socket acknowledgement (the same code and message as over HTTP)."""
    return {"ok": False, "error": exc.code, "message": exc.message}


def acknowledged(handler):
    """A client → server event handler that always answers: its payload checked first (bad_request), a core
    refusal as a refusal, anything unexpected as internal_error (logged, once a minute per distinct error)."""

    @wraps(handler)
    def answer(*args):
        data = args[0] if args else None  # a message sent without a payload, or with several, still gets an answer
        try:
            check(data)
            return handler(composed(data))
        except QueueRefused as exc:
            return refusal(exc)
        except Exception as exc:  # noqa: BLE001 — the client resends until it hears back: it must hear back
            return unexpected_socket_error(exc)

    return answer


def unexpected_socket_error(exc: Exception) -> dict:
    """Log an event handler's failure (throttled) and answer internal_error; also Flask-SocketIO's last resort."""
    event = getattr(request, "event", None) or {}
    repeated_errors.report(log, f"socket event {event.get('message')!r} failed", exc)
    return dict(INTERNAL_ERROR)


def unknown_event(event, *_args):
    """An event this server does not know (an older or newer screen) is refused rather than left unanswered."""
    return {"ok": False, "error": "unknown_event", "message": "Thao tác không được hỗ trợ."}


def answering(socketio):
    """`on(event)`: socketio.on for client → server events, each wrapped by `acknowledged`."""

    def on(event: str):
        def register(handler):
            socketio.on(event)(acknowledged(handler))
            return handler

        return register

    return on


class _Unreadable:
    """Stands for a Socket.IO payload that is not JSON: `check` refuses it (bad_request)."""


# The name at the start of an event packet's JSON array, `["subscribe", …`.
_EVENT_NAME = re.compile(r'\s*\[\s*("(?:[^"\\]|\\.){0,100}")')


def _loads_unreadable(text, **kwargs):
    """json.loads for Socket.IO packets: a payload Python's parser cannot follow (nested past ~1,000 levels) or
    that is not JSON still reaches its event's handler, as a value `check` refuses, so it is acknowledged with
    a refusal instead of dropped without an answer (the client would resend it for ever)."""
    try:
        return json.loads(text, **kwargs)
    except (ValueError, RecursionError) as exc:
        found = _EVENT_NAME.match(text) if isinstance(text, str) else None
        try:
            event = json.loads(found.group(1)) if found else ""
        except ValueError:
            event = ""
        payload = _TOO_DEEP if isinstance(exc, RecursionError) else _Unreadable()
        return [event, payload]  # an unknown (or empty) name reaches `unknown_event`


_TOO_DEEP = json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


class CheckedPacket(Packet):
    """python-socketio's packet, decoding with `_loads_unreadable` (set as the server's packet_class)."""

    json = type("UnreadableSafeJSON", (), {"dumps": staticmethod(json.dumps),
                                            "loads": staticmethod(_loads_unreadable)})
