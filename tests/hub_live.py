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


# ----- sites that report to a hub ------------------------------------------------------------------------------

ADMIN, ADMIN_PASSWORD = "quantri.tinh", "matkhau-tinh"


def site_center(folder: Path, code: str, level: str = "xa", district: str = "Huyện Tràng Định") -> Path:
    """The small test center named as site `code`."""
    from tests.live import SMALL_CENTER
    path = folder / f"{code}.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + f'\n[site]\ncode = "{code}"\nname = "Đơn vị {code}"\n'
                    f'level = "{level}"\ndistrict = "{district}"\n', encoding="utf-8")
    return path


def fill_site(database: Path, center: Path, tickets: int, seed: int, clock=None):
    """A day of the site's activity written through its real core into its SQLite file (no server running)."""
    from server.core.center import load_center
    from server.core.queue import Queue
    from server.core.store import Store
    from tests.conftest import FakeClock
    from tests.hub_facts import a_day

    store = Store(database)
    try:
        a_day(Queue(load_center(center), store, clock or FakeClock()), clock or FakeClock(), tickets, seed,
              client_prefix=f"{database.stem}-")
    finally:
        store.close()


def site_server(folder: Path, code: str, hub: LiveHub, token: str, **env) -> tuple:
    """A site server process (not started) pushing to `hub` with its token in a file; (server, token file)."""
    from tests.live import LiveServer
    token_file = folder / f"{code}.token"
    token_file.write_text(token)
    server = LiveServer(folder / f"{code}.db", center=site_center(folder, code), env={
        "HANGDOI_HUB_URL": hub.url, "HANGDOI_HUB_TOKEN_FILE": str(token_file), "HANGDOI_HUB_PUSH_SECONDS": "1",
        "HANGDOI_HUB_BATCH_EVENTS": "40", "HANGDOI_HUB_MAX_BACKOFF_SECONDS": "2",
        "HANGDOI_IGNORE_OPENING_HOURS": "1", **env})
    return server, token_file


class HubAdmin:
    """The provincial admin signed in on the hub over HTTP (session cookie and CSRF, as the page does)."""

    def __init__(self, hub: LiveHub):
        self.hub = hub
        self.http = requests.Session()
        self.http.get(hub.url + "/api/session", timeout=10)
        answer = self.call("POST", "/api/session", {"username": ADMIN, "password": ADMIN_PASSWORD})
        assert answer.status_code == 200, answer.text

    def call(self, method: str, path: str, body=None) -> requests.Response:
        return self.http.request(method, self.hub.url + path, json=body, timeout=30,
                                 headers={"X-CSRF-Token": self.http.cookies.get("hangdoi_csrf", "")})

    def grant(self, code: str) -> str:
        answer = self.call("POST", "/api/hub/sites", {"code": code})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def sites(self) -> dict[str, dict]:
        return {s["code"]: s for s in self.call("GET", "/api/hub/sites").json()["sites"]}


def start_hub_with_admin(dsn: str, log_path: Path) -> LiveHub:
    hub = LiveHub(dsn, log_path)
    hub.run("create-admin", ADMIN, "Quản trị tỉnh", env={"HANGDOI_HUB_ADMIN_PASSWORD": ADMIN_PASSWORD})
    return hub.start()


def site_last_seq(database: Path) -> int:
    import sqlite3
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
    finally:
        conn.close()


def wait_until(condition, timeout: float, what: str, step: float = 0.25):
    """Poll `condition` until it is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not reached in {timeout} s: {what}")


def wait_delivered(admin: HubAdmin, code: str, database: Path, timeout: float = 90):
    """Until the hub has acknowledged everything the site recorded (the same last seq twice, a second apart)."""
    def caught_up():
        last = site_last_seq(database)
        return admin.sites()[code]["acked_seq"] == last and last > 0
    wait_until(caught_up, timeout, f"{code} delivered")
    time.sleep(1.5)  # the site's own background jobs may record more (closing a past day): wait for those too
    wait_until(caught_up, timeout, f"{code} delivered after a pause")
