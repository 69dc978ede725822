"""m017: bookings and remote numbers (server/core/appointments.py).

One row per booking (`kind = 'booking'`, a slot of a day) or remote number (`kind = 'remote'`, a ticket of today
issued from a phone). The citizen's name, phone number and network address live only here, never in tickets or
events, and are set to NULL by the retention job (`erased_at`).
"""

from __future__ import annotations

import sqlite_utils

from ..store import migrations


@migrations()
def m017_appointments(db: sqlite_utils.Database):
    """The appointments table and the indexes its limits, slots and jobs read."""
    db.execute("""CREATE TABLE appointments (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('booking', 'remote')),
        code TEXT NOT NULL UNIQUE,
        token TEXT NOT NULL UNIQUE,
        service_code TEXT NOT NULL,
        local_date TEXT NOT NULL,
        slot_start TEXT,
        slot_at INTEGER,
        state TEXT NOT NULL CHECK (state IN ('booked', 'checked_in', 'late', 'cancelled', 'no_show')),
        created_at INTEGER NOT NULL,
        created_date TEXT NOT NULL,
        changed_at INTEGER NOT NULL,
        checked_in_at INTEGER,
        ticket_id INTEGER REFERENCES tickets(id),
        passed_at INTEGER,
        moves INTEGER NOT NULL DEFAULT 0,
        name TEXT,
        phone TEXT,
        address TEXT,
        erased_at INTEGER
    )""")
    db.execute("CREATE INDEX appointments_by_slot ON appointments(local_date, service_code, slot_start)")
    db.execute("CREATE INDEX appointments_by_phone ON appointments(phone, created_date) WHERE phone IS NOT NULL")
    db.execute("CREATE INDEX appointments_by_address ON appointments(address, created_date)"
               " WHERE address IS NOT NULL")
    db.execute("CREATE INDEX appointments_by_ticket ON appointments(ticket_id) WHERE ticket_id IS NOT NULL")
    db.execute("CREATE INDEX appointments_to_erase ON appointments(local_date) WHERE erased_at IS NULL")
