"""m021: look-ups of a booking that found nothing, per network address and local day (server/core/appointments.py,
`Appointments.look_up`), kept in the database like the sign-in limits so that a restart does not forgive a guesser.

A row holds an address only for its day: the look-up and the minute job delete the rows of earlier days.
"""

from __future__ import annotations

import sqlite_utils

from ..store import migrations


@migrations()
def m021_booking_lookup_misses(db: sqlite_utils.Database):
    """The booking_lookup_misses table: (local_date, address) → misses."""
    db.execute("""CREATE TABLE booking_lookup_misses (
        local_date TEXT NOT NULL,
        address TEXT NOT NULL,
        misses INTEGER NOT NULL,
        PRIMARY KEY (local_date, address)
    ) WITHOUT ROWID""")
