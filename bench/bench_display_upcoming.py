"""What the lobby display's waiting panel costs the server: the Socket.IO event `upcoming` (every waiting service
and its next numbers, Queue.upcoming_by_service) at a busy provincial center's peak, against two baselines
measured in the same run on the same server: the socket's floor (an unknown event, answered with a refusal
without touching the database) and `subscribe` (the snapshot every screen asks for when it connects).

The real server (run.py, eventlet, as tests/live.py starts it) over a database prepared through the core with the
70-counter center bench/centers/history.toml at 08:00-style peak load (/work/shared/README.md): 70 counters open,
60 of them calling a citizen, 300 citizens waiting over every service (one in five a priority citizen). One
Socket.IO client sends each event back-to-back (closed loop, after a warm-up) and reports the median and p99
round trip and the ratios to the baselines. A lobby display asks `upcoming` once per burst of queue events
(display.js coalesces them over 300 ms), so a center with a few lobby TVs asks it a few times a second at most.

    .venv/bin/python bench/bench_display_upcoming.py                 # records BENCHMARKS.md
    .venv/bin/python bench/bench_display_upcoming.py --rounds 200 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import socketio  # noqa: E402

from bench.benchmarks_file import record  # noqa: E402
from server import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from tests.live import LiveServer  # noqa: E402

CENTER = ROOT / "bench" / "centers" / "history.toml"
WAITING, CALLING, PRIORITY_SHARE, SEED = 300, 60, 0.2, 14


def prepare(database: Path) -> dict:
    """The peak state, made by the core's own rules before the server starts; what it holds."""
    settings = Settings(center_file=CENTER, database=database, async_mode="threading", testing=True,
                        secret_key="bench", require_devices=False, ignore_opening_hours=True)
    app = create_app(settings)
    runtime = app.extensions["hangdoi"]
    queue, rng = runtime.queue, random.Random(SEED)
    try:
        officers = [o.username for o in queue.center.officers if o.role == "officer"]
        counters = queue.center.counters
        groups = [g.code for g in queue.center.priority_groups]
        for c in counters[:CALLING]:   # one citizen for each counter that calls
            queue.issue(c.services[0])
        services = list(queue.center.services)
        for i in range(WAITING):
            queue.issue(services[i % len(services)],
                        priority_group=rng.choice(groups) if rng.random() < PRIORITY_SHARE else None)
        for c, officer in zip(counters, officers):
            queue.open_counter(c.number, officer)
        called = 0
        for c, officer in zip(counters[:CALLING], officers):
            queue.call_next(c.number, officer)
            called += 1
        answer = queue.upcoming_by_service(4)
        waiting = sum(queue.snapshot()["waiting"].values())
    finally:
        runtime.store.close()
        app.extensions["hangdoi_lock"].close()
    return {"counters": len(counters), "calling": called, "waiting": waiting, "services": len(answer["services"])}


def round_trips(client: socketio.Client, event: str, data, rounds: int, warmup: int) -> list[float]:
    """Milliseconds per acknowledged round trip of `event`, one after the other."""
    times = []
    for i in range(warmup + rounds):
        start = time.perf_counter()
        reply = client.call(event, data, timeout=10)
        elapsed = (time.perf_counter() - start) * 1000
        assert isinstance(reply, dict), reply
        if i >= warmup:
            times.append(elapsed)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50": statistics.median(ordered), "p99": ordered[max(0, round(0.99 * len(ordered)) - 1)],
            "mean": statistics.fmean(ordered)}


def report(state: dict, figures: dict, rounds: int, command: str, load: tuple[float, float]) -> str:
    floor, snapshot, upcoming = figures["floor"], figures["subscribe"], figures["upcoming"]
    rows = [f"| `{name}` | {f['p50']:.2f} | {f['p99']:.2f} | {f['p50'] / floor['p50']:.2f} |"
            f" {f['p50'] / snapshot['p50']:.2f} |" for name, f in (("unknown event (floor)", floor),
                                                                   ("subscribe (snapshot)", snapshot),
                                                                   ("upcoming", upcoming))]
    return "\n".join([
        "## Lobby display: the waiting panel's next numbers (bench/bench_display_upcoming.py)",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores shared by the server"
        f" (eventlet) and the client; command: `{command}`. Load average (1 min) {load[0]:.1f} before and"
        f" {load[1]:.1f} after: above the core count, the machine was busy with other work, so read the ratios.",
        "",
        f"The 70-counter center bench/centers/history.toml at its peak: {state['counters']} counters open,"
        f" {state['calling']} calling a citizen, {state['waiting']} citizens waiting in {state['services']} services"
        f" (one in five a priority citizen). One Socket.IO client, {rounds} acknowledged round trips of each event"
        " back-to-back after a warm-up; milliseconds:",
        "",
        "| event | p50 | p99 | × floor (p50) | × subscribe (p50) |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        "`upcoming` reads every waiting ticket of the day once and orders each service's by Queue.call_order (the"
        " rule call next applies); a lobby display asks it at most once per 300 ms burst of queue events.",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md as it is")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hangdoi-upcoming-") as work:
        database = Path(work) / "peak.db"
        state = prepare(database)
        server = LiveServer(database, center=CENTER, env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
        client = socketio.Client(reconnection=False)
        try:
            client.connect(server.url, transports=["websocket"], wait_timeout=10)
            figures = {}
            # Interleaved thirds, so that a disturbance of the machine falls on every event alike.
            times = {"floor": [], "subscribe": [], "upcoming": []}
            load_before = os.getloadavg()[0]
            for _ in range(3):
                times["floor"] += round_trips(client, "no_such_event", {}, args.rounds // 3, args.warmup // 3)
                times["subscribe"] += round_trips(client, "subscribe", {"screen": "display"}, args.rounds // 3,
                                                  args.warmup // 3)
                times["upcoming"] += round_trips(client, "upcoming", {}, args.rounds // 3, args.warmup // 3)
            figures = {name: summary(t) for name, t in times.items()}
            load = (load_before, os.getloadavg()[0])
        finally:
            client.disconnect()
            server.stop()
    print(state)
    for name, f in figures.items():
        print(f"{name}: p50 {f['p50']:.2f} ms, p99 {f['p99']:.2f} ms, mean {f['mean']:.2f} ms")
    print(f"upcoming / subscribe (p50): {figures['upcoming']['p50'] / figures['subscribe']['p50']:.2f}")
    if not args.no_record:
        command = ".venv/bin/python bench/bench_display_upcoming.py" + (
            f" --rounds {args.rounds}" if args.rounds != 1000 else "")
        record("display-upcoming", report(state, figures, args.rounds // 3 * 3, command, load))
        print("recorded in BENCHMARKS.md")


if __name__ == "__main__":
    main()
