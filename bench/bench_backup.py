"""Backups of a year of history while the queue writes: which copy finishes, how long it takes, whether the
queue's writes stall meanwhile, against a plain file copy of the same database measured in the same run.

The history is bench/generate_history.py's (1,000,000 tickets, 400,000 ratings; cached under bench/results/ by
bench/bench_reports.py, generated if missing). Each run copies it to a work file; a writer commits a ticket issue's
write (bench/queue_writes.py: the number allocation and an event, one BEGIN IMMEDIATE transaction) at a steady rate
(5/s by default) on its own connection, for the whole run, first from another process, then as a thread of this
process (the server's case: its daily backup runs in a worker thread beside the thread that writes). Meanwhile, one
after another:

- the baseline: shutil.copyfile of the database file (the speed of the disk; not a consistent copy under writes);
- SQLite's backup API step by step from its own connection, as server/core/backup.py did before (4096 pages a
  step; Python sleeps 0.25 s only after a busy step): whenever the writer commits between two steps the copy
  starts over; stopped after --cap seconds; once with no writer, as a reference;
- the backup API in one step (pages=-1): one read transaction;
- VACUUM INTO on a read-only connection: one read transaction, a compacted file;
- server.core.backup.backup() end to end: the backup API in one step, quick_check, the snapshot's row counts
  against the source, fsync, rename (the check alone, and a full integrity_check for comparison, are timed after).

For each: wall time (median and min of --repeat), whether it finished, how often it started over, the file's size,
the latency of the writes that started during it (p50 / p99 / max, and how many), and the CPU of this process, of
the writer process and of everything else on the machine while it ran (100 % = one core). Each copy is followed by
GAP_SECONDS with no backup: the writes in those gaps (and in the first IDLE_SECONDS) are the reference row, taken
under the same load of the machine as the copies.

    .venv/bin/python bench/bench_backup.py                       # 1,000,000 tickets, 5 writes/s, records BENCHMARKS.md
    .venv/bin/python bench/bench_backup.py --tickets 30000 --ratings 12000 --cap 10 --repeat 2 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_reports import RESULTS, history, machine, percentile  # noqa: E402
from bench.benchmarks_file import BENCHMARKS, record  # noqa: E402
from bench.queue_writes import issue_write, writer_connection  # noqa: E402
from server.core.backup import backup, check, copy_snapshot  # noqa: E402

STEP_PAGES = 4096  # what server/core/backup.py stepped by before
IDLE_SECONDS = 10  # write latency with no backup running, the reference for the rows below
GAP_SECONDS = 2  # after each copy: more of the reference, spread over the run
ONE_STEP, VACUUM, APPLICATION = ("backup API, one step (pages=-1)", "VACUUM INTO",
                                 "backup() (API in one step, check, fsync, rename)")
MUST_FINISH = {ONE_STEP, VACUUM, APPLICATION}  # the exit status is 1 if one of these did not always finish


# ----- the queue's writes ------------------------------------------------------------------------------------

def write_steadily(path: str, rate: float, stop: threading.Event) -> list[tuple[float, float, bool]]:
    """A ticket issue's write every 1/rate s on its own connection (as the server's: busy_timeout 5 s, NORMAL
    sync) until `stop`; returns (start on the monotonic clock, latency ms, committed) per write."""
    conn = writer_connection(path)
    writes, due = [], time.monotonic()
    try:
        while not stop.is_set():
            start = time.monotonic()
            ok = issue_write(conn)
            writes.append((start, (time.monotonic() - start) * 1000, ok))
            due += 1 / rate  # a steady schedule: a slow write does not lower the rate asked for
            stop.wait(max(0.0, due - time.monotonic()))
    finally:
        conn.close()
    return writes


def writer_process_main(path: str, rate: float):
    """The other-process writer: writes until standard input closes, then prints its writes as JSON."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print(json.dumps(write_steadily(path, rate, stop)))


class Writer:
    """The writer, as a thread of this process or as another process (time.monotonic is system-wide on Linux)."""

    def __init__(self, path: Path, rate: float, kind: str):
        self.kind, self.writes = kind, []
        if kind == "process":
            self.proc = subprocess.Popen([sys.executable, __file__, "--writer", str(path), "--rate", str(rate)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.pid = self.proc.pid
        else:
            self.stop_event = threading.Event()
            self.thread = threading.Thread(target=lambda: self.writes.extend(
                write_steadily(str(path), rate, self.stop_event)), daemon=True)
            self.thread.start()
            self.pid = None

    def stop(self) -> list[tuple[float, float, bool]]:
        if self.kind == "process":
            out, _ = self.proc.communicate(timeout=60)
            self.writes = [tuple(w) for w in json.loads(out)]
        else:
            self.stop_event.set()
            self.thread.join()
        return self.writes


# ----- CPU ---------------------------------------------------------------------------------------------------

def cpu_sample(writer_pid: int | None) -> tuple[float, float, float, float]:
    """(monotonic time, busy seconds of the whole machine, of this process, of the writer process)."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / tick  # all but idle and iowait
    ours = sum(os.times()[:2])
    theirs = 0.0
    if writer_pid:
        stat = Path(f"/proc/{writer_pid}/stat").read_text().rsplit(")", 1)[1].split()
        theirs = (int(stat[11]) + int(stat[12])) / tick
    return time.monotonic(), busy, ours, theirs


def cpu_share(before, after) -> dict:
    """Percent of one core over the interval: this process, the writer process, everything else."""
    span = after[0] - before[0]
    machine_, ours, writer = ((after[i] - before[i]) / span * 100 for i in (1, 2, 3))
    return {"ours": ours, "writer": writer, "other": max(0.0, machine_ - ours - writer)}


# ----- the copies ----------------------------------------------------------------------------------------------

class Cancelled(Exception):
    """The step-wise backup ran past its cap."""


def stepwise(source: Path, target: Path, sleep: float, cap: float) -> dict:
    """SQLite's backup API, STEP_PAGES pages a step from a connection of its own; counts restarts (the pages left
    go back up), gives up after `cap` seconds."""
    started, restarts, left = time.monotonic(), 0, None

    def progress(status, remaining, total):
        nonlocal restarts, left
        if left is not None and remaining > left:
            restarts += 1
        left = remaining
        if time.monotonic() - started > cap:
            raise Cancelled

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=STEP_PAGES, progress=progress, sleep=sleep)
        finished = True
    except Cancelled:
        finished = False
    finally:
        dst.close()
        src.close()
    return {"finished": finished, "restarts": restarts}


def one_step(source: Path, target: Path) -> dict:
    copy_snapshot(source, target)  # what backup() copies with
    return {"finished": True}


def vacuum_into(source: Path, target: Path) -> dict:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        src.execute("VACUUM INTO ?", (str(target),))
    finally:
        src.close()
    return {"finished": True}


def file_copy(source: Path, target: Path) -> dict:
    shutil.copyfile(source, target)
    return {"finished": True}


def application_backup(source: Path, target: Path) -> dict:
    """server.core.backup.backup into a folder of its own; the file it wrote is moved to `target`."""
    folder = target.with_suffix(".folder")
    written = backup(source, folder, keep=1)
    os.replace(written, target)
    shutil.rmtree(folder)
    return {"finished": True}


def remove(path: Path):
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_method(name: str, fn, source: Path, scratch: Path, repeat: int, writer_pid: int | None,
               gaps: list) -> dict:
    """`fn(source, target)` `repeat` times, each followed by a gap with no backup (appended to `gaps`); the time
    windows it ran in, its durations, outcome, size, CPU."""
    runs = []
    for i in range(repeat):
        target = scratch / f"copy-{i}.db"
        remove(target)
        before = cpu_sample(writer_pid)
        outcome = fn(source, target)
        after = cpu_sample(writer_pid)
        size = target.stat().st_size if target.exists() else None
        intact = None
        if outcome["finished"] and i == 0 and fn is not file_copy:  # the copy opens and reads as a database
            try:
                check(target, quick=True)
                intact = True
            except ValueError:
                intact = False
        runs.append({**outcome, "window": (before[0], after[0]), "seconds": after[0] - before[0], "size": size,
                     "cpu": cpu_share(before, after), "intact": intact})
        remove(target)
        gap = cpu_sample(writer_pid)
        time.sleep(GAP_SECONDS)
        gaps.append({"window": (gap[0], time.monotonic()), "cpu": cpu_share(gap, cpu_sample(writer_pid)),
                     "finished": None, "seconds": None})
        restarts = f", restarts {outcome['restarts']}" if "restarts" in outcome else ""
        print(f"  {name:<56} {runs[-1]['seconds']:6.2f} s  finished: {outcome['finished']}{restarts}", flush=True)
    return {"name": name, "runs": runs}


def writes_during(writes, windows) -> dict:
    lat = [ms for start, ms, _ in writes if any(a <= start <= b for a, b in windows)]
    failed = sum(1 for start, _, ok in writes if not ok and any(a <= start <= b for a, b in windows))
    if not lat:
        return {"n": 0, "failed": failed}
    return {"n": len(lat), "failed": failed, "p50": statistics.median(lat), "p99": percentile(lat, 99),
            "max": max(lat)}


def measure_with(writer_kind: str, work: Path, scratch: Path, args) -> dict:
    """Every method under one writer; the idle stretch first, as the write latencies' reference."""
    print(f"writer: {writer_kind}, {args.rate:g} writes/s", flush=True)
    writer = Writer(work, args.rate, writer_kind)
    try:
        time.sleep(1)  # the writer's connection is open and writing
        before = cpu_sample(writer.pid)
        time.sleep(IDLE_SECONDS)
        after = cpu_sample(writer.pid)
        gaps = [{"window": (before[0], after[0]), "finished": None, "seconds": None, "cpu": cpu_share(before, after)}]
        idle = {"name": "no backup running (the gaps between copies)", "runs": gaps}
        methods = [
            ("shutil.copyfile (baseline)", file_copy, args.repeat),
            ("backup API, 4096 pages a step (before)", lambda s, t: stepwise(s, t, 0.25, args.cap), 1),
            (ONE_STEP, one_step, args.repeat),
            (VACUUM, vacuum_into, args.repeat),
            (APPLICATION, application_backup, args.repeat),
        ]
        rows = [idle] + [run_method(name, fn, work, scratch, n, writer.pid, gaps) for name, fn, n in methods]
    finally:
        writes = writer.stop()
    for row in rows:
        row["writes"] = writes_during(writes, [r["window"] for r in row["runs"]])
    print(f"  {len(writes)} writes, {sum(1 for w in writes if not w[2])} failed", flush=True)
    return {"writer": writer_kind, "rows": rows, "writes": len(writes)}


def check_costs(work: Path, scratch: Path) -> dict:
    """What checking a fresh copy costs: quick_check, the full integrity_check, and backup()'s whole check."""
    target = scratch / "checked.db"
    remove(target)
    copy_snapshot(work, target)
    out = {}
    for name, fn in (("quick_check", lambda: check(target, quick=True)),
                     ("integrity_check", lambda: check(target)),
                     ("backup()'s check (quick_check + schema + snapshot rows)",
                      lambda: check(target, quick=True, source=work))):
        start = time.monotonic()
        fn()
        out[name] = time.monotonic() - start
        print(f"  {name:<56} {out[name]:6.2f} s", flush=True)
    remove(target)
    return out


# ----- report --------------------------------------------------------------------------------------------------

def fmt_ms(row, key):
    return f"{row['writes'][key]:.1f}" if key in row["writes"] else "–"


def markdown(args, facts, db_bytes, results, idle_still, checks, started, command, load) -> str:
    out = ["## Backups under the queue's writes (bench/bench_backup.py)", "",
           f"Command: `{command}` — {started:%Y-%m-%d %H:%M} UTC", "",
           f"Machine: {machine()}. The writer, the backups and other engineers' work share the machine: CPU columns"
           f" show this process (with the writer when it is a thread), the writer process and everything else"
           f" (100 % = one core; medians over a row's runs); load average {load[0]:.1f} at the start, {load[1]:.1f}"
           f" at the end.", "",
           f"Database: bench/generate_history.py, {facts['tickets']:,} tickets, {facts['ratings']:,} ratings,"
           f" {facts['events']:,} events ({facts['first_day']} … {facts['last_day']}), {db_bytes / 2**20:,.0f} MiB,"
           f" a work copy in WAL mode. Writer: a ticket issue's write (number allocation + an event, BEGIN IMMEDIATE"
           f" … COMMIT, busy_timeout 5 s) {args.rate:g} times a second on its own connection for the whole run;"
           f" write latency is BEGIN → COMMIT of the writes that started during a row's runs. Step-wise rows stop"
           f" after {args.cap:g} s; the others run {args.repeat} times (median / min wall time; ratio = median ÷"
           f" the baseline's median in the same run).", ""]
    for result in results:
        baseline = statistics.median(r["seconds"] for r in result["rows"][1]["runs"])
        who = ("another process" if result["writer"] == "process"
               else "a thread of the process that backs up (the server case)")
        out += [f"**Writer: {who}**"
                f" ({result['writes']:,} writes)", "",
                "| copy | finished | wall s: median / min | ratio to copyfile | restarts | file MiB |"
                " writes during: n / p50 / p99 / max ms / failed | CPU: ours / writer / other |",
                "|---|---|---:|---:|---:|---:|---:|---:|"]
        for row in result["rows"]:
            runs = row["runs"]
            cpu = {k: statistics.median(r["cpu"][k] for r in runs) for k in ("ours", "writer", "other")}
            w = row["writes"]
            writes = (f"{w['n']} / {fmt_ms(row, 'p50')} / {fmt_ms(row, 'p99')} / {fmt_ms(row, 'max')} /"
                      f" {w['failed']}")
            cpu_text = f"{cpu['ours']:.0f} / {cpu['writer']:.0f} / {cpu['other']:.0f} %"
            if runs[0]["seconds"] is None:
                out.append(f"| {row['name']} | – | – | – | – | – | {writes} | {cpu_text} |")
                continue
            seconds = [r["seconds"] for r in runs]
            finished = sum(1 for r in runs if r["finished"])
            restarts = "–" if "restarts" not in runs[0] else ", ".join(str(r["restarts"]) for r in runs)
            sizes = [r["size"] for r in runs if r["finished"] and r["size"]]
            size = f"{sizes[0] / 2**20:,.0f}" if sizes else "–"
            intact = "" if runs[0]["intact"] in (None, True) else " (**copy failed quick_check**)"
            done = f"{finished}/{len(runs)}" if finished else f"**no** (stopped at {args.cap:g} s)"
            out.append(f"| {row['name']} | {done}{intact} | {statistics.median(seconds):.2f} / {min(seconds):.2f} |"
                       f" {statistics.median(seconds) / baseline:.1f} | {restarts} | {size} | {writes} |"
                       f" {cpu_text} |")
        out.append("")
    if idle_still:
        out += [f"Step-wise backup API (4096 pages a step) with no writer: {idle_still['seconds']:.2f} s,"
                f" finished: {'yes' if idle_still['finished'] else 'no'}, restarts {idle_still['restarts']}.", ""]
    out += [f"The step-wise copy needs {idle_still['seconds']:.1f} s with nothing written; at {args.rate:g} writes a"
            " second some write lands between two of its steps and it starts over (unless it happens to fit"
            " between two writes, which a small database does). The one-transaction copies (the backup API in one"
            " step, VACUUM INTO) read one snapshot: they finish whatever is written meanwhile, and as WAL readers they"
            " hold no lock the writer waits for (SQLite releases the GIL while a statement or a backup step runs).",
            ""]
    out += ["Checking a fresh copy (backup API in one step) of the work database (after the runs above, no writer): "
            + "; ".join(f"{k} {v:.2f} s" for k, v in checks.items()) + ".", ""]
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=400_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--rate", type=float, default=5, help="the queue's writes per second")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cap", type=float, default=60, help="seconds after which a step-wise backup is stopped")
    parser.add_argument("--writers", default="process,thread", help="process, thread or both (comma-separated)")
    parser.add_argument("--cache-dir", default=str(RESULTS), help="where the generated history is kept")
    parser.add_argument("--no-record", action="store_true", help=f"do not write {BENCHMARKS.name}")
    parser.add_argument("--writer", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        return writer_process_main(args.writer, args.rate)
    args.ticket_events = False
    started = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()[0]
    command = ".venv/bin/python bench/bench_backup.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    source, facts = history(args)
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        scratch = Path(tmp)
        work = scratch / "work.db"
        shutil.copyfile(source, work)  # the cached history is never opened itself
        with sqlite3.connect(work) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        db_bytes = work.stat().st_size
        print(f"work copy {work} ({db_bytes / 2**20:,.0f} MiB); load average {os.getloadavg()[0]:.2f}", flush=True)
        print("step-wise backup API with no writer (reference)", flush=True)
        start = time.monotonic()
        idle_still = stepwise(work, scratch / "still.db", 0.25, args.cap)
        idle_still["seconds"] = time.monotonic() - start
        remove(scratch / "still.db")
        results = [measure_with(kind, work, scratch, args) for kind in args.writers.split(",")]
        print("checks", flush=True)
        checks = check_costs(work, scratch)
    text = markdown(args, facts, db_bytes, results, idle_still, checks, started, command,
                    (load_start, os.getloadavg()[0]))
    print(text)
    if not args.no_record:
        record("bench_backup", text)
        print(f"recorded in {BENCHMARKS}")
    unfinished = [r["name"] for res in results for r in res["rows"]
                  if r["name"] in MUST_FINISH and not all(x["finished"] for x in r["runs"])]
    return 1 if unfinished else 0


if __name__ == "__main__":
    sys.exit(main())
