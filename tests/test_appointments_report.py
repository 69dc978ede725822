"""Appointment figures in reports (docs/REPORTS.md, "Appointments"): the no-show rate, the share called within 10
minutes of the slot, remote numbers, and the channel rows naming bookings and remote numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from server.core.appointments import Appointments
from server.core.queue import Queue
from server.core.reports import generate, make_period
from tests.test_appointments import center_with


@pytest.fixture
def booking(tmp_path, store, clock):
    center = center_with(tmp_path)
    return Appointments(center, store, Queue(center, store, clock))


def serve_next(queue, counter=3, officer="cuong"):
    label = queue.call_next(counter, officer).result["label"]
    queue.start_service(counter, officer)
    queue.finish(counter, officer)
    return label


def test_no_show_rate_and_called_within_ten_minutes(booking, store, clock):
    queue = booking.queue
    today = booking.center.local_date(clock())
    clock.advance(minutes=-60)  # 07:00: book the 08:00 slot of lai-xe (capacity 5) for five citizens
    made = [booking.book("lai-xe", today, "08:00", f"Hẹn {i}", f"09{i:08d}", f"10.0.0.{i}") for i in range(5)]
    cancelled = booking.book("lai-xe", today, "09:00", "Hủy", "0911111111", "10.0.1.1")
    booking.cancel(cancelled["token"])
    clock.advance(minutes=60)  # 08:00
    queue.open_counter(3, "cuong")
    booking.check_in(code=made[0]["code"])
    serve_next(queue)  # called at 08:00: within 10 minutes
    booking.check_in(code=made[1]["code"])
    clock.advance(minutes=12)
    serve_next(queue)  # called at 08:12: not within 10 minutes
    clock.advance(minutes=8)  # 08:20: past late_minutes (15)
    booking.check_in(code=made[2]["code"])  # late: a walk-in ticket
    booking.settle()  # made[3] and made[4] never came: no-shows
    remote = booking.join_remotely("ly-lich", "Từ Xa", "0922222222", "10.0.2.1")
    booking.check_in(token=remote["token"])
    booking.join_remotely("ly-lich", "Không Đến", "0933333333", "10.0.2.2")
    queue.issue("lai-xe")

    day = dt.date.fromisoformat(today)
    reports = generate(store, booking.center, make_period("day", day), ("channel",), clock=clock)
    figures = reports["channel"]["appointments"]
    assert figures["booked"] == 5 and figures["cancelled"] == 1
    assert (figures["checked_in"], figures["late"], figures["no_show"], figures["decided"]) == (2, 1, 2, 5)
    assert figures["no_show_rate"] == 40.0  # 2 of the 5 whose check-in time is over
    assert (figures["called"], figures["called_within_10"], figures["called_within_10_share"]) == (2, 1, 50.0)
    assert (figures["remote"], figures["remote_checked_in"], figures["remote_no_show"]) == (2, 1, 0)
    rows = {row["key"]: row for row in reports["channel"]["rows"]}
    assert rows["appointment"]["name"] == "Lịch hẹn" and rows["appointment"]["issued"] == 2
    assert rows["phone"]["name"] == "Lấy số từ xa" and rows["phone"]["issued"] == 2
    assert rows["kiosk"]["issued"] == 2  # the late citizen's ticket and the walk-in


def test_a_period_without_bookings_has_no_rates(booking, store, clock):
    day = dt.date.fromisoformat(booking.center.local_date(clock()))
    figures = generate(store, booking.center, make_period("day", day), ("center",), clock=clock)["center"]
    assert figures["appointments"]["booked"] == 0
    assert figures["appointments"]["no_show_rate"] is None and figures["appointments"]["called_within_10_share"] is None
