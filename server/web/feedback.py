"""The feedback inbox over HTTP (/admin/feedback and the live page's alert list): list, read, take in hand, close,
reopen. Supervisors and admins only; writes carry the CSRF token like every cookie-authorised write.

Each change commits an event (`feedback_changed`) that the Broadcaster sends like any other: every screen sees the
item's number and state in its sequence, supervisors also who changed it and the note. Nothing here is kept in
memory, so a reload or a restart loses nothing.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..core.center import SUPERVISING_ROLES
from ..core.feedback import MAX_PAGE, PAGE_SIZE, STATE_NAMES, STATES, Feedback
from . import runtime
from .api import json_body
from .auth import role_required, signed_in_account
from .edge import query_day
from .errors import BadRequest

bp = Blueprint("feedback", __name__, url_prefix="/api/feedback")

supervisor_required = role_required(*SUPERVISING_ROLES, message="Chỉ lãnh đạo, giám sát được theo dõi, xử lý phản ánh.")
MAX_CODE = 64  # longer than any code or username the configuration accepts


def inbox() -> Feedback:
    """The inbox under the configuration in force now (a small object: it keeps nothing between requests)."""
    rt = runtime()
    return Feedback(rt.store, rt.center, rt.queue.clock)


def _digits(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 9:  # "²".isdigit() is True, int("²") fails
        raise BadRequest(f"{what} phải là số nguyên không âm.")
    return int(text)


def _date(name: str) -> str | None:
    day = query_day(name, f"Ngày “{name}” không hợp lệ (định dạng YYYY-MM-DD).")
    return day.isoformat() if day else None


def _code(name: str) -> str | None:
    value = request.args.get(name)
    if value and len(value) > MAX_CODE:
        raise BadRequest(f"Tham số “{name}” quá dài.")
    return value or None


def requested_filters() -> dict:
    """The list's filters from the query string, or a 400 saying which one is wrong."""
    args = request.args
    states = tuple(s for s in args.get("state", "").split(",") if s)
    if not all(s in STATES for s in states):
        raise BadRequest("Trạng thái không hợp lệ (new, in_progress, done, cách nhau bởi dấu phẩy).")
    first, last = _date("first"), _date("last")
    if first and last and last < first:
        raise BadRequest("Ngày cuối không được trước ngày đầu.")
    dissatisfied = args.get("dissatisfied")
    if dissatisfied not in (None, "", "0", "1"):
        raise BadRequest("Tham số “dissatisfied” phải là 0 hoặc 1.")
    limit = _digits(args["limit"], "Tham số “limit”") if args.get("limit") else PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE:
        raise BadRequest(f"Tham số “limit” từ 1 đến {MAX_PAGE}.")
    return {"states": states, "first": first, "last": last, "department": _code("department"),
            "service": _code("service"), "officer": _code("officer"),
            "counter": _digits(args["counter"], "Số quầy") if args.get("counter") else None,
            "dissatisfied": None if not dissatisfied else dissatisfied == "1", "limit": limit,
            "offset": _digits(args["offset"], "Tham số “offset”") if args.get("offset") else 0}


@bp.get("")
@supervisor_required
def list_items():
    """Items newest first with their rating, ticket and history; `?state=new,in_progress&first=&last=…`."""
    return jsonify(inbox().items(**requested_filters()))


@bp.get("/summary")
@supervisor_required
def summary():
    """How many items are not yet handled (the number /admin/live shows)."""
    return jsonify(inbox().open_counts())


@bp.get("/filters")
@supervisor_required
def filters():
    """What the inbox screen's filters offer: states, departments and their services, counters, officers."""
    c = runtime().center
    return jsonify(
        states=[{"code": s, "name": STATE_NAMES[s]} for s in STATES],
        departments=[{"code": d.code, "name": d.name,
                      "services": [{"code": s.code, "name": s.name} for s in d.services]} for d in c.departments],
        counters=[{"number": k.number, "name": k.name} for k in c.counters],
        officers=[{"username": o.username, "name": o.name} for o in c.officers])


@bp.get("/<item_id>")
@supervisor_required
def one_item(item_id):
    """One item with its whole history; 404 unknown_feedback."""
    return jsonify(inbox().item(_digits(item_id, "Mã phản ánh")))


@bp.post("/<item_id>/<change>")
@supervisor_required
def change_item(item_id, change):
    """take (mới → đang xử lý, note optional), close (→ đã xử lý, note required), reopen (→ đang xử lý, note
    required); `{"note": "..."}`. Answers the item as it now is."""
    if change not in ("take", "close", "reopen"):
        return jsonify(error="not_found", message="Thao tác không được hỗ trợ."), 404
    number = _digits(item_id, "Mã phản ánh")
    body = json_body() if request.content_length else {}
    item, _events = getattr(inbox(), change)(number, signed_in_account().username, body.get("note"))
    return jsonify(item)
