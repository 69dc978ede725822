"""Delivery survives the faults of the field: the hub killed -9 mid-ingest and restarted, a site killed -9 mid-push,
the hub unreachable for a while, a batch delivered twice, a revoked site, a site restored from an older backup.
Afterwards every fact each site recorded is at the hub exactly once, row for row (real processes throughout)."""

from __future__ import annotations

import shutil
import sqlite3
import time

import psycopg
import pytest
import requests

from server.core.center import load_center
from server.core.outbox import read_batch
from tests.conftest import FakeClock
from tests.hub_facts import hub_rows, site_rows
from tests.hub_live import (
    HubAdmin,
    fill_site,
    site_last_seq,
    site_server,
    start_hub_with_admin,
    wait_delivered,
    wait_until,
)

pytestmark = [pytest.mark.live, pytest.mark.slow]


def take_numbers(server, count: int):
    """Citizens take numbers at the site's kiosk: the site works whatever the hub's state."""
    for _ in range(count):
        answer = requests.post(server.url + "/api/tickets", json={"service_code": "lai-xe"}, timeout=10)
        assert answer.status_code in (200, 201), answer.text


def hub_count(dsn: str, code: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM site_events e JOIN hub_sites s ON s.id = e.site_id"
                            " WHERE s.code = %s", (code,)).fetchone()[0]


def first_batch(server) -> dict:
    conn = sqlite3.connect(server.database, isolation_level=None)
    try:
        return read_batch(conn, load_center(server.center), 0, 40)
    finally:
        conn.close()


@pytest.mark.timeout(420)
def test_every_acknowledged_fact_is_at_the_hub_exactly_once_after_the_faults(pg_database, tmp_path):
    hub = start_hub_with_admin(pg_database, tmp_path / "hub.log")
    admin = HubAdmin(hub)
    sites = {}
    try:
        # The second site sends small batches: its catch-up is long enough to be interrupted twice.
        for code, batch in (("LSN-TT", "40"), ("LSN-H01", "10"), ("LSN-X001", "40")):
            sites[code] = site_server(tmp_path, code, hub, admin.grant(code), HANGDOI_HUB_BATCH_EVENTS=batch)
        a, a_token = sites["LSN-TT"]
        b, _ = sites["LSN-H01"]
        c, c_token = sites["LSN-X001"]
        clock = FakeClock()
        fill_site(a.database, a.center, tickets=80, seed=11, clock=clock)
        backup = tmp_path / "LSN-TT-backup.db"
        shutil.copy(a.database, backup)  # tonight's backup of the first site, restored at the end
        clock.advance(minutes=120)
        fill_site(a.database, a.center, tickets=60, seed=12, clock=clock)
        fill_site(b.database, b.center, tickets=400, seed=13)
        fill_site(c.database, c.center, tickets=40, seed=14)
        for server, _ in sites.values():
            server.start()

        # 1. The hub killed -9 while batches arrive, unreachable for a while (the sites keep working), restarted.
        wait_until(lambda: admin.sites()["LSN-H01"]["acked_seq"] > 0, 60, "first batches acknowledged", step=0.05)
        hub.stop(kill=True)
        take_numbers(a, 3)
        take_numbers(b, 2)
        time.sleep(4)
        hub.start()
        admin = HubAdmin(hub)

        # 2. A site killed -9 in the middle of its catch-up, started again: it resumes after the hub's acked seq.
        wait_until(lambda: admin.sites()["LSN-H01"]["acked_seq"] > 0, 60, "second site pushing", step=0.05)
        assert admin.sites()["LSN-H01"]["acked_seq"] < site_last_seq(b.database)
        b.stop(kill=True)
        b.start()

        # 3. A batch delivered twice (a retry whose first answer was lost): stored once.
        wait_delivered(admin, "LSN-X001", c.database)
        events_before = hub_count(hub.dsn, "LSN-X001")
        batch = first_batch(c)
        for _ in range(2):
            answer = requests.post(hub.url + "/api/hub/v1/batches", json=batch, timeout=10,
                                   headers={"Authorization": f"Bearer {c_token.read_text()}"})
            assert answer.status_code == 200 and answer.json()["stored"] == 0, answer.text
        assert hub_count(hub.dsn, "LSN-X001") == events_before

        # 4. A revoked site: refused, nothing more taken, its facts kept; granted again, it catches up by itself.
        assert admin.call("POST", "/api/hub/sites/LSN-X001/revoke").status_code == 200
        take_numbers(c, 4)
        time.sleep(3)
        assert hub_count(hub.dsn, "LSN-X001") == events_before
        assert admin.sites()["LSN-X001"]["state"] == "revoked"
        c_token.write_text(admin.grant("LSN-X001"))

        # 5. The first site restored from last night's backup: its sequence goes back and new facts reuse the
        # numbers. The hub refuses and marks it diverged; started over, it sends its whole log again.
        wait_delivered(admin, "LSN-TT", a.database)
        acked_before_restore = admin.sites()["LSN-TT"]["acked_seq"]
        a.stop()
        for suffix in ("", "-wal", "-shm"):
            a.database.with_name(a.database.name + suffix).unlink(missing_ok=True)
        shutil.copy(backup, a.database)
        a.start()
        take_numbers(a, 5)
        wait_until(lambda: admin.sites()["LSN-TT"]["state"] == "diverged", 60, "the restored site refused")
        assert admin.sites()["LSN-TT"]["acked_seq"] == acked_before_restore
        started_over = admin.call("POST", "/api/hub/sites/LSN-TT/start-over")
        assert started_over.status_code == 200, started_over.text
        a_token.write_text(started_over.json()["token"])

        # Afterwards: each site's facts at the hub, exactly once, equal to the site's own rows.
        for code, (server, _) in sites.items():
            wait_delivered(admin, code, server.database, timeout=120)
        with psycopg.connect(hub.dsn) as conn:
            for code, (server, _) in sites.items():
                site_id = conn.execute("SELECT id FROM hub_sites WHERE code = %s", (code,)).fetchone()[0]
                assert hub_rows(conn, site_id) == site_rows(server.database), code
            labelled = dict(conn.execute("SELECT s.code, count(l.code) FROM hub_sites s LEFT JOIN site_labels l"
                                         " ON l.site_id = s.id GROUP BY s.code").fetchall())
            epochs = conn.execute("SELECT s.code, e.acked_seq FROM hub_site_epochs e JOIN hub_sites s"
                                  " ON s.id = e.site_id").fetchall()
        assert epochs == [("LSN-TT", acked_before_restore)]
        assert all(labelled[code] > 0 for code in sites), labelled  # the started-over site sent its names again
        assert {code: s["state"] for code, s in admin.sites().items()} == dict.fromkeys(sites, "active")
        # the faults happened as staged: the sites saw the hub gone, the revocation and the divergence
        logs = {code: server.log_path.read_text(errors="replace") for code, (server, _) in sites.items()}
        assert "hub unreachable" in logs["LSN-H01"] and "hub unreachable" in logs["LSN-TT"]
        assert "unknown_token" in logs["LSN-X001"] and "history_differs" in logs["LSN-TT"]
    finally:
        for server, _ in sites.values():
            server.stop()
        hub.stop()
