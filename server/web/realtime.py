"""Socket.IO: the one place where the core's events become broadcasts, and the handlers screens talk to.

How an action reaches the sockets (docs/ARCHITECTURE.md): a handler or view calls the core; the core records its
events in its write transaction; after COMMIT the store calls its commit listeners (server/core/store.py), and
`broadcast_commits` registers this module's Broadcaster as one at start-up. So a broadcast never comes from the
handler that acted: it comes from the commit, for every write whoever made it (a console, a kiosk batch, the day
close, an admin's feedback note), in sequence order, once. Handlers answer their caller with the Outcome's
`result` and never emit its `events`. The one message that is not a queue event, `center_changed` (a new
configuration, no sequence number), is sent by `announce_center_changed`, called by the admin's save and by the
follower of versions another process stored.

Rooms: `screens` (lobby and counter displays, consoles, tablets: they all receive every queue event, so a gap in
sequence numbers always means a missed message), `service:<code>` and `ticket:<token>` (phones following a
ticket). A screen subscribes with an acknowledgement that returns a snapshot and its sequence number, then
applies events with a higher number; on a gap it subscribes again. Protocol: docs/API.md.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from flask import request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room, leave_room, rooms

from ..core import desk
from ..core.announcements import call_clips, call_text
from ..core.events import Event
from ..core.phone import ticket_for_phone
from ..core.queue import QueueRefused
from ..core.ratings import is_int
from ..core.store import Store
from . import Runtime, edge, runtime
from .auth import session_state, signed_in_account, signed_out_refusal
from .device_auth import NOT_PAIRED, device_required
from .edge import refusal

log = logging.getLogger("hangdoi.events")
SCREENS = ("display", "counter_display", "console", "tablet", "supervisor")
# The device kind each unattended screen needs when pairing is required (consoles and supervisors sign in).
SCREEN_DEVICES = {"display": ("display",), "counter_display": ("counter_display",), "tablet": ("tablet",)}
UPCOMING_SHOWN = 4  # next numbers per service a lobby display lists under "ĐANG CHỜ"


def announcement(event: Event) -> dict | None:
    """The voice line of a call, recall or transfer to a counter, as text and as the clips that speak it."""
    p = event.payload
    if event.kind == "ticket_called":
        kind, counter = ("priority" if p["priority"] else "call"), p["counter_number"]
    elif event.kind == "ticket_recalled":
        kind, counter = "recall", p["counter_number"]
    elif event.kind == "ticket_transferred" and p.get("to_counter"):
        kind, counter = "transfer", p["to_counter"]
    else:
        return None
    return {"kind": kind, "text": call_text(p["label"], counter, kind), "clips": call_clips(p["label"], counter, kind)}


class Broadcaster:
    """Sends each committed event to the rooms that care about it: the store's commit listener
    (`broadcast_commits`). It runs inside Store.write right after COMMIT, under the store's lock, so transactions
    are broadcast in the order of their sequence numbers, each once, and a rolled-back one never (a screen that
    missed one sees the gap in sequence numbers and subscribes again). Emitting only queues packets for each
    connection, so the lock is not held over the network."""

    def __init__(self, socketio: SocketIO):
        self.socketio = socketio

    def publish(self, events: list[Event]):
        """Broadcast one committed transaction's events (a batch of kiosks' tickets is one transaction)."""
        # One log line per committed transaction (a batch of kiosks is one), each event as [seq, kind, label,
        # counter]: the events table holds the full record, the log says what happened when.
        log.info("events", extra={"events": [[e.seq, e.kind, e.payload.get("label"), e.counter_number]
                                             for e in events]})
        for event in events:
            message = event.public()
            spoken = announcement(event)
            if spoken:
                message["announcement"] = spoken
            self.socketio.emit("queue_event", message, to="screens")
            # An event about several services (`bookings_due`: booked citizens now go ahead in each) reaches the
            # phones following a ticket of any of them: their place changed.
            for service_code in ([event.service_code] if event.service_code is not None
                                 else event.payload.get("service_codes", ())):
                self.socketio.emit("service_event", {"seq": event.seq, "kind": event.kind,
                                                     "service_code": service_code},
                                   to=f"service:{service_code}")
            if event.ticket_token is not None and event.kind != "ticket_issued":  # nobody follows it yet
                self.socketio.emit("ticket_event", message, to=f"ticket:{event.ticket_token}")
            if event.detail is not None:  # supervisors see who, where and why at once: a "Không hài lòng" is an
                # `alert`, a change in the feedback inbox its own `feedback_changed` (who, the note)
                self.socketio.emit("alert" if event.kind == "rating_recorded" else event.kind,
                                   {**message, **event.detail}, to="supervisors")


def broadcast_commits(store: Store, socketio: SocketIO) -> Broadcaster:
    """Make every committed transaction's events broadcasts (create_app does this once): THE path from the core
    to the sockets."""
    broadcaster = Broadcaster(socketio)
    store.on_commit(broadcaster.publish)
    return broadcaster


def announce_center_changed(socketio: SocketIO, version: int | None):
    """Tell every connected socket, subscribed or not, that the configuration changed: displays, consoles and
    tablets subscribe again and refetch; kiosks and phones may be in no room. Not a queue event (no sequence
    number: a configuration is versioned on its own). Called after Runtime.set_center has put it to work."""
    socketio.emit("center_changed", {"version": version})


class DeviceSockets:
    """Which Socket.IO connections belong to which paired device, so revoking a device closes them at once."""

    def __init__(self, socketio: SocketIO):
        self.socketio = socketio
        self.by_device: dict[int, set[str]] = defaultdict(set)
        self.device_of: dict[str, object] = {}

    def add(self, sid: str, device):
        self.by_device[device.id].add(sid)
        self.device_of[sid] = device

    def remove(self, sid: str):
        device = self.device_of.pop(sid, None)
        if device is not None:
            self.by_device[device.id].discard(sid)
            if not self.by_device[device.id]:
                del self.by_device[device.id]

    def device(self, sid: str):
        return self.device_of.get(sid)

    def count(self, device_id: int) -> int:
        return len(self.by_device.get(device_id, ()))

    def cut_off(self, device_id: int):
        """Tell the device why, then close each of its connections (it will be refused if it reconnects)."""
        for sid in list(self.by_device.get(device_id, ())):
            self.socketio.emit("device_revoked", {"message": NOT_PAIRED}, to=sid)
            self.socketio.server.disconnect(sid, namespace="/")
            self.remove(sid)


def signed_in() -> tuple[str | None, int | None]:
    """The officer and counter of this socket's stored session, looked up at every action: a session ended since
    the socket connected (sign-out, password reset, account removed…) gives (None, None), refused as
    `session_ended` by `signed_out_refusal`."""
    current, _ = session_state()
    return (current.username, current.counter) if current else (None, None)


def register_handlers(socketio: SocketIO, rt: Runtime):
    """Attach the Socket.IO event handlers. Every client → server event goes through `on` (server/web/edge.py):
    its payload is checked first and it is always acknowledged, with a refusal when it fails; an event this server
    does not know is refused too."""
    rt.device_sockets = DeviceSockets(socketio)
    on = edge.answering(socketio)
    socketio.on("*")(edge.unknown_event)
    socketio.on_error_default(edge.unexpected_socket_error)  # the last resort, for a handler registered otherwise
    socketio.server.packet_class = edge.CheckedPacket  # a payload too deep to decode is refused, not dropped

    @socketio.on("connect")
    def connect(auth=None):
        """A device token, when sent, must be valid: a revoked device stays cut off. Phones and signed-in
        consoles connect without one; what each may then do is checked per event."""
        token = auth.get("device") if isinstance(auth, dict) else None
        if token is not None and not (isinstance(token, str) and edge.text_problem(token) is None):
            raise ConnectionRefusedError("device_not_paired", NOT_PAIRED)  # no token is a number or half a text
        if token:
            device = runtime().devices.authenticate(token)
            if device is None:
                raise ConnectionRefusedError("device_not_paired", NOT_PAIRED)
            rt.device_sockets.add(request.sid, device)
            runtime().devices.seen(device)

    @socketio.on("disconnect")
    def disconnect(*_args):
        rt.device_sockets.remove(request.sid)

    def screen_device(screen, counter):
        """Refuse an unattended screen that is not a device of its kind paired for its counter."""
        if screen in SCREEN_DEVICES:
            device_required(rt.device_sockets.device(request.sid), SCREEN_DEVICES[screen], counter)

    @on("subscribe")
    def subscribe(data):
        """A screen (re)starts: join the rooms, get the snapshot to draw from."""
        screen = data.get("screen") if isinstance(data, dict) else None
        if screen not in SCREENS:
            return {"ok": False, "error": "bad_request", "message": "Loại màn hình không hợp lệ."}
        try:
            screen_device(screen, data.get("counter"))
        except QueueRefused as exc:
            return refusal(exc)
        officer, counter = signed_in()
        if screen == "console" and (officer is None or counter is None):
            return {"ok": False, **signed_out_refusal()}
        if screen == "supervisor":
            account = signed_in_account()
            if account is None:
                return {"ok": False, **signed_out_refusal()}
            if not account.supervises:
                return {"ok": False, "error": "forbidden", "message": "Chỉ lãnh đạo, giám sát được xem màn hình này."}
            join_room("supervisors")
        join_room("screens")  # before the snapshot: nothing committed after it can be missed
        snapshot = runtime().queue.snapshot()
        if screen == "console":
            snapshot["console"] = console_state(counter)
        return {"ok": True, "snapshot": snapshot}

    def console_state(counter):
        q = runtime().queue
        view = next(c for c in q.counters_overview() if c["number"] == counter)
        # Said while the officer holds the counter: a counter of another department than the officer's.
        warning = desk.department_warning(q.center, counter, view["officer"]) if view["status"] != "closed" else None
        return {"counter": view, "stats": q.counter_stats(counter),
                "department_warning": warning["to_officer"] if warning else None}

    @on("console_state")
    def console_refresh(_data=None):
        """The console's own view: its counter, what it may call (counts and the next five), its parked tickets,
        served today, mean wait, and a warning when the counter belongs to another department."""
        officer, counter = signed_in()
        if officer is None:
            return {"ok": False, **signed_out_refusal()}
        return {"ok": True, "console": console_state(counter)}

    @on("upcoming")
    def upcoming(_data=None):
        """The lobby display's waiting panel: every service with people waiting and its next numbers, in the order
        call next takes them (Queue.upcoming_by_service), with the sequence number the answer is current to."""
        screen_device("display", None)   # refused as any other core refusal (edge.acknowledged)
        return {"ok": True, **runtime().queue.upcoming_by_service(UPCOMING_SHOWN)}

    @on("counter_action")
    def counter_action(data):
        """One console action (call next, recall, …), applied at most once per action id."""
        officer, counter = signed_in()
        if officer is None:
            return {"ok": False, **signed_out_refusal()}
        if not isinstance(data, dict):
            return {"ok": False, "error": "bad_request", "message": "Yêu cầu không hợp lệ."}
        try:
            outcome = desk.perform(runtime().queue, data.get("action_id"), counter, officer, data.get("action"),
                                   data.get("params", {}))
        except QueueRefused as exc:
            return refusal(exc)
        return outcome.result

    @on("rate")
    def rate(data):
        """A tablet's rating, acknowledged once stored; the same client id sent again is not counted twice."""
        if not isinstance(data, dict):
            return {"ok": False, "error": "bad_request", "message": "Yêu cầu không hợp lệ."}
        try:
            counter = data.get("counter")  # a tablet rates only for its own counter (a non-number is a 400)
            screen_device("tablet", counter if is_int(counter) else None)
            outcome = runtime().ratings.rate_at_counter(
                counter, data.get("label"), data.get("level"), data.get("reasons"),
                data.get("comment"), client_id=data.get("client_id"), service_date=data.get("service_date"),
                device=data.get("device") if isinstance(data.get("device"), str) else None,
                timed_out=data.get("timed_out", False))
        except QueueRefused as exc:
            return refusal(exc)
        except Exception:
            log.exception("rate failed")
            return {"ok": False, "error": "internal_error",
                    "message": "Hệ thống đang bận, vui lòng thử lại hoặc liên hệ cán bộ hướng dẫn."}
        return {"ok": True, "rating": outcome.result}

    @on("follow_ticket")
    def follow_ticket(data):
        """A phone follows one ticket: it joins the ticket's and its service's rooms and gets the status."""
        token = data.get("token") if isinstance(data, dict) else None
        try:
            ticket = ticket_for_phone(runtime().queue, runtime().ratings, token)
        except QueueRefused as exc:
            return refusal(exc)
        service_room = f"service:{ticket['service_code']}"
        for room in rooms():
            if room.startswith("service:") and room != service_room:  # the ticket moved to another service
                leave_room(room)
        join_room(f"ticket:{token}")
        join_room(service_room)
        return {"ok": True, "ticket": ticket}
