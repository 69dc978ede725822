"""The demo province (`python -m server.hub demo`): 1 provincial center, 11 district offices and commune offices,
their history delivered through the ingest, the province's report over them; loading twice does nothing."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from server.core.reports import make_period
from server.hub import demo
from server.hub import reports as hub
from server.hub.schema import migrate

pytestmark = pytest.mark.live


def test_the_demo_province_loads_once_and_reports(pg_database, tmp_path):
    migrate(pg_database)
    said = []
    counts = demo.load(pg_database, days=2, communes=4, folder=tmp_path, workers=1, progress=said.append)
    assert counts["sites"] == 16 and counts["events"] > 0 and counts["site_days"] >= 16
    with psycopg.connect(pg_database, autocommit=True) as conn:
        levels = dict(conn.execute("SELECT level, count(*) FROM hub_sites GROUP BY level").fetchall())
        assert levels == {"tinh": 1, "huyen": 11, "xa": 4}
        assert conn.execute("SELECT count(*) FROM hub_summary_days WHERE stale").fetchone()[0] == 0
        first, last = conn.execute("SELECT min(local_date), max(local_date) FROM site_tickets").fetchone()
        period = make_period("custom", *(dt.date.fromisoformat(d) for d in (first, last)))
        report = hub.generate(conn, period, ("level",), hub.Scope("tỉnh Lạng Sơn"))["level"]
        issued = conn.execute("SELECT count(*) FROM site_tickets WHERE transferred_from IS NULL").fetchone()[0]
    assert report["total"]["issued"] == issued
    assert "toàn tỉnh có 16 đơn vị (1 cấp tỉnh, 11 cấp huyện, 4 cấp xã) gửi số liệu" in report["summary"]
    assert [r["name"] for r in report["rows"]] == ["Cấp tỉnh", "Cấp huyện", "Cấp xã"]
    assert demo.load(pg_database, days=2, communes=4, folder=tmp_path, progress=said.append) == {"skipped": True}
    assert said[-1] == "Tỉnh mẫu đã có dữ liệu: bỏ qua."


def test_the_province_has_212_offices_with_realistic_names():
    province = demo.province_sites()
    assert len(province) == 212 and len({s.code for s in province}) == 212
    assert [s.level for s in province].count("huyen") == 11
    assert province[0].name == "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn"
    assert {s.district for s in province if s.level == "xa"} == set(demo.DISTRICTS)
    assert all(s.name.startswith("Bộ phận Một cửa ") for s in province[1:])
