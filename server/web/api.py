"""The HTTP JSON API for kiosks and phones: issuing tickets and reading queue state (docs/API.md)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..core import guidance
from ..core.phone import ticket_for_phone
from ..core.ratings import is_int
from ..core.ticket_print import qr_svg, render_ticket_png, ticket_lines
from . import edge, runtime
from .device_auth import device_required, request_device
from .errors import BadRequest

bp = Blueprint("api", __name__, url_prefix="/api")


# A body this small (a kiosk's request is ~50 bytes) is read straight from the WSGI input: werkzeug's stream
# wrappers cost twice the parsing. Anything else (no length, larger) goes through werkzeug and its size limit.
DIRECT_BODY_LIMIT = 4096


def json_value():
    """The request's JSON, checked at the edge (server/web/edge.py): 400 invalid_json when it is not JSON,
    400 bad_request for lone surrogates, nesting past MAX_DEPTH, integers past SQLite's, NaN or Infinity."""
    if not request.is_json:
        raise BadRequest(edge.NOT_JSON, "invalid_json")
    length = request.content_length
    if length is not None and length <= DIRECT_BODY_LIMIT:
        data = request.environ["wsgi.input"].read(length)
    else:
        data = request.get_data(cache=False)  # werkzeug's size limit applies: 413 past MAX_CONTENT_LENGTH
    return edge.parse(data)


def json_body() -> dict:
    """The request's JSON object (checked as json_value does), or a 400 refusal saying what is wrong."""
    body = json_value()
    if not isinstance(body, dict):
        raise BadRequest("Dữ liệu gửi lên phải là một đối tượng JSON.", "invalid_json")
    return body


def optional_string(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"Trường “{key}” phải là chuỗi ký tự.")
    return value or None


def follow_url(token: str) -> str:
    """The phone page of a ticket, as printed in its QR code."""
    # The address the kiosk used; built directly (werkzeug's host_url re-encodes the whole URL on every call).
    base = runtime().settings.public_url or f"{request.scheme}://{request.host}{request.root_path}"
    return f"{base}/t/{token}"


def with_links(ticket: dict, token: str) -> dict:
    return {**ticket, "follow_url": follow_url(token), "print_url": f"/kiosk/print/{token}",
            "png_url": f"/api/tickets/{token}/ticket.png", "qr_url": f"/api/tickets/{token}/qr.svg"}


@bp.get("/ping")
@bp.post("/ping")
def ping():
    """The empty route: benchmarks measure the server's floor against it."""
    return jsonify(ok=True)


@bp.get("/center")
def center():
    """What a kiosk shows: the center, its departments and services, priority groups, and whether it issues now."""
    rt = runtime()
    c = rt.center
    return jsonify(
        name=c.name, address=c.address, notice=c.notice, timezone=c.timezone.key,
        issuing=c.hours.is_issuing(c.local(rt.queue.now())),
        departments=[{"code": d.code, "name": d.name, "services": [
            {"code": s.code, "name": s.name, "prefix": s.prefix, "target_wait_minutes": s.target_wait_minutes,
             "counters": [k.number for k in c.counters_serving(s.code)]} for s in d.services]}
            for d in c.departments],
        priority_groups=[{"code": g.code, "name": g.name} for g in c.priority_groups],
        # issuing_end: when the kiosk stops giving numbers, `stop_issuing_minutes_before_end` before the session ends
        sessions=[{"start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"),
                   "issuing_end": c.hours.issuing_end(s).strftime("%H:%M")} for s in c.hours.sessions],
        rating={"levels": list(c.rating.levels), "reasons": list(c.rating.reasons),
                "dissatisfied": [i for i in range(1, len(c.rating.levels) + 1) if c.rating.is_dissatisfied(i)],
                "reason_required": c.rating.reason_required},
        no_show={"min_calls": c.no_show_min_calls, "min_seconds": c.no_show_min_seconds},
        # [site]: the center's identity at the provincial hub (docs/HUB.md); null when it reports to none.
        site={"code": c.site.code, "name": c.site.name, "level": c.site.level, "district": c.site.district}
        if c.site else None,
    )


@bp.post("/tickets")
def issue_ticket():
    """Lấy số: issue the next number of a service."""
    body = json_body()
    service_code = body.get("service_code")
    if not isinstance(service_code, str) or not service_code:
        raise BadRequest("Thiếu lĩnh vực (service_code).")
    channel = optional_string(body, "channel") or "kiosk"
    if channel not in ("kiosk", "phone"):  # "staff" tickets come from the counter console, signed in
        raise BadRequest("Kênh lấy số không hợp lệ.", "unknown_channel")
    kiosk = device_required(request_device(), ("kiosk",))
    rt = runtime()
    outcome = rt.issuer.issue(  # committed together with the other kiosks asking at this moment
        service_code=service_code, priority_group=optional_string(body, "priority_group"), channel=channel,
        device=kiosk.name if kiosk else optional_string(body, "device"))
    ticket = outcome.result
    ticket["print"] = ticket_lines(rt.center, ticket)
    ticket["guidance_clips"] = guidance.ticket_sentence(ticket)  # the kiosk's voice reads numbers as the lobby
    return jsonify(with_links(ticket, ticket["token"])), 201


@bp.get("/tickets/<token>")
def ticket_status(token):
    """The ticket a token belongs to: state, position and estimated wait, or its counter once called, and whether
    the phone may rate it (server/core/phone.py, the same answer `follow_ticket` gives)."""
    rt = runtime()
    return jsonify(with_links(ticket_for_phone(rt.queue, rt.ratings, token), token))


@bp.post("/tickets/<token>/rating")
def rate_by_phone(token):
    """Đánh giá from the citizen's phone."""
    body = json_body()
    outcome = runtime().ratings.rate_by_phone(token, body.get("level"), body.get("reasons"), body.get("comment"))
    return jsonify(outcome.result), 201


@bp.post("/ratings")
def rate_at_counter():
    """Đánh giá from a counter's tablet (also how an offline tablet delivers what it kept, and how it sends the
    level a citizen chose and walked away from: `"timed_out": true`)."""
    body = json_body()
    counter = body.get("counter")  # one that is not a number is the core's 400, not another counter's tablet
    tablet = device_required(request_device(), ("tablet",), counter if is_int(counter) else None)
    outcome = runtime().ratings.rate_at_counter(
        counter, body.get("label"), body.get("level"), body.get("reasons"), body.get("comment"),
        client_id=body.get("client_id"), service_date=body.get("service_date"),
        device=tablet.name if tablet else optional_string(body, "device"), timed_out=body.get("timed_out", False))
    return jsonify(outcome.result), 200 if outcome.result.get("duplicate") else 201


@bp.post("/tickets/<token>/cancel")
def cancel_ticket(token):
    """Hủy số: the citizen gives up a waiting ticket."""
    return jsonify(runtime().queue.cancel(token).result)


@bp.get("/tickets/<token>/ticket.png")
def ticket_png(token):
    """The ticket rendered for an image printer or a reprint."""
    rt = runtime()
    ticket = rt.queue.ticket_status(token)
    png = rt.offload(render_ticket_png, rt.center, ticket, follow_url(token))
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.get("/tickets/<token>/qr.svg")
def ticket_qr(token):
    """The QR code of a ticket's phone page."""
    rt = runtime()
    rt.queue.ticket_status(token)  # refuses unknown tokens
    svg = rt.offload(qr_svg, follow_url(token))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"})


@bp.get("/queue")
def queue_state():
    """Waiting counts and estimates per service, and every counter's status and current number."""
    q = runtime().queue
    return jsonify(services=q.service_overview(), counters=q.counters_overview())
