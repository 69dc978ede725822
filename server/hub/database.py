"""The hub's PostgreSQL connections: one pool per process, a connection per request, and the hub's own secrets."""

from __future__ import annotations

import secrets

from flask import current_app
from psycopg_pool import ConnectionPool


def open_pool(dsn: str, size: int) -> ConnectionPool:
    """A pool of at most `size` connections (one per request thread), opened now: a wrong DSN fails at start-up."""
    # autocommit: each statement, or each `with conn.transaction()` block (a batch), commits on its own.
    pool = ConnectionPool(dsn, min_size=1, max_size=max(size, 1), open=False, timeout=30,
                          kwargs={"autocommit": True})
    pool.open(wait=True, timeout=30)
    return pool


def pool() -> ConnectionPool:
    return current_app.extensions["hub_pool"]


def secret(pool: ConnectionPool, name: str) -> str:
    """A random secret created once and kept in the database (the session-signing key)."""
    with pool.connection() as conn:
        conn.execute("INSERT INTO hub_secrets (name, value) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
                     (name, secrets.token_hex(32)))
        return conn.execute("SELECT value FROM hub_secrets WHERE name = %s", (name,)).fetchone()[0]
