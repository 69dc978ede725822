"""The feedback inbox (theo dõi, xử lý phản ánh): every "Không hài lòng" and every comment, followed up.

An item is opened in the same transaction as the rating it comes from, so no complaint is ever stored without
its item. Items move mới → đang xử lý → đã xử lý (and back to đang xử lý when a closed item is reopened); each
change keeps who, when and a note in `feedback_actions`, writes an audit row and records a `feedback_changed`
event, all in one transaction. Nothing is deleted (the database refuses).

Plain Python over the Store, like the queue: refusals are QueueRefused values with a Vietnamese message.
"""

from __future__ import annotations

import json
import time

from . import audit
from .center import Center
from .queue import QueueRefused
from .store import Store

NEW, IN_PROGRESS, DONE = "new", "in_progress", "done"
STATES = (NEW, IN_PROGRESS, DONE)
OPEN_STATES = (NEW, IN_PROGRESS)
STATE_NAMES = {NEW: "Mới", IN_PROGRESS: "Đang xử lý", DONE: "Đã xử lý"}
MAX_NOTE = 1000
PAGE_SIZE = 50
MAX_PAGE = 200

# Each change: the states it leaves from, the state it reaches, whether a note is needed, its audit action, and
# what the screen says when the item is in another state.
CHANGES = {
    "take": ((NEW,), IN_PROGRESS, False, "Chỉ tiếp nhận được phản ánh mới."),
    "close": ((NEW, IN_PROGRESS), DONE, True, "Phản ánh này đã xử lý xong."),
    "reopen": ((DONE,), IN_PROGRESS, True, "Chỉ mở lại được phản ánh đã xử lý."),
}


def open_item(conn, rating_id: int, dissatisfied: bool, local_date: str, now: int) -> int:
    """The inbox item of a new rating that is a complaint or carries a comment; returns its id."""
    return conn.execute(
        "INSERT INTO feedback_items (rating_id, dissatisfied, local_date, opened_at, changed_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id", (rating_id, int(dissatisfied), local_date, now, now)).fetchone()[0]


class Feedback:
    """Listing the inbox and moving its items on, under the center's names."""

    def __init__(self, store: Store, center: Center, clock=time.time):
        self.store, self.center, self.clock = store, center, clock

    # ----- reading ---------------------------------------------------------------------------------

    def items(self, states=(), first: str | None = None, last: str | None = None, department: str | None = None,
              service: str | None = None, counter: int | None = None, officer: str | None = None,
              dissatisfied: bool | None = None, limit: int = PAGE_SIZE, offset: int = 0) -> dict:
        """Items newest first, each with its rating, ticket and history; `total` counts every match.

        `first`/`last` bound the service date (YYYY-MM-DD, both included).
        """
        if any(s not in STATES for s in states):
            raise QueueRefused("bad_request", "Trạng thái phản ánh không hợp lệ.")
        where, params = [], []
        if states:
            where.append(f"f.state IN ({','.join('?' * len(states))})")
            params += list(states)
        for clause, value in (("f.local_date >= ?", first), ("f.local_date <= ?", last),
                              ("r.department_code = ?", department), ("r.service_code = ?", service),
                              ("r.counter_number = ?", counter), ("r.officer = ?", officer),
                              ("f.dissatisfied = ?", None if dissatisfied is None else int(dissatisfied))):
            if value is not None:
                where.append(clause)
                params.append(value)
        condition = " WHERE " + " AND ".join(where) if where else ""
        limit = max(1, min(int(limit), MAX_PAGE))
        with self.store.read() as conn:
            total = conn.execute(f"SELECT count(*) FROM feedback_items f JOIN ratings r ON r.id = f.rating_id"
                                 f"{condition}", params).fetchone()[0]
            rows = conn.execute(f"{ITEM_QUERY}{condition} ORDER BY f.opened_at DESC, f.id DESC LIMIT ? OFFSET ?",
                                (*params, limit, max(0, int(offset)))).fetchall()
            history = self._history(conn, [r["id"] for r in rows])
        items = [self._view(r, history.get(r["id"], [])) for r in rows]
        return {"items": items, "total": total, "offset": offset, "limit": limit,
                "more": offset + len(items) < total}

    def item(self, item_id: int) -> dict:
        """One item with its full history; unknown_feedback when there is none."""
        with self.store.read() as conn:
            return self._item(conn, item_id)

    def open_counts(self) -> dict:
        """How many items are not yet handled: all of them, and the complaints among them, by state."""
        with self.store.read() as conn:
            rows = conn.execute("SELECT state, dissatisfied, count(*) AS n FROM feedback_items"
                                " INDEXED BY feedback_by_state WHERE state IN (?, ?) GROUP BY 1, 2",
                                OPEN_STATES).fetchall()
        counts = {"open": 0, "open_dissatisfied": 0, NEW: 0, IN_PROGRESS: 0}
        for r in rows:
            counts["open"] += r["n"]
            counts[r["state"]] += r["n"]
            if r["dissatisfied"]:
                counts["open_dissatisfied"] += r["n"]
        return counts

    # ----- changing --------------------------------------------------------------------------------

    def take(self, item_id: int, actor: str, note: str | None = None):
        """Tiếp nhận: mới → đang xử lý, with an optional note. Returns (item, events)."""
        return self._change(item_id, "take", actor, note)

    def close(self, item_id: int, actor: str, note: str):
        """Đã xử lý: mới or đang xử lý → đã xử lý; the note (what was done) is required."""
        return self._change(item_id, "close", actor, note)

    def reopen(self, item_id: int, actor: str, note: str):
        """Mở lại: đã xử lý → đang xử lý, saying why."""
        return self._change(item_id, "reopen", actor, note)

    def _change(self, item_id, change, actor, note):
        sources, target, note_required, wrong_state = CHANGES[change]
        note = _checked_note(note, note_required)
        now = int(self.clock())
        with self.store.write() as conn:
            item = self._item(conn, item_id)
            if item["state"] not in sources:
                raise QueueRefused("feedback_state", wrong_state)
            done = target == DONE
            conn.execute("UPDATE feedback_items SET state = ?, changed_at = ?, handled_at = ?, handled_by = ?"
                         " WHERE id = ?", (target, now, now if done else None, actor if done else None, item_id))
            conn.execute("INSERT INTO feedback_actions (item_id, at, actor, from_state, to_state, note)"
                         " VALUES (?, ?, ?, ?, ?, ?)", (item_id, now, actor, item["state"], target, note))
            audit.record(conn, now, actor, f"feedback_{change}", f"feedback:{item_id}",
                         {"state": item["state"]}, {"state": target, "note": note})
            # Every screen sees the item's number and state (sequence numbers are shared); supervisors also who
            # and why (`detail`, sent to their room only).
            event = self.store.record_event(
                conn, "feedback_changed", now, {"item_id": item_id, "from_state": item["state"], "state": target},
                detail={"label": item["label"], "actor": actor, "actor_name": self._name(actor), "note": note,
                        "state_name": STATE_NAMES[target]})
            return self._item(conn, item_id), [event]

    # ----- views -----------------------------------------------------------------------------------

    def _item(self, conn, item_id) -> dict:
        if not isinstance(item_id, int) or isinstance(item_id, bool):
            raise QueueRefused("unknown_feedback", "Không tìm thấy phản ánh này.")
        row = conn.execute(f"{ITEM_QUERY} WHERE f.id = ?", (item_id,)).fetchone()
        if row is None:
            raise QueueRefused("unknown_feedback", "Không tìm thấy phản ánh này.")
        return self._view(row, self._history(conn, [item_id]).get(item_id, []))

    def _history(self, conn, ids: list[int]) -> dict[int, list[dict]]:
        history: dict[int, list[dict]] = {}
        if not ids:
            return history
        for a in conn.execute(f"SELECT * FROM feedback_actions WHERE item_id IN ({','.join('?' * len(ids))})"
                              " ORDER BY id", ids):
            history.setdefault(a["item_id"], []).append({
                "at": a["at"], "actor": a["actor"], "actor_name": self._name(a["actor"]),
                "from_state": a["from_state"], "to_state": a["to_state"], "to_state_name": STATE_NAMES[a["to_state"]],
                "note": a["note"]})
        return history

    def _name(self, username: str | None) -> str | None:
        officer = self.center.officer(username or "")
        return officer.name if officer else username

    def _view(self, r, history: list[dict]) -> dict:
        """An item as screens show it: names from today's configuration, codes kept for removed ones."""
        c = self.center
        service, department, counter = (c.services.get(r["service_code"]), c.department(r["department_code"]),
                                        c.counter(r["counter_number"]))
        return {
            "id": r["id"], "state": r["state"], "state_name": STATE_NAMES[r["state"]],
            "dissatisfied": bool(r["dissatisfied"]), "local_date": r["local_date"], "opened_at": r["opened_at"],
            "changed_at": r["changed_at"], "handled_at": r["handled_at"], "handled_by": r["handled_by"],
            "handled_by_name": self._name(r["handled_by"]) if r["handled_by"] else None,
            "label": r["label"], "level": r["level"], "level_name": r["level_name"], "channel": r["channel"],
            "reasons": json.loads(r["reasons"]), "comment": r["comment"], "rated_at": r["rated_at"],
            "service_code": r["service_code"], "service_name": service.name if service else r["service_code"],
            "department_code": r["department_code"],
            "department_name": department.name if department else r["department_code"],
            "counter_number": r["counter_number"], "counter_name": counter.name if counter else None,
            "officer": r["officer"], "officer_name": self._name(r["officer"]),
            "history": history,
        }


ITEM_QUERY = ("SELECT f.*, r.level, r.level_name, r.reasons, r.comment, r.channel, r.rated_at, r.counter_number,"
              " r.officer, r.service_code, r.department_code, t.label"
              " FROM feedback_items f JOIN ratings r ON r.id = f.rating_id JOIN tickets t ON t.id = r.ticket_id")


def _checked_note(note, required: bool) -> str:
    """The note as stored (trimmed, '' when none was given), or a refusal."""
    if note is not None and not isinstance(note, str):
        raise QueueRefused("bad_note", "Ghi chú phải là chuỗi ký tự.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise QueueRefused("bad_note", f"Ghi chú tối đa {MAX_NOTE} ký tự.")
    if required and not note:
        raise QueueRefused("note_required", "Vui lòng ghi nội dung đã xử lý (đã gọi lại công dân, đã trao đổi với"
                                            " công chức…).")
    return note


# ----- reports ---------------------------------------------------------------------------------------


def period_figures(conn, first_iso: str, last_iso: str) -> dict:
    """The inbox in a report: items whose service date is in [first_iso, last_iso], how many were handled and the
    median time to handle them (handled_at − opened_at) in minutes, or None when none was.

    The median interpolates between the two middle values of an even count (Excel MEDIAN, PERCENTILE.INC at 0.5)
    and is rounded half up to one decimal.
    """
    rows = conn.execute("SELECT dissatisfied, state, handled_at - opened_at AS took FROM feedback_items"
                        " INDEXED BY feedback_by_day WHERE local_date BETWEEN ? AND ?",
                        (first_iso, last_iso)).fetchall()
    took = sorted(r["took"] for r in rows if r["state"] == DONE)
    dissatisfied = sum(1 for r in rows if r["dissatisfied"])
    return {"opened": len(rows), "dissatisfied": dissatisfied, "comments_only": len(rows) - dissatisfied,
            "handled": len(took), "open": len(rows) - len(took), "median_handle_minutes": median_minutes(took)}


def median_minutes(sorted_seconds: list[int]) -> float | None:
    """The median of whole seconds, in minutes rounded half up to 0.1 (exact: no float rounding on the way)."""
    n = len(sorted_seconds)
    if not n:
        return None
    twice = sorted_seconds[(n - 1) // 2] + sorted_seconds[n // 2]  # twice the median, an integer
    tenths = (twice + 6) // 12  # tenths of a minute = seconds / 6 = twice / 12, rounded half up
    return tenths / 10
