"""Previews that never go stale, end to end: the new event kinds reach the screens through THE path (Store.on_commit
→ server/web/realtime.py) and the lobby display's `upcoming` answer changes with no other event.

(a) A remote number checked in at the kiosk, against the real server process with real Socket.IO clients: a
display and the citizen's phone. (b) A booked slot starting happens by the clock alone and the server process runs
on the wall clock, so the minute job is run in process over the app with a controlled clock
(`Appointments.settle`, what server/__init__.py's settle_appointments calls each minute) and its broadcast is read by
Flask-SocketIO's test client subscribed as a display and as a phone."""

from __future__ import annotations

import threading
import time

import pytest
import socketio

from server.core import booking_codes
from tests.conftest import FakeClock, app_over
from tests.csrf import CsrfSession
from tests.live import SMALL_CENTER, LiveServer
from tests.officer import issue

POLICY = """
[appointments]
slot_minutes = 30
days_ahead = 3
close_minutes_before = -30
per_phone_per_day = 5
per_address_per_day = 100
late_minutes = 15
booked_every = 2
remote_grace_minutes = 10
capacity = { "ly-lich" = 5, "lai-xe" = 5 }
remote_daily_cap = { "ly-lich" = 5 }
"""


class Listener:
    """A real Socket.IO client keeping every message of the kinds it is told to hear, in arrival order."""

    def __init__(self, url: str, *names: str):
        self.client = socketio.Client(reconnection=False)
        self.heard: list[tuple[str, dict]] = []
        self.changed = threading.Condition()
        for name in names:
            self.client.on(name, lambda data, name=name: self._hear(name, data))
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def _hear(self, name, data):
        with self.changed:
            self.heard.append((name, data))
            self.changed.notify_all()

    def wait_for(self, name: str, kind: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [d for n, d in self.heard if n == name and d.get("kind") == kind]
                if found:
                    return found[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {name} {kind} in {self.heard}")
                self.changed.wait(left)

    def call(self, event: str, data=None) -> dict:
        return self.client.call(event, data if data is not None else {}, timeout=10)

    def close(self):
        self.client.disconnect()


@pytest.fixture
def server(tmp_path):
    center = tmp_path / "center.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + POLICY, encoding="utf-8")
    live = LiveServer(tmp_path / "preview.db", center=center).start()
    yield live
    live.stop()


def upcoming_labels(display: Listener, service: str) -> list[str]:
    reply = display.call("upcoming")
    assert reply["ok"]
    return [t["label"] for t in reply["services"].get(service, [])]


@pytest.mark.live
def test_a_display_and_the_phone_hear_a_remote_check_in_and_the_preview_changes(server):
    http = CsrfSession()
    remote = http.post(server.url + "/api/remote-tickets", timeout=10, json={
        "service_code": "ly-lich", "name": "Vũ Từ Xa", "phone": "0977 111 222"}).json()
    walk_in = issue(server.url, "ly-lich")["label"]
    display = Listener(server.url, "queue_event")
    phone = Listener(server.url, "ticket_event", "service_event")
    try:
        subscribed = display.call("subscribe", {"screen": "display"})
        assert subscribed["ok"] and subscribed["snapshot"]["waiting"]["ly-lich"] == 2
        assert phone.call("follow_ticket", {"token": remote["ticket_token"]})["ok"]
        assert upcoming_labels(display, "ly-lich") == [walk_in]  # the remote number is held: not called yet
        answer = http.post(server.url + "/api/checkin", timeout=10,
                           json={"code": booking_codes.shown(remote["code"])})
        assert answer.status_code == 201
        event = display.wait_for("queue_event", "ticket_checked_in")
        assert event["label"] == remote["ticket_label"] and event["service_code"] == "ly-lich"
        assert event["seq"] == subscribed["snapshot"]["seq"] + 1  # no other event happened
        assert [d["kind"] for _, d in display.heard] == ["ticket_checked_in"]
        assert upcoming_labels(display, "ly-lich") == [remote["ticket_label"], walk_in]
        # The citizen's phone hears it at once (and asks for its ticket again, shared_ui/live.js followTicket).
        assert phone.wait_for("ticket_event", "ticket_checked_in")["label"] == remote["ticket_label"]
        assert phone.wait_for("service_event", "ticket_checked_in")["service_code"] == "ly-lich"
        assert "Vũ Từ Xa" not in str(display.heard + phone.heard) and "0977" not in str(display.heard)
    finally:
        display.close()
        phone.close()


def test_a_booked_slot_starting_reaches_a_display_and_a_phone_and_the_preview_changes(tmp_path):
    with app_over(tmp_path, POLICY) as app:
        rt = app.extensions["hangdoi"]
        clock = FakeClock()
        rt.queue.clock = clock  # the appointments share the queue's clock
        today = rt.center.local_date(clock())
        made = rt.appointments.book("ly-lich", today, "08:30", "Hẹn Giờ", "0977000444", "10.0.0.1")
        walk_in = rt.queue.issue("ly-lich").result
        booked = rt.appointments.check_in(code=made["code"])["ticket"]["label"]
        display = rt.socketio.test_client(app)
        phone = rt.socketio.test_client(app)
        try:
            subscribed = display.emit("subscribe", {"screen": "display"}, callback=True)
            assert subscribed["ok"]
            assert phone.emit("follow_ticket", {"token": walk_in["token"]}, callback=True)["ok"]
            before = [t["label"] for t in display.emit("upcoming", {}, callback=True)["services"]["ly-lich"]]
            assert before == [walk_in["label"]]
            display.get_received(), phone.get_received()
            clock.advance(minutes=30)  # 08:30: the slot begins
            assert rt.appointments.settle()["bookings_due"] == 1
            heard = [m["args"][0] for m in display.get_received() if m["name"] == "queue_event"]
            assert [e["kind"] for e in heard] == ["bookings_due"]
            assert heard[0]["seq"] == subscribed["snapshot"]["seq"] + 1 and heard[0]["service_codes"] == ["ly-lich"]
            after = [t["label"] for t in display.emit("upcoming", {}, callback=True)["services"]["ly-lich"]]
            assert after == [booked, walk_in["label"]]
            # The walk-in's phone hears that its service changed: its place is now behind the booking.
            assert [(m["name"], m["args"][0]["kind"]) for m in phone.get_received()] == [
                ("service_event", "bookings_due")]
            assert rt.appointments.settle()["bookings_due"] == 0
            assert display.get_received() == []
        finally:
            display.disconnect()
            phone.disconnect()
