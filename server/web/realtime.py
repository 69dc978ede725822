"""Socket.IO: the one place where the core's events become broadcasts, and the handlers screens talk to.

Rooms: `displays` (lobby screens), `counter:<n>` (a counter's display, console and tablet), `service:<code>`
(phones following a ticket of that service) and `ticket:<token>` (the phone of one ticket). Every event carries
the core's sequence number.
"""

from __future__ import annotations

from flask_socketio import SocketIO, join_room, leave_room, rooms

from ..core.events import Event
from ..core.queue import QueueRefused
from . import Runtime, runtime


class Broadcaster:
    """Sends each committed event to the rooms that care about it, in commit order."""

    def __init__(self, socketio: SocketIO):
        self.socketio = socketio

    def publish(self, events: list[Event]):
        for event in events:
            message = event.public()
            self.socketio.emit("queue_event", message, to="displays")
            if event.counter_number is not None:
                self.socketio.emit("queue_event", message, to=f"counter:{event.counter_number}")
            if event.service_code is not None:
                self.socketio.emit("service_event", {"seq": event.seq, "kind": event.kind,
                                                     "service_code": event.service_code},
                                   to=f"service:{event.service_code}")
            if event.ticket_token is not None:
                self.socketio.emit("ticket_event", message, to=f"ticket:{event.ticket_token}")


def refusal(exc: QueueRefused) -> dict:
    return {"ok": False, "error": exc.code, "message": exc.message}


def register_handlers(socketio: SocketIO, rt: Runtime):
    """Attach the Socket.IO event handlers."""

    @socketio.on("follow_ticket")
    def follow_ticket(data):
        """A phone follows one ticket: it joins the ticket's and its service's rooms and gets the status."""
        token = data.get("token") if isinstance(data, dict) else None
        try:
            ticket = runtime().queue.ticket_status(token)
        except QueueRefused as exc:
            return refusal(exc)
        service_room = f"service:{ticket['service_code']}"
        for room in rooms():
            if room.startswith("service:") and room != service_room:  # the ticket moved to another service
                leave_room(room)
        join_room(f"ticket:{token}")
        join_room(service_room)
        return {"ok": True, "ticket": ticket}
