"""Group commit of concurrent kiosks: Queue.issue_many and the IssueBatcher in front of it."""

from __future__ import annotations

import threading
import time

import pytest

from server.core.queue import Outcome, QueueRefused
from server.web.issuing import IssueBatcher


def test_issue_many_commits_once_and_refuses_each_on_its_own(queue, store):
    for _ in range(3):
        queue.issue("ho-tich")  # the small center's cap for Hộ tịch is 3
    commits = []
    store.listeners.append(commits.append)
    results = queue.issue_many([{"service_code": "ly-lich"}, {"service_code": "ho-tich"},
                                {"service_code": "nope"}, {"service_code": "ly-lich", "priority_group": None}])
    assert [type(r) for r in results] == [Outcome, QueueRefused, QueueRefused, Outcome]
    assert [r.code for r in results if isinstance(r, QueueRefused)] == ["daily_cap_reached", "unknown_service"]
    assert [r.result["label"] for r in results if isinstance(r, Outcome)] == ["A001", "A002"]
    assert len(commits) == 1  # one transaction: the listeners heard of both tickets together, after the COMMIT
    assert [e.payload["label"] for e in commits[0]] == ["A001", "A002"]
    with store.read() as conn:  # the refused ticket left nothing behind: no number taken, no row
        assert conn.execute("SELECT last_number FROM number_sequences WHERE prefix = 'B'").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 5


def test_concurrent_requests_share_transactions_and_each_gets_its_own_ticket(queue):
    calls = []
    real = queue.issue_many

    def counting(requests):
        calls.append(len(requests))
        return real(requests)

    queue.issue_many = counting
    batcher = IssueBatcher(queue, lambda: time.sleep(0.02))  # a slow "event loop turn": others arrive meanwhile
    labels, start = [], threading.Barrier(20)

    def kiosk():
        start.wait()
        labels.append(batcher.issue(service_code="ly-lich").result["label"])

    threads = [threading.Thread(target=kiosk) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(labels) == [f"A{n:03d}" for n in range(1, 21)]
    assert sum(calls) == 20 and len(calls) < 20  # batched


def test_a_refusal_reaches_only_its_own_kiosk(queue):
    batcher = IssueBatcher(queue, lambda: None)
    with pytest.raises(QueueRefused) as refused:
        batcher.issue(service_code="nope")
    assert refused.value.code == "unknown_service"
    assert batcher.issue(service_code="ly-lich").result["label"] == "A001"


def test_a_failed_transaction_answers_everyone_and_stores_nothing(queue, store):
    def broken(requests):
        with store.write() as conn:
            conn.execute("INSERT INTO number_sequences VALUES ('x', 'Z', 1)")
            raise RuntimeError("disk full")

    queue.issue_many = broken
    batcher = IssueBatcher(queue, lambda: time.sleep(0.05))
    answers = []

    def kiosk():
        try:
            batcher.issue(service_code="ly-lich")
        except Exception as exc:  # noqa: BLE001 - what each kiosk is told
            answers.append(getattr(exc, "code", type(exc).__name__))

    threads = [threading.Thread(target=kiosk) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(answers) == 5  # nobody left waiting
    # each batch's leader sees the error itself (logged as a server error); the others are told to try again
    assert set(answers) == {"RuntimeError", "busy"} and answers.count("RuntimeError") < 5
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM number_sequences WHERE prefix = 'Z'").fetchone()[0] == 0
