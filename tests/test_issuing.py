"""Group commit of concurrent kiosks: Queue.issue_many and the IssueBatcher in front of it."""

from __future__ import annotations

import json
import threading
import time

import pytest

from server.core.queue import Outcome, Queue, QueueRefused
from server.core.store import INSERT_CHUNK, Store, StoreUnavailable
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
    # each request of a failed batch is tried again on its own, and here fails on its own too (a server error)
    assert answers == ["RuntimeError"] * 5
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM number_sequences WHERE prefix = 'Z'").fetchone()[0] == 0


def _twin(center, tmp_path, clock, name):
    return Queue(center, Store(tmp_path / name), clock)


MIXED = [{"service_code": "ly-lich"}, {"service_code": "lai-xe", "priority_group": "nguoi-cao-tuoi"},
         {"service_code": "ly-lich", "priority_group": "nguoi-cao-tuoi"}, {"service_code": "ho-tich"},
         {"service_code": "ly-lich"}, {"service_code": "ho-tich"}, {"service_code": "ly-lich", "channel": "fax"},
         {"service_code": "ho-tich"}, {"service_code": "ho-tich"}, {"service_code": "lai-xe"},
         {"service_code": "ly-lich", "priority_group": "nguoi-cao-tuoi"}, {"service_code": "ly-lich"}]


def _comparable(result):
    if isinstance(result, QueueRefused):
        return ("refused", result.code)
    view = {k: v for k, v in result.result.items() if k != "token"}
    return view, [(e.kind, e.payload, e.service_code) for e in result.events]


def test_one_batch_answers_exactly_as_issuing_one_after_another(center, tmp_path, clock):
    """Numbers, people ahead, estimates, refusals (cap of 3 for Hộ tịch, a bad channel) and the events' queue
    lengths of a batch are those of the same requests issued one by one, with counters open and some history."""
    batched, single = _twin(center, tmp_path, clock, "batch.db"), _twin(center, tmp_path, clock, "single.db")
    for q in (batched, single):
        q.open_counter(1, "an")
        q.issue("ly-lich")  # one already waiting before the batch
    expected = []
    for request in MIXED:
        try:
            expected.append(single.issue(**request))
        except QueueRefused as refusal:
            expected.append(refusal)
    got = batched.issue_many(MIXED)
    assert [_comparable(r) for r in got] == [_comparable(r) for r in expected]
    assert [r.result["label"] for r in got if isinstance(r, Outcome)][:3] == ["A002", "C001", "A003"]
    assert [r.code for r in got if isinstance(r, QueueRefused)] == ["unknown_channel", "daily_cap_reached"]
    seqs = [r.events[0].seq for r in got if isinstance(r, Outcome)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # the events keep the requests' order
    with batched.store.read() as conn:
        stored = {row["seq"]: json.loads(row["payload"])["label"]
                  for row in conn.execute("SELECT seq, payload FROM events WHERE kind = 'ticket_issued'")}
        assert conn.execute("SELECT last_number FROM number_sequences WHERE prefix = 'B'").fetchone()[0] == 3
    assert [stored[r.events[0].seq] for r in got if isinstance(r, Outcome)] == \
        [r.result["label"] for r in got if isinstance(r, Outcome)]
    for r in got:
        if isinstance(r, Outcome):  # every ticket's token finds its own ticket
            assert batched.ticket_status(r.result["token"])["label"] == r.result["label"]


def test_a_batch_past_the_cap_takes_only_what_is_left_and_a_later_one_nothing(queue, store):
    queue.issue("ho-tich")
    first = queue.issue_many([{"service_code": "ho-tich"}] * 4)
    assert [r.result["label"] if isinstance(r, Outcome) else r.code for r in first] == \
        ["B002", "B003", "daily_cap_reached", "daily_cap_reached"]
    assert all(isinstance(r, QueueRefused) for r in queue.issue_many([{"service_code": "ho-tich"}] * 2))
    with store.read() as conn:
        assert conn.execute("SELECT last_number FROM number_sequences WHERE prefix = 'B'").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM tickets WHERE prefix = 'B'").fetchone()[0] == 3


def test_a_batch_larger_than_one_statement_is_stored_whole(queue, store):
    results = queue.issue_many([{"service_code": "ly-lich"}] * (INSERT_CHUNK * 2 + 5))
    assert [r.result["label"] for r in results] == [f"A{n:03d}" for n in range(1, INSERT_CHUNK * 2 + 6)]
    assert [r.result["ahead"] for r in results] == list(range(INSERT_CHUNK * 2 + 5))
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE kind = 'ticket_issued'").fetchone()[0] == \
            INSERT_CHUNK * 2 + 5


def test_ticket_tokens_are_unguessable_and_sort_by_issue_time(queue, clock):
    first = queue.issue("ly-lich").result["token"]
    clock.advance(minutes=5)
    later = [queue.issue("ly-lich").result["token"] for _ in range(50)]
    assert len(set(later)) == 50
    assert all(first < token for token in later)  # a new token lands at the end of the token index
    random_part = later[0][-22:]  # secrets.token_urlsafe(16): 128 random bits
    assert len(random_part) == 22 and len({t[-22:] for t in later}) == 50


def _kiosks_together(batcher, requests: list[dict]) -> list:
    """Each request from its own thread, released together; what each was answered, in the requests' order."""
    answers, start = [None] * len(requests), threading.Barrier(len(requests))

    def kiosk(i):
        start.wait()
        try:
            answers[i] = batcher.issue(**requests[i]).result["label"]
        except Exception as exc:  # noqa: BLE001 - what each kiosk is told
            answers[i] = getattr(exc, "code", type(exc).__name__)

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return answers


def test_one_malformed_request_is_refused_alone_and_the_batch_is_served(queue):
    """A kiosk name SQLite cannot store (a lone surrogate, as JSON "\\ud800" decodes to), a field `issue` does not
    take, a name past its length: each refused on its own; the others in the same batch get their numbers."""
    calls = []
    real = queue.issue_many
    queue.issue_many = lambda requests: calls.append(len(requests)) or real(requests)
    batcher = IssueBatcher(queue, lambda: time.sleep(0.05))
    bad = [{"service_code": "ly-lich", "device": "\ud800"}, {"service_code": "ly-lich", "colour": "red"},
           {"service_code": "ly-lich", "device": "x" * 201}]
    answers = _kiosks_together(batcher, [*bad, *[{"service_code": "ly-lich", "device": "K1"}] * 5])
    assert answers[:3] == ["bad_request"] * 3
    assert sorted(answers[3:]) == [f"A{n:03d}" for n in range(1, 6)]
    assert max(calls) > 1  # they did share a batch


def test_a_request_that_breaks_the_transaction_fails_alone(queue):
    """Whatever slips past the checks and fails the batch's statement: the batch is issued again one by one."""
    real = queue.issue_many

    def poisoned(requests):
        if any(r.get("device") == "poison" for r in requests):
            raise RuntimeError("the INSERT failed")
        return real(requests)

    queue.issue_many = poisoned
    batcher = IssueBatcher(queue, lambda: time.sleep(0.05))
    answers = _kiosks_together(batcher, [{"service_code": "ly-lich", "device": "poison"},
                                         *[{"service_code": "ly-lich"}] * 4])
    assert answers[0] == "RuntimeError"
    assert sorted(answers[1:]) == ["A001", "A002", "A003", "A004"]


def test_a_database_that_cannot_take_the_batch_answers_everybody_busy(queue):
    def locked(requests):
        raise StoreUnavailable("locked", "database is locked")

    queue.issue_many = locked
    answers = _kiosks_together(IssueBatcher(queue, lambda: time.sleep(0.05)), [{"service_code": "ly-lich"}] * 5)
    assert answers == ["busy"] * 5  # the leader too: a 503, never a 500
