"""Crash safety: kill -9 the server while 20 kiosks issue tickets; nothing acknowledged is lost."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import requests

KIOSKS = 20


@pytest.mark.live
def test_kill_9_while_kiosks_issue(live_server):
    received, stop = [], threading.Event()
    lock = threading.Lock()

    def kiosk():
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.post(live_server.url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=2)
            except requests.RequestException:
                continue  # the server is gone: a real kiosk retries later
            if response.status_code == 201:
                with lock:
                    received.append(response.json())

    threads = [threading.Thread(target=kiosk) for _ in range(KIOSKS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(received) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    live_server.stop(kill=True)  # SIGKILL mid-stream
    stop.set()
    for t in threads:
        t.join()
    assert len(received) >= 300

    live_server.start()
    for ticket in received:  # every ticket a kiosk was given is there
        status = requests.get(f"{live_server.url}/api/tickets/{ticket['token']}", timeout=5)
        assert status.status_code == 200 and status.json()["label"] == ticket["label"]
    after = requests.post(live_server.url + "/api/tickets", json={"service_code": "ly-lich"}).json()
    numbers = sorted(int(t["label"][1:]) for t in received)
    assert int(after["label"][1:]) > numbers[-1]  # numbering goes on, never reusing a number

    conn = sqlite3.connect(f"file:{live_server.database}?mode=ro", uri=True)
    stored = [r[0] for r in conn.execute("SELECT number FROM tickets WHERE prefix = 'A' ORDER BY number")]
    conn.close()
    assert len(stored) == len(set(stored))  # no duplicate
    assert stored == list(range(1, len(stored) + 1))  # and no gap: a killed transaction leaves no trace


@pytest.mark.live
def test_a_counter_left_open_over_a_night_the_server_was_off_is_closed_at_start(live_server):
    live_server.stop()
    with sqlite3.connect(live_server.database) as conn:  # as an officer left it two days ago
        conn.execute("UPDATE counter_state SET status = 'open', officer = 'an', since = ? WHERE counter_number = 1",
                     (int(time.time()) - 2 * 86400,))
    live_server.start()
    deadline = time.monotonic() + 10
    while True:
        counters = {c["number"]: c for c in requests.get(live_server.url + "/api/queue", timeout=5).json()["counters"]}
        if counters[1]["status"] == "closed" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert counters[1]["status"] == "closed" and counters[1]["officer"] is None
    with sqlite3.connect(live_server.database) as conn:
        [(officer, reason)] = conn.execute("SELECT officer, json_extract(payload, '$.reason') FROM events"
                                           " WHERE kind = 'counter_closed'").fetchall()
    assert (officer, reason) == ("an", "day_close")
