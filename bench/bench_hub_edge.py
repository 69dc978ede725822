"""The hub's input checks (server/hub/edge.py, the NUL handling of server/hub/ingest.py): what they add, as ratios to
the work each request does anyway, measured in the same run.

1. A provincial admin's request body (an account saved): `edge.problem` after `json.loads`, against `json.loads`
   alone (the view parses the body either way). Ratio: parse + check ÷ parse.
2. A site's batch of 500 events with its tickets and ratings (Vietnamese names and comments, in UTF-8 as a site's
   hub_push.py writes them): the surrogate-escape scan of the raw body after `json.loads`, against `json.loads`
   alone; the same with an emoji in a comment; and that emoji written as JSON escapes (a browser's JSON.stringify
   does; a site does not), where the scan finds an escape and the whole batch is walked.
3. The rows' cells as COPY takes them (`ingest._cell`, which now looks for NUL in every text), against the cell
   conversion without it. Ratio: with ÷ without.

    .venv/bin/python bench/bench_hub_edge.py               # records its section of BENCHMARKS.md
    .venv/bin/python bench/bench_hub_edge.py --no-record
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_file import record  # noqa: E402
from server.core.outbox import RATING_COLUMNS, TICKET_COLUMNS  # noqa: E402
from server.hub import edge, ingest  # noqa: E402

ROUNDS = 15  # short rounds, the two sides alternating: the machine is shared with other work


def account_body() -> bytes:
    return json.dumps({"username": "lanhdao.caoloc", "name": "Hoàng Văn Định", "role": "district_leader",
                       "district": "Cao Lộc", "password": "mật-khẩu-dài-đủ"}, ensure_ascii=False).encode()


def batch_body(emoji: bool = False, escaped: bool = False) -> bytes:
    """500 events of a provincial center's morning, with their tickets and ratings, as the outbox writes them."""
    events, tickets, ratings = [], [], []
    for i in range(1, 501):
        events.append({"seq": i, "at": 1795400000 + i, "kind": "ticket_finished", "ticket_id": i, "counter_number": 3,
                       "officer": "nguyen.van.cuong", "payload": {"label": f"C{i:03d}", "state": "served",
                                                                  "service_code": "ho-tich", "wait_seconds": 420}})
        tickets.append({c: (i if c in ("id", "number", "call_count") else f"{c}-{i} Hộ tịch") for c in TICKET_COLUMNS})
        if i % 3 == 0:
            ratings.append({c: (i if c in ("id", "ticket_id", "level", "scale") else
                                ["Thái độ phục vụ"] if c == "reasons" else f"Cán bộ hướng dẫn tận tình {i}")
                            for c in RATING_COLUMNS})
    if emoji:
        ratings[0]["comment"] = "Rất hài lòng 😀"
    return json.dumps({"site": {"code": "LSN-TT", "name": "Trung tâm Phục vụ hành chính công tỉnh", "level": "tinh",
                                "district": None}, "after": 0, "through": 500, "prev_digest": None,
                       "events": events, "tickets": tickets, "ratings": ratings},
                      ensure_ascii=escaped).encode()  # a site writes UTF-8 (hub_push.py); a browser may escape


def cell_before(value):
    """ingest._cell as it was before NUL was looked for."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def median_pair(baseline, measured, seconds: float = 0.3) -> tuple[float, float]:
    """Median seconds per call of `baseline` and `measured`, alternating round by round."""
    start = time.perf_counter()
    measured()
    calls = max(1, int(seconds / max(time.perf_counter() - start, 1e-7)))
    samples: tuple[list, list] = ([], [])
    for _ in range(ROUNDS):
        for function, into in ((baseline, samples[0]), (measured, samples[1])):
            start = time.perf_counter()
            for _ in range(calls):
                function()
            into.append((time.perf_counter() - start) / calls)
    return statistics.median(samples[0]), statistics.median(samples[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = []
    body = account_body()
    rows.append((f"admin's account body, {len(body)} bytes: parse + check ÷ parse",
                 *median_pair(lambda: json.loads(body), lambda: edge.problem(json.loads(body)))))
    for emoji, escaped in ((False, False), (True, False), (True, True)):
        raw = batch_body(emoji, escaped)

        def checked(raw=raw):
            batch = json.loads(raw)
            if edge.may_hold_lone_surrogate(raw):
                edge.problem(batch, nul_allowed=True)
        what = ("one emoji in a comment, written \\ud83d\\ude00 (not as a site writes it): scan and walk" if escaped
                else "one emoji in a comment: scan" if emoji else "scan of the raw body")
        rows.append((f"batch of 500 events, {len(raw):,} bytes, {what} ÷ parse",
                     *median_pair(lambda raw=raw: json.loads(raw), checked)))
    batch = json.loads(batch_body())
    values = [row.get(c) for row in batch["tickets"] for c in TICKET_COLUMNS]
    values += [row.get(c) for row in batch["ratings"] for c in RATING_COLUMNS]
    rows.append((f"COPY cells of that batch's rows ({len(values):,} values): with the NUL look-up ÷ without",
                 *median_pair(lambda: [cell_before(v) for v in values], lambda: [ingest._cell(v) for v in values])))
    load_after = os.getloadavg()[0]
    lines = ["## Hub input checks (bench/bench_hub_edge.py)", "",
             f"CPython {platform.python_version()}, {platform.machine()}; median of {ROUNDS} alternating rounds; load "
             f"average {load_before:.1f} before, {load_after:.1f} after (2 cores shared with other work). Command: "
             "`.venv/bin/python bench/bench_hub_edge.py`.", "",
             "| what | baseline (µs) | with the check (µs) | ratio |", "|---|---:|---:|---:|"]
    for what, before, after in rows:
        lines.append(f"| {what} | {before * 1e6:,.1f} | {after * 1e6:,.1f} | {after / before:.2f} |")
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("hub-edge", text)


if __name__ == "__main__":
    main()
