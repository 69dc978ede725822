"""Daily summaries: one day's tickets, waits, ratings and officer presence, computed once and stored.

Month and year reports add up stored days instead of scanning a year of tickets. Times are kept as exact
histograms (every distinct second and how often it occurs), so every mean, median, 90th percentile and maximum
of any period equals a recount from the tickets (docs/REPORTS.md). A day is recomputed when its data changes: triggers
mark it stale on any change to its tickets or a new rating of them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
import sys
import threading
import time
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from fractions import Fraction
from itertools import accumulate, chain, repeat
from operator import sub

from .center import Center

PRESENCE_LOOKBACK = 2 * 86400
TODAY_SECONDS = 30
_today_cache: dict = {}
_today_lock = threading.Lock()
DIMENSIONS = ("center", "department", "service", "counter", "officer", "department_officer", "hour", "channel")


# ----- exact time histograms ---------------------------------------------------------------------------------
# Durations are whole seconds (ticket times are epoch seconds), so a histogram at one-second resolution is the
# data itself: {"n", "sum", "max", "v": the distinct seconds ascending, "k": how many durations are at or below
# each}, "v" and "k" packed as base64 of little-endian 32-bit integers (decoded at C speed, and only when a
# percentile is asked for). A period's histogram keeps its days' (or months') histograms as parts, never merged:
# an order statistic of their union is found by bisecting each part (`order_statistic`), so a year report reads
# twelve month roll-ups and merges nothing.

def _pack(numbers) -> str:
    packed = array("i", numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _unpack(text: str) -> array:
    numbers = array("i", base64.b64decode(text))
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def empty_histogram() -> dict:
    return {"n": 0, "sum": 0, "max": None, "v": "", "k": ""}


def _packed_histogram(counted: Counter, n: int, total: int) -> dict:
    values = sorted(counted)
    return {"n": n, "sum": total, "max": values[-1] if values else None, "v": _pack(values),
            "k": _pack(accumulate(counted[v] for v in values))}


def histogram_of(seconds: list[int]) -> dict:
    """The stored form of a list of durations (negative ones, from a clock set back, count as 0)."""
    if not seconds:  # most groups of a day have no durations of one kind or another
        return empty_histogram()
    counted = Counter(max(0, int(s)) for s in seconds)
    return _packed_histogram(counted, len(seconds), sum(v * n for v, n in counted.items()))


def merge_histograms(into: dict, other: dict):
    """Add a histogram to a period's: exact n, sum and max; the parts are kept side by side."""
    if not other["n"]:
        return
    into["n"] += other["n"]
    into["sum"] += other["sum"]
    into["max"] = other["max"] if into["max"] is None else max(into["max"], other["max"])
    into.setdefault("parts", []).extend(other.get("parts") or [other])


def flatten(histogram: dict) -> dict:
    """One stored histogram from a period's parts (a month roll-up is written this way)."""
    parts = histogram.get("parts")
    if not parts:
        return {key: histogram[key] for key in ("n", "sum", "max", "v", "k")}
    counted: Counter = Counter()
    for values, running in _decoded(parts):
        below = 0
        for value, at_or_below in zip(values, running):
            counted[value] += at_or_below - below
            below = at_or_below
    return _packed_histogram(counted, histogram["n"], histogram["sum"])


def _decoded(parts: list[dict]) -> list[tuple[array, array]]:
    return [_arrays(p) for p in parts if p["n"]]


def _arrays(histogram: dict) -> tuple:
    """(distinct values ascending, how many durations at or below each); a `sorted_union` is its durations
    ascending with their ranks (1, 2, … n), which order_statistic and flatten read the same way."""
    return histogram.get("arrays") or (_unpack(histogram["v"]), _unpack(histogram["k"]))


def _durations(histogram: dict):
    """Every duration of one histogram (no parts), ascending."""
    values, running = _arrays(histogram)
    if isinstance(running, range):
        return values
    return chain.from_iterable(map(repeat, values, map(sub, running, chain((0,), running))))


def sorted_union(histogram: dict) -> dict:
    """A period's histogram with its parts replaced by one sorted list of all their durations (in memory only,
    never stored): an order statistic is then one index. Sorting the concatenated parts runs at C speed and
    costs about n·log(parts), far less than merging counts value by value or bisecting every part ~50 times per
    statistic; worth it while n is modest (a province report's rows)."""
    parts = histogram.get("parts")
    if not parts:
        return histogram
    ordered = sorted(chain.from_iterable(map(_durations, parts)))
    return {"n": histogram["n"], "sum": histogram["sum"], "max": histogram["max"],
            "arrays": (ordered, range(1, len(ordered) + 1))}


def order_statistic(parts: list[tuple[array, array]], k: int, largest: int) -> int:
    """The k-th smallest duration (0-based) of the union of decoded parts (values, counts at or below)."""
    if len(parts) == 1:
        values, running = parts[0]
        return values[bisect_right(running, k)]
    low, high = min(values[0] for values, _ in parts), largest
    while low < high:  # the smallest value with more than k durations at or below it
        middle = (low + high) // 2
        at_or_below = sum(running[i - 1] for values, running in parts if (i := bisect_right(values, middle)))
        if at_or_below > k:
            high = middle
        else:
            low = middle + 1
    return low


def percentiles(histogram: dict, fractions: tuple[Fraction, ...]) -> list[Fraction | None]:
    """Excel's PERCENTILE.INC (MEDIAN at 1/2): rank h = (n − 1)·p from 0, linear between the two nearest ranks.

    Exact (Fractions of seconds): a recount from the tickets with the same definition gives the same numbers.
    """
    n = histogram["n"]
    if not n:
        return [None for _ in fractions]
    parts = _decoded(histogram.get("parts") or [histogram])
    result = []
    for fraction in fractions:
        p = Fraction(fraction)
        # rank = (n − 1)·p = below + remainder/denominator, in integers (one Fraction made per percentile)
        below, remainder = divmod((n - 1) * p.numerator, p.denominator)
        low = order_statistic(parts, below, histogram["max"])
        high = low if not remainder else order_statistic(parts, below + 1, histogram["max"])
        result.append(Fraction(low * p.denominator + remainder * (high - low), p.denominator))
    return result


def percentile(histogram: dict, fraction: Fraction) -> Fraction | None:
    """One percentile (see `percentiles`)."""
    return percentiles(histogram, (fraction,))[0]


TIMES = ("wait", "walk", "service")


def empty_group() -> dict:
    return {
        "issued": 0, "served": 0, "no_show": 0, "transferred": 0, "cancelled": 0, "left_waiting": 0,
        "by_channel": {}, "called": 0, "within_target": 0,
        "wait": empty_histogram(), "walk": empty_histogram(), "service": empty_histogram(),
        "ratings": {}, "rated": 0, "rated_on_timeout": 0, "rated_by_channel": {}, "reasons": {},
        "signed_in_s": 0, "paused_s": 0, "serving_s": 0,
    }


def merge_groups(into: dict, other: dict):
    """Add one group's figures into another (days into a period)."""
    for key, value in other.items():
        if key in TIMES:
            merge_histograms(into[key], value)
        elif isinstance(value, dict):
            for name, n in value.items():
                into[key][name] = into[key].get(name, 0) + n
        else:
            into[key] += value


def day_bounds(center: Center, day: dt.date) -> tuple[int, int]:
    return center.day_start(day), center.day_start(day + dt.timedelta(days=1))


# The columns a day's summary reads, whatever database they come from (the site's SQLite, the hub's PostgreSQL).
TICKET_COLUMNS = ("id", "service_code", "department_code", "counter_number", "officer", "channel", "state",
                  "issued_at", "first_called_at", "service_started_at", "ended_at", "transferred_from")
RATING_COLUMNS = ("ticket_id", "department_code", "service_code", "counter_number", "officer", "level_name",
                  "sent_on_timeout", "channel", "reasons", "ticket_channel")
COUNTER_EVENT_KINDS = ("counter_opened", "counter_closed", "counter_paused", "counter_resumed")


def compute_day(conn: sqlite3.Connection, center: Center, day: dt.date, now: float) -> dict:
    """Every dimension's figures for one local day, from the site's raw tickets, ratings and counter events."""
    iso = day.isoformat()
    tickets = conn.execute(f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE local_date = ?", (iso,)).fetchall()
    ratings = conn.execute("SELECT r.*, t.issued_at, t.channel AS ticket_channel FROM ratings r"
                           " JOIN tickets t ON t.id = r.ticket_id WHERE r.service_local_date = ?", (iso,)).fetchall()
    start, end = presence_window(center, day, now)
    counter_events = conn.execute(
        f"SELECT kind, at, counter_number, officer FROM events WHERE at >= ? AND at < ?"
        f" AND kind IN ({', '.join('?' * len(COUNTER_EVENT_KINDS))}) ORDER BY seq",
        (start - PRESENCE_LOOKBACK, end, *COUNTER_EVENT_KINDS)).fetchall() if end > start else []
    return summarize_day(tickets, ratings, counter_events, center, start, end)


def summarize_day(tickets, ratings, counter_events, center: Center, start: int, end: int) -> dict:
    """One day's figures per dimension from its rows, read from any database (the hub computes its sites' days
    with this too): mappings with the keys TICKET_COLUMNS (tickets of the day), RATING_COLUMNS (ratings of the
    tickets served that day; `reasons` a JSON text or a list) and the counter events (kind, at, counter_number,
    officer) from PRESENCE_LOOKBACK before `start` to `end`, in the order they were recorded.

    `center` gives the local hour of a time and each service's target wait (anything with `local(epoch)` and
    `services[code].target_wait_minutes`).
    """
    groups: dict[tuple[str, str], dict] = defaultdict(_collecting_group)
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
                g["wait"].append(wait)
                if t["service_started_at"] is not None:
                    g["walk"].append(t["service_started_at"] - t["first_called_at"])
            if state == "done" and t["service_started_at"] is not None:
                g["service"].append(t["ended_at"] - t["service_started_at"])
                if key[0] in ("officer", "center"):
                    g["serving_s"] += t["ended_at"] - t["service_started_at"]
    # A rating counts in the row of the channel its ticket was taken by (the rows are issuing channels); the
    # channel it was given by (tablet or phone) is counted in rated_by_channel.
    for r in ratings:
        keys = [("center", ""), ("department", r["department_code"]), ("service", r["service_code"]),
                ("counter", str(r["counter_number"])), ("hour", f"{hour_of.get(r['ticket_id'], 0):02d}"),
                ("channel", r["ticket_channel"])]
        if r["officer"]:
            keys += [("officer", r["officer"]), ("department_officer", f"{r['department_code']}|{r['officer']}")]
        reasons = r["reasons"] if isinstance(r["reasons"], list) else json.loads(r["reasons"])
        for key in keys:
            g = groups[key]
            g["rated"] += 1
            g["ratings"][r["level_name"]] = g["ratings"].get(r["level_name"], 0) + 1
            g["rated_on_timeout"] += r["sent_on_timeout"]
            g["rated_by_channel"][r["channel"]] = g["rated_by_channel"].get(r["channel"], 0) + 1
            for reason in reasons:
                g["reasons"][reason] = g["reasons"].get(reason, 0) + 1
    for officer, (signed_in, paused) in presence_of(counter_events, start, end).items():
        for key in (("officer", officer), ("center", "")):
            groups[key]["signed_in_s"] += signed_in
            groups[key]["paused_s"] += paused
    nested: dict[str, dict[str, dict]] = {dimension: {} for dimension in DIMENSIONS}
    for (dimension, key), figures in groups.items():
        for name in TIMES:
            figures[name] = histogram_of(figures[name])
        nested[dimension][key] = figures
    return nested


def _collecting_group() -> dict:
    """A group while a day is computed: its durations are plain lists until the day is done."""
    return {**empty_group(), **{name: [] for name in TIMES}}


def presence_window(center: Center, day: dt.date, now: float) -> tuple[int, int]:
    """The part of a day whose presence is counted: the whole day, or up to now for today."""
    start, end = day_bounds(center, day)
    return start, min(end, int(now))


def presence(conn, center: Center, day: dt.date, now: float) -> dict[str, tuple[int, int]]:
    """Seconds each officer held a counter that day, and how many of them paused, from the site's events."""
    start, end = presence_window(center, day, now)
    rows = conn.execute(
        f"SELECT kind, at, counter_number, officer FROM events WHERE at >= ? AND at < ?"
        f" AND kind IN ({', '.join('?' * len(COUNTER_EVENT_KINDS))}) ORDER BY seq",
        (start - PRESENCE_LOOKBACK, end, *COUNTER_EVENT_KINDS)).fetchall() if end > start else []
    return presence_of(rows, start, end)


def presence_of(counter_events, start: int, end: int) -> dict[str, tuple[int, int]]:
    """Seconds each officer held a counter in [start, end), and how many of them paused, from the counter events
    (recorded order) since PRESENCE_LOOKBACK before `start`: a counter still open at midnight counts from midnight."""
    held: dict[int, tuple[str, int]] = {}  # counter → (officer, since)
    paused: dict[int, int] = {}  # counter → pause start
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in counter_events:
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
    """Stored daily summaries over one connection of the caller's thread (reports run off the event loop).

    One row per day and dimension, so a report decodes only the dimensions it shows. Past days are computed
    outside any write transaction and written in a short one, so a report never holds up the queue's writes.
    Today is never stored (it changes all day): it is computed in memory and shared for TODAY_SECONDS.
    """

    def __init__(self, conn: sqlite3.Connection, center: Center, clock=time.time):
        self.conn, self.center, self.clock = conn, center, clock

    def days(self, first: dt.date, last: dt.date, dimensions=DIMENSIONS, rollups=True) -> dict[dt.date, dict]:
        """{day: {dimension: {key: figures}}} for [first, last] up to today, computing what is missing.

        With `rollups`, a whole past month in the range is one entry (keyed by its first day) read from its
        stored roll-up: a year report merges twelve months, not 365 days. Reports by day pass rollups=False.
        """
        today = dt.date.fromisoformat(self.center.local_date(self.clock()))
        last_past = min(last, today - dt.timedelta(days=1))
        wanted = set(dimensions) | {"center", "hour"}
        if first <= last_past:
            fresh = {r[0] for r in self.conn.execute(
                "SELECT local_date FROM summary_days WHERE stale = 0 AND local_date BETWEEN ? AND ?",
                (first.isoformat(), last_past.isoformat()))}
            for i in range((last_past - first).days + 1):
                day = first + dt.timedelta(days=i)
                if day.isoformat() not in fresh:
                    self.compute(day)
        result: dict[dt.date, dict] = {}
        day = first
        while day <= last_past:  # whole past months come from their roll-up, other days one by one
            month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if rollups and day.day == 1 and month_end <= last_past:
                result[day] = self.month(day, month_end, sorted(wanted))
                day = month_end + dt.timedelta(days=1)
                continue
            until = min(last_past, month_end)
            result.update(self._stored(day, until, sorted(wanted)))
            day = until + dt.timedelta(days=1)
        if first <= today <= last:
            result[today] = {d: figures for d, figures in self.today(today).items() if d in wanted}
        return result

    def _stored(self, first: dt.date, last: dt.date, dimensions: list[str]) -> dict[dt.date, dict]:
        result: dict[dt.date, dict] = {}
        marks = ",".join("?" * len(dimensions))
        for row in self.conn.execute(
                f"SELECT local_date, dimension, data FROM day_summaries WHERE local_date BETWEEN ? AND ?"
                f" AND dimension IN ({marks})", (first.isoformat(), last.isoformat(), *dimensions)):
            result.setdefault(dt.date.fromisoformat(row[0]), {})[row[1]] = json.loads(row[2])
        return result

    def month(self, first: dt.date, last: dt.date, dimensions: list[str]) -> dict:
        """A past month's figures per dimension, from its roll-up, built from its days when missing."""
        month = first.isoformat()[:7]
        marks = ",".join("?" * len(dimensions))
        stored = {row[0]: json.loads(row[1]) for row in self.conn.execute(
            f"SELECT dimension, data FROM month_summaries WHERE month = ? AND dimension IN ({marks})",
            (month, *dimensions))}
        missing = [d for d in dimensions if d not in stored]
        if missing:
            merged: dict[str, dict] = {d: {} for d in missing}
            for figures in self._stored(first, last, missing).values():
                for dimension, groups in figures.items():
                    for key, group in groups.items():
                        merge_groups(merged[dimension].setdefault(key, empty_group()), group)
            for groups in merged.values():  # one histogram per group: a year report reads twelve, not 300
                for group in groups.values():
                    for name in TIMES:
                        group[name] = flatten(group[name])
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO month_summaries (month, dimension, data) VALUES (?, ?, ?)",
                    [(month, d, json.dumps(g, ensure_ascii=False, separators=(",", ":"))) for d, g in merged.items()])
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            stored.update(merged)
        return stored

    def today(self, day: dt.date) -> dict:
        """Today's figures, recomputed at most every TODAY_SECONDS for all reports of this database."""
        key = (self.conn.execute("PRAGMA database_list").fetchone()[2], day)
        with _today_lock:
            cached = _today_cache.get(key)
            if cached and cached[0] > time.monotonic():
                return cached[1]
        figures = compute_day(self.conn, self.center, day, self.clock())
        with _today_lock:
            _today_cache[key] = (time.monotonic() + TODAY_SECONDS, figures)
        return figures

    def compute(self, day: dt.date):
        """Compute a past day and store it. Marked fresh first: a change made meanwhile marks it stale again."""
        iso = day.isoformat()
        self.conn.execute("INSERT OR REPLACE INTO summary_days (local_date, stale, computed_at) VALUES (?, 0, ?)",
                          (iso, int(self.clock())))
        data = compute_day(self.conn, self.center, day, self.clock())  # reads only: no lock held
        rows = [(iso, dimension, json.dumps(figures, ensure_ascii=False, separators=(",", ":")))
                for dimension, figures in data.items()]
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("DELETE FROM day_summaries WHERE local_date = ?", (iso,))
            self.conn.execute("DELETE FROM month_summaries WHERE month = ?", (iso[:7],))  # rebuilt when next read
            self.conn.executemany("INSERT INTO day_summaries (local_date, dimension, data) VALUES (?, ?, ?)", rows)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def stale_days(self, before: dt.date) -> list[dt.date]:
        """Past days, from the first ticket on, whose summary is missing or stale: the closing-time job's work."""
        first = self.conn.execute("SELECT min(local_date) FROM tickets").fetchone()[0]
        if first is None:
            return []
        fresh = {r[0] for r in self.conn.execute("SELECT local_date FROM summary_days WHERE stale = 0")}
        start = dt.date.fromisoformat(first)
        return [start + dt.timedelta(days=i) for i in range((before - start).days)
                if (start + dt.timedelta(days=i)).isoformat() not in fresh]


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
