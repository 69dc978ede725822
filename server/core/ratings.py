"""Ratings: one per served ticket, from the counter's tablet or the citizen's phone, never edited.

A rating is bound to the ticket and to the officer, counter, service and department that served it, copied from
the ticket at the moment of rating (they cannot change afterwards: the ticket is finished). A tablet that was
offline sends its ratings later with the ids it generated; an id is accepted once, so nothing is counted twice.
A tapped level is a rating: when the citizen walks away after choosing one, the tablet sends it on its own
(`timed_out`), and the rating keeps that mark (`sent_on_timeout`).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from . import feedback
from .center import storable_text
from .queue import CANCELLED, DONE, NO_SHOW, UNFINISHED, Outcome, Queue, QueueRefused
from .vietnamese import format_date, parse_day

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_COMMENT = 500
MAX_LABEL = 16  # a ticket label is a prefix and a number ("AB1234"); anything longer is not one
# A tablet that lost the server may deliver a rating this long after the service ended.
TABLET_GRACE_SECONDS = 7 * 24 * 3600
ALREADY_RATED = ("already_rated", "Lượt phục vụ này đã được đánh giá. Trân trọng cảm ơn Ông/Bà!")


def malformed(message: str) -> QueueRefused:
    """A field that is not of the kind the rating takes (400 bad_request)."""
    return QueueRefused("bad_request", message)


def is_int(value) -> bool:
    """An integer as JSON sends one (true and false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)



class Ratings:
    """Recording ratings under the center's scale."""

    def __init__(self, queue: Queue):
        self.queue, self.center, self.store = queue, queue.center, queue.store

    def rate_at_counter(self, counter_number, label, level, reasons=(), comment=None, client_id=None,
                        service_date=None, device=None, timed_out=False) -> Outcome:
        """A rating from the tablet of the counter that served ticket `label` on `service_date` (default today).

        `timed_out`: the citizen chose the level (and perhaps reasons) and left without pressing "Gửi"; the
        tablet sent the choice on its own. Such a rating is kept even without the reason the center requires.
        """
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            raise QueueRefused("bad_client_id", "Mã đánh giá không hợp lệ.")
        if not is_int(counter_number):
            raise malformed("Thiếu số quầy (counter) hoặc số quầy không phải là số nguyên.")
        if not storable_text(label) or not label.strip():
            raise malformed("Thiếu số thứ tự (label) của lượt được đánh giá.")
        if len(label.strip()) > MAX_LABEL:
            raise malformed("Số thứ tự (label) không hợp lệ.")
        if device is not None and not storable_text(device):
            raise malformed("Tên thiết bị (device) phải là chuỗi ký tự.")
        if service_date is not None and parse_day(service_date) is None:
            raise malformed("Ngày phục vụ (service_date) phải có dạng NNNN-TT-NN, ví dụ 2026-11-23.")
        if not isinstance(timed_out, bool):
            raise malformed("Trường “timed_out” phải là true hoặc false.")
        reasons = self._checked_shape(level, reasons, comment)
        counter = self.queue._counter(counter_number)
        now = self.queue.now()
        day = service_date or self.center.local_date(now)
        with self.store.write() as conn:
            earlier = self._by_client_id(conn, client_id)
            if earlier:  # the same rating sent again after a lost acknowledgement
                return Outcome({**earlier, "duplicate": True})
            ticket = self._served_at(conn, counter.number, label.strip().upper(), day, now)
            if ticket["ended_at"] is not None and now - ticket["ended_at"] > TABLET_GRACE_SECONDS:
                raise QueueRefused("rating_closed", "Đã hết thời gian đánh giá cho phiếu này.")
            return self._record(conn, ticket, "tablet", level, reasons, comment, client_id, device, now, timed_out)

    def rate_by_phone(self, token, level, reasons=(), comment=None) -> Outcome:
        """A rating from the ticket's phone page, under `phone_refusal`'s rule."""
        reasons = self._checked_shape(level, reasons, comment)
        now = self.queue.now()
        with self.store.write() as conn:
            ticket = self.queue._by_token(conn, token)
            refusal = self.phone_refusal(ticket, rated=False)  # a rating already stored is refused by _record
            if refusal:
                raise refusal
            return self._record(conn, ticket, "phone", level, reasons, comment, None, None, now, False)

    def can_rate_by_phone(self, ticket, rated: bool) -> bool:
        """Whether the citizen's phone may rate this ticket now: what the phone page offers (`can_rate`, over HTTP
        and Socket.IO alike) is exactly what `rate_by_phone` accepts."""
        return self.phone_refusal(ticket, rated) is None

    def phone_refusal(self, ticket, rated: bool) -> QueueRefused | None:
        """Why the phone may not rate `ticket` (a stored row or the phone's view of it), None when it may: the
        service ended in a finish, nobody rated it yet (tablet or phone), and it was served today (the phone's
        rating closes at the end of that day; the tablet keeps TABLET_GRACE_SECONDS for what it kept offline)."""
        today = self.center.local_date(self.queue.now())
        try:
            self._refuse_unrateable(ticket, today)
        except QueueRefused as refusal:
            return refusal
        if ticket["local_date"] != today:
            return QueueRefused("rating_closed", "Đã hết thời gian đánh giá cho phiếu này.")
        if rated:
            return QueueRefused(*ALREADY_RATED)
        return None

    def rating_of(self, token) -> dict | None:
        """The rating of a ticket's chain, for the phone page (None while not rated)."""
        with self.store.read() as conn:
            ticket = self.queue._by_token(conn, token)
            row = conn.execute("SELECT * FROM ratings WHERE ticket_id = ?", (ticket["id"],)).fetchone()
            return self._view(row) if row else None

    def _served_at(self, conn, counter_number: int, label: str, day: str, now):
        """The ticket `label` of `day` if this counter finished it, else the refusal that says what happened.

        The label is looked up at every counter first: a transfer keeps the label, so the newest ticket of the
        chain is where the citizen is now."""
        ticket = conn.execute("SELECT * FROM tickets WHERE label = ? AND local_date = ? ORDER BY id DESC LIMIT 1",
                              (label, day)).fetchone()
        if ticket is None:
            when = format_date(dt.date.fromisoformat(day))
            raise QueueRefused("unknown_ticket", f"Không tìm thấy số thứ tự {label} trong ngày {when}.")
        if ticket["counter_number"] is not None and ticket["counter_number"] != counter_number:
            raise QueueRefused("not_served_here", f"Số {label} không được phục vụ tại quầy này.")
        self._refuse_unrateable(ticket, self.center.local_date(now))
        return ticket

    @staticmethod
    def _refuse_unrateable(ticket, today: str):
        """Refuse a ticket whose service did not end in a finish: still waiting or at a counter, or never served."""
        unfinished = ticket["state"] in UNFINISHED
        if unfinished and ticket["local_date"] >= today:
            raise QueueRefused("not_finished", "Số này chưa được phục vụ xong nên chưa thể đánh giá.")
        if unfinished or ticket["state"] in (CANCELLED, NO_SHOW):  # an earlier day's unserved ticket has expired
            raise QueueRefused("not_served", "Số này không được phục vụ (đã hủy, vắng mặt hoặc hết hiệu lực)"
                                             " nên không thể đánh giá.")
        if ticket["state"] != DONE:
            raise QueueRefused("not_finished", "Số này chưa được phục vụ xong nên chưa thể đánh giá.")

    @staticmethod
    def _checked_shape(level, reasons, comment) -> list:
        """Refuse fields of the wrong kind (400 bad_request) before anything is read; returns the reasons."""
        if not is_int(level):
            raise malformed("Mức đánh giá (level) phải là một số nguyên.")
        if reasons is None:
            reasons = []
        if not isinstance(reasons, (list, tuple)) or not all(isinstance(r, str) for r in reasons):
            raise malformed("Lý do (reasons) phải là một danh sách chuỗi ký tự.")
        if comment is not None and not storable_text(comment):
            raise malformed("Góp ý (comment) phải là chuỗi ký tự.")
        return list(reasons)

    def _record(self, conn, ticket, channel, level, reasons, comment, client_id, device, now, timed_out) -> Outcome:
        if conn.execute("SELECT 1 FROM ratings WHERE ticket_id = ?", (ticket["id"],)).fetchone():
            raise QueueRefused(*ALREADY_RATED)
        scale = self.center.rating
        levels = scale.levels
        if not 1 <= level <= len(levels):
            raise QueueRefused("bad_level", "Mức đánh giá không hợp lệ.")
        if not all(r in scale.reasons for r in reasons) or len(set(reasons)) != len(reasons):
            raise QueueRefused("bad_reasons", "Lý do không có trong danh sách.")
        if comment is not None and len(comment) > MAX_COMMENT:
            raise QueueRefused("bad_comment", f"Góp ý tối đa {MAX_COMMENT} ký tự.")
        dissatisfied = scale.is_dissatisfied(level)
        if not dissatisfied and reasons:
            raise QueueRefused("bad_reasons", "Chỉ chọn lý do khi không hài lòng.")
        # A complaint is never lost: the choice of a citizen who walked away is kept even without its reason.
        if dissatisfied and not reasons and scale.reason_required and not timed_out:
            raise QueueRefused("reason_required", "Ông/Bà vui lòng chọn ít nhất một lý do chưa hài lòng.")
        comment = comment.strip() or None if comment else None
        rating_id = conn.execute(
            "INSERT INTO ratings (ticket_id, client_id, channel, level, level_name, scale, reasons, comment,"
            " local_date, service_local_date, rated_at, counter_number, officer, service_code, department_code,"
            " device, sent_on_timeout) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket["id"], client_id, channel, level, levels[level - 1], len(levels),
             json.dumps(reasons, ensure_ascii=False), comment, self.center.local_date(now),
             ticket["local_date"], now, ticket["counter_number"], ticket["officer"], ticket["service_code"],
             ticket["department_code"], device, int(timed_out))).fetchone()[0]
        row = conn.execute("SELECT * FROM ratings WHERE id = ?", (rating_id,)).fetchone()
        if dissatisfied or comment:  # in the rating's own transaction: no complaint without its inbox item
            feedback.open_item(conn, rating_id, dissatisfied, ticket["local_date"], now)
        officer = self.center.officer(ticket["officer"] or "")
        detail = {"reasons": reasons, "comment": comment,
                  "officer_name": officer.name if officer else ticket["officer"]} if dissatisfied else None
        event = self.store.record_event(
            conn, "rating_recorded", now,
            {"label": ticket["label"], "counter_number": ticket["counter_number"], "level": level,
             "level_name": levels[level - 1], "dissatisfied": dissatisfied, "channel": channel,
             "sent_on_timeout": timed_out, "service_code": ticket["service_code"], "officer": ticket["officer"]},
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
                "counter_number": row["counter_number"], "officer": row["officer"], "rated_at": row["rated_at"],
                "sent_on_timeout": bool(row["sent_on_timeout"])}
