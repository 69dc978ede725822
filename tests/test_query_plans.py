"""The queue's everyday statements find their rows through an index: none reads the whole tickets or events table
(a year of a busy center is a million tickets, and these run at every kiosk tap, call and phone refresh)."""

from __future__ import annotations

import re

from server.core.overview import live_overview

WHOLE_TABLE = re.compile(r"^SCAN (tickets|events|ratings|t|e|r)\b(?! USING (COVERING )?INDEX tickets_waiting)")


def test_hot_path_statements_use_indexes(queue, store, clock):
    statements = []
    store.conn.set_trace_callback(statements.append)
    try:
        queue.open_counter(1, "an")
        queue.open_counter(3, "cuong")
        first = queue.issue("ly-lich").result["token"]
        queue.issue_many([{"service_code": "ly-lich"}, {"service_code": "lai-xe", "priority_group": "nguoi-cao-tuoi"}])
        queue.call_next(1, "an")
        queue.recall(1, "an")
        queue.start_service(1, "an")
        queue.transfer(1, "an", to_service="lai-xe")  # the first ticket now waits in a second service
        queue.ticket_status(first)  # the phone page follows the chain from the printed token
        queue.call_next(3, "cuong")
        queue.start_service(3, "cuong")
        queue.finish(3, "cuong")
        queue.issue("ly-lich")  # an estimate measured from the finished ticket
        queue.call_next(1, "an")
        clock.advance(minutes=3)
        queue.recall(1, "an")
        queue.no_show(1, "an")
        queue.service_overview()
        queue.counters_overview()
        queue.counter_stats(1)
        queue.snapshot()
        live_overview(queue)
    finally:
        store.conn.set_trace_callback(None)
    selects = {s for s in statements if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))}
    assert len(selects) > 20  # the trace saw the work
    whole_table = {}
    with store.read() as conn:
        for statement in selects:
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement)]
            scans = [step for step in plan if WHOLE_TABLE.match(step)]
            if scans:
                whole_table[statement] = scans
    assert {s[:160]: p for s, p in whole_table.items()} == {}
