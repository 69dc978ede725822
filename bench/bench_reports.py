"""Reports on a year of history: the closing-time summaries job, day/month/year reports, Excel exports, raw SQLite
baselines, and whether a queue write stalls while a report runs.

The history (bench/generate_history.py: 1,000,000 tickets, 400,000 ratings over the ~300 working days of 2025 at
the 70-counter center bench/centers/history.toml) is generated once and cached under bench/results/ (not
committed); each run copies it to a work file so the closing job starts cold (no summary stored).

    .venv/bin/python bench/bench_reports.py                 # everything, 5 repetitions, records BENCHMARKS.md
    .venv/bin/python bench/bench_reports.py --repeat 7 --no-record
    .venv/bin/python bench/bench_reports.py --profile       # + cProfile of a cold day and a warm year report
    .venv/bin/python bench/bench_reports.py --tickets 100000 --ratings 40000 --no-record   # a quick look

Every timing is wall time (what a leader waits for) and the thread's CPU time (time.thread_time: what the work
costs on an idle core; on a shared machine wall time also holds the time spent waiting for a core).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_file import BENCHMARKS, record  # noqa: E402
from bench.generate_history import GENERATOR_VERSION, HISTORY_CENTER, generate_history  # noqa: E402
from bench.queue_writes import issue_write, writer_connection  # noqa: E402
from server.core.center import load_center  # noqa: E402
from server.core.exports import to_xlsx  # noqa: E402
from server.core.reports import comments, generate, make_period  # noqa: E402
from server.core.store import Store  # noqa: E402
from server.core.summaries import Summaries, summarize_past_days  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GROUPINGS = ("department", "service", "officer", "department_officer", "hour")
TARGET_MS = {"day": 50, "month": 200, "year": 1000}
PROBE_WRITES = 200
PROBE_SPACING_S = 0.01


# ----- measuring ---------------------------------------------------------------------------------------------

def timed(fn, cpu_clock=time.thread_time):
    wall, cpu = time.perf_counter(), cpu_clock()
    result = fn()
    return result, (time.perf_counter() - wall) * 1000, (cpu_clock() - cpu) * 1000


def measure(name: str, fn, repeat: int, warmup: int = 1, target: float | None = None, group: str = "",
            cpu_clock=time.thread_time) -> dict:
    """`repeat` timed runs after `warmup` untimed ones; prints and returns min/median wall and CPU in ms."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        _, wall, cpu = timed(fn, cpu_clock)
        walls.append(wall)
        cpus.append(cpu)
    row = {"name": name, "group": group, "reps": repeat, "min": min(walls), "median": statistics.median(walls),
           "max": max(walls), "cpu_median": statistics.median(cpus), "cpu_min": min(cpus), "target": target}
    print(f"  {name:<58} min {row['min']:9.1f}  median {row['median']:9.1f}  max {row['max']:9.1f} ms"
          f"  (CPU median {row['cpu_median']:8.1f} ms){'' if target is None else f'  target < {target:g} ms'}",
          flush=True)
    return row


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


# ----- the history ---------------------------------------------------------------------------------------------

def history(args) -> tuple[Path, dict]:
    """The cached history database for these arguments, generated if missing, and its generation facts."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = (f"history-v{GENERATOR_VERSION}-{args.tickets}t-{args.ratings}r-{args.year}-s{args.seed}"
            f"{'-events' if args.ticket_events else ''}.db")
    path = Path(args.cache_dir) / name
    facts_path = path.with_suffix(".json")
    if path.exists() and facts_path.exists():
        print(f"history: {path} (cached)")
        return path, json.loads(facts_path.read_text())
    print(f"history: generating {path} …", flush=True)
    partial = path.with_suffix(".partial.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)

    def progress(done, total, rows):
        print(f"\r  {done}/{total} days, {rows:,} tickets", end="", flush=True)

    stats = generate_history(partial, HISTORY_CENTER, args.tickets, args.ratings, args.year, seed=args.seed,
                             ticket_events=args.ticket_events, progress=progress)
    print()
    os.replace(partial, path)
    facts = {"tickets": stats.tickets, "issued": stats.issued, "ratings": stats.ratings, "events": stats.events,
             "days": stats.days, "first_day": stats.first_day.isoformat(), "last_day": stats.last_day.isoformat(),
             "busiest_day": stats.busiest_day.isoformat(), "busiest_rows": stats.busiest_rows,
             "load_seconds": round(stats.seconds, 1), "generated_at": dt.datetime.now(dt.UTC).isoformat(),
             "ticket_events": args.ticket_events}
    facts_path.write_text(json.dumps(facts, indent=1))
    print(f"  load time {stats.seconds:.1f} s")
    return path, facts


def fixed_clock(moment: dt.datetime):
    at = moment.timestamp()
    return lambda: at


# ----- phases ------------------------------------------------------------------------------------------------

def closing_job(store, center, clock) -> dict:
    """summarize_past_days once on a database without summaries, timing each day it computes."""
    per_day = []
    original = Summaries.compute

    def compute(self, day):
        wall, cpu = time.perf_counter(), time.thread_time()
        original(self, day)
        per_day.append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))

    Summaries.compute = compute
    try:
        days, wall, cpu = timed(lambda: summarize_past_days(store, center, clock))
    finally:
        Summaries.compute = original
    walls, cpus = [w for w, _ in per_day], [c for _, c in per_day]
    result = {"days": days, "wall_ms": wall, "cpu_ms": cpu,
              "day_wall_median": statistics.median(walls), "day_wall_p90": percentile(walls, 90),
              "day_wall_max": max(walls), "day_cpu_median": statistics.median(cpus)}
    print(f"  closing job: {days} days in {wall / 1000:.1f} s wall ({cpu / 1000:.1f} s CPU); per day median"
          f" {result['day_wall_median']:.0f} ms, p90 {result['day_wall_p90']:.0f} ms, max {result['day_wall_max']:.0f}"
          f" ms wall (CPU median {result['day_cpu_median']:.0f} ms)", flush=True)
    return result


def summary_days_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM summary_days").fetchone()[0]


def probe_writes(path: str, count: int, spacing: float) -> dict:
    """`count` queue writes `spacing` seconds apart on their own connection; latencies in ms, and how many failed
    ("database is locked")."""
    conn = writer_connection(path)
    latencies, failed = [], 0
    try:
        for _ in range(count):
            start = time.perf_counter()
            failed += not issue_write(conn)
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(spacing)
    finally:
        conn.close()
    return {"latencies": latencies, "failed": failed}


def stall_test(name: str, path: Path, report, writer: str) -> dict:
    """Run `report` over and over in a thread while 200 probe writes run (in this process or another one)."""
    stop = threading.Event()
    reports, errors = [], []

    def loop():
        while not stop.is_set():
            try:
                result, wall, _ = timed(report)
                reports.append(wall)
                if isinstance(result, int) and result:  # the screen: how many of its requests failed
                    errors.extend([f"{result} of {len(GROUPINGS)} requests failed"] * result)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(repr(exc))

    thread = None
    if report is not None:
        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        time.sleep(0.05)
    try:
        if writer == "thread":
            probe = probe_writes(str(path), PROBE_WRITES, PROBE_SPACING_S)
        else:
            out = subprocess.run([sys.executable, __file__, "--probe-writer", str(path)], capture_output=True,
                                 text=True, check=True).stdout
            probe = json.loads(out)
    finally:
        stop.set()
        if thread:
            thread.join()
    latencies = probe["latencies"]
    row = {"name": name, "writer": writer, "n": len(latencies), "p50": statistics.median(latencies),
           "p99": percentile(latencies, 99), "max": max(latencies), "over_50": sum(1 for x in latencies if x > 50),
           "failed": probe["failed"], "reports": len(reports),
           "report_median": statistics.median(reports) if reports else None, "report_errors": errors}
    print(f"  {name:<62} [{writer}] writes p50 {row['p50']:6.1f}  p99 {row['p99']:7.1f}  max {row['max']:7.1f} ms,"
          f" {row['over_50']} > 50 ms, {row['failed']} failed; {row['reports']} reports ran"
          f"{f', {len(errors)} failed: {errors[0]}' if errors else ''}", flush=True)
    return row


def profile(label: str, fn, out: Path, lines: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    out.write_text(text.getvalue())
    print(f"  profile of {label}: {out.relative_to(ROOT)}")
    return text.getvalue()


# ----- report ------------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"nproc {os.cpu_count()} ({cpu}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
            f" Linux {platform.release()}")


def fmt(ms: float | None) -> str:
    if ms is None:
        return "—"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def verdict(row: dict) -> str:
    if row["target"] is None:
        return "—"
    return f"< {row['target']:,.0f} ms: {'yes' if row['median'] < row['target'] else '**no**'}" \
           f" (CPU: {'yes' if row['cpu_median'] < row['target'] else '**no**'})"


def markdown(args, facts, db_bytes, load, closing, rows, stalls, summary_facts, started, command) -> str:
    out = ["## Reports (bench/bench_reports.py)", "",
           f"Command: `{command}` — {started:%Y-%m-%d %H:%M} UTC", "",
           f"Machine: {machine()}. Load average at start/end: {load[0]} / {load[1]} — the machine is shared with"
           " other engineers' test runs, so wall times include waiting for a core; the CPU column (the thread's own"
           " CPU time) is what the work costs on an idle core.", "",
           f"History: bench/generate_history.py (seed {args.seed}), center bench/centers/history.toml (18"
           f" departments, 30 services, 70 counters, 78 officers): {facts['tickets']:,} ticket rows"
           f" ({facts['issued']:,} numbers issued, the rest re-queued after a transfer), {facts['ratings']:,}"
           f" ratings, {facts['events']:,} events"
           f"{' (every ticket event)' if facts.get('ticket_events') else ' (counter open/pause/resume/close only)'}"
           f", {facts['days']} working days {facts['first_day']} … {facts['last_day']}, busiest day"
           f" {facts['busiest_day']} ({facts['busiest_rows']:,} tickets); database {db_bytes / 2**20:,.0f} MiB;"
           f" generated in {facts['load_seconds']:.0f} s. Reports use a fixed clock on {args.year + 1}-01-05 (every"
           f" day of {args.year} is past). {args.repeat} repetitions after one warm-up; milliseconds.", "",
           f"**Closing-time job, cold** (`summarize_past_days` on a copy with no summary stored, once):"
           f" {closing['days']} days in {closing['wall_ms'] / 1000:,.1f} s wall ({closing['cpu_ms'] / 1000:,.1f} s"
           f" CPU); per day median {fmt(closing['day_wall_median'])} ms, p90 {fmt(closing['day_wall_p90'])} ms, max"
           f" {fmt(closing['day_wall_max'])} ms wall (CPU median {fmt(closing['day_cpu_median'])} ms). Stored"
           f" summaries: {summary_facts['days']} days, mean {summary_facts['mean_kib']:.0f} KiB of JSON a day"
           f" ({summary_facts['total_mib']:.0f} MiB).", "",
           "*× SQL* = the report's median wall time ÷ the median of the raw SQL baseline of the same period measured"
           " in the same run (one aggregate over the period's tickets: what any report of that period would cost"
           " without stored summaries).", "",
           "| measurement | min | median | median CPU | × SQL | target (median wall, CPU) |",
           "|---|---:|---:|---:|---:|---|"]
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            out.append(f"| **{group}** | | | | | |")
        failures = f" — **{row['failures']} requests failed**" if row.get("failures") else ""
        ratio = f"{row['median'] / row['baseline']:.2f}" if row.get("baseline") else "—"
        out.append(f"| {row['name']}{failures} | {fmt(row['min'])} | {fmt(row['median'])} | {fmt(row['cpu_median'])}"
                   f" | {ratio} | {verdict(row)} |")
    out += ["", f"**Does a queue write stall while a report runs?** {PROBE_WRITES} small write transactions (BEGIN"
            " IMMEDIATE, the issue's number allocation and an event, COMMIT) 10 ms apart on their own connection,"
            " while a report runs over and over in a thread; the writer is a thread of the same process (as the"
            " server's queue is, sharing the GIL with its report thread pool) or another process (SQLite locking"
            " only).", "",
            "| while | writer | write p50 ms | p99 ms | max ms | writes > 50 ms | writes failed | reports run"
            " (median ms) | report requests failed |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in stalls:
        out.append(f"| {s['name']} | {s['writer']} | {s['p50']:.1f} | {s['p99']:.1f} | {s['max']:,.1f} |"
                   f" {s['over_50']} | {s['failed']} | {s['reports']} ({fmt(s['report_median'])}) |"
                   f" {len(s['report_errors'])} |")
    errors = sorted({e for s in stalls for e in s["report_errors"]})
    if errors:
        out += ["", "Report failures seen: " + "; ".join(f"`{e}`" for e in errors[:3])]
    return "\n".join(out) + "\n"



# ----- main --------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=400_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--ticket-events", action="store_true",
                        help="a history with every ticket's events too (~4.6 per ticket), not only the counters'")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache-dir", default=str(RESULTS), help="where the generated history is kept")
    parser.add_argument("--profile", action="store_true", help=f"cProfile a cold day, a warm year report and the"
                        f" year export into {RESULTS.relative_to(ROOT)}/reports-profile-*.txt")
    parser.add_argument("--keep", action="store_true", help="keep the work copy of the database")
    parser.add_argument("--no-record", action="store_true", help=f"do not write {BENCHMARKS.name}")
    parser.add_argument("--probe-writer", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_writer:  # the other-process writer of the stall test
        print(json.dumps(probe_writes(args.probe_writer, PROBE_WRITES, PROBE_SPACING_S)))
        return

    started = dt.datetime.now(dt.UTC)
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    command = " ".join([".venv/bin/python", "bench/bench_reports.py", *(argv if argv is not None else sys.argv[1:])])
    center = load_center(HISTORY_CENTER)
    cached, facts = history(args)
    work = RESULTS / "reports-work.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    db_bytes = work.stat().st_size
    tz = center.timezone
    clock = fixed_clock(dt.datetime(args.year + 1, 1, 5, 18, 0, tzinfo=tz))
    busiest = dt.date.fromisoformat(facts["busiest_day"])
    month_anchor = dt.date(args.year, 10, 1) if args.year else busiest
    rows = []
    store = Store(work)
    try:
        print("baselines (bare sqlite3 connection):")
        bare = sqlite3.connect(work)
        day = make_period("day", busiest)
        month = make_period("month", month_anchor)
        year = make_period("year", dt.date(args.year, 1, 1))
        aggregate = ("SELECT service_code, count(*), avg(first_called_at - issued_at) FROM tickets"
                     " WHERE local_date BETWEEN ? AND ? GROUP BY service_code")
        group = "Baselines: raw SQLite"
        rows.append(measure("SELECT count(*) FROM tickets (full scan)",
                            lambda: bare.execute("SELECT count(*) FROM tickets").fetchone(), args.repeat,
                            group=group))
        baselines = {}  # the raw SQL of each period: what the report of that period is compared with
        rows.append(measure(f"SQL: count, avg wait per service, day {busiest:%d/%m/%Y}",
                            lambda: bare.execute(aggregate, (day.first.isoformat(), day.last.isoformat()))
                            .fetchall(), args.repeat, group=group))
        baselines["day"] = rows[-1]["median"]
        rows.append(measure(f"SQL: count, avg wait per service, month {month.first:%m/%Y}",
                            lambda: bare.execute(aggregate, (month.first.isoformat(), month.last.isoformat()))
                            .fetchall(), args.repeat, group=group))
        baselines["month"] = rows[-1]["median"]
        rows.append(measure(f"SQL: count, avg wait per service, year {args.year}",
                            lambda: bare.execute(aggregate, (year.first.isoformat(), year.last.isoformat()))
                            .fetchall(), args.repeat, group=group))
        baselines["year"] = rows[-1]["median"]
        bare.close()

        print("closing-time job, cold:")
        closing = closing_job(store, center, clock)
        with sqlite3.connect(work) as conn:
            n, mean, total = conn.execute("SELECT count(DISTINCT local_date), sum(length(data)) * 1.0"
                                          " / count(DISTINCT local_date), sum(length(data))"
                                          " FROM day_summaries").fetchone()
        summary_facts = {"days": n, "mean_kib": mean / 1024, "total_mib": total / 2**20}
        group = "Closing-time job, nothing to do (runs every 10 min)"
        rows.append(measure("summarize_past_days, every day already stored",
                            lambda: summarize_past_days(store, center, clock), args.repeat, group=group))

        print("first reports after the closing job (days without tickets have no summary yet):")
        group = "First report after the closing job (computes and stores the empty days)"
        for kind, period in (("month", month), ("year", year)):
            before = summary_days_count(work)
            _, wall, cpu = timed(lambda: generate(store, center, period, ("department",), clock))
            added = summary_days_count(work) - before
            rows.append({"name": f"{kind} report, department (once; stored {added} empty days)", "group": group,
                         "reps": 1, "min": wall, "median": wall, "max": wall, "cpu_median": cpu, "cpu_min": cpu,
                         "target": None})
            print(f"  first {kind} report: {wall:.0f} ms wall, {cpu:.0f} ms CPU, stored {added} empty days")

        print("warm reports (summaries stored):")
        pool = ThreadPoolExecutor(len(GROUPINGS))
        screen_failures: list[str] = []

        def screen(period, at=clock):
            """The reports screen: one GET /api/reports per grouping, in parallel (admin_ui/reports.js)."""
            futures = [pool.submit(generate, store, center, period, (g,), at) for g in GROUPINGS]
            failed = 0
            for future in futures:
                try:
                    future.result()
                except Exception as exc:  # noqa: BLE001 - a failed request of the screen, counted
                    screen_failures.append(repr(exc))
                    failed += 1
            return failed

        periods = {"day": day, "month": month, "year": year}
        for kind, period in periods.items():
            group = f"{kind.capitalize()} report, warm: generate() — {period.title}"
            for grouping in GROUPINGS:
                rows.append(measure(f"{kind}: {grouping}", lambda: generate(store, center, period, (grouping,), clock),
                                    args.repeat, target=TARGET_MS[kind], group=group))
                rows[-1]["baseline"] = baselines[kind]
            rows.append(measure(f"{kind}: all five groupings in one generate()",
                                lambda: generate(store, center, period, GROUPINGS, clock), args.repeat, group=group))
            rows.append(measure(f"{kind}: reports screen, 5 parallel requests (one grouping each; CPU = process)",
                                lambda: screen(period), args.repeat, group=group, cpu_clock=time.process_time))

        print("Excel exports:")
        group = ("Excel export (the /api/reports/export route: generate department_officer + department, every"
                 " comment of the period, to_xlsx)")
        for kind in ("month", "year"):
            period = periods[kind]
            bundle = generate(store, center, period, ("department_officer", "department"), clock)
            said = comments(store, center, period)
            rows.append(measure(f"{kind}: generate + comments + to_xlsx", lambda: to_xlsx(
                {"rating": (b := generate(store, center, period, ("department_officer", "department"), clock))[
                    "department_officer"], "wait": b["department"], "comments": comments(store, center, period)}),
                args.repeat, group=group))
            rows.append(measure(f"{kind}: to_xlsx alone ({len(bundle['department_officer']['rows'])} officer rows,"
                                f" {said['total']:,} comments)",
                                lambda: to_xlsx({"rating": bundle["department_officer"], "wait": bundle["department"],
                                                 "comments": said}), args.repeat, group=group))

        # A report that includes today recomputes today inside BEGIN IMMEDIATE (Summaries.days), every time: the
        # supervisors' reports at 10:00 on the busiest day.
        print("reports that include today:")
        group = f"Reports that include today ({busiest} at 10:00: today is recomputed inside BEGIN IMMEDIATE)"
        today_clock = fixed_clock(dt.datetime.combine(busiest, dt.time(10, 0), tz))
        today = make_period("day", busiest)
        this_month = make_period("month", busiest)
        today_report = lambda: generate(store, center, today, ("department",), today_clock)  # noqa: E731
        rows.append(measure("day report of today, department", today_report, args.repeat, target=TARGET_MS["day"],
                            group=group))
        rows.append(measure(f"month report of this month ({this_month.first:%m/%Y}), department",
                            lambda: generate(store, center, this_month, ("department",), today_clock), args.repeat,
                            target=TARGET_MS["month"], group=group))
        failed_before = len(screen_failures)
        rows.append(measure("this month, reports screen (5 parallel requests; CPU = process)",
                            lambda: screen(this_month, today_clock), args.repeat, group=group,
                            cpu_clock=time.process_time))
        rows[-1]["failures"] = len(screen_failures) - failed_before

        print("does a queue write stall during a report?")
        stalls = [stall_test("nothing (baseline)", work, None, "thread")]
        for writer in ("thread", "process"):
            stalls.append(stall_test("year reports screen (5 parallel), warm", work, lambda: screen(year), writer))
        for writer in ("thread", "process"):
            stalls.append(stall_test(f"this month's reports screen (5 parallel), {busiest} 10:00", work,
                                     lambda: screen(this_month, today_clock), writer))
        for writer in ("thread", "process"):
            stalls.append(stall_test(f"day report of today, one after another, {busiest} 10:00", work, today_report,
                                     writer))
        pool.shutdown()
        conn = store.worker_connection()  # put the busiest day's whole-day summary back
        try:
            Summaries(conn, center, clock).compute(busiest)
        finally:
            conn.close()
        year_report = lambda: generate(store, center, year, GROUPINGS, clock)  # noqa: E731

        if args.profile:
            print("profiles:")
            conn = store.worker_connection()
            try:
                summaries = Summaries(conn, center, clock)
                profile(f"compute of the busiest day ({busiest})", lambda: summaries.compute(busiest),
                        RESULTS / "reports-profile-compute-day.txt")
            finally:
                conn.close()
            profile("warm year report, five groupings", year_report, RESULTS / "reports-profile-year.txt")
            profile("warm year report, department", lambda: generate(store, center, year, ("department",), clock),
                    RESULTS / "reports-profile-year-department.txt")
            profile("year export", lambda: to_xlsx(
                {"rating": (b := generate(store, center, year, ("department_officer", "department"), clock))[
                    "department_officer"], "wait": b["department"]}), RESULTS / "reports-profile-year-export.txt")
    finally:
        store.close()
        if not args.keep:
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)

    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = markdown(args, facts, db_bytes, (load_start, load_end), closing, rows, stalls, summary_facts, started,
                    command)
    print()
    print(text)
    if args.no_record:
        print("(not recorded)")
    else:
        record("bench_reports", text)
        print(f"recorded in {BENCHMARKS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
