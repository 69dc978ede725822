"""Names in NFC (server/core/names.py): what composing every string costs, as ratios to a baseline measured in the same
run.

1. The edge: `edge.parse` (decode, check, compose) against what it did before composing (decode and check), on a
   kiosk's ticket request (ASCII), the demo center's departments section as the admin screen saves it (Vietnamese,
   already composed) and the same section typed decomposed. Ratio: time with composing ÷ without.
2. The migration m014 on a database of `--ratings` ratings (a tenth of their comments and officers decomposed, with
   tickets, feedback items and notes to match): the time it adds to the first start-up, against `VACUUM INTO`
   (a full copy of the same file) measured on that file. Ratio: migration ÷ copy.

    .venv/bin/python bench/bench_names.py                  # records its section of BENCHMARKS.md
    .venv/bin/python bench/bench_names.py --ratings 20000 --no-record
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from bench.benchmarks_file import record  # noqa: E402
from server.core import schema  # noqa: E402
from server.core.center import center_to_raw, load_center  # noqa: E402
from server.core.store import Store, migrations  # noqa: E402
from server.settings import DEMO_CENTER  # noqa: E402
from server.web import edge  # noqa: E402

ROUNDS = 11  # many short rounds, alternating: the machine is often busy with other work


def parse_without_composing(data: bytes):
    """edge.parse as it was before names were composed: decode and check."""
    value = json.loads(data, parse_constant=edge._no_constant)
    edge.check(value)
    return value


def per_call(before, after, data: bytes, seconds: float) -> tuple[float, float]:
    """Median seconds per call of `before` and `after` over ROUNDS rounds of about `seconds` each, the two
    alternating round by round so that a machine busy with other work weighs on both alike."""
    calls = max(1, int(seconds / max(_one(after, data), 1e-7)))
    times = {before: [], after: []}
    for _ in range(ROUNDS):
        for function in (before, after):
            start = time.perf_counter()
            for _ in range(calls):
                function(data)
            times[function].append((time.perf_counter() - start) / calls)
    return statistics.median(times[before]), statistics.median(times[after])


def _one(function, data):
    start = time.perf_counter()
    function(data)
    return time.perf_counter() - start


def edge_rows(seconds: float) -> list[tuple[str, float, float]]:
    departments = center_to_raw(load_center(DEMO_CENTER))["departments"]
    bodies = {
        "kiosk ticket request (ASCII)": {"service_code": "ho-tich-quoc-tich", "priority_group": None, "device": "K1"},
        "departments section, composed": departments,
        "departments section, typed decomposed": json.loads(
            unicodedata.normalize("NFD", json.dumps(departments, ensure_ascii=False))),
    }
    rows = []
    for name, body in bodies.items():
        data = json.dumps(body, ensure_ascii=False).encode()
        before, after = per_call(parse_without_composing, edge.parse, data, seconds)
        rows.append((f"{name}, {len(data):,} bytes", before, after))
    return rows


def old_database(path: Path, ratings: int) -> None:
    """A database at m013 with `ratings` served and rated tickets; one in ten typed decomposed."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    schema.register_all()
    migrations.apply(db, stop_before="m014_composed_names")
    officer, comment = "Nguyễn Thị Ánh", "Cán bộ hướng dẫn tận tình, thủ tục nhanh gọn"
    db.conn.execute("BEGIN")  # one transaction: the connection autocommits otherwise (a sync per row)
    for i in range(ratings):
        form = "NFD" if i % 10 == 0 else "NFC"
        who = unicodedata.normalize(form, officer)
        db.conn.execute("INSERT INTO tickets (id, token, local_date, service_code, department_code, prefix, number,"
                        " label, channel, state, arrived_at, issued_at, counter_number, officer) VALUES"
                        " (?, ?, '2026-11-20', 'ly-lich', 'STP', 'A', ?, 'A', 'kiosk', 'done', 1, 1, 1, ?)",
                        (i + 1, f"t{i}", i + 1, who))
        db.conn.execute("INSERT INTO ratings (id, ticket_id, channel, level, level_name, scale, reasons, comment,"
                        " local_date, service_local_date, rated_at, counter_number, officer, service_code,"
                        " department_code) VALUES (?, ?, 'tablet', 3, 'Không hài lòng', 3, '[]', ?, '2026-11-20',"
                        " '2026-11-20', 2, 1, ?, 'ly-lich', 'STP')",
                        (i + 1, i + 1, unicodedata.normalize(form, comment), who))
        db.conn.execute("INSERT INTO feedback_items (id, rating_id, dissatisfied, local_date, opened_at,"
                        " changed_at) VALUES (?, ?, 1, '2026-11-20', 2, 2)", (i + 1, i + 1))
        db.conn.execute("INSERT INTO feedback_actions (item_id, at, actor, from_state, to_state, note)"
                        " VALUES (?, 3, 'giamsat', 'new', 'done', ?)",
                        (i + 1, unicodedata.normalize(form, "Đã gọi điện xin lỗi công dân")))
    db.conn.execute("COMMIT")
    db.conn.close()


def migration_row(ratings: int, workdir: Path) -> tuple[float, float]:
    """(seconds of m014 at the first start-up, seconds of VACUUM INTO of the same file)."""
    path = workdir / "old.db"
    old_database(path, ratings)
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    conn.execute("VACUUM INTO ?", (str(workdir / "copy.db"),))
    copy = time.perf_counter() - start
    conn.close()
    # m014 alone, as the store applies it (one transaction); the migrations after it are applied afterwards.
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    later = [m.name for m in migrations.pending(db)][1:]
    start = time.perf_counter()
    migrations.apply(db, stop_before=later)
    migrated = time.perf_counter() - start
    assert [m.name for m in migrations.applied(db)][-1] == "m014_composed_names"
    db.conn.close()
    store = Store(path)
    with store.read() as read:
        left = sum(not unicodedata.is_normalized("NFC", comment)
                   for (comment,) in read.execute("SELECT comment FROM ratings"))
    store.close()
    assert left == 0, f"{left} comments not composed"
    return migrated, copy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="length of one round of edge calls")
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rows = edge_rows(args.seconds)
    with tempfile.TemporaryDirectory() as workdir:
        migrated, copy = migration_row(args.ratings, Path(workdir))

    lines = [
        "## Names in NFC (bench/bench_names.py)", "",
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}; median of {ROUNDS}"
        f" rounds of {args.seconds} s per body; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        f" ({os.cpu_count()} cores: other work on the machine weighs on both sides of each ratio)."
        " Command: `.venv/bin/python bench/bench_names.py"
        f"{'' if args.ratings == 100_000 else f' --ratings {args.ratings}'}`.", "",
        "1. `edge.parse` with composing against decoding and checking only (what it did before):", "",
        "| body | before (µs) | with NFC (µs) | ratio |", "|---|---:|---:|---:|",
        *[f"| {name} | {before * 1e6:,.1f} | {after * 1e6:,.1f} | {after / before:.2f} |"
          for name, before, after in rows],
        "",
        f"2. Migration m014 at the first start-up of a database with {args.ratings:,} ratings (and as many tickets,"
        " feedback items and notes; one in ten typed decomposed): "
        f"{migrated:.2f} s, against `VACUUM INTO` of the same file {copy:.2f} s: ratio {migrated / copy:.2f}.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("names", text)


if __name__ == "__main__":
    main()
