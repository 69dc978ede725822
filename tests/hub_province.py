"""A small province for the hub's report and overview tests: sites made by the site's own core, their facts sent
through the site's outbox and the hub's ingest (the pusher's path without HTTP), and hub accounts of each role."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import psycopg

from server.core.center import load_center
from server.core.outbox import read_batch
from server.core.queue import Queue
from server.core.store import Store
from server.hub import accounts, sites
from server.hub.ingest import ingest
from server.hub.schema import migrate
from tests.conftest import VN, FakeClock
from tests.hub_facts import a_day
from tests.live import SMALL_CENTER

PASSWORD = "matkhau-tinh-2026"
# username, name, role, district
ACCOUNTS = (("quantri", "Quản trị tỉnh", "admin", None), ("lanhdao", "Lãnh đạo tỉnh", "leader", None),
            ("caoloc", "Lãnh đạo huyện Cao Lộc", "district_leader", "Cao Lộc"))
# code, name, level, district, tickets today, seed
SITES = (("LSN-TT", "Trung tâm Phục vụ hành chính công tỉnh", "tinh", None, 24, 1),
         ("LSN-H03", "Bộ phận Một cửa huyện Cao Lộc", "huyen", "Cao Lộc", 14, 2),
         ("LSN-X017", "Bộ phận Một cửa xã Tân Liên", "xa", "Cao Lộc", 8, 3),
         ("LSN-H05", "Bộ phận Một cửa huyện Lộc Bình", "huyen", "Lộc Bình", 10, 4))


def push_site(conn, site_id: int, path: Path, center, limit: int = 2000):
    """Send a site's whole event log as its pusher does: read_batch after the acknowledged seq, then ingest."""
    db = sqlite3.connect(path, isolation_level=None)  # read_batch opens its own read transaction
    try:
        after = sites.state(conn, site_id)["acked_seq"]
        while True:
            result = ingest(conn, site_id, read_batch(db, center, after, limit, with_labels=True))
            if result.acked_seq == after:
                return
            after = result.acked_seq
    finally:
        db.close()


def site_center_file(folder: Path, code: str, name: str, level: str, district: str | None) -> Path:
    """The small test center with a [site] table naming this site."""
    path = folder / f"{code}.toml"
    site = f'\n[site]\ncode = "{code}"\nname = "{name}"\nlevel = "{level}"\n'
    if district:
        site += f'district = "{district}"\n'
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + site, encoding="utf-8")
    return path


def build_province(dsn: str, folder: Path, waiting: int = 3) -> dict[str, Path]:
    """Migrate the hub, create the accounts, and for every site: yesterday's activity (Việt Nam's date) through
    the site's core, `waiting` citizens who took a number in the last minutes and still wait, everything pushed.
    The sites' SQLite files by code."""
    migrate(dsn)
    files = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for username, name, role, district in ACCOUNTS:
            accounts.create_account(conn, username, name, role, PASSWORD, district)
        for code, name, level, district, tickets, seed in SITES:
            center = load_center(site_center_file(folder, code, name, level, district))
            clock = FakeClock(dt.datetime.combine(yesterday(), dt.time(8, 0), VN))
            files[code] = folder / f"{code}.db"
            store = Store(files[code])
            try:
                queue = Queue(center, store, clock)
                a_day(queue, clock, tickets, seed, client_prefix=f"{code}-")
                clock.set(dt.datetime.now(VN) - dt.timedelta(minutes=10 + seed))
                for _ in range(waiting):
                    queue.issue("ly-lich")
                    clock.advance(seconds=30)
            finally:
                store.close()
            token = sites.grant(conn, code, name, level, district)
            push_site(conn, sites.authenticate(conn, token, code), files[code], center)
    return files


def yesterday() -> dt.date:
    """Yesterday in Việt Nam (the hub's and the sites' dates), whatever the test machine's zone."""
    return dt.datetime.now(VN).date() - dt.timedelta(days=1)
