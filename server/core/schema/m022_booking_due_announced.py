"""m022: when a checked-in booking's slot start was announced to the screens (server/core/appointments.py,
`Appointments.announce_due`).

A booking checked in before its slot waits held; at its slot it becomes due and goes ahead of walk-ins by the clock
alone, with no queue action. The minute job records one `bookings_due` event per slot start for such bookings and
marks them here in the same transaction, so the event is recorded once, across restarts and two jobs at once.
"""

from __future__ import annotations

import sqlite_utils

from ..store import migrations


@migrations()
def m022_booking_due_announced(db: sqlite_utils.Database):
    """appointments.due_announced_at: the time its slot start was announced (or its ticket issued already due)."""
    # No index of its own: the job reads today's bookings through appointments_by_slot (local_date first).
    db.execute("ALTER TABLE appointments ADD COLUMN due_announced_at INTEGER")
