"""Lobby screens that run for weeks: a lobby display and a counter display in Chromium through 50,000 queue events.

The real server (run.py, as tests/live.py starts it, on bench/centers/bench.toml, whose daily caps a run never
reaches) and Debian's chromium through Playwright, as the browser tests use them. Two screens, each in its own
browser context: the lobby (/display, voice on at four times the speed, so announcements keep playing) and the
counter display of counter 1 (/display/counter/1). Three officers at counters 1, 2 and 3, each in its own thread,
repeat as fast as the server answers: a kiosk issue over HTTP, then call_next, recall, start and finish over
Socket.IO (five events a ticket, two of them spoken), and every 25th ticket a pause and a resume of the counter.
Calls arrive far faster than the lobby can speak them.

After a warm-up (the recent-calls list full, every counter open), each page's JS heap is measured through the Chrome
DevTools Protocol (two HeapProfiler.collectGarbage, then Runtime.getHeapUsage), with Performance.getMetrics (DOM
Nodes, JSEventListeners, JSHeapUsedSize); then the events are driven in parts (5 by default), and after each part
the pages catch up (their body[data-seq] is the server's last sequence number) and are measured again. The lobby's
voice queue is sampled while the events run. Prints the figures and checks them against the limits (heap growth
< 2 MB, nodes and listeners not growing, voice queue ≤ 12 announcements, clip log ≤ 100 clips); replaces the
"Display soak" section of BENCHMARKS.md.
Exit status 1 when a limit is exceeded.

    .venv/bin/python bench/bench_display_soak.py                     # 50,000 events, records BENCHMARKS.md
    .venv/bin/python bench/bench_display_soak.py --events 5000 --no-record

tests/test_display_soak.py runs the same soak with 5,000 events against the test server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.benchmarks_file import BENCHMARKS, record  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.officer import Officer  # noqa: E402
from tests.test_browser_display import wait_js  # noqa: E402

BENCH_CENTER = ROOT / "bench" / "centers" / "bench.toml"
DEFAULT_EVENTS = 50_000
WARMUP_EVENTS = 500
HEAP_GROWTH_LIMIT = 2 * 1024 * 1024  # bytes of JS heap, after garbage collection
NODE_SLACK = 20  # DOM nodes: a text node comes and goes with an empty tag, a list row with the state drawn
LISTENER_SLACK = 4  # the voice players' onended/onerror/ondurationchange are set only while a clip plays
VOICE_QUEUE_LIMIT = 12  # display.js MAX_QUEUE
VOICE_LOG_LIMIT = 100  # display.js LOG_CLIPS
DESKS = (("an", 1, "ly-lich"), ("binh", 2, "ly-lich"), ("cuong", 3, "lai-xe"))
CYCLE = ("call_next", "recall", "start", "finish")  # after the kiosk issue: five events a ticket
PAUSE_EVERY = 25  # tickets between a pause and resume of the counter (two counter events)
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--autoplay-policy=no-user-gesture-required"]


# ----- driving the events --------------------------------------------------------------------------------------

class QuietOfficer(Officer):
    """An officer whose console socket keeps only the last sequence number it heard, not 50,000 events."""

    last_seq = 0

    def _record(self, event):
        self.last_seq = max(self.last_seq, event["seq"])


class EventDriver:
    """Three officers at counters 1–3 producing queue events as fast as the server takes them."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.officers = [QuietOfficer(server.url, server.database, server.center, name).start_password()
                         for name, _, _ in DESKS]

    def sign_in(self):
        for officer, (_, counter, _) in zip(self.officers, DESKS):
            officer.sign_in(counter)
        return self

    def seq(self) -> int:
        """The server's last sequence number, from a snapshot."""
        reply = self.officers[0].client.call("subscribe", {"screen": "console"}, timeout=10)
        assert reply["ok"], reply
        return reply["snapshot"]["seq"]

    def drive(self, events: int, while_running=None) -> dict:
        """At least `events` events (whole tickets); `while_running()` is called on this thread until they are done.
        Returns the events driven (from the sequence numbers), the seconds it took and the server's last seq."""
        first = self.seq()
        target = first + events
        errors: list[Exception] = []

        def desk(officer: QuietOfficer, service: str):
            http = requests.Session()
            tickets = 0
            try:
                while not errors and officer.last_seq < target:
                    response = http.post(f"{self.server.url}/api/tickets", json={"service_code": service},
                                         timeout=10)
                    assert response.status_code == 201, response.text
                    for action in CYCLE:
                        reply = officer.act(action)
                        assert reply["ok"], (action, reply)
                    tickets += 1
                    if tickets % PAUSE_EVERY == 0:
                        for action, params in (("pause", {"reason": "Họp giao ban"}), ("resume", {})):
                            reply = officer.act(action, **params)
                            assert reply["ok"], (action, reply)
            except Exception as exc:  # noqa: BLE001 — any failure, raised again on the main thread
                errors.append(exc)
            finally:
                http.close()

        threads = [threading.Thread(target=desk, args=(officer, service), daemon=True)
                   for officer, (_, _, service) in zip(self.officers, DESKS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            if while_running:
                while_running()
            time.sleep(0.2)
        seconds = time.monotonic() - started
        if errors:
            raise errors[0]
        last = self.seq()
        return {"events": last - first, "seconds": seconds, "last_seq": last}

    def close(self):
        for officer in self.officers:
            officer.close()


# ----- the pages and what they hold ----------------------------------------------------------------------------

class Screen:
    """One display page in its own browser context, with a DevTools session to measure it."""

    def __init__(self, browser, url: str, name: str):
        self.name = name
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920})
        self.page = self.context.new_page()
        self.page.goto(url)
        self.page.wait_for_selector("body[data-seq]", state="attached")  # the first snapshot is drawn
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")

    def caught_up(self, seq: int, timeout: float = 180):
        wait_js(self.page, f"Number(document.body.dataset.seq) >= {seq}", timeout)

    def figures(self) -> dict:
        """JS heap after garbage collection, DOM nodes and event listeners (Chrome DevTools Protocol)."""
        self.page.wait_for_timeout(500)  # let the last draws and clips settle
        for _ in range(2):
            self.cdp.send("HeapProfiler.collectGarbage")
        heap = self.cdp.send("Runtime.getHeapUsage")
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return {"heap_used": heap["usedSize"], "heap_total": heap["totalSize"],
                "js_heap_used": int(metrics["JSHeapUsedSize"]), "nodes": int(metrics["Nodes"]),
                "listeners": int(metrics["JSEventListeners"]), "documents": int(metrics["Documents"])}

    def close(self):
        self.cdp.detach()
        self.context.close()


def voice(page) -> dict:
    """The lobby's voice log (display.js window.hangdoiVoice)."""
    return page.evaluate("({count: hangdoiVoice.count, played: hangdoiVoice.played.length, "
                         "queued: hangdoiVoice.queued, dropped: hangdoiVoice.dropped, merged: hangdoiVoice.merged})")


def soak(server: LiveServer, browser, events: int, warmup: int = WARMUP_EVENTS, checkpoints: int = 1,
         log=print) -> dict:
    """Open the lobby and counter 1's display, warm them up, drive `events` events in `checkpoints` equal parts, and
    measure both pages after the warm-up and after each part."""
    driver = EventDriver(server)
    screens = {}
    try:
        screens["lobby"] = Screen(browser, f"{server.url}/display?voice_rate=4", "lobby")
        screens["counter"] = Screen(browser, f"{server.url}/display/counter/1", "counter")
        # Started with the TV's autoplay flag (CHROMIUM_ARGS), the lobby speaks without the "Bật âm thanh" click.
        wait_js(screens["lobby"].page, "window.hangdoiVoice.enabled", 30)
        driver.sign_in()
        seq = driver.drive(warmup)["last_seq"]
        for screen in screens.values():
            screen.caught_up(seq)
        measured = [{"events": 0, **{name: screen.figures() for name, screen in screens.items()}}]
        log(f"warmed up with {warmup} events: " + ", ".join(
            f"{name} heap {kib(measured[0][name]['heap_used'])} KiB, {measured[0][name]['nodes']} nodes"
            for name in screens))

        lobby = screens["lobby"].page
        queued = []

        def sample():
            queued.append(lobby.evaluate("hangdoiVoice.queued"))

        driven, seconds, lag = 0, 0.0, 0.0
        for part in range(checkpoints):
            run = driver.drive(events * (part + 1) // checkpoints - driven, while_running=sample)
            driven, seconds = driven + run["events"], seconds + run["seconds"]
            caught = time.monotonic()
            for screen in screens.values():
                screen.caught_up(run["last_seq"])
            lag = max(lag, time.monotonic() - caught)
            measured.append({"events": driven, **{name: screen.figures() for name, screen in screens.items()}})
            log(f"{driven} events in {seconds:.1f} s ({driven / seconds:.0f}/s): " + ", ".join(
                f"{name} heap {kib(measured[-1][name]['heap_used'])} KiB, {measured[-1][name]['nodes']} nodes"
                for name in screens))
        return {"events": driven, "seconds": seconds, "lag": lag, "warmup": warmup, "checkpoints": measured,
                "before": {name: measured[0][name] for name in screens},
                "after": {name: measured[-1][name] for name in screens},
                "voice": voice(lobby), "max_queued": max(queued, default=0), "samples": len(queued)}
    finally:
        for screen in screens.values():
            screen.close()
        driver.close()


def kib(n: float) -> str:
    return f"{n / 1024:,.0f}"


def failures(result: dict) -> list[str]:
    """The limits a soak exceeded, in words (empty when it passed)."""
    problems = []
    for name in result["before"]:
        b, a = result["before"][name], result["after"][name]
        if a["heap_used"] - b["heap_used"] >= HEAP_GROWTH_LIMIT:
            problems.append(f"{name}: JS heap grew by {kib(a['heap_used'] - b['heap_used'])} KiB")
        if a["nodes"] > b["nodes"] + NODE_SLACK:
            problems.append(f"{name}: DOM nodes {b['nodes']} → {a['nodes']}")
        if a["listeners"] > b["listeners"] + LISTENER_SLACK:
            problems.append(f"{name}: event listeners {b['listeners']} → {a['listeners']}")
        if a["documents"] > b["documents"]:
            problems.append(f"{name}: documents {b['documents']} → {a['documents']}")
    v = result["voice"]
    if result["max_queued"] > VOICE_QUEUE_LIMIT or v["queued"] > VOICE_QUEUE_LIMIT:
        problems.append(f"lobby: voice queue reached {max(result['max_queued'], v['queued'])} announcements")
    if v["played"] > VOICE_LOG_LIMIT:
        problems.append(f"lobby: voice log holds {v['played']} clips")
    return problems


# ----- the benchmark -------------------------------------------------------------------------------------------

def report(result: dict, command: str) -> str:
    """The BENCHMARKS.md section."""
    rate = result["events"] / result["seconds"]
    v = result["voice"]
    problems = failures(result)
    lines = [
        "## Display soak: lobby and counter display through many events (bench/bench_display_soak.py)",
        "",
        (f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores shared by the"
         f" server (eventlet), the three officers' threads and {chromium_version()}; command: `{command}`."),
        "",
        (f"{result['events']:,} queue events (per ticket: issued, called, recalled, started, finished; every"
         f" {PAUSE_EVERY}th ticket a pause and a resume) driven in {result['seconds']:.1f} s, **{rate:,.0f} events/s**"
         f" (as fast as the server answered three officers and their kiosk issues, with both pages drawing every"
         f" event); at each checkpoint the pages had applied the last event within {result['lag']:.1f} s. JS heap"
         f" used (`Runtime.getHeapUsage` after two `HeapProfiler.collectGarbage`), DOM nodes and JS event listeners"
         f" (`Performance.getMetrics`) after a warm-up of {result['warmup']} events and after each part:"),
        "",
        ("| events after warm-up | lobby heap (KiB) | lobby nodes | lobby listeners | counter heap (KiB) |"
         " counter nodes | counter listeners |"),
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for point in result["checkpoints"]:
        lo, co = point["lobby"], point["counter"]
        lines.append(f"| {point['events']:,} | {kib(lo['heap_used'])} | {lo['nodes']} | {lo['listeners']} |"
                     f" {kib(co['heap_used'])} | {co['nodes']} | {co['listeners']} |")
    growth = {name: (result["after"][name]["heap_used"] - result["before"][name]["heap_used"]) / 1024
              for name in ("lobby", "counter")}
    lines += [
        "",
        (f"Heap growth over all the events: lobby {growth['lobby']:+,.0f} KiB, counter display"
         f" {growth['counter']:+,.0f} KiB."),
        "",
        (f"Voice (lobby `?voice_rate=4`): {v['count']:,} clips started; the clip log `window.hangdoiVoice.played`"
         f" held the last {v['played']} (limit {VOICE_LOG_LIMIT}; before the limit it kept all {v['count']:,}, and in"
         f" a real hall one string per clip spoken for as long as the TV runs). The queue of announcements waiting"
         f" to be spoken was at most {result['max_queued']} in {result['samples']} samples (limit"
         f" {VOICE_QUEUE_LIMIT}); {v['merged']:,} recalls took the place of their ticket's waiting call and"
         f" {v['dropped']:,} waiting announcements were dropped, the oldest first."),
        "",
        (f"Limits: heap growth < {HEAP_GROWTH_LIMIT // (1024 * 1024)} MB, nodes ≤ before + {NODE_SLACK}, listeners ≤"
         f" before + {LISTENER_SLACK}, voice queue ≤ {VOICE_QUEUE_LIMIT}, clip log ≤ {VOICE_LOG_LIMIT}: "
         + ("all met." if not problems else "exceeded: " + "; ".join(problems) + ".")),
        "",
        ("The CI test tests/test_display_soak.py runs the same soak with 5,000 events (one part) and the same limits:"
         " 50,000 events take several minutes on two cores."),
    ]
    return "\n".join(lines)


def chromium_version() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    try:
        answer = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
        return answer.stdout.strip()
    except (OSError, TypeError, subprocess.SubprocessError):
        return "chromium"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--warmup", type=int, default=WARMUP_EVENTS)
    parser.add_argument("--checkpoints", type=int, default=5, help="measure the pages after each of this many parts")
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md as it is")
    args = parser.parse_args()
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        sys.exit("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="hangdoi-soak-") as work, sync_playwright() as p:
        server = LiveServer(Path(work) / "soak.db", center=BENCH_CENTER).start()
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            result = soak(server, browser, args.events, args.warmup, args.checkpoints)
        finally:
            browser.close()
            server.stop()
    for name in ("lobby", "counter"):
        b, a = result["before"][name], result["after"][name]
        print(f"{name}: heap {kib(b['heap_used'])} → {kib(a['heap_used'])} KiB"
              f" ({(a['heap_used'] - b['heap_used']) / 1024:+,.0f}), nodes {b['nodes']} → {a['nodes']},"
              f" listeners {b['listeners']} → {a['listeners']}")
    print("voice:", result["voice"], "max queued", result["max_queued"])
    problems = failures(result)
    for problem in problems:
        print("LIMIT EXCEEDED:", problem)
    if not args.no_record:
        command = ".venv/bin/python bench/bench_display_soak.py" + "".join(
            f" --{name} {value}" for name, value, default in (("events", args.events, DEFAULT_EVENTS),
                                                              ("warmup", args.warmup, WARMUP_EVENTS),
                                                              ("checkpoints", args.checkpoints, 5))
            if value != default)
        record("display-soak", report(result, command))
        print(f"recorded in {BENCHMARKS.relative_to(ROOT)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
