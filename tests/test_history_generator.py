"""The benchmark's history generator, cross-checked against raw SQL: a month report built from the stored daily
summaries must count exactly what direct queries count on the same database."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

import pytest

from bench.generate_history import HISTORY_CENTER, generate_history
from server.core.center import load_center
from server.core.reports import OFFICIAL_LEVELS, generate, make_period
from server.core.store import Store
from tests.conftest import VN

MARCH = dt.date(2025, 3, 3)  # a Monday: three working days in one month


@pytest.fixture(scope="module")
def center():
    return load_center(HISTORY_CENTER)


@pytest.fixture(scope="module")
def history(tmp_path_factory, center):
    path = tmp_path_factory.mktemp("history") / "history.db"
    stats = generate_history(path, center, tickets=2000, ratings=800, days=3, first_day=MARCH, seed=7)
    return path, stats


def digest(path) -> str:
    with sqlite3.connect(path) as conn:
        h = hashlib.sha256()
        for table in ("tickets", "ratings", "number_sequences"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                h.update(repr(tuple(row)).encode())
        for row in conn.execute("SELECT at, kind, ticket_id, counter_number, officer, payload FROM events"
                                " ORDER BY seq"):
            h.update(repr(tuple(row)).encode())
        return h.hexdigest()


def test_generator_writes_what_it_was_asked_for(history):
    path, stats = history
    assert (stats.tickets, stats.ratings, stats.days) == (2000, 800, 3)
    assert (stats.first_day, stats.last_day) == (MARCH, MARCH + dt.timedelta(days=2))
    with sqlite3.connect(path) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM tickets") == 2000
        assert one("SELECT count(*) FROM tickets WHERE transferred_from IS NULL") == stats.issued
        # Every issued number of a day and prefix is 1..n, and the sequences table agrees.
        assert one("SELECT count(*) FROM (SELECT local_date, prefix, count(*) n, max(number) m FROM tickets"
                   " WHERE transferred_from IS NULL GROUP BY 1, 2) WHERE n != m") == 0
        assert one("SELECT count(*) FROM number_sequences s WHERE last_number != (SELECT max(number) FROM tickets t"
                   " WHERE t.local_date = s.local_date AND t.prefix = s.prefix)") == 0
        # A re-queued ticket keeps the printed number of the transferred one, in another service.
        assert one("SELECT count(*) FROM tickets t JOIN tickets o ON o.id = t.transferred_from WHERE o.state !="
                   " 'transferred' OR t.label != o.label OR t.service_code = o.service_code"
                   " OR t.root_ticket_id != o.id OR t.issued_at != o.ended_at") == 0
        assert one("SELECT count(*) FROM tickets WHERE state = 'transferred'") == \
            one("SELECT count(*) FROM tickets WHERE transferred_from IS NOT NULL") > 0
        # Ratings: one per served ticket, bound to the counter and officer that served it.
        assert one("SELECT count(*) FROM ratings r JOIN tickets t ON t.id = r.ticket_id WHERE t.state = 'done'"
                   " AND t.counter_number = r.counter_number AND t.officer = r.officer"
                   " AND r.rated_at > t.ended_at") == 800
        # Times are in order and the served ones were called by an officer at a counter of their service.
        assert one("SELECT count(*) FROM tickets WHERE state = 'done' AND NOT (issued_at <= first_called_at"
                   " AND first_called_at <= last_called_at AND last_called_at < service_started_at"
                   " AND service_started_at < ended_at AND counter_number IS NOT NULL AND officer IS NOT NULL)") == 0
        # Each counter opens and closes twice a day (two sessions), with the officer it served tickets under.
        assert one("SELECT count(*) FROM events WHERE kind = 'counter_opened'") == 70 * 2 * 3
        assert one("SELECT count(*) FROM events WHERE kind = 'counter_closed'") == 70 * 2 * 3
        assert one("SELECT count(*) FROM tickets t WHERE officer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e"
                   " WHERE e.kind = 'counter_opened' AND e.counter_number = t.counter_number"
                   " AND e.officer = t.officer)") == 0


def test_generator_is_deterministic(tmp_path, center, history):
    path, _ = history
    again = tmp_path / "again.db"
    generate_history(again, center, tickets=2000, ratings=800, days=3, first_day=MARCH, seed=7)
    assert digest(again) == digest(path)


def test_month_report_totals_equal_raw_sql(history, center):
    """Summaries (computed by the report from the raw rows) against direct SQL on the same database."""
    path, stats = history
    clock = lambda: dt.datetime(2025, 4, 2, 9, 0, tzinfo=VN).timestamp()  # noqa: E731
    store = Store(path)
    try:
        reports = generate(store, center, make_period("month", MARCH), ("department", "officer"), clock)
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        total = reports["department"]["total"]
        assert total["issued"] == one("SELECT count(*) FROM tickets WHERE transferred_from IS NULL") == stats.issued
        assert total["served"] == one("SELECT count(*) FROM tickets WHERE state = 'done'")
        for state in ("no_show", "transferred", "cancelled"):
            assert total[state] == one(f"SELECT count(*) FROM tickets WHERE state = '{state}'"), state
        assert total["left_waiting"] == one("SELECT count(*) FROM tickets WHERE state = 'waiting'")
        assert total["wait"]["count"] == one("SELECT count(*) FROM tickets WHERE first_called_at IS NOT NULL")
        mean_wait = one("SELECT avg(first_called_at - issued_at) FROM tickets WHERE first_called_at IS NOT NULL")
        assert total["wait"]["mean"] == round(mean_wait / 60, 1)

        levels = dict(conn.execute("SELECT level_name, count(*) FROM ratings GROUP BY level_name").fetchall())
        assert {level["name"]: level["count"] for level in total["ratings"]["levels"]} == \
            {name: levels.get(name, 0) for name in OFFICIAL_LEVELS}
        assert total["ratings"]["total"] == total["rated"] == stats.ratings == 800
        assert total["dissatisfied"] == levels.get("Không hài lòng", 0)

        by_department = dict(conn.execute("SELECT department_code, count(*) FROM tickets"
                                          " WHERE transferred_from IS NULL GROUP BY 1").fetchall())
        assert {row["key"]: row["issued"] for row in reports["department"]["rows"]} == by_department
        served_by_officer = dict(conn.execute("SELECT officer, count(*) FROM tickets WHERE state = 'done'"
                                              " GROUP BY 1").fetchall())
        assert {row["key"]: row["served"] for row in reports["officer"]["rows"] if row["served"]} == \
            served_by_officer
        rated_by_officer = dict(conn.execute("SELECT officer, count(*) FROM ratings GROUP BY 1").fetchall())
        assert {row["key"]: row["ratings"]["total"] for row in reports["officer"]["rows"]
                if row["ratings"]["total"]} == rated_by_officer
