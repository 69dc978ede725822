"""The province hub receives every event of a site's log (server/core/outbox.py), the preview events too
(`ticket_checked_in`, `bookings_due`): its ingest stores them as sent and its reports, which read the kinds they
know, give the site's own figures (real PostgreSQL through tests/pg.py, as tests/test_hub_ingest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.core.appointments import Appointments
from server.core.center import load_center
from server.core.queue import Queue
from server.core.reports import generate as site_report
from server.core.reports import make_period
from server.core.store import Store
from server.hub import reports as hub_reports
from tests.conftest import VN
from tests.hub_facts import hub_rows, site_rows
from tests.live import SMALL_CENTER
from tests.test_hub_ingest import SITE_TOML, hub, push_all  # noqa: F401 — `hub` is a fixture used below
from tests.test_preview_events_live import POLICY

pytestmark = pytest.mark.live
SITE_ROW_EXTRAS = ("key", "name", "department", "level")


@pytest.fixture
def site(tmp_path, clock):
    """A site's queue and appointments on its own SQLite file, over the small center named LSN-H01."""
    path = tmp_path / "site.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + SITE_TOML + POLICY, encoding="utf-8")
    store = Store(tmp_path / "site.db")
    center = load_center(path)
    yield Appointments(center, store, Queue(center, store, clock))
    store.close()


def serve(queue, counter, officer, clock):
    queue.call_next(counter, officer)
    clock.advance(minutes=1)
    queue.start_service(counter, officer)
    clock.advance(minutes=4)
    queue.finish(counter, officer)


def test_the_hub_takes_the_preview_events_and_its_report_equals_the_sites(site, hub, clock):
    conn, site_id, _ = hub
    queue = site.queue
    today = site.center.local_date(clock())
    remote = site.join_remotely("ly-lich", "Người Từ Xa", "0977000555", "10.0.0.5")
    made = site.book("ly-lich", today, "08:30", "Người Hẹn", "0977000666", "10.0.0.6")
    queue.issue("ly-lich")
    site.check_in(code=made["code"])
    clock.advance(minutes=5)
    site.check_in(code=remote["code"])
    clock.advance(minutes=26)
    assert site.settle()["bookings_due"] == 1
    queue.open_counter(1, "an")
    for _ in range(3):
        serve(queue, 1, "an", clock)
    with site.store.read() as site_conn:
        kinds = {r[0] for r in site_conn.execute("SELECT kind FROM events")}
        last = site_conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    assert {"ticket_checked_in", "bookings_due"} <= kinds
    assert push_all(queue, conn, site_id) == last  # every event accepted, none refused
    assert hub_rows(conn, site_id) == site_rows(site.store.path)
    stored = {r[0] for r in conn.execute("SELECT kind FROM site_events WHERE site_id = %s", (site_id,))}
    assert stored == kinds
    period = make_period("day", dt.date.fromisoformat(today))
    after = dt.datetime(2026, 11, 24, 10, 0, tzinfo=VN).timestamp()
    province = hub_reports.generate(conn, period, ("site", "channel"), clock=lambda: after)
    own = site_report(site.store, site.center, period, ("center", "channel"), clock=lambda: after)
    row = next(r for r in province["site"]["rows"] if r["key"] == "LSN-H01")
    assert {k: v for k, v in row.items() if k not in SITE_ROW_EXTRAS} == own["center"]["total"]
    assert (row["issued"], row["served"]) == (3, 3)  # the walk-in, the booking and the remote number
