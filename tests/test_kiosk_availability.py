"""Which services the kiosk shows as unavailable before the tap (server/core/availability.py), the search and
availability endpoints (server/web/kiosk.py), and the real issuing hours /api/center gives the closed screen."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from server.core.availability import service_availability
from server.core.center import OpeningHours, Session
from server.core.refusals import QueueRefused
from tests.conftest import app_over


def reasons(queue) -> dict:
    return {code: answer["reason_code"] for code, answer in service_availability(queue).items()}


def test_every_service_issues_before_any_counter_opens(queue):
    assert reasons(queue) == {"ly-lich": None, "ho-tich": None, "lai-xe": None, "van-tai": None}
    assert all(a["available"] and a["reason"] is None for a in service_availability(queue).values())


def test_a_service_whose_cap_is_used_up_is_unavailable_until_the_next_day(queue, clock):
    for _ in range(3):  # ho-tich's daily cap is 3
        queue.issue("ho-tich")
    answer = service_availability(queue)["ho-tich"]
    assert answer == {"available": False, "reason_code": "daily_cap_reached", "reason": "Đã hết số trong ngày"}
    with pytest.raises(QueueRefused) as refused:  # the kiosk says what the queue would answer
        queue.issue("ho-tich")
    assert refused.value.code == "daily_cap_reached"
    assert reasons(queue)["ly-lich"] is None
    clock.advance(minutes=24 * 60)
    assert reasons(queue)["ho-tich"] is None


def test_once_the_day_has_begun_a_service_with_no_open_counter_is_unavailable(queue):
    queue.open_counter(1, "an")  # serves ly-lich and ho-tich
    assert reasons(queue) == {"ly-lich": None, "ho-tich": None, "lai-xe": "no_counter_open",
                              "van-tai": "no_counter_open"}
    assert service_availability(queue)["van-tai"]["reason"] == "Chưa có quầy nào mở"
    queue.open_counter(5, "cuong")  # van-tai only
    assert reasons(queue)["van-tai"] is None and reasons(queue)["lai-xe"] == "no_counter_open"
    queue.pause_counter(5, "cuong", "Nghỉ giải lao")  # a paused counter comes back: its services still issue
    assert reasons(queue)["van-tai"] is None
    queue.close_counter(1, "an")
    assert reasons(queue)["ly-lich"] == "no_counter_open"


def test_outside_the_hours_every_service_is_closed(queue, center, clock):
    hours = OpeningHours(frozenset(range(5)), (Session(dt.time(7, 30), dt.time(11, 30)),), 15, frozenset())
    queue.set_center(dataclasses.replace(center, hours=hours))
    clock.set(dt.datetime(2026, 11, 23, 11, 14, tzinfo=center.timezone))
    assert set(reasons(queue).values()) == {None}
    clock.advance(minutes=1)  # 11:15: issuing stops fifteen minutes before the session ends
    assert set(reasons(queue).values()) == {"closed"}


def test_issuing_end_is_the_session_end_less_the_stop_minutes(center):
    hours = OpeningHours(frozenset(range(5)), (Session(dt.time(7, 0), dt.time(11, 30)),
                                               Session(dt.time(13, 30), dt.time(17, 0)),
                                               Session(dt.time(0, 5), dt.time(0, 10))), 15, frozenset())
    assert [hours.issuing_end(s) for s in hours.sessions] == [dt.time(11, 15), dt.time(16, 45), dt.time(0, 5)]


@pytest.fixture
def kiosk_client(tmp_path):
    def edit(text):
        return text.replace('sessions = [{ start = "00:00", end = "24:00" }]',
                            'sessions = [{ start = "07:00", end = "11:30" }, { start = "13:30", end = "17:00" }]'
                            '\nstop_issuing_minutes_before_end = 15')

    with app_over(tmp_path, edit=edit) as app:
        yield app.test_client()


def test_the_center_gives_the_times_issuing_actually_stops(kiosk_client):
    sessions = kiosk_client.get("/api/center").get_json()["sessions"]
    assert sessions == [{"start": "07:00", "end": "11:30", "issuing_end": "11:15"},
                        {"start": "13:30", "end": "17:00", "issuing_end": "16:45"}]


def test_search_endpoint(client):
    answer = client.get("/api/search", query_string={"q": "ho tich"})
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert results[0]["service_code"] == "ho-tich" and results[0]["department_name"] == "Sở Tư pháp"
    assert client.get("/api/search").get_json() == {"query": "", "results": []}


def test_a_bad_search_is_a_vietnamese_400_or_finds_nothing(client):
    answer = client.get("/api/search", query_string={"q": "x" * 101})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "bad_request", "message": "Từ khóa tìm kiếm dài quá 100 ký tự."}
    # bytes that are not UTF-8 arrive replaced (U+FFFD), which folds to nothing
    assert client.get("/api/search?q=%ED%A0%80").get_json()["results"] == []


def test_availability_endpoint(client):
    for _ in range(3):
        assert client.post("/api/tickets", json={"service_code": "ho-tich"}).status_code == 201
    services = client.get("/api/services/availability").get_json()["services"]
    assert services["ho-tich"] == {"available": False, "reason_code": "daily_cap_reached",
                                   "reason": "Đã hết số trong ngày"}
    assert services["ly-lich"]["available"] is True


def with_morning_only(center, start=dt.time(7, 30), end=dt.time(11, 0), stop=15):
    """The small center with its hours 07:00–17:00 and ho-tich received only from `start` to `end`."""
    services = {**center.services, "ho-tich": dataclasses.replace(center.services["ho-tich"],
                                                                   sessions=(Session(start, end),))}
    departments = tuple(dataclasses.replace(d, services=tuple(services[s.code] for s in d.services))
                        for d in center.departments)
    hours = OpeningHours(frozenset(range(7)), (Session(dt.time(7, 0), dt.time(17, 0)),), stop, frozenset())
    return dataclasses.replace(center, departments=departments, services=services, hours=hours)


def test_a_service_with_hours_of_its_own_is_unavailable_outside_them(queue, center, clock):
    queue.set_center(with_morning_only(center))
    clock.set(dt.datetime(2026, 11, 23, 7, 15, tzinfo=center.timezone))  # the center issues, ho-tich not yet
    answer = service_availability(queue)["ho-tich"]
    assert answer == {"available": False, "reason_code": "outside_service_hours", "reason": "Chỉ lấy số 07:30–10:45"}
    assert reasons(queue)["ly-lich"] is None
    with pytest.raises(QueueRefused) as refused:  # the queue refuses what the kiosk greys out
        queue.issue("ho-tich")
    assert refused.value.code == "service_closed"
    assert refused.value.message == "Lĩnh vực này chỉ lấy số trong giờ 07:30–10:45."
    clock.set(dt.datetime(2026, 11, 23, 7, 30, tzinfo=center.timezone))
    assert reasons(queue)["ho-tich"] is None and queue.issue("ho-tich").result["label"] == "B001"
    clock.set(dt.datetime(2026, 11, 23, 10, 45, tzinfo=center.timezone))  # its own stop, 15 minutes early
    assert reasons(queue)["ho-tich"] == "outside_service_hours"


def test_a_service_s_own_hours_are_read_written_and_checked(tmp_path):
    from server.core.center import CenterConfigError, center_from_raw, center_to_raw, load_center
    from tests.live import SMALL_CENTER

    def loaded(sessions):
        text = SMALL_CENTER.read_text(encoding="utf-8").replace(
            '{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3 },',
            f'{{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3, sessions = {sessions} }},')
        path = tmp_path / "center.toml"
        path.write_text(text, encoding="utf-8")
        return load_center(path)

    center = loaded('[{ start = "07:30", end = "11:00" }]')
    assert center.services["ho-tich"].sessions == (Session(dt.time(7, 30), dt.time(11, 0)),)
    assert center_to_raw(center)["departments"][0]["services"][1]["sessions"] == [{"start": "07:30", "end": "11:00"}]
    assert center_from_raw(center_to_raw(center), "lại") == center
    with pytest.raises(CenterConfigError) as info:
        loaded('[{ start = "11:00", end = "07:30" }]')
    assert info.value.key == "departments[0].services[1].sessions[0]" and "sau giờ bắt đầu" in info.value.problem
