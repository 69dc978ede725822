"""The hub's schema and ingest over a real PostgreSQL (tests/pg.py), in process and through a real hub process."""

from __future__ import annotations

import psycopg
import pytest

from server.hub import schema
from tests.pg import pg_cluster, pg_database  # noqa: F401  (fixtures)

# A PostgreSQL cluster and hub processes: not part of the quick loop (pytest -m "not live").
pytestmark = pytest.mark.live


def test_migrations_apply_once_in_order(pg_database):
    first = schema.migrate(pg_database)
    files = [p.name for p in schema.migration_files()]
    assert first == files
    assert schema.migrate(pg_database) == []
    with psycopg.connect(pg_database) as conn:
        assert schema.applied(conn) == files
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"hub_sites", "site_events", "site_tickets", "site_ratings", "site_feedback_items",
            "site_feedback_actions", "site_labels", "hub_migrations"} <= tables


def test_a_misnamed_migration_is_an_error(tmp_path):
    (tmp_path / "0001_ok.sql").write_text("SELECT 1")
    (tmp_path / "2_bad.sql").write_text("SELECT 1")
    with pytest.raises(ValueError, match="NNNN_"):
        schema.migration_files(tmp_path)


def test_a_failing_migration_leaves_nothing_behind(pg_database, tmp_path):
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE a (x int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE b (x int); SELECT no_such_function();")
    with pytest.raises(psycopg.Error):
        schema.migrate(pg_database, tmp_path)
    with psycopg.connect(pg_database) as conn:
        assert schema.applied(conn) == ["0001_good.sql"]
        assert conn.execute("SELECT to_regclass('b')").fetchone()[0] is None


@pytest.fixture
def live_hub(pg_database, tmp_path):
    from tests.hub_live import LiveHub
    hub = LiveHub(pg_database, tmp_path / "hub.log")
    hub.start()
    yield hub
    hub.stop()


def test_the_hub_process_migrates_and_serves(live_hub):
    import requests
    assert requests.get(live_hub.url + "/healthz", timeout=5).json() == {"ok": True}
    with psycopg.connect(live_hub.dsn) as conn:
        assert schema.applied(conn) == [p.name for p in schema.migration_files()]
