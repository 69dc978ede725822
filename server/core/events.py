"""Events: what the core says happened, each with its place in one ordered sequence.

Every state change writes its event in the same transaction as the change, so the `events` table is both the
audit trail of every transition and the sequence numbers screens use to notice a missed broadcast.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """One thing that happened. `ticket_token` routes it to the citizen's phone and is never broadcast."""

    seq: int
    kind: str
    at: int
    payload: dict
    counter_number: int | None = None
    service_code: str | None = None
    ticket_token: str | None = field(default=None, repr=False)
    # Details only supervisors see (a dissatisfied citizen's reasons and comment); never sent to public screens.
    detail: dict | None = field(default=None, repr=False)

    def public(self) -> dict:
        """The form screens receive."""
        return {"seq": self.seq, "kind": self.kind, "at": self.at, **self.payload}


def event_row(kind: str, at: int, payload: dict, *, ticket_id=None, counter_number=None, officer=None,
              **_routing) -> tuple:
    """The stored columns of an event (at, kind, ticket_id, counter_number, officer, payload); `_routing` (where
    the event is sent) is not stored."""
    return at, kind, ticket_id, counter_number, officer, json.dumps(payload, ensure_ascii=False)


def last_seq(conn: sqlite3.Connection) -> int:
    """The newest sequence number, 0 before anything happened."""
    return conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
