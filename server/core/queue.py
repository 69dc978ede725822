"""Queue rules: issuing numbers, calling, serving, transferring and finishing tickets.

Plain Python over the Store; it knows nothing of HTTP or Socket.IO. Every method that changes state records its
events in the same transaction as the change (Store.record_event). They reach the screens from the store, not
from the caller: once the transaction commits, the store hands them to its commit listeners in commit order, and
the web's listener (server/web/realtime.py, Broadcaster) broadcasts them (docs/ARCHITECTURE.md). The method also
returns an Outcome: `result` for the caller's answer, and `events`, the same events, for tests and for a caller
that needs to know what happened; nobody broadcasts them from there. Refusals raise QueueRefused with a
Vietnamese message a screen can show as it is, and change nothing.

Ticket life: waiting → called → serving → done; called → no_show; called/serving → transferred (a new waiting
ticket in the target keeps the arrival time and links to the first); waiting → cancelled; serving ⇄ parked.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import time
from dataclasses import dataclass, field

from .appointments_queue import (
    APPOINTMENT_CHANNEL,
    REMOTE_CHANNEL,
    BookedCandidates,
    appointment_marks,
    booked_candidates,
    expire_passed_remote,
    note_passed_remote,
)
from .center import Center, Counter, Department, Service
from .events import Event, last_seq
from .refusals import QueueRefused
from .store import Store

WAITING, CALLED, SERVING, PARKED = "waiting", "called", "serving", "parked"
DONE, NO_SHOW, TRANSFERRED, CANCELLED = "done", "no_show", "transferred", "cancelled"
EXPIRED = "expired"  # never stored: how the phone shows an earlier day's ticket that was never served
ACTIVE_AT_COUNTER = (CALLED, SERVING)
UNFINISHED = (WAITING, CALLED, SERVING, PARKED)  # tickets that still need their service
CHANNELS = ("kiosk", "phone", "staff", "appointment")  # phone: a remote number; appointment: a booking's
# How staff screens name the way a ticket came, beside its number (the kiosk, the usual way, goes unnamed there).
CHANNEL_NAMES = {"kiosk": "Máy lấy số", "phone": "Từ xa", "staff": "Cán bộ cấp", "appointment": "Lịch hẹn"}
# How many tickets a console previews as "the next this counter would call".
UPCOMING = 5
DEVICE_NAME_MAX = 200  # characters of the kiosk name a ticket keeps

# How many recent finished tickets of a service feed its mean cycle time, and how many are enough to trust it.
CYCLE_SAMPLE = 20
CYCLE_MIN_SAMPLES = 3

STATE_NAMES = {
    WAITING: "Đang chờ", CALLED: "Đã gọi", SERVING: "Đang phục vụ", PARKED: "Tạm gác",
    DONE: "Đã hoàn thành", NO_SHOW: "Vắng mặt", TRANSFERRED: "Đã chuyển", CANCELLED: "Đã hủy",
    EXPIRED: "Hết hiệu lực",
}


@dataclass
class Outcome:
    """What an action produced: `result` for the caller's answer, `events` the events it recorded. The events are
    already on their way to the screens (the store's commit listeners, after COMMIT); `events` is for tests and
    callers that check what happened, never something to broadcast again."""

    result: dict | None
    events: list[Event] = field(default_factory=list)


class Queue:
    """The queue of one center for every service and counter."""

    def __init__(self, center: Center, store: Store, clock=time.time):
        self.store, self.clock = store, clock
        # Recent service time per service, asked by every issued ticket's estimate; only a committed finish
        # changes it (_after_commit), and no estimate is computed inside a finish's own transaction.
        self._cycle_cache: dict[str, float] = {}
        store.on_commit(self._after_commit)
        self.set_center(center)

    def set_center(self, center: Center):
        """Follow a new configuration (an admin's change) from the next action on."""
        self._cycle_cache = {}  # the defaults may have changed
        with self.store.write() as conn:  # every configured counter has a state row, closed until someone opens it
            conn.executemany("INSERT OR IGNORE INTO counter_state (counter_number) VALUES (?)",
                             [(c.number,) for c in center.counters])
        self.center = center

    def now(self) -> int:
        return int(self.clock())

    # ----- issuing ---------------------------------------------------------------------------------

    def issue(self, service_code, priority_group=None, channel="kiosk", device=None) -> Outcome:
        """Give the next number of a service for today, or refuse (closed, unknown service, daily cap)."""
        result = self.issue_many([{"service_code": service_code, "priority_group": priority_group,
                                   "channel": channel, "device": device}])[0]
        if isinstance(result, QueueRefused):
            raise result
        return result

    def issue_many(self, requests: list[dict]) -> list[Outcome | QueueRefused]:
        """The tickets of several kiosks that asked at the same moment (each request holds `issue`'s arguments),
        in one transaction with one statement per table: the COMMIT and each statement's fixed cost are most of
        a ticket's price (BENCHMARKS.md). Each is issued or refused on its own, in the order given, exactly as
        one `issue` after the other would; none is final before the COMMIT, so a caller acknowledges only what
        is stored."""
        now = self.now()
        issuing = self.center.hours.is_issuing(self.center.local(now))
        results: list[Outcome | QueueRefused | None] = [None] * len(requests)
        accepted = []
        for i, request in enumerate(requests):
            try:
                accepted.append((i, *self._checked_request(issuing, **request)))
            except QueueRefused as refusal:
                results[i] = refusal
            except TypeError:  # a field `issue` does not take: refused on its own, the others go on
                results[i] = QueueRefused("bad_request", "Yêu cầu lấy số không hợp lệ.")
        if not accepted:
            return results
        day = self.center.local_date(now)
        with self.store.write() as conn:
            numbers = self._take_numbers(conn, day, [service for _, service, *_ in accepted])
            rows, issued = [], []
            for (i, service, priority_group, channel, device), number in zip(accepted, numbers):
                if number is None:
                    results[i] = QueueRefused("daily_cap_reached", "Lĩnh vực này đã hết số trong ngày.")
                    continue
                token = self._new_token()
                rows.append((token, day, service.code, service.department_code, service.prefix, number,
                             f"{service.prefix}{number:03d}", priority_group, channel, WAITING, now, now, device))
                issued.append((i, token))
            if not rows:
                return results
            stored = {row["token"]: row for row in self.store.insert_rows(
                conn, "tickets", ("token", "local_date", "service_code", "department_code", "prefix", "number",
                                  "label", "priority_group", "channel", "state", "arrived_at", "issued_at",
                                  "device"), rows, returning="*")}
            # The triggers have counted the whole batch; replay it to see each ticket as the one just issued.
            counts = self._waiting_counts_of(conn, day, {row[2] for row in rows})
            for _, token in issued:
                ticket = stored[token]
                counts[(ticket["service_code"], ticket["priority_group"] is not None)] -= 1
            open_counters = self._open_counters(conn)
            views, payloads = [], []
            for _, token in issued:
                ticket = stored[token]
                counts[(ticket["service_code"], ticket["priority_group"] is not None)] += 1
                waiting = (counts[(ticket["service_code"], False)], counts[(ticket["service_code"], True)])
                views.append(self._view(conn, ticket, with_token=True, newest=True, counts=waiting,
                                        open_counters=open_counters))
                payloads.append(self._event_payload(ticket, sum(waiting)))
            events = self.store.record_events(conn, [
                {"kind": "ticket_issued", "at": now, "payload": payload, "ticket_id": stored[token]["id"],
                 "service_code": stored[token]["service_code"], "ticket_token": token}
                for (_, token), payload in zip(issued, payloads)])
        for (i, _), view, event in zip(issued, views, events):
            results[i] = Outcome(view, [event])
        return results

    def _checked_request(self, issuing: bool, service_code, priority_group=None, channel="kiosk", device=None):
        """(service, priority group, channel, device) of a request `issue` may serve, or the refusal."""
        service = self.center.services.get(service_code) if isinstance(service_code, str) else None
        if service is None:
            raise QueueRefused("unknown_service", "Lĩnh vực không tồn tại. Mời Ông/Bà chọn lại.")
        if priority_group is not None and (not isinstance(priority_group, str)
                                           or self.center.priority_group(priority_group) is None):
            raise QueueRefused("unknown_priority_group", "Nhóm ưu tiên không hợp lệ.")
        if channel not in CHANNELS:
            raise QueueRefused("unknown_channel", "Kênh lấy số không hợp lệ.")
        if device is not None and not (isinstance(device, str) and len(device) <= DEVICE_NAME_MAX
                                       and device.isprintable()):
            # Checked here, not by SQLite: a name it cannot store (a lone surrogate, as JSON "\ud800" decodes
            # to, is not printable) would fail the whole batch's INSERT.
            raise QueueRefused("bad_request", "Tên máy lấy số không hợp lệ.")
        if not issuing:
            raise QueueRefused("closed", "Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số.")
        if service.sessions and not self.center.service_issuing(service, self.center.local(self.now())):
            raise QueueRefused("service_closed",
                               f"Lĩnh vực này chỉ lấy số trong giờ {self.center.service_hours(service)}.")
        return service, priority_group, channel, device

    def _take_numbers(self, conn, day: str, services: list[Service]) -> list[int | None]:
        """The next numbers of each service's prefix today, in order; None past the daily cap (not taken)."""
        wanted: dict[str, int] = {}
        for service in services:
            wanted[service.prefix] = wanted.get(service.prefix, 0) + 1
        caps = {service.prefix: service.daily_cap for service in services}
        next_number, last_granted = {}, {}
        for prefix, count in wanted.items():
            # Write first: the increment takes the write lock before anything is read, so two kiosks can never
            # read the same last number (research/stack.md §2.2).
            last = conn.execute(
                "INSERT INTO number_sequences (local_date, prefix, last_number) VALUES (?, ?, ?)"
                " ON CONFLICT (local_date, prefix) DO UPDATE SET last_number = last_number + excluded.last_number"
                " RETURNING last_number", (day, prefix, count)).fetchone()[0]
            first = last - count + 1
            granted = max(first - 1, min(last, caps[prefix]))
            if granted < last:  # numbers past the cap are refused and stay free: the sequence stays gapless
                conn.execute("UPDATE number_sequences SET last_number = ? WHERE local_date = ? AND prefix = ?",
                             (granted, day, prefix))
            next_number[prefix], last_granted[prefix] = first, granted
        numbers = []
        for service in services:
            number = next_number[service.prefix]
            next_number[service.prefix] = number + 1
            numbers.append(number if number <= last_granted[service.prefix] else None)
        return numbers

    def _new_token(self) -> str:
        """The unguessable part of a phone page's address (128 random bits), after the time in microseconds: new
        tokens sort after the others, so storing them touches the last page of the token index instead of
        random pages all over it (that index was half of the pages a batch of tickets wrote)."""
        return f"{int(self.clock() * 1_000_000):x}{secrets.token_urlsafe(16)}"

    # ----- counters --------------------------------------------------------------------------------

    def open_counter(self, counter_number, officer: str) -> Outcome:
        """An officer takes a counter; a counter has at most one officer and an officer at most one counter."""
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.write() as conn:
            state = self._counter_state(conn, counter.number)
            if state["status"] != "closed" and state["officer"] != officer:
                raise QueueRefused("counter_taken", f"Quầy {counter.number:02d} đang do công chức khác đảm nhận.")
            held = conn.execute("SELECT counter_number FROM counter_state WHERE officer = ? AND status != 'closed'"
                                " AND counter_number != ?", (officer, counter.number)).fetchone()
            if held:
                raise QueueRefused("officer_elsewhere", f"Ông/Bà đang đảm nhận quầy {held[0]:02d}.")
            if state["status"] != "closed":
                return Outcome(self._counter_view(conn, counter.number))  # same officer again: nothing changes
            conn.execute("UPDATE counter_state SET status = 'open', officer = ?, since = ?, pause_reason = NULL,"
                         " normals_since_priority = ? WHERE counter_number = ?",
                         (officer, now, self.center.priority_every, counter.number))
            event = self._counter_event(conn, "counter_opened", counter.number, officer, now)
            return Outcome(self._counter_view(conn, counter.number), [event])

    def close_counter(self, counter_number, officer: str) -> Outcome:
        """The officer leaves the counter; a ticket still being served must be finished or parked first."""
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.write() as conn:
            state = self._held_state(conn, counter, officer)
            if state["current_ticket_id"] is not None:
                raise QueueRefused("counter_busy", "Quầy đang phục vụ một số; hãy hoàn thành trước khi đóng quầy.")
            conn.execute("UPDATE counter_state SET status = 'closed', officer = NULL, pause_reason = NULL,"
                         " since = ? WHERE counter_number = ?", (now, counter.number))
            event = self._counter_event(conn, "counter_closed", counter.number, officer, now)
            return Outcome(self._counter_view(conn, counter.number), [event])

    def close_past_days(self) -> Outcome:
        """Day close: a counter left open or paused since an earlier day, or holding an earlier day's ticket, is
        closed, so the morning starts clean and no service time runs across a night (an officer made to finish
        yesterday's ticket would record one). The tickets keep their state: how those visits ended is unknown."""
        now = self.now()
        today = self.center.local(now).date()
        stale = ("SELECT s.counter_number, s.officer FROM counter_state s"
                 " LEFT JOIN tickets t ON t.id = s.current_ticket_id"
                 " WHERE s.status != 'closed' AND (s.since < ? OR t.local_date != ?)")
        params = (self.center.day_start(today), today.isoformat())
        with self.store.read() as conn:
            if not conn.execute(stale, params).fetchone():
                return Outcome({"closed": []})  # the usual answer, without taking the write lock
        with self.store.write() as conn:
            stale_counters = conn.execute(stale, params).fetchall()
            events = []
            for number, officer in stale_counters:
                conn.execute("UPDATE counter_state SET status = 'closed', officer = NULL, pause_reason = NULL,"
                             " current_ticket_id = NULL, since = ? WHERE counter_number = ?", (now, number))
                events.append(self._counter_event(conn, "counter_closed", number, officer, now,
                                                  {"reason": "day_close"}))
            return Outcome({"closed": [number for number, _ in stale_counters]}, events)

    def pause_counter(self, counter_number, officer: str, reason: str = "") -> Outcome:
        """Tạm dừng: the counter stops calling until resumed; the reason is kept for the supervisor."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
            raise QueueRefused("reason_required", "Vui lòng chọn hoặc nhập lý do tạm dừng.")
        return self._set_pause(counter_number, officer, "paused", reason.strip(), "counter_paused")

    def resume_counter(self, counter_number, officer: str) -> Outcome:
        """Tiếp tục after a pause."""
        return self._set_pause(counter_number, officer, "open", None, "counter_resumed")

    def _set_pause(self, counter_number, officer, status, reason, kind) -> Outcome:
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.write() as conn:
            state = self._held_state(conn, counter, officer)
            if state["status"] == status:
                return Outcome(self._counter_view(conn, counter.number))
            conn.execute("UPDATE counter_state SET status = ?, pause_reason = ?, since = ? WHERE counter_number = ?",
                         (status, reason, now, counter.number))
            event = self._counter_event(conn, kind, counter.number, officer, now, {"reason": reason})
            return Outcome(self._counter_view(conn, counter.number), [event])

    # ----- calling and serving ----------------------------------------------------------------------

    def call_next(self, counter_number, officer: str) -> Outcome:
        """Gọi số tiếp theo: priority policy first, then the counter's service order, then arrival time."""
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.write() as conn:
            state = self._ready_state(conn, counter, officer)
            if self.center.appointments is not None:  # remote numbers past their grace time leave the line first
                expire_passed_remote(conn, self, now)
            candidates = self._waiting_for_counter(conn, counter, self.center.local_date(now))
            if not candidates:
                raise QueueRefused("queue_empty", "Hiện không có công dân nào đang chờ.")
            booked = self._booked(conn, candidates, counter.number, now)
            ticket = self._choose(candidates, counter, state["normals_since_priority"], booked)
            if ticket is None:
                raise QueueRefused("queue_empty", "Công dân đang chờ đều là người đặt lịch chưa đến giờ hẹn hoặc lấy"
                                                  " số từ xa chưa xác nhận có mặt tại kiosk.")
            if booked is not None:
                note_passed_remote(conn, booked, ticket, now)
            return self._call(conn, counter, officer, ticket, state, now)

    def call_ticket(self, counter_number, officer: str, label=None) -> Outcome:
        """Gọi số cụ thể: call one waiting ticket of today by its number, out of turn."""
        counter = self._counter(counter_number)
        if not isinstance(label, str):
            raise QueueRefused("unknown_ticket", "Không tìm thấy số thứ tự này.")
        now = self.now()
        with self.store.write() as conn:
            state = self._ready_state(conn, counter, officer)
            wanted = label.strip().upper()
            ticket = next((t for t in self._waiting_for_counter(conn, counter, self.center.local_date(now))
                           if t["label"] == wanted), None)
            if ticket is None:
                raise QueueRefused("unknown_ticket", f"Số {wanted} không có trong hàng chờ của quầy này.")
            return self._call(conn, counter, officer, ticket, state, now)

    def _call(self, conn, counter: Counter, officer, ticket, state, now) -> Outcome:
        conn.execute("UPDATE tickets SET state = ?, call_count = 1, first_called_at = ?, last_called_at = ?,"
                     " counter_number = ?, officer = ? WHERE id = ?",
                     (CALLED, now, now, counter.number, officer, ticket["id"]))
        normals = 0 if ticket["priority_group"] else state["normals_since_priority"] + 1
        conn.execute("UPDATE counter_state SET current_ticket_id = ?, normals_since_priority = ?"
                     " WHERE counter_number = ?", (ticket["id"], normals, counter.number))
        called = self._ticket(conn, ticket["id"])
        event = self._event(conn, "ticket_called", called, now, officer=officer)
        return Outcome(self._view(conn, called), [event])

    def recall(self, counter_number, officer: str) -> Outcome:
        """Gọi lại: call the counter's current ticket once more."""
        return self._current_action(counter_number, officer, (CALLED,), "ticket_recalled",
                                    "call_count = call_count + 1, last_called_at = :now")

    def start_service(self, counter_number, officer: str) -> Outcome:
        """Bắt đầu tiếp nhận: the citizen has arrived at the counter."""
        return self._current_action(counter_number, officer, (CALLED,), "service_started",
                                    "state = 'serving', service_started_at = :now")

    def finish(self, counter_number, officer: str) -> Outcome:
        """Hoàn thành: the service is over; the counter is free again."""
        return self._current_action(counter_number, officer, (SERVING,), "ticket_finished",
                                    "state = 'done', ended_at = :now", release=True)

    def _after_commit(self, events: list[Event]):
        """A committed finish changes the recent service times: estimates are measured again."""
        if any(e.kind == "ticket_finished" for e in events):
            self._cycle_cache.clear()

    def no_show(self, counter_number, officer: str) -> Outcome:
        """Vắng mặt – bỏ qua: allowed only after the configured number of calls and seconds."""
        calls, seconds = self.center.no_show_min_calls, self.center.no_show_min_seconds

        def called_enough(ticket, now):
            if ticket["call_count"] < calls or now - ticket["first_called_at"] < seconds:
                raise QueueRefused("no_show_too_soon",
                                   f"Chỉ được bỏ qua sau {calls} lần gọi và {seconds} giây kể từ lần gọi đầu.")

        return self._current_action(counter_number, officer, (CALLED,), "ticket_no_show",
                                    "state = 'no_show', ended_at = :now", release=True, check=called_enough)

    def park(self, counter_number, officer: str) -> Outcome:
        """Tạm gác: set the ticket being served aside (the citizen fetches a paper) and free the counter."""
        return self._current_action(counter_number, officer, (SERVING,), "ticket_parked", "state = 'parked'",
                                    release=True)

    def resume_parked(self, counter_number, officer: str, label=None) -> Outcome:
        """Tiếp tục a ticket this counter parked earlier today."""
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.write() as conn:
            self._ready_state(conn, counter, officer)  # refuses a counter not held, or still busy
            ticket = conn.execute(
                "SELECT * FROM tickets WHERE state = ? AND counter_number = ? AND label = ? AND local_date = ?",
                (PARKED, counter.number, str(label).strip().upper(), self.center.local_date(now))).fetchone()
            if ticket is None:
                raise QueueRefused("unknown_ticket", "Không có số tạm gác này tại quầy.")
            conn.execute("UPDATE tickets SET state = ? WHERE id = ?", (SERVING, ticket["id"]))
            conn.execute("UPDATE counter_state SET current_ticket_id = ? WHERE counter_number = ?",
                         (ticket["id"], counter.number))
            resumed = self._ticket(conn, ticket["id"])
            event = self._event(conn, "ticket_resumed", resumed, now, officer=officer, extra={"state_before": PARKED})
            return Outcome(self._view(conn, resumed), [event])

    def transfer(self, counter_number, officer: str, to_service=None, to_counter=None) -> Outcome:
        """Chuyển lĩnh vực / chuyển quầy: end this ticket and queue a new one that keeps its arrival time."""
        counter = self._counter(counter_number)
        if (to_service is None) == (to_counter is None):
            raise QueueRefused("transfer_target", "Hãy chọn một lĩnh vực hoặc một quầy để chuyển đến.")
        target_counter = self._counter(to_counter) if to_counter is not None else None
        if target_counter is not None and target_counter.number == counter.number:
            raise QueueRefused("transfer_target", "Không thể chuyển đến chính quầy này.")
        now = self.now()
        with self.store.write() as conn:
            ticket = self._current(conn, counter, officer, ACTIVE_AT_COUNTER)
            if target_counter is not None:
                service_code = ticket["service_code"] if ticket["service_code"] in target_counter.services \
                    else target_counter.services[0]
            else:
                service_code = to_service
            service = self.center.services.get(service_code) if isinstance(service_code, str) else None
            if service is None:
                raise QueueRefused("unknown_service", "Lĩnh vực chuyển đến không tồn tại.")
            if target_counter is None and service.code == ticket["service_code"]:
                raise QueueRefused("transfer_target", "Số này đã thuộc lĩnh vực được chọn.")
            conn.execute("UPDATE tickets SET state = ?, ended_at = ? WHERE id = ?", (TRANSFERRED, now, ticket["id"]))
            self._release(conn, counter)
            # The citizen keeps the printed number; the new ticket only changes where it waits.
            new_id = conn.execute(
                "INSERT INTO tickets (token, local_date, service_code, department_code, prefix, number, label,"
                " priority_group, channel, state, arrived_at, issued_at, reserved_counter, transferred_from,"
                " root_ticket_id, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (self._new_token(), ticket["local_date"], service.code, service.department_code,
                 ticket["prefix"], ticket["number"], ticket["label"], ticket["priority_group"], ticket["channel"],
                 WAITING, ticket["arrived_at"], now, target_counter.number if target_counter else None,
                 ticket["id"], ticket["root_ticket_id"] or ticket["id"], ticket["device"])).fetchone()[0]
            old, new = self._ticket(conn, ticket["id"]), self._ticket(conn, new_id)
            extra = {"to_service": service.code, "to_service_name": service.name,
                     "to_counter": target_counter.number if target_counter else None}
            events = [self._event(conn, "ticket_transferred", old, now, officer=officer, extra=extra,
                                  token=self._root_token(conn, old)),
                      self._event(conn, "ticket_requeued", new, now, officer=officer,
                                  token=self._root_token(conn, new))]
            return Outcome(self._view(conn, new), events)

    def cancel(self, token) -> Outcome:
        """Hủy số: the citizen gives up a waiting ticket (from the phone page, by its token)."""
        now = self.now()
        with self.store.write() as conn:
            ticket = self._by_token(conn, token)
            if ticket["state"] != WAITING:
                raise QueueRefused("invalid_transition", "Chỉ có thể hủy số đang chờ.")
            if ticket["local_date"] != self.center.local_date(now):  # its day's figures are closed
                raise QueueRefused("ticket_expired", "Số này được cấp trong một ngày trước và đã hết hiệu lực.")
            conn.execute("UPDATE tickets SET state = ?, ended_at = ? WHERE id = ?", (CANCELLED, now, ticket["id"]))
            cancelled = self._ticket(conn, ticket["id"])
            event = self._event(conn, "ticket_cancelled", cancelled, now, token=token)
            return Outcome(self._view(conn, cancelled), [event])

    def _current_action(self, counter_number, officer, allowed, kind, assignments, release=False,
                        check=None) -> Outcome:
        """Apply one transition to the counter's current ticket, refusing from any other state."""
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.write() as conn:
            ticket = self._current(conn, counter, officer, allowed)
            if check:
                check(ticket, now)
            conn.execute(f"UPDATE tickets SET {assignments} WHERE id = :id", {"now": now, "id": ticket["id"]})
            if release:
                self._release(conn, counter)
            changed = self._ticket(conn, ticket["id"])
            event = self._event(conn, kind, changed, now, officer=officer, extra={"state_before": ticket["state"]})
            return Outcome(self._view(conn, changed), [event])

    # ----- reading ---------------------------------------------------------------------------------

    def ticket_status(self, token) -> dict:
        """What the citizen's phone shows: the newest ticket of the chain the token started. A ticket an earlier day
        left unfinished will never be called or resumed (both take today's tickets only, and the day close frees
        the counters): the phone says it has expired rather than showing a place in a queue that is gone."""
        with self.store.read() as conn:
            ticket = self._by_token(conn, token)
            view = self._view(conn, ticket)
            if self.center.appointments is not None:  # a booked citizen's ticket prints the booked time
                view.update(appointment_marks(conn, ticket["id"]))
        if view["state"] in UNFINISHED and view["local_date"] != self.center.local_date(self.now()):
            view.update(state=EXPIRED, state_name=STATE_NAMES[EXPIRED], ahead=None, estimated_wait_minutes=None)
        return view

    def service_overview(self) -> list[dict]:
        """Waiting count, open counters and estimated wait of every service today, in config order."""
        day = self.center.local_date(self.now())
        with self.store.read() as conn:
            waiting = dict(conn.execute(
                "SELECT service_code, count(*) FROM tickets INDEXED BY tickets_waiting"
                " WHERE state = 'waiting' AND local_date = ?"
                " GROUP BY service_code", (day,)).fetchall())
            open_counters = self._open_counters(conn)
            rows = []
            for department in self.center.departments:
                for service in department.services:
                    count = waiting.get(service.code, 0)
                    servers = self._servers(service.code, open_counters)
                    rows.append({
                        "service_code": service.code, "service_name": service.name, "prefix": service.prefix,
                        "department_code": department.code, "department_name": department.name,
                        "waiting": count, "open_counters": len([c for c in self.center.counters_serving(service.code)
                                                                if c.number in open_counters]),
                        "estimated_wait_minutes": self._minutes(count * self._cycle_seconds(conn, service.code)
                                                                / servers),
                    })
            return rows

    def snapshot(self, recent_calls: int = 10) -> dict:
        """The whole live state screens start from, with the sequence number it is current to."""
        now = self.now()
        day = self.center.local_date(now)
        day_start = self.center.day_start(dt.date.fromisoformat(day))
        with self.store.read() as conn:  # one lock: state and sequence number agree
            waiting = dict(conn.execute("SELECT service_code, count(*) FROM tickets INDEXED BY tickets_waiting"
                                        " WHERE state = 'waiting' AND local_date = ? GROUP BY service_code",
                                        (day,)).fetchall())
            # Events are numbered in time order: today's begin at the first one since midnight. Bounding the
            # backwards walk by it keeps a morning with fewer calls than asked from reading all of history.
            first_today = conn.execute("SELECT seq FROM events WHERE at >= ? ORDER BY at LIMIT 1",
                                       (day_start,)).fetchone()
            # Transfers too: a lobby's history must say where a citizen was sent after the call it lists.
            calls = conn.execute("SELECT seq, kind, at, payload FROM events WHERE seq >= ? AND kind IN (?, ?, ?)"
                                 " AND at >= ? ORDER BY seq DESC LIMIT ?",
                                 (first_today[0] if first_today else last_seq(conn) + 1, "ticket_called",
                                  "ticket_recalled", "ticket_transferred", day_start, recent_calls)).fetchall()
            finished = conn.execute(
                "SELECT t.counter_number, t.label, t.local_date, max(t.ended_at) AS ended_at FROM tickets t"
                " WHERE t.state = ? AND t.local_date = ? GROUP BY t.counter_number", (DONE, day)).fetchall()
            rated = {r[0] for r in conn.execute("SELECT t.counter_number || ':' || t.label FROM ratings r"
                                                " JOIN tickets t ON t.id = r.ticket_id WHERE t.local_date = ?",
                                                (day,))}
            return {
                "seq": last_seq(conn), "now": now, "local_date": day,
                # What a tablet that reconnects needs to offer the rating it may have missed.
                "last_finished": {str(r["counter_number"]): {
                    "label": r["label"], "local_date": r["local_date"], "ended_at": r["ended_at"],
                    "rated": f"{r['counter_number']}:{r['label']}" in rated} for r in finished},
                "counters": [self._counter_view(conn, c.number) for c in self.center.counters],
                "waiting": {code: waiting.get(code, 0) for code in self.center.services},
                "recent_calls": [{"seq": r["seq"], "kind": r["kind"], "at": r["at"], **json.loads(r["payload"])}
                                 for r in calls],
            }

    def counter_stats(self, counter_number, upcoming: int = UPCOMING) -> dict:
        """What a console shows beside the current ticket: what it may call (per service, and the next `upcoming`
        in the order call next would take them), its parked tickets, served today, mean wait today. Waiting
        counts only tickets this counter may call now: one sent to another counter is that counter's, a booking
        before its slot or a remote number not yet checked in is not callable yet."""
        counter = self._counter(counter_number)
        now = self.now()
        day = self.center.local_date(now)
        with self.store.read() as conn:
            order, waiting = self._preview(conn, counter, now, upcoming)
            served, mean_wait = conn.execute(
                "SELECT count(*) FILTER (WHERE state = 'done'), avg(first_called_at - arrived_at) FROM tickets"
                " WHERE local_date = ? AND counter_number = ? AND first_called_at IS NOT NULL",
                (day, counter.number)).fetchone()
            parked = conn.execute("SELECT * FROM tickets WHERE state = ? AND counter_number = ?"
                                  " AND local_date = ? ORDER BY id", (PARKED, counter.number, day)).fetchall()
        return {
            "waiting": [{"service_code": code, "service_name": self._service_name(code), "waiting": n}
                        for code, n in waiting.items()],
            "waiting_total": sum(waiting.values()),
            "next": [self._upcoming_view(t, now) for t in order],
            "served_today": served, "mean_wait_minutes": round(mean_wait / 60, 1) if mean_wait is not None else None,
            "parked": [t["label"] for t in parked],
            "parked_tickets": [{"label": t["label"], "service_code": t["service_code"],
                                "service_name": self._service_of(t).name, "priority_group": t["priority_group"],
                                "channel": t["channel"]} for t in parked],
        }

    def _service_name(self, code: str) -> str:
        service = self.center.services.get(code)
        return service.name if service else code

    def counters_overview(self) -> list[dict]:
        """Every counter with its status, officer and current ticket."""
        with self.store.read() as conn:
            return [self._counter_view(conn, c.number) for c in self.center.counters]

    # ----- internals -------------------------------------------------------------------------------

    def _counter(self, number) -> Counter:
        counter = self.center.counter(number) if isinstance(number, int) and not isinstance(number, bool) else None
        if counter is None:
            raise QueueRefused("unknown_counter", "Quầy không tồn tại.")
        return counter

    def _counter_state(self, conn, number: int):
        return conn.execute("SELECT * FROM counter_state WHERE counter_number = ?", (number,)).fetchone()

    def _held_state(self, conn, counter: Counter, officer):
        state = self._counter_state(conn, counter.number)
        if state["status"] == "closed" or state["officer"] != officer:
            raise QueueRefused("counter_not_held", f"Ông/Bà chưa nhận quầy {counter.number:02d}.")
        return state

    def _ready_state(self, conn, counter: Counter, officer):
        state = self._held_state(conn, counter, officer)
        if state["status"] == "paused":
            raise QueueRefused("counter_paused", "Quầy đang tạm dừng; bấm Tiếp tục để gọi số.")
        if state["current_ticket_id"] is not None:
            current = self._ticket(conn, state["current_ticket_id"])
            raise QueueRefused("counter_busy", f"Quầy đang phục vụ số {current['label']}; hãy hoàn thành trước.")
        return state

    def _current(self, conn, counter: Counter, officer, allowed):
        state = self._held_state(conn, counter, officer)
        if state["current_ticket_id"] is None:
            raise QueueRefused("no_current_ticket", "Quầy chưa gọi số nào.")
        ticket = self._ticket(conn, state["current_ticket_id"])
        if ticket["state"] not in allowed:
            raise QueueRefused("invalid_transition",
                               f"Số {ticket['label']} đang ở trạng thái “{STATE_NAMES[ticket['state']]}”, "
                               "không thể thực hiện thao tác này.")
        return ticket

    def _release(self, conn, counter: Counter):
        conn.execute("UPDATE counter_state SET current_ticket_id = NULL WHERE counter_number = ?", (counter.number,))

    def _waiting_for_counter(self, conn, counter: Counter, day: str) -> list:
        """Today's waiting tickets this counter may call: reserved for it, or in a service it serves."""
        marks = ",".join("?" * len(counter.services))
        return conn.execute(
            "SELECT * FROM tickets INDEXED BY tickets_waiting WHERE state = 'waiting' AND local_date = ?"
            " AND (reserved_counter = ?"
            f" OR (reserved_counter IS NULL AND service_code IN ({marks}))) ORDER BY arrived_at, id",
            (day, counter.number, *counter.services)).fetchall()

    def _choose(self, candidates: list, counter: Counter, normals_since_priority: int,
                booked: BookedCandidates | None = None):
        """The rules of call next, applied to today's candidates of one counter (None: only held ones wait)."""
        order = self.call_order(candidates, counter.number, counter.services, normals_since_priority, 1, booked)
        return order[0] if order else None

    def _booked(self, conn, candidates: list, counter_number: int | None, now: int) -> BookedCandidates | None:
        """The booked and remote tickets among the candidates (server/core/appointments_queue.py), or None for a
        center that takes no bookings."""
        if self.center.appointments is None:
            return None
        return booked_candidates(conn, candidates, counter_number, now, self.center.appointments,
                                 self.center.local_date(now))

    def call_order(self, candidates: list, counter_number: int | None, services, normals_since_priority: int,
                   limit: int, booked: BookedCandidates | None = None) -> list:
        """THE selection rule of call next, as the order in which a counter would call `candidates` (today's
        waiting tickets it may call) if nobody else called and nobody new came: the first is what `call_next`
        calls now (`_choose`), the next `limit` − 1 what it would call after. `counter_number` is the counter
        (None for a service's own order, as a display previews it), `services` its services in order of
        preference, `normals_since_priority` its count of normal calls since its last priority one.

        Tickets sent to this counter by another come first (they already waited once); then, in the counter's
        service order and by arrival, a priority citizen whenever the policy says (strict: always first;
        interleave: after `priority_every` normal calls), else a normal one. Each pick counts as `_call` counts
        it, so the preview follows the same interleaving as the calls it predicts.

        With `booked` (a center taking bookings): held tickets are left out, and a booking whose slot has begun
        comes before walk-ins, at most N in a row while a walk-in waits (server/core/appointments_queue.py)."""
        strict, every = self.center.priority_policy == "strict", self.center.priority_every
        if booked is not None:
            candidates = booked.others(candidates)
        reserved = [t for t in candidates if counter_number is not None and t["reserved_counter"] == counter_number]
        preference = {code: i for i, code in enumerate(services)}
        ordered = sorted((t for t in candidates if counter_number is None or t["reserved_counter"] != counter_number),
                         key=lambda t: (preference.get(t["service_code"], len(preference)), t["arrived_at"], t["id"]))
        priority = [t for t in ordered if t["priority_group"]]
        normal = [t for t in ordered if not t["priority_group"]]
        order, normals = [], normals_since_priority
        while len(order) < limit and (reserved or priority or normal or (booked is not None and booked.due)):
            turn = booked.take(bool(priority or normal)) if booked is not None and not reserved else None
            if turn is not None:  # counted as a normal call, as `_call` counts it
                normals += 1
                order.append(turn)
                continue
            if reserved:
                ticket = reserved.pop(0)
            elif priority and (not normal or strict or normals >= every):
                ticket = priority.pop(0)
            else:
                ticket = normal.pop(0)
            normals = 0 if ticket["priority_group"] else normals + 1
            if booked is not None:
                booked.walk_in_called()
            order.append(ticket)
        return order

    def upcoming_for_counter(self, counter_number, limit: int = UPCOMING) -> list[dict]:
        """The next tickets this counter would call, in order (`call_order` over `_waiting_for_counter`): what a
        console previews. A paused or closed counter previews what it would call once it calls again."""
        counter = self._counter(counter_number)
        now = self.now()
        with self.store.read() as conn:
            order, _ = self._preview(conn, counter, now, limit)
        return [self._upcoming_view(t, now) for t in order]

    def _preview(self, conn, counter: Counter, now: int, limit: int) -> tuple[list, dict[str, int]]:
        """The next `limit` tickets the counter would call (`call_order`, with its bookings) and how many it may
        call now per service (none held: a booking before its slot, a remote number not checked in).

        Only what `call_order` can reach is read: it takes at most `limit` tickets and each of its lists in arrival
        order, so the first `limit` of each service and kind suffice, beside the tickets sent to this counter and,
        where the center takes bookings, the booked and remote ones (ordered by their slot, or held). The counts
        are the kept ones (`waiting_counts`) less the tickets sent to another counter. A console asks after every
        event; reading the whole queue instead cost 25 to 70 times the counts with 1,500 waiting (BENCHMARKS.md,
        Console and live board)."""
        day = self.center.local_date(now)
        services = counter.services
        marks = ",".join("?" * len(services))
        waiting = dict.fromkeys(services, 0)
        for code, n in conn.execute(f"SELECT service_code, n FROM waiting_counts WHERE local_date = ?"
                                    f" AND service_code IN ({marks})", (day, *services)):
            waiting[code] += n
        sent = conn.execute("SELECT * FROM tickets INDEXED BY tickets_reserved WHERE state = 'waiting'"
                            " AND reserved_counter IS NOT NULL AND local_date = ? ORDER BY arrived_at, id",
                            (day,)).fetchall()
        candidates = []
        for ticket in sent:
            code = ticket["service_code"]
            if ticket["reserved_counter"] == counter.number:
                candidates.append(ticket)
                if code not in waiting:  # sent here in a service this counter does not list (changed since)
                    waiting[code] = 1
            elif code in waiting:  # counted in its service, but another counter's to call
                waiting[code] -= 1
        for code in services:
            for kind in ("NULL", "NOT NULL"):
                candidates += conn.execute(
                    "SELECT * FROM tickets INDEXED BY tickets_waiting WHERE service_code = ? AND local_date = ?"
                    f" AND state = 'waiting' AND priority_group IS {kind} AND reserved_counter IS NULL"
                    " ORDER BY arrived_at, id LIMIT ?", (code, day, limit)).fetchall()
        if self.center.appointments is not None:
            have = {t["id"] for t in candidates}
            candidates += [t for t in conn.execute(
                "SELECT * FROM tickets INDEXED BY tickets_waiting WHERE state = 'waiting' AND local_date = ?"
                f" AND service_code IN ({marks}) AND reserved_counter IS NULL AND channel IN (?, ?)",
                (day, *services, APPOINTMENT_CHANNEL, REMOTE_CHANNEL)) if t["id"] not in have]
        booked = self._booked(conn, candidates, counter.number, now)
        if booked is not None:
            for ticket in booked.held:
                waiting[ticket["service_code"]] -= 1
            held = {t["id"] for t in booked.held}
            candidates = [t for t in candidates if t["id"] not in held]
        state = self._counter_state(conn, counter.number)
        return self.call_order(candidates, counter.number, services, state["normals_since_priority"],
                               limit, booked), waiting

    def upcoming_in_service(self, service_code: str, limit: int) -> list[dict]:
        """The next tickets of one service in the order its counters would call them (`call_order` as a counter
        of this service alone, fresh from a priority call, as `_ahead` counts): what a lobby display previews.
        Tickets sent to one counter are included, in their arrival place: they wait in this service too."""
        if service_code not in self.center.services:
            raise QueueRefused("unknown_service", "Lĩnh vực không tồn tại.")
        now = self.now()
        with self.store.read() as conn:
            candidates = conn.execute(
                "SELECT * FROM tickets INDEXED BY tickets_waiting WHERE state = 'waiting' AND local_date = ?"
                " AND service_code = ? ORDER BY arrived_at, id", (self.center.local_date(now), service_code)).fetchall()
            # With bookings the preview follows call next's rule: held tickets left out, due bookings first, N:1.
            booked = self._booked(conn, candidates, None, now)
        order = self.call_order(candidates, None, (service_code,), self.center.priority_every, limit, booked)
        return [self._upcoming_view(t, now) for t in order]

    def upcoming_by_service(self, limit: int) -> dict:
        """`upcoming_in_service` for every service with people waiting today, from one reading: the lobby display's
        waiting panel. {"seq": the sequence number the answer is current to, "services": {code: [ticket as
        `_upcoming_view` shows it, …]}}; a service nobody waits for is absent."""
        now = self.now()
        waiting: dict[str, list] = {}
        with self.store.read() as conn:
            for ticket in conn.execute("SELECT * FROM tickets INDEXED BY tickets_waiting WHERE state = 'waiting'"
                                       " AND local_date = ? ORDER BY arrived_at, id", (self.center.local_date(now),)):
                waiting.setdefault(ticket["service_code"], []).append(ticket)
            booked = {code: self._booked(conn, tickets, None, now) for code, tickets in waiting.items()}
            seq = last_seq(conn)
        orders = {code: self.call_order(tickets, None, (code,), self.center.priority_every, limit, booked[code])
                  for code, tickets in waiting.items()}
        # A service whose waiting citizens are all held (bookings before their slot) has no next number to show.
        return {"seq": seq, "services": {code: [self._upcoming_view(t, now) for t in order]
                                         for code, order in orders.items() if order}}

    def _upcoming_view(self, ticket, now: int) -> dict:
        """A waiting ticket as a preview lists it: number, service, how long the citizen has waited, priority,
        and how it came (`channel_name`, e.g. "Từ xa"; the kiosk too, a screen may leave it out)."""
        service = self._service_of(ticket)
        group = self.center.priority_group(ticket["priority_group"]) if ticket["priority_group"] else None
        return {"label": ticket["label"], "service_code": service.code, "service_name": service.name,
                "arrived_at": ticket["arrived_at"], "waited_seconds": max(0, now - ticket["arrived_at"]),
                "priority_group": ticket["priority_group"], "priority_name": group.name if group else None,
                "channel": ticket["channel"], "channel_name": CHANNEL_NAMES.get(ticket["channel"], ticket["channel"]),
                "reserved": ticket["reserved_counter"] is not None,
                "transferred": ticket["transferred_from"] is not None}

    @staticmethod
    def _waiting_counts_of(conn, day: str, service_codes: set) -> dict[tuple[str, bool], int]:
        """{(service, is priority): tickets waiting today} for some services, zero where none wait."""
        counts = {(code, priority): 0 for code in service_codes for priority in (False, True)}
        marks = ", ".join("?" * len(service_codes))
        for code, priority, n in conn.execute(
                "SELECT service_code, priority, n FROM waiting_counts"
                f" WHERE local_date = ? AND service_code IN ({marks})",
                (day, *service_codes)):
            counts[(code, bool(priority))] = n
        return counts

    def _waiting_counts(self, conn, day: str, service_code: str) -> tuple[int, int]:
        """(normal, priority) tickets waiting in a service today, from the trigger-kept counts."""
        counts = self._waiting_counts_of(conn, day, {service_code})
        return counts[(service_code, False)], counts[(service_code, True)]

    def _ahead(self, conn, ticket, newest=False, counts=None) -> int:
        """How many waiting tickets of its service the policy calls before this one.

        Under the interleave policy (as a counter fresh from a priority call sees it) the order is p0, n0…n(k-1),
        p1, nk…: normal ticket j has min(P, j // k + 1) priority tickets before it, priority ticket i has
        min(N, i·k) normal ones. A ticket just issued is the last of its kind, so the kept counts give its
        position without counting anything.
        """
        normals, priorities = counts or self._waiting_counts(conn, ticket["local_date"], ticket["service_code"])
        is_priority = bool(ticket["priority_group"])
        if newest:
            before = (priorities if is_priority else normals) - 1
        else:
            before = conn.execute(
                "SELECT count(*) FROM tickets INDEXED BY tickets_waiting"
                " WHERE state = 'waiting' AND local_date = ? AND service_code = ?"
                f" AND priority_group IS {'NOT NULL' if is_priority else 'NULL'} AND (arrived_at, id) < (?, ?)",
                (ticket["local_date"], ticket["service_code"], ticket["arrived_at"], ticket["id"])).fetchone()[0]
        strict, every = self.center.priority_policy == "strict", self.center.priority_every
        if is_priority:
            return before if strict else before + min(normals, before * every)
        return before + (priorities if strict else min(priorities, before // every + 1))

    def _cycle_seconds(self, conn, service_code: str) -> float:
        """Mean time a counter spends per ticket (first call to end) over recent history, or the default."""
        if service_code in self._cycle_cache:
            return self._cycle_cache[service_code]
        self._cycle_cache[service_code] = seconds = self._measured_cycle(conn, service_code)
        return seconds

    def _measured_cycle(self, conn, service_code: str) -> float:
        rows = conn.execute("SELECT ended_at - first_called_at FROM tickets WHERE service_code = ? AND state = ?"
                            " AND ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT ?",
                            (service_code, DONE, CYCLE_SAMPLE)).fetchall()
        if len(rows) >= CYCLE_MIN_SAMPLES:
            return sum(r[0] for r in rows) / len(rows)
        service = self.center.services.get(service_code)  # None: removed by an admin since
        return (service.default_service_minutes if service else self.center.default_service_minutes) * 60

    def _open_counters(self, conn) -> set:
        return {r[0] for r in conn.execute("SELECT counter_number FROM counter_state WHERE status = 'open'")}

    def _servers(self, service_code: str, open_counters: set) -> int:
        """Counters that will work this service: the open ones, or all that serve it before any opens."""
        serving = self.center.counters_serving(service_code)
        return max(1, len([c for c in serving if c.number in open_counters]) or len(serving))

    @staticmethod
    def _minutes(seconds: float) -> int:
        return math.ceil(seconds / 60) if seconds > 0 else 0

    def _ticket(self, conn, ticket_id: int):
        return conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()

    def _by_token(self, conn, token):
        """The newest ticket of the chain a token belongs to (a transfer keeps the citizen's QR working)."""
        first = conn.execute("SELECT id, root_ticket_id FROM tickets WHERE token = ?",
                             (token,)).fetchone() if isinstance(token, str) else None
        if first is None:
            raise QueueRefused("unknown_ticket", "Không tìm thấy phiếu này.")
        root = first["root_ticket_id"] or first["id"]
        return conn.execute("SELECT * FROM tickets WHERE id = ? OR root_ticket_id = ? ORDER BY id DESC LIMIT 1",
                            (root, root)).fetchone()

    def _root_token(self, conn, ticket) -> str:
        if ticket["root_ticket_id"] is None:  # not a transfer: its own token
            return ticket["token"]
        root = ticket["root_ticket_id"]
        return conn.execute("SELECT token FROM tickets WHERE id = ?", (root,)).fetchone()[0]

    def _view(self, conn, ticket, with_token=False, newest=False, counts=None, open_counters=None) -> dict:
        """A ticket as screens show it, with people ahead and the estimated wait while it waits (`counts` and
        `open_counters`, when the caller already read them, spare reading them again)."""
        service = self._service_of(ticket)
        department = self.center.department(service.department_code) or \
            Department(service.department_code, service.department_code, ())
        group = self.center.priority_group(ticket["priority_group"]) if ticket["priority_group"] else None
        counters = ([ticket["reserved_counter"]] if ticket["reserved_counter"]
                    else [c.number for c in self.center.counters_serving(service.code)])
        view = {
            "label": ticket["label"], "state": ticket["state"], "state_name": STATE_NAMES[ticket["state"]],
            "service_code": service.code, "service_name": service.name,
            "department_code": department.code, "department_name": department.name,
            "priority_group": ticket["priority_group"], "priority_name": group.name if group else None,
            "counters": counters, "counter_number": ticket["counter_number"],
            "call_count": ticket["call_count"], "issued_at": ticket["issued_at"], "local_date": ticket["local_date"],
            "transferred": ticket["transferred_from"] is not None, "ahead": None, "estimated_wait_minutes": None,
            "channel": ticket["channel"],
        }
        if ticket["state"] == WAITING:
            ahead = self._ahead(conn, ticket, newest, counts)
            servers = self._servers(service.code, self._open_counters(conn) if open_counters is None else open_counters)
            view["ahead"] = ahead
            view["estimated_wait_minutes"] = self._minutes(ahead * self._cycle_seconds(conn, service.code) / servers)
        if with_token:
            view["token"] = ticket["token"]
        return view

    def _counter_view(self, conn, number: int) -> dict:
        state = self._counter_state(conn, number)
        counter = self.center.counter(number)
        officer = self.center.officer(state["officer"]) if state["officer"] else None
        current = self._ticket(conn, state["current_ticket_id"]) if state["current_ticket_id"] else None
        return {
            "number": number, "name": counter.name, "services": list(counter.services), "status": state["status"],
            "officer": state["officer"], "officer_name": officer.name if officer else state["officer"],
            "pause_reason": state["pause_reason"], "since": state["since"],
            "current": None if current is None else {
                "label": current["label"], "state": current["state"], "service_code": current["service_code"],
                "service_name": self._service_of(current).name,
                "first_called_at": current["first_called_at"], "service_started_at": current["service_started_at"],
                "call_count": current["call_count"], "priority_group": current["priority_group"],
                "channel": current["channel"],
                "channel_name": CHANNEL_NAMES.get(current["channel"], current["channel"])},
        }

    def _service_of(self, ticket) -> Service:
        """A ticket's service; one an admin removed since (earlier tickets, today's finished ones) keeps its code
        as its name, so its phone page and reprints still answer."""
        code = ticket["service_code"]
        return self.center.services.get(code) or Service(code, code, ticket["department_code"], ticket["prefix"],
                                                         1, 1, self.center.default_service_minutes)

    def _event(self, conn, kind, ticket, now, officer=None, extra=None, token=None) -> Event:
        service = self._service_of(ticket)
        payload = {**self._event_payload(ticket, sum(self._waiting_counts(conn, ticket["local_date"], service.code))),
                   **(extra or {})}
        return self.store.record_event(conn, kind, now, payload, ticket_id=ticket["id"],
                                       counter_number=ticket["counter_number"], officer=officer,
                                       service_code=service.code, ticket_token=token or self._root_token(conn, ticket))

    def _event_payload(self, ticket, waiting: int) -> dict:
        """What screens hear of a ticket's change; `waiting` lets every screen show the service's queue length
        without deriving it from events."""
        service = self._service_of(ticket)
        return {"label": ticket["label"], "state": ticket["state"], "service_code": service.code,
                "service_name": service.name, "department_code": service.department_code,
                "counter_number": ticket["counter_number"], "priority": bool(ticket["priority_group"]),
                "call_count": ticket["call_count"], "waiting": waiting, "local_date": ticket["local_date"]}

    def _counter_event(self, conn, kind, number, officer, now, extra=None) -> Event:
        payload = {"counter": self._counter_view(conn, number), **(extra or {})}
        return self.store.record_event(conn, kind, now, payload, counter_number=number, officer=officer)

