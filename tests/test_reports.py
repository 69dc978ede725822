"""Reports from hand-made days: exact tables, percentages that add up, period boundaries, transfers counted once."""

from __future__ import annotations

import datetime as dt

import pytest

from server.core.ratings import Ratings
from server.core.reports import ReportBuilder, largest_remainder, make_period
from server.core.summaries import Summaries
from tests.conftest import VN

D = dt.date


@pytest.fixture
def ratings(queue):
    return Ratings(queue)


@pytest.fixture
def summaries(store, center, clock):
    conn = store.worker_connection()
    yield Summaries(conn, center, clock)
    conn.close()


def report(summaries, center, kind, anchor, group_by="department", last=None):
    period = make_period(kind, anchor, last)
    days = summaries.days(period.first, period.last, (group_by,), rollups=group_by != "day")
    return ReportBuilder(center).build(days, period, group_by)


def serve(queue, clock, counter=1, officer="an", service="ly-lich", wait=300, walk=30, service_s=600, **issue):
    """One visit with exact times: issue, wait, call, walk, serve, finish."""
    ticket = queue.issue(service, **issue).result
    queue.open_counter(counter, officer)
    clock.advance(seconds=wait)
    queue.call_ticket(counter, officer, ticket["label"])
    clock.advance(seconds=walk)
    queue.start_service(counter, officer)
    clock.advance(seconds=service_s)
    queue.finish(counter, officer)
    return ticket


@pytest.mark.parametrize("counts, expected", [
    ([749, 37, 0], [95.3, 4.7, 0.0]),
    ([1, 1, 1], [33.4, 33.3, 33.3]),
    ([2, 1, 0], [66.7, 33.3, 0.0]),
    ([1886, 2232, 97], [44.7, 53.0, 2.3]),
    ([0, 0, 0], [0.0, 0.0, 0.0]),
    ([7, 0, 0], [100.0, 0.0, 0.0]),
    ([4, 1, 1], [66.7, 16.7, 16.6]),  # a three-way tie of remainders: the larger count, then the better level
    ([1, 4, 1], [16.7, 66.7, 16.6]),
    ([1, 1, 4], [16.7, 16.6, 66.7]),
    ([415, 12, 0], [97.2, 2.8, 0.0]),
])
def test_percentages_add_up_to_exactly_100(counts, expected):
    shares = largest_remainder(counts)
    assert shares == expected
    if sum(counts):
        assert round(sum(shares), 6) == 100


@pytest.mark.parametrize("counts, expected", [
    ([415, 12, 0], [97.19, 2.81, 0.0]),  # Lạng Sơn, quý I/2024: 427 phiếu
    ([749, 37, 0], [95.29, 4.71, 0.0]),
    ([4, 1, 1], [66.67, 16.67, 16.66]),
    ([1, 1, 1], [33.34, 33.33, 33.33]),
    ([11, 8, 7, 5, 3], [32.35, 23.53, 20.59, 14.71, 8.82]),
])
def test_percentages_at_two_decimals(counts, expected):
    shares = largest_remainder(counts, 2)
    assert shares == expected
    assert sum(round(s * 100) for s in shares) == 10000


@pytest.mark.parametrize("kind, anchor, first, last", [
    ("day", D(2026, 11, 23), D(2026, 11, 23), D(2026, 11, 23)),
    ("week", D(2026, 11, 25), D(2026, 11, 23), D(2026, 11, 29)),
    ("month", D(2026, 2, 10), D(2026, 2, 1), D(2026, 2, 28)),
    ("month", D(2028, 2, 10), D(2028, 2, 1), D(2028, 2, 29)),
    ("quarter", D(2026, 11, 23), D(2026, 10, 1), D(2026, 12, 31)),
    ("half", D(2026, 3, 1), D(2026, 1, 1), D(2026, 6, 30)),
    ("year", D(2026, 6, 1), D(2026, 1, 1), D(2026, 12, 31)),
    ("reporting_month", D(2026, 11, 14), D(2026, 10, 15), D(2026, 11, 14)),
    ("reporting_month", D(2026, 11, 15), D(2026, 11, 15), D(2026, 12, 14)),
    ("reporting_month", D(2026, 12, 20), D(2026, 12, 15), D(2027, 1, 14)),
    ("reporting_month", D(2026, 1, 3), D(2025, 12, 15), D(2026, 1, 14)),
    ("reporting_year", D(2019, 12, 14), D(2018, 12, 15), D(2019, 12, 14)),
    ("reporting_year", D(2019, 12, 15), D(2019, 12, 15), D(2020, 12, 14)),
])
def test_periods(kind, anchor, first, last):
    period = make_period(kind, anchor)
    assert (period.first, period.last) == (first, last)


def test_day_report_exact_table(queue, ratings, summaries, center, clock):
    serve(queue, clock, wait=300, walk=30, service_s=600)  # A001: wait 5 min
    serve(queue, clock, wait=1500, walk=60, service_s=300)  # A002: wait 25 min > target 20
    serve(queue, clock, counter=3, officer="cuong", service="lai-xe", wait=60, walk=0, service_s=120)
    ratings.rate_at_counter(1, "A001", 1, client_id="rate-a001")
    ratings.rate_at_counter(1, "A002", 3, ["Thời gian chờ lâu"], client_id="rate-a002")
    queue.issue("ly-lich")  # left waiting
    r = report(summaries, center, "day", D(2026, 11, 23))
    stp, gtvt = r["rows"]
    assert (stp["key"], stp["name"], stp["issued"], stp["served"], stp["left_waiting"]) == \
        ("STP", "Sở Tư pháp", 3, 2, 1)
    # PERCENTILE.INC of 300 s and 1,500 s: median 900 s, p90 300 + 0.9 × 1,200 = 1,380 s.
    assert stp["wait"] == {"count": 2, "total_seconds": 1800, "mean": 15.0, "median": 15.0, "p90": 23.0, "max": 25.0}
    assert stp["service"]["mean"] == 7.5 and stp["walk"]["max"] == 1.0
    assert (stp["within_target"], stp["over_target"], stp["service_level"]) == (1, 1, 50.0)
    assert stp["ratings"] == {"total": 2, "levels": [{"name": "Rất hài lòng", "count": 1, "percent": 50.0},
                                                     {"name": "Hài lòng", "count": 0, "percent": 0.0},
                                                     {"name": "Không hài lòng", "count": 1, "percent": 50.0}]}
    assert stp["official_ratings"] == {**stp["ratings"], "unmapped": 0}  # the three-level scale is its own mapping
    assert (stp["response_rate"], stp["satisfaction_766"], stp["reasons"]) == (100.0, 50.0, {"Thời gian chờ lâu": 1})
    assert (gtvt["issued"], gtvt["served"], gtvt["rated"], gtvt["response_rate"]) == (1, 1, 0, 0.0)
    assert r["total"]["issued"] == 4 and r["total"]["served"] == 3
    assert r["peak_hour"] == "08:00–09:00"
    assert r["summary"] == (
        "Trong ngày 23/11/2026, Trung tâm đã cấp 4 số thứ tự, phục vụ 3 lượt; có 2 lượt đánh giá cán bộ tại Trung tâm,"
        " trong đó: đánh giá Rất hài lòng là 1 lượt, chiếm 50,0%; đánh giá Không hài lòng là 1 lượt, chiếm 50,0%;"
        " không có đánh giá Hài lòng. Thời gian chờ trung bình 10 phút; 1 lượt chờ quá thời gian quy định."
        " Tỷ lệ hài lòng (theo Quyết định 766/QĐ-TTg) đạt 66,7%.")


def test_official_table_by_department_and_officer(queue, ratings, summaries, center, clock):
    for i in range(3):
        serve(queue, clock)
        ratings.rate_at_counter(1, f"A00{i + 1}", 1 if i < 2 else 2, client_id=f"rate-an-{i:04d}")
    serve(queue, clock, counter=2, officer="binh", service="ho-tich")
    ratings.rate_at_counter(2, "B001", 2, client_id="rate-binh-0001")
    rows = report(summaries, center, "day", D(2026, 11, 23), "department_officer")["rows"]
    table = [(r["department"], r["name"], r["ratings"]["total"], [(lv["count"], lv["percent"])
                                                                  for lv in r["ratings"]["levels"]]) for r in rows]
    assert table == [("Sở Tư pháp", "Nguyễn Văn An", 3, [(2, 66.7), (1, 33.3), (0, 0.0)]),
                     ("Sở Tư pháp", "Trần Thị Bình", 1, [(0, 0.0), (1, 100.0), (0, 0.0)])]


def test_a_day_with_no_ratings(queue, summaries, center, clock):
    serve(queue, clock)
    r = report(summaries, center, "day", D(2026, 11, 23))
    assert r["total"]["ratings"]["total"] == 0 and r["total"]["satisfaction_766"] == 100.0
    assert r["summary"].endswith("chưa có lượt đánh giá nào. Thời gian chờ trung bình 5 phút;"
                                 " 0 lượt chờ quá thời gian quy định.")


def test_a_transferred_ticket_is_issued_once(queue, summaries, center, clock):
    queue.issue("ly-lich")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.transfer(1, "an", to_service="lai-xe")
    queue.open_counter(3, "cuong")
    queue.call_next(3, "cuong")
    queue.start_service(3, "cuong")
    queue.finish(3, "cuong")
    total = report(summaries, center, "day", D(2026, 11, 23))["total"]
    assert (total["issued"], total["served"], total["transferred"]) == (1, 1, 1)
    by_service = {r["key"]: r for r in report(summaries, center, "day", D(2026, 11, 23), "service")["rows"]}
    assert by_service["ly-lich"]["issued"] == 1 and by_service["lai-xe"]["issued"] == 0
    assert by_service["lai-xe"]["served"] == 1


def test_days_split_at_local_midnight(queue, summaries, center, clock):
    clock.set(dt.datetime(2026, 11, 23, 23, 50, tzinfo=VN))
    serve(queue, clock, wait=60, walk=0, service_s=60)  # issued 23:50 on the 23rd
    clock.set(dt.datetime(2026, 11, 24, 0, 5, tzinfo=VN))  # 17:05 UTC of the 23rd
    serve(queue, clock, wait=60, walk=0, service_s=60)
    rows = report(summaries, center, "custom", D(2026, 11, 23), "day", last=D(2026, 11, 24))["rows"]
    assert [(r["name"], r["issued"]) for r in rows] == [("23/11/2026", 1), ("24/11/2026", 1)]
    hours = report(summaries, center, "custom", D(2026, 11, 23), "hour", last=D(2026, 11, 24))["rows"]
    assert [(r["key"], r["issued"]) for r in hours] == [("00", 1), ("23", 1)]


def test_reporting_period_boundary_15th_to_14th(queue, summaries, center, clock):
    for day in (14, 15):
        clock.set(dt.datetime(2026, 11, day, 9, 0, tzinfo=VN))
        serve(queue, clock)
    clock.set(dt.datetime(2026, 11, 20, 9, 0, tzinfo=VN))
    november = report(summaries, center, "reporting_month", D(2026, 11, 1))
    december = report(summaries, center, "reporting_month", D(2026, 11, 15))
    assert november["total"]["issued"] == 1 and december["total"]["issued"] == 1
    assert november["period"]["title"] == "Từ ngày 15/10/2026 đến ngày 14/11/2026"


def test_month_reads_stored_days_and_recomputes_a_changed_day(queue, ratings, summaries, center, clock, store):
    clock.set(dt.datetime(2026, 11, 2, 9, 0, tzinfo=VN))
    serve(queue, clock)
    clock.set(dt.datetime(2026, 11, 6, 9, 0, tzinfo=VN))
    first = report(summaries, center, "month", D(2026, 11, 1))
    assert first["total"]["served"] == 1 and first["total"]["rated"] == 0
    with store.read() as conn:
        assert conn.execute("SELECT stale FROM summary_days WHERE local_date = '2026-11-02'").fetchone()[0] == 0
    # A tablet that was offline delivers the rating of the 2nd four days late: that day is recomputed.
    ratings.rate_at_counter(1, "A001", 1, client_id="late-rating-1", service_date="2026-11-02")
    with store.read() as conn:
        assert conn.execute("SELECT stale FROM summary_days WHERE local_date = '2026-11-02'").fetchone()[0] == 1
    assert report(summaries, center, "month", D(2026, 11, 1))["total"]["rated"] == 1
    assert summaries.stale_days(D(2026, 11, 6)) == []


def test_officer_presence(queue, summaries, center, clock):
    queue.open_counter(1, "an")  # 08:00
    clock.advance(minutes=60)
    queue.pause_counter(1, "an", "Họp")
    clock.advance(minutes=30)
    queue.resume_counter(1, "an")
    clock.advance(minutes=30)
    serve(queue, clock, wait=0, walk=0, service_s=900)
    queue.close_counter(1, "an")  # 10:15
    row = report(summaries, center, "day", D(2026, 11, 23), "officer")["rows"][0]
    assert row["presence"] == {"signed_in_hours": 2.25, "paused_hours": 0.5, "serving_hours": 0.25}


def test_center_total_carries_presence(queue, summaries, center, clock):
    queue.open_counter(1, "an")
    queue.open_counter(2, "binh")
    clock.advance(minutes=30)
    serve(queue, clock, wait=0, walk=0, service_s=600)
    r = report(summaries, center, "day", D(2026, 11, 23), "officer")
    assert r["total"]["presence"] == {"signed_in_hours": 1.33, "paused_hours": 0.0, "serving_hours": 0.17}


def test_month_rollups_follow_changes_to_their_days(queue, summaries, center, clock, store):
    clock.set(dt.datetime(2026, 10, 2, 9, 0, tzinfo=VN))
    serve(queue, clock)
    clock.set(dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    assert report(summaries, center, "year", D(2026, 1, 1))["total"]["issued"] == 1
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM month_summaries WHERE month = '2026-10'").fetchone()[0] > 0
    clock.set(dt.datetime(2026, 10, 5, 9, 0, tzinfo=VN))  # a change to a day inside the rolled-up month
    queue.issue("ly-lich")
    clock.set(dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    year = report(summaries, center, "year", D(2026, 1, 1))
    by_day = report(summaries, center, "month", D(2026, 10, 1), "day")
    assert year["total"]["issued"] == 2 and [r["issued"] for r in by_day["rows"] if r["issued"]] == [1, 1]


def test_channel_rows_count_ratings_by_the_channel_the_number_was_taken_by(queue, ratings, summaries, center, clock):
    serve(queue, clock, channel="phone")
    ratings.rate_at_counter(1, "A001", 1, client_id="rate-channel-1")  # given on the tablet
    rows = {r["key"]: r for r in report(summaries, center, "day", D(2026, 11, 23), "channel")["rows"]}
    assert list(rows) == ["phone"]
    assert (rows["phone"]["issued"], rows["phone"]["rated"], rows["phone"]["rated_by_channel"]) == (1, 1, {"tablet": 1})


def test_the_paragraph_rounds_the_exact_mean_wait(queue, summaries, center, clock):
    """Waits of 14 min 27 s and 14 min 29 s: the mean 14 min 28 s is 14 minutes, though 14,5 rounds to 15."""
    serve(queue, clock, wait=867)
    serve(queue, clock, wait=869)
    r = report(summaries, center, "day", D(2026, 11, 23))
    assert r["total"]["wait"]["mean"] == 14.5 and "Thời gian chờ trung bình 14 phút" in r["summary"]
