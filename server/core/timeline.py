"""Ticket timeline: one day's tickets with every transition, so a supervisor can recount any report figure.

Each ticket carries what the daily summaries count it by (summaries.compute_day): whether it continues a transfer
(a continuation is not issued again), its state, its clock times and the seconds derived from them, the target
wait of its service and whether its wait met it, and its rating. Its transitions come from the events table, the
audit trail every state change writes in its own transaction. The ticket's token is never part of it: it is the
key to the citizen's phone page.

Files: CSV in the dialects of spreadsheets.py (Vietnamese Excel by default, or RFC 4180), and a workbook with a
sheet of tickets and a sheet of transitions.
"""

from __future__ import annotations

import datetime as dt
import io
import json

from .center import OFFICIAL_LEVELS, Center, level_is_dissatisfied
from .queue import STATE_NAMES
from .spreadsheets import cell_value, csv_bytes, keep_as_text

# What a supervisor reads for each event kind of a ticket.
TRANSITION_NAMES = {
    "ticket_issued": "Lấy số", "ticket_called": "Gọi số", "ticket_recalled": "Gọi lại",
    "service_started": "Bắt đầu tiếp nhận", "ticket_parked": "Tạm gác", "ticket_resumed": "Tiếp tục phục vụ",
    "ticket_finished": "Hoàn thành", "ticket_no_show": "Vắng mặt", "ticket_transferred": "Chuyển đi",
    "ticket_requeued": "Chờ sau khi chuyển", "ticket_cancelled": "Hủy số", "rating_recorded": "Đánh giá",
    "ticket_checked_in": "Xác nhận có mặt",
}

# The ticket sheet: (key of the flat row, header). The headers are what the CSV and the workbook show.
TICKET_COLUMNS = (
    ("ticket_id", "Mã phiếu"), ("label", "Số thứ tự"), ("department_code", "Mã đơn vị"),
    ("department_name", "Đơn vị"), ("service_code", "Mã lĩnh vực"), ("service_name", "Lĩnh vực"),
    ("channel", "Kênh lấy số"), ("priority_name", "Nhóm ưu tiên"), ("state", "Mã trạng thái"),
    ("state_name", "Trạng thái"), ("transferred_from_id", "Chuyển từ phiếu"),
    ("transferred_from", "Chuyển từ số"), ("transferred_from_service", "Chuyển từ lĩnh vực"),
    ("transferred_from_counter", "Chuyển từ quầy"), ("issued_at", "Lấy số lúc"),
    ("first_called_at", "Gọi lần đầu lúc"), ("call_count", "Số lần gọi"),
    ("service_started_at", "Bắt đầu tiếp nhận lúc"), ("ended_at", "Kết thúc lúc"), ("wait_s", "Chờ (giây)"),
    ("walk_s", "Di chuyển (giây)"), ("service_s", "Phục vụ (giây)"), ("counter", "Quầy"),
    ("officer", "Tài khoản công chức"), ("officer_name", "Công chức"),
    ("target_wait_minutes", "Thời gian chờ quy định (phút)"), ("within_target", "Chờ trong thời gian quy định"),
    ("rating_level_name", "Mức đánh giá"), ("rating_official_level", "Mức chính thức"),
    ("rating_dissatisfied", "Không hài lòng"), ("rating_reasons", "Lý do"), ("rating_comment", "Góp ý"),
    ("rating_channel", "Kênh đánh giá"), ("rating_sent_on_timeout", "Tự gửi khi hết giờ"),
    ("rated_at", "Đánh giá lúc"),
)
TRANSITION_COLUMNS = (
    ("ticket_id", "Mã phiếu"), ("label", "Số thứ tự"), ("seq", "Số thứ tự sự kiện"), ("kind", "Mã diễn biến"),
    ("name", "Diễn biến"), ("at", "Lúc"), ("counter", "Quầy"), ("officer", "Tài khoản công chức"),
)
REASON_SEPARATOR = " | "


def read_day(store, center: Center, day: dt.date, department: str | None = None, service: str | None = None) -> dict:
    """`day_timeline` on a read-only connection of the calling (worker) thread: the queue's writes go on."""
    conn = store.reader()
    try:
        return day_timeline(conn, center, day, department, service)
    finally:
        conn.close()


def day_timeline(conn, center: Center, day: dt.date, department: str | None = None,
                 service: str | None = None) -> dict:
    """Every ticket of a local day (optionally of one department or service) with its rating and transitions."""
    where, params = "t.local_date = ?", [day.isoformat()]
    if department is not None:
        where, params = where + " AND t.department_code = ?", params + [department]
    if service is not None:
        where, params = where + " AND t.service_code = ?", params + [service]
    rows = conn.execute(
        "SELECT t.id, t.label, t.service_code, t.department_code, t.priority_group, t.channel, t.state,"
        " t.issued_at, t.call_count, t.first_called_at, t.service_started_at, t.ended_at, t.counter_number,"
        " t.officer, t.transferred_from, f.label AS from_label, f.service_code AS from_service,"
        " f.counter_number AS from_counter, r.level_name, r.reasons, r.comment, r.channel AS rating_channel,"
        " r.sent_on_timeout, r.rated_at"
        " FROM tickets t LEFT JOIN tickets f ON f.id = t.transferred_from LEFT JOIN ratings r ON r.ticket_id = t.id"
        f" WHERE {where} ORDER BY t.id", params).fetchall()
    transitions: dict[int, list[dict]] = {}
    for e in conn.execute(
            "SELECT e.seq, e.ticket_id, e.kind, e.at, e.counter_number, e.officer FROM events e"
            f" JOIN tickets t ON t.id = e.ticket_id WHERE {where} ORDER BY e.seq", params):
        transitions.setdefault(e["ticket_id"], []).append({
            "seq": e["seq"], "kind": e["kind"], "name": TRANSITION_NAMES.get(e["kind"], e["kind"]),
            "at": clock_time(center, e["at"], day), "counter": e["counter_number"], "officer": e["officer"]})
    return {"center": center.name, "date": day.isoformat(), "timezone": center.timezone.key,
            "department": department, "service": service,
            "tickets": [{**_ticket(center, day, t), "transitions": transitions.get(t["id"], [])} for t in rows]}


def _ticket(center: Center, day: dt.date, t) -> dict:
    """One ticket as the timeline shows it: names beside codes, local clock times and derived seconds."""
    service = center.services.get(t["service_code"])
    department = center.department(t["department_code"])
    group = center.priority_group(t["priority_group"]) if t["priority_group"] else None
    officer = center.officer(t["officer"]) if t["officer"] else None
    wait = _between(t["issued_at"], t["first_called_at"])
    target = service.target_wait_minutes if service else None
    return {
        "ticket_id": t["id"], "label": t["label"],
        "department_code": t["department_code"],
        "department_name": department.name if department else t["department_code"],
        "service_code": t["service_code"], "service_name": service.name if service else t["service_code"],
        "channel": t["channel"], "priority_group": t["priority_group"],
        "priority_name": group.name if group else t["priority_group"],
        "state": t["state"], "state_name": STATE_NAMES.get(t["state"], t["state"]),
        "transferred_from_id": t["transferred_from"], "transferred_from": t["from_label"],
        "transferred_from_service": t["from_service"], "transferred_from_counter": t["from_counter"],
        "issued_at": clock_time(center, t["issued_at"], day),
        "first_called_at": clock_time(center, t["first_called_at"], day), "call_count": t["call_count"],
        "service_started_at": clock_time(center, t["service_started_at"], day),
        "ended_at": clock_time(center, t["ended_at"], day),
        "wait_s": wait, "walk_s": _between(t["first_called_at"], t["service_started_at"]),
        "service_s": _between(t["service_started_at"], t["ended_at"]),
        "counter": t["counter_number"], "officer": t["officer"],
        "officer_name": officer.name if officer else t["officer"],
        "target_wait_minutes": target,
        # As the summaries count it: only a called ticket has a wait; a service no longer configured has no target.
        "within_target": None if wait is None else target is not None and wait <= target * 60,
        "rating": _rating(center, day, t),
    }


def _rating(center: Center, day: dt.date, t) -> dict | None:
    if t["level_name"] is None:
        return None
    official = center.rating.official_index(t["level_name"])
    return {"level_name": t["level_name"], "official_level": None if official is None else OFFICIAL_LEVELS[official],
            "dissatisfied": level_is_dissatisfied(t["level_name"], center.rating),
            "reasons": json.loads(t["reasons"]), "comment": t["comment"], "channel": t["rating_channel"],
            "sent_on_timeout": bool(t["sent_on_timeout"]), "rated_at": clock_time(center, t["rated_at"], day)}


def _between(start: int | None, end: int | None) -> int | None:
    return None if start is None or end is None else end - start


def clock_time(center: Center, epoch: int | None, day: dt.date) -> str | None:
    """'08:05:30' on the timeline's own day; '2026-11-24 00:10:00' on another (a ticket ended after midnight)."""
    if epoch is None:
        return None
    local = center.local(epoch)
    clock = f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    return clock if local.date() == day else f"{local.date().isoformat()} {clock}"


# ----- files -------------------------------------------------------------------------------------------------

def ticket_rows(timeline: dict) -> list[list]:
    """The ticket sheet: a header row, then one row per ticket (its rating flattened beside it)."""
    rows = [[header for _, header in TICKET_COLUMNS]]
    for ticket in timeline["tickets"]:
        rating = ticket["rating"] or {}
        flat = {**ticket, **{f"rating_{key}": value for key, value in rating.items()},
                "rated_at": rating.get("rated_at"),
                "rating_reasons": REASON_SEPARATOR.join(rating["reasons"]) if rating else None}
        rows.append([flat.get(key) for key, _ in TICKET_COLUMNS])
    return rows


def transition_rows(timeline: dict) -> list[list]:
    """The transition sheet: a header row, then every transition of every ticket, ticket by ticket."""
    rows = [[header for _, header in TRANSITION_COLUMNS]]
    for ticket in timeline["tickets"]:
        for step in ticket["transitions"]:
            flat = {**step, "ticket_id": ticket["ticket_id"], "label": ticket["label"]}
            rows.append([flat[key] for key, _ in TRANSITION_COLUMNS])
    return rows


def to_csv(timeline: dict, table: str = "tickets", dialect: str = "vi") -> bytes:
    """One sheet of the timeline (tickets or transitions) as CSV."""
    return csv_bytes(ticket_rows(timeline) if table == "tickets" else transition_rows(timeline), dialect)


def to_xlsx(timeline: dict) -> bytes:
    """A workbook: the tickets on one sheet, their transitions on another, headers bold and frozen."""
    from openpyxl import Workbook  # here, not at the top: ~70 ms at every start-up (exports.py)
    from openpyxl.styles import Font
    book = Workbook()
    sheets = ((book.active, "Số thứ tự", ticket_rows(timeline)),
              (book.create_sheet(), "Diễn biến", transition_rows(timeline)))
    for sheet, title, rows in sheets:
        sheet.title = title
        for values in rows:
            sheet.append([("Có" if v else "Không") if isinstance(v, bool) else cell_value(v) for v in values])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                keep_as_text(cell)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
