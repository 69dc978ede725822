"""A whole simulated day at two counters with walk-ins, priority citizens and booked citizens (some early, some
late, some never coming): booked citizens on time are called within their window, never before their slot, and
no walk-in is passed over by more than N booked calls in a row at a counter (docs/APPOINTMENTS.md, the bound)."""

from __future__ import annotations

import random

import pytest

from server.core.appointments import Appointments
from server.core.queue import Queue, QueueRefused
from tests.test_appointments import center_with

DAY_POLICY = """
[appointments]
slot_minutes = 30
days_ahead = 1
close_minutes_before = 0
per_phone_per_day = 5
per_address_per_day = 1000
late_minutes = 15
booked_every = 2
capacity = { "ly-lich" = 3 }
"""
COUNTERS = {1: "an", 2: "binh"}  # both serve ly-lich (and ho-tich), in the small center


def simulate(tmp_path, store, clock, seed: int):
    center = center_with(tmp_path, DAY_POLICY)
    queue = Queue(center, store, clock)
    booking = Appointments(center, store, queue)
    rng = random.Random(seed)
    today = center.local_date(clock())
    clock.advance(minutes=-60)  # 07:00: yesterday's bookings, made before the day starts
    slots = [s for s in booking.slots("ly-lich", today)["slots"] if "08:00" <= s["start"] < "16:00"]
    arrivals = []  # (minute of the day, kind, detail)
    for slot in slots:
        for i in range(slot["capacity"]):
            made = booking.book("ly-lich", today, slot["start"], f"Hẹn {slot['start']} {i}",
                                f"09{rng.randrange(10**8):08d}", f"10.0.{len(arrivals)}.1")
            fate = rng.random()
            if fate < 0.1:
                continue  # never comes
            offset = rng.randint(-25, -1) if fate < 0.4 else rng.randint(0, 12) if fate < 0.9 else rng.randint(16, 40)
            arrivals.append((slot["at"] + offset * 60, "booked", made))
    day_start = slots[0]["at"]
    moment = day_start
    while moment < slots[-1]["at"] + 1800:
        moment += rng.randint(60, 300)
        arrivals.append((moment, "priority" if rng.random() < 0.15 else "walk_in", None))
    arrivals.sort(key=lambda a: a[0])
    clock.now = day_start
    for number, officer in COUNTERS.items():
        queue.open_counter(number, officer)
    busy_until = dict.fromkeys(COUNTERS, 0)
    calls = {n: [] for n in COUNTERS}  # per counter: (time, channel, walk-ins callable then, ticket label)
    checked_in = {}  # ticket label → (slot_at, check-in time)
    issued = {}  # label → arrival
    pending = list(arrivals)
    end = slots[-1]["at"] + 4 * 3600
    while clock.now < end and (pending or any(busy_until.values()) or _waiting(store, today)):
        while pending and pending[0][0] <= clock.now:
            at, kind, made = pending.pop(0)
            if kind == "booked":
                answer = booking.check_in(code=made["code"])
                label = answer["ticket"]["label"]
                issued[label] = at
                if answer["timing"] != "late":
                    checked_in[label] = (made["slot_at"], at)
            else:
                ticket = queue.issue("ly-lich", "nguoi-cao-tuoi" if kind == "priority" else None).result
                issued[ticket["label"]] = at
        for number, officer in COUNTERS.items():
            if busy_until[number] and busy_until[number] <= clock.now:
                queue.finish(number, officer)
                busy_until[number] = 0
            if not busy_until[number]:
                walk_ins = _waiting_walk_ins(store, today)
                try:
                    called = queue.call_next(number, officer).result
                except QueueRefused as refusal:
                    assert refusal.code == "queue_empty"
                    continue
                queue.start_service(number, officer)
                calls[number].append((clock.now, called["channel"], walk_ins, called["label"]))
                busy_until[number] = clock.now + rng.randint(3, 9) * 60
        clock.advance(minutes=1)
    return calls, checked_in, issued, booking.center.appointments


def _waiting(store, day):
    with store.read() as conn:
        return conn.execute("SELECT count(*) FROM tickets WHERE state = 'waiting' AND local_date = ?",
                            (day,)).fetchone()[0]


def _waiting_walk_ins(store, day):
    with store.read() as conn:
        return conn.execute("SELECT count(*) FROM tickets WHERE state = 'waiting' AND local_date = ?"
                            " AND channel != 'appointment'", (day,)).fetchone()[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_with_walk_ins_priorities_and_bookings(tmp_path, store, clock, seed):
    calls, checked_in, issued, policy = simulate(tmp_path, store, clock, seed)
    called_at = {label: at for counter in calls.values() for at, _, _, label in counter}
    assert set(called_at) == set(issued)  # everyone who came was called by the end of the day
    # Booked citizens who came in time: never called before their slot, and within their window after it.
    for label, (slot_at, arrived) in checked_in.items():
        assert called_at[label] >= slot_at
        assert called_at[label] <= max(slot_at, arrived) + policy.late_minutes * 60, label
    # The bound: at a counter, never more than N booked calls in a row while a walk-in was waiting.
    for counter in calls.values():
        run = 0
        for _, channel, walk_ins_waiting, _ in counter:
            if channel == "appointment":
                run += 1
                if walk_ins_waiting:
                    assert run <= policy.booked_every
            else:
                run = 0
    # And the day was a real one: bookings on time, early and late, walk-ins and priority citizens all there.
    channels = [channel for counter in calls.values() for _, channel, _, _ in counter]
    assert channels.count("appointment") >= 20 and channels.count("kiosk") >= 60
    assert any(arrived < slot_at for slot_at, arrived in checked_in.values())
