"""The live board's order and its department warning (core): waits over target first, then idle counters, then
the rest; an officer at a counter of another department is named on the board and warned on the console."""

from __future__ import annotations

from server.core.desk import department_warning
from server.core.overview import live_overview


def codes(overview):
    return [s["service_code"] for s in overview["services"]]


def numbers(overview):
    return [c["number"] for c in overview["counters"]]


def test_services_over_target_first_by_overrun_then_waiting_then_empty(queue, clock):
    queue.issue("van-tai")             # target 20 min
    clock.advance(minutes=10)
    queue.issue("lai-xe")              # target 20 min
    clock.advance(minutes=5)
    queue.issue("ho-tich")
    clock.advance(minutes=20)          # van-tai 35 min, lai-xe 25 min (both over), ho-tich 20 (at target)
    overview = live_overview(queue)
    assert codes(overview) == ["van-tai", "lai-xe", "ho-tich", "ly-lich"]
    assert [s["over_target"] for s in overview["services"]] == [True, True, False, False]
    assert [a["service_code"] for a in overview["alerts"]] == ["van-tai", "lai-xe"]


def test_counters_over_target_then_idle_then_open_paused_closed(queue, clock):
    queue.issue("van-tai")
    clock.advance(minutes=25)          # van-tai is over its 20 minutes
    queue.issue("ly-lich")
    queue.open_counter(5, "cuong")     # van-tai: its citizen waits over target
    queue.open_counter(1, "an")        # ly-lich waits within target: idle once 2 minutes pass
    queue.open_counter(2, "binh")
    queue.pause_counter(2, "binh", "Họp")
    clock.advance(minutes=5)
    overview = live_overview(queue)
    assert numbers(overview) == [5, 1, 2, 3]
    assert [c["urgency"] for c in overview["counters"]] == ["wait_over_target", "idle", "other", "other"]
    first = overview["counters"][0]
    assert first["over_target"] and first["overrun_seconds"] == 10 * 60 and first["longest_wait_seconds"] == 30 * 60

    queue.call_next(1, "an")           # no longer idle: back among the rest, before the paused one
    overview = live_overview(queue)
    assert numbers(overview) == [5, 1, 2, 3]
    assert overview["counters"][1]["urgency"] == "other"
    queue.call_next(5, "cuong")        # nobody over target any more
    assert numbers(live_overview(queue)) == [1, 5, 2, 3]


def test_a_closed_counter_is_never_first_for_a_wait_over_target(queue, clock):
    queue.issue("van-tai")
    clock.advance(minutes=40)
    overview = live_overview(queue)
    assert not any(c["over_target"] for c in overview["counters"])
    assert numbers(overview) == [1, 2, 3, 5]


def test_an_officer_of_another_department_is_on_the_board(queue, clock):
    queue.open_counter(1, "cuong")     # Sở Giao thông vận tải at a Sở Tư pháp counter
    queue.open_counter(5, "binh")      # Sở Tư pháp at a transport counter
    queue.open_counter(2, "giamsat")   # a supervisor belongs to no department: no warning
    overview = live_overview(queue)
    warned = {c["number"]: c["department_warning"] for c in overview["counters"] if c["department_warning"]}
    assert warned == {
        1: "Lê Văn Cường (Sở Giao thông vận tải) đang làm việc tại quầy 01 của Sở Tư pháp.",
        5: "Trần Thị Bình (Sở Tư pháp) đang làm việc tại quầy 05 của Sở Giao thông vận tải."}
    assert [(a["counter_number"], a["message"]) for a in overview["alerts"] if a["kind"] == "officer_department"] \
        == sorted(warned.items())
    queue.close_counter(1, "cuong")    # gone with the officer
    assert [c["number"] for c in live_overview(queue)["counters"] if c["department_warning"]] == [5]


def test_the_console_warning_speaks_to_the_officer(center):
    warning = department_warning(center, 1, "cuong")
    assert warning["to_officer"].startswith("Quầy 01 phục vụ lĩnh vực của Sở Tư pháp, không thuộc Sở Giao thông")
    assert department_warning(center, 1, "an") is None
    assert department_warning(center, 1, "quantri") is None
    assert department_warning(center, 1, None) is None


def test_a_booked_citizen_waiting_ten_minutes_past_the_slot_is_a_warning(tmp_path, store, clock):
    from server.core.appointments import Appointments
    from server.core.queue import Queue
    from tests.test_appointments import center_with
    from tests.test_appointments_day import DAY_POLICY

    center = center_with(tmp_path, DAY_POLICY)
    queue = Queue(center, store, clock)
    booking = Appointments(center, store, queue)
    today = center.local_date(clock())
    clock.advance(minutes=-60)
    slot = [s for s in booking.slots("ly-lich", today)["slots"] if s["start"] >= "08:00"][0]
    made = booking.book("ly-lich", today, slot["start"], "Hẹn", "0912000001", "10.0.0.1")
    clock.now = slot["at"] - 120
    label = booking.check_in(code=made["code"])["ticket"]["label"]

    def warnings():
        overview = live_overview(queue, booked_waiting=booking.waiting_booked())
        return [a for a in overview["alerts"] if a["kind"] == "booking_waiting"]

    clock.now = slot["at"] + 9 * 60 + 59
    assert warnings() == []
    clock.now = slot["at"] + 12 * 60
    [warning] = warnings()
    assert warning["label"] == label and warning["seconds"] == 12 * 60
    assert warning["message"] == f"Số {label} (Lý lịch tư pháp) hẹn lúc {slot['start']}, đã quá giờ hẹn 12 phút" \
        " mà chưa được gọi"
    queue.open_counter(1, "an")
    queue.call_next(1, "an")  # called: no longer waiting
    assert warnings() == []
