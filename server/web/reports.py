"""Report endpoints for leaders and supervisors: JSON for the screens, Excel and CSV files to download."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..core.center import SUPERVISING_ROLES
from ..core.comments import PAGE_LIMIT
from ..core.exports import CSV_TABLES, to_csv, to_xlsx
from ..core.reports import GROUPINGS, PERIOD_KINDS, PRECISIONS, comments, generate, make_period
from ..core.spreadsheets import DIALECTS
from . import runtime
from .auth import role_required
from .edge import query_day
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
    bad = "Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu)."
    anchor = query_day("date", bad, rt.center.local_date(rt.queue.now()))
    try:
        period = make_period(kind, anchor, query_day("last", bad))
    except (ValueError, OverflowError):  # 9999-12-31 is a date, but its year has no next month
        raise BadRequest(bad) from None
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


def requested_precision() -> int:
    """?precision=1 (default: 95,3%) or 2 (97,19%)."""
    text = request.args.get("precision", "1")
    if text not in {str(p) for p in PRECISIONS}:
        raise BadRequest("Số chữ số thập phân của tỷ lệ phải là 1 hoặc 2.")
    return int(text)


def build(period, groupings):
    """Compute off the event loop: summaries may have to be computed from raw tickets first."""
    rt = runtime()
    return rt.offload(generate, rt.store, rt.center, period, groupings, rt.queue.clock, requested_precision())


def period_comments(period, limit=None):
    rt = runtime()
    return rt.offload(comments, rt.store, rt.center, period, limit)


@bp.get("")
@supervisor_required
def report():
    """One report as JSON (rows, total, peak hour, summary paragraph); several groupings give {"reports": {...}}."""
    groupings = requested_groupings()
    reports = build(requested_period(), tuple(groupings))
    return jsonify(reports[groupings[0]] if len(groupings) == 1 else {"reports": reports})


@bp.get("/comments")
@supervisor_required
def comments_of_period():
    """The comments table: every comment and every complaint's reasons of the period (the first PAGE_LIMIT)."""
    return jsonify({**period_comments(requested_period(), PAGE_LIMIT), "limit": PAGE_LIMIT})


@bp.get("/export")
@supervisor_required
def export():
    """Xuất Excel (summary, rating tables, wait table, comments) or one table as CSV."""
    period = requested_period()
    fmt = request.args.get("format", "xlsx")
    name = f"bao-cao-{period.first.isoformat()}-{period.last.isoformat()}"
    if fmt == "xlsx":
        bundle = build(period, ("department_officer", requested_grouping()))
        data = runtime().offload(to_xlsx, {"rating": bundle["department_officer"],
                                           "wait": bundle[requested_grouping()], "comments": period_comments(period)})
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        table, dialect = request.args.get("table", "wait"), request.args.get("dialect", "vi")
        if table not in CSV_TABLES:
            raise BadRequest(f"Bảng không hợp lệ ({', '.join(CSV_TABLES)}).")
        if dialect not in DIALECTS:
            raise BadRequest("Kiểu CSV không hợp lệ (vi: Excel tiếng Việt; plain: RFC 4180).")
        group_by = "department_officer" if table.startswith("rating") else requested_grouping()
        report = build(period, (group_by,))[group_by]
        if table == "rating_official" and report["total"]["official_ratings"] is None:
            raise BadRequest("Thang đánh giá của trung tâm chưa được quy đổi sang 3 mức chính thức.")
        data = to_csv(report, table, dialect, period_comments(period) if table == "comments" else None)
        mimetype, name = "text/csv; charset=utf-8", f"{name}-{table}"
    else:
        raise BadRequest("Định dạng xuất không hợp lệ (xlsx hoặc csv).")
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
