"""A site's day of queue activity through the real core (issue, call, serve, rate, follow up a complaint), for the
hub's tests: what the site records is what the hub must end up holding."""

from __future__ import annotations

import random
import sqlite3

from server.core.feedback import Feedback
from server.core.outbox import FEEDBACK_ACTION_COLUMNS, FEEDBACK_ITEM_COLUMNS, RATING_COLUMNS, TICKET_COLUMNS
from server.core.queue import Queue
from server.core.ratings import Ratings

# The small test center's counters, who works there and the services each takes.
COUNTERS = {1: "an", 2: "binh", 3: "cuong"}
SERVICES = ["ly-lich", "lai-xe", "ho-tich", "van-tai"]


def a_day(queue: Queue, clock, tickets: int, seed: int, client_prefix: str = "r") -> int:
    """Issue `tickets` numbers, serve them at three counters, rate most, follow up the complaints; events written."""
    rng = random.Random(seed)
    ratings, feedback = Ratings(queue), Feedback(queue.store, queue.center, clock)
    for number, officer in COUNTERS.items():
        queue.open_counter(number, officer)
    issued = 0
    for _ in range(tickets):
        service = rng.choice(SERVICES[:2] if issued % 5 else SERVICES)
        try:
            queue.issue(service)
            issued += 1
        except Exception:  # noqa: BLE001 — a service's daily cap (ho-tich takes 3): the citizen takes another
            queue.issue("ly-lich")
            issued += 1
        clock.advance(seconds=rng.randint(20, 90))
    for _ in range(issued * 2):
        for number, officer in COUNTERS.items():
            try:
                called = queue.call_next(number, officer)
            except Exception:  # noqa: BLE001 — nothing this counter serves is waiting
                continue
            clock.advance(seconds=rng.randint(10, 60))
            queue.start_service(number, officer)
            clock.advance(seconds=rng.randint(30, 400))
            queue.finish(number, officer)
            label = called.events[0].payload["label"]
            if rng.random() < 0.8:
                level = rng.choice([1, 1, 1, 2, 2, 3])
                ratings.rate_at_counter(number, label, level, reasons=(queue.center.rating.reasons[0],)
                                        if level == 3 else (), comment="Chờ lâu" if level == 3 else None,
                                        client_id=f"{client_prefix}{seed}-{label}-{number}")
    for item in feedback.items(states=("new",))["items"]:
        feedback.take(item["id"], "giamsat", "Đã liên hệ công dân")
    return issued


def site_rows(path) -> dict[str, list[tuple]]:
    """Every fact of a site's SQLite file as the hub keeps it, sorted: to compare with the hub's rows."""
    conn = sqlite3.connect(path)
    try:
        return {
            "site_tickets": sorted(conn.execute(f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets")),
            "site_ratings": sorted(conn.execute(f"SELECT {', '.join(RATING_COLUMNS)} FROM ratings")),
            "site_feedback_items": sorted(conn.execute(
                f"SELECT {', '.join(FEEDBACK_ITEM_COLUMNS)} FROM feedback_items")),
            "site_feedback_actions": sorted(conn.execute(
                f"SELECT {', '.join(FEEDBACK_ACTION_COLUMNS)} FROM feedback_actions")),
            "site_events": sorted(conn.execute("SELECT seq, at, kind, ticket_id, counter_number, officer"
                                               " FROM events")),
        }
    finally:
        conn.close()


def hub_rows(conn, site_id: int) -> dict[str, list[tuple]]:
    """The same facts as the hub holds them for one site (reasons back to the site's JSON text)."""
    import json

    columns = {"site_tickets": TICKET_COLUMNS, "site_ratings": RATING_COLUMNS,
               "site_feedback_items": FEEDBACK_ITEM_COLUMNS, "site_feedback_actions": FEEDBACK_ACTION_COLUMNS,
               "site_events": ("seq", "at", "kind", "ticket_id", "counter_number", "officer")}
    rows = {}
    for table, names in columns.items():
        found = conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE site_id = %s", (site_id,)).fetchall()
        if table == "site_ratings":
            at = names.index("reasons")
            found = [(*r[:at], json.dumps(r[at], ensure_ascii=False), *r[at + 1:]) for r in found]
        rows[table] = sorted(tuple(r) for r in found)
    return rows
