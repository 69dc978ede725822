"""Call → display latency with hundreds of connected displays, as a ratio to a bare python-socketio broadcast.

For each async mode and each number of displays, two servers in turn, each fresh: the bare broadcast server
(bench/bare_broadcast_server.py, same async mode) and the real server (run.py, as tests/live.py starts it, on
bench/centers/bench.toml). The same harness drives both: display clients (python-socketio AsyncClient, websocket
transport, each subscribed as screen "display") spread over load processes, and one console that sends
call_next, start and finish at a fixed rate (call_next at t, start at t + T/3, finish at t + 2T/3), stamping the
send time of each call_next with time.monotonic(). Each display stamps the arrival of every ticket_called with the
same clock (CLOCK_MONOTONIC is shared by the processes of one host). Per call: first, median and last display;
over the calls: p50/p99 of the last display; lost events from the sequence numbers each display saw.

    .venv/bin/python bench/bench_calls.py                         # eventlet and gevent, 300 and 500 displays
    .venv/bin/python bench/bench_calls.py --modes gevent --displays 500 --seconds 30 --no-record
    .venv/bin/python bench/bench_calls.py --profile               # + py-spy of the real server, bench/results/
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import multiprocessing
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.benchmarks_file import BENCHMARKS, record  # noqa: E402
from tests.live import LiveServer, free_port  # noqa: E402

BENCH_CENTER = ROOT / "bench" / "centers" / "bench.toml"
BARE_SERVER = ROOT / "bench" / "bare_broadcast_server.py"
RESULTS = ROOT / "bench" / "results"
PASSWORD = "matkhau-bench"
TARGET_P99_MS = 100.0  # at 300 displays
TARGET_RATIO = 1.3  # app p99 / bare p99
TARGET_RSS_MB = 200.0  # at 500 displays
DRAIN_SECONDS = 2.0
CONNECT_BATCH = 25  # displays connecting at once in one load process


# ----- the servers -------------------------------------------------------------------------------------------

class BareServer:
    """bench/bare_broadcast_server.py in a subprocess, started and stopped like tests.live.LiveServer."""

    def __init__(self, workdir: Path, async_mode: str):
        self.async_mode, self.port = async_mode, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = workdir / f"bare-{async_mode}-{self.port}.log"
        self.process = None

    def start(self, timeout: float = 20):
        env = {**os.environ, "HANGDOI_ASYNC_MODE": self.async_mode, "HANGDOI_PORT": str(self.port),
               "HANGDOI_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
        self.log = open(self.logfile, "ab")
        self.process = subprocess.Popen([sys.executable, str(BARE_SERVER)], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bare server exited: {self.logfile.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("bare server did not answer in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.log.close()


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc/<pid>/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(pids: dict[str, list[int]]) -> dict[str, float]:
    return {"machine": machine_busy_seconds(),
            **{name: sum(process_cpu_seconds(pid) for pid in group) for name, group in pids.items()}}


def cpu_share(before: dict, after: dict, seconds: float) -> dict[str, float]:
    """CPU used over a window by each group and by everything else on the machine (1.0 = one core)."""
    used = {name: (after[name] - before[name]) / seconds for name in before}
    machine = used.pop("machine")
    return {**used, "other": max(0.0, machine - sum(used.values()))}


# ----- load processes: the displays ----------------------------------------------------------------------------

def display_process(pipe, url: str, count: int, device_token: str | None):
    """Connect `count` displays, report, follow the queue until told to stop, then send what each one saw."""
    asyncio.run(displays(pipe, url, count, device_token))


async def displays(pipe, url: str, count: int, device_token: str | None):
    import socketio

    loop = asyncio.get_running_loop()
    seen = [[] for _ in range(count)]  # per display: (seq, kind, label, t_recv)
    subscribed_at = [None] * count
    clients = [socketio.AsyncClient(reconnection=False, handle_sigint=False) for _ in range(count)]

    def follow(i, sio):
        @sio.on("queue_event")
        async def on_event(event):
            seen[i].append((event["seq"], event["kind"], event.get("label"), time.monotonic()))

    failures = Counter()

    async def connect(i):
        sio = clients[i]
        follow(i, sio)
        try:
            await sio.connect(url, transports=["websocket"], wait_timeout=30,
                              auth={"device": device_token} if device_token else None)
            reply = await sio.call("subscribe", {"screen": "display"}, timeout=30)
            if not reply.get("ok"):
                raise RuntimeError(f"subscribe refused: {reply}")
            subscribed_at[i] = reply["snapshot"]["seq"]
        except Exception as exc:  # noqa: BLE001 - reported, not fatal: the run says how many displays took part
            failures[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1

    for start in range(0, count, CONNECT_BATCH):
        await asyncio.gather(*(connect(i) for i in range(start, min(count, start + CONNECT_BATCH))))
    # The load generator must not add pauses of its own: hundreds of clients make a large heap, whose full
    # garbage collections would stall every display of this process at once.
    gc.collect()
    gc.freeze()
    gc.disable()
    pipe.send({"connected": sum(s is not None for s in subscribed_at), "failures": dict(failures)})
    await loop.run_in_executor(None, pipe.recv)  # "stop"
    gc.enable()
    dropped = sum(1 for i, sio in enumerate(clients) if subscribed_at[i] is not None and not sio.connected)
    await asyncio.gather(*(sio.disconnect() for sio in clients if sio.connected), return_exceptions=True)
    pipe.send({"seen": [s for i, s in enumerate(seen) if subscribed_at[i] is not None],
               "subscribed_at": [s for s in subscribed_at if s is not None], "dropped": dropped})
    pipe.close()


# ----- the console ---------------------------------------------------------------------------------------------

async def console(url: str, headers: dict, bare: bool, rate: float, calls: int):
    """call_next, start, finish `calls` times at `rate` calls per second; returns each call's label and send time."""
    import socketio

    sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    await sio.connect(url, headers=headers, transports=["websocket"], wait_timeout=30)
    reply = await sio.call("subscribe", {"screen": "display" if bare else "console"}, timeout=30)
    assert reply["ok"], reply
    period = 1 / rate
    sent = []
    errors = Counter()

    async def act(action: str, k: int):
        if bare:
            return await sio.call("call", {"action": action, "label": f"A{k + 1:03d}"}, timeout=30)
        return await sio.call("counter_action", {"action_id": secrets.token_hex(12), "action": action, "params": {}},
                              timeout=30)

    async def until(moment):
        await asyncio.sleep(max(0.0, moment - time.monotonic()))

    begin = time.monotonic() + 0.2
    for k in range(calls):
        at = begin + k * period
        await until(at)
        t_send = time.monotonic()
        reply = await act("call_next", k)
        t_ack = time.monotonic()
        if not reply.get("ok"):
            errors[reply.get("error")] += 1
            continue
        sent.append({"label": reply["result"]["label"], "t_send": t_send, "ack_ms": 1000 * (t_ack - t_send)})
        for action, offset in (("start", period / 3), ("finish", 2 * period / 3)):
            await until(at + offset)
            if not (await act(action, k)).get("ok"):
                errors[action] += 1
    await sio.disconnect()
    return sent, errors


# ----- one run: one server, N displays ---------------------------------------------------------------------------

def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def run(server, headers: dict, bare: bool, n_displays: int, args, profile_to: Path | None = None,
        device_token: str | None = None) -> dict:
    context = multiprocessing.get_context("spawn")
    per_process = [n_displays // args.procs + (1 if i < n_displays % args.procs else 0) for i in range(args.procs)]
    workers = []
    connect_started = time.monotonic()
    for count in per_process:
        mine, theirs = context.Pipe()
        process = context.Process(target=display_process, args=(theirs, server.url, count, device_token),
                                          daemon=True)
        process.start()
        theirs.close()
        workers.append((process, mine))
    ready = []
    for _process, pipe in workers:
        if not pipe.poll(120):
            raise RuntimeError("a load process did not connect its displays in time")
        ready.append(pipe.recv())
    connect_seconds = time.monotonic() - connect_started
    connected = sum(r["connected"] for r in ready)
    connect_failures = Counter()
    for r in ready:
        connect_failures.update(r["failures"])
    time.sleep(0.5)
    rss_connected, _ = rss_mb(server.process.pid)
    total_calls = args.warmup_calls + int(args.rate * args.seconds)
    profiler = None
    if profile_to is not None:
        profiler = subprocess.Popen([py_spy(), "record", "--pid", str(server.process.pid), "--duration",
                                     str(max(1, int(total_calls / args.rate))), "--rate", "250", "--nonblocking",
                                     "--format", "raw", "--output", str(profile_to)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pids = {"server": [server.process.pid], "load": [p.pid for p, _ in workers], "console": [os.getpid()]}
    cpu_before, wall_before = cpu_snapshot(pids), time.monotonic()
    sent, console_errors = asyncio.run(console(server.url, headers, bare, args.rate, total_calls))
    time.sleep(DRAIN_SECONDS)
    cpu = cpu_share(cpu_before, cpu_snapshot(pids), time.monotonic() - wall_before)
    rss_end, rss_peak = rss_mb(server.process.pid)
    if profiler is not None:
        _, stderr = profiler.communicate(timeout=120)
        if profiler.returncode != 0:
            print(f"py-spy failed: {stderr.decode(errors='replace')[-500:]}", file=sys.stderr)
    results = []
    for process, pipe in workers:
        pipe.send("stop")
        if not pipe.poll(60):
            raise RuntimeError("a load process did not report")
        results.append(pipe.recv())
        process.join(10)

    seen = [s for r in results for s in r["seen"]]
    subscribed_at = [s for r in results for s in r["subscribed_at"]]
    # Lost and duplicated events: each display should have every seq after its snapshot up to the last one.
    last_seq = max((e[0] for s in seen for e in s), default=0)
    lost = duplicated = 0
    arrivals = defaultdict(list)  # label → arrival times of its ticket_called
    for events, since in zip(seen, subscribed_at):
        seqs = [e[0] for e in events]
        distinct = set(seqs)
        duplicated += len(seqs) - len(distinct)
        lost += len(set(range(since + 1, last_seq + 1)) - distinct)
        for _seq, kind, label, t_recv in events:
            if kind == "ticket_called":
                arrivals[label].append(t_recv)
    calls = []
    for call in sent[args.warmup_calls:]:
        times = sorted(t - call["t_send"] for t in arrivals.get(call["label"], []))
        calls.append({"times": times, "missing": len(seen) - len(times), "ack": call["ack_ms"] / 1000})
    return {"connected": connected, "connect_failures": dict(connect_failures), "connect_seconds": connect_seconds,
            "calls": calls, "console_errors": dict(console_errors), "lost": lost, "duplicated": duplicated,
            "dropped": sum(r["dropped"] for r in results), "rss": (rss_connected, rss_end, rss_peak),
            "cpu": cpu}


def summary(runs: list[dict]) -> dict:
    """The runs of one server and load, pooled: per call first/median/last display, then over the calls."""
    last, first, median, every, missing = [], [], [], [], 0
    for run_ in runs:
        for call in run_["calls"]:
            missing += call["missing"]
            times = call["times"]
            if times:
                first.append(times[0])
                median.append(times[len(times) // 2])
                last.append(times[-1])
                every.extend(times)
    last.sort()
    every.sort()
    ms = 1000.0
    acks = [c["ack"] for r in runs for c in r["calls"]]
    errors = Counter()
    for r in runs:
        errors.update(r["connect_failures"])
        errors.update({f"console {k}": v for k, v in r["console_errors"].items()})
    return {
        "connected": min(r["connected"] for r in runs), "connect_seconds": max(r["connect_seconds"] for r in runs),
        "errors": dict(errors), "calls": len(last),
        "first_p50_ms": statistics.median(first) * ms if first else float("nan"),
        "median_p50_ms": statistics.median(median) * ms if median else float("nan"),
        "last_p50_ms": percentile(last, 50) * ms, "last_p99_ms": percentile(last, 99) * ms,
        "last_max_ms": (last[-1] if last else float("nan")) * ms, "all_p99_ms": percentile(every, 99) * ms,
        "ack_p50_ms": statistics.median(acks) * ms if acks else float("nan"),
        "missing_calls": missing, "lost_events": sum(r["lost"] for r in runs),
        "duplicated_events": sum(r["duplicated"] for r in runs), "dropped_displays": sum(r["dropped"] for r in runs),
        "rss_connected_mb": max(r["rss"][0] for r in runs), "rss_end_mb": max(r["rss"][1] for r in runs),
        "rss_peak_mb": max(r["rss"][2] for r in runs),
        **{f"{name}_cpu_percent": 100 * statistics.mean(r["cpu"][name] for r in runs)
           for name in ("server", "load", "console", "other")},
    }


def paired(server: LiveServer, kind: str) -> str:
    """A device token of this kind (the server pairs loopback screens itself in this run, like the demo)."""
    request = requests.post(f"{server.url}/api/devices/pairing", json={"kind": kind}, timeout=30).json()
    return requests.get(f"{server.url}/api/devices/pairing/{request['request']}", timeout=30).json()["token"]


def app_server(workdir: Path, mode: str, tickets: int) -> tuple[LiveServer, dict, str]:
    """The real server on a fresh database with pairing required as in production: an officer with a password,
    signed in at counter 1, tickets from a paired kiosk, and the token the displays connect with."""
    database = workdir / f"app-{mode}-{secrets.token_hex(3)}.db"
    server = LiveServer(database, center=BENCH_CENTER, async_mode=mode,
                        env={"HANGDOI_REQUIRE_DEVICES": "1", "HANGDOI_AUTO_PAIR_LOCAL": "1"})
    subprocess.run([sys.executable, "-m", "server", "passwd", "an"], input=PASSWORD + "\n", text=True, check=True,
                   cwd=ROOT, capture_output=True,
                   env={**os.environ, "HANGDOI_CENTER": str(BENCH_CENTER), "HANGDOI_DATABASE": str(database)})
    server.start()
    with requests.Session() as http:
        csrf = http.get(server.url + "/api/session", timeout=30).json()["csrf"]
        response = http.post(server.url + "/api/session", json={"username": "an", "password": PASSWORD,
                                                                "counter": 1}, headers={"X-CSRF-Token": csrf},
                             timeout=30)
        response.raise_for_status()
        kiosk = {"X-Device-Token": paired(server, "kiosk")}
        for _ in range(tickets):  # before the displays connect: the measured window holds only the calls
            http.post(server.url + "/api/tickets", json={"service_code": "ly-lich"}, headers=kiosk,
                      timeout=30).raise_for_status()
    return server, {"Cookie": f"session={response.cookies['session']}"}, paired(server, "display")


def bench(mode: str, n_displays: int, args, workdir: Path) -> dict:
    """Bare server, then the real one, with the same harness and load; `args.rounds` times, pooled."""
    runs = {"bare": [], "app": []}
    profile = None
    for round_ in range(args.rounds):
        bare = BareServer(workdir, mode)
        try:
            bare.start()
            runs["bare"].append(run(bare, {}, True, n_displays, args))
        finally:
            bare.stop()
        calls = args.warmup_calls + int(args.rate * args.seconds) + 5
        server, headers, display_token = app_server(workdir, mode, calls)
        if args.profile and round_ == 0:
            RESULTS.mkdir(parents=True, exist_ok=True)
            profile = RESULTS / f"calls-{mode}-{n_displays}.pyspy.txt"
        try:
            runs["app"].append(run(server, headers, False, n_displays, args,
                                   profile_to=profile if round_ == 0 else None, device_token=display_token))
        finally:
            server.stop()
    return {"mode": mode, "displays": n_displays, "bare": summary(runs["bare"]), "app": summary(runs["app"]),
            "profile": profile}


# ----- reporting -----------------------------------------------------------------------------------------------

def py_spy() -> str:
    found = Path(sys.executable).parent / "py-spy"
    if not found.exists():
        sys.exit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return str(found)


def profile_summary(path: Path, top: int = 25) -> str:
    """The functions of a py-spy raw (collapsed) profile with the most samples: inclusive and self."""
    inclusive, own, total = Counter(), Counter(), 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        if frames:
            own[frames[-1]] += int(count)
    if not total:
        return f"{path}: no samples"
    lines = [f"{path.name}: {total} samples of the busy server (idle time excluded)", "  inclusive:"]
    lines += [f"    {100 * n / total:5.1f} %  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  self:")
    lines += [f"    {100 * n / total:5.1f} %  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(results: list[dict]) -> str:
    lines = ["| mode | displays | server | connected | last display p50 ms | last display p99 ms | max ms "
             "| all displays p99 ms | first / median display p50 ms | console ack p50 ms | lost "
             "| CPU: server / displays / console / other | server RSS MB (connected / end) |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for name in ("bare", "app"):
            x = r[name]
            lines.append(
                f"| {r['mode']} | {r['displays']} | {'bare broadcast' if name == 'bare' else 'Hàng đợi'} | "
                f"{x['connected']} | {x['last_p50_ms']:.1f} | {x['last_p99_ms']:.1f} | {x['last_max_ms']:.1f} | "
                f"{x['all_p99_ms']:.1f} | {x['first_p50_ms']:.1f} / {x['median_p50_ms']:.1f} | "
                f"{x['ack_p50_ms']:.1f} | {x['lost_events'] + x['missing_calls']} | "
                f"{x['server_cpu_percent']:.0f} / {x['load_cpu_percent']:.0f} / {x['console_cpu_percent']:.0f} / "
                f"{x['other_cpu_percent']:.0f} % | {x['rss_connected_mb']:.0f} / {x['rss_end_mb']:.0f} |")
    lines += ["", f"| mode | displays | ratio p50 app/bare | ratio p99 app/bare (target ≤ {TARGET_RATIO}) "
              f"| p99 < {TARGET_P99_MS:.0f} ms (at 300) | RSS < {TARGET_RSS_MB:.0f} MB (at 500) |",
              "|---|---:|---:|---|---|---|"]
    for r in results:
        app, bare = r["app"], r["bare"]
        ratio50 = app["last_p50_ms"] / bare["last_p50_ms"]
        ratio99 = app["last_p99_ms"] / bare["last_p99_ms"]
        p99 = (f"{app['last_p99_ms']:.1f} ms — met: {verdict(app['last_p99_ms'] < TARGET_P99_MS)}"
               if r["displays"] == 300 else f"({app['last_p99_ms']:.1f} ms)")
        rss = max(app["rss_connected_mb"], app["rss_end_mb"])
        memory = (f"{rss:.0f} MB — met: {verdict(rss < TARGET_RSS_MB)}" if r["displays"] == 500
                  else f"({rss:.0f} MB)")
        lines.append(f"| {r['mode']} | {r['displays']} | {ratio50:.2f} | {ratio99:.2f} — met: "
                     f"{verdict(ratio99 <= TARGET_RATIO)} | {p99} | {memory} |")
    return "\n".join(lines)


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    for line in cpuinfo.read_text().splitlines() if cpuinfo.exists() else []:
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    packages = ", ".join(f"{name} {version(name)}" for name in ("python-socketio", "python-engineio", "Flask-SocketIO",
                                                               "eventlet", "gevent"))
    return (f"nproc {os.cpu_count()}{f' ({model})' if model else ''}, Python {platform.python_version()}, {packages}, "
            f"{platform.system()} {platform.release()}")


def version(package: str) -> str:
    from importlib.metadata import version as installed

    return installed(package)



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="eventlet,gevent", help="async modes, comma-separated")
    parser.add_argument("--displays", default="300,500", help="numbers of connected displays, comma-separated")
    parser.add_argument("--procs", type=int, default=2, help="load processes the displays are spread over")
    parser.add_argument("--rate", type=float, default=2.0, help="calls per second")
    parser.add_argument("--seconds", type=float, default=25.0, help="measured seconds of calls per run")
    parser.add_argument("--warmup-calls", type=int, default=2, help="calls before the measured ones")
    parser.add_argument("--rounds", type=int, default=2,  # 2 × 25 s × 2 calls/s: p99 is the 99th of 100 calls
                        help="bare-then-real runs per configuration, pooled (alternating absorbs drifting load)")
    parser.add_argument("--no-record", action="store_true", help=f"do not write {BENCHMARKS.name}")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy the real server during its calls into bench/results/ (perturbs timings;"
                             " implies --no-record)")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    counts = [int(n) for n in args.displays.split(",") if n.strip()]
    if args.procs < 2:
        parser.error("--procs must be at least 2: one process decoding hundreds of sockets is the bottleneck")

    given = argv if argv is not None else sys.argv[1:]
    command = " ".join([".venv/bin/python bench/bench_calls.py", *given])
    started = dt.datetime.now().astimezone()
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as workdir:
        for mode in modes:
            for n in counts:
                print(f"{mode}, {n} displays over {args.procs} load processes: bare broadcast, then Hàng đợi, "
                      f"{args.rounds}×; {args.rate:g} calls/s for {args.seconds:g} s …", flush=True)
                result = bench(mode, n, args, Path(workdir))
                results.append(result)
                for name in ("bare", "app"):
                    x = result[name]
                    print(f"  {name}: {x['connected']}/{n} connected (slowest {x['connect_seconds']:.1f} s); "
                          f"{x['calls']} calls, last display p50 {x['last_p50_ms']:.1f} ms p99 "
                          f"{x['last_p99_ms']:.1f} ms; lost {x['lost_events']} events, {x['missing_calls']} call "
                          f"arrivals, {x['duplicated_events']} duplicated, {x['dropped_displays']} dropped; server "
                          f"CPU {x['server_cpu_percent']:.0f} %, displays {x['load_cpu_percent']:.0f} %, other "
                          f"{x['other_cpu_percent']:.0f} %"
                          f"{'; errors ' + str(x['errors']) if x['errors'] else ''}", flush=True)
                if result["profile"] and result["profile"].exists():
                    print(profile_summary(result["profile"]))
    load_after = os.getloadavg()
    table = markdown(results)
    print()
    print(table)
    print(f"\nload average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    if args.no_record or args.profile:
        return 0
    body = "\n".join([
        "## Call → display latency with many displays (bench/bench_calls.py)",
        "",
        f"Command: `{command}` — {started:%Y-%m-%d %H:%M %Z}",
        "",
        f"Machine: {machine()}. Client and server share the machine; 1-minute load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after the run.",
        "",
        f"Displays: python-socketio AsyncClients (websocket transport, each subscribed as `display`; on the real "
        f"server pairing is required and they connect with a paired display's token) over "
        f"{args.procs} load processes. One console: call_next, start and finish at {args.rate:g} calls/s "
        f"({args.warmup_calls} warm-up calls, then {args.seconds:g} s measured); a fresh server per run; "
        f"{args.rounds} rounds alternating bare and real server, pooled per row. "
        "Latency is from just before the console's emit of call_next to a display's handler for its "
        "ticket_called (time.monotonic() in both processes). *Last display* = the slowest display of a call; "
        "p50/p99 over the pooled calls (nearest rank: below 100 calls p99 is the worst call). "
        "*All displays p99* = over every (display, call) arrival. *Lost* = events missing from a display's "
        "sequence numbers plus call arrivals that never came. CPU = user+system time during the calls, 100 % = one "
        "core: the server process, the display processes, the console (this script), and everything else on the "
        "machine (a large *other* means the run was disturbed by other work). RSS = VmRSS of the server process "
        "(/proc/<pid>/status) with every display connected and after the calls. "
        "Bare broadcast = bench/bare_broadcast_server.py (python-socketio only, same async mode and web server, "
        "`call` only broadcasts an event of the same shape and size).",
        "",
        table,
    ])
    record("bench_calls", body)
    print(f"\nrecorded in {BENCHMARKS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
