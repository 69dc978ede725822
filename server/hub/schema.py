"""The hub's schema migrations: numbered SQL files in server/hub/migrations/ (NNNN_<what>.sql), applied in the order
of their names, each once, each in its own transaction, recorded in `hub_migrations`.

0001–0099 are delivery and trust (sites, facts, accounts); 0100 upwards are the reports' (docs/HUB.md). Several hub
processes may start at once: an advisory lock lets one apply while the others wait.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import psycopg

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# pg_advisory_lock key: any constant the hub alone uses ("hangdoi" in ASCII).
LOCK_KEY = 0x68616E67646F69


def migration_files(folder: Path = MIGRATIONS) -> list[Path]:
    """The SQL files in application order; a file named otherwise is an error, not silently skipped."""
    files = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".sql":
            if not FILE_NAME.match(path.name):
                raise ValueError(f"{path}: a hub migration is named NNNN_<what>.sql")
            files.append(path)
    numbers = [p.name[:4] for p in files]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{folder}: two hub migrations share a number")
    return files


def applied(conn: psycopg.Connection) -> list[str]:
    """Names of the migrations applied to this database, in order."""
    return [row[0] for row in conn.execute("SELECT name FROM hub_migrations ORDER BY name")]


def migrate(dsn: str, folder: Path = MIGRATIONS) -> list[str]:
    """Apply every migration not applied yet; the names applied now."""
    done_now = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS hub_migrations (name text PRIMARY KEY,"
                         " applied_at bigint NOT NULL)")
            already = set(applied(conn))
            for path in migration_files(folder):
                if path.name in already:
                    continue
                with conn.transaction():
                    conn.execute(path.read_text(encoding="utf-8"))
                    conn.execute("INSERT INTO hub_migrations (name, applied_at) VALUES (%s, %s)",
                                 (path.name, int(time.time())))
                done_now.append(path.name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return done_now
