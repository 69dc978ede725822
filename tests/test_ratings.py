"""Rating rules: one per served ticket, bound to who served it, refused otherwise, never edited."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from server.core.center import RATING_LEVELS, RatingScale
from server.core.phone import ticket_for_phone
from server.core.queue import Queue, QueueRefused
from server.core.ratings import Ratings
from tests.test_queue import refused


@pytest.fixture
def ratings(queue):
    return Ratings(queue)


def served(queue, counter=1, officer="an", service="ly-lich"):
    """Issue a ticket and serve it to the end at a counter; returns the ticket with its token."""
    ticket = queue.issue(service).result
    queue.open_counter(counter, officer)
    queue.call_next(counter, officer)
    queue.start_service(counter, officer)
    queue.finish(counter, officer)
    return ticket


def rows(store, sql="SELECT * FROM ratings"):
    with store.read() as conn:
        return conn.execute(sql).fetchall()


def test_tablet_rating_is_bound_to_the_service(queue, ratings, store, clock):
    ticket = served(queue)
    clock.advance(seconds=10)
    outcome = ratings.rate_at_counter(1, "A001", 1, client_id="tablet-1-0001", device="T1")
    assert outcome.result["level_name"] == "Rất hài lòng"
    [row] = rows(store)
    assert (row["counter_number"], row["officer"], row["service_code"], row["department_code"], row["channel"]) == \
        (1, "an", "ly-lich", "STP", "tablet")
    assert row["service_local_date"] == ticket["local_date"]
    [event] = outcome.events
    assert event.kind == "rating_recorded" and event.payload["dissatisfied"] is False and event.detail is None


def test_one_rating_per_ticket(queue, ratings, store):
    served(queue)
    ratings.rate_at_counter(1, "A001", 2, client_id="tablet-1-0001")
    refused("already_rated", ratings.rate_at_counter, 1, "A001", 1, client_id="tablet-1-0002")
    assert len(rows(store)) == 1


def test_a_resent_client_id_is_accepted_once(queue, ratings, store):
    served(queue)
    first = ratings.rate_at_counter(1, "A001", 2, client_id="offline-0001")
    again = ratings.rate_at_counter(1, "A001", 2, client_id="offline-0001")
    assert again.result["duplicate"] and again.events == [] and first.events
    assert len(rows(store)) == 1


def test_refused_ratings(queue, ratings, store):
    served(queue)  # A001 at counter 1
    queue.issue("ly-lich")
    queue.call_next(1, "an")  # A002 called, not finished
    refused("not_served_here", ratings.rate_at_counter, 2, "A001", 1, client_id="tablet-2-0001")
    refused("not_finished", ratings.rate_at_counter, 1, "A002", 1, client_id="tablet-1-0002")
    refused("bad_level", ratings.rate_at_counter, 1, "A001", 4, client_id="tablet-1-0003")
    refused("bad_reasons", ratings.rate_at_counter, 1, "A001", 3, ["Không có lý do này"], client_id="tablet-1-0005")
    refused("bad_reasons", ratings.rate_at_counter, 1, "A001", 1, ["Thời gian chờ lâu"], client_id="tablet-1-0006")
    refused("bad_comment", ratings.rate_at_counter, 1, "A001", 3, [], "x" * 501, client_id="tablet-1-0007")
    refused("bad_client_id", ratings.rate_at_counter, 1, "A001", 1, client_id="x")
    refused("unknown_counter", ratings.rate_at_counter, 9, "A001", 1, client_id="tablet-9-0001")
    assert rows(store) == []


def test_refusals_say_what_happened_to_the_ticket(queue, ratings, store):
    served(queue)  # A001: finished at counter 1
    cancelled = queue.issue("ly-lich").result  # A002: cancelled by the citizen
    queue.cancel(cancelled["token"])
    queue.issue("ly-lich")  # A003: called twice at counter 1, then no-show
    queue.call_next(1, "an")
    queue.recall(1, "an")
    queue.no_show(1, "an")
    queue.issue("ly-lich")  # A004: finished at counter 2
    queue.open_counter(2, "binh")
    queue.call_next(2, "binh")
    queue.start_service(2, "binh")
    queue.finish(2, "binh")
    queue.issue("ly-lich")  # A005: called at counter 1
    queue.call_next(1, "an")
    queue.issue("ly-lich")  # A006: waiting
    cases = [(1, "A002", "not_served"), (1, "A003", "not_served"), (1, "A004", "not_served_here"),
             (2, "A005", "not_served_here"), (1, "A005", "not_finished"), (1, "A006", "not_finished"),
             (1, "A009", "unknown_ticket")]
    for i, (counter, label, code) in enumerate(cases):
        refused(code, ratings.rate_at_counter, counter, label, 1, client_id=f"tablet-case-{i:04d}")
    refusal = refused("unknown_ticket", ratings.rate_at_counter, 1, "A001", 1, client_id="tablet-1-yesterday",
                      service_date="2026-11-22")
    assert refusal.message == "Không tìm thấy số thứ tự A001 trong ngày 22/11/2026."
    refused("not_served", ratings.rate_by_phone, cancelled["token"], 1)
    assert rows(store) == []
    assert ratings.rate_at_counter(1, " a001 ", 1, client_id="tablet-1-0001").result["level"] == 1


def test_an_earlier_days_unserved_ticket_is_not_served(queue, ratings, clock):
    day = queue.ticket_status(queue.issue("ly-lich").result["token"])["local_date"]
    clock.advance(minutes=24 * 60)
    refused("not_served", ratings.rate_at_counter, 1, "A001", 1, client_id="tablet-1-0001", service_date=day)


@pytest.mark.parametrize("field, value, code", [
    ("label", None, "bad_request"), ("label", 5, "bad_request"), ("label", "  ", "bad_request"),
    ("label", "A" * 17, "bad_request"),
    ("service_date", "23/11/2026", "bad_request"), ("service_date", "2026-02-30", "bad_request"),
    ("service_date", 20261123, "bad_request"), ("service_date", "2026-11-23T08:00", "bad_request"),
    ("counter_number", None, "bad_request"), ("counter_number", "1", "bad_request"),
    ("counter_number", True, "bad_request"), ("counter_number", 1.0, "bad_request"),
    ("counter_number", 9, "unknown_counter"),
    ("level", "1", "bad_request"), ("level", True, "bad_request"), ("level", None, "bad_request"),
    ("level", 1.5, "bad_request"), ("level", 0, "bad_level"), ("level", 4, "bad_level"),
    ("reasons", "Thời gian chờ lâu", "bad_request"), ("reasons", {"a": 1}, "bad_request"),
    ("reasons", [1], "bad_request"), ("reasons", [["Thời gian chờ lâu"]], "bad_request"),
    ("reasons", ["Thời gian chờ lâu", "Thời gian chờ lâu"], "bad_reasons"),
    ("comment", 5, "bad_request"), ("comment", ["x"], "bad_request"), ("comment", "x" * 501, "bad_comment"),
    ("timed_out", "yes", "bad_request"), ("timed_out", 1, "bad_request"), ("client_id", None, "bad_client_id"),
])
def test_malformed_fields_are_refused_before_anything_is_read(queue, ratings, store, field, value, code):
    served(queue)
    rating = {"counter_number": 1, "label": "A001", "level": 3, "reasons": ["Thời gian chờ lâu"],
              "client_id": "tablet-1-0001", **{field: value}}
    refused(code, ratings.rate_at_counter, **rating)
    assert rows(store) == []


def test_a_level_sent_on_timeout_is_kept_and_marked(queue, ratings, store):
    served(queue)
    outcome = ratings.rate_at_counter(1, "A001", 3, ["Thời gian chờ lâu"], client_id="tablet-1-0001",
                                      timed_out=True)
    assert outcome.result["sent_on_timeout"] is True and outcome.result["level_name"] == "Không hài lòng"
    [event] = outcome.events
    assert event.payload["sent_on_timeout"] is True and event.detail["reasons"] == ["Thời gian chờ lâu"]
    [row] = rows(store)
    assert row["sent_on_timeout"] == 1
    # The acknowledgement was lost: the tablet sends the same choice with the same id; it is counted once.
    again = ratings.rate_at_counter(1, "A001", 3, ["Thời gian chờ lâu"], client_id="tablet-1-0001", timed_out=True)
    assert again.result["duplicate"] and again.result["sent_on_timeout"] and again.events == []
    refused("already_rated", ratings.rate_at_counter, 1, "A001", 3, client_id="tablet-1-0002", timed_out=True)
    assert len(rows(store)) == 1
    assert rows(store, "SELECT COUNT(*) AS n FROM feedback_items")[0]["n"] == 1


def test_a_rating_sent_by_the_citizen_is_not_marked(queue, ratings, store):
    ticket = served(queue)
    assert ratings.rate_at_counter(1, "A001", 2, client_id="tablet-1-0001").result["sent_on_timeout"] is False
    assert rows(store)[0]["sent_on_timeout"] == 0
    assert ratings.rating_of(ticket["token"])["sent_on_timeout"] is False


@pytest.fixture
def strict(center, store, clock):
    """The center with `[rating] reason_required = true`."""
    rating = dataclasses.replace(center.rating, reason_required=True)
    queue = Queue(dataclasses.replace(center, rating=rating), store, clock)
    return queue, Ratings(queue)


def test_reason_required_refuses_a_complaint_without_reason(strict, store):
    queue, ratings = strict
    served(queue)
    second = served(queue)
    refusal = refused("reason_required", ratings.rate_at_counter, 1, "A001", 3, [], "Chờ lâu",
                      client_id="tablet-1-0001")
    assert "lý do" in refusal.message
    refused("reason_required", ratings.rate_by_phone, second["token"], 3)
    assert rows(store) == []
    assert ratings.rate_at_counter(1, "A001", 3, ["Ý kiến khác"], client_id="tablet-1-0001").result["level"] == 3
    assert ratings.rate_by_phone(second["token"], 2).result["level"] == 2  # satisfied: no reason asked


def test_reason_required_still_keeps_a_complaint_left_on_timeout(strict, store):
    queue, ratings = strict
    served(queue)
    outcome = ratings.rate_at_counter(1, "A001", 3, client_id="tablet-1-0001", timed_out=True)
    assert outcome.result["reasons"] == [] and outcome.result["sent_on_timeout"]
    assert len(rows(store)) == 1


def test_reason_not_required_by_default(queue, ratings, center):
    assert center.rating.reason_required is False
    served(queue)
    assert ratings.rate_at_counter(1, "A001", 3, client_id="tablet-1-0001").result["reasons"] == []


def test_transferred_ticket_is_rated_where_it_was_finished(queue, ratings):
    queue.issue("ly-lich")
    queue.open_counter(1, "an")
    queue.call_next(1, "an")
    queue.transfer(1, "an", to_service="lai-xe")
    refused("not_finished", ratings.rate_at_counter, 1, "A001", 1, client_id="tablet-1-0001")
    queue.open_counter(3, "cuong")
    queue.call_next(3, "cuong")
    queue.start_service(3, "cuong")
    queue.finish(3, "cuong")
    assert ratings.rate_at_counter(3, "A001", 1, client_id="tablet-3-0001").result["officer"] == "cuong"


def test_dissatisfied_rating_carries_reasons_for_supervisors_only(queue, ratings):
    served(queue)
    outcome = ratings.rate_at_counter(1, "A001", 3, ["Thời gian chờ lâu", "Hướng dẫn chưa rõ ràng, đầy đủ"],
                                      "  Chờ quá lâu  ", client_id="tablet-1-0001")
    [event] = outcome.events
    assert event.payload["dissatisfied"] and event.payload["level_name"] == "Không hài lòng"
    assert event.detail == {"reasons": ["Thời gian chờ lâu", "Hướng dẫn chưa rõ ràng, đầy đủ"],
                            "comment": "Chờ quá lâu", "officer_name": "Nguyễn Văn An"}
    assert "comment" not in event.public() and "reasons" not in event.public()


def test_phone_rating_until_the_end_of_the_day(queue, ratings, clock):
    first = served(queue)
    assert ratings.rating_of(first["token"]) is None
    assert ratings.rate_by_phone(first["token"], 2).result["channel"] == "phone"
    assert ratings.rating_of(first["token"])["level_name"] == "Hài lòng"
    refused("already_rated", ratings.rate_by_phone, first["token"], 1)
    second = queue.issue("ly-lich").result
    refused("not_finished", ratings.rate_by_phone, second["token"], 1)
    queue.call_next(1, "an")
    queue.start_service(1, "an")
    queue.finish(1, "an")
    clock.advance(minutes=24 * 60)
    refused("rating_closed", ratings.rate_by_phone, second["token"], 1)
    refused("unknown_ticket", ratings.rate_by_phone, "khong-co", 1)


def test_tablet_and_phone_cannot_both_rate(queue, ratings):
    ticket = served(queue)
    ratings.rate_at_counter(1, "A001", 1, client_id="tablet-1-0001")
    refused("already_rated", ratings.rate_by_phone, ticket["token"], 3)


def test_offline_tablet_names_the_day_of_service(queue, ratings, clock):
    served(queue)
    day = queue.ticket_status(queue.issue("ly-lich").result["token"])["local_date"]
    clock.advance(minutes=24 * 60)
    served(queue)  # today's A001 at the same counter
    assert ratings.rate_at_counter(1, "A001", 2, client_id="late-000001", service_date=day).result["level"] == 2
    assert ratings.rate_at_counter(1, "A001", 1, client_id="today-00001").result["level"] == 1


def test_five_level_scale(center, store, clock):
    five = dataclasses.replace(center, rating=RatingScale(tuple(RATING_LEVELS[5]), center.rating.reasons))
    queue = Queue(five, store, clock)
    ratings = Ratings(queue)
    served(queue)
    outcome = ratings.rate_at_counter(1, "A001", 5, ["Thời gian chờ lâu"], client_id="tablet-1-0001")
    assert outcome.result["level_name"] == "Rất không hài lòng" and outcome.events[0].payload["dissatisfied"]


def test_ratings_are_never_edited_or_deleted(queue, ratings, store):
    served(queue)
    ratings.rate_at_counter(1, "A001", 3, client_id="tablet-1-0001")
    for sql in ("UPDATE ratings SET level = 1", "DELETE FROM ratings"):
        with pytest.raises(sqlite3.IntegrityError, match="never"), store.write() as conn:
            conn.execute(sql)
    assert rows(store)[0]["level"] == 3


def test_refusal_message_is_vietnamese(queue, ratings):
    served(queue)
    ratings.rate_at_counter(1, "A001", 1, client_id="tablet-1-0001")
    with pytest.raises(QueueRefused) as info:
        ratings.rate_at_counter(1, "A001", 1, client_id="tablet-1-0002")
    assert "đã được đánh giá" in info.value.message


def phone_offers(queue, ratings, token) -> bool:
    """What the phone page offers (`can_rate`, server/core/phone.py), which HTTP and Socket.IO both send."""
    return ticket_for_phone(queue, ratings, token)["can_rate"]


def phone_accepts(ratings, token) -> bool:
    try:
        ratings.rate_by_phone(token, 1)
    except QueueRefused:
        return False
    return True


@pytest.mark.parametrize("case, offered", [
    ("waiting", False), ("called", False), ("cancelled", False), ("no_show", False), ("done today", True),
    ("done yesterday", False), ("rated by the tablet", False), ("waiting since yesterday", False)])
def test_the_phone_is_offered_the_rating_exactly_when_it_would_be_accepted(queue, ratings, clock, case, offered):
    queue.open_counter(1, "an")
    token = queue.issue("ly-lich").result["token"]
    if case not in ("waiting", "waiting since yesterday", "cancelled"):
        queue.call_next(1, "an")
    if case == "cancelled":
        queue.cancel(token)
    elif case == "no_show":
        clock.advance(minutes=5)
        queue.recall(1, "an")
        clock.advance(minutes=5)
        queue.no_show(1, "an")
    elif case.startswith("done") or case == "rated by the tablet":
        queue.start_service(1, "an")
        queue.finish(1, "an")
    if case == "rated by the tablet":
        ratings.rate_at_counter(1, "A001", 2, client_id="tablet-1-0001")
    if case.endswith("yesterday"):
        clock.advance(minutes=24 * 60)
    assert phone_offers(queue, ratings, token) is offered
    assert phone_accepts(ratings, token) is offered
    assert phone_offers(queue, ratings, token) is False  # rated now, or still refused
