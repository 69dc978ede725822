"""The lobby display's "next numbers" per service (Queue.upcoming_by_service, socket event `upcoming`): the order
is the one call next then takes, services nobody waits for are left out, and the answer names its sequence
number."""

from __future__ import annotations

import dataclasses
import random

import pytest
import socketio

from server.core.events import last_seq
from server.core.queue import Queue
from tests.live import LiveServer
from tests.officer import issue
from tests.test_console_queue import serve_all


@pytest.mark.parametrize("policy,every", [("interleave", 1), ("interleave", 2), ("strict", 2)])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_services_next_numbers_are_what_its_counter_then_calls(center, store, clock, policy, every, seed):
    """Counter 5 serves only van-tai: the display's order for van-tai is the order counter 5 calls it in."""
    queue = Queue(dataclasses.replace(center, priority_policy=policy, priority_every=every), store, clock)
    rng = random.Random(seed)
    for _ in range(12):
        queue.issue("van-tai", priority_group="nguoi-cao-tuoi" if rng.random() < 0.4 else None)
        clock.advance(seconds=rng.randint(5, 60))
    shown = queue.upcoming_by_service(100)["services"]["van-tai"]
    queue.open_counter(5, "cuong")
    assert [t["label"] for t in shown] == serve_all(queue, 5, "cuong")


def test_every_waiting_service_and_only_those(center, store, clock):
    queue = Queue(center, store, clock)
    for service in ("ly-lich", "ly-lich", "lai-xe", "ly-lich", "ho-tich"):
        queue.issue(service)
        clock.advance(seconds=30)
    queue.open_counter(2, "binh")
    queue.call_next(2, "binh")   # takes the only ho-tich ticket: ho-tich has nobody left
    answer = queue.upcoming_by_service(2)
    with store.read() as conn:
        assert answer["seq"] == last_seq(conn)
    assert set(answer["services"]) == {"ly-lich", "lai-xe"}
    for code, tickets in answer["services"].items():
        assert tickets == queue.upcoming_in_service(code, 2)   # one reading, the same rule as one service's
    assert len(answer["services"]["ly-lich"]) == 2   # three wait, two asked for


def test_a_ticket_sent_to_a_counter_is_listed_in_its_new_service(center, store, clock):
    queue = Queue(center, store, clock)
    sent = queue.issue("ly-lich").result["label"]
    queue.issue("lai-xe")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.transfer(1, "an", to_counter=3)   # waits again, as lai-xe, for counter 3
    services = queue.upcoming_by_service(4)["services"]
    assert "ly-lich" not in services
    listed = {t["label"]: t for t in services["lai-xe"]}
    assert listed[sent]["reserved"] and listed[sent]["transferred"]


def test_the_socket_answers_a_display(live_server):
    labels = [issue(live_server.url, "ly-lich")["label"] for _ in range(5)]
    client = socketio.Client(reconnection=False)
    client.connect(live_server.url, transports=["websocket"], wait_timeout=10)
    try:
        reply = client.call("upcoming", {}, timeout=10)
        snapshot = client.call("subscribe", {"screen": "display"}, timeout=10)["snapshot"]
        bare = client.call("upcoming", timeout=10)   # no payload at all: still answered
    finally:
        client.disconnect()
    assert reply["ok"] and reply["seq"] == snapshot["seq"]
    assert [t["label"] for t in reply["services"]["ly-lich"]] == labels[:4]   # the first four of five
    assert list(reply["services"]) == ["ly-lich"]
    # The same answer, but for the seconds waited: a second may tick between the two calls on a loaded machine.
    assert without_waited(bare) == without_waited(reply)
    assert all(later >= first for first, later in zip(waited(reply), waited(bare), strict=True))


def waited(reply) -> list[int]:
    return [t["waited_seconds"] for tickets in reply["services"].values() for t in tickets]


def without_waited(reply) -> dict:
    return {**reply, "services": {code: [{k: v for k, v in t.items() if k != "waited_seconds"} for t in tickets]
                                  for code, tickets in reply["services"].items()}}


def test_an_unpaired_screen_is_refused_where_pairing_is_required(tmp_path):
    server = LiveServer(tmp_path / "paired.db", env={"HANGDOI_REQUIRE_DEVICES": "1"}).start()
    client = socketio.Client(reconnection=False)
    try:
        client.connect(server.url, transports=["websocket"], wait_timeout=10)
        reply = client.call("upcoming", {}, timeout=10)
    finally:
        client.disconnect()
        server.stop()
    assert reply["ok"] is False and reply["error"] == "device_not_paired"
    assert reply["message"]   # the screen shows it as it is
