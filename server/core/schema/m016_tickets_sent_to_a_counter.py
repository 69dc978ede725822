"""m016: an index of the waiting tickets sent to one counter (a transfer "chuyển quầy" reserves the ticket for it).

A console's preview (Queue._preview, asked after every event that touches the counter) needs the few tickets sent
to a counter without reading the whole queue of its services: the index holds only waiting tickets that are
reserved, so it stays as small as the number of citizens sent on, whatever the size of the hall.
"""

from __future__ import annotations

import sqlite_utils

from ..store import migrations


@migrations()
def m016_tickets_sent_to_a_counter(db: sqlite_utils.Database):
    db.execute("CREATE INDEX tickets_reserved ON tickets(local_date, reserved_counter, arrived_at, id)"
               " WHERE state = 'waiting' AND reserved_counter IS NOT NULL")
