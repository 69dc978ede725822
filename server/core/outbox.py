"""The site's outbox: the facts the provincial hub receives, read from the event log in order and in batches.

The event log (`events`, one sequence number per change, written in the change's own transaction) IS the outbox: no
second queue. A batch is the events after a sequence number, in order, plus the current rows of what they touch:
the tickets (without their token, which never leaves the site), the ratings and the feedback items opened with
them, the feedback items and their actions a `feedback_changed` names. Labels (names of departments, services,
counters, officers) come from the center as configured now. The wire format and the hub's rules: docs/HUB.md.

`event_digest` is the one canonical form of an event both sides hash: the hub compares digests when a sequence
number arrives again, and so detects a site restored from an older backup.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from json.encoder import c_make_encoder, encode_basestring

from .center import Center

# Events per batch: a busy provincial center records ~10,000 events a day; a week behind is ~140 batches.
BATCH_EVENTS = 500
TICKET_COLUMNS = ("id", "local_date", "service_code", "department_code", "prefix", "number", "label",
                  "priority_group", "channel", "state", "arrived_at", "issued_at", "call_count", "first_called_at",
                  "last_called_at", "service_started_at", "ended_at", "counter_number", "officer", "reserved_counter",
                  "transferred_from", "root_ticket_id", "device")
RATING_COLUMNS = ("id", "ticket_id", "client_id", "channel", "level", "level_name", "scale", "reasons", "comment",
                  "local_date", "service_local_date", "rated_at", "counter_number", "officer", "service_code",
                  "department_code", "device", "sent_on_timeout")
FEEDBACK_ITEM_COLUMNS = ("id", "rating_id", "dissatisfied", "local_date", "opened_at", "state", "changed_at",
                         "handled_at", "handled_by")
FEEDBACK_ACTION_COLUMNS = ("id", "item_id", "at", "actor", "from_state", "to_state", "note")
EVENT_COLUMNS = ("seq", "at", "kind", "ticket_id", "counter_number", "officer", "payload")


def event_digest(event: dict) -> str:
    """sha256 of an event's canonical form: the JSON list [seq, at, kind, ticket_id, counter_number, officer,
    payload], keys sorted, no spaces, letters unescaped."""
    return digest_of(canonical_event(event))


def canonical_event(event: dict) -> str:
    """The event's canonical JSON text, the one both sides hash (and the hub stores as it is: a JSON array)."""
    return _canonical([event["seq"], event["at"], event["kind"], event.get("ticket_id"), event.get("counter_number"),
                       event.get("officer"), event.get("payload") or {}])


def digest_of(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()


def _refuse_to_encode(value):
    raise TypeError(f"{type(value).__name__} is not JSON")


# json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")) with its C encoder made once: dumps
# builds a new encoder at every call, a third of the time of a small event (the hub hashes every event it takes).
_c_encoder = c_make_encoder and c_make_encoder(None, _refuse_to_encode, encode_basestring, None, ":", ",", True,
                                               False, True)


def _canonical(value) -> str:
    if _c_encoder is None:  # no C accelerator (another Python): the same text, slower
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "".join(_c_encoder(value, 0))


def labels(center: Center) -> list[dict]:
    """The names the hub prints for the codes the facts carry, as this center is configured now."""
    rows = [{"kind": "department", "code": d.code, "name": d.name} for d in center.departments]
    rows += [{"kind": "service", "code": s.code, "name": s.name, "target_wait_minutes": s.target_wait_minutes}
             for s in center.services.values()]
    rows += [{"kind": "counter", "code": str(c.number), "name": c.name} for c in center.counters]
    rows += [{"kind": "officer", "code": o.username, "name": o.name} for o in center.officers]
    return rows


def site_info(center: Center) -> dict | None:
    """The [site] table as the hub stores it, or None for a center that reports to no hub."""
    if center.site is None:
        return None
    return {"code": center.site.code, "name": center.site.name, "level": center.site.level,
            "district": center.site.district}


def last_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]


def digest_at(conn: sqlite3.Connection, seq: int) -> str | None:
    """The digest of the site's event `seq`, None when the site has no such event (or seq is 0)."""
    if seq <= 0:
        return None
    row = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE seq = ?", (seq,)).fetchone()
    return event_digest(_event(row)) if row else None


def read_batch(conn: sqlite3.Connection, center: Center, after: int, limit: int = BATCH_EVENTS,
               with_labels: bool = False) -> dict:
    """The facts after sequence number `after` (at most `limit` events), ready to send; an empty batch (no events,
    `through` = `after`) is the heartbeat that still lets the hub check `prev_digest`.

    One read transaction, so the rows are at least as new as the events and consistent with each other.
    """
    conn.execute("BEGIN")
    try:
        rows = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                            (after, limit)).fetchall()
        events = [_event(row) for row in rows]
        ticket_ids = sorted({e["ticket_id"] for e in events if e["ticket_id"] is not None})
        rated_ticket_ids = sorted({e["ticket_id"] for e in events
                                   if e["kind"] == "rating_recorded" and e["ticket_id"] is not None})
        ratings = _rows(conn, "ratings", RATING_COLUMNS, "ticket_id", rated_ticket_ids)
        for rating in ratings:
            rating["reasons"] = json.loads(rating["reasons"] or "[]")
        changed_items = sorted({e["payload"].get("item_id") for e in events if e["kind"] == "feedback_changed"}
                               - {None})
        items = _rows(conn, "feedback_items", FEEDBACK_ITEM_COLUMNS, "rating_id", [r["id"] for r in ratings])
        items += _rows(conn, "feedback_items", FEEDBACK_ITEM_COLUMNS, "id",
                       [i for i in changed_items if i not in {item["id"] for item in items}])
        batch = {
            "site": site_info(center),
            "after": after,
            "through": events[-1]["seq"] if events else after,
            "prev_digest": digest_at(conn, after),
            "events": events,
            "tickets": _rows(conn, "tickets", TICKET_COLUMNS, "id", ticket_ids),
            "ratings": ratings,
            "feedback_items": items,
            "feedback_actions": _rows(conn, "feedback_actions", FEEDBACK_ACTION_COLUMNS, "item_id", changed_items),
        }
    finally:
        conn.execute("COMMIT")
    if with_labels:
        batch["labels"] = labels(center)
    return batch


def _event(row) -> dict:
    event = dict(zip(EVENT_COLUMNS, row))
    event["payload"] = json.loads(event["payload"] or "{}")
    return event


def _rows(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], key: str, values: list) -> list[dict]:
    """Rows of `table` whose `key` is one of `values` (in chunks under SQLite's variable limit)."""
    found = []
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found += [dict(zip(columns, row)) for row in conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {key} IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk)]
    return found
