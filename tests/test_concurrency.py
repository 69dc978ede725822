"""Numbering under concurrency, against the real server process: no duplicate, no gap, and the daily cap holds."""

from __future__ import annotations

import random
import re
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live import LiveServer

pytestmark = pytest.mark.live

VIETNAMESE_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                                re.IGNORECASE)


@pytest.fixture(params=["eventlet", "gevent"])
def server(request, tmp_path):
    """The real server in each async mode: eventlet through the shared fixture, gevent started here."""
    if request.param == "eventlet":
        yield request.getfixturevalue("live_server")
        return
    live = LiveServer(tmp_path / "g.db", async_mode="gevent")
    live.start()  # a gevent start failure raises here with the server's log: the test errors, it is not skipped
    try:
        yield live
    finally:
        live.stop()


def issue_concurrently(url: str, service_code: str, clients: int, per_client: int) -> list[tuple[int, dict]]:
    """`clients` kiosks, each with its own session, released together, each issuing `per_client` tickets."""
    start = threading.Barrier(clients)

    def kiosk(_):
        results = []
        with requests.Session() as session:
            start.wait(timeout=30)
            for _ in range(per_client):
                response = session.post(url + "/api/tickets", json={"service_code": service_code}, timeout=30)
                results.append((response.status_code, response.json()))
        return results

    with ThreadPoolExecutor(clients) as pool:
        return [result for batch in pool.map(kiosk, range(clients)) for result in batch]


def stored_numbers(database, prefix: str) -> list[tuple[str, int, str]]:
    """(local_date, number, label) of every ticket of a prefix, read from the server's file read-only."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT local_date, number, label FROM tickets WHERE prefix = ? ORDER BY number",
                            (prefix,)).fetchall()
    finally:
        conn.close()


def test_two_thousand_concurrent_tickets_are_numbered_without_gaps(server):
    results = issue_concurrently(server.url, "ly-lich", clients=20, per_client=100)

    assert len(results) == 2000
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 2000}, statuses
    tickets = [body for _, body in results]
    labels = [t["label"] for t in tickets]
    assert len(set(labels)) == 2000, [label for label, n in Counter(labels).items() if n > 1][:10]
    assert all(re.fullmatch(r"A\d{3,}", label) for label in labels)
    assert sorted(int(label[1:]) for label in labels) == list(range(1, 2001))
    assert len({t["token"] for t in tickets}) == 2000
    assert {t["local_date"] for t in tickets} == {tickets[0]["local_date"]}, "the run crossed local midnight"

    # What the server stored agrees with what it answered.
    stored = stored_numbers(server.database, "A")
    assert [number for _, number, _ in stored] == list(range(1, 2001))
    assert {label for _, _, label in stored} == set(labels)

    # Each ticket can be found again by its token, with the number it was issued.
    sample = [tickets[0], tickets[-1], *random.Random(7).sample(tickets, 48)]
    with requests.Session() as session:
        for ticket in sample:
            response = session.get(f"{server.url}/api/tickets/{ticket['token']}", timeout=10)
            assert response.status_code == 200
            found = response.json()
            assert (found["label"], found["service_code"], found["state"]) == (ticket["label"], "ly-lich", "waiting")


def test_daily_cap_holds_under_concurrency(server):
    results = issue_concurrently(server.url, "ho-tich", clients=10, per_client=2)

    assert len(results) == 20
    issued = sorted(body["label"] for status, body in results if status == 201)
    assert issued == ["B001", "B002", "B003"]
    refused = [(status, body) for status, body in results if status != 201]
    assert len(refused) == 17
    for status, body in refused:
        assert status == 409, (status, body)
        assert set(body) == {"error", "message"}, body
        assert body["error"] == "daily_cap_reached"
        assert isinstance(body["message"], str) and VIETNAMESE_LETTERS.search(body["message"]), body

    assert [label for _, _, label in stored_numbers(server.database, "B")] == ["B001", "B002", "B003"]
    # Refusals rolled back: the sequence did not run past the cap, so the next day-number stays at 3.
    conn = sqlite3.connect(f"file:{server.database}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT last_number FROM number_sequences WHERE prefix = 'B'").fetchall() == [(3,)]
    finally:
        conn.close()
