"""The queue's write as the benchmarks imitate it: a ticket issue's number allocation and its event in one
BEGIN IMMEDIATE transaction, on a connection of its own set up as the server's (busy_timeout 5 s, NORMAL sync).
Used to see whether a report (bench_reports) or a backup (bench_backup) holds the queue up."""

from __future__ import annotations

import sqlite3
import time

# On a day and prefix no report reads (the tickets table is left alone: a new ticket marks its day stale).
PROBE_SQL = ("INSERT INTO number_sequences (local_date, prefix, last_number) VALUES ('2099-12-31', 'ZZ', 1)"
             " ON CONFLICT (local_date, prefix) DO UPDATE SET last_number = last_number + 1 RETURNING last_number")


def writer_connection(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def issue_write(conn: sqlite3.Connection) -> bool:
    """One write; False when SQLite refused it ("database is locked"), rolled back."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(PROBE_SQL).fetchone()
        conn.execute("INSERT INTO events (at, kind, payload) VALUES (?, 'bench_probe', '{}')", (int(time.time()),))
        conn.execute("COMMIT")
        return True
    except sqlite3.OperationalError:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return False
