"""The hub's schema and ingest over a real PostgreSQL (tests/pg.py), in process and through a real hub process."""

from __future__ import annotations

import psycopg
import pytest

from server.hub import schema

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


# ----- ingest in process: the site's real core on SQLite, the hub's ingest on PostgreSQL -------------------------

SITE_TOML = '\n[site]\ncode = "LSN-H01"\nname = "Bộ phận Một cửa huyện Tràng Định"\nlevel = "huyen"\n' \
            'district = "Huyện Tràng Định"\n'


@pytest.fixture
def site(tmp_path, clock):
    """A site's queue on its own SQLite file, over the small center named LSN-H01."""
    from server.core.center import load_center
    from server.core.queue import Queue
    from server.core.store import Store
    from tests.live import SMALL_CENTER

    path = tmp_path / "site.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + SITE_TOML, encoding="utf-8")
    store = Store(tmp_path / "site.db")
    yield Queue(load_center(path), store, clock)
    store.close()


@pytest.fixture
def hub(pg_database):
    """The migrated hub database with site LSN-H01 granted; (connection, site id, token)."""
    from server.hub import sites
    schema.migrate(pg_database)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        token = sites.grant(conn, "LSN-H01")
        site_id = sites.authenticate(conn, token, "LSN-H01")
        yield conn, site_id, token


def batch_after(queue, after, limit=40, with_labels=False):
    from server.core.outbox import read_batch
    with queue.store.read() as conn:
        conn.isolation_level = None
        try:
            return read_batch(conn, queue.center, after, limit, with_labels)
        finally:
            conn.isolation_level = ""


def push_all(queue, conn, site_id, limit=40) -> int:
    """Send everything the site has, batch after batch, as the pusher does; the hub's acked_seq."""
    from server.hub.ingest import ingest
    after = sites_state(conn, site_id)
    while True:
        batch = batch_after(queue, after, limit, with_labels=after == 0)
        result = ingest(conn, site_id, batch)
        if result.acked_seq == after:
            return after
        after = result.acked_seq


def sites_state(conn, site_id):
    from server.hub import sites
    return sites.state(conn, site_id)["acked_seq"]


def test_a_day_of_a_site_arrives_whole_and_equal(site, hub, clock):
    from tests.hub_facts import a_day, hub_rows, site_rows
    conn, site_id, _ = hub
    a_day(site, clock, tickets=60, seed=1)
    acked = push_all(site, conn, site_id)
    assert acked == site.store.conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    expected = site_rows(site.store.path)
    assert expected["site_ratings"] and expected["site_feedback_actions"]  # the day rated and followed up
    assert hub_rows(conn, site_id) == expected
    name, level, district = conn.execute("SELECT name, level, district FROM hub_sites WHERE id = %s",
                                         (site_id,)).fetchone()
    assert (name, level, district) == ("Bộ phận Một cửa huyện Tràng Định", "huyen", "Huyện Tràng Định")
    labels = dict(((k, c), n) for k, c, n in conn.execute(
        "SELECT kind, code, name FROM site_labels WHERE site_id = %s", (site_id,)).fetchall())
    assert labels[("service", "lai-xe")] == "Giấy phép lái xe" and labels[("officer", "an")] == "Nguyễn Văn An"
    # the token of a ticket never leaves the site
    assert "token" not in {r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'site_tickets'")}


def test_a_batch_sent_twice_counts_once_and_overlap_is_skipped(site, hub, clock):
    from server.hub.ingest import ingest
    from tests.hub_facts import a_day, hub_rows, site_rows
    conn, site_id, _ = hub
    a_day(site, clock, tickets=20, seed=2)
    first = batch_after(site, 0, 30, with_labels=True)
    assert ingest(conn, site_id, first).stored == 30
    again = ingest(conn, site_id, first)
    assert (again.stored, again.skipped, again.acked_seq) == (0, 30, 30)
    overlapping = batch_after(site, 10, 40)  # events 11..50: 11..30 known, 31..50 new
    result = ingest(conn, site_id, overlapping)
    assert (result.stored, result.skipped, result.acked_seq) == (20, 20, 50)
    push_all(site, conn, site_id)
    assert hub_rows(conn, site_id) == site_rows(site.store.path)


def test_a_gap_is_refused_with_the_expected_sequence(site, hub, clock):
    from server.hub.ingest import BatchRefused, ingest
    from tests.hub_facts import a_day
    conn, site_id, _ = hub
    a_day(site, clock, tickets=10, seed=3)
    ingest(conn, site_id, batch_after(site, 0, 10))
    with pytest.raises(BatchRefused) as refused:
        ingest(conn, site_id, batch_after(site, 15, 10))
    assert (refused.value.code, refused.value.details["expected_after"], refused.value.status) == ("gap", 10, 409)
    assert conn.execute("SELECT count(*) FROM site_events WHERE site_id = %s", (site_id,)).fetchone()[0] == 10
    assert sites_state(conn, site_id) == 10


def test_a_site_restored_from_an_older_backup_is_refused_then_started_over(site, hub, clock, tmp_path):
    from server.core.store import Store
    from server.hub import sites
    from server.hub.ingest import BatchRefused, ingest
    from tests.hub_facts import a_day, hub_rows, site_rows
    conn, site_id, _ = hub
    a_day(site, clock, tickets=15, seed=4)
    backup = tmp_path / "backup.db"
    site.store.conn.execute("VACUUM INTO ?", (str(backup),))
    clock.advance(minutes=30)
    a_day(site, clock, tickets=15, seed=5)
    acked = push_all(site, conn, site_id)
    # The office's disk dies; the backup is restored and the day goes on: new events reuse sequence numbers.
    site.store.close()
    (tmp_path / "site.db").unlink()
    backup.rename(tmp_path / "site.db")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"site.db{suffix}").unlink(missing_ok=True)
    site.store = Store(tmp_path / "site.db")
    clock.advance(minutes=30)
    a_day(site, clock, tickets=40, seed=6, client_prefix="after-restore")
    assert site.store.conn.execute("SELECT max(seq) FROM events").fetchone()[0] > acked  # it could pass unseen
    before = hub_rows(conn, site_id)
    with pytest.raises(BatchRefused) as refused:
        ingest(conn, site_id, batch_after(site, acked))
    assert refused.value.code == "history_differs"
    assert conn.execute("SELECT state FROM hub_sites WHERE id = %s", (site_id,)).fetchone()[0] == "diverged"
    with pytest.raises(BatchRefused, match="lệch|khớp"):
        ingest(conn, site_id, batch_after(site, acked))
    assert hub_rows(conn, site_id) == before  # nothing taken from the new history
    with pytest.raises(BatchRefused):
        sites.grant(conn, "LSN-H01")  # a plain grant would keep the old history: refused
    token = sites.start_over(conn, "LSN-H01", "quantri")
    assert sites.authenticate(conn, token, "LSN-H01") == site_id
    push_all(site, conn, site_id)
    assert hub_rows(conn, site_id) == site_rows(site.store.path)  # exactly the restored site's facts, once
    epoch = conn.execute("SELECT epoch, events_dropped, ended_by FROM hub_site_epochs WHERE site_id = %s",
                         (site_id,)).fetchone()
    assert epoch == (1, acked, "quantri")


def test_a_site_whose_log_is_shorter_than_acknowledged_is_caught_by_the_heartbeat(site, hub, clock, tmp_path):
    from server.hub.ingest import BatchRefused, ingest
    from tests.hub_facts import a_day
    conn, site_id, _ = hub
    a_day(site, clock, tickets=10, seed=7)
    backup = tmp_path / "backup.db"
    site.store.conn.execute("VACUUM INTO ?", (str(backup),))
    a_day(site, clock, tickets=10, seed=8)
    acked = push_all(site, conn, site_id)
    from server.core.store import Store
    site.store.close()
    restored = Store(backup)
    site.store = restored
    heartbeat = batch_after(site, acked)
    assert heartbeat["events"] == [] and heartbeat["prev_digest"] is None
    with pytest.raises(BatchRefused, match="quay lại"):
        ingest(conn, site_id, heartbeat)


@pytest.mark.parametrize(("change", "words"), [
    (lambda b: b.update(after=-1), "after"),
    (lambda b: b.update(through=b["after"] - 1), "after"),
    (lambda b: b.update(events="x"), "events"),
    (lambda b: b["events"].reverse(), "tăng dần"),
    (lambda b: b["events"][0].update(kind=""), "kind"),
    (lambda b: b["events"][0].update(payload=[1]), "payload"),
    (lambda b: b["events"][0].update(counter_number="ba"), "events"),
    (lambda b: b["tickets"][0].update(label=None), "tickets"),
    (lambda b: b["ratings"].append({"id": "x"}), "ratings"),
    (lambda b: b.update(labels=[{"kind": "room", "code": "1", "name": "x"}]), "labels"),
    (lambda b: b["tickets"].append(dict(b["tickets"][0])), "lặp lại"),  # was a 500: one upsert, a row twice
])
def test_a_malformed_batch_is_refused_and_changes_nothing(site, hub, clock, change, words):
    from server.hub.ingest import BatchRefused, ingest
    from tests.hub_facts import a_day
    conn, site_id, _ = hub
    a_day(site, clock, tickets=10, seed=9)
    batch = batch_after(site, 0, 60)
    change(batch)
    with pytest.raises(BatchRefused, match=words) as refused:
        ingest(conn, site_id, batch)
    assert refused.value.status == 400
    assert conn.execute("SELECT count(*) FROM site_events").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM site_tickets").fetchone()[0] == 0
    assert sites_state(conn, site_id) == 0


def test_tokens_name_one_site_and_stop_when_revoked(hub):
    from server.hub import sites
    from server.hub.ingest import BatchRefused
    conn, site_id, token = hub
    other = sites.grant(conn, "LSN-X001", level="xa", district="Huyện Tràng Định")
    for bad_token, code, error in [(None, "LSN-H01", "no_token"), ("hdh_guess", "LSN-H01", "unknown_token"),
                                   (other, "LSN-H01", "wrong_site"), (token, "LSN-X001", "wrong_site")]:
        with pytest.raises(BatchRefused) as refused:
            sites.authenticate(conn, bad_token, code)
        assert refused.value.code == error
    sites.revoke(conn, "LSN-H01")
    with pytest.raises(BatchRefused) as refused:
        sites.authenticate(conn, token, "LSN-H01")
    assert refused.value.code == "unknown_token"
    assert conn.execute("SELECT token_hash FROM hub_sites").fetchall() != []
    fresh = sites.grant(conn, "LSN-H01")
    assert sites.authenticate(conn, fresh, "LSN-H01") == site_id
    stored = {r[0] for r in conn.execute("SELECT token_hash FROM hub_sites")}
    assert fresh not in stored and sites.token_hash(fresh) in stored  # kept as its hash only


def test_guessing_passwords_waits_and_doubles(pg_database):
    from server.hub import accounts
    schema.migrate(pg_database)
    keys = accounts.sign_in_keys("quantri", "10.0.0.7")
    with psycopg.connect(pg_database, autocommit=True) as conn:
        now = 1_800_000_000
        assert [accounts.reserve_sign_in(conn, keys, now + i) for i in range(5)] == [0] * 5
        wait = accounts.reserve_sign_in(conn, keys, now + 5)
        assert wait == accounts.SIGN_IN_WINDOW_SECONDS
        assert accounts.reserve_sign_in(conn, keys, now + 100) > 0  # still waiting, whatever the password
        later = now + 5 + wait
        assert [accounts.reserve_sign_in(conn, keys, later + i) for i in range(5)] == [0] * 5
        assert accounts.reserve_sign_in(conn, keys, later + 5) == 2 * accounts.SIGN_IN_WINDOW_SECONDS
        # another account from another address is not held up; a success gives its attempt back
        other = accounts.sign_in_keys("lanhdao", "10.0.0.8")
        for i in range(20):
            assert accounts.reserve_sign_in(conn, other, now + i) == 0
            accounts.signed_in(conn, other)


def test_the_admin_actions_are_audited(hub):
    from server.hub import accounts, sites
    conn, _, _ = hub
    sites.revoke(conn, "LSN-H01", actor="quantri")
    sites.grant(conn, "LSN-H01", actor="quantri")
    sites.start_over(conn, "LSN-H01", "quantri")
    accounts.create_account(conn, "lanhdao", "Lãnh đạo tỉnh", "leader", "matkhau-tinh", actor="quantri")
    trail = conn.execute("SELECT actor, action, target FROM hub_audit ORDER BY id").fetchall()
    assert trail == [("cli", "site_token_granted", "site:LSN-H01"),
                     ("quantri", "site_token_revoked", "site:LSN-H01"),
                     ("quantri", "site_token_granted", "site:LSN-H01"),
                     ("quantri", "site_started_over", "site:LSN-H01"),
                     ("quantri", "account_saved", "account:lanhdao")]
