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

from tests.csrf import CsrfSession
from tests.live import ROOT

PASSWORD = "matkhau1"


def issue(url: str, service_code: str, **fields) -> dict:
    """Lấy số at a kiosk: a new waiting ticket of a service."""
    response = requests.post(f"{url}/api/tickets", json={"service_code": service_code, **fields}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


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

    def start_password(self):
        """Start the administrator's command line (`python -m server passwd`) that sets the password. Several
        officers can start theirs at once: the interpreter's start-up then overlaps."""
        if self._passwd is None:
            env = {**os.environ, "HANGDOI_CENTER": str(self.center), "HANGDOI_DATABASE": str(self.database)}
            self._passwd = subprocess.Popen([sys.executable, "-m", "server", "passwd", self.username], env=env,
                                            cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT)
        return self

    def set_password(self):
        """The password is set once the command has read it and finished."""
        self.start_password()
        if self._passwd.returncode is None:
            output, _ = self._passwd.communicate(self.password + "\n", timeout=60)
            assert self._passwd.returncode == 0, output

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
