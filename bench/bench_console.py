"""Console and live board: what their views cost, as ratios to a baseline measured in the same run (in process,
the core over a temporary SQLite file, the 70-counter center of bench/centers/history.toml).

1. A console's view (`Queue.counter_stats`, asked after every event that touches the counter): now the next five
   in call-next order (`Queue.call_order` over every ticket the counter may call) and only what it may call;
   baseline: the view before, one GROUP BY count per service on the waiting index (replicated here). Halls of
   30, 300 and 1,500 waiting tickets spread over the services, and 1,500 all in the services of the counter
   measured (its worst case). Ratio: time per view ÷ baseline's.
2. The supervisors' overview (`live_overview`, sorted by urgency, with department warnings; asked every 10 s and
   after events) against the snapshot every screen reads when it (re)connects (`Queue.snapshot`).

    .venv/bin/python bench/bench_console.py               # records its section of BENCHMARKS.md
    .venv/bin/python bench/bench_console.py --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_file import record  # noqa: E402
from server.core.center import load_center  # noqa: E402
from server.core.overview import live_overview  # noqa: E402
from server.core.queue import Queue  # noqa: E402
from server.core.store import Store  # noqa: E402

CENTER = ROOT / "bench" / "centers" / "history.toml"
# A Monday at 09:00 in Việt Nam: inside the center's hours, whenever the benchmark runs.
MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp()
HALLS = (30, 300, 1500)


def counts_before(queue: Queue, number: int) -> dict:
    """The console's view as it was before the preview: waiting per service by GROUP BY (every ticket of the
    service, reserved for another counter or not), served and mean wait, parked labels."""
    counter = queue.center.counter(number)
    day = queue.center.local_date(queue.now())
    with queue.store.read() as conn:
        waiting = dict(conn.execute(
            "SELECT service_code, count(*) FROM tickets INDEXED BY tickets_waiting"
            f" WHERE state = 'waiting' AND local_date = ? AND service_code IN"
            f" ({','.join('?' * len(counter.services))}) GROUP BY service_code",
            (day, *counter.services)).fetchall())
        served, mean_wait = conn.execute(
            "SELECT count(*) FILTER (WHERE state = 'done'), avg(first_called_at - arrived_at) FROM tickets"
            " WHERE local_date = ? AND counter_number = ? AND first_called_at IS NOT NULL",
            (day, counter.number)).fetchone()
        parked = [r[0] for r in conn.execute("SELECT label FROM tickets WHERE state = 'parked'"
                                             " AND counter_number = ? AND local_date = ?", (counter.number, day))]
    return {"waiting": [{"service_code": c, "waiting": waiting.get(c, 0)} for c in counter.services],
            "served_today": served, "mean_wait_minutes": mean_wait, "parked": parked}


def per_call(pairs: dict, calls: int, rounds: int = 7) -> dict:
    """CPU seconds per call of each function (this process's CPU time: the machine's other work does not count),
    the median of `rounds` runs of `calls` calls, the functions alternated round by round."""
    runs = {name: [] for name in pairs}
    for _ in range(rounds):
        for name, fn in pairs.items():
            started = time.process_time()
            for _ in range(calls):
                fn()
            runs[name].append((time.process_time() - started) / calls)
    return {name: statistics.median(times) for name, times in runs.items()}


def hall(workdir: Path, name: str, waiting: int, only_counter: int | None) -> Queue:
    """A center with every counter open and `waiting` tickets (every seventh a priority citizen), spread over all
    services or all in the services of `only_counter`."""
    center = load_center(CENTER)
    store = Store(workdir / f"{name}.db")
    queue = Queue(center, store, clock=lambda: MORNING)
    services = list(center.counter(only_counter).services) if only_counter else list(center.services)
    requests = [{"service_code": services[i % len(services)],
                 "priority_group": center.priority_groups[0].code if center.priority_groups and i % 7 == 3 else None}
                for i in range(waiting)]
    for start in range(0, len(requests), 100):
        queue.issue_many(requests[start:start + 100])
    for counter in center.counters:
        queue.open_counter(counter.number, f"officer{counter.number}")
    issued = sum(s["waiting"] for s in queue.service_overview())
    assert issued == waiting, f"{issued} tickets waiting, {waiting} asked"
    return queue


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        cases = [(f"{n} waiting over every service", n, None) for n in HALLS]
        cases.append(("1500 waiting, all in counter 1's services", 1500, 1))
        for i, (label, waiting, only) in enumerate(cases):
            queue = hall(workdir, f"hall{i}", waiting, only)
            numbers = [1] if only else [c.number for c in queue.center.counters]
            cycle = itertools.cycle(numbers)  # every counter in turn, as consoles ask
            timed = per_call({"before": lambda q=queue, c=cycle: counts_before(q, next(c)),
                              "now": lambda q=queue, c=cycle: q.counter_stats(next(c))}, args.calls)
            rows.append((label, timed["before"], timed["now"]))
            if only is None and waiting == HALLS[-1]:
                timed = per_call({"snapshot": queue.snapshot, "overview": lambda q=queue: live_overview(q)},
                                 max(20, args.calls // 10))
                snapshot, overview = timed["snapshot"], timed["overview"]
            queue.store.close()
    load = os.getloadavg()[0]
    lines = [
        "## Console and live board views (bench/bench_console.py)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {platform.machine()}, {os.cpu_count()} cores,"
        f" load {load:.1f} at the end (other work on the machine shares the cores). In process, the 70-counter"
        " center of bench/centers/history.toml, every counter open; CPU time of the process per call, median of 7"
        " alternated runs.",
        "",
        "| hall | baseline: counts per service (the view before) | `counter_stats` with the next five | ratio |",
        "|---|---|---|---|",
        *[f"| {label} | {before * 1e3:.3f} ms | {now * 1e3:.3f} ms | {now / before:.2f} |"
          for label, before, now in rows],
        "",
        "| measure | baseline: `Queue.snapshot` (every screen's (re)connection) | `live_overview` (sorted by urgency) |"
        " ratio |",
        "|---|---|---|---|",
        f"| {HALLS[-1]} waiting, 70 counters | {snapshot * 1e3:.2f} ms | {overview * 1e3:.2f} ms |"
        f" {overview / snapshot:.2f} |",
        "",
        "The preview reads the kept counts, the tickets sent to a counter (index `tickets_reserved`, m016) and the",
        "first five of each of the counter's services and kinds, then orders them with call next's own rule, so its",
        "cost follows the number of services a counter serves, not the length of the queue.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("console", text)


if __name__ == "__main__":
    main()
