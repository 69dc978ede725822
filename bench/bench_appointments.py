"""Appointments: what bookings cost the queue and the server, as ratios to a baseline measured in the same run.

1. Call next with bookings (in process, the core over a temporary SQLite file): a counter calls, starts and
   finishes ticket after ticket from a hall of `--waiting` tickets, on bench/centers/bench.toml as it is (no
   `[appointments]`: the baseline) and with `[appointments]` appended and a quarter of the hall booked citizens
   checked in (the selection rule then sorts booked tickets, counts the counter's booked calls in a row and looks
   for remote numbers past their grace). Ratio: cycles per second with bookings ÷ without.
2. Booking over HTTP (the real server, run.py on eventlet): `--phones` threads, each a keep-alive session with its
   own phone number, post `POST /api/appointments` back to back for `--seconds` (slots of capacity 10,000), after
   the same threads posting `POST /api/ping`. Ratio: bookings per second ÷ pings per second; p50/p99 latency.

    .venv/bin/python bench/bench_appointments.py                  # records its section of BENCHMARKS.md
    .venv/bin/python bench/bench_appointments.py --seconds 5 --no-record
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_file import record  # noqa: E402
from server.core.appointments import Appointments  # noqa: E402
from server.core.center import load_center  # noqa: E402
from server.core.queue import Queue  # noqa: E402
from server.core.store import Store  # noqa: E402
from tests.csrf import CsrfSession  # noqa: E402
from tests.live import LiveServer  # noqa: E402

BENCH_CENTER = ROOT / "bench" / "centers" / "bench.toml"
POLICY = """
[appointments]
slot_minutes = 30
days_ahead = 1
close_minutes_before = -30
per_phone_per_day = 1000000
per_address_per_day = 1000000
late_minutes = 240
booked_every = 3
capacity = { "ly-lich" = 10000, "lai-xe" = 10000 }
"""


class Clock:
    """A clock the benchmark moves: every cycle takes a second of the center's day."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def call_cycles(center_file: Path, waiting: int, booked_share: float, workdir: Path, round_number: int) -> float:
    """Call/start/finish cycles per second at one counter over a hall of `waiting` tickets."""
    center = load_center(center_file)
    store = Store(workdir / f"calls-{center_file.stem}-{round_number}.db")
    clock = Clock()
    queue = Queue(center, store, clock)
    booked = int(waiting * booked_share) if center.appointments else 0
    if booked:
        booking = Appointments(center, store, queue)
        today = center.local_date(clock())
        slot = next(s for s in booking.slots("ly-lich", today)["slots"] if s["open"])
        for i in range(booked):
            made = booking.book("ly-lich", today, slot["start"], f"Khách {i}", f"09{i:08d}", "10.0.0.1")
            booking.check_in(code=made["code"])
    for i in range(waiting - booked):
        queue.issue("ly-lich", "nguoi-cao-tuoi" if i % 10 == 0 else None)
    queue.open_counter(1, "an")
    cycles = waiting // 2  # the hall stays half full while measured
    started = time.perf_counter()
    for _ in range(cycles):
        queue.call_next(1, "an")
        queue.start_service(1, "an")
        queue.finish(1, "an")
        clock.now += 1
    elapsed = time.perf_counter() - started
    store.close()
    return cycles / elapsed


def hammer(url: str, path: str, phones: list, seconds: float, body) -> tuple[int, list[float], int]:
    """`len(phones)` threads posting back to back: (answers, latencies in ms, errors)."""
    latencies, errors, stop = [], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def run(i):
        session, n = phones[i], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            answer = session.post(url + path, json=body(i, n), timeout=30)
            took = (time.perf_counter() - started) * 1000
            with lock:
                if answer.status_code >= 300:
                    errors[0] += 1
                latencies.append(took)
            n += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors[0]


def booking_over_http(center_file: Path, workdir: Path, phones_count: int, seconds: float) -> dict:
    server = LiveServer(workdir / "http.db", center=center_file).start()
    try:
        phones = [CsrfSession() for _ in range(phones_count)]
        for session in phones:
            session.get(server.url + "/api/session", timeout=10)
        options = phones[0].get(server.url + "/api/appointments/options", timeout=10).json()
        day = options["days"][0]
        slots = phones[0].get(f"{server.url}/api/appointments/slots?service=ly-lich&date={day}", timeout=10).json()
        start = next(s for s in slots["slots"] if s["open"])["start"]
        hammer(server.url, "/api/ping", phones, 1, lambda i, n: {})  # warm-up
        pings, ping_ms, _ = hammer(server.url, "/api/ping", phones, seconds, lambda i, n: {})
        books, book_ms, errors = hammer(
            server.url, "/api/appointments", phones, seconds,
            lambda i, n: {"service_code": "ly-lich", "date": day, "slot": start, "name": f"Khách {i} {n}",
                          "phone": f"09{i:02d}{n:06d}"})
    finally:
        server.stop()

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")

    return {"ping_rps": pings / seconds, "book_rps": books / seconds, "ping_p50": p(ping_ms, 50),
            "ping_p99": p(ping_ms, 99), "book_p50": p(book_ms, 50), "book_p99": p(book_ms, 99), "errors": errors}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=400)
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with_bookings = workdir / "with-bookings.toml"
        with_bookings.write_text(BENCH_CENTER.read_text(encoding="utf-8") + POLICY, encoding="utf-8")
        # Alternated and repeated, the median of each: the machine's other work comes and goes.
        plains, bookeds = [], []
        for round_number in range(args.rounds):
            plains.append(call_cycles(BENCH_CENTER, args.waiting, 0, workdir, round_number))
            bookeds.append(call_cycles(with_bookings, args.waiting, 0.25, workdir, round_number))
        plain, booked = statistics.median(plains), statistics.median(bookeds)
        http = booking_over_http(with_bookings, workdir, args.phones, args.seconds)
    load = os.getloadavg()[0]
    lines = [
        "## Appointments (bench/bench_appointments.py)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, load {load:.1f} at the end (other work on the machine shares the cores).",
        "",
        "| measure | baseline | with bookings | ratio |",
        "|---|---|---|---|",
        f"| call next + start + finish, one counter, {args.waiting} waiting (in process, median of {args.rounds}) | "
        f"{plain:.0f} /s without "
        f"`[appointments]` | {booked:.0f} /s, a quarter of the hall booked | {booked / plain:.2f} |",
        f"| {args.phones} phones back to back, {args.seconds:g} s (real server, eventlet) | `POST /api/ping` "
        f"{http['ping_rps']:.0f} /s, p50 {http['ping_p50']:.1f} ms, p99 {http['ping_p99']:.1f} ms | "
        f"`POST /api/appointments` {http['book_rps']:.0f} /s, p50 {http['book_p50']:.1f} ms, "
        f"p99 {http['book_p99']:.1f} ms, {http['errors']} refused | {http['book_rps'] / http['ping_rps']:.2f} |",
        "",
        "A booking is one write transaction (the limits, the slot's count and the insert together), so bookings",
        "queue behind the store's lock as tickets do; the ratio says what that costs against the server's floor.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("appointments", text)


if __name__ == "__main__":
    main()
