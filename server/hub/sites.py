"""The sites a hub trusts: tokens granted by the provincial admin (shown once, stored as their sha256, like a
paired device's), revoked at will; the look-up every ingest request makes; the start-over of a diverged site.

A token names one site: a request with a valid token and another site's code is refused, as is an unknown or
revoked token. Recovery of a site whose history went back (docs/HUB.md, Recovery): the admin grants it a new
token with `start_over`, which drops the facts of the old history (kept counted in hub_site_epochs) in one
transaction; the site then sends its whole log again from sequence number 1, so nothing is counted twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import psycopg

from .accounts import audit
from .ingest import BatchRefused

TOKEN_PREFIX = "hdh_"
SITE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")  # as server/core/center.py's [site].code
FACT_TABLES = ("site_events", "site_tickets", "site_ratings", "site_feedback_actions", "site_feedback_items",
               "site_labels")
# Tables the reports add that hold per-site facts derived from these (hub-reports: summaries); dropped on start-over
# when they exist.
DERIVED_TABLES: list[str] = []
SITE_COLUMNS = ("id", "code", "name", "level", "district", "granted_at", "revoked_at", "acked_seq", "last_contact_at",
                "state", "epoch", "last_refusal")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def authenticate(conn: psycopg.Connection, token: str | None, code) -> int:
    """The id of the site this token was granted to, which must be `code`; BatchRefused otherwise."""
    if not token:
        raise BatchRefused("no_token", "Thiếu mã truy cập của đơn vị (Authorization: Bearer …).", 401)
    row = conn.execute("SELECT id, code, state FROM hub_sites WHERE token_hash = %s",
                       (token_hash(token),)).fetchone()
    if row is None:
        raise BatchRefused("unknown_token", "Mã truy cập không đúng hoặc không còn hiệu lực.", 401)
    site_id, granted_code, state = row
    if not isinstance(code, str) or not hmac.compare_digest(granted_code.encode(), code.encode()):
        raise BatchRefused("wrong_site", "Mã truy cập này được cấp cho đơn vị khác.", 403)
    if state == "revoked":
        raise BatchRefused("revoked", "Mã truy cập của đơn vị đã bị thu hồi.", 403)
    return site_id


def grant(conn: psycopg.Connection, code: str, name: str | None = None, level: str | None = None,
          district: str | None = None, now: int | None = None, actor: str = "cli") -> str:
    """A new token for site `code` (created when the hub does not know it yet), replacing any earlier one; the
    token itself is returned once and never stored. A diverged site must be started over instead."""
    code = _checked_code(code)
    now = int(now if now is not None else time.time())
    token = new_token()
    with conn.transaction():
        row = conn.execute("SELECT id, state FROM hub_sites WHERE code = %s FOR UPDATE", (code,)).fetchone()
        if row and row[1] == "diverged":
            raise BatchRefused("diverged", "Đơn vị đang lệch dữ liệu: dùng “Cấp lại mã và đồng bộ lại từ đầu”.", 409)
        if level is not None and level not in ("tinh", "huyen", "xa"):
            raise BatchRefused("bad_level", "Cấp đơn vị phải là tinh, huyen hoặc xa.")
        if row is None:
            conn.execute("INSERT INTO hub_sites (code, name, level, district, token_hash, granted_at)"
                         " VALUES (%s, %s, %s, %s, %s, %s)", (code, name, level, district, token_hash(token), now))
        else:
            conn.execute("UPDATE hub_sites SET token_hash = %s, granted_at = %s, revoked_at = NULL, state = 'active',"
                         " name = coalesce(%s, name), level = coalesce(%s, level),"
                         " district = coalesce(%s, district) WHERE id = %s",
                         (token_hash(token), now, name, level, district, row[0]))
        audit(conn, actor, "site_token_granted", f"site:{code}", {"new_site": row is None}, now)
    return token


def revoke(conn: psycopg.Connection, code: str, now: int | None = None, actor: str = "cli"):
    """The site's token stops working at once; its facts stay."""
    now = int(now if now is not None else time.time())
    with conn.transaction():
        done = conn.execute("UPDATE hub_sites SET state = 'revoked', revoked_at = %s, token_hash = NULL"
                            " WHERE code = %s", (now, code)).rowcount
        if done:
            audit(conn, actor, "site_token_revoked", f"site:{code}", None, now)
    if not done:
        raise BatchRefused("unknown_site", "Không có đơn vị này.", 404)


def start_over(conn: psycopg.Connection, code: str, actor: str, now: int | None = None) -> str:
    """Recovery of a diverged site: a new token, its facts dropped (their count kept in hub_site_epochs), acked
    sequence 0 and the next epoch, in one transaction; the site sends its whole log again."""
    now = int(now if now is not None else time.time())
    token = new_token()
    with conn.transaction():
        row = conn.execute("SELECT id, acked_seq, epoch FROM hub_sites WHERE code = %s FOR UPDATE",
                           (code,)).fetchone()
        if row is None:
            raise BatchRefused("unknown_site", "Không có đơn vị này.", 404)
        site_id, acked, epoch = row
        dropped = conn.execute("SELECT count(*) FROM site_events WHERE site_id = %s", (site_id,)).fetchone()[0]
        for table in (*DERIVED_TABLES, *FACT_TABLES):
            conn.execute(f"DELETE FROM {table} WHERE site_id = %s", (site_id,))
        conn.execute("INSERT INTO hub_site_epochs (site_id, epoch, ended_at, acked_seq, events_dropped, ended_by)"
                     " VALUES (%s, %s, %s, %s, %s, %s)", (site_id, epoch, now, acked, dropped, actor))
        conn.execute("UPDATE hub_sites SET acked_seq = 0, epoch = epoch + 1, state = 'active', token_hash = %s,"
                     " granted_at = %s, revoked_at = NULL, last_refusal = NULL WHERE id = %s",
                     (token_hash(token), now, site_id))
        audit(conn, actor, "site_started_over", f"site:{code}",
              {"epoch_ended": epoch, "acked_seq": acked, "events_dropped": dropped}, now)
    return token


def state(conn: psycopg.Connection, site_id: int) -> dict:
    """What a site asks before pushing: where the hub stands with it."""
    acked, site_state, epoch = conn.execute("SELECT acked_seq, state, epoch FROM hub_sites WHERE id = %s",
                                            (site_id,)).fetchone()
    return {"acked_seq": acked, "state": site_state, "epoch": epoch}


def all_sites(conn: psycopg.Connection) -> list[dict]:
    """Every site with its delivery state, for the admin's page."""
    return [dict(zip(SITE_COLUMNS, row)) for row in conn.execute(
        f"SELECT {', '.join(SITE_COLUMNS)} FROM hub_sites"
        " ORDER BY array_position(ARRAY['tinh', 'huyen', 'xa'], level), district NULLS FIRST, code")]


def _checked_code(code) -> str:
    if not isinstance(code, str) or not SITE_CODE.match(code.strip()):
        raise BatchRefused("bad_site_code", "Mã đơn vị chỉ gồm chữ không dấu, số, '-', '_', '.' (tối đa 40 ký tự).")
    return code.strip()
