"""The real thing, reported: three real site server processes push a day each to a real hub process (their own
pushers over HTTP), and the hub's report over HTTP equals the sum of the sites' own reports (each made by the
site's engine over the site's own database)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.core.center import load_center
from server.core.reports import generate, make_period
from server.core.store import Store
from tests.hub_live import HubAdmin, fill_site, site_server, start_hub_with_admin, wait_delivered

pytestmark = [pytest.mark.live, pytest.mark.slow]
CODES = ("LSN-TT", "LSN-H01", "LSN-X001")
DAY = dt.date(2026, 11, 23)  # the day tests.conftest.FakeClock starts on, which fill_site uses
SUMMED = ("issued", "served", "no_show", "transferred", "cancelled", "within_target", "rated", "dissatisfied")


@pytest.fixture
def hub(pg_database, tmp_path):
    hub = start_hub_with_admin(pg_database, tmp_path / "hub.log")
    yield hub
    hub.stop()


@pytest.mark.timeout(300)
def test_the_hubs_report_equals_the_sites_own_reports(hub, tmp_path):
    admin = HubAdmin(hub)
    servers = []
    try:
        for n, code in enumerate(CODES):
            server, _ = site_server(tmp_path, code, hub, admin.grant(code))
            fill_site(server.database, server.center, tickets=30 + 15 * n, seed=10 + n)
            servers.append(server)
            server.start()
        for code, server in zip(CODES, servers):
            wait_delivered(admin, code, server.database)
        answer = admin.call("GET", f"/api/hub/reports?period=day&date={DAY}&group_by=site,officer")
        assert answer.status_code == 200, answer.text
        reports = answer.json()["reports"]
    finally:
        for server in servers:
            server.stop()
    period = make_period("day", DAY)
    own = {}
    for code, server in zip(CODES, servers):
        store = Store(server.database)
        try:
            own[code] = generate(store, load_center(server.center), period, ("center", "officer"))
        finally:
            store.close()
    rows = {r["key"]: r for r in reports["site"]["rows"]}
    assert set(rows) == set(CODES)
    for code in CODES:  # each site's row is the site's own report, every figure
        assert {k: v for k, v in rows[code].items() if k not in ("key", "name", "department", "level")} == \
            own[code]["center"]["total"], code
    total = reports["site"]["total"]
    for name in SUMMED:
        assert total[name] == sum(own[c]["center"]["total"][name] for c in CODES), name
    assert total["wait"]["count"] == sum(own[c]["center"]["total"]["wait"]["count"] for c in CODES)
    assert total["wait"]["max"] == max(own[c]["center"]["total"]["wait"]["max"] for c in CODES)
    officers = {r["key"]: r for r in reports["officer"]["rows"]}
    for code in CODES:  # an officer's row at the hub is that officer's row at their site
        for row in own[code]["officer"]["rows"]:
            hub_row = officers[f"{code}|{row['key']}"]
            assert {k: v for k, v in hub_row.items() if k not in ("key", "name", "department")} == \
                {k: v for k, v in row.items() if k not in ("key", "name", "department")}
    assert reports["site"]["summary"].startswith("Trong ngày 23/11/2026, toàn tỉnh có 3 đơn vị (3 cấp xã)")
