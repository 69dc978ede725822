"""Socket.IO: the one place where the core's events become broadcasts, and the handlers screens talk to.

Rooms: `screens` (lobby and counter displays, consoles, tablets: they all receive every queue event, so a gap in
sequence numbers always means a missed message), `service:<code>` and `ticket:<token>` (phones following a
ticket). A screen subscribes with an acknowledgement that returns a snapshot and its sequence number, then
applies events with a higher number; on a gap it subscribes again. Protocol: docs/API.md.
"""

from __future__ import annotations

import logging

from flask import session
from flask_socketio import SocketIO, join_room, leave_room, rooms

from ..core import desk
from ..core.announcements import call_clips, call_text
from ..core.events import Event
from ..core.queue import QueueRefused
from . import Runtime, runtime
from .api import phone_ticket

log = logging.getLogger("hangdoi.events")
SCREENS = ("display", "counter_display", "console", "tablet", "supervisor")


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
    """Sends each committed event to the rooms that care about it, in commit order."""

    def __init__(self, socketio: SocketIO):
        self.socketio = socketio

    def publish(self, events: list[Event]):
        for event in events:
            log.info("event", extra={"seq": event.seq, "kind": event.kind, "label": event.payload.get("label"),
                                     "counter": event.counter_number})
            message = event.public()
            spoken = announcement(event)
            if spoken:
                message["announcement"] = spoken
            self.socketio.emit("queue_event", message, to="screens")
            if event.service_code is not None:
                self.socketio.emit("service_event", {"seq": event.seq, "kind": event.kind,
                                                     "service_code": event.service_code},
                                   to=f"service:{event.service_code}")
            if event.ticket_token is not None:
                self.socketio.emit("ticket_event", message, to=f"ticket:{event.ticket_token}")
            if event.detail is not None:  # a "Không hài lòng": supervisors see who, where and why at once
                self.socketio.emit("alert", {**message, **event.detail}, to="supervisors")


def refusal(exc: QueueRefused) -> dict:
    return {"ok": False, "error": exc.code, "message": exc.message}


def signed_in() -> tuple[str | None, int | None]:
    """The officer and counter of this socket's session (set by the sign-in page)."""
    return session.get("officer"), session.get("counter")


def register_handlers(socketio: SocketIO, rt: Runtime):
    """Attach the Socket.IO event handlers."""

    @socketio.on("subscribe")
    def subscribe(data):
        """A screen (re)starts: join the rooms, get the snapshot to draw from."""
        screen = data.get("screen") if isinstance(data, dict) else None
        if screen not in SCREENS:
            return {"ok": False, "error": "bad_request", "message": "Loại màn hình không hợp lệ."}
        officer, counter = signed_in()
        if screen == "console" and (officer is None or counter is None):
            return {"ok": False, "error": "not_signed_in", "message": "Phiên đăng nhập đã hết; mời đăng nhập lại."}
        if screen == "supervisor":
            account = runtime().center.officer(officer or "")
            if account is None or not account.supervises:
                return {"ok": False, "error": "forbidden", "message": "Chỉ lãnh đạo, giám sát được xem màn hình này."}
            join_room("supervisors")
        join_room("screens")  # before the snapshot: nothing committed after it can be missed
        snapshot = runtime().queue.snapshot()
        if screen == "console":
            snapshot["console"] = console_state(counter)
        return {"ok": True, "snapshot": snapshot}

    def console_state(counter):
        q = runtime().queue
        return {"counter": next(c for c in q.counters_overview() if c["number"] == counter),
                "stats": q.counter_stats(counter)}

    @socketio.on("console_state")
    def console_refresh(_data=None):
        """The console's own view: its counter, queue lengths, served today, mean wait."""
        officer, counter = signed_in()
        if officer is None:
            return {"ok": False, "error": "not_signed_in", "message": "Phiên đăng nhập đã hết; mời đăng nhập lại."}
        return {"ok": True, "console": console_state(counter)}

    @socketio.on("counter_action")
    def counter_action(data):
        """One console action (call next, recall, …), applied at most once per action id."""
        officer, counter = signed_in()
        if officer is None:
            return {"ok": False, "error": "not_signed_in", "message": "Phiên đăng nhập đã hết; mời đăng nhập lại."}
        if not isinstance(data, dict):
            return {"ok": False, "error": "bad_request", "message": "Yêu cầu không hợp lệ."}
        try:
            outcome = desk.perform(runtime().queue, data.get("action_id"), counter, officer, data.get("action"),
                                   data.get("params", {}))
        except QueueRefused as exc:
            return refusal(exc)
        return outcome.result

    @socketio.on("rate")
    def rate(data):
        """A tablet's rating, acknowledged once stored; the same client id sent again is not counted twice."""
        if not isinstance(data, dict):
            return {"ok": False, "error": "bad_request", "message": "Yêu cầu không hợp lệ."}
        try:
            outcome = runtime().ratings.rate_at_counter(
                data.get("counter"), data.get("label"), data.get("level"), data.get("reasons") or [],
                data.get("comment"), client_id=data.get("client_id"), service_date=data.get("service_date"),
                device=data.get("device") if isinstance(data.get("device"), str) else None)
        except QueueRefused as exc:
            return refusal(exc)
        return {"ok": True, "rating": outcome.result}

    @socketio.on("follow_ticket")
    def follow_ticket(data):
        """A phone follows one ticket: it joins the ticket's and its service's rooms and gets the status."""
        token = data.get("token") if isinstance(data, dict) else None
        try:
            ticket = phone_ticket(token)
        except QueueRefused as exc:
            return refusal(exc)
        service_room = f"service:{ticket['service_code']}"
        for room in rooms():
            if room.startswith("service:") and room != service_room:  # the ticket moved to another service
                leave_room(room)
        join_room(f"ticket:{token}")
        join_room(service_room)
        return {"ok": True, "ticket": ticket}
