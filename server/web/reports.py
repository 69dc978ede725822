"""Report endpoints for leaders and supervisors: JSON for the screens, Excel and CSV files to download."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request

from ..core.center import SUPERVISING_ROLES
from ..core.exports import to_csv, to_xlsx
from ..core.reports import GROUPINGS, PERIOD_KINDS, generate, make_period
from . import runtime
from .auth import role_required
from .errors import BadRequest

bp = Blueprint("reports", __name__, url_prefix="/api/reports")


# Reports are for supervisors and leaders (and admins) only.
supervisor_required = role_required(*SUPERVISING_ROLES, message="Chỉ lãnh đạo, giám sát được xem báo cáo.")


def requested_period():
    """The period named by ?period=&date=&last= (date defaults to today)."""
    kind = request.args.get("period", "day")
    if kind not in PERIOD_KINDS:
        raise BadRequest("Loại kỳ báo cáo không hợp lệ.")
    rt = runtime()
    try:
        anchor = dt.date.fromisoformat(request.args.get("date") or rt.center.local_date(rt.queue.now()))
        last = dt.date.fromisoformat(request.args["last"]) if request.args.get("last") else None
        period = make_period(kind, anchor, last)
    except ValueError:
        raise BadRequest("Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu).") from None
    if period.days() > 3 * 366:
        raise BadRequest("Kỳ báo cáo tối đa 3 năm.")
    return period


def requested_groupings() -> list[str]:
    """?group_by=department, or several at once (department,hour,officer) so a screen asks only once."""
    groupings = list(dict.fromkeys(request.args.get("group_by", "department").split(",")))
    if not all(g in GROUPINGS for g in groupings) or len(groupings) > len(GROUPINGS):
        raise BadRequest("Cách nhóm báo cáo không hợp lệ.")
    return groupings


def requested_grouping() -> str:
    groupings = requested_groupings()
    if len(groupings) != 1:
        raise BadRequest("Cách nhóm báo cáo không hợp lệ.")
    return groupings[0]


def build(period, groupings):
    """Compute off the event loop: summaries may have to be computed from raw tickets first."""
    rt = runtime()
    return rt.offload(generate, rt.store, rt.center, period, groupings, rt.queue.clock)


@bp.get("")
@supervisor_required
def report():
    """One report as JSON (rows, total, peak hour, summary paragraph); several groupings give {"reports": {...}}."""
    groupings = requested_groupings()
    reports = build(requested_period(), tuple(groupings))
    return jsonify(reports[groupings[0]] if len(groupings) == 1 else {"reports": reports})


@bp.get("/export")
@supervisor_required
def export():
    """Xuất Excel (the summary, the official rating table and the wait table) or one table as CSV."""
    period = requested_period()
    fmt = request.args.get("format", "xlsx")
    name = f"bao-cao-{period.first.isoformat()}-{period.last.isoformat()}"
    if fmt == "xlsx":
        bundle = build(period, ("department_officer", requested_grouping()))
        data = runtime().offload(to_xlsx, {"rating": bundle["department_officer"],
                                           "wait": bundle[requested_grouping()]})
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        table = request.args.get("table", "wait")
        if table not in ("wait", "rating"):
            raise BadRequest("Bảng không hợp lệ (wait hoặc rating).")
        group_by = "department_officer" if table == "rating" else requested_grouping()
        data, mimetype, name = to_csv(build(period, (group_by,))[group_by], table), "text/csv", f"{name}-{table}"
    else:
        raise BadRequest("Định dạng xuất không hợp lệ (xlsx hoặc csv).")
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
