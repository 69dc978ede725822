"""Ticket issue throughput and latency with concurrent kiosks, as a ratio to the empty route of the same server.

For each async mode the real server process (run.py, as tests/live.py starts it) gets a fresh database. Load
processes each hold keep-alive connections; every connection is one kiosk sending requests back-to-back (closed
loop) for a fixed time after a warm-up. Each round runs `POST /api/ping` (the empty route: the floor of HTTP, WSGI
and Flask), then `POST /api/tickets` alternating between two services; the ratio is the median of the rounds'.
Afterwards the server's SQLite file is read (read-only) to check that the numbers of each prefix are exactly 1..n
and that every 201 is a stored ticket.

    .venv/bin/python bench/bench_issue.py                      # eventlet and gevent, 3 rounds of 10 s, 50 kiosks
    .venv/bin/python bench/bench_issue.py --modes gevent --seconds 30 --no-record
    .venv/bin/python bench/bench_issue.py --profile            # + py-spy of the server during the ping and issue phases
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import re
import selectors
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_file import BENCHMARKS, record  # noqa: E402
from tests.live import LiveServer  # noqa: E402

BENCH_CENTER = ROOT / "bench" / "centers" / "bench.toml"
RESULTS = ROOT / "bench" / "results"
SERVICES = ("ly-lich", "lai-xe")
TARGET_RATIO = 0.6
TARGET_P99_MS = 50.0
DRAIN_SECONDS = 5.0


# ----- load processes ----------------------------------------------------------------------------------------

def request_bytes(host: str, port: int, path: str, body: bytes, device_token: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"X-Device-Token: {device_token}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def paired_kiosk(server: LiveServer) -> str:
    """A kiosk token, as a real kiosk holds (the server pairs loopback screens itself in this run)."""
    import requests as http

    request = http.post(f"{server.url}/api/devices/pairing", json={"kind": "kiosk"}, timeout=10).json()
    return http.get(f"{server.url}/api/devices/pairing/{request['request']}", timeout=10).json()["token"]


class Kiosk:
    """One keep-alive connection sending its requests in turn, one at a time."""

    def __init__(self, host: str, port: int, requests: list[bytes]):
        self.host, self.port, self.requests = host, port, requests
        self.turn = 0
        self.answered = 0  # responses inside the measured window
        self.sent_at = None
        self.buffer = b""
        self.connect()

    def connect(self):
        self.sock = socket.create_connection((self.host, self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)

    def send(self, now: float):
        data = self.requests[self.turn % len(self.requests)]
        self.turn += 1
        self.sent_at = now
        sent = self.sock.send(data)
        if sent != len(data):  # a few hundred bytes into an empty socket buffer: never partial in practice
            self.sock.setblocking(True)
            self.sock.sendall(data[sent:])
            self.sock.setblocking(False)

    def response(self):
        """(status, body) once a whole response is buffered, else None; raises on what it cannot parse."""
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = self.buffer[:head_end].decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = re.search(r"(?im)^content-length:\s*(\d+)\s*$", head)
        if length is None:
            raise RuntimeError(f"response without Content-Length: {head!r}")
        end = head_end + 4 + int(length.group(1))
        if len(self.buffer) < end:
            return None
        body, self.buffer = self.buffer[head_end + 4:end], self.buffer[end:]
        if re.search(r"(?im)^connection:\s*close\s*$", head):
            raise ConnectionResetError("server closed the keep-alive connection")
        return status, body


def load_process(pipe, host, port, requests, connections, start_at, warmup, seconds):
    """Run `connections` kiosks from `start_at` for warm-up + measured seconds; send the results down `pipe`."""
    kiosks = [Kiosk(host, port, requests[i % len(requests):] + requests[:i % len(requests)])
              for i in range(connections)]
    selector = selectors.DefaultSelector()
    for kiosk in kiosks:
        selector.register(kiosk.sock, selectors.EVENT_READ, kiosk)
    measure_from, measure_to = start_at + warmup, start_at + warmup + seconds
    latencies = array("d")
    statuses, errors, timeline = Counter(), Counter(), Counter()
    status_all = Counter()  # every response, warm-up and drain included: the database check counts them
    while time.monotonic() < start_at:
        time.sleep(min(0.01, max(0.0, start_at - time.monotonic())))
    now = time.monotonic()
    for kiosk in kiosks:
        kiosk.send(now)
    in_flight = len(kiosks)
    while in_flight and time.monotonic() < measure_to + DRAIN_SECONDS:
        for key, _ in selector.select(timeout=0.1):
            kiosk = key.data
            try:
                chunk = kiosk.sock.recv(65536)
                if not chunk:
                    raise ConnectionResetError("server closed the connection")
                kiosk.buffer += chunk
                result = kiosk.response()
            except (OSError, RuntimeError, ValueError, IndexError) as exc:
                now = time.monotonic()
                if measure_from <= now <= measure_to:
                    errors[type(exc).__name__ + ": " + str(exc)[:80]] += 1
                selector.unregister(kiosk.sock)
                kiosk.sock.close()
                kiosk.buffer = b""
                if now < measure_to:  # a kiosk that lost its connection reconnects and goes on
                    kiosk.connect()
                    selector.register(kiosk.sock, selectors.EVENT_READ, kiosk)
                    kiosk.send(now)
                else:
                    in_flight -= 1
                continue
            if result is None:
                continue
            now = time.monotonic()
            status_all[result[0]] += 1
            if measure_from <= now <= measure_to:
                latencies.append(now - kiosk.sent_at)
                statuses[result[0]] += 1
                kiosk.answered += 1
                timeline[int(now - measure_from)] += 1
            if now < measure_to:
                kiosk.send(now)
            else:
                in_flight -= 1
    for kiosk in kiosks:
        kiosk.sock.close()
    pipe.send({"latencies": latencies.tobytes(), "statuses": dict(statuses), "status_all": dict(status_all),
               "errors": dict(errors), "timeline": dict(timeline), "per_kiosk": [k.answered for k in kiosks]})
    pipe.close()


# ----- one phase: all load processes against one route --------------------------------------------------------

def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of the whole machine so far, all cores added up."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK"), steal / os.sysconf("SC_CLK_TCK")


def run_phase(server: LiveServer, path: str, bodies: list[bytes], args, token: str,
              profile_to: Path | None = None) -> dict:
    host, port = "127.0.0.1", server.port
    requests = [request_bytes(host, port, path, body, token) for body in bodies]
    context = multiprocessing.get_context("spawn")
    per_process = [args.kiosks // args.procs + (1 if i < args.kiosks % args.procs else 0) for i in range(args.procs)]
    start_at = time.monotonic() + 1.0 + 0.3 * args.procs  # time for spawned processes to import and connect
    workers = []
    for connections in per_process:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=load_process, args=(sender, host, port, requests, connections, start_at,
                                                             args.warmup, args.seconds))
        process.start()
        sender.close()
        workers.append((process, receiver))
    profiler = None
    while time.monotonic() < start_at + args.warmup:
        time.sleep(0.005)
    pids = [server.process.pid] + [process.pid for process, _ in workers]
    cpu_before = [process_cpu_seconds(pid) for pid in pids], machine_cpu_seconds()
    if profile_to is not None:
        profiler = subprocess.Popen([py_spy(), "record", "--pid", str(server.process.pid), "--duration",
                                     str(max(1, int(args.seconds))), "--rate", "200", "--nonblocking",
                                     "--format", "raw", "--output", str(profile_to)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(max(0.0, start_at + args.warmup + args.seconds - time.monotonic()))
    cpu_after = [process_cpu_seconds(pid) for pid in pids], machine_cpu_seconds()
    server_cpu = cpu_after[0][0] - cpu_before[0][0]
    client_cpu = sum(cpu_after[0][1:]) - sum(cpu_before[0][1:])
    # Whatever else ran on the machine meanwhile: a large share means the run was disturbed.
    other_cpu = (cpu_after[1][0] - cpu_before[1][0]) - server_cpu - client_cpu
    stolen_cpu = cpu_after[1][1] - cpu_before[1][1]
    results = []
    for process, receiver in workers:
        if not receiver.poll(args.seconds + args.warmup + DRAIN_SECONDS + 30):
            raise RuntimeError("a load process did not report")
        results.append(receiver.recv())
        process.join(10)
    if profiler is not None:
        _, stderr = profiler.communicate(timeout=60)
        if profiler.returncode != 0:
            print(f"py-spy failed: {stderr.decode(errors='replace')[-500:]}", file=sys.stderr)
    latencies = sorted(x for r in results for x in array("d", r["latencies"]))
    statuses, status_all, errors, timeline = Counter(), Counter(), Counter(), Counter()
    for r in results:
        statuses.update(r["statuses"])
        status_all.update(r["status_all"])
        errors.update(r["errors"])
        timeline.update(r["timeline"])
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    per_kiosk = sorted(n for r in results for n in r["per_kiosk"])
    completed = sum(statuses.values())
    bad_statuses = {status: n for status, n in statuses.items() if not 200 <= status < 300}
    return {
        "rps": ok / args.seconds,
        "ok": ok,
        "latencies": latencies,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "other_cpu": max(0.0, other_cpu),
        "stolen_cpu": stolen_cpu,
        "completed": completed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "errors": sum(bad_statuses.values()) + sum(errors.values()),
        "error_detail": {**{f"HTTP {s}": n for s, n in bad_statuses.items()}, **errors},
        "status_all": status_all,
        "timeline": [timeline.get(second, 0) for second in range(int(args.seconds))],
        # Answers per kiosk, fewest / median / most: a fair server gives every kiosk about the same share.
        "per_kiosk": (per_kiosk[0], per_kiosk[len(per_kiosk) // 2], per_kiosk[-1]),
        "server_cpu_percent": 100 * server_cpu / args.seconds,
        "server_cpu_us_per_request": 1e6 * server_cpu / completed if completed else float("nan"),
        "client_cpu_percent": 100 * client_cpu / args.seconds,
        "other_cpu_percent": 100 * max(0.0, other_cpu) / args.seconds,
        "stolen_cpu_percent": 100 * stolen_cpu / args.seconds,
    }


def pooled(phases: list[dict], seconds: float) -> dict:
    """One route's rounds as one measurement: answers and CPU summed, latencies and per-second counts pooled."""
    if len(phases) == 1:
        return phases[0]
    latencies = sorted(x for phase in phases for x in phase["latencies"])
    completed = sum(phase["completed"] for phase in phases)
    total_seconds = seconds * len(phases)
    error_detail = Counter()
    for phase in phases:
        error_detail.update(phase["error_detail"])
    server_cpu = sum(phase["server_cpu"] for phase in phases)
    return {
        "rps": sum(phase["ok"] for phase in phases) / total_seconds,
        "completed": completed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "errors": sum(phase["errors"] for phase in phases),
        "error_detail": dict(error_detail),
        "status_all": sum((Counter(phase["status_all"]) for phase in phases), Counter()),
        "timeline": [n for phase in phases for n in phase["timeline"]],
        "per_kiosk": (min(p[0] for p in (ph["per_kiosk"] for ph in phases)),
                      sorted(ph["per_kiosk"][1] for ph in phases)[len(phases) // 2],
                      max(p[2] for p in (ph["per_kiosk"] for ph in phases))),
        "server_cpu_percent": 100 * server_cpu / total_seconds,
        "server_cpu_us_per_request": 1e6 * server_cpu / completed if completed else float("nan"),
        "client_cpu_percent": 100 * sum(phase["client_cpu"] for phase in phases) / total_seconds,
        "other_cpu_percent": 100 * sum(phase["other_cpu"] for phase in phases) / total_seconds,
        "stolen_cpu_percent": 100 * sum(phase["stolen_cpu"] for phase in phases) / total_seconds,
    }


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        sys.exit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


# ----- the database check ------------------------------------------------------------------------------------

def check_numbers(database: Path, issued_201: int) -> dict:
    """Per (day, prefix): numbers exactly 1..n, no duplicate; and the server stored one ticket per 201 it sent."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        groups = conn.execute("SELECT local_date, prefix, count(*), count(DISTINCT number), min(number), max(number)"
                              " FROM tickets GROUP BY local_date, prefix ORDER BY local_date, prefix").fetchall()
        labels = conn.execute("SELECT count(*), count(DISTINCT local_date || label) FROM tickets").fetchone()
    finally:
        conn.close()
    problems = []
    for day, prefix, count, distinct, low, high in groups:
        if not (count == distinct == high and low == 1):
            problems.append(f"{day} {prefix}: {count} tickets, {distinct} distinct numbers, range {low}..{high}")
    if labels[0] != labels[1]:
        problems.append(f"{labels[0] - labels[1]} duplicate labels")
    if labels[0] != issued_201:
        problems.append(f"{labels[0]} tickets stored but {issued_201} answered 201")
    return {"ok": not problems, "problems": problems, "stored": labels[0],
            "per_prefix": {prefix: count for _, prefix, count, *_ in groups}}


# ----- one async mode ----------------------------------------------------------------------------------------

def bench_mode(mode: str, args, workdir: Path) -> dict:
    # Pairing required as in production: every request carries a kiosk's device token.
    server = LiveServer(workdir / f"{mode}.db", center=args.center, async_mode=mode,
                        env={"HANGDOI_REQUIRE_DEVICES": "1", "HANGDOI_AUTO_PAIR_LOCAL": "1"})
    try:
        server.start()
    except RuntimeError as exc:
        return {"mode": mode, "failed": str(exc)}
    try:
        token = paired_kiosk(server)
        ticket_bodies = [json.dumps({"service_code": code}).encode() for code in SERVICES]
        profile = ping_profile = None
        if args.profile:
            RESULTS.mkdir(parents=True, exist_ok=True)
            profile = RESULTS / f"issue-{mode}.pyspy.txt"
            ping_profile = RESULTS / f"ping-{mode}.pyspy.txt"
        pings, issues = [], []
        # Rounds alternate the two routes, so a drift in the machine's speed (it varies by tens of percent over
        # minutes) weighs on both; the ratio is the median of the rounds' ratios.
        for round_number in range(args.rounds):
            # The ping requests carry the same JSON body as the issue requests: the floor parses the same bytes.
            pings.append(run_phase(server, "/api/ping", ticket_bodies, args, token,
                                   profile_to=ping_profile if round_number == 0 else None))
            issues.append(run_phase(server, "/api/tickets", ticket_bodies, args, token,
                                    profile_to=profile if round_number == 0 else None))
    finally:
        server.stop()
    ping, issue = pooled(pings, args.seconds), pooled(issues, args.seconds)
    check = check_numbers(server.database, issue["status_all"].get(201, 0))
    ratios = [i["rps"] / p["rps"] if p["rps"] else float("nan") for p, i in zip(pings, issues)]
    return {"mode": mode, "ping": ping, "issue": issue, "check": check,
            "profile": profile, "ping_profile": ping_profile,
            "round_ratios": ratios, "ratio": statistics.median(ratios)}


# ----- reporting ---------------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(results: list[dict], args) -> str:
    lines = ["| mode | route | req/s | p50 ms | p99 ms | max ms | errors | answers per kiosk: min / median / max "
             "| CPU: server / load / other | server CPU per request |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "failed" in r:
            lines.append(f"| {r['mode']} | — | server failed to start | | | | | | | |")
            continue
        for route, phase in (("POST /api/ping", r["ping"]), ("POST /api/tickets", r["issue"])):
            lines.append(f"| {r['mode']} | {route} | {phase['rps']:,.0f} | {phase['p50_ms']:.1f} | "
                         f"{phase['p99_ms']:.1f} | {phase['max_ms']:.1f} | {phase['errors']} | "
                         f"{' / '.join(f'{n:,}' for n in phase['per_kiosk'])} | "
                         f"{phase['server_cpu_percent']:.0f} / {phase['client_cpu_percent']:.0f} / "
                         f"{phase['other_cpu_percent']:.0f} % | {phase['server_cpu_us_per_request']:,.0f} µs |")
    lines += ["", f"| mode | ratio issue/ping, median of rounds (target ≥ {TARGET_RATIO}) "
              f"| issue p99 (target < {TARGET_P99_MS:.0f} ms) | issue req/s, first → last second "
              "| tickets stored | numbers unique and gapless |",
              "|---|---|---|---|---:|---|"]
    for r in results:
        if "failed" in r:
            continue
        timeline = r["issue"]["timeline"]
        check = r["check"]
        rounds = f" (rounds: {', '.join(f'{x:.2f}' for x in r['round_ratios'])})" if len(r["round_ratios"]) > 1 else ""
        lines.append(f"| {r['mode']} | {r['ratio']:.2f}{rounds} — met: {verdict(r['ratio'] >= TARGET_RATIO)} | "
                     f"{r['issue']['p99_ms']:.1f} ms — met: {verdict(r['issue']['p99_ms'] < TARGET_P99_MS)} | "
                     f"{timeline[0] if timeline else 0:,} → {timeline[-1] if timeline else 0:,} | "
                     f"{check['stored']:,} ({', '.join(f'{p}: {n:,}' for p, n in check['per_prefix'].items())}) | "
                     f"{'yes' if check['ok'] else '**no**: ' + '; '.join(check['problems'])} |")
    return "\n".join(lines)


def machine() -> str:
    import sqlite3 as sqlite

    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return (f"nproc {os.cpu_count()}{f' ({model})' if model else ''}, Python {platform.python_version()}, "
            f"SQLite {sqlite.sqlite_version}, {platform.system()} {platform.release()}")



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="eventlet,gevent", help="async modes, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per route")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    parser.add_argument("--rounds", type=int, default=3, help="ping and issue phases, alternating, per mode")
    parser.add_argument("--kiosks", type=int, default=50, help="concurrent keep-alive connections")
    parser.add_argument("--procs", type=int, default=2, help="load processes the kiosks are spread over")
    parser.add_argument("--center", type=lambda value: Path(value).resolve(), default=BENCH_CENTER,
                        help="center file (its caps must not be reached)")
    parser.add_argument("--no-record", action="store_true", help=f"do not write {BENCHMARKS.name}")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy the server during the first ping and issue phases into bench/results/"
                             " (perturbs timings; implies --no-record)")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args.kiosks < args.procs:
        parser.error("--kiosks must be at least --procs")

    given = argv if argv is not None else sys.argv[1:]
    command = " ".join([".venv/bin/python bench/bench_issue.py", *given])
    started = dt.datetime.now().astimezone()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-issue-") as workdir:
        for mode in modes:
            print(f"{mode}: {args.kiosks} kiosks over {args.procs} load processes, {args.rounds} rounds of"
                  f" {args.warmup:g} s warm-up + {args.seconds:g} s per route …", flush=True)
            result = bench_mode(mode, args, Path(workdir))
            results.append(result)
            if "failed" in result:
                print(f"{mode}: SERVER FAILED TO START\n{result['failed']}", flush=True)
                continue
            for name in ("ping", "issue"):
                phase = result[name]
                if phase["error_detail"]:
                    print(f"  {name} errors: {phase['error_detail']}")
                print(f"  {name}: CPU (100 % = one core): server {phase['server_cpu_percent']:.0f} %, load processes"
                      f" {phase['client_cpu_percent']:.0f} %, anything else {phase['other_cpu_percent']:.0f} %, stolen"
                      f" {phase['stolen_cpu_percent']:.0f} %; req/s per second: {phase['timeline']}")
                if phase["other_cpu_percent"] > 20 or phase["stolen_cpu_percent"] > 20:
                    print(f"  WARNING: other work used the machine during the {name} phase; numbers are disturbed")
            if result["profile"]:
                print(f"  py-spy profiles of the first round: {result['ping_profile']}, {result['profile']}")

    table = markdown(results, args)
    print()
    print(table)
    failed = [r for r in results if "failed" in r or not r["check"]["ok"]]
    if args.no_record or args.profile:
        return 1 if failed else 0
    center = args.center.relative_to(ROOT) if args.center.is_relative_to(ROOT) else args.center
    body = "\n".join([
        "## Ticket issue under concurrent kiosks (bench/bench_issue.py)",
        "",
        f"Command: `{command}` — {started:%Y-%m-%d %H:%M %Z}",
        "",
        f"Machine: {machine()}. Client and server share the machine.",
        "",
        f"{args.kiosks} kiosks (keep-alive connections, closed loop) over {args.procs} load processes, "
        f"{args.rounds} rounds of ping then issue, each {args.warmup:g} s warm-up then {args.seconds:g} s measured, "
        f"one fresh server process and database per mode; rows pool the rounds, the ratio is the median of the "
        f"rounds' ratios. Pairing required: every request (ping too) carries a paired kiosk's device token. "
        f"`/api/tickets` alternates {' and '.join(SERVICES)} ({center}). "
        "req/s counts 2xx answers completed in the measured window; latency is send → whole response. "
        "CPU is user+system time over the window, 100 % = one core: the server process, the load processes, and "
        "everything else on the machine (a large 'other' means the run was disturbed).",
        "",
        table,
    ])
    for r in results:
        if "failed" in r:
            body += f"\n\n{r['mode']} failed to start:\n\n```\n{r['failed'][-1500:]}\n```"
    record("bench_issue", body)
    print(f"\nrecorded in {BENCHMARKS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
