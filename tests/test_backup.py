"""Backups of the live database: they finish while the queue writes, are checked before they take their name, a
failure leaves no partial file; retention, and restoring one with the command."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
import requests

from bench.generate_history import generate_history
from server import back_up_daily
from server.core import backup as backups
from server.core.backup import BackupBusy, backup, backup_due, check, remove_partials, restore
from server.core.store import hold_server_lock
from tests.live import ROOT

NOV_20 = dt.datetime(2026, 11, 20, 18)
# A ticket issue's write (bench/bench_reports.py PROBE_SQL): the number allocation and an event.
ISSUE_SQL = ("INSERT INTO number_sequences (local_date, prefix, last_number) VALUES ('2099-12-31', 'ZZ', 1)"
             " ON CONFLICT (local_date, prefix) DO UPDATE SET last_number = last_number + 1")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Ten days of a busy center (20,000 tickets, 8,000 ratings: ~9 MB), generated once."""
    path = tmp_path_factory.mktemp("history") / "history.db"
    generate_history(path, tickets=20_000, ratings=8_000, days=10)
    return path


@pytest.fixture
def history(generated, tmp_path):
    """A copy of the generated history, in WAL mode as the server keeps it."""
    path = tmp_path / "hangdoi.db"
    shutil.copyfile(generated, path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    return path


class Writer(threading.Thread):
    """Issue writes back to back on a connection of its own until stopped; counts what it committed."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.committed, self.stopping = path, 0, threading.Event()

    def run(self):
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        while not self.stopping.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(ISSUE_SQL)
            conn.execute("INSERT INTO events (at, kind, payload) VALUES (0, 'test_write', '{}')")
            conn.execute("COMMIT")
            self.committed += 1
        conn.close()

    def __enter__(self):
        self.start()
        while not self.committed:
            self.stopping.wait(0.001)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.join()


def names(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != ".backup.lock")


def count(path, sql="SELECT count(*) FROM tickets"):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_backup_while_writing_and_retention(queue, store, tmp_path):
    for _ in range(5):
        queue.issue("ly-lich")
    folder = tmp_path / "backups"
    assert backup_due(folder)
    files = [backup(store.path, folder, keep=3, now=dt.datetime(2026, 11, d, 18)) for d in range(20, 25)]
    assert sorted(folder.glob("*.db")) == files[-3:]  # retention keeps the three newest
    assert count(files[-1]) == 5 and not backup_due(folder)


def test_a_backup_under_writes_finishes_with_the_rows_of_its_snapshot(history, tmp_path):
    folder = tmp_path / "backups"
    with Writer(history) as writer:
        before = writer.committed
        path = backup(history, folder, now=NOV_20)
        during = writer.committed - before
    assert during > 0  # the queue kept writing while the copy ran
    assert names(folder) == ["hangdoi-20261120-180000.db"] and path == folder / names(folder)[0]
    check(path)  # the full integrity_check
    check(path, quick=True, source=history)  # every ticket, event and rating up to the snapshot, nothing missing
    assert count(path) == 20_000
    events = count(path, "SELECT count(*) FROM events WHERE kind = 'test_write'")
    assert before <= events <= before + during
    assert count(path, "PRAGMA journal_mode") == "delete"  # one self-contained file


def test_the_backup_takes_its_name_only_after_its_check(history, tmp_path, monkeypatch):
    folder, seen = tmp_path / "backups", []
    real_check = backups.check

    def watching_check(path, **kwargs):
        seen.append(names(folder))
        real_check(path, **kwargs)

    monkeypatch.setattr(backups, "check", watching_check)
    backup(history, folder, now=NOV_20)
    assert seen == [["hangdoi-20261120-180000.db.partial"]]
    assert names(folder) == ["hangdoi-20261120-180000.db"]


def test_a_failed_check_leaves_no_partial_file_and_keeps_the_old_backups(history, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    old = backup(history, folder, keep=1, now=NOV_20)

    def failing_check(path, **kwargs):
        raise ValueError("injected")

    monkeypatch.setattr(backups, "check", failing_check)
    with pytest.raises(ValueError, match="injected"):
        backup(history, folder, keep=1, now=NOV_20 + dt.timedelta(days=1))
    assert names(folder) == [old.name]


def test_a_disk_full_midway_leaves_no_partial_file(history, tmp_path):
    """The copy stops after 1 MB of its 9 (RLIMIT_FSIZE, as a full disk stops it); nothing is left behind."""
    folder = tmp_path / "backups"
    script = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY))\n"
              "from server.core.backup import backup\n"
              "backup(sys.argv[1], sys.argv[2])\n")
    run = subprocess.run([sys.executable, "-c", script, str(history), str(folder)], cwd=ROOT, check=False,
                         capture_output=True, text=True)
    assert run.returncode != 0 and "in copy_snapshot" in run.stderr  # it failed while writing the copy
    assert names(folder) == []


def test_partial_files_of_a_crash_are_removed_but_not_those_of_a_running_backup(history, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    left = [folder / "hangdoi-20261119-180000.db.partial", folder / "hangdoi-20261119-180000.db.partial-journal"]
    for path in left:
        path.write_bytes(b"half")
    with backups._folder_lock(folder):  # a backup is being written
        assert remove_partials(folder) == []
        with pytest.raises(BackupBusy):
            backup(history, folder)
    assert remove_partials(folder) == left  # what the server does at start-up
    for path in left:
        path.write_bytes(b"half")
    backup(history, folder, now=NOV_20)
    assert names(folder) == ["hangdoi-20261120-180000.db"]


def test_the_server_removes_partial_files_at_start_then_backs_up_in_a_worker(history, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "hangdoi-20261119-180000.db.partial").write_bytes(b"half")
    offloaded = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        raise Stop  # one round of the hourly loop is enough

    rt = SimpleNamespace(settings=SimpleNamespace(database=history, backup_dir=folder, backup_keep=14),
                         offload=lambda fn, *args: offloaded.append(fn) or fn(*args),
                         socketio=SimpleNamespace(sleep=sleep))
    with pytest.raises(Stop):
        back_up_daily(rt)
    assert offloaded == [backup]
    [written] = names(folder)
    assert written.startswith("hangdoi-") and written.endswith(".db")


def test_check_refuses_a_copy_missing_rows_or_of_another_schema_version(history, tmp_path):
    copy = backup(history, tmp_path / "b")
    with sqlite3.connect(copy) as conn:  # a row lost in the copy (events have no trigger refusing a delete)
        conn.execute("DELETE FROM events WHERE seq = (SELECT min(seq) FROM events)")
    with pytest.raises(ValueError, match="thiếu dòng trong bảng events"):
        check(copy, quick=True, source=history)
    with sqlite3.connect(copy) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE id = (SELECT max(id) FROM _sqlite_migrations)")
    with pytest.raises(ValueError, match="phiên bản lược đồ"):
        check(copy, quick=True, source=history)


def test_restore_refuses_a_database_in_use_and_bad_files(store, tmp_path):
    good = backup(store.path, tmp_path / "b")
    lock = hold_server_lock(store.path)  # what a running server holds
    with pytest.raises(ValueError, match="đang được sử dụng"):
        restore(good, store.path)
    lock.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValueError, match="không phải"):
        restore(junk, tmp_path / "x.db")


@pytest.mark.live
def test_backup_and_restore_commands_against_a_real_server(live_server, tmp_path):
    for _ in range(3):
        assert requests.post(live_server.url + "/api/tickets", json={"service_code": "ly-lich"}).status_code == 201
    env = {**os.environ, "HANGDOI_CENTER": str(live_server.center), "HANGDOI_DATABASE": str(live_server.database),
           "HANGDOI_BACKUP_DIR": str(tmp_path / "manual")}
    subprocess.run([sys.executable, "-m", "server", "backup"], cwd=ROOT, env=env, check=True, capture_output=True)
    [saved] = list((tmp_path / "manual").glob("hangdoi-*.db"))
    requests.post(live_server.url + "/api/tickets", json={"service_code": "ly-lich"})  # after the backup
    busy = subprocess.run([sys.executable, "-m", "server", "restore", str(saved)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert busy.returncode != 0 and "dừng máy chủ" in busy.stderr
    live_server.stop()
    subprocess.run([sys.executable, "-m", "server", "restore", str(saved)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    live_server.start()
    ticket = requests.post(live_server.url + "/api/tickets", json={"service_code": "ly-lich"}).json()
    assert ticket["label"] == "A004"  # the restored database had three; numbering goes on from there
    assert list(live_server.database.parent.glob("live.db.before-restore-*"))
