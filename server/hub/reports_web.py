"""The hub's overview and report routes, thin over overview.py, reports.py and the site's exports (docs/API.md, Hub
reports). Provincial admins and leaders see every site; a district leader sees only the sites of their district,
whatever the request asks (enforced here, on the server).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Blueprint, Response, jsonify, request

from server.core.exports import CSV_TABLES, to_csv, to_xlsx
from server.core.reports import PERIOD_KINDS, PRECISIONS, make_period
from server.core.spreadsheets import DIALECTS
from server.core.vietnamese import parse_day

from . import database, overview, reports
from .auth import Refused, current_account, role_required
from .web import page

VIEWERS = ("admin", "leader", "district_leader")
# How the province is named in the paragraph and the exports' heading ("tỉnh Lạng Sơn"); docs/HUB.md, Settings.
PROVINCE_VARIABLE = "HANGDOI_HUB_PROVINCE"
DISTRICT_WORDS = ("huyện", "thành phố", "thị xã", "quận")
MAX_DAYS = 3 * 366

# The summariser's round: past site-days made stale by late facts are summarised in the background, so that a
# leader's report finds them ready (today's are computed when a report asks: they change all day).
SUMMARISE_EVERY_SECONDS = 300
log = logging.getLogger("server.hub.reports")

blueprint = Blueprint("hub_reports", __name__)
viewers_only = role_required(*VIEWERS)


@blueprint.record_once
def start_summariser(state):
    """One background thread per hub process (not under tests: they call the engine when they mean to)."""
    if state.app.config.get("TESTING"):
        return
    pool = state.app.extensions["hub_pool"]
    threading.Thread(target=summarise_forever, args=(pool,), name="hub-summaries", daemon=True).start()


def summarise_forever(pool, every: float = SUMMARISE_EVERY_SECONDS):
    """Every `every` seconds, the stale site-days before the hub's today; a failure is logged, the next round
    tries again."""
    while True:
        time.sleep(every)
        try:
            with pool.connection() as conn:
                done = reports.HubSummaries(conn).refresh_all(before=reports.hub_today(time.time()).isoformat())
            if done:
                log.info("summarised %s past site-days", done)
        except Exception:  # the database may be down for a while: the next round tries again
            log.exception("summarising past site-days failed")


def province_name() -> str:
    return os.environ.get(PROVINCE_VARIABLE, "").strip() or "tỉnh"


def district_name(district: str) -> str:
    """'Cao Lộc' → 'huyện Cao Lộc'; 'Thành phố Lạng Sơn' → 'thành phố Lạng Sơn'."""
    lowered = district[:1].lower() + district[1:]
    return lowered if lowered.lower().startswith(DISTRICT_WORDS) else f"huyện {district}"


def requested_district() -> str | None:
    """The district the request may see: a district leader's own (asking for another is refused), else the
    ?district= asked for, or None for the whole province."""
    account = current_account()
    asked = request.args.get("district") or None
    if account["role"] == "district_leader":
        if asked is not None and asked != account["district"]:
            raise Refused("forbidden_district", "Tài khoản lãnh đạo huyện chỉ xem được số liệu của huyện mình.", 403)
        return account["district"]
    if asked is not None and len(asked) > 200:
        raise Refused("bad_request", "Tên huyện không hợp lệ.")
    return asked


def requested_scope() -> reports.Scope:
    district = requested_district()
    return reports.Scope(province_name()) if district is None else reports.Scope(district_name(district), district)


def requested_period(now_day) -> reports.Period:
    """?period=&date=&last= as on the site's report routes (date defaults to the hub's today)."""
    kind = request.args.get("period", "month")
    if kind not in PERIOD_KINDS:
        raise Refused("bad_period", "Loại kỳ báo cáo không hợp lệ.")
    bad = "Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu)."
    anchor = parse_day(request.args.get("date") or now_day.isoformat())
    last_text = request.args.get("last")
    last = parse_day(last_text) if last_text else None
    if anchor is None or (last_text and last is None):
        raise Refused("bad_date", bad)
    try:
        period = make_period(kind, anchor, last)
    except (ValueError, OverflowError):
        raise Refused("bad_date", bad) from None
    if period.days() > MAX_DAYS:
        raise Refused("bad_period", "Kỳ báo cáo tối đa 3 năm.")
    return period


def requested_groupings() -> list[str]:
    """?group_by=site, or several at once (site,level,department)."""
    groupings = list(dict.fromkeys(request.args.get("group_by", "site").split(",")))
    if not all(g in reports.GROUPINGS for g in groupings):
        raise Refused("bad_grouping", "Cách nhóm báo cáo không hợp lệ.")
    return groupings


def requested_precision() -> int:
    text = request.args.get("precision", "1")
    if text not in {str(p) for p in PRECISIONS}:
        raise Refused("bad_precision", "Số chữ số thập phân của tỷ lệ phải là 1 hoặc 2.")
    return int(text)


def requested_level() -> str | None:
    """?level=tinh|huyen|xa: only the sites of that level."""
    level = request.args.get("level") or None
    if level is not None and level not in reports.LEVELS:
        raise Refused("bad_level", "Cấp đơn vị không hợp lệ (tinh, huyen, xa).")
    return level


def build(groupings) -> dict[str, dict]:
    """The reports the request asks for, over the sites it may see."""
    period = requested_period(reports.hub_today(time.time()))
    scope, level, precision = requested_scope(), requested_level(), requested_precision()
    with database.pool().connection() as conn:
        codes = None
        if level is not None:
            codes = [s.code for s in reports.sites(conn, scope.district) if s.level == level]
        return reports.generate(conn, period, tuple(groupings), scope, codes, precision)


@blueprint.get("/api/hub/overview")
@viewers_only
def overview_now():
    """Every site of the province (a district leader's: of the district) now; stopped ones first."""
    district = requested_district()
    with database.pool().connection() as conn:
        return jsonify(overview.overview(conn, district))


@blueprint.get("/api/hub/reports")
@viewers_only
def report():
    """One report as JSON; several groupings give {"reports": {...}}."""
    groupings = requested_groupings()
    built = build(groupings)
    return jsonify(built[groupings[0]] if len(groupings) == 1 else {"reports": built})


@blueprint.get("/api/hub/reports/export")
@viewers_only
def export():
    """Xuất Excel (summary, ratings by site and officer, the wait table in the chosen grouping) or one CSV table."""
    fmt = request.args.get("format", "xlsx")
    group_by = requested_groupings()
    if len(group_by) != 1:
        raise Refused("bad_grouping", "Cách nhóm báo cáo không hợp lệ.")
    group_by = group_by[0]
    if fmt == "xlsx":
        built = build(("officer", group_by))
        data = to_xlsx({"rating": built["officer"], "wait": built[group_by], "comments": None})
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        report_of = built[group_by]
        suffix = ""
    elif fmt == "csv":
        table, dialect = request.args.get("table", "wait"), request.args.get("dialect", "vi")
        if table not in CSV_TABLES or table == "comments":
            raise Refused("bad_table", "Bảng không hợp lệ (wait, rating, rating_official).")
        if dialect not in DIALECTS:
            raise Refused("bad_dialect", "Kiểu CSV không hợp lệ (vi: Excel tiếng Việt; plain: RFC 4180).")
        chosen = "officer" if table.startswith("rating") else group_by
        report_of = build((chosen,))[chosen]
        data = to_csv(report_of, table, dialect)
        mimetype, suffix = "text/csv; charset=utf-8", f"-{table}"
    else:
        raise Refused("bad_format", "Định dạng xuất không hợp lệ (xlsx hoặc csv).")
    period = report_of["period"]
    name = f"bao-cao-tinh-{period['first']}-{period['last']}{suffix}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@blueprint.get("/hub/overview")
def overview_page():
    """Tổng quan toàn tỉnh: every site now (the page signs in and asks /api/hub/overview)."""
    return page("overview.html")


@blueprint.get("/hub/reports")
def reports_page():
    """Báo cáo toàn tỉnh: the province's reports, charts and exports."""
    return page("reports.html")
