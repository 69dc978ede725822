"""The supervisors' live overview: how long citizens wait in each service, what each counter is doing, and what
needs a supervisor on the floor now (a wait over its target, a counter idle while people wait).

The queue's own views answer for one ticket or one counter; this reads the whole floor in three queries (today's
waiting tickets grouped per service on the day index, the counter states, and the log of release events only when
a counter may be idle): about a millisecond with 2,000 tickets a day, so supervisors' screens can ask every few
seconds and the answer is computed on the spot, never stored.

Services and counters come sorted by urgency, so what needs a supervisor is at the top of a board that fits one
screen: waits over their target first (the longest overrun first), then counters idle while people wait (the
longest idle first), then the rest (services by their longest wait, counters open before paused before closed).
"""

from __future__ import annotations

from .desk import department_warning
from .queue import Queue

# A counter free for less than this while people wait is between two citizens, not idle.
IDLE_AFTER_SECONDS = 120
# A booked citizen still waiting this long after the slot began is a warning (reports count calls within 10
# minutes of the slot: docs/APPOINTMENTS.md).
BOOKING_LATE_SECONDS = 600

# Events that leave a counter without a current ticket (opening and resuming are in counter_state.since).
RELEASES = ("ticket_finished", "ticket_no_show", "ticket_transferred", "ticket_parked")


def live_overview(queue: Queue, now: int | None = None, idle_after: int = IDLE_AFTER_SECONDS,
                  booked_waiting: list[dict] | None = None) -> dict:
    """Services, counters and alerts as they stand at `now` (default: the queue's clock). `booked_waiting`, where
    the center takes bookings, is `Appointments.waiting_booked()`: booked citizens checked in and still waiting."""
    now = queue.now() if now is None else now
    day = queue.center.local_date(now)
    with queue.store.read() as conn:  # one lock: queues and counters agree with each other
        # Grouped by reservation too: a ticket sent to one counter is waiting for that counter only.
        queues = conn.execute(
            "SELECT service_code, reserved_counter, count(*) AS waiting, min(arrived_at) AS first_arrived,"
            " min(issued_at) AS first_queued FROM tickets INDEXED BY tickets_waiting"
            " WHERE state = 'waiting' AND local_date = ?"
            " GROUP BY service_code, reserved_counter", (day,)).fetchall()
        states = conn.execute(
            "SELECT s.*, t.label, t.state AS ticket_state FROM counter_state s"
            " LEFT JOIN tickets t ON t.id = s.current_ticket_id").fetchall()
        counters = _counters(queue, conn, {s["counter_number"]: s for s in states}, queues, now)
    services = sorted(_services(queue, queues, now), key=_service_urgency)
    for row in counters:
        row["urgency"] = "wait_over_target" if row["over_target"] else \
            "idle" if row["idle_seconds"] is not None and row["idle_seconds"] >= idle_after else "other"
    counters.sort(key=_counter_urgency)
    return {"now": now, "local_date": day, "idle_after_seconds": idle_after, "services": services,
            "counters": counters, "alerts": _alerts(services, counters, idle_after, booked_waiting or [])}


def _overrun(wait: int | None, target: int) -> int:
    """Seconds past the target (0 within it or with nobody waiting)."""
    return max(0, wait - target) if wait is not None else 0


def _service_urgency(row: dict) -> tuple:
    """Over target first (largest overrun first), then people waiting (longest wait first), then the empty ones,
    each group in config order (the sort is stable)."""
    if row["over_target"]:
        return (0, -_overrun(row["longest_wait_seconds"], row["target_wait_seconds"]))
    if row["waiting"]:
        return (1, -row["longest_wait_seconds"])
    return (2, 0)


COUNTER_REST = {"open": 0, "paused": 1, "closed": 2}


def _counter_urgency(row: dict) -> tuple:
    """Counters whose citizens wait over target first (largest overrun), then idle ones (longest idle), then the
    rest: open, paused, closed, each by number."""
    if row["urgency"] == "wait_over_target":
        return (0, -row["overrun_seconds"], row["number"])
    if row["urgency"] == "idle":
        return (1, -row["idle_seconds"], row["number"])
    return (2, COUNTER_REST.get(row["status"], 3), row["number"])


def _services(queue: Queue, queues: list, now: int) -> list[dict]:
    """Every service in config order: its queue length and the wait of the citizen who arrived first.

    A transferred ticket keeps the citizen's first arrival (`arrived_at`), so its wait counts from the kiosk, not
    from the transfer.
    """
    rows = []
    for department in queue.center.departments:
        for service in department.services:
            own = [q for q in queues if q["service_code"] == service.code]
            longest = now - min(q["first_arrived"] for q in own) if own else None
            target = service.target_wait_minutes * 60
            rows.append({
                "service_code": service.code, "service_name": service.name,
                "department_code": department.code, "department_name": department.name,
                "waiting": sum(q["waiting"] for q in own), "longest_wait_seconds": longest,
                "target_wait_seconds": target, "over_target": longest is not None and longest > target,
            })
    return rows


def _counters(queue: Queue, conn, states: dict, queues: list, now: int) -> list[dict]:
    """Every counter: status, who holds it, its current number, and how long it has been idle while people wait.

    Idle counts from the later of two moments: the counter became free (opened, resumed, or its last ticket ended
    or left it) and the first citizen it could call started waiting. A counter free since morning is not idle the
    second somebody takes a number; it is idle once that citizen has waited for it.
    """
    center = queue.center
    rows, free = [], {}
    for counter in center.counters:
        state = states[counter.number]
        callable_ = [q for q in queues if q["reserved_counter"] == counter.number
                     or (q["reserved_counter"] is None and q["service_code"] in counter.services)]
        officer = center.officer(state["officer"]) if state["officer"] else None
        # The worst overrun among the citizens this counter may call (each against its service's target).
        overrun = max((_overrun(now - q["first_arrived"], _target(center, q["service_code"])) for q in callable_),
                      default=0)
        row = {
            "number": counter.number, "name": counter.name, "status": state["status"],
            "officer": state["officer"], "officer_name": officer.name if officer else state["officer"],
            "pause_reason": state["pause_reason"], "since": state["since"],
            "current": None if state["label"] is None else {"label": state["label"], "state": state["ticket_state"]},
            "waiting": sum(q["waiting"] for q in callable_), "idle_seconds": None,
            "longest_wait_seconds": now - min(q["first_arrived"] for q in callable_) if callable_ else None,
            # A closed counter is not where a supervisor looks first, whatever waits for its services.
            "over_target": overrun > 0 and state["status"] != "closed", "overrun_seconds": overrun,
            "department_warning": (department_warning(center, counter.number, state["officer"]) or {}).get("message")
            if state["status"] != "closed" else None,
        }
        if state["status"] == "open" and state["current_ticket_id"] is None and callable_:
            free[counter.number] = (state["since"] or 0, min(q["first_queued"] for q in callable_))
        rows.append(row)
    released = _last_releases(conn, free)
    for row in rows:
        if row["number"] in free:
            opened, first_queued = free[row["number"]]
            row["idle_seconds"] = max(0, now - max(opened, released.get(row["number"], 0), first_queued))
    return rows


def _target(center, service_code: str) -> int:
    """A service's target wait in seconds (a service removed since keeps the center's default)."""
    service = center.services.get(service_code)
    return (service.target_wait_minutes if service else center.default_target_wait_minutes) * 60


def _last_releases(conn, free: dict) -> dict:
    """When each possibly idle counter last let a ticket go, read from the event log on its time index.

    Only events after the earliest of these counters' `since` can matter, so the scan stays short.
    """
    if not free:
        return {}
    numbers = list(free)
    marks, kinds = ",".join("?" * len(numbers)), ",".join("?" * len(RELEASES))
    return dict(conn.execute(
        f"SELECT counter_number, max(at) FROM events WHERE at >= ? AND kind IN ({kinds})"
        f" AND counter_number IN ({marks}) GROUP BY counter_number",
        (min(opened for opened, _ in free.values()), *RELEASES, *numbers)).fetchall())


def _alerts(services: list[dict], counters: list[dict], idle_after: int, booked_waiting: list[dict]) -> list[dict]:
    """What a supervisor should act on, with a message to show as it is: waits over target, booked citizens still
    waiting well past their slot, idle counters, then officers signed in at a counter of another department."""
    alerts = [{
        "kind": "wait_over_target", "service_code": s["service_code"], "service_name": s["service_name"],
        "seconds": s["longest_wait_seconds"], "target_seconds": s["target_wait_seconds"],
        "message": f"Lĩnh vực {s['service_name']}: công dân chờ {s['longest_wait_seconds'] // 60} phút, "
                   f"vượt mục tiêu {s['target_wait_seconds'] // 60} phút",
    } for s in services if s["over_target"]]
    alerts += [{
        "kind": "booking_waiting", "label": b["label"], "service_code": b["service_code"],
        "service_name": b["service_name"], "slot_start": b["slot_start"], "seconds": b["past_slot_seconds"],
        "message": f"Số {b['label']} ({b['service_name']}) hẹn lúc {b['slot_start']}, đã quá giờ hẹn "
                   f"{b['past_slot_seconds'] // 60} phút mà chưa được gọi",
    } for b in booked_waiting if b["past_slot_seconds"] >= BOOKING_LATE_SECONDS]
    alerts += [{
        "kind": "counter_idle", "counter_number": c["number"], "officer": c["officer_name"],
        "seconds": c["idle_seconds"], "waiting": c["waiting"],
        "message": f"Quầy {c['number']:02d} ({c['officer_name']}) rảnh {c['idle_seconds'] // 60} phút "
                   f"trong khi có {c['waiting']} người chờ",
    } for c in counters if c["idle_seconds"] is not None and c["idle_seconds"] >= idle_after]
    alerts += [{
        "kind": "officer_department", "counter_number": c["number"], "officer": c["officer_name"],
        "message": c["department_warning"],
    } for c in counters if c["department_warning"]]
    return alerts
