"""Real Socket.IO displays for end-to-end tests (officers' consoles are tests/officer.py's `Officer`).

`Display` is shared_ui/live.js in Python: on every connect it subscribes and draws the snapshot, applies events
whose `seq` is the last one + 1, ignores older ones, and subscribes again on any other number. It reconnects by
itself with live.js's back-off; nothing outside it ever tells it to resync.
"""

from __future__ import annotations

import secrets
import threading
import time

import engineio
import socketio

# live.js: reconnect for ever, 0.5 s doubling to 5 s; an unanswered subscribe gives up after 8 s, retries 2 s later.
RECONNECTION_DELAY, RECONNECTION_DELAY_MAX = 0.5, 5
SUBSCRIBE_TIMEOUT, SUBSCRIBE_RETRY = 8.0, 2.0


def action_id() -> str:
    """A fresh action id, as live.js makes one (24 hex digits)."""
    return secrets.token_hex(12)


class _InOrderEngineIOClient(engineio.Client):
    """python-engineio's client runs each message's handler in a new thread, so two events that arrive back to
    back may be handled in either order. A browser handles them one at a time in arrival order; so does this
    (handlers therefore never block: acknowledgements are callbacks)."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)

    def _read_loop_websocket(self):
        # When the server drops the connection (restart, crash) the read loop ends without closing the websocket;
        # its socket would be left for the garbage collector (a ResourceWarning, an error under our filters).
        ws = self.ws
        try:
            super()._read_loop_websocket()
        finally:
            if ws is not None:
                ws.shutdown()


class InOrderClient(socketio.Client):
    """A socketio.Client whose events are handled in the order they arrived."""

    def _engineio_client_class(self):
        return _InOrderEngineIOClient


def reduced_state(snapshot_or_display) -> dict:
    """What a screen shows, in comparable form: per counter its status and current ticket, per service the
    number waiting, and the sequence number it is current to."""
    s = snapshot_or_display
    return {"seq": s["seq"], "waiting": dict(s["waiting"]),
            "counters": {c["number"]: (c["status"], c["officer"],
                                       (c["current"]["label"], c["current"]["state"]) if c["current"] else None)
                         for c in s["counters"]}}


class Display:
    """A lobby display (or any screen) following the live state the way shared_ui/live.js does."""

    screen = "display"

    def __init__(self, url: str, headers: dict | None = None, lose=None):
        """`lose(event) -> bool` simulates a lost message: the display never sees the events it selects."""
        self.url, self.headers, self.lose = url, headers or {}, lose
        self.sio = InOrderClient(reconnection_delay=RECONNECTION_DELAY, reconnection_delay_max=RECONNECTION_DELAY_MAX,
                                 handle_sigint=False)
        self.changed = threading.Condition(threading.RLock())
        self.last_seq = None  # None until a snapshot has been drawn
        self.syncing = False
        self.attempt = 0  # numbers subscribe attempts; an answer to an abandoned one is ignored
        self.pending = []
        self.counters: dict[int, dict] = {}
        self.waiting: dict[str, int] = {}
        self.received = []  # every queue_event as it arrived (lost ones excluded), before it is applied
        self.snapshots = []  # the seq of every snapshot drawn
        self.errors = []
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("queue_event", self._on_event)

    # ----- life -----------------------------------------------------------------------------------------------

    def start(self):
        self.sio.connect(self.url, headers=self.headers, transports=["websocket"], wait_timeout=10)
        return self

    def close(self):
        self.sio.shutdown()

    def wait(self, predicate, timeout: float = 5.0) -> bool:
        """Wait until predicate(self) holds; False on timeout."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.05))
            return True

    def synced(self, seq: int | None = None) -> bool:
        with self.changed:
            return self.last_seq is not None and (seq is None or self.last_seq >= seq)

    @property
    def connected(self) -> bool:
        return self.sio.connected and "/" in self.sio.namespaces

    def state(self) -> dict | None:
        with self.changed:
            if self.last_seq is None:
                return None
            return reduced_state({"seq": self.last_seq, "waiting": self.waiting,
                                  "counters": [self.counters[n] for n in sorted(self.counters)]})

    def calls(self) -> list[dict]:
        """The ticket_called events as they arrived."""
        with self.changed:
            return [e for e in self.received if e["kind"] == "ticket_called"]

    # ----- the algorithm of live.js -----------------------------------------------------------------------------

    def _on_connect(self):
        self.resync()

    def _on_disconnect(self, reason=None):
        # socket.io-client fails the acknowledgements still pending when the socket drops; the reconnect then
        # starts a fresh subscribe instead of waiting 8 s for an answer that cannot come.
        with self.changed:
            self.attempt += 1
            self.syncing = False

    def resync(self):
        with self.changed:
            if self.syncing:
                return
            self.syncing = True
            self.last_seq = None
            self.attempt += 1
            attempt = self.attempt
        timer = threading.Timer(SUBSCRIBE_TIMEOUT, self._no_answer, (attempt,))
        timer.daemon = True
        timer.start()
        try:
            self.sio.emit("subscribe", self._subscribe_payload(), callback=lambda reply=None: self._answer(attempt,
                                                                                                          reply,
                                                                                                          timer))
        except socketio.exceptions.SocketIOError:  # dropped in between: the next connect subscribes again
            timer.cancel()
            with self.changed:
                if attempt == self.attempt:
                    self.syncing = False

    def _subscribe_payload(self) -> dict:
        return {"screen": self.screen}

    def _no_answer(self, attempt):
        with self.changed:
            if attempt != self.attempt or not self.syncing:
                return
            self.attempt += 1
            self.syncing = False

        def again():
            if self.connected:
                self.resync()

        retry = threading.Timer(SUBSCRIBE_RETRY, again)
        retry.daemon = True
        retry.start()

    def _answer(self, attempt, reply, timer):
        timer.cancel()
        with self.changed:
            if attempt != self.attempt:
                return
            self.syncing = False
            if not reply or not reply.get("ok"):
                self.errors.append(("subscribe refused", reply))
                return
            self._draw(reply["snapshot"])
            queued, self.pending = self.pending, []
            for event in queued:
                self._apply(event)
            self.changed.notify_all()

    def _on_event(self, event):
        if self.lose and self.lose(event):
            return
        with self.changed:
            self.received.append(event)
            self._apply(event)
            self.changed.notify_all()

    def _apply(self, event):
        if self.last_seq is None:
            self.pending.append(event)
            return
        if event["seq"] <= self.last_seq:  # already part of the snapshot
            return
        if event["seq"] != self.last_seq + 1:  # a message was lost: the snapshot is the truth
            self.resync()
            return
        self.last_seq = event["seq"]
        try:
            self._show(event)
        except Exception as exc:  # noqa: BLE001 - a handler error would otherwise vanish into the client's logger
            self.errors.append((event, repr(exc)))

    # ----- drawing -------------------------------------------------------------------------------------------------

    def _draw(self, snapshot):
        self.last_seq = snapshot["seq"]
        self.snapshots.append(snapshot["seq"])
        self.counters = {c["number"]: c for c in snapshot["counters"]}
        self.waiting = dict(snapshot["waiting"])

    def _show(self, event):
        kind = event["kind"]
        if kind.startswith("counter_"):
            self.counters[event["counter"]["number"]] = event["counter"]
            return
        if "waiting" in event and event.get("service_code") in self.waiting:
            self.waiting[event["service_code"]] = event["waiting"]
        number = event.get("counter_number")
        if number not in self.counters:
            return
        counter = dict(self.counters[number])
        if kind in ("ticket_called", "ticket_recalled", "service_started", "ticket_resumed"):
            counter["current"] = {"label": event["label"], "state": event["state"]}
        elif kind in ("ticket_finished", "ticket_no_show", "ticket_parked", "ticket_transferred"):
            counter["current"] = None
        self.counters[number] = counter


def close_all(clients):
    """Close displays and consoles side by side: under gevent the server leaves about half of the websocket close
    handshakes unanswered, and websocket-client then waits 3 s for each."""
    threads = [threading.Thread(target=client.close) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def fresh_snapshot(url: str) -> dict:
    """A snapshot taken by a new client that connects, subscribes once and leaves (without waiting to be gone)."""
    sio = socketio.Client(handle_sigint=False)
    sio.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        reply = sio.call("subscribe", {"screen": "display"}, timeout=10)
    finally:
        threading.Thread(target=sio.shutdown, daemon=True).start()
    assert reply["ok"], reply
    return reply["snapshot"]
