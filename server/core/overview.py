"""The supervisors' live overview: how long citizens wait in each service, what each counter is doing, and what
needs a supervisor on the floor now (a wait over its target, a counter idle while people wait).

The queue's own views answer for one ticket or one counter; this reads the whole floor in three queries (today's
waiting tickets grouped per service on the day index, the counter states, and the log of release events only when
a counter may be idle): about a millisecond with 2,000 tickets a day, so supervisors' screens can ask every few
seconds and the answer is computed on the spot, never stored.
"""

from __future__ import annotations

from .queue import Queue

# A counter free for less than this while people wait is between two citizens, not idle.
IDLE_AFTER_SECONDS = 120

# Events that leave a counter without a current ticket (opening and resuming are in counter_state.since).
RELEASES = ("ticket_finished", "ticket_no_show", "ticket_transferred", "ticket_parked")


def live_overview(queue: Queue, now: int | None = None, idle_after: int = IDLE_AFTER_SECONDS) -> dict:
    """Services, counters and alerts as they stand at `now` (default: the queue's clock)."""
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
    services = _services(queue, queues, now)
    return {"now": now, "local_date": day, "idle_after_seconds": idle_after, "services": services,
            "counters": counters, "alerts": _alerts(services, counters, idle_after)}


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
        row = {
            "number": counter.number, "name": counter.name, "status": state["status"],
            "officer": state["officer"], "officer_name": officer.name if officer else state["officer"],
            "pause_reason": state["pause_reason"], "since": state["since"],
            "current": None if state["label"] is None else {"label": state["label"], "state": state["ticket_state"]},
            "waiting": sum(q["waiting"] for q in callable_), "idle_seconds": None,
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


def _alerts(services: list[dict], counters: list[dict], idle_after: int) -> list[dict]:
    """What a supervisor should act on, with a message to show as it is: waits over target, then idle counters."""
    alerts = [{
        "kind": "wait_over_target", "service_code": s["service_code"], "service_name": s["service_name"],
        "seconds": s["longest_wait_seconds"], "target_seconds": s["target_wait_seconds"],
        "message": f"Lĩnh vực {s['service_name']}: công dân chờ {s['longest_wait_seconds'] // 60} phút, "
                   f"vượt mục tiêu {s['target_wait_seconds'] // 60} phút",
    } for s in services if s["over_target"]]
    alerts += [{
        "kind": "counter_idle", "counter_number": c["number"], "officer": c["officer_name"],
        "seconds": c["idle_seconds"], "waiting": c["waiting"],
        "message": f"Quầy {c['number']:02d} ({c['officer_name']}) rảnh {c['idle_seconds'] // 60} phút "
                   f"trong khi có {c['waiting']} người chờ",
    } for c in counters if c["idle_seconds"] is not None and c["idle_seconds"] >= idle_after]
    return alerts
