"""One server per port and per database, and a start-up that says in a sentence why it cannot serve.

Real processes (run.py through tests/live.py). eventlet's listen() used to set SO_REUSEPORT: a second server on
the same port, over another database, started and took half the kiosks. Now the port is bound without it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from server.core.store import Store
from tests.live import ROOT, LiveServer, mounted

pytestmark = pytest.mark.live

MODES = ["eventlet", "gevent"]


def start_second(env: dict, **changes) -> subprocess.CompletedProcess:
    """run.py once more with the first server's environment changed as given; it must exit by itself."""
    return subprocess.run([sys.executable, str(ROOT / "run.py")], cwd=ROOT, env={**env, **changes},
                          capture_output=True, text=True, timeout=60, check=False)


def refused(result: subprocess.CompletedProcess, *words: str):
    """Exited with an error status, saying why in Vietnamese and naming what is taken; no traceback."""
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "Không khởi động được" in said and all(w in said for w in words), said
    assert "Traceback" not in said, said


@pytest.mark.parametrize("mode", MODES)
def test_a_second_server_on_the_same_port_is_refused_and_the_first_keeps_every_kiosk(tmp_path, mode):
    first = LiveServer(tmp_path / "first.db", async_mode=mode).start()
    try:
        result = start_second(first.environment(), HANGDOI_DATABASE=str(tmp_path / "second.db"))
        refused(result, f"cổng {first.port}")
        with requests.Session() as kiosk:  # every ticket comes from the first server, in one numbering
            labels = [kiosk.post(first.url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=10).json()
                      ["label"] for _ in range(30)]
        assert labels == [f"A{n:03d}" for n in range(1, 31)]
    finally:
        first.stop()
    assert not (tmp_path / "second.db").exists()  # refused before it created anything


@pytest.mark.parametrize("mode", MODES)
def test_a_second_server_on_the_same_database_is_refused(tmp_path, mode):
    first = LiveServer(tmp_path / "first.db", async_mode=mode).start()
    try:
        other_port = LiveServer(tmp_path / "unused.db").port
        result = start_second(first.environment(), HANGDOI_PORT=str(other_port))
        refused(result, str(first.database), "đang được một máy chủ khác sử dụng")
        assert requests.get(first.url + "/healthz", timeout=5).json()["ok"]
    finally:
        first.stop()


def test_a_database_on_a_read_only_disk_is_refused_in_a_sentence(tmp_path):
    with mounted("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", where=tmp_path / "disk") as disk:
        Store(disk / "hangdoi.db").close()  # a database served before…
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)  # …on a disk now read-only
        server = LiveServer(disk / "hangdoi.db", log_path=tmp_path / "server.log")
        env = {**server.environment(), "HANGDOI_BACKUP_DIR": str(tmp_path / "backups")}
        refused(start_second(env), str(disk), "Read-only file system")
        refused(start_second(env, HANGDOI_DATABASE=str(disk / "new" / "hangdoi.db")), str(disk / "new"))


def test_a_read_only_database_file_is_refused_in_a_sentence(tmp_path):
    """The folder writable, the file itself read-only (bind-mounted read-only over itself: chmod means nothing to
    root): SQLite opens it read-only without a word; the start-up says so instead of failing at the first ticket."""
    database = tmp_path / "hangdoi.db"
    Store(database).close()
    with mounted("mount", "--bind", "-o", "ro", str(database), where=database):
        server = LiveServer(database)
        refused(start_second(server.environment()), str(database), "chỉ đọc")
