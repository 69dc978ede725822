"""The Store under faults, in-process: a bounded, refused wait for another connection's write lock, /healthz's
states, and a failed transaction that never leaves the queue's connection inside one."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from server.core.store import PROBE_WAIT_SECONDS, Store, StoreUnavailable


@pytest.fixture
def other(store):
    """Another process's connection to the same file."""
    conn = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    yield conn
    conn.close()


def test_a_write_waits_its_bound_for_another_lock_then_is_refused_busy(store, other):
    other.execute("BEGIN IMMEDIATE")
    start = time.monotonic()
    with pytest.raises(StoreUnavailable) as refused, store.write() as conn:
        conn.execute("INSERT INTO server_secrets VALUES ('x', 'y')")
    waited = time.monotonic() - start
    assert (refused.value.code, refused.value.state) == ("busy", "locked") and "bận" in refused.value.message
    assert store.write_wait <= waited < store.write_wait + 0.3
    with store.read() as conn:  # reads go on meanwhile (WAL)
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert store.health() == {"ok": False, "database": "locked", "message": store.health()["message"]}
    other.execute("ROLLBACK")
    with store.write() as conn:  # released: writes again at once
        conn.execute("INSERT INTO server_secrets VALUES ('x', 'y')")
    assert store.health()["ok"]


def test_a_write_gets_the_lock_as_soon_as_it_is_released_within_the_bound(store, other):
    other.execute("BEGIN IMMEDIATE")
    release_at = time.monotonic() + 0.3
    pending = []

    def release_later():
        while time.monotonic() < release_at:
            time.sleep(0.01)
        other.execute("ROLLBACK")

    threading.Thread(target=release_later).start()
    with store.write() as conn:
        conn.execute("INSERT INTO server_secrets VALUES ('x', 'y')")
        pending.append(time.monotonic())
    assert release_at <= pending[0] < release_at + 0.1


def test_health_answers_within_its_bound_and_says_full_at_max_page_count(store):
    """A full file simulated with SQLite's max_page_count (the live test fills a real tmpfs)."""
    assert store.health()["database"] == "writable"
    with store.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    start = time.monotonic()
    health = store.health()
    assert (health["ok"], health["database"]) == (False, "full") and time.monotonic() - start < PROBE_WAIT_SECONDS
    # and a write that needs pages is refused, not a 500
    with pytest.raises(StoreUnavailable) as refused, store.write() as conn:
        conn.executemany("INSERT INTO server_secrets VALUES (?, ?)", [(str(i), "x" * 3000) for i in range(20)])
    assert refused.value.state == "full" and "đầy" in refused.value.message
    with store.read() as conn:
        assert not conn.in_transaction


def test_a_database_error_inside_a_nested_write_is_said_by_the_outer_one(store):
    """A refusal recorded by an inner write (an action log) must never be a database failure: the inner write lets
    the SQLite error through untouched, the outer one turns it into StoreUnavailable."""
    with store.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreUnavailable), store.write():
        try:
            with store.write() as inner:
                inner.executemany("INSERT INTO server_secrets VALUES (?, ?)", [(str(i), "x" * 3000) for i in range(20)])
        except StoreUnavailable:  # pragma: no cover - what must not happen
            pytest.fail("the inner write turned a database error into a refusal")
    with store.read() as conn:
        assert not conn.in_transaction


def test_start_up_on_a_folder_that_cannot_be_created_is_said_in_a_sentence(tmp_path):
    (tmp_path / "a-file").write_text("")
    from server.core.store import DatabaseUnusable

    with pytest.raises(DatabaseUnusable) as said:
        Store(tmp_path / "a-file" / "hangdoi.db")
    assert str(tmp_path / "a-file") in str(said.value)


def test_the_probe_leaves_no_trace_but_its_own_row(store):
    store.health()
    with store.read() as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM server_secrets")] == ["healthz_probe"]
