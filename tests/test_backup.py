"""Backups of the live database, their retention, and restoring one with the command."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys

import pytest
import requests

from server.core.backup import backup, backup_due, restore
from server.core.store import hold_server_lock
from tests.live import ROOT


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
                          capture_output=True, text=True)
    assert busy.returncode != 0 and "dừng máy chủ" in busy.stderr
    live_server.stop()
    subprocess.run([sys.executable, "-m", "server", "restore", str(saved)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    live_server.start()
    ticket = requests.post(live_server.url + "/api/tickets", json={"service_code": "ly-lich"}).json()
    assert ticket["label"] == "A004"  # the restored database had three; numbering goes on from there
    assert list(live_server.database.parent.glob("live.db.before-restore-*"))
