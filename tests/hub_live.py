"""The real hub in a subprocess (`python -m server.hub`) on a free port over a PostgreSQL database, for the hub's
end-to-end tests; it can be killed (-9) and started again on the same port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.live import ROOT, free_port


class LiveHub:
    """One hub process over one PostgreSQL database."""

    def __init__(self, dsn: str, log_path: Path, env=None):
        self.dsn = dsn
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.process = None

    def environment(self) -> dict:
        return {**os.environ, "HANGDOI_HUB_DSN": self.dsn, "HANGDOI_HUB_PORT": str(self.port),
                "HANGDOI_HUB_HOST": "127.0.0.1", "HANGDOI_HUB_SECRET_KEY": "test-hub-secret",
                "HANGDOI_HUB_THREADS": "8", "PYTHONUNBUFFERED": "1", **self.extra_env}

    def run(self, *args: str, env=None) -> subprocess.CompletedProcess:
        """A one-off hub command (migrate, create-admin …) against the same database."""
        return subprocess.run([sys.executable, "-m", "server.hub", *args], cwd=ROOT, capture_output=True,
                              text=True, env={**self.environment(), **(env or {})}, timeout=60, check=True)

    def start(self, timeout: float = 30) -> LiveHub:
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "server.hub", "serve"], cwd=ROOT,
                                        env=self.environment(), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not listening yet
                time.sleep(0.1)
        raise RuntimeError(f"hub did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self, kill: bool = False):
        """Stop the hub: SIGTERM, or SIGKILL when `kill` (nothing runs after it)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()
