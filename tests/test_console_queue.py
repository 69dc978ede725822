"""The console's preview of the queue (core): the next tickets a counter would call and what it may call at all,
checked against what `call_next` then actually calls, under both priority policies, with tickets transferred to
this counter and to another one."""

from __future__ import annotations

import dataclasses
import random

import pytest

from server.core.queue import Queue, QueueRefused


def serve_all(queue, counter, officer) -> list[str]:
    """Call, start and finish until the counter has nobody left to call; the labels in the order called."""
    called = []
    while True:
        try:
            label = queue.call_next(counter, officer).result["label"]
        except QueueRefused as refusal:
            assert refusal.code == "queue_empty"
            return called
        called.append(label)
        queue.start_service(counter, officer)
        queue.finish(counter, officer)


def busy_morning(queue, clock, seed: int):
    """Counters 1–3 open; a random mix of normal and priority tickets in counter 1's two services; one ticket sent
    to counter 1 by counter 2 and one sent to counter 2 by counter 3 (counter 1 must not count or call it)."""
    rng = random.Random(seed)
    for counter, officer in ((1, "an"), (2, "binh"), (3, "cuong")):
        queue.open_counter(counter, officer)
    hotich_left = 2  # ho-tich has a daily cap of 3 in the small center; one more is issued below
    for _ in range(14):
        service = "ho-tich" if hotich_left and rng.random() < 0.3 else "ly-lich"
        hotich_left -= service == "ho-tich"
        queue.issue(service, priority_group="nguoi-cao-tuoi" if rng.random() < 0.35 else None)
        clock.advance(seconds=rng.randint(5, 90))
    # Counter 2 calls one of them and sends it to counter 1.
    queue.call_next(2, "binh")
    queue.transfer(2, "binh", to_counter=1)
    # Counter 3 serves a driving-licence citizen who needs counter 2 (it waits as ho-tich, for counter 2 only).
    queue.issue("lai-xe")
    queue.call_next(3, "cuong")
    queue.transfer(3, "cuong", to_counter=2)
    queue.issue("ho-tich")
    clock.advance(minutes=3)


@pytest.mark.parametrize("policy,every", [("interleave", 1), ("interleave", 2), ("interleave", 3), ("strict", 2)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_preview_is_what_call_next_then_calls(center, store, clock, policy, every, seed):
    queue = Queue(dataclasses.replace(center, priority_policy=policy, priority_every=every), store, clock)
    busy_morning(queue, clock, seed)
    stats = queue.counter_stats(1, upcoming=100)
    preview = [t["label"] for t in stats["next"]]
    for limit in (1, 2, 3, 5, 8):  # reading only what the first `limit` can come from gives the same order
        assert [t["label"] for t in queue.upcoming_for_counter(1, limit)] == preview[:limit]
    called = serve_all(queue, 1, "an")
    assert called == preview
    # It counted exactly what it could call: not the ticket sent to counter 2, which counter 2 still has.
    assert stats["waiting_total"] == len(called) == sum(s["waiting"] for s in stats["waiting"])
    assert queue.counter_stats(2)["waiting_total"] == 1


def test_the_first_of_the_preview_is_called_at_every_step(queue, clock):
    busy_morning(queue, clock, seed=7)
    while queue.counter_stats(1)["waiting_total"]:
        expected = queue.upcoming_for_counter(1, 1)[0]["label"]
        assert queue.call_next(1, "an").result["label"] == expected
        queue.start_service(1, "an")
        queue.finish(1, "an")
        queue.issue("ly-lich", priority_group="nguoi-cao-tuoi")  # new arrivals change the order between calls
        clock.advance(seconds=30)
        if queue.counter_stats(1)["served_today"] > 25:
            break


def test_a_preview_row_says_service_wait_priority_and_channel(queue, clock):
    queue.open_counter(1, "an")
    queue.issue("ly-lich", channel="phone")
    clock.advance(minutes=4)
    queue.issue("ho-tich", priority_group="nguoi-cao-tuoi")
    clock.advance(minutes=1)
    first, second = queue.upcoming_for_counter(1)
    assert first["label"] == "B001" and first["priority_name"] == "Người cao tuổi" and first["waited_seconds"] == 60
    assert second["label"] == "A001" and second["service_name"] == "Lý lịch tư pháp"
    assert second["waited_seconds"] == 300 and second["channel"] == "phone" and second["channel_name"] == "Từ xa"
    assert first["channel"] == "kiosk"


def test_the_service_order_is_what_a_counter_of_that_service_alone_calls(queue, clock):
    """Counter 5 serves van-tai only; freshly opened, it calls exactly in the service's previewed order."""
    rng = random.Random(5)
    for _ in range(9):
        queue.issue("van-tai", priority_group="nguoi-cao-tuoi" if rng.random() < 0.4 else None)
        clock.advance(seconds=20)
    preview = [t["label"] for t in queue.upcoming_in_service("van-tai", 100)]
    queue.open_counter(5, "cuong")
    assert serve_all(queue, 5, "cuong") == preview
    with pytest.raises(QueueRefused):
        queue.upcoming_in_service("khong-co", 5)


def test_parked_tickets_are_listed_with_their_service(queue):
    queue.open_counter(1, "an")
    queue.issue("ho-tich")
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    queue.park(1, "an")
    stats = queue.counter_stats(1)
    assert stats["parked"] == ["B001"]
    assert stats["parked_tickets"][0]["service_name"] == "Hộ tịch"
    assert stats["waiting_total"] == 0 and stats["next"] == []


def test_with_bookings_the_preview_leaves_out_held_tickets_and_is_still_what_call_next_calls(tmp_path, store, clock):
    """Booked citizens checked in for a slot that has begun come first (N:1 with walk-ins); one checked in for a
    later slot waits for it: not counted, not listed, not called."""
    from server.core.appointments import Appointments
    from tests.test_appointments import center_with
    from tests.test_appointments_day import DAY_POLICY

    center = center_with(tmp_path, DAY_POLICY)
    queue = Queue(center, store, clock)
    booking = Appointments(center, store, queue)
    today = center.local_date(clock())
    clock.advance(minutes=-60)  # bookings made the evening before, in effect
    slots = [s for s in booking.slots("ly-lich", today)["slots"] if "08:00" <= s["start"] < "16:00"]
    now_slot, later_slot = slots[0], slots[3]
    made = [booking.book("ly-lich", today, now_slot["start"], f"Hẹn {i}", f"0912{i:06d}", f"10.0.0.{i}")
            for i in range(3)]
    later = booking.book("ly-lich", today, later_slot["start"], "Hẹn sau", "0913000000", "10.0.1.1")
    clock.now = now_slot["at"] + 60
    queue.open_counter(1, "an")
    for i in range(4):
        queue.issue("ly-lich", priority_group="nguoi-cao-tuoi" if i == 2 else None)
        clock.advance(seconds=20)
    for m in made:
        booking.check_in(code=m["code"])
    held = booking.check_in(code=later["code"])["ticket"]["label"]
    stats = queue.counter_stats(1, upcoming=100)
    preview = [t["label"] for t in stats["next"]]
    assert held not in preview
    assert any(t["channel_name"] == "Lịch hẹn" for t in stats["next"][:2])  # a due booking comes early
    called = serve_all(queue, 1, "an")
    assert called == preview and stats["waiting_total"] == len(called)
    assert queue.counter_stats(1)["waiting_total"] == 0  # the held one is still not callable
