"""The printed ticket of a booked citizen shows the booked time (server/core/ticket_print.py `booked_line`): in the
check-in's answer, in the ticket's status (what the kiosk's print page and the phone page read) and on the PNG; a
late citizen's ticket says it waits as a walk-in; other tickets print no such line."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.core.appointments import Appointments
from server.core.queue import Queue
from server.core.ticket_print import render_ticket_png
from tests.test_appointments import center_with


@pytest.fixture
def booking(tmp_path, store, clock):
    center = center_with(tmp_path)
    return Appointments(center, store, Queue(center, store, clock))


def png_height(center, ticket) -> int:
    return Image.open(io.BytesIO(render_ticket_png(center, ticket, "http://example/t/x"))).height


def test_a_booked_ticket_prints_its_booked_time(booking, clock):
    today = booking.center.local_date(clock())
    made = booking.book("lai-xe", today, "08:30", "Giờ Hẹn", "0912345678", "10.0.0.1")
    answer = booking.check_in(code=made["code"])
    line = answer["ticket"]["print"]["booked"]
    assert line.startswith(f"Giờ hẹn: {made['slot_start']}") and "ưu tiên theo lịch hẹn" in line
    status = booking.queue.ticket_status(answer["ticket"]["token"])
    assert status["booked"] == {"slot_start": "08:30", "late": False}
    walk_in = booking.queue.issue("lai-xe").result
    assert booking.queue.ticket_status(walk_in["token"])["booked"] is None
    walk_in_status = booking.queue.ticket_status(walk_in["token"])
    assert png_height(booking.center, status) > png_height(booking.center, walk_in_status)  # one more line


def test_a_late_citizens_ticket_says_it_waits_as_a_walk_in(booking, clock):
    today = booking.center.local_date(clock())
    made = booking.book("lai-xe", today, "08:30", "Đến Muộn", "0912345678", "10.0.0.1")
    clock.advance(minutes=30 + booking.center.appointments.late_minutes + 1)
    answer = booking.check_in(code=made["code"])
    assert answer["timing"] == "late" and answer["ticket"]["channel"] == "kiosk"
    assert answer["ticket"]["print"]["booked"] == "Giờ hẹn: 08:30 (đến muộn, xếp như khách đến trực tiếp)"
    assert booking.queue.ticket_status(answer["ticket"]["token"])["booked"]["late"] is True


def test_a_remote_number_and_a_kiosk_ticket_print_no_booked_time(booking):
    remote = booking.join_remotely("ly-lich", "Từ Xa", "0922222222", "10.0.2.1")
    assert booking.check_in(token=remote["token"])["ticket"]["print"]["booked"] == ""
    assert booking.queue.ticket_status(remote["ticket_token"])["booked"] is None
