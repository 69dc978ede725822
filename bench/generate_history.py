"""A year of a busy center, written straight into a fresh SQLite database for the reports benchmark.

The database is created by `server.core.store.Store`, so the schema, indexes, triggers and migrations are the real
ones; rows are then inserted in bulk (executemany, one transaction per batch of days, PRAGMA synchronous=OFF while
loading) instead of going through the queue one action at a time. Everything is drawn from seeded random
generators: the same arguments give the same database.

What a day looks like (defaults, center bench/centers/history.toml):
- volume: the rows are shared out over the working days of the center (its working weekdays minus its holidays) by
  weekday (Monday busiest, Saturday about half), month (a rush before Tết, a dip after it), the day after a holiday
  (+25 %) and ±8 % noise;
- intra-day shape: issued between 07:00 and the kiosk's stop time, ~20 % in the first 30 minutes, the morning peak
  up to 09:00, a second smaller peak after 13:30;
- per-service mix (SERVICE_MIX), ~8 % priority tickets, kiosk/phone/staff channels;
- states: done ~88 %, no_show 5 %, transferred 4 % (the transfer queues a new ticket in another service with the
  same printed number, `transferred_from` and `root_ticket_id` set; it is then served or a no-show), cancelled
  2.5 %, left waiting at closing 0.5 %;
- times: wait from a log-normal whose median grows with the hour's load (~5–10 min, long tail, capped at 10 minutes
  after the session's end), walk 10–90 s, service from a gamma around the service's minutes;
- counters and officers: every counter opens with its officer (a department's spare replaces an absent officer),
  counter_opened / counter_paused / counter_resumed / counter_closed events per session in `events`;
  each ticket is served at a counter of its service by the officer holding it that day;
- ratings: exactly `ratings` of the served tickets (shared out over the days in proportion to served tickets),
  levels ~93 / 6 / 1 % (Rất hài lòng / Hài lòng / Không hài lòng, a little more dissatisfaction after long waits),
  reasons (and sometimes a comment) for the dissatisfied, tablet 85 % / phone 15 %.
With `ticket_events=True` each ticket's own events (issued, called, recalled, service_started, finished, no_show,
transferred/requeued, cancelled, rating_recorded) are written too, with payloads shaped like the queue's: about
4.6 events per ticket, which is what a real year's `events` table holds.

    .venv/bin/python bench/generate_history.py /tmp/history.db                    # 1,000,000 tickets, 2025
    .venv/bin/python bench/generate_history.py /tmp/small.db --tickets 2000 --ratings 800 --days 3
"""

from __future__ import annotations

import argparse
import base64
import bisect
import datetime as dt
import itertools
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.core.center import Center, load_center  # noqa: E402
from server.core.store import Store  # noqa: E402

HISTORY_CENTER = ROOT / "bench" / "centers" / "history.toml"
GENERATOR_VERSION = 1  # bump when the output changes, so cached databases are regenerated

# Share of tickets per service (percent); services of another center not listed here weigh 1.
SERVICE_MIX = {
    "giay-phep-lai-xe": 13, "van-tai": 4, "dat-dai": 11, "moi-truong": 2, "tai-nguyen-nuoc": 1,
    "ly-lich-tu-phap": 8, "ho-tich-quoc-tich": 5, "cong-chung-luat-su": 4, "dang-ky-doanh-nghiep": 7, "dau-tu": 2,
    "nguoi-co-cong": 3, "viec-lam": 3, "bao-tro-xa-hoi": 2, "xay-dung": 4, "nha-o-bat-dong-san": 1.5,
    "hanh-nghe-y-duoc": 3, "trang-thiet-bi-y-te": 1, "xuc-tien-thuong-mai": 1, "cong-thuong": 2,
    "kiem-dich-dong-vat": 1.5, "nong-nghiep": 2, "van-bang-chung-chi": 3, "bao-chi-xuat-ban": 1,
    "quan-ly-gia-cong-san": 1, "noi-vu": 1.5, "khoa-hoc-cong-nghe": 1, "van-hoa-du-lich": 1.5, "ngoai-vu": 1,
    "bao-hiem-xa-hoi": 7, "phong-chay-chua-chay": 2,
}
WEEKDAY_FACTOR = {0: 1.15, 1: 1.05, 2: 1.0, 3: 1.0, 4: 0.95, 5: 0.55, 6: 0.4}
MONTH_FACTOR = {1: 1.2, 2: 0.85, 3: 1.0, 4: 0.95, 5: 0.95, 6: 1.05, 7: 1.0, 8: 0.95, 9: 1.0, 10: 1.05, 11: 1.05,
                12: 1.15}
# Share of issued tickets (per 15-minute slot from the session start); later slots of a session repeat the last.
MORNING_SHAPE = [10, 10, 8, 7, 6, 5.5, 5, 4.5, 4, 3.5, 3, 2.5, 2.5, 2, 2, 1.5, 1, 1]
AFTERNOON_SHAPE = [4, 4, 3.5, 3, 2.5, 2, 2, 1.5, 1.5, 1, 1, 0.8, 0.5, 0.5]
STATES = (("done", 0.88), ("no_show", 0.05), ("transferred", 0.04), ("cancelled", 0.025), ("waiting", 0.005))
REQUEUE_STATES = (("done", 0.92), ("no_show", 0.08))
CHANNELS = (("kiosk", 0.82), ("phone", 0.12), ("staff", 0.06))
PRIORITY_SHARE = 0.08
LEVEL_MIX = {3: (0.93, 0.06, 0.01), 5: (0.93, 0.045, 0.015, 0.007, 0.003)}
PAUSE_REASONS = ("Nghỉ giải lao", "Họp giao ban", "Tra cứu hồ sơ", "Sự cố máy tính")
COMMENTS = ("Chờ quá lâu", "Cán bộ hướng dẫn chưa rõ", "Phải bổ sung hồ sơ nhiều lần", "Cần thêm quầy vào giờ cao điểm")
ABSENCE = 0.04

TICKET_COLUMNS = ("id", "token", "local_date", "service_code", "department_code", "prefix", "number", "label",
                  "priority_group", "channel", "state", "arrived_at", "issued_at", "call_count", "first_called_at",
                  "last_called_at", "service_started_at", "ended_at", "counter_number", "officer", "reserved_counter",
                  "transferred_from", "root_ticket_id", "device")
RATING_COLUMNS = ("ticket_id", "client_id", "channel", "level", "level_name", "scale", "reasons", "comment",
                  "local_date", "service_local_date", "rated_at", "counter_number", "officer", "service_code",
                  "department_code", "device")
EVENT_COLUMNS = ("at", "kind", "ticket_id", "counter_number", "officer", "payload")
INSERT_TICKET = f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES ({', '.join('?' * len(TICKET_COLUMNS))})"
INSERT_RATING = f"INSERT INTO ratings ({', '.join(RATING_COLUMNS)}) VALUES ({', '.join('?' * len(RATING_COLUMNS))})"
INSERT_EVENT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
INSERT_SEQUENCE = "INSERT INTO number_sequences (local_date, prefix, last_number) VALUES (?, ?, ?)"


@dataclass
class Stats:
    days: int
    first_day: dt.date
    last_day: dt.date
    tickets: int
    issued: int
    ratings: int
    events: int
    seconds: float
    busiest_day: dt.date
    busiest_rows: int


def working_days(center: Center, first: dt.date, count: int | None) -> list[dt.date]:
    """`count` working days from `first` on, or (count None) every working day from `first` to the end of its year."""
    hours, days, day = center.hours, [], first
    while (len(days) < count) if count is not None else (day.year == first.year):
        if day.weekday() in hours.working_days and day not in hours.holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Integers in proportion to weights that add up to exactly `total`."""
    s = sum(weights)
    exact = [total * w / s for w in weights]
    out = [math.floor(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: -(exact[i] - out[i]))[:total - sum(out)]:
        out[i] += 1
    return out


def pick(rng: random.Random, table) -> str:
    x, acc = rng.random(), 0.0
    for value, p in table:
        acc += p
        if x < acc:
            return value
    return table[-1][0]


def day_plan(rng: random.Random, rows: int) -> list[tuple[str, str | None]]:
    """The state of each citizen's visit that day (and of the re-queued ticket after a transfer): `rows` rows."""
    plan, used = [], 0
    while used < rows:
        state = pick(rng, STATES)
        if state == "transferred" and rows - used < 2:
            state = "done"
        requeue = pick(rng, REQUEUE_STATES) if state == "transferred" else None
        plan.append((state, requeue))
        used += 2 if requeue else 1
    return plan


def token(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()


class Generator:
    """Writes the history of one center into one Store."""

    def __init__(self, center: Center, seed: int, ticket_events: bool):
        self.center, self.seed, self.ticket_events = center, seed, ticket_events
        self.services = list(center.services.values())
        weights = [SERVICE_MIX.get(s.code, 1.0) for s in self.services]
        self.service_cum = list(itertools.accumulate(weights))
        self.serving = {s.code: [c.number for c in center.counters_serving(s.code)] for s in self.services}
        self.by_department = {d.code: [s for s in d.services] for d in center.departments}
        self.priority_codes = [g.code for g in center.priority_groups]
        self.levels = center.rating.levels
        self.level_mix = LEVEL_MIX.get(len(self.levels)) or tuple(1 / len(self.levels) for _ in self.levels)
        self.counter_names = {c.number: c.name for c in center.counters}
        self.counter_services = {c.number: list(c.services) for c in center.counters}
        self.officer_names = {o.username: o.name for o in center.officers}
        # Primary officer of each counter: a department's officers in order over its counters; the rest are spares.
        self.primary, self.spares = {}, {}
        by_dept = {}
        for o in center.officers:
            if o.role == "officer":
                by_dept.setdefault(o.department_code, []).append(o.username)
        fallback = by_dept.get(None, [])
        taken = {}
        for c in center.counters:
            dept = center.services[c.services[0]].department_code
            pool = by_dept.get(dept) or fallback
            i = taken.get(dept, 0)
            taken[dept] = i + 1
            self.primary[c.number] = (pool[i % len(pool)] if pool else f"canbo{c.number:02d}", dept)
        for dept, pool in by_dept.items():
            self.spares[dept] = pool[taken.get(dept, 0):]
        self.sessions = []
        stop = center.hours.stop_issuing_minutes_before_end * 60
        for session in center.hours.sessions:
            start = session.start.hour * 3600 + session.start.minute * 60
            end = 86400 if session.end == dt.time.max else session.end.hour * 3600 + session.end.minute * 60
            self.sessions.append((start, end, end - stop))
        # 15-minute issuing slots of the day with their weights.
        self.slots = []  # (start second, session index, weight)
        for index, (start, _end, stop_at) in enumerate(self.sessions):
            shape = MORNING_SHAPE if index == 0 else AFTERNOON_SHAPE
            for k, at in enumerate(range(start, stop_at, 900)):
                self.slots.append((at, index, shape[min(k, len(shape) - 1)]))
        slot_weights = [w for _, _, w in self.slots]
        self.slot_cum = list(itertools.accumulate(slot_weights))
        mean_weight = sum(slot_weights) / len(slot_weights)
        self.slot_load = [w / mean_weight for w in slot_weights]

    # ----- one day -------------------------------------------------------------------------------------------

    def staff(self, rng: random.Random) -> dict[int, str]:
        """Who holds each counter today: its officer, or a spare of the department when the officer is away."""
        free = {dept: list(pool) for dept, pool in self.spares.items()}
        holders = {}
        for number, (officer, dept) in self.primary.items():
            if rng.random() < ABSENCE and free.get(dept):
                officer = free[dept].pop(0)
            holders[number] = officer
        return holders

    def day(self, day: dt.date, plan, rated: int, first_id: int):
        """Tickets, number sequences, ratings and events of one day; ids start at first_id."""
        rng = random.Random(f"{self.seed}:{day.isoformat()}")
        iso = day.isoformat()
        midnight = int(dt.datetime.combine(day, dt.time.min, self.center.timezone).timestamp())
        holders = self.staff(rng)
        tickets = []  # dicts first (the id order is the issue order, known only after sorting)
        for state, requeue_state in plan:
            slot = bisect.bisect_right(self.slot_cum, rng.random() * self.slot_cum[-1])
            slot_start, session, _ = self.slots[slot]
            issued = midnight + slot_start + int(rng.random() * 900)
            service = self.services[bisect.bisect_right(self.service_cum, rng.random() * self.service_cum[-1])]
            channel = pick(rng, CHANNELS)
            priority = rng.choice(self.priority_codes) if self.priority_codes and rng.random() < PRIORITY_SHARE \
                else None
            device = f"kiosk-{rng.randint(1, 4)}" if channel == "kiosk" else None
            session_end = midnight + self.sessions[session][1]
            wait = self.wait(rng, self.slot_load[slot], priority is not None)
            first = {"service": service, "channel": channel, "priority": priority, "device": device,
                     "arrived": issued, "issued": issued, "state": state, "original": None}
            self.finish(rng, first, issued + wait, session_end, holders)
            tickets.append(first)
            if requeue_state:
                target = self.transfer_target(rng, service)
                again = {"service": target, "channel": channel, "priority": priority, "device": device,
                         "arrived": issued, "issued": first["ended"], "state": requeue_state, "original": first}
                wait = self.wait(rng, 0.6, priority is not None)
                self.finish(rng, again, first["ended"] + wait, max(session_end, first["ended"] + 1800), holders)
                tickets.append(again)
        tickets.sort(key=lambda t: (t["issued"], t["original"] is not None))
        numbers, rows = {}, []
        for offset, t in enumerate(tickets):
            t["id"] = first_id + offset
            original = t["original"]
            if original is None:
                prefix = t["service"].prefix
                numbers[prefix] = numbers.get(prefix, 0) + 1
                t["prefix"], t["number"] = prefix, numbers[prefix]
                t["label"] = f"{prefix}{numbers[prefix]:03d}"
                t["token"] = token(rng)
            else:
                t["prefix"], t["number"], t["label"] = original["prefix"], original["number"], original["label"]
                t["token"] = token(rng)
            s = t["service"]
            rows.append((t["id"], t["token"], iso, s.code, s.department_code, t["prefix"], t["number"], t["label"],
                         t["priority"], t["channel"], t["state"], t["arrived"], t["issued"], t["calls"], t["called"],
                         t["last_called"], t["started"], t["ended"], t["counter"], t["officer"], None,
                         original["id"] if original else None, original["id"] if original else None, t["device"]))
        sequences = [(iso, prefix, n) for prefix, n in sorted(numbers.items())]
        done = [t for t in tickets if t["state"] == "done"]
        ratings = [self.rating(rng, t, iso) for t in sorted(rng.sample(done, rated), key=lambda t: t["id"])]
        events = self.counter_events(rng, midnight, holders)
        if self.ticket_events:
            events += self.ticket_events_of(tickets, ratings, iso)
        events.sort(key=lambda e: e[0])
        return rows, sequences, ratings, events

    def wait(self, rng: random.Random, load: float, priority: bool) -> int:
        median = 300 * (0.5 + 0.6 * load) * (0.5 if priority else 1.0)
        return int(rng.lognormvariate(math.log(median), 0.75))

    def transfer_target(self, rng: random.Random, service):
        same = [s for s in self.by_department[service.department_code] if s.code != service.code]
        if same and rng.random() < 0.6:
            return rng.choice(same)
        others = [s for s in self.services if s.code != service.code]
        return rng.choice(others) if others else service

    def finish(self, rng: random.Random, t: dict, called: int, latest_call: int, holders: dict[int, str]):
        """Fill a ticket's counter, officer and times for its final state."""
        t.update(calls=0, called=None, last_called=None, started=None, ended=None, counter=None, officer=None)
        limit = latest_call + 600
        if called > limit:
            called = max(t["issued"] + 30, limit - int(rng.random() * 600))
        state = t["state"]
        if state == "waiting":
            return
        if state == "cancelled":
            t["ended"] = t["issued"] + 60 + int(rng.random() * max(60, called - t["issued"]))
            return
        counter = rng.choice(self.serving[t["service"].code])
        t["counter"], t["officer"] = counter, holders[counter]
        t["called"] = t["last_called"] = called
        walk = int(rng.triangular(10, 90, 25))
        minutes = t["service"].default_service_minutes
        if state == "no_show":
            t["calls"] = 2 if rng.random() < 0.7 else 3
            t["last_called"] = called + sum(60 + int(rng.random() * 60) for _ in range(t["calls"] - 1))
            t["ended"] = t["last_called"] + 30 + int(rng.random() * 60)
            return
        t["calls"] = 1 if rng.random() < 0.9 else (2 if rng.random() < 0.9 else 3)
        if t["calls"] > 1:
            t["last_called"] = called + 30 * (t["calls"] - 1) + int(rng.random() * 30)
        if state == "transferred" and rng.random() < 0.3:  # sent on before the service started
            t["ended"] = t["last_called"] + walk + int(rng.random() * 60)
            return
        t["started"] = t["last_called"] + walk
        if state == "transferred":
            t["ended"] = t["started"] + max(30, int(rng.gammavariate(2, 90)))
        else:
            t["ended"] = t["started"] + max(30, int(rng.gammavariate(3, minutes * 20)))

    def rating(self, rng: random.Random, t: dict, iso: str) -> tuple:
        long_wait = t["called"] - t["issued"] > 2 * 60 * t["service"].target_wait_minutes
        x, acc, level = rng.random(), 0.0, len(self.levels)
        mix = list(self.level_mix)
        if long_wait and len(mix) >= 3:  # a little more dissatisfaction after a long wait
            mix = [mix[0] - 0.03] + mix[1:-1] + [mix[-1] + 0.03]
        for i, p in enumerate(mix, 1):
            acc += p
            if x < acc:
                level = i
                break
        name = self.levels[level - 1]
        reasons, comment = [], None
        if "không hài lòng" in name.lower():
            choices = list(self.center.rating.reasons)
            reasons = rng.sample(choices, k=min(len(choices), 1 if rng.random() < 0.7 else 2))
            wait_reason = next((r for r in choices if "chờ" in r.lower()), None)
            if long_wait and wait_reason and wait_reason not in reasons:
                reasons[0] = wait_reason
            comment = rng.choice(COMMENTS) if rng.random() < 0.3 else None
        tablet = rng.random() < 0.85
        rated_at = t["ended"] + 5 + int(rng.random() * 55)
        t["rated_at"], t["level"], t["level_name"], t["tablet"] = rated_at, level, name, tablet
        return (t["id"], f"{t['counter']:02d}-{token(rng)}" if tablet else None, "tablet" if tablet else "phone",
                level, name, len(self.levels), json.dumps(reasons, ensure_ascii=False), comment, iso, iso, rated_at,
                t["counter"], t["officer"], t["service"].code, t["service"].department_code,
                f"tablet-{t['counter']:02d}" if tablet else None)

    def counter_view(self, number: int, status: str, officer: str | None, reason, since: int) -> dict:
        return {"number": number, "name": self.counter_names[number], "services": self.counter_services[number],
                "status": status, "officer": officer, "officer_name": self.officer_names.get(officer, officer),
                "pause_reason": reason, "since": since, "current": None}

    def counter_events(self, rng: random.Random, midnight: int, holders: dict[int, str]) -> list[tuple]:
        """Each counter opens and closes every session with its officer and pauses about once a session."""
        events = []

        def add(at, kind, number, officer, status, reason=None, extra=None):
            payload = {"counter": self.counter_view(number, status, None if status == "closed" else officer, reason,
                                                    at), **(extra or {})}
            events.append((at, kind, None, number, officer, json.dumps(payload, ensure_ascii=False)))

        for number, officer in holders.items():
            for start, end, _ in self.sessions:
                opened = midnight + start - 600 + int(rng.random() * 900)
                closed = midnight + end + int(rng.random() * 600)
                add(opened, "counter_opened", number, officer, "open")
                if rng.random() < 0.5 and end - start > 5400:
                    paused = midnight + start + 1800 + int(rng.random() * (end - start - 4500))
                    reason = rng.choice(PAUSE_REASONS)
                    add(paused, "counter_paused", number, officer, "paused", reason, {"reason": reason})
                    add(paused + 300 + int(rng.random() * 900), "counter_resumed", number, officer, "open", None,
                        {"reason": None})
                add(closed, "counter_closed", number, officer, "closed")
        return events

    def ticket_events_of(self, tickets: list[dict], ratings: list[tuple], iso: str) -> list[tuple]:
        """The queue's own events of every ticket, payloads shaped like Queue._event's."""
        events = []
        for t in tickets:
            s = t["service"]

            def add(at, kind, state, extra=None, officer=None, counter=None):
                payload = {"label": t["label"], "state": state, "service_code": s.code, "service_name": s.name,
                           "department_code": s.department_code, "counter_number": counter,
                           "priority": bool(t["priority"]), "call_count": t["calls"], "waiting": 0,
                           "local_date": iso, **(extra or {})}
                events.append((at, kind, t["id"], counter, officer, json.dumps(payload, ensure_ascii=False)))

            if t["original"] is None:
                add(t["issued"], "ticket_issued", "waiting")
            else:
                add(t["issued"], "ticket_requeued", "waiting", officer=t["original"]["officer"])
            if t["called"] is not None:
                add(t["called"], "ticket_called", "called", officer=t["officer"], counter=t["counter"])
                if t["last_called"] != t["called"]:
                    add(t["last_called"], "ticket_recalled", "called", officer=t["officer"], counter=t["counter"])
            if t["started"] is not None:
                add(t["started"], "service_started", "serving", {"state_before": "called"}, t["officer"],
                    t["counter"])
            state = t["state"]
            if state in ("done", "no_show", "transferred"):
                kind = {"done": "ticket_finished", "no_show": "ticket_no_show",
                        "transferred": "ticket_transferred"}[state]
                add(t["ended"], kind, state, {"state_before": "serving" if t["started"] else "called"},
                    t["officer"], t["counter"])
            elif state == "cancelled":
                add(t["ended"], "ticket_cancelled", "cancelled")
            if "rated_at" in t:
                payload = {"label": t["label"], "counter_number": t["counter"], "level": t["level"],
                           "level_name": t["level_name"], "dissatisfied": "không hài lòng" in t["level_name"].lower(),
                           "channel": "tablet" if t["tablet"] else "phone", "service_code": s.code,
                           "officer": t["officer"]}
                events.append((t["rated_at"], "rating_recorded", t["id"], t["counter"], t["officer"],
                               json.dumps(payload, ensure_ascii=False)))
        return events


def generate_history(path: str | Path, center: Center | str | Path = HISTORY_CENTER, tickets: int = 1_000_000,
                     ratings: int = 400_000, year: int = 2025, days: int | None = None,
                     first_day: dt.date | None = None, seed: int = 2025, ticket_events: bool = False,
                     days_per_transaction: int = 10, progress=None) -> Stats:
    """Create `path` with Store (real schema) and fill it; `tickets` counts rows (re-queued tickets included)."""
    started = time.perf_counter()
    if not isinstance(center, Center):
        center = load_center(center)
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; the generator writes fresh databases only")
    first_day = first_day or dt.date(year, 1, 1)
    calendar = working_days(center, first_day, days)
    if not calendar:
        raise ValueError("no working day in the requested range")
    rng = random.Random(f"{seed}:plan")
    after_holiday = {d for i, d in enumerate(calendar) if i and (d - calendar[i - 1]).days > 2}
    weights = [WEEKDAY_FACTOR[d.weekday()] * MONTH_FACTOR[d.month] * (1.25 if d in after_holiday else 1.0)
               * max(0.5, rng.gauss(1, 0.08)) for d in calendar]
    quotas = largest_remainder(tickets, weights)
    plans = [day_plan(rng, q) for q in quotas]
    done_per_day = [sum((s == "done") + (r == "done") for s, r in plan) for plan in plans]
    if ratings > sum(done_per_day):
        raise ValueError(f"{ratings} ratings but only {sum(done_per_day)} served tickets")
    rated_per_day = largest_remainder(ratings, done_per_day) if ratings else [0] * len(calendar)
    gen = Generator(center, seed, ticket_events)
    store = Store(path)
    counts = {"tickets": 0, "issued": 0, "ratings": 0, "events": 0}
    try:
        store.conn.execute("PRAGMA synchronous=OFF")
        store.conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the token and number indexes stay in memory
        next_id = 1
        for batch in range(0, len(calendar), days_per_transaction):
            with store.write() as conn:
                for i in range(batch, min(batch + days_per_transaction, len(calendar))):
                    rows, sequences, day_ratings, events = gen.day(calendar[i], plans[i], rated_per_day[i], next_id)
                    next_id += len(rows)
                    conn.executemany(INSERT_TICKET, rows)
                    conn.executemany(INSERT_SEQUENCE, sequences)
                    conn.executemany(INSERT_RATING, day_ratings)
                    conn.executemany(INSERT_EVENT, events)
                    counts["tickets"] += len(rows)
                    counts["issued"] += sum(1 for r in rows if r[21] is None)
                    counts["ratings"] += len(day_ratings)
                    counts["events"] += len(events)
            if progress:
                progress(min(batch + days_per_transaction, len(calendar)), len(calendar), counts["tickets"])
        store.conn.execute("PRAGMA synchronous=NORMAL")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    busiest = max(range(len(calendar)), key=lambda i: quotas[i])
    return Stats(len(calendar), calendar[0], calendar[-1], counts["tickets"], counts["issued"], counts["ratings"],
                 counts["events"], time.perf_counter() - started, calendar[busiest], quotas[busiest])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="the SQLite file to create (must not exist)")
    parser.add_argument("--center", default=str(HISTORY_CENTER))
    parser.add_argument("--tickets", type=int, default=1_000_000, help="ticket rows, re-queued tickets included")
    parser.add_argument("--ratings", type=int, default=400_000)
    parser.add_argument("--year", type=int, default=2025, help="every working day of this year (unless --days)")
    parser.add_argument("--first-day", type=dt.date.fromisoformat, help="with --days: the first day (default 1 Jan)")
    parser.add_argument("--days", type=int, help="this many working days instead of a whole year")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--ticket-events", action="store_true", help="also write every ticket's own events")
    args = parser.parse_args(argv)

    def progress(done, total, rows):
        print(f"\r  {done}/{total} days, {rows:,} tickets", end="", file=sys.stderr, flush=True)

    stats = generate_history(args.database, args.center, args.tickets, args.ratings, args.year, args.days,
                             args.first_day or (dt.date(args.year, 1, 1)), args.seed, args.ticket_events,
                             progress=progress)
    print(file=sys.stderr)
    print(f"{args.database}: {stats.tickets:,} tickets ({stats.issued:,} issued numbers), {stats.ratings:,} ratings,"
          f" {stats.events:,} events over {stats.days} working days {stats.first_day} … {stats.last_day}"
          f" (busiest {stats.busiest_day}: {stats.busiest_rows:,}); load time {stats.seconds:.1f} s")


if __name__ == "__main__":
    main()
