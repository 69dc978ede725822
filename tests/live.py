"""The real server in a subprocess (run.py, eventlet by default) on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.forkserver import ForkServer

ROOT = Path(__file__).resolve().parent.parent
SMALL_CENTER = ROOT / "tests" / "centers" / "small.toml"
# `python run.py`, without aiohttp: the test venv has it for bench/bench_calls.py's AsyncClients, a center's install
# does not, and engineio imports it whenever it is there (a fifth of a server's start-up CPU, for nothing).
RUN_SERVER = [sys.executable, "-c", "import runpy, sys; sys.modules['aiohttp'] = None; sys.argv[:2] = sys.argv[1:2];"
              " runpy.run_path(sys.argv[0], run_name='__main__')", str(ROOT / "run.py")]


# Servers are forked from a process that has imported them in their async mode (tests/forkserver.py); False starts
# each one as `python run.py` (bench/bench_test_starts.py compares the two).
FORK = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """One server process over one database file; can be killed and started again on the same port."""

    def __init__(self, database: Path, center: Path = SMALL_CENTER, async_mode: str = "eventlet", env=None,
                 log_path: Path | None = None):
        self.database, self.center, self.async_mode = database, center, async_mode
        self.log_path = log_path or database.with_suffix(".log")  # elsewhere when the database's disk fills up
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.process = None

    def environment(self) -> dict:
        """The server's environment (also for a second process started against the same port or database)."""
        return {**os.environ, "HANGDOI_CENTER": str(self.center), "HANGDOI_DATABASE": str(self.database),
                "HANGDOI_PORT": str(self.port), "HANGDOI_HOST": "127.0.0.1", "HANGDOI_ASYNC_MODE": self.async_mode,
                "HANGDOI_SECRET_KEY": "test-secret", "HANGDOI_BACKUP_DIR": str(self.database.parent / "backups"),
                "PYTHONUNBUFFERED": "1",
                # Pairing is tested on its own (tests/test_devices_live.py); elsewhere screens connect unpaired.
                "HANGDOI_REQUIRE_DEVICES": "0", **self.extra_env}

    def start(self, timeout: float = 60):
        """Start and wait until /healthz answers. A server that exits is reported at once; the time-out is for one
        that hangs, and leaves room for a start-up of ~1 s of CPU on 2 cores at a load of 20 (20 s was too short)."""
        self.log = open(self.log_path, "ab")
        if FORK and self.async_mode in ("eventlet", "gevent"):
            self.process = ForkServer.get(ROOT / "run.py", self.async_mode).spawn(self.environment(), self.log_path,
                                                                                  ROOT)
        else:
            self.process = subprocess.Popen(RUN_SERVER, cwd=ROOT, env=self.environment(),
                                            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a loaded machine
                time.sleep(0.1)
        raise RuntimeError("server did not answer in time")

    def stop(self, kill: bool = False):
        """Stop the process: SIGTERM, or SIGKILL to simulate a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()

    def restart(self, kill: bool = False):
        self.stop(kill)
        return self.start()


@contextmanager
def mounted(*command: str, where: Path):
    """`command` mounts something at `where` (created when missing) for the time of the block; the test is skipped
    where mounting is not allowed (the fault tests run as root: a tmpfs, a loop disk, a read-only bind)."""
    if not where.exists():
        where.mkdir()
    done = subprocess.run([*command, str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({' '.join(command)}): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)
