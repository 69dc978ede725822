"""The provincial hub under the province's load, as ratios to bare PostgreSQL doing the same work in the same run.

A province of 212 sites (the demo province, server/hub/demo.py: 1 provincial center at ~1,500 tickets a working day,
11 district offices at ~200, 200 commune offices at ~20), each site's history written by the site's own code
(bench/generate_history.py through server.core.store.Store) into its own SQLite file, on a throwaway PostgreSQL
cluster (tests/pg.py; the same cluster holds the hub's tables and the bare baseline tables, so its settings cancel
out). Measured, each against its baseline:

1. ingest: the provincial center's week through the site's outbox (read_batch, 500 events a batch, as the pusher
   sends) into the hub's ingest (server/hub/ingest.py, in process), against a bare COPY of the same rows (events,
   tickets, ratings) into tables of the same columns and keys without the hub's rules — goal ≥ 0,5× its rows/s;
2. catch-up: the same week sent over HTTP to a real hub process, batch after batch as a site a week behind does,
   against the same bare COPY;
3. lag: every site (212) records queue actions through its real core (server.core.queue on its own SQLite file)
   and pushes what is new every 5 s to one hub process over HTTP; lag = from the site's write to the hub's answer
   (the batch is committed, so visible), p50/p99/max, after every site's first batch (its labels) has arrived;
   baseline: the same sites writing the same events straight into a bare table every 5 s (the 5-second interval
   is most of both);
4. reports: the province's month and year reports by site (server/hub/reports.py) — cold (every site-day
   summarised first), warm (stored summaries and month roll-ups) — against the bare SQL GROUP BY of the same
   figures (counts, exact median and p90 of waits with percentile_cont, ratings per level); the figures are
   checked equal site by site;
5. stress: the province ten times larger (2,120 sites: each site's rows copied under ten site ids) for a slice of
   the period (its first three days; --full: the last month of the three years, only that month's rows copied,
   so that the run fits a working session: a whole year of 2,120 sites is 20–95 min of summarising on 2 cores,
   by their load), the report by site against the same bare SQL.

    .venv/bin/python bench/bench_hub.py                  # a month of history (September 2025), ~15 min on 2 cores
    .venv/bin/python bench/bench_hub.py --full           # three years (2023–2025), 15–60 min on 2 cores
    .venv/bin/python bench/bench_hub.py --days 10 --lag-seconds 20 --no-record   # a quick look

Timings are wall time on a machine shared with other work: compare ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import requests  # noqa: E402

from bench.benchmarks_file import BENCHMARKS, record  # noqa: E402
from bench.generate_history import generate_history  # noqa: E402
from server.core.center import load_center  # noqa: E402
from server.core.outbox import RATING_COLUMNS, TICKET_COLUMNS, labels, read_batch  # noqa: E402
from server.core.queue import Queue, QueueRefused  # noqa: E402
from server.core.reports import make_period, minutes  # noqa: E402
from server.core.store import Store  # noqa: E402
from server.hub import reports as hub_reports  # noqa: E402
from server.hub import sites as hub_sites  # noqa: E402
from server.hub.demo import DemoSite, province_sites  # noqa: E402
from server.hub.ingest import ingest  # noqa: E402
from server.hub.schema import migrate  # noqa: E402
from tests.hub_live import LiveHub  # noqa: E402
from tests.live import SMALL_CENTER  # noqa: E402
from tests.pg import ThrowawayCluster  # noqa: E402

PUSH_SECONDS = 5
BATCH_EVENTS = 500  # the site pusher's batch (server/core/outbox.py BATCH_EVENTS)
EVENT_COLUMNS = ("seq", "at", "kind", "ticket_id", "counter_number", "officer", "payload")
STRESS_FACTOR = 10
AT_ONCE_SITES = 4  # sites delivering at once in the concurrent ingest measure
# Bare tables: the facts' columns and primary keys, none of the hub's rules, triggers or indexes.
BARE_TABLES = """
CREATE TABLE bare_events (site_id int, seq bigint, at bigint, kind text, ticket_id bigint, counter_number int,
    officer text, payload jsonb, PRIMARY KEY (site_id, seq));
CREATE TABLE bare_tickets (LIKE site_tickets INCLUDING DEFAULTS, PRIMARY KEY (site_id, id));
CREATE TABLE bare_ratings (LIKE site_ratings INCLUDING DEFAULTS, PRIMARY KEY (site_id, id));
"""


def say(text: str):
    print(text, flush=True)


# ----- the province's history --------------------------------------------------------------------------------


def write_histories(province: list[DemoSite], folder: Path, first_day: dt.date, days: int, events_for=()) -> dict:
    """Each site's SQLite file with `days` working days from `first_day` (ticket events for the codes in
    `events_for`: they are delivered through the outbox); {code: (path, center)}."""
    files = {}
    for index, site in enumerate(province):
        center_file = folder / f"{site.code}.toml"
        center_file.write_text(site.toml, encoding="utf-8")
        center = load_center(center_file)
        path = folder / f"{site.code}.db"
        tickets = site.daily_tickets * days
        generate_history(path, center, tickets=tickets, ratings=int(tickets * 0.34), days=days, first_day=first_day,
                         seed=1000 + index, ticket_events=site.code in events_for)
        files[site.code] = (path, center)
        if index % 50 == 0:
            say(f"  history: {index + 1}/{len(province)} sites")
    return files


def copy_site(conn, site_id: int, path: Path, center, tables=("site_tickets", "site_ratings", "site_events")):
    """The fast path for the reports' dataset: a site's rows COPYed as the ingest stores them, its labels too."""
    db = sqlite3.connect(path)
    try:
        with conn.transaction(), conn.cursor() as cursor:
            with cursor.copy(f"COPY {tables[0]} (site_id, {', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                for row in db.execute(f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets"):
                    copy.write_row((site_id, *row))
            with cursor.copy(f"COPY {tables[1]} (site_id, {', '.join(RATING_COLUMNS)}) FROM STDIN") as copy:
                for row in db.execute(f"SELECT {', '.join(RATING_COLUMNS)} FROM ratings"):
                    copy.write_row((site_id, *row))
            events = tables[2] == "site_events"
            extra = ", digest, received_at" if events else ""
            with cursor.copy(f"COPY {tables[2]} (site_id, {', '.join(EVENT_COLUMNS)}{extra}) FROM STDIN") as copy:
                for row in db.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events"):
                    copy.write_row((site_id, *row, *(("", 0) if events else ())))
            if tables[0] == "site_tickets":
                cursor.executemany("INSERT INTO site_labels (site_id, kind, code, name, target_wait_minutes)"
                                   " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                                   [(site_id, r["kind"], r["code"], r["name"], r.get("target_wait_minutes"))
                                    for r in labels(center)])
    finally:
        db.close()


def grant_all(conn, province: list[DemoSite]) -> dict[str, tuple[int, str]]:
    """Every site granted at the hub: {code: (site id, token)}."""
    granted = {}
    for site in province:
        token = hub_sites.grant(conn, site.code, site.name, site.level, site.district)
        granted[site.code] = (hub_sites.authenticate(conn, token, site.code), token)
    return granted


# ----- 1, 2: ingest and catch-up -----------------------------------------------------------------------------


def batches_of(path: Path, center, limit: int = BATCH_EVENTS) -> list[dict]:
    """Every batch a site would send from the start, read from its outbox."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        found, after = [], 0
        while True:
            batch = read_batch(db, center, after, limit, with_labels=after == 0)
            if not batch["events"]:
                return found
            found.append(batch)
            after = batch["through"]
    finally:
        db.close()


class Stopwatch:
    """Wall seconds of a block, and the CPU seconds it cost this process and the connection's PostgreSQL backend
    (from /proc: the cluster runs on this machine; None where it cannot be read). CPU is the steadier measure on a
    machine shared with other work: the wall time of both sides stretches with the load."""

    def __init__(self, conn):
        self.backend = conn.info.backend_pid

    def _backend_cpu(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.backend}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def __enter__(self):
        self.wall, self.cpu, self.pg = time.perf_counter(), time.process_time(), self._backend_cpu()
        return self

    def __exit__(self, *exc):
        pg = self._backend_cpu()
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.pg = pg - self.pg if pg is not None and self.pg is not None else None

    @property
    def both_cpu(self) -> float | None:
        return self.cpu + self.pg if self.pg is not None else None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def bare_copy(conn, site_id: int, batches: list[dict]) -> tuple[Stopwatch, int]:
    """COPY the rows of these batches into the bare tables (newest state of each ticket); its stopwatch and rows."""
    tickets = {t["id"]: t for b in batches for t in b["tickets"]}
    ratings = {r["id"]: r for b in batches for r in b["ratings"]}
    events = [e for b in batches for e in b["events"]]
    with Stopwatch(conn) as watch, conn.transaction(), conn.cursor() as cursor:
        with cursor.copy(f"COPY bare_events (site_id, {', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for e in events:
                copy.write_row((site_id, *(json.dumps(e[c], ensure_ascii=False) if c == "payload" else e[c]
                                           for c in EVENT_COLUMNS)))
        with cursor.copy(f"COPY bare_tickets (site_id, {', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
            for t in tickets.values():
                copy.write_row((site_id, *(t[c] for c in TICKET_COLUMNS)))
        with cursor.copy(f"COPY bare_ratings (site_id, {', '.join(RATING_COLUMNS)}) FROM STDIN") as copy:
            for r in ratings.values():
                copy.write_row((site_id, *(json.dumps(r[c], ensure_ascii=False) if c == "reasons" else r[c]
                                           for c in RATING_COLUMNS)))
    return watch, len(events) + len(tickets) + len(ratings)


def measure_ingest(dsn: str, batches: list[dict], rounds: int) -> dict:
    """`rounds` times, each on a site of its own: the hub's ingest of every batch, then the bare COPY of the same
    rows (the bare tables emptied first). Medians of the wall times and of the ratios, their range, and the CPU
    ratio (this process and the backend, both sides)."""
    runs = []
    for number in range(rounds):
        with psycopg.connect(dsn, autocommit=True) as conn:
            code = f"LSN-TT-INGEST-{number + 1}"  # not LSN-TT: that site gets the reports' history below
            site_id = hub_sites.authenticate(conn, hub_sites.grant(conn, code), code)
            conn.execute("TRUNCATE bare_events, bare_tickets, bare_ratings")
            with Stopwatch(conn) as hub:
                for batch in batches:
                    ingest(conn, site_id, batch)
            bare, rows = bare_copy(conn, site_id, batches)
        runs.append((hub, bare))
        say(f"  ingest round {number + 1}: hub {hub.wall:.2f} s (CPU {hub.cpu:.2f} + {hub.pg or 0:.2f}),"
            f" COPY {bare.wall:.2f} s (CPU {bare.cpu:.2f} + {bare.pg or 0:.2f})")
    ratios = sorted(bare.wall / hub.wall for hub, bare in runs)
    cpu = [bare.both_cpu / hub.both_cpu for hub, bare in runs if hub.both_cpu and bare.both_cpu is not None]
    return {"rounds": rounds, "rows": rows, "batches": len(batches), "events": sum(len(b["events"]) for b in batches),
            "ingest_s": statistics.median(hub.wall for hub, _ in runs),
            "copy_s": statistics.median(bare.wall for _, bare in runs),
            "ratio": statistics.median(ratios), "ratio_low": ratios[0], "ratio_high": ratios[-1],
            "cpu_ratio": statistics.median(cpu) if cpu else None}


def measure_concurrent_ingest(dsn: str, batches: list[dict], sites: int, rounds: int) -> dict:
    """Throughput with `sites` sites delivering at once, as a province's hub ingests (each site's batches in order
    on a connection of its own, the hub's threads in one process): the wall time for all of them against the same
    number of bare COPYs of the same rows run at once. Medians of `rounds` alternated rounds."""
    def at_once(work):
        threads = [threading.Thread(target=work, args=(n,)) for n in range(sites)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    hub_times, bare_times = [], []
    for number in range(rounds):
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("TRUNCATE bare_events, bare_tickets, bare_ratings")
            ids = [hub_sites.authenticate(conn, hub_sites.grant(conn, code), code)
                   for code in (f"LSN-TT-AT-ONCE-{number + 1}-{n + 1}" for n in range(sites))]

        def hub_site(n):
            with psycopg.connect(dsn, autocommit=True) as conn:
                for batch in batches:
                    ingest(conn, ids[n], batch)

        def bare_site(n):
            with psycopg.connect(dsn, autocommit=True) as conn:
                bare_copy(conn, ids[n], batches)

        hub_times.append(at_once(hub_site))
        bare_times.append(at_once(bare_site))
        say(f"  {sites} sites at once, round {number + 1}: hub {hub_times[-1]:.2f} s, COPY {bare_times[-1]:.2f} s")
    ratios = sorted(b / h for h, b in zip(hub_times, bare_times))
    return {"sites": sites, "rounds": rounds, "ingest_s": statistics.median(hub_times),
            "copy_s": statistics.median(bare_times), "ratio": statistics.median(ratios), "ratio_low": ratios[0],
            "ratio_high": ratios[-1]}


def measure_catch_up(hub: LiveHub, token: str, batches: list[dict]) -> float:
    """A site a week behind: every batch over HTTP, one after the other, each acknowledged before the next."""
    http = requests.Session()
    started = time.perf_counter()
    for batch in batches:
        answer = http.post(hub.url + "/api/hub/v1/batches", json=batch, timeout=120,
                           headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
    return time.perf_counter() - started


# ----- 3: lag from a site's write to the hub ---------------------------------------------------------------


class SimulatedSite(threading.Thread):
    """One site: its real core on its own SQLite file, queue actions at its level's pace, and every 5 s what is new
    sent to the hub (or, for the baseline, written straight into the bare table)."""

    RATES = {"tinh": 0.2, "huyen": 0.03, "xa": 0.006}  # tickets a second at the morning peak

    def __init__(self, site: DemoSite, folder: Path, until: float, deliver, rng: random.Random):
        super().__init__(daemon=True)
        self.site, self.until, self.deliver, self.rng = site, until, deliver, rng
        center_file = folder / f"{site.code}.toml"
        center_file.write_text(SMALL_CENTER.read_text(encoding="utf-8")
                               + f'\n[site]\ncode = "{site.code}"\nlevel = "{site.level}"\n'
                               + (f'district = "{site.district}"\n' if site.district else ""), encoding="utf-8")
        self.center = load_center(center_file)
        self.store = Store(folder / f"{site.code}.db")
        self.queue = Queue(self.center, self.store, time.time)
        self.written: dict[int, float] = {}  # seq → when the site wrote it
        self.lags: list[float] = []
        self.after = 0
        self.failures = 0

    def act(self):
        """A citizen takes a number, or the officer moves on: finishes the citizen served, starts serving the one
        called, or calls the next."""
        if self.rng.random() < 0.6:
            return self.note(self.queue.issue("ly-lich"))
        for step in (self.queue.finish, self.queue.start_service, self.queue.call_next):
            try:
                return self.note(step(1, "an"))
            except QueueRefused:  # not in that state (or nobody waiting): the next step
                continue
        return None

    def note(self, outcome):
        now = time.time()
        for event in outcome.events:
            self.written[event.seq] = now

    def warm_up(self):
        """The counter opens and the site's first batch (with its labels) reaches the hub, before the measure: a
        province's sites do not all start in the same second."""
        self.note(self.queue.open_counter(1, "an"))
        self.push()
        self.lags.clear()

    def run(self):
        next_push = time.monotonic() + self.rng.uniform(0, PUSH_SECONDS)
        rate = self.RATES[self.site.level]
        while time.time() < self.until:
            if self.rng.random() < rate:
                self.act()
            if time.monotonic() >= next_push:
                next_push += PUSH_SECONDS
                self.push()
            time.sleep(1 - (time.time() % 1) if rate else 1)
        self.push()
        self.store.close()

    def push(self):
        with self.store.read() as conn:
            conn.isolation_level = None
            try:
                batch = read_batch(conn, self.center, self.after, BATCH_EVENTS, with_labels=self.after == 0)
            finally:
                conn.isolation_level = ""
        if not batch["events"]:
            return
        try:
            self.deliver(self, batch)
        except Exception:  # noqa: BLE001 — counted; the next push sends it again
            self.failures += 1
            return
        done = time.time()
        self.lags += [done - self.written[e["seq"]] for e in batch["events"] if e["seq"] in self.written]
        self.after = batch["through"]


def measure_lag(province, folder: Path, seconds: float, deliver) -> dict:
    rng = random.Random(5)
    sims = [SimulatedSite(site, folder, 0, deliver, random.Random(rng.random())) for site in province]
    for sim in sims:
        sim.warm_up()
    until = time.time() + seconds  # every site is known to the hub: the measure starts now
    for sim in sims:
        sim.until = until
    for sim in sims:
        sim.start()
    for sim in sims:
        sim.join(seconds + 120)
    lags = sorted(lag for sim in sims for lag in sim.lags)
    return {"events": len(lags), "failures": sum(s.failures for s in sims),
            "p50": statistics.median(lags) if lags else None,
            "p99": lags[int(len(lags) * 0.99)] if lags else None, "max": lags[-1] if lags else None}


def http_delivery(hub: LiveHub, tokens: dict):
    local = threading.local()

    def deliver(sim: SimulatedSite, batch: dict):
        if not hasattr(local, "http"):
            local.http = requests.Session()
        answer = local.http.post(hub.url + "/api/hub/v1/batches", json=batch, timeout=60,
                                 headers={"Authorization": f"Bearer {tokens[sim.site.code]}"})
        answer.raise_for_status()
    return deliver


def bare_delivery(dsn: str, site_ids: dict):
    local = threading.local()

    def deliver(sim: SimulatedSite, batch: dict):
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(dsn, autocommit=True)
        with local.conn.transaction(), local.conn.cursor() as cursor:
            cursor.executemany("INSERT INTO bare_events (site_id, seq, at, kind, ticket_id, counter_number, officer,"
                               " payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                               [(site_ids[sim.site.code], e["seq"], e["at"], e["kind"], e["ticket_id"],
                                 e["counter_number"], e["officer"], json.dumps(e["payload"])) for e in batch["events"]])
    return deliver


# ----- 4, 5: reports -------------------------------------------------------------------------------------------

BARE_REPORT = """
WITH t AS (
  SELECT t.site_id, t.transferred_from, t.state,
         CASE WHEN t.first_called_at IS NOT NULL THEN greatest(t.first_called_at - t.issued_at, 0) END AS wait,
         (t.first_called_at - t.issued_at) <= 60 * l.target_wait_minutes AS within
  FROM site_tickets t LEFT JOIN site_labels l
    ON l.site_id = t.site_id AND l.kind = 'service' AND l.code = t.service_code
  WHERE t.local_date BETWEEN %(first)s AND %(last)s AND t.site_id = ANY(%(sites)s)
), tickets AS (
  SELECT site_id, count(*) FILTER (WHERE transferred_from IS NULL) AS issued,
         count(*) FILTER (WHERE state = 'done') AS served, count(*) FILTER (WHERE state = 'no_show') AS no_show,
         count(wait) AS called, count(*) FILTER (WHERE within) AS within_target,
         sum(wait) AS wait_sum, max(wait) AS wait_max,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY wait) AS wait_median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY wait) AS wait_p90
  FROM t GROUP BY site_id
), ratings AS (
  SELECT site_id, count(*) AS rated, count(*) FILTER (WHERE level_name = 'Rất hài lòng') AS very,
         count(*) FILTER (WHERE level_name = 'Hài lòng') AS satisfied,
         count(*) FILTER (WHERE level_name = 'Không hài lòng') AS dissatisfied
  FROM site_ratings WHERE service_local_date BETWEEN %(first)s AND %(last)s AND site_id = ANY(%(sites)s)
  GROUP BY site_id
)
SELECT tickets.*, ratings.rated, ratings.very, ratings.satisfied, ratings.dissatisfied
FROM tickets LEFT JOIN ratings USING (site_id)
"""


def alternated(hub_work, bare_work, repeat: int) -> dict:
    """The hub's work and the bare one, one after the other `repeat` times (a change of load hits both): median
    wall times, the median and range of the rounds' ratios, and the last results."""
    hub_times, bare_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        hub_result = hub_work()
        hub_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare_result = bare_work()
        bare_times.append(time.perf_counter() - started)
    ratios = sorted(h / b for h, b in zip(hub_times, bare_times))
    return {"warm": statistics.median(hub_times), "bare": statistics.median(bare_times),
            "ratio": statistics.median(ratios), "ratio_low": ratios[0], "ratio_high": ratios[-1],
            "results": (hub_result, bare_result)}


def bare_report(conn, period, site_ids) -> dict:
    rows = conn.execute(BARE_REPORT, {"first": period.first.isoformat(), "last": period.last.isoformat(),
                                      "sites": site_ids}).fetchall()
    return {row[0]: row for row in rows}


def same_figures(report: dict, bare: dict, codes: dict) -> bool:
    """The hub's rows against the bare SQL's: counts, ratings, exact median and p90 (minutes, one decimal)."""
    for row in report["rows"]:
        b = bare[codes[row["key"]]]
        (_, issued, served, no_show, _called, within, _sum, wait_max, median, p90, rated, *_rest) = b
        hub_figures = (row["issued"], row["served"], row["no_show"], row["within_target"], row["rated"],
                       row["wait"]["max"], row["wait"]["median"], row["wait"]["p90"])
        # percentile_cont answers in floating point: its exact value is a multiple of 1/10 s
        bare_figures = (issued, served, no_show, within, rated or 0, minutes(wait_max),
                        minutes(Fraction(median).limit_denominator(10)), minutes(Fraction(p90).limit_denominator(10)))
        if hub_figures != bare_figures:
            say(f"  {row['key']}: hub {hub_figures} ≠ bare {bare_figures}")
            return False
    return True


def measure_reports(conn, period, site_ids: list[int], codes: dict, repeat: int) -> dict:
    """Cold (every site-day summarised now, roll-ups built), warm, and the bare SQL; figures compared."""
    conn.execute("UPDATE hub_summary_days SET stale = true WHERE site_id = ANY(%s)", (site_ids,))
    conn.execute("DELETE FROM hub_month_summaries WHERE site_id = ANY(%s)", (site_ids,))
    clock = lambda: dt.datetime(2030, 1, 1).timestamp()  # noqa: E731 — every day of the history is past
    started = time.perf_counter()
    hub_reports.HubSummaries(conn, clock).refresh(site_ids, period.first, period.last)
    summarise = time.perf_counter() - started
    started = time.perf_counter()
    generate = lambda: hub_reports.generate(conn, period, ("site",), site_codes=list(codes),  # noqa: E731
                                            clock=clock)["site"]
    report = generate()
    cold = time.perf_counter() - started + summarise
    rounds = alternated(generate, lambda: bare_report(conn, period, site_ids), repeat)
    report, bare = rounds.pop("results")
    return {"summarise": summarise, "cold": cold, **rounds,
            "rows": len(report["rows"]), "equal": same_figures(report, bare, codes)}


def stress_copy(conn, factor: int, site_ids: list[int], period=None) -> list[int]:
    """The province `factor` times: each site's rows (only those of `period` when given) copied under new site ids
    (new hub_sites rows)."""
    new_ids = []
    dates, moments = {"site_tickets": "", "site_ratings": ""}, ""
    if period is not None:
        first, last = period.first.isoformat(), period.last.isoformat()
        dates = {"site_tickets": f" AND local_date BETWEEN '{first}' AND '{last}'",
                 "site_ratings": f" AND service_local_date BETWEEN '{first}' AND '{last}'"}
        zone = hub_reports.HUB_TIMEZONE  # the sites' days, as the hub's reports cut them
        start = dt.datetime.combine(period.first, dt.time(), zone).timestamp() - 2 * 86400  # presence look-back
        end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(), zone).timestamp()
        moments = f" AND at >= {int(start)} AND at < {int(end)}"
    for copy in range(1, factor):
        for site_id in site_ids:
            code = f"STRESS-{copy}-{site_id}"
            new_id = conn.execute("INSERT INTO hub_sites (code, name, level, district) SELECT %s, name || %s, level,"
                                  " district FROM hub_sites WHERE id = %s RETURNING id",
                                  (code, f" ({copy})", site_id)).fetchone()[0]
            new_ids.append(new_id)
            for table in ("site_tickets", "site_ratings"):
                columns = [r[0] for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name"
                    " <> 'site_id' ORDER BY ordinal_position", (table,))]
                conn.execute(f"INSERT INTO {table} (site_id, {', '.join(columns)}) SELECT %s, {', '.join(columns)}"
                             f" FROM {table} WHERE site_id = %s{dates[table]}", (new_id, site_id))
            conn.execute("INSERT INTO site_events SELECT %s, seq, at, kind, ticket_id, counter_number, officer,"
                         " payload, digest, received_at FROM site_events WHERE site_id = %s"
                         f" AND kind LIKE 'counter_%%'{moments}", (new_id, site_id))
            conn.execute("INSERT INTO site_labels SELECT %s, kind, code, name, target_wait_minutes FROM site_labels"
                         " WHERE site_id = %s", (new_id, site_id))
    return site_ids + new_ids


# ----- the run -------------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="three years of history, the stress province's last month")
    parser.add_argument("--days", type=int, help="working days of history (default 22: September 2025)")
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--lag-seconds", type=float, default=60, help="how long the 212 sites push (60 s)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each warm report and its bare SQL (5)")
    parser.add_argument("--ingest-rounds", type=int, default=5, help="rounds of the ingest and its bare COPY (5)")
    parser.add_argument("--no-record", action="store_true", help=f"do not write {BENCHMARKS.name}")
    args = parser.parse_args(argv)
    days = args.days or (780 if args.full else 22)
    first_day = dt.date(2023, 1, 2) if args.full else dt.date(2025, 9, 1)
    province = province_sites(args.communes)
    results: dict = {"days": days, "sites": len(province)}
    load_before = open("/proc/loadavg").read().split()[:3]
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as scratch, ThrowawayCluster() as cluster:
        folder = Path(scratch)
        dsn = cluster.create_database("hub")
        migrate(dsn)
        say(f"history: {len(province)} sites × {days} working days from {first_day}")
        started = time.perf_counter()
        (folder / "week").mkdir()
        week = write_histories(province[:1], folder / "week", first_day, 6, events_for={"LSN-TT"})
        files = write_histories(province, folder, first_day, days)
        results["generate_seconds"] = time.perf_counter() - started

        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(BARE_TABLES)
            granted = grant_all(conn, province)

        # 1. ingest vs bare COPY (the provincial center's week, 500-event batches)
        path, center = week["LSN-TT"]
        batches = batches_of(path, center)
        for batch in batches:
            batch["site"] = None
        results["ingest"] = measure_ingest(dsn, batches, args.ingest_rounds)
        copy_seconds = results["ingest"]["copy_s"]
        say(f"ingest: {results['ingest']}")
        results["ingest_at_once"] = measure_concurrent_ingest(dsn, batches, AT_ONCE_SITES, args.ingest_rounds)
        say(f"ingest, {AT_ONCE_SITES} sites at once: {results['ingest_at_once']}")

        # 2. catch-up over HTTP, and 3. lag, against one hub process
        hub = LiveHub(dsn, folder / "hub.log", env={"HANGDOI_HUB_THREADS": "16"}).start(timeout=60)
        try:
            code = "LSN-TT-CATCHUP"
            with psycopg.connect(dsn, autocommit=True) as conn:
                token = hub_sites.grant(conn, code, "Bắt kịp một tuần", "tinh", None)
            for batch in batches:
                batch["site"] = {"code": code, "name": "Bắt kịp một tuần", "level": "tinh", "district": None}
            catch_up = measure_catch_up(hub, token, batches)
            results["catch_up"] = {"seconds": catch_up, "events": results["ingest"]["events"], "copy_s": copy_seconds}
            say(f"catch-up of a week over HTTP: {catch_up:.1f} s")
            lag_sites = folder / "lag"
            lag_sites.mkdir()
            live = [DemoSite(s.code + "-LIVE", s.name, s.level, s.district, s.toml) for s in province]
            with psycopg.connect(dsn, autocommit=True) as conn:
                lag_tokens = {s.code: hub_sites.grant(conn, s.code, s.name, s.level, s.district) for s in live}
            results["lag"] = measure_lag(live, lag_sites, args.lag_seconds, http_delivery(hub, lag_tokens))
            say(f"lag through the hub: {results['lag']}")
        finally:
            hub.stop()
        bare_sites = folder / "lag-bare"
        bare_sites.mkdir()
        bare_ids = {s.code: 100000 + i for i, s in enumerate(live)}
        results["lag_bare"] = measure_lag(live, bare_sites, args.lag_seconds, bare_delivery(dsn, bare_ids))
        say(f"lag straight into PostgreSQL: {results['lag_bare']}")

        # 4. reports: the history COPYed (the reports' dataset), month and year by site
        with psycopg.connect(dsn, autocommit=True) as conn:
            started = time.perf_counter()
            for site in province:
                copy_site(conn, granted[site.code][0], *files[site.code])
            results["copy_history_s"] = time.perf_counter() - started
            site_ids = [granted[s.code][0] for s in province]
            codes = {s.code: granted[s.code][0] for s in province}
            last_day = dt.date.fromisoformat(conn.execute(
                "SELECT max(local_date) FROM site_tickets WHERE site_id = ANY(%s)", (site_ids,)).fetchone()[0])
            month = make_period("month", last_day)
            year = make_period("year", last_day)
            for name, period in (("month", month), ("year", year)):
                results[name] = {"period": period.name, **measure_reports(conn, period, site_ids, codes, args.repeat)}
                say(f"{name} report by site: {results[name]}")
            # 5. stress: ten times the sites, three days (with --full the last month)
            slice_period = month if args.full else make_period("custom", first_day, first_day + dt.timedelta(days=2))
            # --full copies the month's rows alone: the bare SQL then scans a smaller table than a province with
            # three years would hold (a harder baseline for the hub, whose summaries are per site-day either way)
            stress_ids = stress_copy(conn, STRESS_FACTOR, site_ids, slice_period if args.full else None)
            stress_codes = {code: sid for code, sid in conn.execute(
                "SELECT code, id FROM hub_sites WHERE id = ANY(%s)", (stress_ids,))}
            results["stress"] = {"sites": len(stress_ids), "period": slice_period.name,
                                 **measure_reports(conn, slice_period, stress_ids, stress_codes, args.repeat)}
            say(f"stress report by site: {results['stress']}")
    results["load"] = (load_before, open("/proc/loadavg").read().split()[:3])
    print(json.dumps(results, indent=1, default=str))
    if not args.no_record:
        # --full keeps a section of its own: the default run (a month) is the one repeated after each change
        record("hub-full" if args.full else "hub", section(results, args))


def section(r: dict, args) -> str:
    """The BENCHMARKS.md section of this run."""
    def ratio(a, b):
        return f"{a / b:.2f}×" if b else "–"
    i, c, lag, bare = r["ingest"], r["catch_up"], r["lag"], r["lag_bare"]
    a = r["ingest_at_once"]
    cpu = f"; CPU of both processes {i['cpu_ratio']:.2f}×" if i.get("cpu_ratio") is not None else ""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                            check=False).stdout
    lines = [
        "## Provincial hub, three years (bench/bench_hub.py --full)" if args.full
        else "## Provincial hub (bench/bench_hub.py)",
        "",
        f"Run {dt.date.today()} at {commit.strip()}, {platform.processor() or platform.machine()}, load average"
        f" {' '.join(r['load'][0])} → {' '.join(r['load'][1])} (a machine shared with other work: compare the"
        f" ratios of one run). Province: {r['sites']} sites (1 provincial center at 1,500 tickets a working day, 11"
        f" districts at 200, {r['sites'] - 12} communes at 20), {r['days']} working days of history"
        f" ({'--full' if args.full else 'the default; --full is three years'}), generated by the site's code in"
        f" {r['generate_seconds']:.0f} s. PostgreSQL: the throwaway cluster of tests/pg.py (fsync off for hub and"
        " baseline alike).",
        "",
        "| measure | hub | bare PostgreSQL | ratio | goal |",
        "|---|---|---|---|---|",
        f"| ingest of the provincial center's week ({i['batches']} batches of {BATCH_EVENTS} events, {i['rows']:,}"
        f" rows; medians of {i['rounds']} rounds) | {i['ingest_s']:.2f} s ({i['rows'] / i['ingest_s']:,.0f} rows/s)"
        f" | COPY {i['copy_s']:.2f} s ({i['rows'] / i['copy_s']:,.0f} rows/s) | {i['ratio']:.2f}× of COPY's"
        f" throughput (rounds {i['ratio_low']:.2f}–{i['ratio_high']:.2f}{cpu}) | ≥ 0,5× |",
        f"| ingest with {a['sites']} sites delivering the same week at once (each in order on its own connection;"
        f" medians of {a['rounds']} rounds) | {a['ingest_s']:.2f} s ({a['sites'] * i['rows'] / a['ingest_s']:,.0f}"
        f" rows/s) | {a['sites']} COPYs at once {a['copy_s']:.2f} s | {a['ratio']:.2f}× of their throughput (rounds"
        f" {a['ratio_low']:.2f}–{a['ratio_high']:.2f}) | ≥ 0,5× |",
        f"| catch-up of a site a week behind, over HTTP to one hub process | {c['seconds']:.1f} s"
        f" ({c['events'] / c['seconds']:,.0f} events/s) | COPY {c['copy_s']:.2f} s |"
        f" {ratio(c['seconds'], c['copy_s'])} the time | – |",
        f"| lag p99 from a site's write to the hub's commit, {r['sites']} sites pushing every {PUSH_SECONDS} s for"
        f" {args.lag_seconds:.0f} s ({lag['events']:,} events, {lag['failures']} failed pushes) |"
        f" p50 {lag['p50']:.2f} s, p99 {lag['p99']:.2f} s, max {lag['max']:.2f} s |"
        f" p50 {bare['p50']:.2f} s, p99 {bare['p99']:.2f} s, max {bare['max']:.2f} s |"
        f" {ratio(lag['p99'], bare['p99'])} | – |",
    ]
    for name in ("month", "year", "stress"):
        m = r[name]
        label = {"month": "month report by site", "year": "year report by site",
                 "stress": f"stress: {m.get('sites', 0):,} sites, report by site"}[name]
        lines.append(f"| {label} ({m['period']}, {m['rows']} rows; figures equal to the bare SQL: "
                     f"{'yes' if m['equal'] else 'NO'}) | warm {m['warm']:.3f} s; cold {m['cold']:.1f} s (of which"
                     f" summarising the site-days {m['summarise']:.1f} s) | GROUP BY {m['bare']:.3f} s |"
                     f" warm {m['ratio']:.2f}× (rounds {m['ratio_low']:.2f}–{m['ratio_high']:.2f}), cold"
                     f" {ratio(m['cold'], m['bare'])} | ≤ 1,5× |")
    lines += [
        "",
        "Ingest is the hub's whole path in process (shape checks, the digest of every event, the batch's statements"
        " over JSON arrays in one pipelined round trip, upserts, acked_seq, the summaries' stale marks); the bare"
        " COPY writes the same rows (each ticket once, in its newest state) into tables with the same keys and"
        " nothing else, in one transaction; each round is a site of its own, and the CPU ratio counts this process"
        " and the PostgreSQL backend on both sides. Catch-up adds HTTP and JSON. The lag of both columns is mostly the"
        f" {PUSH_SECONDS}-second push interval. Reports: warm = site-day summaries and month roll-ups already stored"
        " (what a leader meets: the summaries follow the facts as they arrive), each round followed by the bare SQL,"
        " times and ratio the rounds' medians; cold = every site-day of the period"
        " summarised first with the site's code; the bare SQL computes the same counts and exact percentiles"
        " (percentile_cont) in one GROUP BY, and each run checks the figures equal site by site.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
