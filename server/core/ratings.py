"""Ratings: one per served ticket, from the counter's tablet or the citizen's phone, never edited.

A rating is bound to the ticket and to the officer, counter, service and department that served it, copied from
the ticket at the moment of rating (they cannot change afterwards: the ticket is finished). A tablet that was
offline sends its ratings later with the ids it generated; an id is accepted once, so nothing is counted twice.
"""

from __future__ import annotations

import json
import re

from . import feedback
from .queue import DONE, Outcome, Queue, QueueRefused

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_COMMENT = 500
# A tablet that lost the server may deliver a rating this long after the service ended.
TABLET_GRACE_SECONDS = 7 * 24 * 3600


class Ratings:
    """Recording ratings under the center's scale."""

    def __init__(self, queue: Queue):
        self.queue, self.center, self.store = queue, queue.center, queue.store

    def rate_at_counter(self, counter_number, label, level, reasons=(), comment=None, client_id=None,
                        service_date=None, device=None) -> Outcome:
        """A rating from the tablet of the counter that served ticket `label` on `service_date` (default today)."""
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            raise QueueRefused("bad_client_id", "Mã đánh giá không hợp lệ.")
        counter = self.queue._counter(counter_number)
        now = self.queue.now()
        day = service_date or self.center.local_date(now)
        if not isinstance(label, str) or not isinstance(day, str):
            raise QueueRefused("unknown_ticket", "Không tìm thấy số thứ tự này.")
        with self.store.write() as conn:
            earlier = self._by_client_id(conn, client_id)
            if earlier:  # the same rating sent again after a lost acknowledgement
                return Outcome({**earlier, "duplicate": True})
            ticket = conn.execute("SELECT * FROM tickets WHERE label = ? AND counter_number = ? AND local_date = ?"
                                  " ORDER BY id DESC LIMIT 1", (label.strip().upper(), counter.number, day)).fetchone()
            if ticket is None:
                raise QueueRefused("not_served_here", "Số này không được phục vụ tại quầy này.")
            if ticket["ended_at"] is not None and now - ticket["ended_at"] > TABLET_GRACE_SECONDS:
                raise QueueRefused("rating_closed", "Đã hết thời gian đánh giá cho phiếu này.")
            return self._record(conn, ticket, "tablet", level, reasons, comment, client_id, device, now)

    def rate_by_phone(self, token, level, reasons=(), comment=None) -> Outcome:
        """A rating from the ticket's phone page, until the end of the day it was served."""
        now = self.queue.now()
        with self.store.write() as conn:
            ticket = self.queue._by_token(conn, token)
            if ticket["local_date"] != self.center.local_date(now):
                raise QueueRefused("rating_closed", "Đã hết thời gian đánh giá cho phiếu này.")
            return self._record(conn, ticket, "phone", level, reasons, comment, None, None, now)

    def rating_of(self, token) -> dict | None:
        """The rating of a ticket's chain, for the phone page (None while not rated)."""
        with self.store.read() as conn:
            ticket = self.queue._by_token(conn, token)
            row = conn.execute("SELECT * FROM ratings WHERE ticket_id = ?", (ticket["id"],)).fetchone()
            return self._view(row) if row else None

    def _record(self, conn, ticket, channel, level, reasons, comment, client_id, device, now) -> Outcome:
        if ticket["state"] != DONE:
            raise QueueRefused("not_finished", "Số này chưa được phục vụ xong nên chưa thể đánh giá.")
        if conn.execute("SELECT 1 FROM ratings WHERE ticket_id = ?", (ticket["id"],)).fetchone():
            raise QueueRefused("already_rated", "Lượt phục vụ này đã được đánh giá. Trân trọng cảm ơn Ông/Bà!")
        levels = self.center.rating.levels
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= len(levels):
            raise QueueRefused("bad_level", "Mức đánh giá không hợp lệ.")
        if not isinstance(reasons, (list, tuple)) or not all(r in self.center.rating.reasons for r in reasons) \
                or len(set(reasons)) != len(reasons):
            raise QueueRefused("bad_reasons", "Lý do không có trong danh sách.")
        if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
            raise QueueRefused("bad_comment", f"Góp ý tối đa {MAX_COMMENT} ký tự.")
        dissatisfied = self.center.rating.is_dissatisfied(level)
        if not dissatisfied and reasons:
            raise QueueRefused("bad_reasons", "Chỉ chọn lý do khi không hài lòng.")
        comment = comment.strip() or None if comment else None
        rating_id = conn.execute(
            "INSERT INTO ratings (ticket_id, client_id, channel, level, level_name, scale, reasons, comment,"
            " local_date, service_local_date, rated_at, counter_number, officer, service_code, department_code,"
            " device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket["id"], client_id, channel, level, levels[level - 1], len(levels),
             json.dumps(list(reasons), ensure_ascii=False), comment, self.center.local_date(now),
             ticket["local_date"], now, ticket["counter_number"], ticket["officer"], ticket["service_code"],
             ticket["department_code"], device)).fetchone()[0]
        row = conn.execute("SELECT * FROM ratings WHERE id = ?", (rating_id,)).fetchone()
        if dissatisfied or comment:  # in the rating's own transaction: no complaint without its inbox item
            feedback.open_item(conn, rating_id, dissatisfied, ticket["local_date"], now)
        officer = self.center.officer(ticket["officer"] or "")
        detail = {"reasons": list(reasons), "comment": comment,
                  "officer_name": officer.name if officer else ticket["officer"]} if dissatisfied else None
        event = self.store.record_event(
            conn, "rating_recorded", now,
            {"label": ticket["label"], "counter_number": ticket["counter_number"], "level": level,
             "level_name": levels[level - 1], "dissatisfied": dissatisfied, "channel": channel,
             "service_code": ticket["service_code"], "officer": ticket["officer"]},
            ticket_id=ticket["id"], counter_number=ticket["counter_number"], officer=ticket["officer"],
            detail=detail, ticket_token=self.queue._root_token(conn, ticket))
        return Outcome(self._view(row), [event])

    def _by_client_id(self, conn, client_id):
        row = conn.execute("SELECT * FROM ratings WHERE client_id = ?", (client_id,)).fetchone()
        return self._view(row) if row else None

    @staticmethod
    def _view(row) -> dict:
        return {"level": row["level"], "level_name": row["level_name"],
                "reasons": json.loads(row["reasons"]), "comment": row["comment"], "channel": row["channel"],
                "counter_number": row["counter_number"], "officer": row["officer"], "rated_at": row["rated_at"]}

