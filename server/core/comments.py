"""What citizens wrote: the comments ("Góp ý thêm") and the reasons of complaints of a period, for the reports.

Read from the ratings themselves (never from a summary), in the order they were given. Texts are returned as the
citizen typed them: every screen and file that shows them escapes them (textContent, inert spreadsheet cells).
"""

from __future__ import annotations

import datetime as dt
import json

from .center import Center, level_is_dissatisfied
from .vietnamese import format_date

# The report page shows this many; the Excel and CSV files hold them all.
PAGE_LIMIT = 2000


def period_comments(conn, center: Center, first: dt.date, last: dt.date, limit: int | None = None) -> dict:
    """{"total": n, "comments": [...]}: every rating of the period (by service day) with a comment or reasons."""
    where = ("FROM ratings r JOIN tickets t ON t.id = r.ticket_id WHERE r.service_local_date BETWEEN ? AND ?"
             " AND (r.comment IS NOT NULL OR r.reasons != '[]')")
    bounds = (first.isoformat(), last.isoformat())
    total = conn.execute(f"SELECT count(*) {where}", bounds).fetchone()[0]
    rows = conn.execute(
        f"SELECT r.*, t.label, t.ended_at {where} ORDER BY r.service_local_date, t.ended_at, r.id"
        + (" LIMIT ?" if limit is not None else ""), bounds + ((limit,) if limit is not None else ())).fetchall()
    return {"total": total, "comments": [_comment(center, row) for row in rows]}


def _comment(center: Center, row) -> dict:
    service = center.services.get(row["service_code"])
    department = center.department(row["department_code"])
    officer = center.officer(row["officer"] or "")
    counter = center.counter(row["counter_number"])
    served = center.local(row["ended_at"] if row["ended_at"] is not None else row["rated_at"])
    return {
        "date": format_date(dt.date.fromisoformat(row["service_local_date"])),
        "time": f"{served.hour:02d}:{served.minute:02d}",
        "label": row["label"],
        "service": service.name if service else row["service_code"],
        "department": department.name if department else row["department_code"],
        "counter": counter.name if counter else f"Quầy {row['counter_number']:02d}",
        "officer": officer.name if officer else (row["officer"] or ""),
        "level": row["level_name"],
        "dissatisfied": level_is_dissatisfied(row["level_name"], center.rating),
        "reasons": json.loads(row["reasons"]),
        "comment": row["comment"],
        "channel": row["channel"],
        "sent_on_timeout": bool(row["sent_on_timeout"]),
    }
