"""Ticket timeline for audit: one day's tickets with every transition, as JSON, CSV or a workbook.

Supervisors and admins only. The day is read on its own read-only connection in a worker thread, so a long day
never holds up the queue.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request

from ..core.center import SUPERVISING_ROLES
from ..core.spreadsheets import DIALECTS
from ..core.timeline import read_day, to_csv, to_xlsx
from . import runtime
from .auth import role_required
from .edge import query_day
from .errors import BadRequest

bp = Blueprint("timeline", __name__, url_prefix="/api/reports")

supervisor_required = role_required(*SUPERVISING_ROLES, message="Chỉ lãnh đạo, giám sát được xem báo cáo.")
FORMATS = {"json": None, "csv": "text/csv",  # werkzeug adds "; charset=utf-8" to text types
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TABLES = ("tickets", "transitions")


def choice(name: str, allowed, default: str, message: str) -> str:
    """A query parameter that must be one of a few words."""
    value = request.args.get(name, default)
    if value not in allowed:
        raise BadRequest(message)
    return value


def requested_day() -> dt.date:
    """?date=YYYY-MM-DD, today by default."""
    rt = runtime()
    return query_day("date", "Ngày không hợp lệ (định dạng YYYY-MM-DD).", rt.center.local_date(rt.queue.now()))


def requested_filter(name: str, known, message: str) -> str | None:
    """?department= or ?service=: a code of the center file, or nothing (the whole center)."""
    code = request.args.get(name) or None
    if code is not None and code not in known:
        raise BadRequest(message)
    return code


@bp.get("/timeline")
@supervisor_required
def timeline():
    """Every ticket of a day with its transitions (time, counter, officer): ?date=&format=json|csv|xlsx
    &dialect=vi|plain&table=tickets|transitions&department=&service=."""
    rt = runtime()
    day = requested_day()
    fmt = choice("format", FORMATS, "json", "Định dạng không hợp lệ (json, csv hoặc xlsx).")
    dialect = choice("dialect", DIALECTS, "vi", "Kiểu CSV không hợp lệ (vi hoặc plain).")
    table = choice("table", TABLES, "tickets", "Bảng không hợp lệ (tickets hoặc transitions).")
    department = requested_filter("department", {d.code for d in rt.center.departments}, "Đơn vị không tồn tại.")
    service = requested_filter("service", rt.center.services, "Lĩnh vực không tồn tại.")
    data = rt.offload(read_day, rt.store, rt.center, day, department, service)
    if fmt == "json":
        return jsonify(data)
    name = f"dien-bien-so-thu-tu-{day.isoformat()}"
    if fmt == "csv":
        body, name = rt.offload(to_csv, data, table, dialect), f"{name}-{table}"
    else:
        body = rt.offload(to_xlsx, data)
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
