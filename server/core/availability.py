"""Which services a kiosk can give a number for right now, and why not for the others.

The kiosk shows an unavailable service as such before the citizen taps it, with the reason. The reasons, first
that applies:
- `closed`: the center is not issuing now (outside its hours, or fifteen minutes before a session ends);
- `outside_service_hours`: the service has hours of its own (`sessions` in the center file) and this is not one of
  them; the reason says its hours ("Chỉ lấy số 07:30–10:45");
- `daily_cap_reached`: every number of the service's daily cap has been given today (the same count the queue
  refuses on: `number_sequences`, server/core/queue.py `_take_numbers`);
- `no_counter_open`: the center's day has begun (some counter is open or paused) but none of the counters serving
  the service is. Before any counter opens, every service issues: citizens who come early queue up for the
  counters about to open.
The queue itself refuses the first three; a number for a service with no counter open can still be taken from
the phone or by an officer (it waits for the counter to open).
"""

from __future__ import annotations

# Said on a service's button and, when all its services share it, on their department's: no "lĩnh vực" in them.
REASONS = {
    "closed": "Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số",
    "daily_cap_reached": "Đã hết số trong ngày",
    "no_counter_open": "Chưa có quầy nào mở",
}


def service_availability(queue) -> dict[str, dict]:
    """Service code → {available, reason_code, reason} for every service of the queue's center, now."""
    center = queue.center
    now = queue.now()
    day = center.local_date(now)
    local = center.local(now)
    issuing = center.hours.is_issuing(local)
    with queue.store.read() as conn:
        issued = dict(conn.execute("SELECT prefix, last_number FROM number_sequences WHERE local_date = ?",
                                   (day,)).fetchall())
        staffed = {row[0] for row in conn.execute("SELECT counter_number FROM counter_state WHERE status != 'closed'")}
    day_begun = bool(staffed & {c.number for c in center.counters})
    answer = {}
    for code, service in center.services.items():
        text = None
        if not issuing:
            reason = "closed"
        elif service.sessions and not center.service_issuing(service, local):
            reason, text = "outside_service_hours", f"Chỉ lấy số {center.service_hours(service)}"
        elif issued.get(service.prefix, 0) >= service.daily_cap:
            reason = "daily_cap_reached"
        elif day_begun and not any(c.number in staffed for c in center.counters_serving(code)):
            reason = "no_counter_open"
        else:
            reason = None
        answer[code] = {"available": reason is None, "reason_code": reason, "reason": text or REASONS.get(reason)}
    return answer
