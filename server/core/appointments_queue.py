"""How booked citizens and remote numbers take their turn in call next (the rule docs/APPOINTMENTS.md states).

`Queue.call_order` (server/core/queue.py, the one selection rule of call next and of its previews) sorts a
counter's waiting candidates with `booked_candidates` and takes them in this order:

- a ticket of a booking (channel "appointment") whose slot has begun is called ahead of walk-ins, earliest slot
  first, but never more than `booked_every` (N) of them in a row at one counter while a walk-in this counter could
  call waits: then one walk-in (N:1, as the priority groups' interleave), so walk-ins never starve;
- a booking ticket checked in before its slot waits for it (held, not called);
- a remote number not yet checked in at the kiosk is held; it keeps its place. When call next passes it (a
  walk-in who arrived after it is called) its grace time starts (`note_passed_remote`); not checked in within
  `remote_grace_minutes` after that, it is a no-show (`expire_passed_remote`, at each call next and each minute).

Everything else (walk-ins, checked-in remote numbers, late bookings, which are walk-in tickets) follows the
queue's own rule: priority groups, the counter's service order, arrival time. `booked_candidates` only reads, so
a preview of the next tickets follows the same rule; the writes are the two functions named above, called by
call next.
"""

from __future__ import annotations

from dataclasses import dataclass

WAITING, NO_SHOW = "waiting", "no_show"  # server/core/queue.py's ticket states (it imports this module)
# Ticket channels: a booking's ticket, and a remote number's ("phone", the channel the API always had for it).
APPOINTMENT_CHANNEL, REMOTE_CHANNEL = "appointment", "phone"


@dataclass
class BookedCandidates:
    """What the booked and remote tickets among a counter's candidates mean for call next now."""

    due: list  # booking tickets whose slot has begun, earliest slot first: called ahead of walk-ins, N:1
    held: list  # booking tickets before their slot, remote numbers not checked in: not called now
    every: int  # N: booked calls in a row allowed while a walk-in waits
    run: int  # booked calls in a row at this counter so far

    def others(self, candidates: list) -> list:
        """The candidates the queue's own rule orders: neither due bookings nor held tickets."""
        apart = {t["id"] for t in self.due} | {t["id"] for t in self.held}
        return [t for t in candidates if t["id"] not in apart]

    def take(self, walk_ins_waiting: bool):
        """The next booked ticket to call now, or None when a walk-in's turn has come (or none is due)."""
        if self.due and (not walk_ins_waiting or self.run < self.every):
            self.run += 1
            return self.due.pop(0)
        return None

    def walk_in_called(self):
        self.run = 0


def booked_candidates(conn, candidates: list, counter_number: int | None, now: int, policy,
                      day: str) -> BookedCandidates:
    """Sort a counter's candidates into due bookings, held tickets and the rest (`BookedCandidates.others`)."""
    ids = [t["id"] for t in candidates if t["channel"] in (APPOINTMENT_CHANNEL, REMOTE_CHANNEL)]
    bookings = {}
    if ids:
        marks = ", ".join("?" * len(ids))
        bookings = {row["ticket_id"]: row for row in conn.execute(
            f"SELECT ticket_id, kind, state, slot_at FROM appointments WHERE ticket_id IN ({marks})", ids)}
    due, held = [], []
    for ticket in candidates:
        booking = bookings.get(ticket["id"])
        if booking is None:
            continue  # a kiosk or staff ticket, or a phone ticket not issued as a remote number
        if booking["kind"] == "remote":
            if booking["state"] == "booked":
                held.append(ticket)
        elif ticket["channel"] == APPOINTMENT_CHANNEL:
            (due if booking["slot_at"] <= now else held).append(ticket)
    due.sort(key=lambda t: (bookings[t["id"]]["slot_at"], t["arrived_at"], t["id"]))
    run = booked_in_a_row(conn, counter_number, day, policy.booked_every) if counter_number is not None else 0
    return BookedCandidates(due, held, policy.booked_every, run)


def booked_in_a_row(conn, counter_number: int, day: str, limit: int) -> int:
    """How many of this counter's latest calls today were booked tickets, counting back to the last walk-in."""
    # The calls in the order they were made: the event log's (several calls may share one second).
    channels = [r[0] for r in conn.execute(
        "SELECT t.channel FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = 'ticket_called'"
        " AND e.counter_number = ? AND t.local_date = ? ORDER BY e.seq DESC LIMIT ?", (counter_number, day, limit))]
    run = 0
    for channel in channels:
        if channel != APPOINTMENT_CHANNEL:
            break
        run += 1
    return run


def note_passed_remote(conn, booked: BookedCandidates, chosen, now: int):
    """Start the grace time of remote numbers not checked in that the call of `chosen` passes over: of the same
    service, arrived before it."""
    if chosen["channel"] == APPOINTMENT_CHANNEL:
        return
    passed = [t["id"] for t in booked.held
              if t["channel"] == REMOTE_CHANNEL and t["service_code"] == chosen["service_code"]
              and (t["arrived_at"], t["id"]) < (chosen["arrived_at"], chosen["id"])]
    if passed:
        marks = ", ".join("?" * len(passed))
        conn.execute(f"UPDATE appointments SET passed_at = ? WHERE passed_at IS NULL AND state = 'booked'"
                     f" AND ticket_id IN ({marks})", (now, *passed))


def expire_passed_remote(conn, queue, now: int) -> int:
    """Remote numbers passed over longer than the grace time and still not checked in: their tickets become
    no-shows (one `ticket_no_show` event each, reason "remote_not_checked_in"). Returns how many."""
    policy = queue.center.appointments
    if policy is None:
        return 0
    rows = conn.execute(
        "SELECT a.id, a.ticket_id FROM appointments a JOIN tickets t ON t.id = a.ticket_id"
        " WHERE a.kind = 'remote' AND a.state = 'booked' AND a.passed_at IS NOT NULL AND a.passed_at <= ?"
        " AND t.state = ?", (now - policy.remote_grace_minutes * 60, WAITING)).fetchall()
    for row in rows:
        conn.execute("UPDATE tickets SET state = ?, ended_at = ? WHERE id = ?", (NO_SHOW, now, row["ticket_id"]))
        conn.execute("UPDATE appointments SET state = 'no_show', changed_at = ? WHERE id = ?", (now, row["id"]))
        # The queue's own event for a changed ticket: screens and the hub hear of it like any no-show.
        queue._event(conn, "ticket_no_show", queue._ticket(conn, row["ticket_id"]), now,
                     extra={"state_before": WAITING, "reason": "remote_not_checked_in"})
    return len(rows)


def booked_time_of(conn, ticket_id: int) -> dict | None:
    """The booked time of a ticket a booking's check-in gave (what its printed ticket and phone page show):
    {"slot_start": "HH:MM", "late": whether it came too late and waits as a walk-in}, or None for any other ticket."""
    row = conn.execute("SELECT slot_start, state FROM appointments WHERE ticket_id = ? AND kind = 'booking'",
                       (ticket_id,)).fetchone()
    return _booked(row) if row else None


def _booked(row) -> dict:
    return {"slot_start": row["slot_start"], "late": row["state"] == "late"}


def appointment_marks(conn, ticket_id: int) -> dict:
    """What a ticket's view says of its appointment, from one read: `booked` as booked_time_of gives it, and
    `remote_checked_in`, for a remote number's ticket, whether the citizen has checked in at the kiosk (False:
    held, its phone page says how to check in); None for any other ticket."""
    marks = {"booked": None, "remote_checked_in": None}
    for row in conn.execute("SELECT kind, slot_start, state FROM appointments WHERE ticket_id = ?", (ticket_id,)):
        if row["kind"] == "booking" and marks["booked"] is None:
            marks["booked"] = _booked(row)
        elif row["kind"] == "remote" and marks["remote_checked_in"] is None:
            marks["remote_checked_in"] = row["state"] == "checked_in"
    return marks
