"""Previews that never go stale, in the core: the two changes of who may be called that no queue action makes
record an event of their own (server/core/appointments.py) — a remote number checked in at the kiosk
(`ticket_checked_in`) and a checked-in booking's slot starting (`bookings_due`, from the minute job, once per slot
start across restarts and two jobs at once; m022) — and the previews they announce change."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from server.core.appointments import Appointments
from server.core.queue import Queue
from server.core.store import Store
from server.core.timeline import day_timeline
from tests.test_appointments import center_with, phone


@pytest.fixture
def booking(tmp_path, store, clock):
    center = center_with(tmp_path)
    return Appointments(center, store, Queue(center, store, clock))


def events_after(store, seq: int) -> list[tuple[str, dict]]:
    with store.read() as conn:
        return [(r[0], json.loads(r[1])) for r in conn.execute(
            "SELECT kind, payload FROM events WHERE seq > ? ORDER BY seq", (seq,))]


def last_seq(store) -> int:
    with store.read() as conn:
        return conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]


def upcoming(queue, service) -> list[str]:
    return [t["label"] for t in queue.upcoming_by_service(10)["services"].get(service, [])]


def test_a_remote_number_checked_in_records_one_event_and_enters_the_preview(booking, store):
    queue = booking.queue
    remote = booking.join_remotely("ly-lich", "Trần Từ Xa", "0977000333", "10.9.9.9")
    walk_in = queue.issue("ly-lich").result
    label = remote["ticket_label"]
    assert upcoming(queue, "ly-lich") == [walk_in["label"]]  # held until the citizen is at the center
    before = last_seq(store)
    booking.check_in(code=remote["code"])
    recorded = events_after(store, before)
    assert [kind for kind, _ in recorded] == ["ticket_checked_in"]
    payload = recorded[0][1]
    assert payload["label"] == label and payload["service_code"] == "ly-lich" and payload["state"] == "waiting"
    assert payload["channel"] == "phone" and payload["waiting"] == 2
    assert not {"name", "phone", "token", "address", "code"} & set(payload)
    assert "Trần Từ Xa" not in json.dumps(payload, ensure_ascii=False) and "0977000333" not in json.dumps(payload)
    assert upcoming(queue, "ly-lich") == [label, walk_in["label"]]  # it keeps the place it took from home
    again = last_seq(store)
    booking.check_in(token=remote["token"])  # the QR after the code: nothing changes, nothing is recorded
    assert events_after(store, again) == []
    with store.read() as conn:  # a supervisor's timeline names the step in Vietnamese
        day = day_timeline(conn, booking.center, dt.date.fromisoformat(payload["local_date"]))
    steps = next(t["transitions"] for t in day["tickets"] if t["label"] == label)
    assert [s["name"] for s in steps] == ["Lấy số", "Xác nhận có mặt"]


def test_a_booked_slot_starting_is_announced_once_and_changes_the_preview(booking, store, clock):
    queue = booking.queue
    today = booking.center.local_date(clock())
    made = [booking.book(s, today, "08:30", f"Hẹn {i}", phone(i), f"10.0.0.{i}")
            for i, s in enumerate(("ly-lich", "ly-lich", "lai-xe"))]
    other_slot = booking.book("ly-lich", today, "09:00", "Hẹn chín giờ", phone(7), "10.0.0.7")
    walk_in = queue.issue("ly-lich").result["label"]
    booked = [booking.check_in(code=m["code"])["ticket"]["label"] for m in made]
    booking.check_in(code=other_slot["code"])
    assert upcoming(queue, "ly-lich") == [walk_in]  # 08:00: bookings wait for their slots
    assert booking.settle()["bookings_due"] == 0
    before = last_seq(store)
    clock.advance(minutes=30, seconds=20)  # 08:30:20: the clock alone, no event, changed the order
    assert events_after(store, before) == []
    assert upcoming(queue, "ly-lich") == [*booked[:2], walk_in]
    assert booking.settle()["bookings_due"] == 1
    recorded = events_after(store, before)
    assert [kind for kind, _ in recorded] == ["bookings_due"]
    payload = recorded[0][1]
    assert payload["service_codes"] == ["lai-xe", "ly-lich"] and payload["slot_start"] == "08:30"
    assert payload["bookings"] == 3 and payload["local_date"] == today
    assert booking.settle()["bookings_due"] == 0  # the next minute: announced already
    clock.advance(minutes=30)
    assert booking.settle()["bookings_due"] == 1  # 09:00: the next slot, on its own
    assert [k for k, _ in events_after(store, before)] == ["bookings_due", "bookings_due"]


def test_two_jobs_and_a_restart_announce_a_slot_start_once(booking, store, clock, tmp_path):
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "08:30", "Hẹn", phone(1), "10.0.0.1")
    booking.check_in(code=made["code"])
    clock.advance(minutes=31)
    # A second job over the same file (a second process), then the first again, then one after a restart.
    second_store = Store(store.path)
    try:
        second = Appointments(booking.center, second_store, Queue(booking.center, second_store, clock))
        counts = [second.settle()["bookings_due"], booking.settle()["bookings_due"]]
    finally:
        second_store.close()
    restarted_store = Store(store.path)
    try:
        restarted = Appointments(booking.center, restarted_store, Queue(booking.center, restarted_store, clock))
        counts.append(restarted.settle()["bookings_due"])
    finally:
        restarted_store.close()
    assert counts == [1, 0, 0]
    assert [k for k, _ in events_after(store, 0) if k == "bookings_due"] == ["bookings_due"]


def test_no_announcement_for_bookings_already_due_called_or_late(booking, store, clock):
    queue = booking.queue
    today = booking.center.local_date(clock())
    on_time = booking.book("ly-lich", today, "08:00", "Đúng giờ", phone(1), "a")
    called = booking.book("ly-lich", today, "08:30", "Được gọi", phone(2), "b")
    late = booking.book("lai-xe", today, "08:00", "Muộn", phone(3), "c")
    booking.check_in(code=on_time["code"])  # 08:00: due at once, its ticket_issued told the screens
    ticket = booking.check_in(code=called["code"])["ticket"]
    clock.advance(minutes=20)
    booking.check_in(code=late["code"])  # 08:20: later than 15 minutes, a walk-in
    queue.open_counter(1, "an")
    clock.advance(minutes=11)  # 08:31: the 08:30 booking is due; called before the job runs
    assert queue.call_next(1, "an").result["label"] != ticket["label"]  # the 08:00 one first
    queue.start_service(1, "an")
    queue.finish(1, "an")
    assert queue.call_next(1, "an").result["label"] == ticket["label"]
    assert booking.settle()["bookings_due"] == 0
    assert "bookings_due" not in [k for k, _ in events_after(store, 0)]


def test_a_slot_of_an_earlier_day_is_not_announced_the_next_morning(booking, store, clock):
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "08:30", "Hẹn hôm qua", phone(1), "a")
    booking.check_in(code=made["code"])  # 08:00, early; the server is then off until the next morning
    clock.advance(minutes=24 * 60)
    assert booking.settle()["bookings_due"] == 0
    assert "bookings_due" not in [k for k, _ in events_after(store, 0)]
