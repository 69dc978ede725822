"""Bookings (đặt lịch hẹn) and remote numbers (lấy số từ xa): what a citizen does from a phone before coming, and
the check-in at the kiosk that turns it into a ticket of the same queue (docs/APPOINTMENTS.md has every rule).

Plain Python over the Store, like the queue. Slots come from the center's hours and holidays, with the capacity
per service and slot of `[appointments]` (server/core/appointments_config.py). Every write runs in one
`store.write()` (BEGIN IMMEDIATE behind the store's lock), so counting a slot's bookings and adding one are a
single step: fifty phones asking for the last place of a slot at once get exactly one booking.

Personal data (name, phone number, network address) lives only in the `appointments` table: tickets and events
carry the service and the slot, never who booked. `erase_expired` empties those columns once the booking's day
plus `retention_days` has passed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from . import booking_codes
from .appointments_config import AppointmentPolicy
from .appointments_queue import APPOINTMENT_CHANNEL, REMOTE_CHANNEL, booked_time_of, expire_passed_remote
from .center import Center
from .queue import Queue
from .refusals import QueueRefused
from .store import Store
from .ticket_print import ticket_lines

BOOKING, REMOTE = "booking", "remote"
BOOKED, CHECKED_IN, LATE, CANCELLED, NO_SHOW = "booked", "checked_in", "late", "cancelled", "no_show"
HOLDING = (BOOKED, CHECKED_IN, LATE, NO_SHOW)  # the states that keep their place in a slot's capacity
STATE_NAMES = {
    BOOKED: "Đã đặt", CHECKED_IN: "Đã xác nhận có mặt", LATE: "Đến muộn (xếp như khách trực tiếp)",
    CANCELLED: "Đã hủy", NO_SHOW: "Vắng mặt",
}
NAME_MAX = 100
# A Vietnamese phone number as people write it: 0xxxxxxxxx (10 digits), or +84 / 84 before the 9 digits.
_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
# How many free slots a refusal for a full slot offers instead.
NEXT_SLOTS_OFFERED = 3
TOKEN_BYTES = 16
APPOINTMENTS_OFF = "Trung tâm chưa nhận đặt lịch hẹn trực tuyến."
LOOKUP_MISSES_PER_DAY = 10
BAD_PHONE = "Số điện thoại không hợp lệ (ví dụ 0912 345 678)."
BAD_CODE = "Mã hẹn không đúng. Mã gồm 8 chữ số, Ông/Bà vui lòng kiểm tra lại."
# Days a request may name at all (the booking rules then narrow them to today … days_ahead).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def phone_number(text) -> str | None:
    """The phone number in its one stored form (0 and nine digits), or None when it is not a mobile number."""
    if not isinstance(text, str) or len(text) > 30:
        return None
    match = _PHONE.match(re.sub(r"[\s.()-]", "", text))
    return f"0{match.group(1)}" if match else None


def citizen_name(text) -> str | None:
    """A name as typed, trimmed, or None when empty, too long or not printable text."""
    if not isinstance(text, str):
        return None
    name = " ".join(text.split())
    if not 2 <= len(name) <= NAME_MAX or not name.isprintable():
        return None
    return name


def masked_phone(phone: str | None) -> str | None:
    """What a page shows of the phone number: enough to recognise it, not enough to read it off a screen."""
    return f"{phone[:3]}****{phone[-3:]}" if phone else None


def _clock(moment: dt.time) -> str:
    return moment.strftime("%H:%M")


class Appointments:
    """Bookings and remote numbers of one center; `queue` issues the tickets check-in and remote numbers give."""

    def __init__(self, center: Center, store: Store, queue: Queue):
        self.center, self.store, self.queue = center, store, queue

    # ----- policy ----------------------------------------------------------------------------------

    @property
    def policy(self) -> AppointmentPolicy:
        """The center's `[appointments]`, or the refusal when it has none."""
        policy = self.center.appointments
        if policy is None:
            raise QueueRefused("appointments_off", APPOINTMENTS_OFF)
        return policy

    def now(self) -> int:
        return self.queue.now()

    def options(self) -> dict:
        """What the booking page offers: bookable services, remote services and the days one may book."""
        policy = self.policy
        today = self.center.local(self.now()).date()
        days = [today + dt.timedelta(days=i) for i in range(policy.days_ahead + 1)]
        return {
            "slot_minutes": policy.slot_minutes, "late_minutes": policy.late_minutes,
            "days": [d.isoformat() for d in days if self._working(d)],
            "departments": [
                {"code": d.code, "name": d.name, "services": [
                    {"code": s.code, "name": s.name, "bookable": policy.bookable(s.code),
                     "remote": policy.remote_enabled(s.code)}
                    for s in d.services if policy.bookable(s.code) or policy.remote_enabled(s.code)]}
                for d in self.center.departments],
        }

    def _working(self, day: dt.date) -> bool:
        hours = self.center.hours
        return day.weekday() in hours.working_days and day not in hours.holidays

    def _service(self, code, want_bookable=True):
        service = self.center.services.get(code) if isinstance(code, str) else None
        if service is None:
            raise QueueRefused("unknown_service", "Lĩnh vực không tồn tại. Mời Ông/Bà chọn lại.")
        policy = self.policy
        if want_bookable and not policy.bookable(service.code):
            raise QueueRefused("not_bookable", f"Lĩnh vực “{service.name}” chưa nhận đặt lịch hẹn.")
        if not want_bookable and not policy.remote_enabled(service.code):
            raise QueueRefused("remote_off", f"Lĩnh vực “{service.name}” chưa cho lấy số từ xa.")
        return service

    def _day(self, text) -> dt.date:
        if isinstance(text, str) and len(text) == 10:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                day = None
            if day is not None and FIRST_DAY <= day <= LAST_DAY:  # slot arithmetic stays within the calendar
                return day
        raise QueueRefused("bad_day", "Ngày hẹn phải có dạng YYYY-MM-DD.")

    # ----- slots -----------------------------------------------------------------------------------

    def _slot_starts(self, day: dt.date, service_code: str) -> list[dt.datetime]:
        """The starts of every slot of a day for a service, from the service's own sessions or else the center's:
        a slot ends within its session and starts before the session stops issuing (check-in gives a ticket)."""
        service = self.center.services.get(service_code)  # None: removed by an admin since it was booked
        if service is None or not self._working(day):
            return []
        length = dt.timedelta(minutes=self.policy.slot_minutes)
        starts = []
        for session in service.sessions or self.center.hours.sessions:
            moment = dt.datetime.combine(day, session.start, self.center.timezone)
            end = dt.datetime.combine(day, session.end, self.center.timezone)
            issuing_end = dt.datetime.combine(day, self.center.hours.issuing_end(session), self.center.timezone)
            # "24:00" is 23:59:59.999999: a microsecond's grace lets the last slot of such a day end at midnight.
            while moment + length <= end + dt.timedelta(microseconds=1) and moment < issuing_end:
                starts.append(moment)
                moment += length
        return starts

    def slots(self, service_code, day_text) -> dict:
        """Every slot of a day for a service: its start, capacity, places left and whether it may be booked now."""
        service = self._service(service_code)
        day = self._day(day_text)
        with self.store.read() as conn:
            taken = self._taken(conn, service.code, day.isoformat())
        return {"service_code": service.code, "service_name": service.name, "local_date": day.isoformat(),
                "slots": [self._slot_view(service.code, start, taken)
                          for start in self._slot_starts(day, service.code)]}

    def _taken(self, conn, service_code: str, day: str) -> dict[str, int]:
        marks = ", ".join("?" * len(HOLDING))
        return dict(conn.execute(
            "SELECT slot_start, count(*) FROM appointments WHERE local_date = ? AND service_code = ?"
            f" AND kind = 'booking' AND state IN ({marks}) GROUP BY slot_start", (day, service_code, *HOLDING)))

    def _slot_view(self, service_code: str, start: dt.datetime, taken: dict) -> dict:
        capacity = self.policy.capacity.get(service_code, 0)
        left = max(0, capacity - taken.get(_clock(start.time()), 0))
        return {"start": _clock(start.time()), "at": int(start.timestamp()), "capacity": capacity, "left": left,
                "open": self._open_for_booking(start) and left > 0}

    def _open_for_booking(self, start: dt.datetime) -> bool:
        """Whether a slot may be booked now: not past its closing time, not beyond the days ahead."""
        policy, now = self.policy, self.now()
        today = self.center.local(now).date()
        if start.date() > today + dt.timedelta(days=policy.days_ahead):
            return False
        return now <= start.timestamp() - policy.close_minutes_before * 60

    def _slot_start(self, day: dt.date, start_text, service_code: str) -> dt.datetime:
        for start in self._slot_starts(day, service_code):
            if _clock(start.time()) == start_text:
                return start
        raise QueueRefused("unknown_slot", "Khung giờ này không có trong lịch làm việc. Mời Ông/Bà chọn lại.")

    def _next_free(self, conn, service_code: str, after: dt.datetime) -> list[dict]:
        """The next slots that may still be booked after a full one (same day first, then the following days)."""
        offered, day = [], after.date()
        last_day = self.center.local(self.now()).date() + dt.timedelta(days=self.policy.days_ahead)
        while day <= last_day and len(offered) < NEXT_SLOTS_OFFERED:
            taken = self._taken(conn, service_code, day.isoformat())
            for start in self._slot_starts(day, service_code):
                if start > after and len(offered) < NEXT_SLOTS_OFFERED:
                    view = self._slot_view(service_code, start, taken)
                    if view["open"]:
                        offered.append({"local_date": day.isoformat(), **view})
            day += dt.timedelta(days=1)
        return offered

    # ----- booking ---------------------------------------------------------------------------------

    def book(self, service_code, day_text, start_text, name, phone, address: str | None) -> dict:
        """Đặt lịch hẹn: one place in a slot, or a refusal (full: with the next free slots; limits reached)."""
        service = self._service(service_code)
        day = self._day(day_text)
        start = self._slot_start(day, start_text, service.code)
        citizen, number = self._citizen(name, phone)
        if not self._open_for_booking(start):
            raise QueueRefused("slot_closed", "Khung giờ này đã hết hạn đặt lịch. Mời Ông/Bà chọn khung giờ khác.")
        now = self.now()
        with self.store.write() as conn:
            self._check_limits(conn, number, address, now)
            taken = self._taken(conn, service.code, day.isoformat()).get(start_text, 0)
            if taken >= self.policy.capacity[service.code]:
                refusal = QueueRefused("slot_full", f"Khung giờ {start_text} ngày {day:%d/%m/%Y} đã đủ người đặt. "
                                                    "Mời Ông/Bà chọn một khung giờ khác.")
                refusal.next_slots = self._next_free(conn, service.code, start)
                raise refusal
            row = self._insert(conn, BOOKING, service.code, day.isoformat(), start_text, int(start.timestamp()),
                               citizen, number, address, now)
            return self._view(conn, row)

    def _citizen(self, name, phone) -> tuple[str, str]:
        citizen, number = citizen_name(name), phone_number(phone)
        if citizen is None:
            raise QueueRefused("bad_name", "Vui lòng nhập họ tên (2–100 ký tự).")
        if number is None:
            raise QueueRefused("bad_phone", BAD_PHONE)
        return citizen, number

    def _check_limits(self, conn, phone: str, address: str | None, now: int):
        """Bookings and remote numbers made today by one phone number, and from one address (all of them count,
        cancelled ones too: booking and cancelling again and again is what the limit is for)."""
        policy, today = self.policy, self.center.local_date(now)
        by_phone = conn.execute("SELECT count(*) FROM appointments WHERE phone = ? AND created_date = ?",
                                (phone, today)).fetchone()[0]
        if by_phone >= policy.per_phone_per_day:
            raise QueueRefused("phone_limit", f"Mỗi số điện thoại chỉ được đặt {policy.per_phone_per_day} lần "
                                              "trong một ngày. Mời Ông/Bà thử lại vào ngày mai.")
        if address:
            by_address = conn.execute("SELECT count(*) FROM appointments WHERE address = ? AND created_date = ?",
                                      (address, today)).fetchone()[0]
            if by_address >= policy.per_address_per_day:
                raise QueueRefused("address_limit", "Thiết bị hoặc mạng này đã đặt quá số lần cho phép trong ngày. "
                                                    "Mời Ông/Bà thử lại vào ngày mai.")

    def _insert(self, conn, kind, service_code, day, start_text, slot_at, name, phone, address, now,
                ticket_id=None, state=BOOKED):
        for _ in range(20):  # 10⁷ codes: a collision with a stored one is rare, and simply drawn again
            code = booking_codes.new_code()
            if conn.execute("SELECT 1 FROM appointments WHERE code = ?", (code,)).fetchone() is None:
                break
        return conn.execute(
            "INSERT INTO appointments (kind, code, token, service_code, local_date, slot_start, slot_at, state,"
            " created_at, created_date, changed_at, ticket_id, name, phone, address)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (kind, code, secrets.token_urlsafe(TOKEN_BYTES), service_code, day, start_text, slot_at, state, now,
             self.center.local_date(now), now, ticket_id, name, phone, address)).fetchone()

    def _by_token(self, conn, token):
        row = conn.execute("SELECT * FROM appointments WHERE token = ?",
                           (token,)).fetchone() if isinstance(token, str) and len(token) < 100 else None
        if row is None:
            raise QueueRefused("unknown_booking", "Không tìm thấy lịch hẹn này.")
        return row

    def look_up(self, code, phone, address: str | None = None) -> dict:
        """Tra cứu: a booking found again by its code and the phone number it was made with (a citizen who lost
        its page). Both must match; either wrong is the same refusal, so neither can be guessed alone, and an
        address that missed LOOKUP_MISSES_PER_DAY times today is refused until tomorrow. The misses are kept in
        the database (migration m021), counted in the same write transaction as the look-up, so neither a
        restart nor parallel guesses slip past the limit."""
        wanted, number = booking_codes.normalized(code), phone_number(phone)
        if wanted is None:
            raise QueueRefused("bad_code", BAD_CODE)
        if number is None:
            raise QueueRefused("bad_phone", BAD_PHONE)
        today = self.center.local_date(self.now())
        who = address or ""
        with self.store.write() as conn:
            conn.execute("DELETE FROM booking_lookup_misses WHERE local_date < ?", (today,))  # addresses of past days
            misses = conn.execute("SELECT misses FROM booking_lookup_misses WHERE local_date = ? AND address = ?",
                                  (today, who)).fetchone()
            if misses is not None and misses[0] >= LOOKUP_MISSES_PER_DAY:
                raise QueueRefused("lookup_limit", "Đã tra cứu sai quá nhiều lần trong ngày. Mời Ông/Bà thử lại "
                                                   "vào ngày mai hoặc liên hệ Trung tâm.")
            row = conn.execute("SELECT * FROM appointments WHERE code = ? AND phone = ?", (wanted, number)).fetchone()
            if row is not None:
                return self._view(conn, row)
            conn.execute("INSERT INTO booking_lookup_misses (local_date, address, misses) VALUES (?, ?, 1)"
                         " ON CONFLICT (local_date, address) DO UPDATE SET misses = misses + 1", (today, who))
        # Refused after the COMMIT: a refusal inside the write would roll the miss back.
        raise QueueRefused("unknown_booking", "Không tìm thấy lịch hẹn có mã và số điện thoại này.")

    def view(self, token) -> dict:
        """A booking or remote number as its page shows it (the phone number masked)."""
        with self.store.read() as conn:
            return self._view(conn, self._by_token(conn, token))

    def _view(self, conn, row) -> dict:
        service = self.center.services.get(row["service_code"])
        department = self.center.department(service.department_code) if service else None
        ticket = conn.execute("SELECT token, label, state FROM tickets WHERE id = ?",
                              (row["ticket_id"],)).fetchone() if row["ticket_id"] else None
        view = {
            "kind": row["kind"], "code": row["code"], "code_shown": booking_codes.shown(row["code"]),
            "token": row["token"], "state": row["state"], "state_name": STATE_NAMES[row["state"]],
            "service_code": row["service_code"], "service_name": service.name if service else row["service_code"],
            "department_name": department.name if department else None,
            "local_date": row["local_date"], "slot_start": row["slot_start"], "slot_at": row["slot_at"],
            "slot_minutes": self.center.appointments.slot_minutes if self.center.appointments else None,
            "name": row["name"], "phone": masked_phone(row["phone"]), "erased": row["erased_at"] is not None,
            "ticket_token": ticket["token"] if ticket else None, "ticket_label": ticket["label"] if ticket else None,
        }
        view["can_change"] = (row["kind"] == BOOKING and row["state"] == BOOKED
                              and row["local_date"] >= self.center.local_date(self.now()))
        return view

    def cancel(self, token) -> dict:
        """Hủy lịch hẹn; a remote number's ticket is cancelled with it (its place is given up)."""
        now = self.now()
        with self.store.write() as conn:
            row = self._by_token(conn, token)
            if row["state"] != BOOKED:
                raise QueueRefused("cannot_cancel", f"Lịch hẹn đang ở trạng thái “{STATE_NAMES[row['state']]}”, "
                                                    "không thể hủy.")
            if row["kind"] == REMOTE and row["ticket_id"]:
                ticket = self.queue._ticket(conn, row["ticket_id"])
                if ticket["state"] == "waiting":
                    self.queue.cancel(ticket["token"])  # nested: a savepoint of this write
            conn.execute("UPDATE appointments SET state = ?, changed_at = ? WHERE id = ?",
                         (CANCELLED, now, row["id"]))
            return self._view(conn, self._by_token(conn, token))

    def move(self, token, day_text, start_text) -> dict:
        """Đổi lịch hẹn: the same booking (code, QR) in another slot, if that one has a place."""
        now = self.now()
        with self.store.write() as conn:
            row = self._by_token(conn, token)
            if row["kind"] != BOOKING or row["state"] != BOOKED:
                raise QueueRefused("cannot_move", "Chỉ đổi được lịch hẹn chưa sử dụng.")
            self._service(row["service_code"])  # refuses a service that no longer takes bookings
            day = self._day(day_text)
            start = self._slot_start(day, start_text, row["service_code"])
            if not self._open_for_booking(start):
                raise QueueRefused("slot_closed", "Khung giờ này đã hết hạn đặt lịch. Mời Ông/Bà chọn khung khác.")
            if (row["local_date"], row["slot_start"]) == (day.isoformat(), start_text):
                return self._view(conn, row)
            taken = self._taken(conn, row["service_code"], day.isoformat()).get(start_text, 0)
            if taken >= self.policy.capacity.get(row["service_code"], 0):
                refusal = QueueRefused("slot_full", f"Khung giờ {start_text} ngày {day:%d/%m/%Y} đã đủ người đặt.")
                refusal.next_slots = self._next_free(conn, row["service_code"], start)
                raise refusal
            conn.execute("UPDATE appointments SET local_date = ?, slot_start = ?, slot_at = ?, changed_at = ?,"
                         " moves = moves + 1 WHERE id = ?",
                         (day.isoformat(), start_text, int(start.timestamp()), now, row["id"]))
            return self._view(conn, self._by_token(conn, token))

    # ----- remote numbers --------------------------------------------------------------------------

    def join_remotely(self, service_code, name, phone, address: str | None) -> dict:
        """Lấy số từ xa: a ticket of today's queue now, kept in line until the citizen checks in at the kiosk."""
        service = self._service(service_code, want_bookable=False)
        citizen, number = self._citizen(name, phone)
        now = self.now()
        today = self.center.local_date(now)
        with self.store.write() as conn:
            self._check_limits(conn, number, address, now)
            issued = conn.execute("SELECT count(*) FROM appointments WHERE kind = 'remote' AND service_code = ?"
                                  " AND local_date = ?", (service.code, today)).fetchone()[0]
            if issued >= self.policy.remote_daily_cap[service.code]:
                raise QueueRefused("remote_cap_reached", f"Lĩnh vực “{service.name}” đã hết số lấy từ xa hôm nay. "
                                                         "Mời Ông/Bà đến trung tâm lấy số tại kiosk.")
            ticket = self.queue.issue(service.code, channel=REMOTE_CHANNEL).result  # nested: one transaction
            ticket_id = conn.execute("SELECT id FROM tickets WHERE token = ?", (ticket["token"],)).fetchone()[0]
            row = self._insert(conn, REMOTE, service.code, today, None, None, citizen, number, address, now,
                               ticket_id=ticket_id)
            return self._view(conn, row)

    # ----- check-in --------------------------------------------------------------------------------

    def check_in(self, code=None, token=None, device: str | None = None) -> dict:
        """Xác nhận có mặt at the kiosk, by the typed code or the scanned QR's token: a ticket of today's queue.

        A booking checked in before its slot gets a ticket that waits for the slot; within `late_minutes` after
        its start, a ticket called at the slot ahead of walk-ins (N:1, server/core/appointments_queue.py); later,
        an ordinary walk-in ticket, and the answer says why. A remote number is confirmed: its ticket may now be
        called. Checking in again gives the same ticket."""
        if token is None:
            wanted = booking_codes.normalized(code)
            if wanted is None:
                raise QueueRefused("bad_code", BAD_CODE)
        now = self.now()
        today = self.center.local_date(now)
        with self.store.write() as conn:
            if token is not None:
                row = self._by_token(conn, token)
            else:
                row = conn.execute("SELECT * FROM appointments WHERE code = ?", (wanted,)).fetchone()
                if row is None:
                    raise QueueRefused("unknown_booking", "Không tìm thấy lịch hẹn có mã này.")
            if row["state"] == CANCELLED:
                raise QueueRefused("booking_cancelled", "Lịch hẹn này đã được hủy.")
            if row["local_date"] != today:
                day = dt.date.fromisoformat(row["local_date"])
                raise QueueRefused("wrong_day", f"Lịch hẹn của Ông/Bà là ngày {day:%d/%m/%Y}, không phải hôm nay.")
            if row["kind"] == REMOTE:
                return self._confirm_remote(conn, row, now)
            if row["ticket_id"] is not None:  # checked in already: the same ticket again
                return self._checked_in(conn, row, self._note(row))
            late = now > row["slot_at"] + self.policy.late_minutes * 60
            ticket = self.queue.issue(row["service_code"], channel="kiosk" if late else APPOINTMENT_CHANNEL,
                                      device=device).result
            ticket_id = conn.execute("SELECT id FROM tickets WHERE token = ?", (ticket["token"],)).fetchone()[0]
            # Issued already due (its slot has begun): its `ticket_issued` told the screens, the minute job need not.
            announced = now if now >= row["slot_at"] else None
            conn.execute("UPDATE appointments SET state = ?, checked_in_at = ?, changed_at = ?, ticket_id = ?,"
                         " due_announced_at = ? WHERE id = ?",
                         (LATE if late else CHECKED_IN, now, now, ticket_id, announced, row["id"]))
            row = conn.execute("SELECT * FROM appointments WHERE id = ?", (row["id"],)).fetchone()
            return self._checked_in(conn, row, self._note(row, now))

    def _note(self, row, now=None) -> dict:
        """What the kiosk tells the citizen about when they will be called."""
        if row["state"] == LATE:
            return {"timing": "late", "message": f"Ông/Bà đến muộn hơn {self.policy.late_minutes} phút so với giờ "
                                                 f"hẹn {row['slot_start']}, nên số được xếp như khách đến trực tiếp."}
        if now is not None and now < row["slot_at"]:
            return {"timing": "early", "message": f"Ông/Bà đến sớm: số sẽ được gọi từ {row['slot_start']}, "
                                                  "ưu tiên theo lịch hẹn. Mời Ông/Bà ngồi chờ."}
        return {"timing": "on_time", "message": f"Số của Ông/Bà được gọi ưu tiên theo lịch hẹn {row['slot_start']}."}

    def _confirm_remote(self, conn, row, now) -> dict:
        ticket = self.queue._ticket(conn, row["ticket_id"])
        if row["state"] == NO_SHOW or ticket["state"] not in ("waiting", "called", "serving", "parked", "done"):
            raise QueueRefused("remote_expired", "Số lấy từ xa đã quá thời gian giữ chỗ. Mời Ông/Bà lấy số mới.")
        if row["state"] == BOOKED:
            conn.execute("UPDATE appointments SET state = ?, checked_in_at = ?, changed_at = ? WHERE id = ?",
                         (CHECKED_IN, now, now, row["id"]))
            row = conn.execute("SELECT * FROM appointments WHERE id = ?", (row["id"],)).fetchone()
            if ticket["state"] == "waiting":  # it may be called from now on: previews and its phone page change
                self.queue._event(conn, "ticket_checked_in", ticket, now, extra={"channel": ticket["channel"]})
        return self._checked_in(conn, row, {"timing": "remote", "message": "Đã xác nhận có mặt. Số của Ông/Bà "
                                                                           "giữ nguyên thứ tự đã lấy từ xa."})

    def _checked_in(self, conn, row, note: dict) -> dict:
        ticket = self.queue._view(conn, self.queue._ticket(conn, row["ticket_id"]), with_token=True)
        ticket["booked"] = booked_time_of(conn, row["ticket_id"])
        ticket["print"] = ticket_lines(self.center, ticket)
        return {"booking": self._view(conn, row), "ticket": ticket, **note}

    # ----- jobs ------------------------------------------------------------------------------------

    def settle(self) -> dict:
        """The minute job: bookings whose check-in time has run out are no-shows, remote numbers passed over and
        not checked in within the grace time are no-shows (their tickets too), and expired personal data is
        erased (earlier days' missed look-ups' addresses too)."""
        if self.center.appointments is None:
            return {"no_show": 0, "remote_no_show": 0, "bookings_due": 0, "erased": 0}
        now = self.now()
        with self.store.write() as conn:
            no_show = conn.execute(
                "UPDATE appointments SET state = ?, changed_at = ? WHERE kind = 'booking' AND state = ?"
                " AND slot_at < ?", (NO_SHOW, now, BOOKED, now - self.policy.late_minutes * 60)).rowcount
            remote = expire_passed_remote(conn, self.queue, now)
            due = self._announce_due(conn, now)
            # Addresses whose look-ups missed are kept for their day only, even when nobody looks up again.
            conn.execute("DELETE FROM booking_lookup_misses WHERE local_date < ?", (self.center.local_date(now),))
        return {"no_show": no_show, "remote_no_show": remote, "bookings_due": due, "erased": self.erase_expired()}

    def _announce_due(self, conn, now: int) -> int:
        """Checked-in bookings whose slot has begun since the last run become due by the clock alone, with no queue
        action: one `bookings_due` event per slot start (the services whose previews change, no ticket, no name),
        and each booking marked as announced in the same transaction, so a slot start is announced once, across
        restarts and two jobs at once. Returns how many events were recorded."""
        rows = conn.execute(
            "SELECT a.id, a.slot_at, a.slot_start, a.local_date, a.service_code FROM appointments a"
            # Today's only (read through the index by day): a ticket left waiting on an earlier day is not called.
            " JOIN tickets t ON t.id = a.ticket_id WHERE a.kind = 'booking' AND a.state = 'checked_in'"
            " AND a.due_announced_at IS NULL AND a.slot_at <= ? AND a.local_date = ? AND t.state = 'waiting'"
            " ORDER BY a.slot_at, a.id", (now, self.center.local_date(now))).fetchall()
        by_slot: dict[int, list] = {}
        for row in rows:
            by_slot.setdefault(row["slot_at"], []).append(row)
        for slot_at, bookings in by_slot.items():
            services = sorted({b["service_code"] for b in bookings})
            self.store.record_event(conn, "bookings_due", now, {
                "slot_at": slot_at, "slot_start": bookings[0]["slot_start"], "local_date": bookings[0]["local_date"],
                "service_codes": services, "bookings": len(bookings)})
        if rows:
            marks = ", ".join("?" * len(rows))
            conn.execute(f"UPDATE appointments SET due_announced_at = ? WHERE id IN ({marks})",
                         (now, *(r["id"] for r in rows)))
        return len(by_slot)

    def erase_expired(self) -> int:
        """Names, phone numbers and addresses of bookings whose day is more than `retention_days` days past (and of
        cancelled ones whose day of cancellation is) set to NULL; the row stays for the figures."""
        policy = self.center.appointments
        if policy is None:
            return 0
        now = self.now()
        today = self.center.local(now).date()
        last_kept = today - dt.timedelta(days=policy.retention_days)  # the oldest day whose data is kept
        with self.store.write() as conn:
            # Freed bytes are overwritten too, not only unlinked: the erased texts do not linger in the file's free
            # space (for this statement only; the queue's writes keep SQLite's default).
            conn.execute("PRAGMA secure_delete = ON")
            try:
                return conn.execute(
                    "UPDATE appointments SET name = NULL, phone = NULL, address = NULL, erased_at = ?"
                    " WHERE erased_at IS NULL AND (local_date < ? OR (state = ? AND changed_at < ?))",
                    (now, last_kept.isoformat(), CANCELLED, self.center.day_start(last_kept))).rowcount
            finally:
                conn.execute("PRAGMA secure_delete = OFF")

    # ----- staff -----------------------------------------------------------------------------------

    def waiting_booked(self) -> list[dict]:
        """Today's booked citizens checked in and still waiting, earliest slot first, with how long past their slot
        they wait (0 before it): what a console marks and the live board warns about. No names."""
        now = self.now()
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT t.label, t.service_code, a.slot_start, a.slot_at, a.checked_in_at FROM appointments a"
                " JOIN tickets t ON t.id = a.ticket_id WHERE a.local_date = ? AND a.kind = 'booking'"
                " AND a.state = ? AND t.state = 'waiting' ORDER BY a.slot_at, t.id",
                (self.center.local_date(now), CHECKED_IN)).fetchall()
        return [{"label": r["label"], "service_code": r["service_code"],
                 "service_name": getattr(self.center.services.get(r["service_code"]), "name", r["service_code"]),
                 "slot_start": r["slot_start"], "slot_at": r["slot_at"], "checked_in_at": r["checked_in_at"],
                 "past_slot_seconds": max(0, now - r["slot_at"])} for r in rows]

    # ----- supervisors -----------------------------------------------------------------------------

    def day_board(self, day_text) -> dict:
        """Bookings of a day per service and slot, with arrivals, no-shows and cancellations (no names)."""
        day = self._day(day_text)
        if self.center.appointments is None:
            raise QueueRefused("appointments_off", APPOINTMENTS_OFF)
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT a.kind, a.service_code, a.slot_start, a.state, a.slot_at, t.first_called_at"
                " FROM appointments a LEFT JOIN tickets t ON t.id = a.ticket_id WHERE a.local_date = ?"
                " ORDER BY a.service_code, a.slot_start", (day.isoformat(),)).fetchall()
        groups: dict[tuple, dict] = {}
        now = self.now()
        for r in rows:
            key = (r["service_code"], r["slot_start"] if r["kind"] == BOOKING else None)
            entry = groups.setdefault(key, {"service_code": key[0], "slot_start": key[1], "kind": r["kind"],
                                            "places": 0, BOOKED: 0, CHECKED_IN: 0, LATE: 0, NO_SHOW: 0,
                                            CANCELLED: 0, "waiting_past_slot": 0, "called": 0})
            entry["places"] += r["state"] != CANCELLED  # every place taken, whatever became of it
            entry[r["state"]] += 1  # BOOKED: not arrived (yet)
            entry["called"] += r["first_called_at"] is not None
            if r["state"] == CHECKED_IN and r["first_called_at"] is None and r["slot_at"] and r["slot_at"] < now:
                entry["waiting_past_slot"] += 1
        result = []
        for entry in groups.values():
            service = self.center.services.get(entry["service_code"])
            entry["service_name"] = service.name if service else entry["service_code"]
            result.append(entry)
        result.sort(key=lambda e: (e["service_name"], e["kind"], e["slot_start"] or ""))
        return {"local_date": day.isoformat(), "rows": result}
