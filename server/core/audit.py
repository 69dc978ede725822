"""The admin audit trail: who changed what, when, with the state before and after.

Written in the same transaction as the change it describes, so a change is never without its record and a
refused change leaves none. Rows are only ever appended, and kept as written: rows from before names were composed
(server/core/names.py) are read in NFC.
"""

from __future__ import annotations

import json
import sqlite3

from .names import composed
from .store import Store


def record(conn: sqlite3.Connection, at: int, actor: str, action: str, target: str, before=None, after=None):
    """Append one audit row inside the caller's write transaction."""
    conn.execute("INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                 (at, actor, action, target, _dump(before), _dump(after)))


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def entries(store: Store, limit: int = 200, before_id: int | None = None) -> list[dict]:
    """The newest audit rows first; `before_id` pages back through older ones."""
    sql = "SELECT * FROM audit_log" + (" WHERE id < ?" if before_id else "") + " ORDER BY id DESC LIMIT ?"
    params = (before_id, limit) if before_id else (limit,)
    with store.read() as conn:
        rows = conn.execute(sql, params).fetchall()
    return [composed({"id": r["id"], "at": r["at"], "actor": r["actor"], "action": r["action"], "target": r["target"],
             "before": json.loads(r["before"]) if r["before"] else None,
             "after": json.loads(r["after"]) if r["after"] else None}) for r in rows]
