"""The supervisors' live overview over Socket.IO (`overview`, asked by /admin/live every few seconds) and over HTTP
(GET /api/overview, for anything that cannot hold a socket). Only supervisors and admins see it.

The overview is a few indexed reads on the queue's own connection (about a millisecond), so it is answered in
place: handing it to the thread pool would cost more than it saves and would take the shared connection's lock
from another thread.
"""

from __future__ import annotations

from flask import Blueprint
from flask_socketio import SocketIO

from ..core.center import SUPERVISING_ROLES
from ..core.overview import live_overview
from . import edge, runtime
from .auth import role_required, signed_in_account

bp = Blueprint("overview", __name__, url_prefix="/api")

FORBIDDEN = "Chỉ lãnh đạo, giám sát được xem màn hình này."


@bp.get("/overview")
@role_required(*SUPERVISING_ROLES, message=FORBIDDEN)
def overview():
    """The same answer as the Socket.IO event; 401 without a session, 403 for an officer."""
    return {"ok": True, "overview": overview_now()}


def overview_now() -> dict:
    """The overview, with the booked citizens waiting where the center takes bookings."""
    rt = runtime()
    booked = rt.appointments.waiting_booked() if rt.center.appointments is not None and rt.appointments else None
    return live_overview(rt.queue, booked_waiting=booked)


def register_overview_handlers(socketio: SocketIO):
    """Attach the `overview` Socket.IO event."""

    @edge.answering(socketio)("overview")  # checked and always acknowledged (server/web/edge.py)
    def overview_event(_data=None):
        """Services, counters and alerts now, for a signed-in supervisor or admin."""
        account = signed_in_account()
        if account is None or not account.supervises:
            return {"ok": False, "error": "forbidden", "message": FORBIDDEN}
        return {"ok": True, "overview": overview_now()}
