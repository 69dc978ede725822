"""The feedback inbox over HTTP: supervisors only, CSRF on writes, 400 for malformed input (never a 500), 404 for
an unknown item, 409 for a change the item's state does not allow, and the change broadcast to supervisors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_fuzz import FUZZ, bodies, once
from tests.test_rating_transport import supervisor_socket
from tests.test_realtime import PASSWORD, act, console, events, rt, sign_in, socket  # noqa: F401 (rt: a fixture)


@pytest.fixture
def leader(app, rt):
    """The supervisor giamsat, signed in without a counter (the admin quantri gets a password too)."""
    for username in ("giamsat", "quantri"):
        rt.accounts.set_password(username, PASSWORD)
    return sign_in(app, "giamsat", None)


def complaint(app, client, comment="Chờ lâu quá", level=3):
    """Serve a ticket at counter 1 and rate it on the phone; returns the inbox item the rating opened."""
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    desk = console(app)
    for action in ("call_next", "start", "finish"):
        assert act(desk, action, f"{action}-{token[:10]}")["ok"]
    reasons = ["Thời gian chờ lâu"] if level == 3 else []
    response = client.post(f"/api/tickets/{token}/rating", json={"level": level, "reasons": reasons,
                                                                 "comment": comment})
    assert response.status_code == 201, response.get_json()


def only_item(leader):
    [item] = leader.get("/api/feedback").get_json()["items"]
    return item


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/feedback"), ("GET", "/api/feedback/summary"), ("GET", "/api/feedback/filters"),
    ("GET", "/api/feedback/1"), ("POST", "/api/feedback/1/take"), ("POST", "/api/feedback/1/close"),
])
def test_supervisors_and_admins_only(app, rt, client, method, path):
    body = {"note": "x"} if method == "POST" else None
    anonymous = client.open(path, method=method, json=body)
    assert (anonymous.status_code, anonymous.get_json()["error"]) == (401, "not_signed_in")
    officer = sign_in(app, "an", 1).open(path, method=method, json=body)
    assert (officer.status_code, officer.get_json()["error"]) == (403, "forbidden")
    assert officer.get_json()["message"] == "Chỉ lãnh đạo, giám sát được theo dõi, xử lý phản ánh."


def test_take_and_close_with_a_note(app, rt, client, leader):
    complaint(app, client)
    item = only_item(leader)
    assert (item["label"], item["state"], item["comment"], item["officer_name"]) == \
        ("A001", "new", "Chờ lâu quá", "Nguyễn Văn An")
    assert leader.get("/api/feedback/summary").get_json() == {"open": 1, "open_dissatisfied": 1, "new": 1,
                                                              "in_progress": 0}
    taken = leader.post(f"/api/feedback/{item['id']}/take", json={"note": "Đã gọi lại công dân"})
    assert taken.status_code == 200 and taken.get_json()["state"] == "in_progress"
    admin = sign_in(app, "quantri", None)
    closed = admin.post(f"/api/feedback/{item['id']}/close", json={"note": "Đã trao đổi với công chức"})
    assert closed.status_code == 200
    body = leader.get(f"/api/feedback/{item['id']}").get_json()
    assert (body["state"], body["handled_by_name"]) == ("done", "Quản Trị Viên")
    assert [(h["actor"], h["to_state"], h["note"]) for h in body["history"]] == [
        ("giamsat", "in_progress", "Đã gọi lại công dân"), ("quantri", "done", "Đã trao đổi với công chức")]
    assert leader.get("/api/feedback/summary").get_json()["open"] == 0
    assert [i["id"] for i in leader.get("/api/feedback?state=done").get_json()["items"]] == [item["id"]]
    assert leader.get("/api/feedback?state=new,in_progress").get_json()["items"] == []


def test_take_needs_no_body(app, rt, client, leader):
    complaint(app, client)
    item = only_item(leader)
    assert leader.post(f"/api/feedback/{item['id']}/take").get_json()["history"][0]["note"] == ""


def test_writes_need_the_csrf_token(app, rt, client, leader):
    complaint(app, client)
    item = only_item(leader)
    response = leader.post(f"/api/feedback/{item['id']}/take", json={}, without_csrf=True)
    assert (response.status_code, response.get_json()["error"]) == (403, "csrf")
    assert only_item(leader)["state"] == "new"


@pytest.mark.parametrize("query", [
    "state=open", "state=new,closed", "first=2026-13-01", "first=23/11/2026", "last=2026-11-2", "first=²⁰²⁶-11-23",
    "first=2026-11-24&last=2026-11-23", "counter=abc", "counter=-1", "counter=²", "counter=99999999999999999999",
    "dissatisfied=yes", "limit=0", "limit=201", "limit=x", "offset=-3", "department=" + "x" * 65,
])
def test_malformed_filters_are_400(leader, query):
    response = leader.get(f"/api/feedback?{query}")
    assert response.status_code == 400, query
    assert response.get_json()["error"] == "bad_request" and response.get_json()["message"]


def test_filters(app, rt, client, leader):
    complaint(app, client)
    complaint(app, client, comment="Cảm ơn cán bộ", level=1)
    assert [i["label"] for i in leader.get("/api/feedback").get_json()["items"]] == ["A002", "A001"]
    assert [i["label"] for i in leader.get("/api/feedback?dissatisfied=1").get_json()["items"]] == ["A001"]
    assert [i["label"] for i in leader.get("/api/feedback?dissatisfied=0").get_json()["items"]] == ["A002"]
    day = only_item_of(leader, "dissatisfied=1")["local_date"]
    assert leader.get(f"/api/feedback?first={day}&last={day}&department=STP&service=ly-lich&counter=1&officer=an"
                      "&state=new").get_json()["total"] == 2
    assert leader.get("/api/feedback?officer=binh").get_json()["total"] == 0
    page = leader.get("/api/feedback?limit=1&offset=1").get_json()
    assert ([i["label"] for i in page["items"]], page["total"], page["more"]) == (["A001"], 2, False)
    choices = leader.get("/api/feedback/filters").get_json()
    assert [s["name"] for s in choices["states"]] == ["Mới", "Đang xử lý", "Đã xử lý"]
    assert choices["departments"][0]["services"][0] == {"code": "ly-lich", "name": "Lý lịch tư pháp"}
    assert {"username": "an", "name": "Nguyễn Văn An"} in choices["officers"]


def only_item_of(leader, query):
    [item] = leader.get(f"/api/feedback?{query}").get_json()["items"]
    return item


@pytest.mark.parametrize("path, body, status, error", [
    ("/api/feedback/abc", None, 400, "bad_request"),
    ("/api/feedback/1.5", None, 400, "bad_request"),
    ("/api/feedback/²", None, 400, "bad_request"),
    ("/api/feedback/999", None, 404, "unknown_feedback"),
    ("/api/feedback/999/take", {}, 404, "unknown_feedback"),
    ("/api/feedback/x/take", {}, 400, "bad_request"),
    ("/api/feedback/{id}/delete", {}, 404, "not_found"),
    ("/api/feedback/{id}/close", {}, 400, "note_required"),
    ("/api/feedback/{id}/close", {"note": "   "}, 400, "note_required"),
    ("/api/feedback/{id}/close", {"note": ["Đã gọi"]}, 400, "bad_note"),
    ("/api/feedback/{id}/close", {"note": "x" * 1001}, 400, "bad_note"),
    ("/api/feedback/{id}/take", [1, 2], 400, "invalid_json"),
    ("/api/feedback/{id}/reopen", {"note": "Chưa xong"}, 409, "feedback_state"),
])
def test_refusals(app, rt, client, leader, path, body, status, error):
    complaint(app, client)
    item = only_item(leader)
    path = path.replace("{id}", str(item["id"]))
    response = leader.get(path) if body is None else leader.post(path, json=body)
    assert (response.status_code, response.get_json()["error"]) == (status, error), response.get_json()
    assert response.get_json()["message"]
    assert only_item(leader)["history"] == []


def test_a_second_take_is_409(app, rt, client, leader):
    complaint(app, client)
    item = only_item(leader)
    assert leader.post(f"/api/feedback/{item['id']}/take", json={}).status_code == 200
    again = leader.post(f"/api/feedback/{item['id']}/take", json={})
    assert (again.status_code, again.get_json()["error"]) == (409, "feedback_state")
    assert again.get_json()["message"] == "Chỉ tiếp nhận được phản ánh mới."


def test_changes_reach_supervisors_and_only_numbers_reach_screens(app, rt, client, leader):
    complaint(app, client, comment="<b>lâu</b>")
    item = only_item(leader)
    supervisor = supervisor_socket(app)
    display = socket(app)
    display.emit("subscribe", {"screen": "display"}, callback=True)
    leader.post(f"/api/feedback/{item['id']}/take", json={"note": "Đã gọi lại"})
    [change] = events(supervisor, "feedback_changed")
    assert (change["item_id"], change["state"], change["actor_name"], change["note"], change["label"]) == \
        (item["id"], "in_progress", "Phạm Thị Giám Sát", "Đã gọi lại", "A001")
    assert not events(supervisor, "alert")
    [public] = [e for e in events(display) if e["kind"] == "feedback_changed"]
    assert public == {"seq": public["seq"], "kind": "feedback_changed", "at": public["at"], "item_id": item["id"],
                      "from_state": "new", "state": "in_progress"}
    assert not events(display, "feedback_changed")


FILTER_NAMES = ("state", "first", "last", "department", "service", "counter", "officer", "dissatisfied", "limit",
                "offset")


def fuzz_leader(app, rt, client):
    """The supervisor, and one complaint: made for the first example, kept for the others."""
    def setup():
        complaint(app, client)
        rt.accounts.set_password("giamsat", PASSWORD)
        return sign_in(app, "giamsat", None)

    return once(app, "feedback_leader", setup)


@given(query=st.dictionaries(st.sampled_from(FILTER_NAMES), st.text(max_size=15), max_size=5))
@FUZZ
def test_any_query_is_answered_or_refused_never_a_server_error(app, rt, client, query):
    leader = fuzz_leader(app, rt, client)
    response = leader.get("/api/feedback", query_string=query)
    assert response.status_code in (200, 400), (query, response.data)
    if response.status_code == 400:
        assert response.get_json()["message"]


def actions(app) -> int:
    with app.extensions["hangdoi"].store.read() as conn:
        return conn.execute("SELECT count(*) FROM feedback_actions").fetchone()[0]


@given(body=bodies, item=st.sampled_from(["1", "2", "x", "0", "-1", "1e3"]),
       change=st.sampled_from(["take", "close", "reopen"]))
@FUZZ
def test_any_change_body_is_applied_or_refused_never_a_server_error(app, rt, client, body, item, change):
    leader = fuzz_leader(app, rt, client)
    before = actions(app)
    response = leader.post(f"/api/feedback/{item}/{change}", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 400, 404, 409), response.data
    if response.status_code != 200:
        assert response.get_json()["message"] and actions(app) == before
    else:
        assert actions(app) == before + 1
