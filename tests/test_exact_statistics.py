"""Median and p90 of every grouping and period equal a recount from the tickets' own times (docs/REPORTS.md)."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from server.core.reports import ReportBuilder, make_period, minutes, rounded, share
from server.core.summaries import Summaries, empty_histogram, flatten, histogram_of, merge_histograms, percentiles
from tests.conftest import VN

HALF, NINE_TENTHS = Fraction(1, 2), Fraction(9, 10)


def percentile_inc(values: list[int], fraction: Fraction) -> Fraction:
    """The reference: Excel's PERCENTILE.INC on a sorted copy, exactly."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    below = int(rank)
    if rank == below:
        return Fraction(ordered[below])
    return ordered[below] + (rank - below) * (ordered[below + 1] - ordered[below])


@pytest.mark.parametrize("seed", range(12))
def test_percentiles_of_parts_equal_the_recount(seed):
    rng = random.Random(seed)
    parts = [[int(rng.lognormvariate(6, 1)) for _ in range(rng.randint(0, 60))] for _ in range(rng.randint(1, 15))]
    merged = empty_histogram()
    for part in parts:
        merge_histograms(merged, histogram_of(part))
    every = [s for part in parts for s in part]
    if not every:
        assert percentiles(merged, (HALF,)) == [None]
        return
    expected = [percentile_inc(every, HALF), percentile_inc(every, NINE_TENTHS)]
    assert percentiles(merged, (HALF, NINE_TENTHS)) == expected
    assert percentiles(flatten(merged), (HALF, NINE_TENTHS)) == expected  # a month roll-up answers the same
    assert (merged["n"], merged["sum"], merged["max"]) == (len(every), sum(every), max(every))
    # Python's own inclusive quantiles agree (floats, so to the microsecond).
    if len(every) > 1:
        quantiles = statistics.quantiles(every, n=10, method="inclusive")
        assert float(expected[1]) == pytest.approx(quantiles[8]) and float(expected[0]) == pytest.approx(quantiles[4])


def test_the_issues_example_median_is_not_bucketed():
    """Ten-second buckets reported 0,2 phút where the recount gives 0,3 (16 s and 20 s: median 18 s = 0,3 phút)."""
    assert minutes(percentiles(histogram_of([16, 20]), (HALF,))[0]) == 0.3


def test_rounding_is_half_up():
    assert minutes(Fraction(3, 1)) == 0.1 and minutes(Fraction(15, 2)) == 0.1  # 7,5 s = 0,125 phút → 0,1
    assert minutes(9) == 0.2  # 0,15 phút → 0,2 (Python's round() gives 0,1 on the float 0,15)


def decimal_half_up(value: Fraction, places: int) -> float:
    """The reference: Decimal's ROUND_HALF_UP of the exact value, then the nearest float."""
    scaled = Decimal(value.numerator) / Decimal(value.denominator)
    return float(scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("places", (0, 1, 2))
def test_integer_rounding_equals_decimal_half_up(places):
    """rounded/share/minutes round in integers: the same float as Decimal's half up, ties and signs included."""
    rng = random.Random(places)
    ties = [Fraction(2 * k + 1, 2 * 10 ** places) for k in range(-300, 300)]  # x,x5 exactly: away from zero
    randoms = [Fraction(rng.randint(-10 ** 7, 10 ** 7), rng.randint(1, 10 ** 5)) for _ in range(3000)]
    for value in ties + randoms + [Fraction(0), Fraction(-1, 3)]:
        assert rounded(value, places) == decimal_half_up(value, places), value
    for part, whole in [(rng.randint(0, 5000), rng.randint(1, 5000)) for _ in range(2000)] + [(1, 8), (749, 786)]:
        assert share(part, whole, places) == decimal_half_up(Fraction(100 * part, whole), places)
    assert share(749, 786, 1) == 95.3  # the Quảng Ngãi seed: 749 of 786 "Rất hài lòng", 95,3%
    for seconds in [Fraction(rng.randint(0, 10 ** 6), rng.choice((1, 2, 10))) for _ in range(2000)]:
        assert minutes(seconds) == decimal_half_up(seconds / 60, 1)


def serve(queue, counter, officer, service, wait, walk, service_s):
    ticket = queue.issue(service).result
    queue.clock.advance(seconds=wait)
    queue.call_ticket(counter, officer, ticket["label"])
    queue.clock.advance(seconds=walk)
    queue.start_service(counter, officer)
    queue.clock.advance(seconds=service_s)
    queue.finish(counter, officer)


def test_reports_of_every_grouping_and_period_equal_a_recount(queue, store, center, clock):
    """Tickets over three months; year, quarter, month and custom reports by every grouping, against SQL + the
    reference percentile over the same tickets."""
    rng = random.Random(2026)
    desks = [(1, "an", "ly-lich"), (3, "cuong", "lai-xe"), (5, "binh", "van-tai")]
    day = dt.date(2026, 8, 25)
    while day <= dt.date(2026, 10, 6):
        if day.weekday() < 5:
            clock.set(dt.datetime.combine(day, dt.time(8, 0), VN))
            for counter, officer, _ in desks:
                queue.open_counter(counter, officer)
            for _ in range(rng.randint(2, 6)):
                counter, officer, service = rng.choice(desks)
                serve(queue, counter, officer, service, rng.randint(0, 2400), rng.randint(0, 90), rng.randint(30, 900))
            for counter, officer, _ in desks:
                queue.close_counter(counter, officer)
        day += dt.timedelta(days=1)
    clock.set(dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN))
    conn = store.worker_connection()
    try:
        summaries = Summaries(conn, center, clock)
        periods = [make_period("year", dt.date(2026, 1, 1)), make_period("quarter", dt.date(2026, 8, 1)),
                   make_period("month", dt.date(2026, 9, 1)),
                   make_period("custom", dt.date(2026, 8, 27), dt.date(2026, 10, 2))]
        columns = {"department": "department_code", "service": "service_code", "officer": "officer",
                   "counter": "counter_number"}
        for period in periods:
            for group_by, column in columns.items():
                days = summaries.days(period.first, period.last, (group_by,), rollups=True)
                report = ReportBuilder(center).build(days, period, group_by)
                for row in report["rows"] + [dict(report["total"], key=None)]:
                    where = "" if row["key"] is None else f" AND CAST({column} AS TEXT) = ?"
                    args = (period.first.isoformat(), period.last.isoformat()) + (() if row["key"] is None
                                                                                  else (row["key"],))
                    tickets = conn.execute(
                        "SELECT first_called_at - issued_at AS wait, service_started_at - first_called_at AS walk,"
                        " ended_at - service_started_at AS service, state FROM tickets"
                        f" WHERE local_date BETWEEN ? AND ?{where}", args).fetchall()
                    recount = {
                        "wait": [t["wait"] for t in tickets if t["wait"] is not None],
                        "walk": [t["walk"] for t in tickets if t["walk"] is not None],
                        "service": [t["service"] for t in tickets if t["state"] == "done"],
                    }
                    for name, values in recount.items():
                        assert row[name]["count"] == len(values), (period.name, group_by, row["key"], name)
                        assert row[name]["median"] == minutes(percentile_inc(values, HALF))
                        assert row[name]["p90"] == minutes(percentile_inc(values, NINE_TENTHS))
                        assert row[name]["mean"] == minutes(Fraction(sum(values), len(values)))
                        assert row[name]["max"] == minutes(max(values))
    finally:
        conn.close()


def test_a_month_roll_up_holds_one_histogram_per_group(queue, store, center, clock):
    for day in (2, 3, 6):
        clock.set(dt.datetime(2026, 10, day, 8, 0, tzinfo=VN))
        queue.open_counter(1, "an")
        serve(queue, 1, "an", "ly-lich", 60 * day, 10, 300)
        queue.close_counter(1, "an")
    clock.set(dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN))
    conn = store.worker_connection()
    try:
        Summaries(conn, center, clock).days(dt.date(2026, 10, 1), dt.date(2026, 10, 31), ("department",))
        [data] = [json.loads(row[0]) for row in conn.execute(
            "SELECT data FROM month_summaries WHERE month = '2026-10' AND dimension = 'department'")]
    finally:
        conn.close()
    wait = data["STP"]["wait"]
    assert "parts" not in wait and wait["n"] == 3
    assert percentiles(wait, (HALF,)) == [Fraction(180)]  # waits of 120, 180 and 360 s
