"""The feedback inbox (theo dõi, xử lý phản ánh): every "Không hài lòng" and every comment, followed up.

An item is opened in the same transaction as the rating it comes from, so no complaint is ever stored without
its item. Items move mới → đang xử lý → đã xử lý; each change keeps who, when and a note. Nothing is deleted.
"""

from __future__ import annotations

NEW, IN_PROGRESS, DONE = "new", "in_progress", "done"
STATE_NAMES = {NEW: "Mới", IN_PROGRESS: "Đang xử lý", DONE: "Đã xử lý"}


def open_item(conn, rating_id: int, dissatisfied: bool, local_date: str, now: int) -> int:
    """The inbox item of a new rating that is a complaint or carries a comment; returns its id."""
    return conn.execute(
        "INSERT INTO feedback_items (rating_id, dissatisfied, local_date, opened_at, changed_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id", (rating_id, int(dissatisfied), local_date, now, now)).fetchone()[0]
