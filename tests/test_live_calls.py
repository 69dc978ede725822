"""Calls end to end: real Socket.IO clients (websocket transport) against the real server process, in both async
modes. Displays see every call in the order the consoles got their answers; after a restart or a crash they
catch up by themselves (shared_ui/live.js's rule, tests/socket_clients.py); an action resent after a reconnect
acts once.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests
import websocket

from tests.live import LiveServer
from tests.officer import Officer, issue
from tests.socket_clients import Display, InOrderClient, action_id, close_all, fresh_snapshot, reduced_state

pytestmark = [pytest.mark.live, pytest.mark.slow]

TICKETS = 20
CATCH_UP_SECONDS = 5.0  # a display shows the true state within this long after the server is back


class Console(Officer):
    """tests/officer.py's officer, on a client that closes the websocket of a connection the server dropped
    (python-engineio's client leaves it to the garbage collector: a ResourceWarning, an error under our filters)."""

    def connect(self):
        self.close_socket()
        client = InOrderClient(reconnection=False, handle_sigint=False)
        client.on("queue_event", self._record)
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        client.connect(self.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
        self.client = client
        reply = client.call("subscribe", {"screen": "console"}, timeout=10)
        assert reply["ok"], reply
        return reply["snapshot"]

    def resend(self, action: str, action_id_: str) -> dict:
        """A counter action under a given action id (a resend after a dropped connection)."""
        return self.client.call("counter_action", {"action_id": action_id_, "action": action, "params": {}},
                                timeout=10)


@pytest.fixture(params=["eventlet", "gevent"])
def server(request, tmp_path):
    """The real server in each async mode."""
    live = LiveServer(tmp_path / "calls.db", async_mode=request.param)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def clients():
    """Every display and console a test opens, shut down before the server stops."""
    opened = []
    yield opened
    close_all(opened)


def displays(server, clients, count=3, **options) -> list[Display]:
    screens = [Display(server.url, **options).start() for _ in range(count)]
    clients.extend(screens)
    for screen in screens:
        assert screen.wait(lambda d: d.synced()), "a display got no snapshot"
    return screens


def consoles(server, clients, names=(("an", 1), ("binh", 2))) -> list[Console]:
    """Officers signed in at their counters; their passwords set as the CLI sets them (tests/officer.py)."""
    officers = [Console(server.url, server.database, server.center, name).start_password() for name, _ in names]
    clients.extend(officers)
    for officer, (_, counter) in zip(officers, names):
        officer.sign_in(counter)
    return officers


def alternating_steps(an, binh, tickets=TICKETS):
    """The two counters take turns: both call, both start, both finish; until every ticket is served."""
    return [(console, action) for _ in range(tickets // 2) for action in ("call_next", "start", "finish")
            for console in (an, binh)]


def perform(steps) -> list[tuple[str, int]]:
    """Run the steps one after the other; returns (label, counter) of each call in the order its ack came back."""
    called = []
    for console, action in steps:
        reply = console.act(action)
        assert reply["ok"], (console.username, action, reply)
        if action == "call_next":
            called.append((reply["result"]["label"], reply["result"]["counter_number"]))
    return called


def issue_tickets(server, count=TICKETS) -> list[str]:
    return [issue(server.url, "ly-lich")["label"] for _ in range(count)]


def all_caught_up(screens, truth, timeout) -> bool:
    deadline = time.monotonic() + timeout
    return all(s.wait(lambda d: d.state() == truth, max(0.0, deadline - time.monotonic())) for s in screens)


def test_every_display_sees_every_call_in_the_order_of_the_acks(server, clients):
    screens = displays(server, clients)
    an, binh = consoles(server, clients)
    labels = issue_tickets(server)
    assert labels == [f"A{n:03d}" for n in range(1, TICKETS + 1)]

    called = perform(alternating_steps(an, binh))
    assert [label for label, _ in called] == labels  # first come, first called, whichever counter is free
    assert [counter for _, counter in called] == [1, 2] * (TICKETS // 2)
    assert an.act("call_next")["error"] == "queue_empty"

    truth = fresh_snapshot(server.url)
    assert all_caught_up(screens, reduced_state(truth), 5), [s.state() for s in screens]
    for screen in screens:
        assert [(e["label"], e["counter_number"]) for e in screen.calls()] == called
        [since] = screen.snapshots  # one snapshot: it never needed to resync
        seqs = [e["seq"] for e in screen.received]
        assert seqs == list(range(since + 1, truth["seq"] + 1))  # every event, consecutive, none twice
        assert screen.errors == []


def test_two_consoles_calling_at_once_never_share_a_ticket(server, clients):
    screens = displays(server, clients)
    an, binh = consoles(server, clients)
    labels = issue_tickets(server)
    served = {}

    def work(console):
        mine = []
        while True:
            reply = console.act("call_next")
            if not reply["ok"]:
                assert reply["error"] == "queue_empty", reply
                break
            mine.append(reply["result"]["label"])
            assert console.act("start")["ok"] and console.act("finish")["ok"]
        served[console.username] = mine

    threads = [threading.Thread(target=work, args=(c,)) for c in (an, binh)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(served["an"] + served["binh"]) == labels

    truth = fresh_snapshot(server.url)
    assert all_caught_up(screens, reduced_state(truth), 5)
    order = [(e["label"], e["counter_number"]) for e in screens[0].calls()]
    for screen in screens:
        assert [(e["label"], e["counter_number"]) for e in screen.calls()] == order  # one order for everyone
        assert len(screen.snapshots) == 1 and screen.errors == []
    for console, counter in ((an, 1), (binh, 2)):  # each counter's calls in the order its own acks came back
        assert [label for label, n in order if n == counter] == served[console.username]


@pytest.mark.parametrize("kill", [False, True], ids=["restart", "crash"])
def test_displays_catch_up_by_themselves_after_a_restart(server, clients, kill):
    screens = displays(server, clients)
    an, binh = consoles(server, clients)
    issue_tickets(server)
    steps = alternating_steps(an, binh)
    middle = 6 * (TICKETS // 4) + 3  # mid-round: an has started a ticket, binh's is still only called
    perform(steps[:middle])
    before = reduced_state(fresh_snapshot(server.url))
    assert before["counters"][1][2][1] == "serving" and before["counters"][2][2][1] == "called"

    if kill:
        server.stop(kill=True)
        server.start()
    else:
        server.restart()
    back = time.monotonic()
    for console in (an, binh):  # the officers' consoles come back (the displays do it on their own)
        console.connect()
    perform(steps[middle:])
    truth = reduced_state(fresh_snapshot(server.url))
    assert truth["counters"][1] == ("open", "an", None) and truth["waiting"]["ly-lich"] == 0

    assert all_caught_up(screens, truth, max(0.0, back + CATCH_UP_SECONDS - time.monotonic())), \
        [s.state() for s in screens]
    for screen in screens:
        assert len(screen.snapshots) >= 2  # the reconnect drew a fresh snapshot; nobody asked it to
        assert screen.errors == []


def test_a_lost_event_makes_the_display_subscribe_again(server, clients):
    lost = []

    def lose_the_third_call(event):
        if event["kind"] == "ticket_called" and event["label"] == "A003":
            lost.append(event["seq"])
            return True
        return False

    [screen] = displays(server, clients, count=1, lose=lose_the_third_call)
    an, binh = consoles(server, clients)
    issue_tickets(server, 6)
    perform(alternating_steps(an, binh, tickets=6))

    truth = reduced_state(fresh_snapshot(server.url))
    assert screen.wait(lambda d: d.state() == truth), screen.state()
    assert lost and len(screen.snapshots) == 2 and screen.snapshots[1] > lost[0]
    assert screen.errors == []


def test_an_action_resent_after_a_reconnect_acts_once(server, clients):
    [screen] = displays(server, clients, count=1)
    [an] = consoles(server, clients, names=(("an", 1),))
    issue_tickets(server, 3)

    # The answer came back, then the server went down; the console sends the same action again.
    first_id = action_id()
    first = an.resend("call_next", first_id)
    assert first["ok"] and first["result"]["label"] == "A001"
    server.stop(kill=True)
    server.start()
    an.connect()
    again = an.resend("call_next", first_id)
    assert again["replayed"] and again["result"] == first["result"]
    snapshot = fresh_snapshot(server.url)
    assert snapshot["waiting"]["ly-lich"] == 2
    assert [c["label"] for c in snapshot["recent_calls"]] == ["A001"]
    assert reduced_state(snapshot)["counters"][1] == ("open", "an", ("A001", "called"))

    # The action left, and the server crashed before any answer could come back: whether or not it was applied,
    # sending it again calls exactly one citizen.
    assert an.act("start")["ok"] and an.act("finish")["ok"]
    lost_id = action_id()
    an.client.emit("counter_action", {"action_id": lost_id, "action": "call_next", "params": {}})
    server.stop(kill=True)
    server.start()
    an.connect()
    resent = an.resend("call_next", lost_id)
    assert resent["ok"] and resent["result"]["label"] == "A002"
    assert an.resend("call_next", lost_id) == {**resent, "replayed": True}
    snapshot = fresh_snapshot(server.url)
    assert [c["label"] for c in snapshot["recent_calls"]] == ["A002", "A001"]
    assert snapshot["waiting"]["ly-lich"] == 1

    assert screen.wait(lambda d: d.state() == reduced_state(snapshot), CATCH_UP_SECONDS)
    assert [e["label"] for e in screen.calls()].count("A001") == 1  # the replay broadcast nothing
    assert screen.errors == []


def test_malformed_socket_packets_harm_no_other_screen(server, clients):
    """A broken or hostile client on the LAN (deeply nested JSON, cut-off JSON, unknown events, stray binary)
    gets nothing, and the displays and consoles beside it go on as if it were not there."""
    screens = displays(server, clients, count=2)
    [an] = consoles(server, clients, names=(("an", 1),))
    hostile = websocket.create_connection(
        server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        assert hostile.recv().startswith("0")  # engine.io open
        hostile.send("40")
        assert hostile.recv().startswith("40")  # socket.io connect
        for packet in ('421["subscribe",' + "[" * 50_000 + "]" * 50_000 + "]",  # deeper than json can recurse
                       '422["subscribe",{"screen":',  # cut off
                       '423["no_such_event",{}]', '424["counter_action"]', "4", "9"):
            hostile.send(packet)
        hostile.send_binary(b"\x00\xff" * 100)
        labels = issue_tickets(server, count=2)
        called = perform([(an, "call_next")])
        assert [label for label, _ in called] == labels[:1]
        truth = reduced_state(fresh_snapshot(server.url))
        assert all_caught_up(screens, truth, 5), [s.state() for s in screens]
        assert all(screen.errors == [] for screen in screens)
        assert requests.get(server.url + "/healthz", timeout=5).ok
    finally:
        hostile.close()
