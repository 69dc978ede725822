"""HTTP routes of bookings, remote numbers and kiosk check-in (docs/API.md, "Appointments"); the rules are the
core's (server/core/appointments.py). Public: a citizen needs no account; the kiosk's check-in is a kiosk's."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..core import guidance
from ..core.appointments import Appointments
from ..core.refusals import QueueRefused
from ..core.ticket_print import qr_svg
from . import runtime
from .api import json_body, optional_string, with_links
from .auth import client_address, role_required
from .device_auth import device_required, request_device
from .errors import BadRequest

bp = Blueprint("appointments", __name__, url_prefix="/api")

# HTTP status of the core's refusals here; the others are conflicts with the current state (409).
STATUS = {
    "bad_name": 400, "bad_phone": 400, "bad_code": 400, "bad_day": 400, "unknown_slot": 400,
    "unknown_service": 404, "unknown_booking": 404, "not_bookable": 404, "remote_off": 404,
    "appointments_off": 404, "phone_limit": 429, "address_limit": 429, "lookup_limit": 429,
    "bad_request": 400, "busy": 503, "device_not_paired": 401, "device_forbidden": 403,
}


@bp.errorhandler(QueueRefused)
def refused(refusal: QueueRefused):
    """{error, message}, and for a full slot the next ones that may be booked (`next_slots`)."""
    body = {"error": refusal.code, "message": refusal.message}
    if getattr(refusal, "next_slots", None) is not None:
        body["next_slots"] = refusal.next_slots
    return jsonify(body), 400 if isinstance(refusal, BadRequest) else STATUS.get(refusal.code, 409)


def appointments() -> Appointments:
    return runtime().appointments


def manage_url(token: str) -> str:
    """The page to see, cancel or move a booking: what its QR code holds (the kiosk reads the token from it)."""
    base = runtime().settings.public_url or f"{request.scheme}://{request.host}{request.root_path}"
    return f"{base}/hen/{token}"


def with_booking_links(booking: dict) -> dict:
    links = {"manage_url": manage_url(booking["token"]), "qr_url": f"/api/appointments/{booking['token']}/qr.svg"}
    if booking["ticket_token"]:
        links["ticket_url"] = f"/t/{booking['ticket_token']}"
    return {**booking, **links}


def text_field(body: dict, key: str):
    """A field as sent (the core checks its content); anything but a string or nothing is a 400."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise QueueRefused("bad_request", f"Trường “{key}” phải là chuỗi ký tự.")
    return value


@bp.get("/appointments/status")
def status():
    """Whether the center takes bookings or remote numbers at all: always 200, so a staff page deciding whether to
    link the day's bookings gets no refusal in its console."""
    return jsonify(taken=runtime().center.appointments is not None)


@bp.get("/appointments/options")
def options():
    """What the booking page offers: services that take bookings or remote numbers, the days open."""
    return jsonify(appointments().options())


@bp.get("/appointments/slots")
def slots():
    """The slots of a service on a day (?service=…&date=YYYY-MM-DD), with places left."""
    return jsonify(appointments().slots(request.args.get("service", ""), request.args.get("date", "")))


@bp.post("/appointments")
def book():
    """Đặt lịch hẹn."""
    body = json_body()
    booking = appointments().book(text_field(body, "service_code"), text_field(body, "date"),
                                  text_field(body, "slot"), text_field(body, "name"), text_field(body, "phone"),
                                  client_address())
    return jsonify(with_booking_links(booking)), 201


@bp.post("/appointments/lookup")
def look_up():
    """Tra cứu lịch hẹn: {code, phone} → the booking (with its page's address), when both match."""
    body = json_body()
    booking = appointments().look_up(text_field(body, "code"), text_field(body, "phone"), client_address())
    return jsonify(with_booking_links(booking))


@bp.get("/appointments/day")
@role_required("supervisor", "admin", message="Chỉ giám sát viên được xem lịch hẹn trong ngày.")
def day_board():
    """Supervisors: a day's bookings per service and slot, arrivals and no-shows (?date=YYYY-MM-DD)."""
    rt = runtime()
    day = request.args.get("date") or rt.center.local_date(rt.queue.now())
    return jsonify(appointments().day_board(day))


@bp.get("/appointments/waiting")
@role_required("officer", "supervisor", "admin", message="Vui lòng đăng nhập.")
def waiting_booked():
    """Staff: today's booked citizens checked in and waiting, with their slot and how long past it they wait."""
    return jsonify(waiting=appointments().waiting_booked())


@bp.get("/appointments/<token>")
def view(token):
    """A booking or remote number by the secret token of its page."""
    return jsonify(with_booking_links(appointments().view(token)))


@bp.post("/appointments/<token>/cancel")
def cancel(token):
    """Hủy lịch hẹn (or a remote number, with its ticket)."""
    return jsonify(with_booking_links(appointments().cancel(token)))


@bp.post("/appointments/<token>/move")
def move(token):
    """Đổi lịch hẹn to another slot: {date, slot}."""
    body = json_body()
    return jsonify(with_booking_links(appointments().move(token, text_field(body, "date"),
                                                          text_field(body, "slot"))))


@bp.get("/appointments/<token>/qr.svg")
def qr(token):
    """The booking's QR code: its page's address, which the kiosk's camera reads to check in."""
    rt = runtime()
    appointments().view(token)  # refuses unknown tokens
    svg = rt.offload(qr_svg, manage_url(token))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"})


@bp.post("/remote-tickets")
def join_remotely():
    """Lấy số từ xa: a ticket of today's queue, held until the citizen checks in at the kiosk."""
    body = json_body()
    booking = appointments().join_remotely(text_field(body, "service_code"), text_field(body, "name"),
                                           text_field(body, "phone"), client_address())
    return jsonify(with_booking_links(booking)), 201


@bp.post("/checkin")
def check_in():
    """Xác nhận có mặt at the kiosk: {code} typed, or {token} read from the booking's QR code."""
    body = json_body()
    kiosk = device_required(request_device(), ("kiosk",))
    token = text_field(body, "token")
    answer = appointments().check_in(code=text_field(body, "code"), token=token,
                                     device=kiosk.name if kiosk else optional_string(body, "device"))
    answer["ticket"] = with_links(answer["ticket"], answer["ticket"]["token"])
    answer["ticket"]["guidance_clips"] = guidance.ticket_sentence(answer["ticket"])  # as a new number's answer
    answer["booking"] = with_booking_links(answer["booking"])
    return jsonify(answer), 201
