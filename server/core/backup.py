"""Backups: online copies of the SQLite file through SQLite's backup API, kept for a number of days, and restore.

The backup API copies a consistent snapshot while the server keeps writing, so nothing has to stop.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from .store import DatabaseInUse, hold_server_lock

PREFIX = "hangdoi-"


def backup(database: str | Path, folder: str | Path, keep: int = 14, now: dt.datetime | None = None) -> Path:
    """Write a backup of `database` into `folder` and delete all but the `keep` newest; returns the new file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{PREFIX}{stamp}.db"
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(f"file:{Path(database).resolve()}?mode=ro", uri=True)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination, pages=4096)  # in steps, so writers are never held for long
        destination.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
    finally:
        destination.close()
        source.close()
    check(partial)
    partial.rename(target)  # only a complete, checked file ever carries the backup name
    for old in sorted(folder.glob(f"{PREFIX}*.db"))[:-keep]:
        old.unlink()
    return target


def backup_due(folder: str | Path, max_age_hours: float = 23) -> bool:
    """Whether the newest backup in `folder` is older than `max_age_hours` (or there is none)."""
    newest = max((p.stat().st_mtime for p in Path(folder).glob(f"{PREFIX}*.db")), default=None)
    return newest is None or dt.datetime.now().timestamp() - newest > max_age_hours * 3600


def check(path: str | Path):
    """Refuse a file that is not an intact SQLite database of this application."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path}: không phải tệp cơ sở dữ liệu hợp lệ ({exc})") from None
    finally:
        conn.close()
    if result != "ok":
        raise ValueError(f"{path}: tệp hỏng ({result})")
    if not {"tickets", "events", "ratings"} <= tables:
        raise ValueError(f"{path}: không phải cơ sở dữ liệu của Hàng đợi")


def restore(backup_file: str | Path, database: str | Path):
    """Replace the database with a backup. The server must be stopped; the current file is kept aside."""
    backup_file, database = Path(backup_file), Path(database)
    check(backup_file)
    database.parent.mkdir(parents=True, exist_ok=True)
    try:  # a running server holds the database: refuse rather than pull it from under it
        lock = hold_server_lock(database)
    except DatabaseInUse:
        raise ValueError("cơ sở dữ liệu đang được sử dụng: hãy dừng máy chủ trước khi khôi phục") from None
    try:
        _replace(backup_file, database)
    finally:
        lock.close()


def _replace(backup_file: Path, database: Path):
    if database.exists():
        aside = database.with_name(f"{database.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
        shutil.move(database, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup_file, database)
