"""The feedback inbox: complaints and comments become items, move mới → đang xử lý → đã xử lý with who, when and a
note, are audited, never deleted, filtered for the inbox screen and counted in reports."""

from __future__ import annotations

import json
import sqlite3

import pytest

from server.core import audit
from server.core.feedback import Feedback, median_minutes, period_figures
from server.core.ratings import Ratings
from tests.test_queue import refused
from tests.test_ratings import served

SLOW = "Thời gian chờ lâu"


@pytest.fixture
def ratings(queue):
    return Ratings(queue)


@pytest.fixture
def inbox(queue, store, center, clock):
    return Feedback(store, center, clock)


def rate(queue, ratings, level, reasons=(), comment=None, counter=1, officer="an", service="ly-lich"):
    """Serve one ticket at a counter and rate it on the tablet; returns the ticket's label."""
    ticket = served(queue, counter, officer, service)
    ratings.rate_at_counter(counter, ticket["label"], level, list(reasons), comment,
                            client_id=f"t{counter}-{ticket['label']}-{ticket['token'][:8]}")
    return ticket["label"]


def test_complaints_and_comments_become_items_newest_first(queue, ratings, inbox, clock):
    rate(queue, ratings, 1)                                   # Rất hài lòng, no comment: nothing to follow up
    rate(queue, ratings, 3, [SLOW], "Chờ gần một tiếng")      # Không hài lòng
    clock.advance(minutes=5)
    rate(queue, ratings, 2, comment="Nên có thêm ghế chờ")     # satisfied, but a comment
    page = inbox.items()
    assert page["total"] == 2 and not page["more"]
    newest, complaint = page["items"]
    assert (newest["label"], newest["dissatisfied"], newest["level_name"], newest["comment"]) == \
        ("A003", False, "Hài lòng", "Nên có thêm ghế chờ")
    assert complaint == {
        "id": complaint["id"], "state": "new", "state_name": "Mới", "dissatisfied": True,
        "local_date": "2026-11-23", "opened_at": complaint["opened_at"], "changed_at": complaint["opened_at"],
        "handled_at": None, "handled_by": None, "handled_by_name": None, "label": "A002", "level": 3,
        "level_name": "Không hài lòng", "channel": "tablet", "reasons": [SLOW], "comment": "Chờ gần một tiếng",
        "rated_at": complaint["opened_at"], "service_code": "ly-lich", "service_name": "Lý lịch tư pháp",
        "department_code": "STP", "department_name": "Sở Tư pháp", "counter_number": 1,
        "counter_name": complaint["counter_name"], "officer": "an", "officer_name": "Nguyễn Văn An", "history": [],
    }
    assert newest["opened_at"] - complaint["opened_at"] == 300
    assert inbox.open_counts() == {"open": 2, "open_dissatisfied": 1, "new": 2, "in_progress": 0}


def test_take_then_close_with_a_note_keeps_the_history(queue, ratings, inbox, store, clock):
    rate(queue, ratings, 3, [SLOW])
    [item] = inbox.items()["items"]
    clock.advance(minutes=3)
    taken, [event] = inbox.take(item["id"], "giamsat", "Đã gọi điện cho công dân")
    assert (taken["state"], taken["changed_at"] - item["opened_at"]) == ("in_progress", 180)
    assert event.kind == "feedback_changed"
    assert event.public() == {"seq": event.seq, "kind": "feedback_changed", "at": event.at,
                              "item_id": item["id"], "from_state": "new", "state": "in_progress"}
    assert event.detail["actor_name"] == "Phạm Thị Giám Sát" and event.detail["note"] == "Đã gọi điện cho công dân"
    clock.advance(minutes=10)
    closed, _ = inbox.close(item["id"], "giamsat", "  Đã trao đổi với công chức, xin lỗi công dân  ")
    assert (closed["state"], closed["state_name"], closed["handled_by"], closed["handled_by_name"]) == \
        ("done", "Đã xử lý", "giamsat", "Phạm Thị Giám Sát")
    assert closed["handled_at"] - closed["opened_at"] == 13 * 60
    history = inbox.item(item["id"])["history"]
    assert [(h["from_state"], h["to_state"], h["actor_name"], h["note"]) for h in history] == [
        ("new", "in_progress", "Phạm Thị Giám Sát", "Đã gọi điện cho công dân"),
        ("in_progress", "done", "Phạm Thị Giám Sát", "Đã trao đổi với công chức, xin lỗi công dân")]
    assert inbox.open_counts()["open"] == 0


def test_refused_changes_change_nothing(queue, ratings, inbox, store):
    rate(queue, ratings, 3)
    [item] = inbox.items()["items"]
    refused("note_required", inbox.close, item["id"], "giamsat", "   ")
    refused("note_required", inbox.close, item["id"], "giamsat", None)
    refused("bad_note", inbox.take, item["id"], "giamsat", "x" * 1001)
    refused("bad_note", inbox.take, item["id"], "giamsat", 12)
    refused("unknown_feedback", inbox.take, 999, "giamsat")
    refused("unknown_feedback", inbox.item, "1")
    refused("feedback_state", inbox.reopen, item["id"], "giamsat", "Chưa xong")
    inbox.take(item["id"], "giamsat")  # the note is optional when taking in hand
    refused("feedback_state", inbox.take, item["id"], "giamsat")
    inbox.close(item["id"], "quantri", "Đã xử lý")
    refused("feedback_state", inbox.close, item["id"], "quantri", "Lần nữa")
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM feedback_actions").fetchone()[0] == 2


def test_a_new_item_may_be_closed_at_once_and_reopened(queue, ratings, inbox):
    rate(queue, ratings, 3)
    [item] = inbox.items()["items"]
    inbox.close(item["id"], "giamsat", "Công dân đã được giải thích tại chỗ")
    reopened, _ = inbox.reopen(item["id"], "giamsat", "Công dân gọi lại, chưa đồng ý")
    assert (reopened["state"], reopened["handled_at"], reopened["handled_by"]) == ("in_progress", None, None)
    assert [h["to_state"] for h in reopened["history"]] == ["done", "in_progress"]


def test_every_change_is_audited(queue, ratings, inbox, store):
    rate(queue, ratings, 3)
    [item] = inbox.items()["items"]
    inbox.take(item["id"], "giamsat", "Đang liên hệ")
    inbox.close(item["id"], "quantri", "Đã xong")
    rows = [(e["actor"], e["action"], e["target"], e["before"], e["after"]) for e in audit.entries(store)]
    assert rows == [
        ("quantri", "feedback_close", f"feedback:{item['id']}", {"state": "in_progress"},
         {"state": "done", "note": "Đã xong"}),
        ("giamsat", "feedback_take", f"feedback:{item['id']}", {"state": "new"},
         {"state": "in_progress", "note": "Đang liên hệ"})]


def test_nothing_is_deleted_or_rewritten(queue, ratings, inbox, store):
    rate(queue, ratings, 3)
    [item] = inbox.items()["items"]
    inbox.take(item["id"], "giamsat", "Đang liên hệ")
    for sql in ("DELETE FROM feedback_items", "DELETE FROM feedback_actions", "UPDATE feedback_actions SET note = ''"):
        with pytest.raises(sqlite3.IntegrityError), store.write() as conn:
            conn.execute(sql)
    assert inbox.item(item["id"])["history"][0]["note"] == "Đang liên hệ"


@pytest.fixture
def four_items(queue, ratings, inbox, clock):
    """A001 complaint at counter 1 (an, ly-lich) yesterday; today (numbers start again) A001 comment at counter 1,
    B001 complaint at counter 2 (binh, ho-tich) taken in hand, C001 complaint at counter 3 (cuong, lai-xe, SGTVT).
    Keyed by label@service date."""
    rate(queue, ratings, 3, [SLOW])
    clock.advance(minutes=24 * 60)
    rate(queue, ratings, 2, comment="Cảm ơn")
    rate(queue, ratings, 3, counter=2, officer="binh", service="ho-tich")
    rate(queue, ratings, 3, counter=3, officer="cuong", service="lai-xe")
    items = {i["label"] + "@" + i["local_date"]: i["id"] for i in inbox.items()["items"]}
    inbox.take(items["B001@2026-11-24"], "giamsat")
    return items


@pytest.mark.parametrize("filters, labels", [
    ({}, ["C001", "B001", "A001", "A001"]),
    ({"states": ("new",)}, ["C001", "A001", "A001"]),
    ({"states": ("new", "in_progress")}, ["C001", "B001", "A001", "A001"]),
    ({"states": ("done",)}, []),
    ({"first": "2026-11-24"}, ["C001", "B001", "A001"]),
    ({"first": "2026-11-23", "last": "2026-11-23"}, ["A001"]),
    ({"department": "SGTVT"}, ["C001"]),
    ({"service": "ho-tich"}, ["B001"]),
    ({"counter": 1}, ["A001", "A001"]),
    ({"officer": "cuong"}, ["C001"]),
    ({"dissatisfied": False}, ["A001"]),
    ({"dissatisfied": True, "first": "2026-11-24"}, ["C001", "B001"]),
    ({"department": "STP", "counter": 3}, []),
])
def test_filters(inbox, four_items, filters, labels):
    assert [i["label"] for i in inbox.items(**filters)["items"]] == labels


def test_paging_newest_first(inbox, four_items):
    first = inbox.items(limit=3)
    assert (first["total"], first["more"], len(first["items"])) == (4, True, 3)
    rest = inbox.items(limit=3, offset=3)
    assert [(i["label"], i["local_date"]) for i in rest["items"]] == [("A001", "2026-11-23")] and not rest["more"]
    refused("bad_request", inbox.items, states=("open",))


def test_period_figures(queue, ratings, inbox, store, clock, four_items):
    yesterday, comment = four_items["A001@2026-11-23"], four_items["A001@2026-11-24"]
    clock.advance(minutes=7)
    inbox.close(four_items["B001@2026-11-24"], "giamsat", "Đã gọi lại")      # 7 min after it was opened
    clock.advance(seconds=30)
    inbox.close(comment, "giamsat", "Đã ghi nhận")                             # 7.5 min
    inbox.close(yesterday, "giamsat", "Đã xử lý")                              # a day later: another period
    with store.read() as conn:
        today = period_figures(conn, "2026-11-24", "2026-11-24")
        both = period_figures(conn, "2026-11-23", "2026-11-24")
        empty = period_figures(conn, "2026-12-01", "2026-12-31")
    assert today == {"opened": 3, "dissatisfied": 2, "comments_only": 1, "handled": 2, "open": 1,
                     "median_handle_minutes": 7.3}  # (420 + 450) / 2 s = 7.25 min, half up
    assert both["handled"] == 3 and both["median_handle_minutes"] == 7.5
    assert empty == {"opened": 0, "dissatisfied": 0, "comments_only": 0, "handled": 0, "open": 0,
                     "median_handle_minutes": None}
    json.dumps(today)  # what a report carries as it is


@pytest.mark.parametrize("seconds, minutes", [
    ([], None), ([60], 1.0), ([27], 0.5), ([33], 0.6), ([3], 0.1), ([2], 0.0),
    ([60, 120], 1.5), ([60, 61, 62, 63], 1.0), ([10, 20, 10_000], 0.3), ([0, 9], 0.1), ([0, 8], 0.1),
    ([0, 6], 0.1), ([0, 5], 0.0),
])
def test_median_interpolates_and_rounds_half_up(seconds, minutes):
    assert median_minutes(sorted(seconds)) == minutes
