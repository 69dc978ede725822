"""An officer at a counter of a live server, driven the way the console does it: HTTP sign-in, then Socket.IO.

    officer = Officer(live_server.url, live_server.database, live_server.center, "an")
    officer.sign_in(1)
    reply = officer.act("call_next")                 # {"ok": True, "result": ticket}
    event = officer.wait_event("ticket_called")      # the broadcast, with its announcement
    officer.close()
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
import socketio

from server.core.accounts import Accounts
from server.core.center_versions import effective_center
from server.core.store import Store
from tests.csrf import CsrfSession
from tests.hash_cost import production_cost
from tests.live import ROOT

PASSWORD = "matkhau1"


def issue(url: str, service_code: str, **fields) -> dict:
    """Lấy số at a kiosk: a new waiting ticket of a service."""
    response = requests.post(f"{url}/api/tickets", json={"service_code": service_code, **fields}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def store_password(database: Path, center: Path, username: str, password: str = PASSWORD):
    """What `python -m server passwd USERNAME` does, in this process: another connection to the server's database
    (WAL: the running server sees the new hash at its next sign-in) writes the hash and ends the account's sessions."""
    store = Store(database)
    try:
        with production_cost():  # the server's own cost: its sign-in finds nothing to upgrade
            Accounts(effective_center(store, center, time.time()), store).set_password(username, password)
    finally:
        store.close()


class Officer:
    """One signed-in officer with a console socket that also records every queue event it receives."""

    def __init__(self, url: str, database: Path, center: Path, username: str = "an", password: str = PASSWORD):
        self.url, self.database, self.center = url, database, center
        self.username, self.password = username, password
        self.http = CsrfSession()
        self.client: socketio.Client | None = None
        self.events: list[dict] = []
        self._changed = threading.Condition()
        self._passwd: subprocess.Popen | None = None

    def start_password(self, command_line: bool = False):
        """With `command_line`, start the administrator's command line (`python -m server passwd`) that sets the
        password, for the tests that need another process to write it; several officers can start theirs at once
        (the interpreters' start-up then overlaps). Otherwise set_password does it in this process."""
        if command_line and self._passwd is None:
            env = {**os.environ, "HANGDOI_CENTER": str(self.center), "HANGDOI_DATABASE": str(self.database)}
            self._passwd = subprocess.Popen([sys.executable, "-m", "server", "passwd", self.username], env=env,
                                            cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT)
        return self

    def set_password(self, command_line: bool = False):
        """Set the password on the server's database: by the command line when it was started (or `command_line`),
        once it has read the password and finished; else in this process, through the same core calls the command
        makes (server/__main__.py: the center as the server runs it, Accounts.set_password) without the second or
        so of an interpreter's start-up and imports."""
        if command_line or self._passwd is not None:
            self.start_password(command_line=True)
            if self._passwd.returncode is None:
                output, _ = self._passwd.communicate(self.password + "\n", timeout=60)
                assert self._passwd.returncode == 0, output
            return
        store_password(self.database, self.center, self.username, self.password)

    def sign_in(self, counter: int) -> dict:
        """Take a counter and connect the console socket (subscribed, so it hears the broadcasts)."""
        self.set_password()
        response = self.http.post(f"{self.url}/api/session", timeout=10,
                                  json={"username": self.username, "password": self.password, "counter": counter})
        assert response.status_code == 200, response.text
        self.connect()
        return response.json()

    def connect(self):
        self.close_socket()
        client = socketio.Client(reconnection=False)
        client.on("queue_event", self._record)
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        client.connect(self.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
        self.client = client
        reply = client.call("subscribe", {"screen": "console"}, timeout=10)
        assert reply["ok"], reply
        return reply["snapshot"]

    def _record(self, event):
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def act(self, action: str, **params) -> dict:
        """One console action with a fresh action id; returns the acknowledgement."""
        return self.client.call("counter_action", {"action_id": secrets.token_hex(8), "action": action,
                                                   "params": params}, timeout=10)

    def wait_event(self, kind: str, timeout: float = 10, **fields) -> dict:
        """The first recorded event of a kind whose payload has the given values."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events:
                    if event["kind"] == kind and all(event.get(k) == v for k, v in fields.items()):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind} event {fields} in {[e['kind'] for e in self.events]}")
                self._changed.wait(left)

    def close_socket(self):
        if self.client is not None:
            self.client.disconnect()
            self.client = None

    def close(self):
        self.close_socket()
        self.http.close()
        if self._passwd is not None and self._passwd.returncode is None:
            self._passwd.communicate(self.password + "\n", timeout=60)
