"""Bookings and remote numbers in the core: slots, limits, cancel and move, check-in, the retention job, and how
booked tickets take their turn in call next (server/core/appointments.py, appointments_queue.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.core import booking_codes
from server.core.appointments import Appointments, phone_number
from server.core.center import CenterConfigError, center_from_raw, center_to_raw, load_center
from server.core.queue import Queue, QueueRefused
from tests.conftest import VN
from tests.live import SMALL_CENTER

APPOINTMENTS_TOML = """
[appointments]
slot_minutes = 30
days_ahead = 7
close_minutes_before = 0
per_phone_per_day = 2
per_address_per_day = 5
late_minutes = 15
booked_every = 2
remote_grace_minutes = 10
retention_days = 30
capacity = { "ly-lich" = 2, "lai-xe" = 5 }
remote_daily_cap = { "ly-lich" = 3 }
"""


def center_with(tmp_path, extra=APPOINTMENTS_TOML):
    path = tmp_path / "center.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return load_center(path)


@pytest.fixture
def booking(tmp_path, store, clock):
    center = center_with(tmp_path)
    queue = Queue(center, store, clock)
    return Appointments(center, store, queue)


def phone(i: int) -> str:
    return f"09{i:08d}"


def test_policy_is_read_checked_and_written_back(tmp_path):
    center = center_with(tmp_path)
    policy = center.appointments
    assert policy.capacity == {"ly-lich": 2, "lai-xe": 5} and policy.remote_daily_cap == {"ly-lich": 3}
    assert policy.booked_every == 2 and policy.slot_minutes == 30
    assert center_from_raw(center_to_raw(center), "again").appointments == policy
    assert load_center(SMALL_CENTER).appointments is None


@pytest.mark.parametrize("extra, key", [
    ('[appointments]\ncapacity = { "khong-co" = 2 }', "appointments.capacity.khong-co"),
    ('[appointments]\ncapacity = { "ly-lich" = 0 }', "appointments.capacity.ly-lich"),
    ("[appointments]\nslot_minutes = 2", "appointments.slot_minutes"),
    ('[appointments]\nbooked_every = "3"', "appointments.booked_every"),
])
def test_a_bad_policy_names_its_key(tmp_path, extra, key):
    with pytest.raises(CenterConfigError) as caught:
        center_with(tmp_path, extra)
    assert caught.value.key == key


def test_codes_are_digits_with_a_check_digit_that_catches_typos():
    code = booking_codes.new_code()
    assert booking_codes.normalized(code) == code
    assert booking_codes.normalized(booking_codes.shown(code)) == code
    wrong = code[:3] + str((int(code[3]) + 1) % 10) + code[4:]
    swapped = code[:2] + code[3] + code[2] + code[4:]
    assert booking_codes.normalized(wrong) is None
    assert swapped == code or booking_codes.normalized(swapped) is None
    assert booking_codes.normalized("abcdefgh") is None and booking_codes.normalized(None) is None


def test_phone_numbers_take_one_form():
    assert phone_number("0912 345 678") == phone_number("+84912345678") == "0912345678"
    assert phone_number("12345") is None and phone_number("0212345678") is None


def test_slots_follow_hours_capacity_and_closing(booking, clock):
    today = booking.center.local_date(clock())
    slots = booking.slots("ly-lich", today)["slots"]
    assert len(slots) == 48  # the small center works 00:00–24:00: 48 slots of 30 minutes
    by_start = {s["start"]: s for s in slots}
    assert not by_start["07:30"]["open"] and by_start["08:00"]["open"]  # 08:00 now: earlier ones have closed
    assert by_start["08:30"]["capacity"] == 2 and by_start["08:30"]["left"] == 2
    far = (dt.date.fromisoformat(today) + dt.timedelta(days=8)).isoformat()
    assert not any(s["open"] for s in booking.slots("ly-lich", far)["slots"])
    with pytest.raises(QueueRefused) as caught:
        booking.slots("van-tai", today)
    assert caught.value.code == "not_bookable"


def test_a_full_slot_offers_the_next_ones(booking, clock):
    today = booking.center.local_date(clock())
    for i in range(2):
        booking.book("ly-lich", today, "09:00", f"Công dân {i}", phone(i), f"10.0.0.{i}")
    with pytest.raises(QueueRefused) as caught:
        booking.book("ly-lich", today, "09:00", "Người thứ ba", phone(9), "10.0.0.9")
    assert caught.value.code == "slot_full"
    assert [s["start"] for s in caught.value.next_slots] == ["09:30", "10:00", "10:30"]
    assert booking.slots("ly-lich", today)["slots"][18]["left"] == 0  # 09:00 is the 19th slot


def test_limits_per_phone_and_per_address(booking, clock):
    today = booking.center.local_date(clock())
    booking.book("lai-xe", today, "09:00", "Nguyễn Văn A", "0912345678", "10.0.0.1")
    booking.book("lai-xe", today, "10:00", "Nguyễn Văn A", "+84 912 345 678", "10.0.0.2")
    with pytest.raises(QueueRefused) as caught:
        booking.book("lai-xe", today, "11:00", "Nguyễn Văn A", "0912345678", "10.0.0.3")
    assert caught.value.code == "phone_limit" and "2 lần" in caught.value.message
    for i in range(5):  # five phone numbers from one address: its limit
        booking.book("lai-xe", today, "13:00", "Khách", phone(100 + i), "10.9.9.9")
    with pytest.raises(QueueRefused) as caught:
        booking.book("lai-xe", today, "14:00", "Khách", phone(300), "10.9.9.9")
    assert caught.value.code == "address_limit"


@pytest.mark.parametrize("name, number, code", [
    ("", "0912345678", "bad_name"), ("A", "0912345678", "bad_name"), ("Nguyễn An", "123", "bad_phone"),
    ("Nguyễn An", None, "bad_phone"), (["x"], "0912345678", "bad_name"),
])
def test_bad_citizen_details_are_refused_and_change_nothing(booking, clock, name, number, code):
    today = booking.center.local_date(clock())
    with pytest.raises(QueueRefused) as caught:
        booking.book("ly-lich", today, "09:00", name, number, "10.0.0.1")
    assert caught.value.code == code
    assert booking.slots("ly-lich", today)["slots"][18]["left"] == 2


def test_cancel_and_move(booking, clock):
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "09:00", "Trần Thị B", "0987654321", "10.0.0.1")
    assert made["phone"] == "098****321" and made["state"] == "booked" and made["can_change"]
    moved = booking.move(made["token"], today, "10:00")
    assert moved["code"] == made["code"] and moved["slot_start"] == "10:00"
    slots = {s["start"]: s["left"] for s in booking.slots("ly-lich", today)["slots"]}
    assert slots["09:00"] == 2 and slots["10:00"] == 1
    cancelled = booking.cancel(made["token"])
    assert cancelled["state"] == "cancelled" and not cancelled["can_change"]
    assert {s["start"]: s["left"] for s in booking.slots("ly-lich", today)["slots"]}["10:00"] == 2
    for action in (lambda: booking.cancel(made["token"]), lambda: booking.move(made["token"], today, "11:00")):
        with pytest.raises(QueueRefused):
            action()
    with pytest.raises(QueueRefused) as caught:
        booking.view("not-a-token")
    assert caught.value.code == "unknown_booking"


def test_check_in_early_on_time_late_and_bad_codes(booking, queue, clock):
    today = booking.center.local_date(clock())
    early = booking.book("ly-lich", today, "09:00", "Sớm", phone(1), "a")
    on_time = booking.book("ly-lich", today, "08:00", "Đúng giờ", phone(2), "b")
    clock.advance(minutes=20)  # 08:20: the 08:00 slot began 20 minutes ago (late after 15)
    late = booking.check_in(code=on_time["code"])
    assert late["timing"] == "late" and "trực tiếp" in late["message"]
    assert late["ticket"]["channel"] == "kiosk" and late["booking"]["state"] == "late"
    first = booking.check_in(code=booking_codes.shown(early["code"]))
    assert first["timing"] == "early" and "09:00" in first["message"] and first["ticket"]["channel"] == "appointment"
    again = booking.check_in(token=early["token"])  # the QR after the code: the same ticket
    assert again["ticket"]["token"] == first["ticket"]["token"]
    for code, error in [("1234", "bad_code"), ("12345678" if booking_codes.normalized("12345678") is None
                                                else "12345679", "bad_code")]:
        with pytest.raises(QueueRefused) as caught:
            booking.check_in(code=code)
        assert caught.value.code == error
    unknown = next(c for c in (booking_codes.new_code() for _ in range(50))
                   if c not in (early["code"], on_time["code"]))
    with pytest.raises(QueueRefused) as caught:
        booking.check_in(code=unknown)
    assert caught.value.code == "unknown_booking"
    tomorrow = (dt.date.fromisoformat(today) + dt.timedelta(days=1)).isoformat()
    later = booking.book("lai-xe", tomorrow, "09:00", "Ngày mai", phone(3), "c")
    with pytest.raises(QueueRefused) as caught:
        booking.check_in(code=later["code"])
    assert caught.value.code == "wrong_day"


def test_a_booked_ticket_waits_for_its_slot_then_goes_before_walk_ins(booking, clock):
    queue = booking.queue
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "08:30", "Hẹn 08:30", phone(1), "a")
    queue.open_counter(1, "an")
    walk_in = queue.issue("ly-lich").result
    booked = booking.check_in(code=made["code"])["ticket"]
    assert queue.call_next(1, "an").result["label"] == walk_in["label"]  # 08:00: the booking waits for 08:30
    queue.start_service(1, "an")
    queue.finish(1, "an")
    with pytest.raises(QueueRefused) as caught:
        queue.call_next(1, "an")
    assert caught.value.code == "queue_empty" and "chưa đến giờ hẹn" in caught.value.message
    later = queue.issue("ly-lich").result
    clock.advance(minutes=30)  # 08:30: the slot has begun
    assert [t["label"] for t in queue.upcoming_for_counter(1)] == [booked["label"], later["label"]]
    assert queue.call_next(1, "an").result["label"] == booked["label"]


def test_booked_tickets_interleave_n_to_one_with_walk_ins(booking, clock):
    queue = booking.queue
    today = booking.center.local_date(clock())
    clock.advance(minutes=-30)  # 07:30: book 08:00 slots of two services
    made = [booking.book("lai-xe", today, "08:00", f"Hẹn {i}", phone(i), f"10.0.0.{i}") for i in range(5)]
    walk_ins = [queue.issue("lai-xe").result["label"] for _ in range(3)]
    clock.advance(minutes=30)
    booked = [booking.check_in(code=m["code"])["ticket"]["label"] for m in made]
    queue.open_counter(3, "cuong")
    preview = [t["label"] for t in queue.upcoming_for_counter(3, 8)]
    called = []
    for _ in range(8):
        called.append(queue.call_next(3, "cuong").result["label"])
        queue.start_service(3, "cuong")
        queue.finish(3, "cuong")
    # N = 2: two booked, one walk-in, two booked, one walk-in, the last booked, the last walk-in.
    assert called == [booked[0], booked[1], walk_ins[0], booked[2], booked[3], walk_ins[1], booked[4], walk_ins[2]]
    assert preview == called


def test_remote_number_keeps_its_place_until_checked_in_then_grace_then_no_show(booking, clock):
    queue = booking.queue
    remote = booking.join_remotely("ly-lich", "Từ Xa", phone(1), "10.0.0.1")
    assert remote["kind"] == "remote" and remote["ticket_label"] == "A001"
    status = queue.ticket_status(remote["ticket_token"])
    assert status["state"] == "waiting" and status["ahead"] == 0 and status["channel"] == "phone"
    walk_in = queue.issue("ly-lich").result
    queue.open_counter(1, "an")
    assert queue.call_next(1, "an").result["label"] == walk_in["label"]  # not checked in: passed over
    queue.start_service(1, "an")
    queue.finish(1, "an")
    clock.advance(minutes=5)
    checked = booking.check_in(code=remote["code"])  # within the grace time
    assert checked["ticket"]["label"] == "A001" and checked["booking"]["state"] == "checked_in"
    assert queue.call_next(1, "an").result["label"] == "A001"

    second = booking.join_remotely("ly-lich", "Không Đến", phone(2), "10.0.0.2")
    queue.start_service(1, "an")
    queue.finish(1, "an")
    queue.issue("ly-lich")
    queue.call_next(1, "an")  # passes A003's owner, not checked in: the grace time starts
    queue.start_service(1, "an")
    queue.finish(1, "an")
    clock.advance(minutes=11)
    assert booking.settle()["remote_no_show"] == 1
    assert queue.ticket_status(second["ticket_token"])["state"] == "no_show"
    with pytest.raises(QueueRefused) as caught:
        booking.check_in(code=second["code"])
    assert caught.value.code == "remote_expired"


def test_remote_numbers_have_a_daily_cap_and_an_off_switch(booking):
    for i in range(3):
        booking.join_remotely("ly-lich", f"Khách {i}", phone(i), f"10.0.0.{i}")
    with pytest.raises(QueueRefused) as caught:
        booking.join_remotely("ly-lich", "Khách 4", phone(4), "10.0.0.4")
    assert caught.value.code == "remote_cap_reached"
    with pytest.raises(QueueRefused) as caught:
        booking.join_remotely("lai-xe", "Khách 5", phone(5), "10.0.0.5")
    assert caught.value.code == "remote_off"


def test_cancelling_a_remote_number_cancels_its_ticket(booking):
    remote = booking.join_remotely("ly-lich", "Khách", phone(1), "10.0.0.1")
    booking.cancel(remote["token"])
    assert booking.queue.ticket_status(remote["ticket_token"])["state"] == "cancelled"


def test_no_show_and_retention_job(booking, store, clock):
    today = booking.center.local_date(clock())
    kept = booking.book("ly-lich", today, "08:00", "Không Đến", phone(1), "10.0.0.1")
    cancelled = booking.book("ly-lich", today, "09:00", "Hủy Lịch", phone(2), "10.0.0.2")
    booking.cancel(cancelled["token"])
    clock.advance(minutes=16)
    assert booking.settle()["no_show"] == 1
    assert booking.view(kept["token"])["state"] == "no_show"
    clock.advance(minutes=60 * 24 * 30)  # 30 days later: still within the retention
    assert booking.erase_expired() == 0
    clock.advance(minutes=60 * 24)
    assert booking.erase_expired() == 2
    with store.read() as conn:
        rows = conn.execute("SELECT name, phone, address, erased_at FROM appointments").fetchall()
        assert all(r["name"] is None and r["phone"] is None and r["address"] is None and r["erased_at"]
                   for r in rows)
        # Names and phone numbers never reach tickets or events.
        texts = " ".join(str(tuple(r)) for r in conn.execute("SELECT * FROM tickets")) + " ".join(
            r[0] for r in conn.execute("SELECT payload FROM events"))
    assert "Không Đến" not in texts and phone(1) not in texts
    assert booking.view(kept["token"])["erased"]


def test_personal_data_never_reaches_tickets_or_events(booking, store, clock):
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "08:00", "Lê Bí Mật", "0977000111", "10.1.2.3")
    remote = booking.join_remotely("ly-lich", "Phạm Riêng Tư", "0977000222", "10.1.2.4")
    booking.check_in(code=made["code"])
    booking.check_in(token=remote["token"])
    with store.read() as conn:
        dumped = " ".join(str(tuple(r)) for table in ("tickets", "events")
                          for r in conn.execute(f"SELECT * FROM {table}"))
    for secret in ("Lê Bí Mật", "Phạm Riêng Tư", "0977000111", "0977000222", "10.1.2.3", "10.1.2.4"):
        assert secret not in dumped


def test_day_board_counts_per_service_and_slot(booking, clock):
    today = booking.center.local_date(clock())
    a = booking.book("ly-lich", today, "08:00", "Một", phone(1), "a")
    booking.book("ly-lich", today, "08:00", "Hai", phone(2), "b")
    c = booking.book("lai-xe", today, "09:00", "Ba", phone(3), "c")
    booking.cancel(c["token"])
    booking.check_in(code=a["code"])
    rows = {(r["service_code"], r["slot_start"]): r for r in booking.day_board(today)["rows"]}
    assert rows[("ly-lich", "08:00")]["places"] == 2 and rows[("ly-lich", "08:00")]["checked_in"] == 1
    assert rows[("ly-lich", "08:00")]["booked"] == 1 and rows[("lai-xe", "09:00")]["cancelled"] == 1
    assert rows[("lai-xe", "09:00")]["places"] == 0


def test_a_center_without_appointments_refuses_politely(store, clock):
    center = load_center(SMALL_CENTER)
    booking = Appointments(center, store, Queue(center, store, clock))
    with pytest.raises(QueueRefused) as caught:
        booking.options()
    assert caught.value.code == "appointments_off"
    assert booking.settle() == {"no_show": 0, "remote_no_show": 0, "bookings_due": 0, "erased": 0}


def test_clock_fixture_is_vietnam_monday_morning(clock):
    assert dt.datetime.fromtimestamp(clock(), VN).strftime("%a %H:%M") == "Mon 08:00"


def test_staff_see_booked_citizens_waiting_past_their_slot(booking, clock):
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "08:00", "Chờ Lâu", phone(1), "a")
    ahead = booking.book("ly-lich", today, "09:00", "Đến Sớm", phone(2), "b")
    booking.check_in(code=made["code"])
    booking.check_in(code=ahead["code"])
    clock.advance(minutes=7)
    waiting = booking.waiting_booked()
    assert [(w["slot_start"], w["past_slot_seconds"]) for w in waiting] == [("08:00", 7 * 60), ("09:00", 0)]
    assert "Chờ Lâu" not in str(waiting)


def test_erased_names_leave_no_trace_in_the_database_file(booking, store, clock, tmp_path):
    today = booking.center.local_date(clock())
    for i in range(20):  # several pages' worth, each name written once
        booking.book("lai-xe", today, f"{9 + i // 5:02d}:00", f"Trần Bí Mật Số {i:02d}", phone(i), f"10.0.{i}.1")
    database = tmp_path / "q.db"

    def written() -> bytes:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # what SQLite does by itself as the WAL grows
        wal = database.with_name("q.db-wal")
        return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    assert "Bí Mật".encode() in written()  # the check below does see the file's bytes
    clock.advance(minutes=60 * 24 * 32)
    assert booking.erase_expired() == 20
    assert "Bí Mật".encode() not in written() and phone(3).encode() not in written()


def test_slots_follow_a_services_own_hours_and_the_early_stop(tmp_path, store, clock):
    text = SMALL_CENTER.read_text(encoding="utf-8").replace(
        'sessions = [{ start = "00:00", end = "24:00" }]',
        'sessions = [{ start = "07:30", end = "11:30" }, { start = "13:30", end = "17:00" }]\n'
        "stop_issuing_minutes_before_end = 45").replace(
        '{ code = "lai-xe", name = "Giấy phép lái xe", prefix = "C", daily_cap = 5000, service_minutes = 6 }',
        '{ code = "lai-xe", name = "Giấy phép lái xe", prefix = "C", daily_cap = 5000, service_minutes = 6,'
        ' sessions = [{ start = "08:00", end = "10:00" }] }')
    assert "stop_issuing_minutes_before_end = 45" in text and 'start = "08:00", end = "10:00"' in text
    path = tmp_path / "hours.toml"
    path.write_text(text + APPOINTMENTS_TOML, encoding="utf-8")
    center = load_center(path)
    booking = Appointments(center, store, Queue(center, store, clock))
    tomorrow = (dt.date.fromisoformat(center.local_date(clock())) + dt.timedelta(days=1)).isoformat()
    starts = [s["start"] for s in booking.slots("ly-lich", tomorrow)["slots"]]
    # Each session's slots end within it and start before it stops issuing (10:45, 16:15): 11:00 would end at
    # 11:30 but nobody could check in for it.
    assert starts == ["07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30",
                      "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
    assert [s["start"] for s in booking.slots("lai-xe", tomorrow)["slots"]] == ["08:00", "08:30", "09:00"]
    with pytest.raises(QueueRefused) as caught:
        booking.book("lai-xe", tomorrow, "09:30", "Ngoài Giờ", phone(1), "a")
    assert caught.value.code == "unknown_slot"


def test_an_admin_removing_a_bookable_service_keeps_the_other_bookings(tmp_path, store, clock):
    from server.core.center_versions import change_section

    center = center_with(tmp_path)
    raw = center_to_raw(center)
    departments = [{**d, "services": [s for s in d["services"] if s["code"] != "lai-xe"]} for d in raw["departments"]]
    changed = change_section(store, center, "departments", departments, "quantri", clock())
    assert "lai-xe" not in changed.services
    assert changed.appointments.capacity == {"ly-lich": 2} and changed.appointments.remote_daily_cap == {"ly-lich": 3}
    assert changed.appointments.booked_every == center.appointments.booked_every


def test_look_up_needs_code_and_phone_and_stops_a_guesser(booking, clock):
    today = booking.center.local_date(clock())
    made = booking.book("ly-lich", today, "09:00", "Tra Cứu", phone(1), "a")
    assert booking.look_up(made["code_shown"], phone(1), "10.0.0.1")["token"] == made["token"]
    codes = [c for c in (booking_codes.new_code() for _ in range(100)) if c != made["code"]]
    for code in codes[:10]:
        with pytest.raises(QueueRefused) as caught:
            booking.look_up(code, phone(1), "10.6.6.6")
        assert caught.value.code == "unknown_booking"
    with pytest.raises(QueueRefused) as caught:
        booking.look_up(made["code"], phone(1), "10.6.6.6")  # even the right one, from that address, today
    assert caught.value.code == "lookup_limit"
    assert booking.look_up(made["code"], phone(1), "10.0.0.2")["token"] == made["token"]  # others are not held
    clock.advance(minutes=60 * 24)
    assert booking.look_up(made["code"], phone(1), "10.6.6.6")["token"] == made["token"]  # a new day
