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
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from server.core.outbox import (
    FEEDBACK_ACTION_COLUMNS,
    FEEDBACK_ITEM_COLUMNS,
    RATING_COLUMNS,
    TICKET_COLUMNS,
    digest_and_payload,
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
    refusal = None
    with conn.transaction():
        site = conn.execute("SELECT acked_seq, state FROM hub_sites WHERE id = %s FOR UPDATE", (site_id,)).fetchone()
        if site is None:
            raise BatchRefused("unknown_site", "Đơn vị không có trong danh sách của tỉnh.", 403)
        acked, state = site
        try:
            if state == "revoked":
                raise BatchRefused("revoked", "Mã truy cập của đơn vị đã bị thu hồi.", 403)
            if state == "diverged":
                raise BatchRefused("diverged", "Dữ liệu của đơn vị không khớp với dữ liệu tỉnh đã nhận (khôi phục từ"
                                   " bản sao lưu cũ?): chờ quản trị tỉnh cấp lại mã.", 409, acked_seq=acked)
            if after > acked:
                raise BatchRefused("gap", f"Thiếu dữ liệu: tỉnh đã nhận đến số {acked}, lô này bắt đầu sau số {after}.",
                                   409, expected_after=acked, acked_seq=acked)
            _check_history(conn, site_id, after, acked, batch.get("prev_digest"), events)
        except BatchRefused as refused:
            refusal = refused
            diverged = refused.code == "history_differs"
            conn.execute("UPDATE hub_sites SET last_contact_at = %s, last_refusal = %s,"
                         " state = CASE WHEN %s THEN 'diverged' ELSE state END WHERE id = %s",
                         (now, refused.code, diverged, site_id))
        if refusal is None:
            result = IngestResult(acked_seq=max(acked, through))
            fresh = [e for e in events if e["seq"] > acked]
            result.skipped = len(events) - len(fresh)
            if through > acked:
                _store_events(conn, site_id, fresh, now)
                result.stored = len(fresh)
                _store_rows(conn, site_id, batch, result)
            if batch.get("labels"):
                _store_labels(conn, site_id, batch["labels"])
            info = _site_info(batch.get("site"))
            conn.execute("UPDATE hub_sites SET acked_seq = %s, last_contact_at = %s, last_refusal = NULL,"
                         " name = coalesce(%s, name), level = coalesce(%s, level), district = coalesce(%s, district)"
                         " WHERE id = %s",
                         (result.acked_seq, now, info.get("name"), info.get("level") if info.get("level") in LEVELS
                          else None, info.get("district"), site_id))
            for listener in after_ingest:
                listener(conn, site_id, result)
    if refusal is not None:
        raise refusal
    return result


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


def _check_history(conn, site_id: int, after: int, acked: int, prev_digest, events: list):
    """The site's digests of what the hub already holds must match, from event `after` through `acked`."""
    known = [e for e in events if e["seq"] <= acked]
    seqs = [after] if after > 0 else []
    seqs += [e["seq"] for e in known]
    if not seqs:
        return
    stored = dict(conn.execute("SELECT seq, digest FROM site_events WHERE site_id = %s AND seq = ANY(%s)",
                               (site_id, seqs)).fetchall())
    sent = {e["seq"]: event_digest(e) for e in known}
    if after > 0:
        sent[after] = prev_digest
    for seq in seqs:
        if stored.get(seq) != sent.get(seq):
            raise BatchRefused("history_differs", f"Sự kiện số {seq} của đơn vị khác với sự kiện tỉnh đã nhận: dữ liệu"
                               " của đơn vị đã quay lại (khôi phục từ bản sao lưu cũ?). Tỉnh tạm ngừng nhận; quản trị"
                               " tỉnh cấp lại mã để đồng bộ lại từ đầu.", 409, seq=seq)


# What each list of a batch is, in the words of a refusal.
WHAT = {"events": "sự kiện (events)", "tickets": "số thứ tự (tickets)", "ratings": "đánh giá (ratings)",
        "feedback_items": "phản ánh (feedback_items)", "feedback_actions": "xử lý phản ánh (feedback_actions)",
        "rows": "các bảng", "labels": "nhãn (labels)"}


@contextmanager
def _refused_as_bad(what: str):
    """A value PostgreSQL refuses (a text where a number goes, a missing required column) is the batch's fault:
    refused in Vietnamese, naming the list (the database's own words stay in the hub's log)."""
    try:
        yield
    except (psycopg.DataError, psycopg.IntegrityError) as exc:
        raise BatchRefused("bad_batch", f"Dữ liệu {WHAT.get(what, what)} của lô không hợp lệ.") from exc


def _store_events(conn, site_id: int, events: list, now: int):
    columns = "site_id, seq, at, kind, ticket_id, counter_number, officer, payload, digest, received_at"
    with _refused_as_bad("events"), conn.cursor().copy(f"COPY site_events ({columns}) FROM STDIN") as copy:
        for e in events:
            digest, payload = digest_and_payload(e)  # the digest of the event as sent, NUL and all
            if "\\u0000" in payload:
                payload = json.dumps(without_nul(e.get("payload") or {}), sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":"))
            copy.write_row((site_id, e["seq"], e["at"], without_nul(e["kind"]), e.get("ticket_id"),
                            e.get("counter_number"), without_nul(e.get("officer")), payload, digest, now))


# table, columns, what a row sent again does (None: inserted once, never changed).
_ROW_TABLES = {
    "tickets": ("site_tickets", TICKET_COLUMNS, "update"),
    "ratings": ("site_ratings", RATING_COLUMNS, None),
    "feedback_items": ("site_feedback_items", FEEDBACK_ITEM_COLUMNS, "update"),
    "feedback_actions": ("site_feedback_actions", FEEDBACK_ACTION_COLUMNS, None),
}


def _store_rows(conn, site_id: int, batch: dict, result: IngestResult):
    """Upsert the rows a batch carries through temporary tables filled by COPY: one round trip creates the
    staging tables, one COPY per table, one round trip runs every upsert."""
    present = [(key, *spec) for key, spec in _ROW_TABLES.items() if batch.get(key)]
    if not present:
        return
    # Empty whenever a batch starts: emptied at each commit, and a failed batch's rows rolled back with it.
    conn.execute("; ".join(f"CREATE TEMP TABLE IF NOT EXISTS incoming_{table} (LIKE {table}) ON COMMIT DELETE ROWS"
                           for _, table, _, _ in present))
    upserts = []
    for key, table, columns, on_conflict in present:
        rows = batch[key]
        names = ", ".join(("site_id", *columns))
        with _refused_as_bad(key), conn.cursor().copy(f"COPY incoming_{table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((site_id, *(_cell(row.get(c)) for c in columns)))
        action = "DO NOTHING" if on_conflict is None else "DO UPDATE SET " + ", ".join(
            f"{c} = excluded.{c}" for c in columns if c != "id")
        # ORDER BY id: one site's batches never run at once (its row is locked), so no deadlock either way.
        upserts.append(f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming_{table} ORDER BY id"
                       f" ON CONFLICT (site_id, id) {action}")
        day_column = {"tickets": "local_date", "ratings": "service_local_date"}.get(key)
        if day_column:
            result.days |= {without_nul(r.get(day_column)) for r in rows if isinstance(r.get(day_column), str)}
    with _refused_as_bad("rows"):
        conn.execute("; ".join(upserts))


def _cell(value):
    """A value as COPY takes it: lists and mappings (a rating's reasons) as JSON text; NUL removed from text."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
        return json.dumps(without_nul(value), ensure_ascii=False) if "\\u0000" in text else text
    return value


def _store_labels(conn, site_id: int, rows: list):
    """The site's names for its codes; `target_wait_minutes` of services once the reports' schema has the column."""
    with_target = _has_target_column(conn)
    values = []
    for row in rows:
        kind, code, name = row.get("kind"), row.get("code"), row.get("name")
        if kind not in LABEL_KINDS or not isinstance(code, str) or not isinstance(name, str):
            raise BatchRefused("bad_batch", "Nhãn (labels) phải có kind, code và name.")
        target = row.get("target_wait_minutes")
        values.append((site_id, kind, without_nul(code), without_nul(name), target if _whole(target) else None))
    with _refused_as_bad("labels"):
        _upsert_labels(conn, values, with_target)


def _upsert_labels(conn, values: list, with_target: bool):
    if with_target:
        conn.cursor().executemany(
            "INSERT INTO site_labels (site_id, kind, code, name, target_wait_minutes) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (site_id, kind, code) DO UPDATE SET name = excluded.name,"
            " target_wait_minutes = excluded.target_wait_minutes", values)
    else:
        conn.cursor().executemany(
            "INSERT INTO site_labels (site_id, kind, code, name) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (site_id, kind, code) DO UPDATE SET name = excluded.name", [v[:4] for v in values])


def _has_target_column(conn) -> bool:
    # pg_attribute, not information_schema: the view costs tens of milliseconds per batch on a loaded machine.
    return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'site_labels'::regclass"
                        " AND attname = 'target_wait_minutes' AND NOT attisdropped)").fetchone()[0]
