"""The appointment figures of a report (docs/REPORTS.md, "Appointments"): bookings of the period's days and what
became of them, the no-show rate and the share called within 10 minutes of the slot; remote numbers likewise.
Counts only, read from the `appointments` table joined to the tickets (never a name or phone number); the report
(server/core/reports.py) turns them into percentages with its own rounding."""

from __future__ import annotations

import datetime as dt
import sqlite3

CALLED_WITHIN_SECONDS = 600  # "called within 10 minutes of the slot"
# The names of the channel rows (docs/REPORTS.md, "Grouping by channel"); the channels every channel table lists.
CHANNEL_ROW_NAMES = {"kiosk": "Ki-ốt", "phone": "Lấy số từ xa", "staff": "Cán bộ", "tablet": "Máy tính bảng",
                     "appointment": "Lịch hẹn"}
MAIN_CHANNELS = ("kiosk", "phone", "appointment")


def appointment_counts(conn: sqlite3.Connection, first: dt.date, last: dt.date) -> dict:
    """Counts over bookings and remote numbers whose day is in [first, last]."""
    row = conn.execute(
        "SELECT"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state != 'cancelled'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'cancelled'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'checked_in'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'late'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'no_show'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'checked_in' AND t.first_called_at IS NOT NULL),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'checked_in'"
        "                  AND t.first_called_at <= a.slot_at + ?),"
        " count(*) FILTER (WHERE a.kind = 'remote' AND a.state != 'cancelled'),"
        " count(*) FILTER (WHERE a.kind = 'remote' AND a.state = 'checked_in'),"
        " count(*) FILTER (WHERE a.kind = 'remote' AND a.state = 'no_show')"
        " FROM appointments a LEFT JOIN tickets t ON t.id = a.ticket_id WHERE a.local_date BETWEEN ? AND ?",
        (CALLED_WITHIN_SECONDS, first.isoformat(), last.isoformat())).fetchone()
    (booked, cancelled, on_time, late, no_show, called, called_within, remote, remote_in, remote_no_show) = row
    return {"booked": booked, "cancelled": cancelled, "checked_in": on_time, "late": late, "no_show": no_show,
            "decided": on_time + late + no_show, "called": called, "called_within_10": called_within,
            "remote": remote, "remote_checked_in": remote_in, "remote_no_show": remote_no_show}


def channel_figures(report: dict) -> list[tuple[str, object]]:
    """The figures of the channel table (the report page's, the A4 print's, the exports' "channels"), in order, as
    (Vietnamese label, value): numbers issued per channel (kiosk, remote, appointment always, others when any),
    then the period's bookings and remote numbers (`report["appointments"]`, docs/REPORTS.md "Appointments").
    A rate is None when its denominator is 0."""
    issued = report["total"].get("by_channel", {})
    channels = [*MAIN_CHANNELS, *sorted(c for c in issued if c not in MAIN_CHANNELS)]
    figures: list[tuple[str, object]] = [(f"Số lượt lấy số: {CHANNEL_ROW_NAMES.get(c, c)}", issued.get(c, 0))
                                         for c in channels]
    a = report.get("appointments")
    if a is None:  # a report without the bookings' counts (the provincial hub's): the channels alone
        return figures
    figures += [
        ("Lịch hẹn đã đặt (không tính lịch đã hủy)", a["booked"]),
        ("Lịch hẹn đã hủy", a["cancelled"]),
        ("Đến trong giờ hẹn (xác nhận có mặt)", a["checked_in"]),
        ("Đến muộn (xếp như khách đến trực tiếp)", a["late"]),
        ("Vắng mặt theo lịch hẹn", a["no_show"]),
        ("Tỷ lệ vắng mặt theo lịch hẹn (%)", a["no_show_rate"]),
        ("Lịch hẹn đến đúng giờ đã được gọi", a["called"]),
        ("Trong đó được gọi trong 10 phút từ giờ hẹn", a["called_within_10"]),
        ("Tỷ lệ được gọi trong 10 phút từ giờ hẹn (%)", a["called_within_10_share"]),
        ("Số lấy từ xa (không tính số đã hủy)", a["remote"]),
        ("Số lấy từ xa đã xác nhận có mặt", a["remote_checked_in"]),
        ("Số lấy từ xa vắng mặt (quá thời gian giữ chỗ)", a["remote_no_show"]),
    ]
    return figures


def had_appointments(report: dict) -> bool:
    """Whether the period had bookings or remote numbers (any booked, cancelled or remote, or a ticket of channel
    phone or appointment): the page, the print and the workbook show the channel table only then."""
    a = report.get("appointments") or {}
    issued = report["total"].get("by_channel", {})
    return bool(a.get("booked") or a.get("cancelled") or a.get("remote") or issued.get("phone")
                or issued.get("appointment"))


def channel_lines(report: dict) -> list[dict] | None:
    """The channel table as the report's JSON carries it (`channels`): [{"label", "value", "percent": whether
    value is a percentage}], None for a period without bookings or remote numbers."""
    if not had_appointments(report):
        return None
    return [{"label": label, "value": value, "percent": label.endswith("(%)")}
            for label, value in channel_figures(report)]
