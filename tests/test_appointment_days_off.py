"""Bookings never land on a day the center does not work: holidays and days outside `working_days` offer no day,
no slot, no booking, and a full slot's "next free" offers jump over them (server/core/appointments.py `_working`)."""

from __future__ import annotations

import pytest

from server.core.appointments import Appointments
from server.core.center import load_center
from server.core.queue import Queue, QueueRefused
from tests.live import SMALL_CENTER
from tests.test_appointments import APPOINTMENTS_TOML, phone

# The clock fixture is Monday 2026-11-23 08:00 in Việt Nam; Tuesday is a holiday, the weekend is off.
HOLIDAY, SATURDAY, SUNDAY = "2026-11-24", "2026-11-28", "2026-11-29"


@pytest.fixture
def booking(tmp_path, store, clock):
    text = SMALL_CENTER.read_text(encoding="utf-8").replace(
        'working_days = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]',
        f'working_days = ["T2", "T3", "T4", "T5", "T6"]\nholidays = ["{HOLIDAY}"]')
    assert HOLIDAY in text  # the replacement took: the small center's hours are as this test expects
    path = tmp_path / "center.toml"
    path.write_text(text + "\n" + APPOINTMENTS_TOML, encoding="utf-8")
    center = load_center(path)
    return Appointments(center, store, Queue(center, store, clock))


def test_days_off_are_not_offered(booking):
    days = booking.options()["days"]
    assert days[0] == "2026-11-23" and "2026-11-25" in days and "2026-11-30" in days
    assert not {HOLIDAY, SATURDAY, SUNDAY} & set(days)


@pytest.mark.parametrize("day", [HOLIDAY, SATURDAY, SUNDAY])
def test_a_day_off_has_no_slot_and_takes_no_booking(booking, store, day):
    assert booking.slots("ly-lich", day)["slots"] == []
    with pytest.raises(QueueRefused) as caught:
        booking.book("ly-lich", day, "09:00", "Nguyễn Văn A", phone(1), "10.0.0.1")
    assert caught.value.code == "unknown_slot"
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM appointments").fetchone()[0] == 0


def test_the_next_free_slots_jump_over_the_holiday(booking):
    last = booking.slots("ly-lich", "2026-11-23")["slots"][-1]["start"]
    for i in range(2):  # capacity 2 for ly-lich
        booking.book("ly-lich", "2026-11-23", last, f"Công dân {i}", phone(i), f"10.0.0.{i}")
    with pytest.raises(QueueRefused) as caught:
        booking.book("ly-lich", "2026-11-23", last, "Người thứ ba", phone(9), "10.0.0.9")
    assert caught.value.code == "slot_full"
    assert {s["local_date"] for s in caught.value.next_slots} == {"2026-11-25"}
