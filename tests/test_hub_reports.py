"""The province's reports equal the sum of the sites' own reports, for every period and grouping (docs/HUB.md).

Three sites (a provincial center and two offices of one district) are real site databases made by the site's own
code (bench/generate_history.py writes through server.core.store.Store); each site's report is made by the site's
own engine (server.core.reports.generate); the sites' facts go into a real PostgreSQL (tests/pg.py) through the
site's outbox and the hub's ingest (the pusher's path without HTTP). Then a site's row of the hub's report equals
that site's total row field by field; any other row's counts are the sum of the sites' rows with that key, its
percentages follow from those sums by the documented formulas (docs/REPORTS.md), and its times (count, sum, mean,
median, p90, max) equal a recount over the union of the sites' own ticket rows.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import uuid
from collections import defaultdict
from fractions import Fraction

import psycopg
import pytest

from bench.generate_history import HISTORY_CENTER, generate_history
from server.core.center import load_center
from server.core.outbox import read_batch
from server.core.reports import PERIOD_KINDS, largest_remainder, make_period, minutes, share
from server.core.store import Store
from server.core.vietnamese import format_number, format_percent
from server.hub import reports as hub
from server.hub import sites
from server.hub.ingest import ingest
from server.hub.schema import migrate
from tests.conftest import VN
from tests.test_exact_statistics import percentile_inc

# A PostgreSQL cluster: not part of the quick loop (pytest -m "not live").
pytestmark = pytest.mark.live

# Three sites: code, name, level, district, tickets, ratings, seed. Their histories span August to mid-October.
SITES = (("LSN-TT", "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn", "tinh", None, 6000, 2400, 11),
         ("LSN-H03", "Bộ phận Một cửa huyện Cao Lộc", "huyen", "Cao Lộc", 2000, 700, 12),
         ("LSN-X017", "Bộ phận Một cửa xã Tân Liên", "xa", "Cao Lộc", 500, 200, 13))
FIRST_DAY = dt.date(2025, 8, 20)
WORKING_DAYS = 45
AFTER = dt.datetime(2026, 1, 5, 10, 0, tzinfo=VN).timestamp()  # every day of the history is past
SITE_ROW_EXTRAS = ("key", "name", "department", "level")
TIME_FIELDS = ("wait", "walk", "service")


@pytest.fixture(scope="module")
def center():
    return load_center(HISTORY_CENTER)


@pytest.fixture(scope="module")
def site_files(tmp_path_factory, center):
    """The three sites' SQLite databases, written by the site's Store."""
    folder = tmp_path_factory.mktemp("sites")
    files = {}
    for code, _, _, _, tickets, ratings, seed in SITES:
        files[code] = folder / f"{code}.db"
        generate_history(files[code], center, tickets=tickets, ratings=ratings, days=WORKING_DAYS,
                         first_day=FIRST_DAY, seed=seed, ticket_events=True)
    return files


def push_site(conn, site_id: int, path, center, limit: int = 2000):
    """Send a site's whole event log to the hub as its pusher does: read_batch after the acknowledged seq, the
    hub's ingest, until nothing is left."""
    db = sqlite3.connect(path, isolation_level=None)  # read_batch opens its own read transaction
    try:
        after = 0
        while True:
            result = ingest(conn, site_id, read_batch(db, center, after, limit, with_labels=after == 0))
            if result.acked_seq == after:
                return
            after = result.acked_seq
    finally:
        db.close()


def load_province(dsn: str, site_files, center):
    """Migrate a hub database, grant the three sites and push their facts through the ingest."""
    migrate(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for code, name, level, district, *_ in SITES:
            token = sites.grant(conn, code, name, level, district)
            push_site(conn, sites.authenticate(conn, token, code), site_files[code], center)


@pytest.fixture(scope="module")
def province(pg_cluster, site_files, center):
    """One hub database holding the three sites' facts for the tests that only read; an autocommit connection."""
    dsn = pg_cluster.create_database(f"hub_reports_{uuid.uuid4().hex[:8]}")
    load_province(dsn, site_files, center)
    with psycopg.connect(dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def own_province(pg_database, site_files, center):
    """A hub database of this test's own (it changes facts)."""
    load_province(pg_database, site_files, center)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        yield conn


def site_reports(site_files, center, period, groupings, clock=lambda: AFTER):
    """Each site's own reports of the period, by the site's engine."""
    from server.core.reports import generate

    result = {}
    for code, path in site_files.items():
        store = Store(path)
        try:
            result[code] = generate(store, center, period, groupings, clock=clock)
        finally:
            store.close()
    return result


@pytest.fixture(scope="module")
def site_tickets(site_files):
    """Every ticket row of each site, read once from its SQLite file."""
    rows = {}
    for code, path in site_files.items():
        db = sqlite3.connect(path)
        db.row_factory = sqlite3.Row
        rows[code] = [dict(t) for t in db.execute("SELECT * FROM tickets")]
        db.close()
    return rows


def durations_by_row(site_tickets, period, group_by: str) -> dict[str, dict[str, list[int]]]:
    """The wait, walk and service durations of each hub row ("" = the total), recounted from the sites' tickets."""
    found = defaultdict(lambda: defaultdict(list))
    first, last = period.first.isoformat(), period.last.isoformat()
    for code, tickets in site_tickets.items():
        site = next(s for s in SITES if s[0] == code)
        for t in tickets:
            if not first <= t["local_date"] <= last:
                continue
            for key in (row_of(site, t, group_by), None):
                if t["first_called_at"] is not None:
                    found[key]["wait"].append(max(0, t["first_called_at"] - t["issued_at"]))
                    if t["service_started_at"] is not None:
                        found[key]["walk"].append(max(0, t["service_started_at"] - t["first_called_at"]))
                if t["state"] == "done" and t["service_started_at"] is not None:
                    found[key]["service"].append(max(0, t["ended_at"] - t["service_started_at"]))
    return found


def peak_hour(site_tickets, period) -> str | None:
    """The local hour in which most numbers were issued over every site (the earliest on a tie), recounted."""
    issued = defaultdict(int)
    for tickets in site_tickets.values():
        for t in tickets:
            if period.first.isoformat() <= t["local_date"] <= period.last.isoformat() and t["transferred_from"] is None:
                issued[dt.datetime.fromtimestamp(t["issued_at"], VN).hour] += 1
    if not issued:
        return None
    hour = max(sorted(issued), key=lambda h: issued[h])
    return f"{hour:02d}:00–{hour + 1:02d}:00"


def row_of(site, ticket, group_by: str) -> str:
    """The key of the hub row a site's ticket counts in (docs/HUB.md, Reports)."""
    if group_by == "site":
        return site[0]
    if group_by == "district":
        return site[3] or ""
    if group_by == "level":
        return site[2]
    if group_by == "officer":
        return f"{site[0]}|{ticket['officer']}"
    if group_by == "day":
        return ticket["local_date"]
    if group_by == "hour":
        return f"{dt.datetime.fromtimestamp(ticket['issued_at'], VN).hour:02d}"
    return ticket[{"department": "department_code", "service": "service_code", "channel": "channel"}[group_by]]


def site_rows_of(own: dict, group_by: str, key: str) -> list[dict]:
    """The rows of the sites' own reports that make up a hub row."""
    rows = []
    for code, reports in own.items():
        site = next(s for s in SITES if s[0] == code)
        if group_by in ("site", "district", "level"):
            if {"site": code, "district": site[3] or "", "level": site[2]}[group_by] == key:
                rows.append(reports["center"]["total"])
            continue
        site_key = key.partition("|")[2] if group_by == "officer" else key
        if group_by == "officer" and not key.startswith(code + "|"):
            continue
        rows += [r for r in reports[group_by]["rows"] if r["key"] == site_key]
    return rows


COUNTED = ("issued", "served", "no_show", "transferred", "cancelled", "left_waiting", "within_target", "over_target",
           "rated", "rated_on_timeout", "dissatisfied")


def expected_counts(rows: list[dict]) -> dict:
    summed = {name: sum(r[name] for r in rows) for name in COUNTED}
    for name in ("by_channel", "rated_by_channel", "reasons"):
        merged = defaultdict(int)
        for r in rows:
            for k, n in r[name].items():
                merged[k] += n
        summed[name] = dict(merged)
    levels = defaultdict(int)
    for r in rows:
        for level in r["ratings"]["levels"]:
            levels[level["name"]] += level["count"]
    summed["levels"] = dict(levels)
    return summed


def check_row(hub_row: dict, rows: list[dict], durations: dict[str, list[int]], precision: int):
    """A hub row against the sites' rows that make it (counts, shares) and the recount (times)."""
    want = expected_counts(rows)
    for name in COUNTED:
        assert hub_row[name] == want[name], name
    for name in ("by_channel", "rated_by_channel", "reasons"):
        assert hub_row[name] == want[name], name
    got_levels = {level["name"]: level["count"] for level in hub_row["ratings"]["levels"]}
    assert {k: v for k, v in got_levels.items() if v} == {k: v for k, v in want["levels"].items() if v}
    counts = [level["count"] for level in hub_row["official_ratings"]["levels"]]
    assert [level["percent"] for level in hub_row["official_ratings"]["levels"]] == largest_remainder(counts, precision)
    assert hub_row["service_level"] == share(want["within_target"], want["within_target"] + want["over_target"],
                                             precision)
    assert hub_row["response_rate"] == share(want["rated"], want["served"], precision)
    assert hub_row["satisfaction_766"] == share(want["served"] - want["dissatisfied"], want["served"], precision)
    for name in TIME_FIELDS:
        values, figures = durations[name], hub_row[name]
        assert figures["count"] == len(values) == sum(r[name]["count"] for r in rows), name
        assert figures["total_seconds"] == sum(values) == sum(r[name]["total_seconds"] for r in rows), name
        if values:
            assert figures["median"] == minutes(percentile_inc(values, Fraction(1, 2))), name
            assert figures["p90"] == minutes(percentile_inc(values, Fraction(9, 10))), name
            assert figures["max"] == minutes(max(values)) == max(r[name]["max"] for r in rows if r[name]["count"])
            assert figures["mean"] == minutes(Fraction(sum(values), len(values))), name
        else:
            assert figures["median"] is None


PERIODS = [("day", dt.date(2025, 9, 16), None), ("week", dt.date(2025, 9, 3), None),
           ("month", dt.date(2025, 9, 1), None), ("quarter", dt.date(2025, 8, 1), None),
           ("year", dt.date(2025, 1, 1), None), ("custom", dt.date(2025, 8, 25), dt.date(2025, 10, 3)),
           ("reporting_month", dt.date(2025, 9, 30), None)]


@pytest.mark.parametrize(("kind", "anchor", "last"), PERIODS, ids=[p[0] for p in PERIODS])
def test_every_grouping_equals_the_sum_of_the_sites_reports(province, site_files, site_tickets, center, kind, anchor,
                                                            last):
    assert kind in PERIOD_KINDS
    period = make_period(kind, anchor, last)
    own = site_reports(site_files, center, period, ("center", "department", "service", "officer", "day", "hour",
                                                     "channel"))
    reports = hub.generate(province, period, hub.GROUPINGS, hub.Scope("tỉnh Lạng Sơn"), clock=lambda: AFTER)
    for code, reports_of_site in own.items():  # a site's row is that site's own report, every figure
        row = next(r for r in reports["site"]["rows"] if r["key"] == code)
        assert {k: v for k, v in row.items() if k not in SITE_ROW_EXTRAS} == reports_of_site["center"]["total"]
    for group_by in hub.GROUPINGS:
        report = reports[group_by]
        assert report["rows"], group_by
        durations = durations_by_row(site_tickets, period, group_by)
        for row in report["rows"]:
            check_row(row, site_rows_of(own, group_by, row["key"]), durations[row["key"]], report["precision"])
        check_row(report["total"], [r["center"]["total"] for r in own.values()], durations[None], report["precision"])
        assert report["peak_hour"] == peak_hour(site_tickets, period), group_by


def test_the_province_paragraph_speaks_for_every_site(province, site_files, center):
    period = make_period("month", dt.date(2025, 9, 1))
    own = site_reports(site_files, center, period, ("center",))
    report = hub.generate(province, period, ("level",), hub.Scope("tỉnh Lạng Sơn"), clock=lambda: AFTER)["level"]
    issued = sum(r["center"]["total"]["issued"] for r in own.values())
    rated = sum(r["center"]["total"]["rated"] for r in own.values())
    text = report["summary"]
    assert text.startswith("Trong tháng 09/2025, toàn tỉnh có 3 đơn vị (1 cấp tỉnh, 1 cấp huyện, 1 cấp xã)")
    assert f"đã cấp {format_number(issued)} số thứ tự" in text
    best = report["total"]["official_ratings"]["levels"][0]
    assert best["count"] and best["percent"]
    assert (f"có {format_number(rated)} lượt đánh giá, trong đó: đánh giá Rất hài lòng là "
            f"{format_number(best['count'])} lượt, chiếm {format_percent(best['percent'])}") in text
    assert [r["key"] for r in report["rows"]] == ["tinh", "huyen", "xa"]


def test_a_district_scope_holds_only_its_sites(province, site_files, center):
    period = make_period("month", dt.date(2025, 9, 1))
    report = hub.generate(province, period, ("site",), hub.Scope("huyện Cao Lộc", "Cao Lộc"),
                          clock=lambda: AFTER)["site"]
    assert [r["key"] for r in report["rows"]] == ["LSN-H03", "LSN-X017"]
    own = site_reports({c: p for c, p in site_files.items() if c != "LSN-TT"}, center, period, ("center",))
    assert report["total"]["issued"] == sum(r["center"]["total"]["issued"] for r in own.values())
    assert report["summary"].startswith("Trong tháng 09/2025, toàn huyện Cao Lộc có 2 đơn vị (1 cấp huyện, 1 cấp xã)")


def test_new_facts_for_a_summarised_day_are_counted(own_province, site_files, center, tmp_path):
    """A ticket that changes after the day was summarised (a late push) changes the hub's report like the site's."""
    province = own_province
    period = make_period("month", dt.date(2025, 9, 1))
    before = hub.generate(province, period, ("site",), clock=lambda: AFTER)["site"]
    code, path = "LSN-X017", tmp_path / "LSN-X017.db"
    shutil.copy(site_files[code], path)
    db = sqlite3.connect(path)
    ticket_id, = db.execute("SELECT id FROM tickets WHERE local_date LIKE '2025-09-%' AND state = 'done'"
                            " AND id NOT IN (SELECT ticket_id FROM ratings) ORDER BY id LIMIT 1").fetchone()
    with db:
        db.execute("UPDATE tickets SET state = 'no_show', service_started_at = NULL, ended_at = NULL WHERE id = ?",
                   (ticket_id,))
    db.close()
    province.execute("UPDATE site_tickets SET state = 'no_show', service_started_at = NULL, ended_at = NULL"
                     " WHERE id = %s AND site_id = (SELECT id FROM hub_sites WHERE code = %s)", (ticket_id, code))
    after = hub.generate(province, period, ("site",), clock=lambda: AFTER)["site"]
    own = site_reports({code: path}, center, period, ("center",))[code]["center"]["total"]
    row = next(r for r in after["rows"] if r["key"] == code)
    assert {k: v for k, v in row.items() if k not in SITE_ROW_EXTRAS} == own
    assert after["total"]["no_show"] == before["total"]["no_show"] + 1


def test_today_is_counted_from_the_facts_so_far(own_province, site_files, center):
    """A report whose period holds the hub's today reads today's facts as they are (recomputed when stale)."""
    province = own_province
    today = dt.datetime(2025, 9, 16, 15, 0, tzinfo=VN).timestamp()  # the history goes on after it: not counted
    period = make_period("month", dt.date(2025, 9, 1))
    own = site_reports(site_files, center, period, ("center",), clock=lambda: today)
    report = hub.generate(province, period, ("site",), clock=lambda: today)["site"]
    for code, reports_of_site in own.items():
        row = next(r for r in report["rows"] if r["key"] == code)
        site_total = reports_of_site["center"]["total"]
        assert row["issued"] == site_total["issued"] and row["wait"] == site_total["wait"]
        assert row["presence"] == site_total["presence"]


def test_feedback_counts_every_sites_inbox(own_province):
    province = own_province
    period = make_period("month", dt.date(2025, 9, 1))
    site_id = province.execute("SELECT id FROM hub_sites WHERE code = 'LSN-H03'").fetchone()[0]
    province.execute("INSERT INTO site_feedback_items (site_id, id, rating_id, dissatisfied, local_date, opened_at,"
                     " state, changed_at, handled_at) VALUES (%s, 1, 1, 1, '2025-09-03', 1000, 'done', 1600, 1600),"
                     " (%s, 2, 2, 0, '2025-09-04', 1000, 'new', 1000, NULL),"
                     " (%s, 3, 3, 1, '2025-10-04', 1000, 'new', 1000, NULL)", (site_id, site_id, site_id))
    figures = hub.generate(province, period, ("site",), clock=lambda: AFTER)["site"]["feedback"]
    assert figures == {"opened": 2, "dissatisfied": 1, "comments_only": 1, "handled": 1, "open": 1,
                       "median_handle_minutes": 10.0}


def test_an_unknown_grouping_is_refused(province):
    with pytest.raises(ValueError):
        hub.generate(province, make_period("month", dt.date(2025, 9, 1)), ("province",))


def test_reasons_are_json_at_the_hub(province):
    """The ingested reasons are jsonb lists; the site's summarize_day reads them as they are."""
    kind = province.execute("SELECT jsonb_typeof(reasons) FROM site_ratings LIMIT 1").fetchone()[0]
    assert kind == "array"
    assert json.loads(province.execute("SELECT reasons::text FROM site_ratings LIMIT 1").fetchone()[0]) is not None


def test_the_summariser_round_takes_past_days_only(own_province):
    """The hub's background round (reports_web.summarise_forever) summarises stale days before today, not today's."""
    province = own_province
    province.execute("UPDATE hub_summary_days SET stale = true")
    done = hub.HubSummaries(province).refresh_all(before="2025-09-10")
    stale = dict(province.execute("SELECT local_date < '2025-09-10', count(*) FROM hub_summary_days WHERE stale"
                                  " GROUP BY 1").fetchall())
    assert done > 0 and stale.get(True) is None and stale[False] > 0
    assert province.execute("SELECT count(DISTINCT (site_id, local_date)) FROM hub_day_summaries"
                            " WHERE local_date < '2025-09-10'").fetchone()[0] == done
