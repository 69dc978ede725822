"""Ingest: one batch of a site's facts into PostgreSQL, in ONE transaction together with the site's `acked_seq`.

Rules (docs/HUB.md, Delivery): a batch says which sequence number it starts `after` and goes `through`. The hub
holds the site's row (SELECT … FOR UPDATE), so two deliveries of one site never interleave, then:
- `after` beyond `acked_seq` is a gap: refused, with the `after` expected (nothing is stored);
- the site's digest of its event `after` (`prev_digest`) and of every event already acknowledged must equal the
  stored ones, else the site's history went back (restored from an older backup): the batch is refused and the
  site marked `diverged` (recovery: sites.start_over);
- events after `acked_seq` are stored (COPY), the rows they touch upserted to the newest state sent (ratings and
  feedback actions inserted once), and `acked_seq` set to `through`. A batch sent twice stores nothing the second
  time; an overlapping one stores only what is new.
- NUL characters, which PostgreSQL text and jsonb cannot hold but a site's SQLite can (a comment typed so), are
  removed from what is stored; an event's digest is of the event as the site sent it, so the history check
  still matches. Refusing them would not help: the site would send the same facts again for ever.

`ingest` is called by the HTTP view and directly by the benchmark (bench/bench_hub.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import psycopg

from server.core.outbox import (
    FEEDBACK_ACTION_COLUMNS,
    FEEDBACK_ITEM_COLUMNS,
    RATING_COLUMNS,
    TICKET_COLUMNS,
    canonical_event,
    digest_of,
    event_digest,
)

LEVELS = ("tinh", "huyen", "xa")
# PostgreSQL's bigint, the column of sequence numbers.
BIGINT_MAX = 2**63 - 1
LABEL_KINDS = ("department", "service", "counter", "officer")
# Called inside the ingest transaction after a batch's facts are stored: fn(conn, site_id, result). The reports'
# stored summaries (hub-reports) may follow the facts this way, in the same commit.
after_ingest: list = []


class BatchRefused(Exception):
    """A batch the hub does not take: `code` for programs, a Vietnamese `message`, the HTTP `status`."""

    def __init__(self, code: str, message: str, status: int = 400, **details):
        super().__init__(message)
        self.code, self.message, self.status, self.details = code, message, status, details

    def as_json(self) -> dict:
        return {"error": self.code, "message": self.message, **self.details}


@dataclass
class IngestResult:
    """What one batch did: `acked_seq` after it, events stored now and events already there."""

    acked_seq: int
    stored: int = 0
    skipped: int = 0
    days: set = field(default_factory=set)  # local dates of the tickets and ratings written

    def as_json(self) -> dict:
        return {"acked_seq": self.acked_seq, "stored": self.stored, "skipped": self.skipped}


def ingest(conn: psycopg.Connection, site_id: int, batch: dict, now: int | None = None) -> IngestResult:
    """Store one batch of site `site_id` (already authenticated) and commit; BatchRefused when it is not taken (a
    divergence is committed as the site's state before the refusal is raised). `conn` is in autocommit mode (the
    hub's pool gives such connections), so the batch is its own transaction."""
    if not conn.autocommit:  # inside a caller's transaction the batch would not commit on its own
        raise ValueError("ingest needs a connection in autocommit mode")
    now = int(now if now is not None else time.time())
    after, through, events = _checked_shape(batch)
    writes: list[tuple[str, str, tuple]] = []
    _column_types(conn)
    try:
        result = _take(conn, site_id, batch, (after, through, events), now, writes)
    except (psycopg.DataError, psycopg.IntegrityError) as exc:  # a value the batch's columns cannot hold
        # The rules come first, as when nothing was written before they were checked (a gap, a revoked site).
        result = _take(conn, site_id, batch, (after, through, events), now, None)
        if not isinstance(result, BatchRefused):
            raise BatchRefused("bad_batch", f"Dữ liệu {WHAT[_refused_list(conn, writes)]} của lô không hợp lệ."
                               ) from exc
    if isinstance(result, BatchRefused):
        raise result
    return result


def _take(conn, site_id: int, batch: dict, shape: tuple[int, int, list], now: int,
          writes: list | None) -> IngestResult | BatchRefused:
    """The batch's transaction in one round trip (pipeline mode): the site's row locked, the digests the batch
    meets again read, and, before their answers are back, every write (each listed in `writes`, for
    `_refused_list`) inside a savepoint, so PostgreSQL stores while the hub prepares the next statement. Writes
    take only events after the site's `acked_seq`, and rows only when the batch goes beyond it. A refusal of the
    rules rolls the savepoint back and is returned once its mark on the site's row is committed. With `writes`
    None, only the rules are checked (nothing is stored)."""
    after, through, events = shape
    with conn.pipeline(), conn.transaction():
        site = conn.execute("SELECT acked_seq, state FROM hub_sites WHERE id = %s FOR UPDATE", (site_id,))
        # A statement of its own after the lock, so a new snapshot: it sees a batch of the site committed meanwhile.
        known = conn.execute("SELECT seq, digest FROM site_events WHERE site_id = %s AND seq BETWEEN %s AND %s",
                             (site_id, after, through))
        try:
            with conn.transaction():
                if writes is not None:
                    for write in _writes(site_id, batch, through, now, _TYPES):
                        writes.append(write)
                        conn.execute(*write[1:])
                site = site.fetchone()
                if site is None:
                    raise BatchRefused("unknown_site", "Đơn vị không có trong danh sách của tỉnh.", 403)
                acked, state = site
                _check_rules(acked, state, after, dict(known.fetchall()), batch.get("prev_digest"), events)
                if writes is None:
                    return None
                result = IngestResult(acked_seq=max(acked, through), stored=sum(e["seq"] > acked for e in events))
                result.skipped = len(events) - result.stored
                if through > acked:
                    result.days = _days(batch)
                if batch.get("labels"):
                    write = _label_write(conn, site_id, batch["labels"])
                    writes.append(write)
                    conn.execute(*write[1:])
                info = _site_info(batch.get("site"))
                conn.execute("UPDATE hub_sites SET acked_seq = %s, last_contact_at = %s, last_refusal = NULL,"
                             " name = coalesce(%s, name), level = coalesce(%s, level),"
                             " district = coalesce(%s, district) WHERE id = %s",
                             (result.acked_seq, now, info["name"], info["level"], info["district"], site_id))
                for listener in after_ingest:
                    listener(conn, site_id, result)
        except BatchRefused as refused:
            if refused.code == "unknown_site":
                raise
            conn.execute("UPDATE hub_sites SET last_contact_at = %s, last_refusal = %s,"
                         " state = CASE WHEN %s THEN 'diverged' ELSE state END WHERE id = %s",
                         (now, refused.code, refused.code == "history_differs", site_id))
            return refused
    return result


def _check_rules(acked: int, state: str, after: int, stored: dict, prev_digest, events: list):
    """BatchRefused unless the site may deliver and the batch follows what the hub holds (docs/HUB.md)."""
    if state == "revoked":
        raise BatchRefused("revoked", "Mã truy cập của đơn vị đã bị thu hồi.", 403)
    if state == "diverged":
        raise BatchRefused("diverged", "Dữ liệu của đơn vị không khớp với dữ liệu tỉnh đã nhận (khôi phục từ"
                           " bản sao lưu cũ?): chờ quản trị tỉnh cấp lại mã.", 409, acked_seq=acked)
    if after > acked:
        raise BatchRefused("gap", f"Thiếu dữ liệu: tỉnh đã nhận đến số {acked}, lô này bắt đầu sau số {after}.",
                           409, expected_after=acked, acked_seq=acked)
    _check_history(stored, after, acked, prev_digest, events)


def _refused_list(conn, writes: list) -> str:
    """Which list of a refused batch PostgreSQL cannot take: its writes again one by one, rolled back."""
    with conn.transaction(force_rollback=True):
        for what, query, params in writes:
            try:
                with conn.transaction():
                    conn.execute(query, params)
            except (psycopg.DataError, psycopg.IntegrityError):
                return what
    return "rows"


def _checked_shape(batch) -> tuple[int, int, list]:
    """after, through and the events of a well-formed batch; BatchRefused (400) for anything else."""
    if not isinstance(batch, dict):
        raise BatchRefused("bad_batch", "Lô dữ liệu phải là một đối tượng JSON.")
    after, through, events = batch.get("after"), batch.get("through"), batch.get("events", [])
    if not _whole(after) or not _whole(through) or after < 0 or through < after or through > BIGINT_MAX:
        raise BatchRefused("bad_batch", "Lô dữ liệu phải có after ≤ through, là số nguyên không âm.")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise BatchRefused("bad_batch", "Danh sách sự kiện (events) không hợp lệ.")
    previous = after
    for event in events:
        seq = event.get("seq")
        if not _whole(seq) or not previous < seq <= through:
            raise BatchRefused("bad_batch", "Số thứ tự sự kiện phải tăng dần, trong khoảng (after, through].")
        if not _whole(event.get("at")) or not isinstance(event.get("kind"), str) or not event["kind"]:
            raise BatchRefused("bad_batch", f"Sự kiện số {seq} thiếu thời điểm (at) hoặc loại (kind).")
        if not isinstance(event.get("payload", {}), dict):
            raise BatchRefused("bad_batch", f"Nội dung (payload) của sự kiện số {seq} phải là đối tượng JSON.")
        previous = seq
    if through != previous:  # a site's batch goes through its last event (or, empty, stays at `after`)
        raise BatchRefused("bad_batch", "Lô dữ liệu phải kết thúc (through) ở sự kiện cuối cùng của lô.")
    for key in ("tickets", "ratings", "feedback_items", "feedback_actions", "labels"):
        rows = batch.get(key, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) and _whole(r.get("id", 0)) for r in rows):
            raise BatchRefused("bad_batch", f"Danh sách {key} không hợp lệ.")
        # One upsert statement per list cannot touch a row twice (PostgreSQL refuses the whole statement).
        if key != "labels" and len({r.get("id") for r in rows}) != len(rows):
            raise BatchRefused("bad_batch", f"Danh sách {key} có mã (id) lặp lại.")
    if not all(isinstance(r.get("reasons", []), list) for r in batch.get("ratings", [])):
        # jsonb would take a text too, and the reports read a list
        raise BatchRefused("bad_batch", "Lý do đánh giá (reasons) phải là một danh sách.")
    site = batch.get("site")
    if site is not None and not (isinstance(site, dict) and all(
            isinstance(site.get(key), (str, type(None))) for key in ("name", "level", "district"))):
        raise BatchRefused("bad_batch", "Thông tin đơn vị (site) phải có tên, cấp và huyện là văn bản.")
    return after, through, events


def _site_info(site: dict | None) -> dict:
    """The site's name, level and district as stored (NUL removed); None where the batch says nothing."""
    site = site or {}
    return {"name": without_nul(site.get("name")), "district": without_nul(site.get("district")),
            "level": site.get("level") if site.get("level") in LEVELS else None}


def without_nul(value):
    """`value` with every NUL character removed from its strings (keys included), which PostgreSQL cannot store."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_history(stored: dict, after: int, acked: int, prev_digest, events: list):
    """The site's digests of what the hub already holds must match, from event `after` through `acked`; `stored`
    holds the hub's digests of the batch's range."""
    known = [e for e in events if e["seq"] <= acked]
    sent = {e["seq"]: event_digest(e) for e in known}
    if after > 0:
        sent[after] = prev_digest
    for seq in sorted(sent):
        if stored.get(seq) != sent[seq]:
            raise BatchRefused("history_differs", f"Sự kiện số {seq} của đơn vị khác với sự kiện tỉnh đã nhận: dữ liệu"
                               " của đơn vị đã quay lại (khôi phục từ bản sao lưu cũ?). Tỉnh tạm ngừng nhận; quản trị"
                               " tỉnh cấp lại mã để đồng bộ lại từ đầu.", 409, seq=seq)


# What each list of a batch is, in the words of a refusal.
WHAT = {"events": "sự kiện (events)", "tickets": "số thứ tự (tickets)", "ratings": "đánh giá (ratings)",
        "feedback_items": "phản ánh (feedback_items)", "feedback_actions": "xử lý phản ánh (feedback_actions)",
        "rows": "các bảng", "labels": "nhãn (labels)", "site": "đơn vị (site)"}


# Events as the JSON array of their canonical forms (the text each digest is of) with the digest appended: no
# second encoding of the payloads, and a statement the pipeline can carry (a COPY cannot). Only the events after
# the site's `acked_seq` are taken (the site's row is locked by then: the subquery reads its value).
_INSERT_EVENTS = (
    "INSERT INTO site_events (site_id, seq, at, kind, ticket_id, counter_number, officer, payload, digest,"
    " received_at) SELECT %(site)s, (e->>0)::bigint, (e->>1)::bigint, e->>2, (e->>3)::bigint, (e->>4)::int, e->>5,"
    " e->6, e->>7, %(now)s FROM jsonb_array_elements(%(events)s::jsonb) AS e"
    " WHERE (e->>0)::bigint > (SELECT acked_seq FROM hub_sites WHERE id = %(site)s)")
# Events per statement: PostgreSQL stores one part while the hub encodes and hashes the next.
EVENTS_PER_STATEMENT = 200


def _writes(site_id: int, batch: dict, through: int, now: int, types: dict):
    """The batch's statements as they are ready: (list, query, parameters). The rows first: quick to encode and
    slow to upsert, PostgreSQL upserts them while the hub hashes the events."""
    yield from _row_writes(site_id, batch, through, types)
    events = batch.get("events") or []
    for start in range(0, len(events), EVENTS_PER_STATEMENT):
        parts = []
        for e in events[start:start + EVENTS_PER_STATEMENT]:
            canonical = canonical_event(e)  # the digest is of the event as sent, NUL and all
            digest = digest_of(canonical)
            if "\\u0000" in canonical:  # jsonb holds no NUL: the stored event goes without
                canonical = canonical_event(without_nul(e))
            parts.append(f'{canonical[:-1]},"{digest}"]')
        yield "events", _INSERT_EVENTS, {"site": site_id, "now": now, "events": f"[{','.join(parts)}]"}


# table, columns, what a row sent again does (None: inserted once, never changed).
_ROW_TABLES = {
    "tickets": ("site_tickets", TICKET_COLUMNS, "update"),
    "ratings": ("site_ratings", RATING_COLUMNS, None),
    "feedback_items": ("site_feedback_items", FEEDBACK_ITEM_COLUMNS, "update"),
    "feedback_actions": ("site_feedback_actions", FEEDBACK_ACTION_COLUMNS, None),
}


def _row_writes(site_id: int, batch: dict, through: int, types: dict):
    """Each list of rows upserted in one statement, sent as a JSON array of arrays in the columns' order (the
    names once, not in every row), when the batch goes beyond the site's `acked_seq` (rows travel only with new
    events: an old copy never brings back an older state). `types`: each table's column types."""
    for key, (table, columns, on_conflict) in _ROW_TABLES.items():
        rows = batch.get(key)
        if not rows:
            continue
        text = json.dumps([[row.get(c) for c in columns] for row in rows], ensure_ascii=False)
        if "\\u0000" in text:  # PostgreSQL's text holds no NUL
            text = json.dumps([[without_nul(row.get(c)) for c in columns] for row in rows], ensure_ascii=False)
        names = ", ".join(columns)
        cells = ", ".join(f"r->{i}" if types[table][c] == "jsonb" else f"(r->>{i})::{types[table][c]}"
                          for i, c in enumerate(columns))
        changed = [c for c in columns if c != "id"]
        # A row sent again as it is stored (a site catching up sends each ticket's newest state with every batch
        # that touches it) writes no new version: no dead row, no index entries.
        action = "DO NOTHING" if on_conflict is None else (
            f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in changed)}"
            f" WHERE ({', '.join(f'{table}.{c}' for c in changed)})"
            f" IS DISTINCT FROM ({', '.join(f'excluded.{c}' for c in changed)})")
        # ORDER BY id: one site's batches never run at once (its row is locked), so no deadlock either way.
        yield key, (f"INSERT INTO {table} (site_id, {names}) SELECT %(site)s, {cells}"
                    f" FROM jsonb_array_elements(%(rows)s::jsonb) AS r"
                    f" WHERE %(through)s > (SELECT acked_seq FROM hub_sites WHERE id = %(site)s) ORDER BY 2"
                    f" ON CONFLICT (site_id, id) {action}"), {"site": site_id, "rows": text, "through": through}


def _column_types(conn) -> dict[str, dict[str, str]]:
    """{table: {column: SQL type}} of the fact tables, read once per process (migrations run before serving), and
    again should a column the site sends be missing from it."""
    if not all(set(columns) <= _TYPES.get(table, {}).keys() for table, columns, _ in _ROW_TABLES.values()):
        _TYPES.clear()
        for table, column, kind in conn.execute(
                "SELECT attrelid::regclass::text, attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = ANY(%s::regclass[]) AND attnum > 0 AND NOT attisdropped",
                ([table for table, _, _ in _ROW_TABLES.values()],)):
            _TYPES.setdefault(table, {})[column] = kind
    return _TYPES


_TYPES: dict[str, dict[str, str]] = {}


def _days(batch: dict) -> set:
    """The local dates of the tickets and ratings a batch writes."""
    days = {t.get("local_date") for t in batch.get("tickets") or ()}
    days |= {r.get("service_local_date") for r in batch.get("ratings") or ()}
    return {without_nul(day) for day in days if isinstance(day, str)}


def _label_write(conn, site_id: int, rows: list) -> tuple[str, str, tuple]:
    """The site's names for its codes; `target_wait_minutes` of services once the reports' schema has the column."""
    values = {}  # one per kind and code: the last one sent, as a row-by-row upsert would leave it
    for row in rows:
        kind, code, name = row.get("kind"), row.get("code"), row.get("name")
        if kind not in LABEL_KINDS or not isinstance(code, str) or not isinstance(name, str):
            raise BatchRefused("bad_batch", "Nhãn (labels) phải có kind, code và name.")
        target = row.get("target_wait_minutes")
        values[(kind, code)] = {"kind": kind, "code": code, "name": name,
                                "target_wait_minutes": target if _whole(target) else None}
    text = json.dumps(without_nul(list(values.values())), ensure_ascii=False)
    if _has_target_column(conn):
        return ("labels", "INSERT INTO site_labels (site_id, kind, code, name, target_wait_minutes)"
                " SELECT %s, kind, code, name, target_wait_minutes FROM json_populate_recordset(NULL::site_labels, %s)"
                " ON CONFLICT (site_id, kind, code) DO UPDATE SET name = excluded.name,"
                " target_wait_minutes = excluded.target_wait_minutes", (site_id, text))
    return ("labels", "INSERT INTO site_labels (site_id, kind, code, name) SELECT %s, kind, code, name"
            " FROM json_populate_recordset(NULL::site_labels, %s) ON CONFLICT (site_id, kind, code)"
            " DO UPDATE SET name = excluded.name", (site_id, text))


def _has_target_column(conn) -> bool:
    # pg_attribute, not information_schema: the view costs tens of milliseconds per batch on a loaded machine.
    return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'site_labels'::regclass"
                        " AND attname = 'target_wait_minutes' AND NOT attisdropped)").fetchone()[0]
