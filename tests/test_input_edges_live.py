"""The socket part of tests/test_input_edges.py against the real server process (eventlet): every hostile payload
to every documented event is acknowledged over a real websocket, and the server still answers afterwards."""

from __future__ import annotations

import json

import pytest
import socketio

from tests.hostile import EVENTS, HOSTILE_VALUES, nested

pytestmark = pytest.mark.live


def test_every_event_is_acknowledged_by_the_real_server(live_server):
    sio = socketio.Client(handle_sigint=False)
    sio.connect(live_server.url, transports=["websocket"], wait_timeout=10)
    calls = unanswered = 0
    try:
        for event in [*EVENTS, "no_such_event"]:
            for payload in [None, json.loads(nested(200)), *HOSTILE_VALUES,
                            *({key: value} for key in EVENTS.get(event, ())[:3] for value in HOSTILE_VALUES[::3])]:
                calls += 1
                reply = sio.call(event, payload, timeout=10)
                if not (isinstance(reply, dict) and (reply.get("ok") or reply.get("error") and reply.get("message"))):
                    unanswered += 1
        assert sio.call("subscribe", {"screen": "display"}, timeout=10)["ok"]
    finally:
        sio.disconnect()
    assert unanswered == 0 and calls > 300
