"""The lobby display's "next numbers" where the center takes bookings: the preview of a service
(Queue.upcoming_by_service, Queue.upcoming_in_service) follows call next's rule for booked citizens, so what the
display shows is what the counter then calls (docs/APPOINTMENTS.md, "Check-in and how booked citizens are
called")."""

from __future__ import annotations

import random

import pytest

from server.core.appointments import Appointments
from server.core.queue import Queue
from tests.test_appointments import APPOINTMENTS_TOML, center_with
from tests.test_console_queue import serve_all

# van-tai (served alone by counter 5 in the small center) takes bookings and remote numbers too.
VAN_TAI_TOML = (APPOINTMENTS_TOML.replace('"lai-xe" = 5 }', '"lai-xe" = 5, "van-tai" = 5 }')
                .replace('remote_daily_cap = { "ly-lich" = 3 }', 'remote_daily_cap = { "ly-lich" = 3, "van-tai" = 3 }'))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_display_shows_what_counter_five_then_calls(tmp_path, store, clock, seed):
    """Walk-ins, priority citizens, bookings checked in on time, one early (held for its slot) and a remote number
    not checked in (held): the display's van-tai line is the order counter 5 then calls, and leaves the held out."""
    center = center_with(tmp_path, VAN_TAI_TOML)
    queue = Queue(center, store, clock)
    booking = Appointments(center, store, queue)
    rng = random.Random(seed)
    today = center.local_date(clock())
    on_time = [booking.book("van-tai", today, "08:30", f"Hẹn {i}", f"09{i:08d}", f"10.0.0.{i}")
               for i in range(3)]
    early = booking.book("van-tai", today, "10:00", "Đến sớm", "0988888888", "10.0.1.1")
    remote = booking.join_remotely("van-tai", "Từ xa", "0977777777", "10.0.2.1")
    for _ in range(rng.randint(4, 7)):
        queue.issue("van-tai", priority_group="nguoi-cao-tuoi" if rng.random() < 0.3 else None)
        clock.advance(seconds=rng.randint(20, 90))
    clock.advance(minutes=30)  # past 08:30: the slot has begun
    checked_in = [booking.check_in(code=b["code"])["ticket"]["label"] for b in on_time]
    held = booking.check_in(code=early["code"])["ticket"]["label"]
    for _ in range(2):
        queue.issue("van-tai")
        clock.advance(seconds=rng.randint(5, 30))

    shown = [t["label"] for t in queue.upcoming_by_service(100)["services"]["van-tai"]]
    assert shown == [t["label"] for t in queue.upcoming_in_service("van-tai", 100)]
    assert held not in shown and remote["ticket_label"] not in shown
    assert shown[:2] == checked_in[:2]  # due bookings first, booked_every = 2 in a row, then a walk-in
    assert shown[2] not in checked_in and shown[3] == checked_in[2]
    queue.open_counter(5, "cuong")
    assert serve_all(queue, 5, "cuong") == shown


def test_a_service_whose_only_waiting_citizens_are_held_shows_no_next_number(tmp_path, store, clock):
    center = center_with(tmp_path, VAN_TAI_TOML)
    queue = Queue(center, store, clock)
    booking = Appointments(center, store, queue)
    today = center.local_date(clock())
    booking.check_in(code=booking.book("van-tai", today, "09:30", "Sớm", "0912345678", "10.0.0.1")["code"])
    booking.join_remotely("van-tai", "Từ xa", "0977777777", "10.0.2.1")
    assert "van-tai" not in queue.upcoming_by_service(5)["services"]
    assert queue.upcoming_in_service("van-tai", 5) == []
