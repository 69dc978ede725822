"""Backups: online copies of the SQLite file that finish while the queue writes, kept for a number of days, and
restore.

A copy is SQLite's backup API in one step from a read-only connection: a single read transaction, so it sees one
snapshot, never blocks the writer (WAL) and never starts over. Step by step (4096 pages at a time, as it was) the
copy starts over whenever the queue writes between two steps, which at a center's few writes a second means it
never finishes; VACUUM INTO finishes too but took 1.6–2 times as long and twice the CPU on a year's database
(bench/bench_backup.py measures all three, BENCHMARKS.md). The copy is written as `hangdoi-….db.partial`, checked,
flushed to disk and only then renamed; a failed backup removes its partial file, and the next backup (or the
server's start) removes any a crash left behind.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from .store import DatabaseInUse, hold_server_lock

PREFIX = "hangdoi-"
PARTIAL = ".partial"
# Tables the application only appends to, with their key: keys grow in commit order (one writer at a time), so a
# snapshot holds exactly the source's rows up to its largest key.
APPEND_ONLY = {"tickets": "id", "events": "seq", "ratings": "id"}
# The schema version: the migrations applied, in order (server/core/store.py).
MIGRATIONS_SQL = "SELECT group_concat(name, ' ') FROM (SELECT name FROM _sqlite_migrations ORDER BY id)"


class BackupBusy(RuntimeError):
    """Another backup into the same folder is running."""


def backup(database: str | Path, folder: str | Path, keep: int = 14, now: dt.datetime | None = None) -> Path:
    """Write a checked backup of `database` into `folder` and delete all but the `keep` newest; returns the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{PREFIX}{stamp}.db"
    partial = folder / f"{target.name}{PARTIAL}"
    with _folder_lock(folder):
        _remove_partials(folder)  # a crash or a power cut during an earlier backup
        try:
            copy_snapshot(database, partial)
            check(partial, quick=True, source=database)
            _flush(partial)
            os.replace(partial, target)  # only a complete, checked file ever carries the backup name
            _flush(folder)
        except BaseException:
            _remove_partials(folder)
            raise
        for old in sorted(folder.glob(f"{PREFIX}*.db"))[:-keep]:
            old.unlink()
    return target


def copy_snapshot(database: str | Path, destination: str | Path):
    """Copy one snapshot of `database` into the new file `destination`, left in rollback journal mode.

    One backup step for every page: Python releases the GIL while SQLite runs it, and as a WAL reader it holds no
    lock the writer waits for; the writer's checkpoints only stop short of the snapshot until it ends.
    """
    source = sqlite3.connect(f"file:{Path(database).resolve()}?mode=ro", uri=True)
    target = sqlite3.connect(destination)
    try:
        source.backup(target, pages=-1)  # all pages in one step: one read transaction, never restarted
        target.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
    finally:
        target.close()
        source.close()


def remove_partials(folder: str | Path) -> list[Path]:
    """Delete the partial files a crashed backup left in `folder` (at the server's start); skipped while a backup
    runs. Returns what was deleted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    try:
        with _folder_lock(folder):
            return _remove_partials(folder)
    except BackupBusy:
        return []


def backup_due(folder: str | Path, max_age_hours: float = 23) -> bool:
    """Whether the newest backup in `folder` is older than `max_age_hours` (or there is none)."""
    newest = max((p.stat().st_mtime for p in Path(folder).glob(f"{PREFIX}*.db")), default=None)
    return newest is None or dt.datetime.now().timestamp() - newest > max_age_hours * 3600


def check(path: str | Path, quick: bool = False, source: str | Path | None = None):
    """Refuse a file that is not an intact SQLite database of this application.

    `quick` reads every page but skips matching indexes against their tables (seconds instead of tens on a year);
    a fresh copy made by SQLite itself is checked that way, a file brought in to restore in full. With `source`,
    the copy must carry the source's schema version and, in each append-only table, exactly the source's rows up
    to its largest key (what the source held at the snapshot).
    """
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if result == "ok" and source is not None and set(APPEND_ONLY) <= tables:
            _compare(conn, source)
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path}: không phải tệp cơ sở dữ liệu hợp lệ ({exc})") from None
    finally:
        conn.close()
    if result != "ok":
        raise ValueError(f"{path}: tệp hỏng ({result})")
    if not set(APPEND_ONLY) <= tables:
        raise ValueError(f"{path}: không phải cơ sở dữ liệu của Hàng đợi")


def _compare(copy: sqlite3.Connection, source: str | Path):
    """The copy against its source: same schema version, same rows up to the copy's largest keys."""
    original = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    try:
        for sql in ("PRAGMA user_version", MIGRATIONS_SQL):
            ours, theirs = copy.execute(sql).fetchone()[0], original.execute(sql).fetchone()[0]
            if ours != theirs:
                raise ValueError(f"bản sao khác phiên bản lược đồ của cơ sở dữ liệu ({ours!r} ≠ {theirs!r})")
        for table, key in APPEND_ONLY.items():
            rows, last = copy.execute(f"SELECT count(*), coalesce(max({key}), 0) FROM {table}").fetchone()
            expected = original.execute(f"SELECT count(*) FROM {table} WHERE {key} <= ?", (last,)).fetchone()[0]
            if rows != expected:
                raise ValueError(f"bản sao thiếu dòng trong bảng {table} ({rows:,} thay vì {expected:,})")
    finally:
        original.close()


@contextmanager
def _folder_lock(folder: Path):
    """An advisory lock on the backup folder for the time of one backup (the server's and the command's)."""
    handle = open(folder / ".backup.lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupBusy(f"một bản sao lưu khác đang được ghi vào {folder}") from None
        yield
    finally:
        handle.close()


def _remove_partials(folder: Path) -> list[Path]:
    removed = sorted(folder.glob(f"{PREFIX}*{PARTIAL}*"))  # with any -journal a failed write left beside it
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _flush(path: Path):
    """fsync a file, or a folder after a rename in it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
