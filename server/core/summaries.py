"""Daily summaries: one day's tickets, waits, ratings and officer presence, computed once and stored.

Month and year reports add up stored days instead of scanning a year of tickets. Times are kept as sparse
histograms (10-second buckets) beside exact counts, sums and maxima, so a period's mean and maximum are exact
and its median and 90th percentile are exact to the bucket. A day is recomputed when its data changes: triggers
mark it stale on any change to its tickets or a new rating of them.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections import defaultdict

from .center import Center

BUCKET_SECONDS = 10
PRESENCE_LOOKBACK = 2 * 86400
DIMENSIONS = ("center", "department", "service", "counter", "officer", "department_officer", "hour", "channel")


def empty_histogram() -> dict:
    return {"n": 0, "sum": 0, "max": None, "b": {}}


def add_to_histogram(histogram: dict, seconds: int):
    seconds = max(0, int(seconds))
    histogram["n"] += 1
    histogram["sum"] += seconds
    histogram["max"] = seconds if histogram["max"] is None else max(histogram["max"], seconds)
    bucket = str(seconds // BUCKET_SECONDS)
    histogram["b"][bucket] = histogram["b"].get(bucket, 0) + 1


def merge_histograms(into: dict, other: dict):
    into["n"] += other["n"]
    into["sum"] += other["sum"]
    if other["max"] is not None:
        into["max"] = other["max"] if into["max"] is None else max(into["max"], other["max"])
    for bucket, n in other["b"].items():
        into["b"][bucket] = into["b"].get(bucket, 0) + n


def percentile(histogram: dict, fraction: float) -> float | None:
    """The bucket midpoint holding the given fraction of values (nearest-rank), in seconds."""
    if not histogram["n"]:
        return None
    rank = max(1, -(-int(fraction * histogram["n"] * 1000) // 1000))  # ceil without float drift
    seen = 0
    for bucket in sorted(histogram["b"], key=int):
        seen += histogram["b"][bucket]
        if seen >= rank:
            return min(int(bucket) * BUCKET_SECONDS + BUCKET_SECONDS / 2, histogram["max"])
    return histogram["max"]


def empty_group() -> dict:
    return {
        "issued": 0, "served": 0, "no_show": 0, "transferred": 0, "cancelled": 0, "left_waiting": 0,
        "by_channel": {}, "called": 0, "within_target": 0,
        "wait": empty_histogram(), "walk": empty_histogram(), "service": empty_histogram(),
        "ratings": {}, "rated": 0, "dissatisfied": 0, "reasons": {},
        "signed_in_s": 0, "paused_s": 0, "serving_s": 0,
    }


def merge_groups(into: dict, other: dict):
    """Add one group's figures into another (days into a period)."""
    for key, value in other.items():
        if key in ("wait", "walk", "service"):
            merge_histograms(into[key], value)
        elif isinstance(value, dict):
            for name, n in value.items():
                into[key][name] = into[key].get(name, 0) + n
        else:
            into[key] += value


def day_bounds(center: Center, day: dt.date) -> tuple[int, int]:
    start = dt.datetime.combine(day, dt.time.min, center.timezone)
    return int(start.timestamp()), int((start + dt.timedelta(days=1)).timestamp())


def compute_day(conn: sqlite3.Connection, center: Center, day: dt.date, now: float) -> dict:
    """Every dimension's figures for one local day, from the raw tickets, ratings and counter events."""
    groups: dict[tuple[str, str], dict] = defaultdict(empty_group)
    iso = day.isoformat()
    tickets = conn.execute(
        "SELECT id, service_code, department_code, counter_number, officer, channel, state, issued_at,"
        " first_called_at, service_started_at, ended_at, transferred_from FROM tickets WHERE local_date = ?",
        (iso,)).fetchall()
    hour_of = {}
    for t in tickets:
        hour = center.local(t["issued_at"]).hour
        hour_of[t["id"]] = hour
        keys = [("center", ""), ("department", t["department_code"]), ("service", t["service_code"]),
                ("hour", f"{hour:02d}"), ("channel", t["channel"])]
        if t["counter_number"] is not None:
            keys.append(("counter", str(t["counter_number"])))
        if t["officer"]:
            keys += [("officer", t["officer"]), ("department_officer", f"{t['department_code']}|{t['officer']}")]
        service = center.services.get(t["service_code"])
        target = service.target_wait_minutes * 60 if service else None
        for key in keys:
            g = groups[key]
            if t["transferred_from"] is None:  # a transfer continues a visit: the citizen took one number
                g["issued"] += 1
                g["by_channel"][t["channel"]] = g["by_channel"].get(t["channel"], 0) + 1
            state = t["state"]
            if state == "done":
                g["served"] += 1
            elif state in ("no_show", "transferred", "cancelled"):
                g[state] += 1
            elif state == "waiting":
                g["left_waiting"] += 1
            if t["first_called_at"] is not None:
                wait = t["first_called_at"] - t["issued_at"]
                g["called"] += 1
                g["within_target"] += int(target is not None and wait <= target)
                add_to_histogram(g["wait"], wait)
                if t["service_started_at"] is not None:
                    add_to_histogram(g["walk"], t["service_started_at"] - t["first_called_at"])
            if state == "done" and t["service_started_at"] is not None:
                add_to_histogram(g["service"], t["ended_at"] - t["service_started_at"])
                if key[0] in ("officer", "center"):
                    g["serving_s"] += t["ended_at"] - t["service_started_at"]
    for r in conn.execute("SELECT r.*, t.issued_at FROM ratings r JOIN tickets t ON t.id = r.ticket_id"
                          " WHERE r.service_local_date = ?", (iso,)):
        keys = [("center", ""), ("department", r["department_code"]), ("service", r["service_code"]),
                ("counter", str(r["counter_number"])), ("hour", f"{hour_of.get(r['ticket_id'], 0):02d}"),
                ("channel", r["channel"])]
        if r["officer"]:
            keys += [("officer", r["officer"]), ("department_officer", f"{r['department_code']}|{r['officer']}")]
        reasons = json.loads(r["reasons"])
        for key in keys:
            g = groups[key]
            g["rated"] += 1
            g["ratings"][r["level_name"]] = g["ratings"].get(r["level_name"], 0) + 1
            g["dissatisfied"] += int("không hài lòng" in r["level_name"].lower())
            for reason in reasons:
                g["reasons"][reason] = g["reasons"].get(reason, 0) + 1
    for officer, (signed_in, paused) in presence(conn, center, day, now).items():
        for key in (("officer", officer), ("center", "")):
            groups[key]["signed_in_s"] += signed_in
            groups[key]["paused_s"] += paused
    return {f"{dimension}:{key}": figures for (dimension, key), figures in groups.items()}


def presence(conn, center: Center, day: dt.date, now: float) -> dict[str, tuple[int, int]]:
    """Seconds each officer held a counter that day, and how many of them paused, from the counter events."""
    start, end = day_bounds(center, day)
    end = min(end, int(now))
    held: dict[int, tuple[str, int]] = {}  # counter → (officer, since)
    paused: dict[int, int] = {}  # counter → pause start
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    # A counter still open at midnight counts from midnight; look back two days for where it was opened.
    rows = conn.execute(
        "SELECT kind, at, counter_number, officer FROM events WHERE at >= ? AND at < ? AND kind IN"
        " ('counter_opened', 'counter_closed', 'counter_paused', 'counter_resumed') ORDER BY seq",
        (start - PRESENCE_LOOKBACK, end)).fetchall() if end > start else []
    for row in rows:
        at, counter = max(row["at"], start), row["counter_number"]
        if row["kind"] == "counter_opened":
            held[counter] = (row["officer"], at)
        elif row["kind"] == "counter_paused":
            paused[counter] = at
        elif row["kind"] == "counter_resumed" and counter in paused:
            if counter in held:
                totals[held[counter][0]][1] += at - paused.pop(counter)
        elif row["kind"] == "counter_closed" and counter in held:
            officer, since = held.pop(counter)
            totals[officer][0] += at - since
            if counter in paused:
                totals[officer][1] += at - paused.pop(counter)
    for counter, (officer, since) in held.items():
        totals[officer][0] += end - since
        if counter in paused:
            totals[officer][1] += end - paused[counter]
    return {officer: (max(0, s), max(0, p)) for officer, (s, p) in totals.items() if s or p}


class Summaries:
    """Stored daily summaries over one connection of the caller's thread (reports run off the event loop)."""

    def __init__(self, conn: sqlite3.Connection, center: Center, clock=time.time):
        self.conn, self.center, self.clock = conn, center, clock

    def days(self, first: dt.date, last: dt.date) -> dict[dt.date, dict]:
        """The summaries of every day in [first, last], computing and storing the missing and stale ones."""
        today = dt.date.fromisoformat(self.center.local_date(self.clock()))
        last = min(last, today)
        if last < first:
            return {}
        stored = {row["local_date"]: row for row in self.conn.execute(
            "SELECT local_date, stale FROM summary_days WHERE local_date BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()))}
        wanted = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        for day in wanted:
            row = stored.get(day.isoformat())
            if row is None or row["stale"] or day == today:
                self.compute(day)
        result = {}
        for row in self.conn.execute("SELECT local_date, data FROM daily_summaries WHERE local_date BETWEEN ? AND ?",
                                     (first.isoformat(), last.isoformat())):
            result[dt.date.fromisoformat(row["local_date"])] = json.loads(row["data"])
        return result

    def compute(self, day: dt.date):
        """Compute one day and store it, replacing what was there, in one transaction."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            data = compute_day(self.conn, self.center, day, self.clock())
            self.conn.execute("INSERT OR REPLACE INTO daily_summaries (local_date, data) VALUES (?, ?)",
                              (day.isoformat(), json.dumps(data, ensure_ascii=False, separators=(",", ":"))))
            self.conn.execute("INSERT OR REPLACE INTO summary_days (local_date, stale, computed_at) VALUES (?, 0, ?)",
                              (day.isoformat(), int(self.clock())))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def stale_days(self, before: dt.date) -> list[dt.date]:
        """Past days with tickets whose summary is missing or stale: the closing-time job computes these."""
        rows = self.conn.execute(
            "SELECT DISTINCT t.local_date FROM tickets t LEFT JOIN summary_days s ON s.local_date = t.local_date"
            " WHERE t.local_date < ? AND (s.local_date IS NULL OR s.stale)", (before.isoformat(),)).fetchall()
        return [dt.date.fromisoformat(r[0]) for r in rows]


def summarize_past_days(store, center: Center, clock=time.time) -> int:
    """The closing-time job: store the summaries of past days that have none or whose data changed."""
    conn = store.worker_connection()
    try:
        summaries = Summaries(conn, center, clock)
        days = summaries.stale_days(dt.date.fromisoformat(center.local_date(clock())))
        for day in days:
            summaries.compute(day)
        return len(days)
    finally:
        conn.close()
