"""Queue rules of the core: numbering, daily reset, priorities, every transition and refusal, estimates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from server.core.queue import Queue, QueueRefused
from tests.conftest import VN


def refused(code, fn, *args, **kwargs):
    with pytest.raises(QueueRefused) as info:
        fn(*args, **kwargs)
    assert info.value.code == code
    assert info.value.message  # every refusal has a message for the screen
    return info.value


def issue(queue, service="ly-lich", **kw):
    return queue.issue(service, **kw).result


def count(store, sql, *args):
    with store.read() as conn:
        return conn.execute(sql, args).fetchone()[0]


# ----- numbering -------------------------------------------------------------------------------------

def test_numbers_run_per_prefix(queue):
    labels = [issue(queue, s)["label"] for s in ("ly-lich", "ly-lich", "lai-xe", "ly-lich", "lai-xe")]
    assert labels == ["A001", "A002", "C001", "A003", "C002"]


def test_issue_records_the_ticket_and_its_event(queue, store, clock):
    outcome = queue.issue("ly-lich", channel="kiosk", device="K1")
    assert outcome.result["state"] == "waiting" and outcome.result["token"]
    [event] = outcome.events
    assert event.kind == "ticket_issued" and event.payload["label"] == "A001"
    assert event.ticket_token == outcome.result["token"] and "token" not in event.public()
    assert count(store, "SELECT count(*) FROM events WHERE kind = 'ticket_issued' AND at = ?", int(clock())) == 1


def test_numbers_restart_at_local_midnight_and_keep_yesterday(queue, store, clock):
    clock.set(dt.datetime(2026, 11, 23, 23, 59, 30, tzinfo=VN))
    assert issue(queue)["label"] == "A001"
    assert issue(queue)["label"] == "A002"
    clock.advance(seconds=31)  # 00:00:01 local, still 17:00 UTC of the day before
    ticket = issue(queue)
    assert ticket["label"] == "A001" and ticket["local_date"] == "2026-11-24"
    assert count(store, "SELECT count(*) FROM tickets") == 3  # nothing deleted


def test_yesterdays_waiting_tickets_are_not_called_today(queue, clock):
    issue(queue)
    clock.advance(minutes=24 * 60)
    queue.open_counter(1, "an")
    refused("queue_empty", queue.call_next, 1, "an")


def test_an_earlier_days_unserved_ticket_shows_as_expired_and_cannot_be_cancelled(queue, store, clock):
    called, waiting = issue(queue), issue(queue)
    queue.open_counter(1, "an")
    queue.call_next(1, "an")  # calls the first; the officer leaves it called when the day ends
    assert queue.ticket_status(called["token"])["state"] == "called"
    assert queue.ticket_status(waiting["token"])["state"] == "waiting"
    clock.advance(minutes=24 * 60)
    for token in (called["token"], waiting["token"]):
        view = queue.ticket_status(token)
        assert (view["state"], view["state_name"]) == ("expired", "Hết hiệu lực")
        assert view["ahead"] is None and view["estimated_wait_minutes"] is None
    refused("ticket_expired", queue.cancel, waiting["token"])
    assert count(store, "SELECT count(*) FROM tickets WHERE state = 'cancelled'") == 0
    # Today's tickets are unaffected, and a finished ticket keeps its state on later days.
    today = issue(queue)
    assert queue.ticket_status(today["token"])["state"] == "waiting"
    queue.cancel(today["token"])
    clock.advance(minutes=24 * 60)
    assert queue.ticket_status(today["token"])["state"] == "cancelled"


def test_day_close_frees_counters_left_open_overnight_without_inventing_an_ending(queue, store, clock):
    clock.set(dt.datetime(2026, 11, 23, 16, 50, tzinfo=VN))
    served, parked = issue(queue), issue(queue, "ho-tich")
    queue.open_counter(1, "an")  # leaves at the end of the day with A001 still being served
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    queue.open_counter(2, "binh")  # parks B001 and leaves the counter paused
    queue.call_next(2, "binh")
    queue.start_service(2, "binh")
    queue.park(2, "binh")
    queue.pause_counter(2, "binh", "Hết giờ")
    assert queue.close_past_days().result == {"closed": []}  # the same day: nothing to close

    clock.set(dt.datetime(2026, 11, 24, 7, 0, tzinfo=VN))
    queue.open_counter(3, "cuong")  # opened this morning: stays open
    outcome = queue.close_past_days()
    assert outcome.result == {"closed": [1, 2]}
    assert [(e.kind, e.counter_number, e.payload["reason"]) for e in outcome.events] == [
        ("counter_closed", 1, "day_close"), ("counter_closed", 2, "day_close")]
    with store.read() as conn:  # recorded under the officer who left it open: presence ends here
        officers = conn.execute("SELECT officer FROM events WHERE kind = 'counter_closed' ORDER BY seq").fetchall()
        states = dict(conn.execute("SELECT label, state FROM tickets").fetchall())
    assert [o[0] for o in officers] == ["an", "binh"]
    overview = {c["number"]: c for c in queue.counters_overview()}
    assert [overview[n]["status"] for n in (1, 2, 3)] == ["closed", "closed", "open"]
    assert overview[1]["current"] is None and overview[1]["officer"] is None
    # The tickets keep the state they were left in: when the service really ended is unknown, nothing is made up.
    assert states == {"A001": "serving", "B001": "parked"}
    assert count(store, "SELECT count(*) FROM tickets WHERE ended_at IS NOT NULL") == 0
    for ticket in (served, parked):
        assert queue.ticket_status(ticket["token"])["state"] == "expired"
    # The morning starts clean: the officer takes the counter and calls today's first ticket at once.
    queue.open_counter(1, "an")
    today = issue(queue)
    assert queue.call_next(1, "an").result["label"] == today["label"] == "A001"
    assert queue.close_past_days().result == {"closed": []}  # once is enough


def test_day_close_also_frees_a_counter_touched_today_that_still_holds_yesterdays_ticket(queue, clock):
    clock.set(dt.datetime(2026, 11, 23, 16, 50, tzinfo=VN))
    issue(queue)
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    clock.set(dt.datetime(2026, 11, 24, 7, 0, tzinfo=VN))
    queue.pause_counter(1, "an", "Họp giao ban")  # the counter's `since` is now today's
    queue.resume_counter(1, "an")
    refused("counter_busy", queue.call_next, 1, "an")  # yesterday's A001 is in the way
    assert queue.close_past_days().result == {"closed": [1]}
    queue.open_counter(1, "an")
    refused("queue_empty", queue.call_next, 1, "an")


def test_daily_cap_refuses_and_changes_nothing(queue, store):
    assert [issue(queue, "ho-tich")["label"] for _ in range(3)] == ["B001", "B002", "B003"]
    refused("daily_cap_reached", queue.issue, "ho-tich")
    assert count(store, "SELECT count(*) FROM tickets WHERE service_code = 'ho-tich'") == 3
    assert count(store, "SELECT last_number FROM number_sequences WHERE prefix = 'B'") == 3
    assert issue(queue, "ly-lich")["label"] == "A001"  # other services unaffected


@pytest.mark.parametrize("service, group, channel, code", [
    ("khong-co", None, "kiosk", "unknown_service"),
    (None, None, "kiosk", "unknown_service"),
    (42, None, "kiosk", "unknown_service"),
    ("ly-lich", "khong-co", "kiosk", "unknown_priority_group"),
    ("ly-lich", None, "fax", "unknown_channel"),
])
def test_bad_issue_requests_are_refused(queue, store, service, group, channel, code):
    refused(code, queue.issue, service, group, channel)
    assert count(store, "SELECT count(*) FROM tickets") == 0
    assert count(store, "SELECT count(*) FROM number_sequences") == 0


def test_outside_opening_hours_the_kiosk_refuses(center, store, clock):
    from server.core.center import OpeningHours, Session
    hours = OpeningHours(frozenset(range(5)), (Session(dt.time(7, 30), dt.time(11, 30)),
                                                Session(dt.time(13, 30), dt.time(17, 0))), 15,
                         frozenset({dt.date(2026, 11, 24)}))
    queue = Queue(dataclasses.replace(center, hours=hours), store, clock)
    cases = [
        (dt.datetime(2026, 11, 23, 7, 29), False), (dt.datetime(2026, 11, 23, 7, 30), True),
        (dt.datetime(2026, 11, 23, 11, 14), True), (dt.datetime(2026, 11, 23, 11, 15), False),  # 15 min before end
        (dt.datetime(2026, 11, 23, 12, 0), False), (dt.datetime(2026, 11, 23, 16, 44), True),
        (dt.datetime(2026, 11, 24, 9, 0), False),  # holiday
        (dt.datetime(2026, 11, 28, 9, 0), False),  # Saturday, not a working day here
    ]
    for moment, open_ in cases:
        clock.set(moment.replace(tzinfo=VN))
        if open_:
            assert issue(queue)["state"] == "waiting", moment
        else:
            error = refused("closed", queue.issue, "ly-lich")
            assert error.message == "Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số."


# ----- counters ----------------------------------------------------------------------------------------

def test_two_officers_never_hold_one_counter(queue):
    queue.open_counter(1, "an")
    refused("counter_taken", queue.open_counter, 1, "binh")
    refused("officer_elsewhere", queue.open_counter, 2, "an")
    assert queue.open_counter(1, "an").events == []  # the same officer again: nothing happens
    queue.close_counter(1, "an")
    assert queue.open_counter(1, "binh").result["officer"] == "binh"


def test_actions_need_the_counter_held_by_the_officer(queue):
    issue(queue)
    refused("counter_not_held", queue.call_next, 1, "an")
    queue.open_counter(1, "an")
    refused("counter_not_held", queue.call_next, 1, "binh")
    refused("unknown_counter", queue.call_next, 99, "an")
    refused("unknown_counter", queue.call_next, "1", "an")


def test_paused_counter_does_not_call(queue):
    issue(queue)
    queue.open_counter(1, "an")
    refused("reason_required", queue.pause_counter, 1, "an", "  ")
    event = queue.pause_counter(1, "an", "Họp giao ban").events[0]
    assert event.kind == "counter_paused" and event.payload["reason"] == "Họp giao ban"
    refused("counter_paused", queue.call_next, 1, "an")
    queue.resume_counter(1, "an")
    assert queue.call_next(1, "an").result["label"] == "A001"


def test_a_counter_cannot_close_while_serving(queue):
    issue(queue)
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    refused("counter_busy", queue.close_counter, 1, "an")


# ----- call order ----------------------------------------------------------------------------------------

def open_and_drain(queue, counter, officer, n):
    """Call and finish n tickets at a counter, returning their labels in call order."""
    labels = []
    for _ in range(n):
        labels.append(queue.call_next(counter, officer).result["label"])
        queue.start_service(counter, officer)
        queue.finish(counter, officer)
    return labels


def test_call_next_follows_arrival_time(queue, clock):
    for _ in range(3):
        issue(queue)
        clock.advance(seconds=5)
    queue.open_counter(1, "an")
    assert open_and_drain(queue, 1, "an", 3) == ["A001", "A002", "A003"]
    refused("queue_empty", queue.call_next, 1, "an")


def test_counter_preference_order_comes_before_arrival(queue, clock):
    issue(queue, "ho-tich")  # B001, earlier
    clock.advance(seconds=10)
    issue(queue, "ly-lich")  # A001
    queue.open_counter(1, "an")  # prefers ly-lich
    queue.open_counter(2, "binh")  # prefers ho-tich
    assert queue.call_next(1, "an").result["label"] == "A001"
    assert queue.call_next(2, "binh").result["label"] == "B001"


def test_interleave_policy_calls_one_priority_after_every_n_normal(queue, clock):
    # priority_every = 2 in the small center; a fresh counter owes the priority queue a turn.
    for _ in range(6):
        issue(queue)
        clock.advance(seconds=1)
    for _ in range(3):
        issue(queue, priority_group="nguoi-cao-tuoi")
        clock.advance(seconds=1)
    queue.open_counter(1, "an")
    order = open_and_drain(queue, 1, "an", 9)
    assert order == ["A007", "A001", "A002", "A008", "A003", "A004", "A009", "A005", "A006"]


def test_strict_policy_calls_every_priority_first(center, store, clock):
    queue = Queue(dataclasses.replace(center, priority_policy="strict"), store, clock)
    issue(queue)
    clock.advance(seconds=1)
    issue(queue)
    clock.advance(seconds=1)
    issue(queue, priority_group="nguoi-cao-tuoi")
    queue.open_counter(1, "an")
    assert open_and_drain(queue, 1, "an", 3) == ["A003", "A001", "A002"]


def test_priority_is_called_when_no_normal_ticket_waits(queue):
    queue.open_counter(1, "an")
    issue(queue)
    assert open_and_drain(queue, 1, "an", 1) == ["A001"]  # counter now owes 1 normal of 2
    issue(queue, priority_group="nguoi-cao-tuoi")
    assert open_and_drain(queue, 1, "an", 1) == ["A002"]


def test_call_a_specific_ticket(queue):
    for _ in range(3):
        issue(queue)
    queue.open_counter(1, "an")
    assert queue.call_ticket(1, "an", "a003").result["label"] == "A003"
    queue.start_service(1, "an")
    queue.finish(1, "an")
    refused("unknown_ticket", queue.call_ticket, 1, "an", "A003")  # no longer waiting
    refused("unknown_ticket", queue.call_ticket, 1, "an", "C001")  # not served here
    assert queue.call_next(1, "an").result["label"] == "A001"


# ----- transitions ---------------------------------------------------------------------------------------

def events_of(store, label):
    with store.read() as conn:
        return [r[0] for r in conn.execute(
            "SELECT e.kind FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE t.label = ? ORDER BY e.seq",
            (label,))]


def test_full_service_records_every_transition_with_times(queue, store, clock):
    issue(queue)
    queue.open_counter(1, "an")
    clock.advance(minutes=7)
    queue.call_next(1, "an")
    clock.advance(seconds=40)
    queue.recall(1, "an")
    clock.advance(seconds=20)
    queue.start_service(1, "an")
    clock.advance(minutes=9)
    done = queue.finish(1, "an").result
    assert done["state"] == "done" and done["call_count"] == 2
    with store.read() as conn:
        t = conn.execute("SELECT * FROM tickets WHERE label = 'A001'").fetchone()
    assert t["first_called_at"] - t["issued_at"] == 420  # wait
    assert t["service_started_at"] - t["first_called_at"] == 60  # walk
    assert t["ended_at"] - t["service_started_at"] == 540  # service
    assert t["counter_number"] == 1 and t["officer"] == "an"
    assert events_of(store, "A001") == ["ticket_issued", "ticket_called", "ticket_recalled", "service_started",
                                        "ticket_finished"]
    assert queue.counters_overview()[0]["current"] is None


def test_refused_transitions_change_nothing(queue, store):
    issue(queue)
    queue.open_counter(1, "an")
    refused("no_current_ticket", queue.recall, 1, "an")
    refused("no_current_ticket", queue.finish, 1, "an")
    queue.call_next(1, "an")
    refused("invalid_transition", queue.finish, 1, "an")  # not started yet
    refused("invalid_transition", queue.park, 1, "an")
    refused("counter_busy", queue.call_next, 1, "an")
    queue.start_service(1, "an")
    refused("invalid_transition", queue.recall, 1, "an")
    refused("invalid_transition", queue.start_service, 1, "an")
    refused("invalid_transition", queue.no_show, 1, "an")
    assert events_of(store, "A001") == ["ticket_issued", "ticket_called", "service_started"]


def test_no_show_only_after_enough_calls_and_time(center, store, clock):
    queue = Queue(dataclasses.replace(center, no_show_min_calls=2, no_show_min_seconds=60), store, clock)
    issue(queue)
    issue(queue)
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    clock.advance(seconds=90)
    refused("no_show_too_soon", queue.no_show, 1, "an")  # called once only
    queue.recall(1, "an")
    assert queue.no_show(1, "an").result["state"] == "no_show"
    queue.call_next(1, "an")
    queue.recall(1, "an")
    clock.advance(seconds=59)
    refused("no_show_too_soon", queue.no_show, 1, "an")  # twice, but too soon
    clock.advance(seconds=1)
    assert queue.no_show(1, "an").result["state"] == "no_show"


def test_transfer_to_a_service_keeps_number_and_arrival(queue, store, clock):
    first = issue(queue)  # A001 at 08:00
    clock.advance(minutes=5)
    later = issue(queue, "lai-xe")  # C001 at 08:05
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    clock.advance(minutes=3)
    outcome = queue.transfer(1, "an", to_service="lai-xe")
    moved = outcome.result
    assert [e.kind for e in outcome.events] == ["ticket_transferred", "ticket_requeued"]
    assert moved["label"] == "A001" and moved["service_code"] == "lai-xe" and moved["state"] == "waiting"
    assert moved["transferred"] and moved["ahead"] == 0  # arrived before C001
    with store.read() as conn:
        old, new = conn.execute("SELECT * FROM tickets WHERE label = 'A001' ORDER BY id").fetchall()
    assert old["state"] == "transferred" and new["transferred_from"] == old["id"] and new["root_ticket_id"] == old["id"]
    assert new["arrived_at"] == old["arrived_at"]
    # The QR printed on the first ticket follows the citizen.
    assert queue.ticket_status(first["token"])["service_code"] == "lai-xe"
    assert queue.ticket_status(later["token"])["ahead"] == 1
    queue.open_counter(3, "cuong")
    assert queue.call_next(3, "cuong").result["label"] == "A001"
    assert queue.counters_overview()[0]["current"] is None  # the first counter is free


def test_transfer_to_a_counter_reserves_the_ticket_for_it(queue):
    issue(queue, "van-tai")  # D001
    issue(queue, "van-tai")  # D002
    queue.open_counter(3, "cuong")
    queue.open_counter(5, "an")
    queue.call_next(3, "cuong")  # D001
    moved = queue.transfer(3, "cuong", to_counter=5).result
    assert moved["counters"] == [5]
    refused("transfer_target", queue.transfer, 3, "cuong", to_counter=3)
    assert queue.call_next(3, "cuong").result["label"] == "D002"  # reserved ticket is not called elsewhere
    assert queue.call_next(5, "an").result["label"] == "D001"


@pytest.mark.parametrize("kwargs", [{}, {"to_service": "ly-lich", "to_counter": 2}, {"to_service": "khong-co"},
                                    {"to_service": "ly-lich"}, {"to_counter": 42}])
def test_bad_transfers_are_refused(queue, store, kwargs):
    issue(queue)
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    with pytest.raises(QueueRefused):
        queue.transfer(1, "an", **kwargs)
    assert count(store, "SELECT count(*) FROM tickets") == 1
    assert queue.counters_overview()[0]["current"]["label"] == "A001"


def test_park_and_resume(queue):
    issue(queue)
    issue(queue)
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    assert queue.park(1, "an").result["state"] == "parked"
    assert queue.call_next(1, "an").result["label"] == "A002"  # the counter works on meanwhile
    refused("counter_busy", queue.resume_parked, 1, "an", "A001")
    queue.start_service(1, "an")
    queue.finish(1, "an")
    refused("unknown_ticket", queue.resume_parked, 1, "an", "A002")
    assert queue.resume_parked(1, "an", "A001").result["state"] == "serving"
    assert queue.finish(1, "an").result["state"] == "done"


def test_cancel_only_while_waiting(queue):
    ticket = issue(queue)
    refused("unknown_ticket", queue.cancel, "not-a-token")
    assert queue.cancel(ticket["token"]).result["state"] == "cancelled"
    refused("invalid_transition", queue.cancel, ticket["token"])
    queue.open_counter(1, "an")
    refused("queue_empty", queue.call_next, 1, "an")


# ----- estimates -----------------------------------------------------------------------------------------

def test_people_ahead_and_default_estimate(queue):
    # lai-xe: default 6 minutes per ticket, one counter (3) serves it.
    tickets = [issue(queue, "lai-xe") for _ in range(4)]
    assert [t["ahead"] for t in tickets] == [0, 1, 2, 3]
    assert [t["estimated_wait_minutes"] for t in tickets] == [0, 6, 12, 18]


def test_estimate_counts_open_counters_and_priorities(queue):
    for _ in range(4):
        issue(queue)  # ly-lich: counters 1 and 2, 10 min default
    priority = issue(queue, priority_group="nguoi-cao-tuoi")
    assert priority["ahead"] == 0  # a priority goes first under interleave
    last = queue.ticket_status(issue(queue)["token"])
    assert last["ahead"] == 5 and last["estimated_wait_minutes"] == 25  # two counters serve ly-lich
    queue.open_counter(1, "an")  # only one counter open now
    assert queue.ticket_status(last_token := issue(queue)["token"])["estimated_wait_minutes"] == 60
    assert last_token


def test_estimate_learns_from_recent_service_times(queue, clock):
    queue.open_counter(3, "cuong")
    for _ in range(3):
        issue(queue, "lai-xe")
        queue.call_next(3, "cuong")
        queue.start_service(3, "cuong")
        clock.advance(minutes=2)
        queue.finish(3, "cuong")
    issue(queue, "lai-xe")
    waiting = issue(queue, "lai-xe")
    assert waiting["ahead"] == 1 and waiting["estimated_wait_minutes"] == 2


def test_service_overview_counts_waiting_today(queue):
    issue(queue)
    issue(queue)
    issue(queue, "lai-xe")
    rows = {r["service_code"]: r for r in queue.service_overview()}
    assert rows["ly-lich"]["waiting"] == 2 and rows["lai-xe"]["waiting"] == 1 and rows["van-tai"]["waiting"] == 0
    assert rows["ly-lich"]["department_name"] == "Sở Tư pháp"


@pytest.mark.parametrize("policy", ["strict", "interleave"])
def test_people_ahead_matches_the_call_order(center, store, clock, policy):
    """'Ahead' is counted, not simulated: check it against the order a fresh counter really calls."""
    import random
    queue = Queue(dataclasses.replace(center, priority_policy=policy, priority_every=3), store, clock)
    rng = random.Random(7)
    tickets = []
    for _ in range(40):
        tickets.append(issue(queue, priority_group="nguoi-cao-tuoi" if rng.random() < 0.3 else None))
        clock.advance(seconds=rng.choice([0, 1, 5]))
    ahead = {t["label"]: queue.ticket_status(t["token"])["ahead"] for t in tickets}
    queue.open_counter(1, "an")
    called = open_and_drain(queue, 1, "an", 40)
    assert [ahead[label] for label in called] == list(range(40))


def test_kept_waiting_counts_follow_every_transition(queue, store, clock):
    for service in ("ly-lich", "ly-lich", "ho-tich", "lai-xe"):
        issue(queue, service)
    issue(queue, priority_group="nguoi-cao-tuoi")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.transfer(1, "an", to_service="lai-xe")
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    queue.finish(1, "an")
    queue.cancel(issue(queue)["token"])
    with store.read() as conn:
        kept = {(r[0], r[1]): r[2] for r in conn.execute(
            "SELECT service_code, priority, n FROM waiting_counts WHERE n > 0")}
        counted = {(r[0], r[1]): r[2] for r in conn.execute(
            "SELECT service_code, priority_group IS NOT NULL, count(*) FROM tickets WHERE state = 'waiting'"
            " GROUP BY 1, 2")}
    assert kept == counted and sum(kept.values()) == 4
