"""Kiosks asking for numbers at the same moment share one transaction (group commit).

The COMMIT is the largest part of issuing a ticket (BENCHMARKS.md). The first request to arrive leads: it lets
the event loop run once, so the requests already received from other kiosks join it, then issues them all
through `Queue.issue_many` and hands each its own ticket or refusal. Nobody gets an answer before the COMMIT,
so an acknowledged ticket is always stored; a refused one (daily cap, closed) changes nothing. A database that
cannot take the batch answers everybody `busy` within the store's bound (server/core/store.py); a request that
breaks the transaction for another reason fails alone: the others are issued again one by one.
"""

from __future__ import annotations

import threading

from ..core.queue import Outcome, Queue
from ..core.store import StoreUnavailable


class _Request:
    __slots__ = ("fields", "result", "done")

    def __init__(self, fields: dict, done):
        self.fields, self.result, self.done = fields, None, done


class IssueBatcher:
    """Collects concurrent issue requests; `yield_once` is the server's cooperative sleep(0), `new_signal` makes
    the one-shot signal (set/wait) a waiting request is woken by: the async mode's own is several times cheaper
    than a monkey-patched threading.Event (server/web/__init__.py, `signal_factory`)."""

    def __init__(self, queue: Queue, yield_once, new_signal=threading.Event):
        self.queue, self.yield_once, self.new_signal = queue, yield_once, new_signal
        self._lock = threading.Lock()  # green under eventlet and gevent (monkey-patched), real under threading
        self._gathering: list[_Request] = []
        self._leader = False

    def issue(self, **fields) -> Outcome:
        """Issue one ticket (the same arguments as Queue.issue); raises QueueRefused like it."""
        mine = _Request(fields, self.new_signal())
        with self._lock:
            self._gathering.append(mine)
            lead, self._leader = not self._leader, True
        if lead:
            self.yield_once()  # the other kiosks' requests that are ready now join this batch
            with self._lock:
                batch, self._gathering, self._leader = self._gathering, [], False
            self._run(batch)
        else:
            mine.done.wait()
        if isinstance(mine.result, BaseException):
            raise mine.result
        return mine.result

    def _run(self, batch: list[_Request]):
        """Issue a batch and hand each request its answer. A database that cannot take the batch (locked past
        its wait, full, read-only) is a `busy` refusal for everybody; a failure of anything else is retried
        request by request, so one request that breaks the transaction fails alone and the others are served."""
        try:
            results = self.queue.issue_many([r.fields for r in batch])
        except StoreUnavailable as unavailable:  # nobody was issued anything: everybody may try again
            results = [unavailable] * len(batch)
        except Exception as exc:  # noqa: BLE001 — handed to the request it belongs to, raised there
            results = [exc] if len(batch) == 1 else [self._alone(r) for r in batch]
        for request, result in zip(batch, results):
            request.result = result
            request.done.set()

    def _alone(self, request: _Request):
        """One request of a failed batch, in a transaction of its own: its ticket, refusal or error."""
        try:
            return self.queue.issue_many([request.fields])[0]
        except Exception as exc:  # noqa: BLE001
            return exc
