"""The booking, remote-number and check-in routes over HTTP (server/web/appointments.py): shapes, refusals as 4xx
JSON in Vietnamese that change nothing, and 50 phones racing for a slot of 5 against the real server."""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.core import booking_codes
from tests.conftest import app_over
from tests.csrf import CsrfSession
from tests.live import SMALL_CENTER, LiveServer

# The small center works 00:00–24:00 every day; a slot that has begun may still be booked for 30 minutes, so the
# tests run whatever the time of day.
POLICY = """
[appointments]
slot_minutes = 30
days_ahead = 3
close_minutes_before = -30
per_phone_per_day = 2
per_address_per_day = {per_address}
late_minutes = 60
booked_every = 2
capacity = {{ "ly-lich" = {capacity}, "lai-xe" = 3 }}
remote_daily_cap = {{ "ly-lich" = 5 }}
"""


@pytest.fixture
def client(tmp_path):
    with app_over(tmp_path, POLICY.format(per_address=100, capacity=2)) as application:
        yield application.test_client()


def first_open_slot(client, service="ly-lich"):
    options = client.get("/api/appointments/options").get_json()
    for day in options["days"]:
        for slot in client.get(f"/api/appointments/slots?service={service}&date={day}").get_json()["slots"]:
            if slot["open"]:
                return day, slot
    raise AssertionError("no open slot")


def book(client, day, start, i=1, service="ly-lich"):
    return client.post("/api/appointments", json={"service_code": service, "date": day, "slot": start,
                                                   "name": f"Công dân {i}", "phone": f"09{i:08d}"})


def test_book_see_move_cancel_over_http(client):
    options = client.get("/api/appointments/options").get_json()
    services = {s["code"]: s for d in options["departments"] for s in d["services"]}
    assert services["ly-lich"]["bookable"] and services["ly-lich"]["remote"] and not services["lai-xe"]["remote"]
    day, slot = first_open_slot(client)
    made = book(client, day, slot["start"])
    assert made.status_code == 201
    booking = made.get_json()
    assert booking["manage_url"].endswith(f"/hen/{booking['token']}") and booking["phone"] == "090****001"
    assert booking_codes.normalized(booking["code"]) == booking["code"]
    qr = client.get(booking["qr_url"])
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    seen = client.get(f"/api/appointments/{booking['token']}").get_json()
    assert seen["code"] == booking["code"] and seen["name"] == "Công dân 1"
    later = [s for s in client.get(f"/api/appointments/slots?service=ly-lich&date={day}").get_json()["slots"]
             if s["open"] and s["start"] != slot["start"]]
    if later:
        moved = client.post(f"/api/appointments/{booking['token']}/move", json={"date": day, "slot": later[0]["start"]})
        assert moved.status_code == 200 and moved.get_json()["slot_start"] == later[0]["start"]
    cancelled = client.post(f"/api/appointments/{booking['token']}/cancel")
    assert cancelled.get_json()["state"] == "cancelled"
    again = client.post(f"/api/appointments/{booking['token']}/cancel")
    assert again.status_code == 409 and again.get_json()["error"] == "cannot_cancel"


def test_check_in_by_code_gives_a_ticket_with_its_phone_page(client):
    day, slot = first_open_slot(client)
    today = client.get("/api/appointments/options").get_json()["days"][0]
    if day != today:
        pytest.skip("no slot left today")
    booking = book(client, day, slot["start"]).get_json()
    answer = client.post("/api/checkin", json={"code": booking_codes.shown(booking["code"])})
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["ticket"]["channel"] == "appointment" and body["ticket"]["follow_url"].endswith(
        body["ticket"]["token"])
    assert body["timing"] in ("on_time", "early") and body["message"]
    status = client.get(f"/api/tickets/{body['ticket']['token']}").get_json()
    assert status["label"] == body["ticket"]["label"] and status["state"] == "waiting"


def test_remote_number_over_http(client):
    made = client.post("/api/remote-tickets", json={"service_code": "ly-lich", "name": "Từ Xa",
                                                    "phone": "0911222333"})
    assert made.status_code == 201
    body = made.get_json()
    assert body["ticket_url"] == f"/t/{body['ticket_token']}"
    status = client.get(f"/api/tickets/{body['ticket_token']}").get_json()
    assert status["state"] == "waiting" and status["ahead"] == 0 and status["channel"] == "phone"
    refused = client.post("/api/remote-tickets", json={"service_code": "lai-xe", "name": "Từ Xa",
                                                       "phone": "0911222444"})
    assert refused.status_code == 404 and refused.get_json()["error"] == "remote_off"


@pytest.mark.parametrize("url, body, status, error", [
    ("/api/appointments", {"service_code": "ly-lich", "date": "2026-13-01", "slot": "08:00", "name": "An",
                           "phone": "0912345678"}, 400, "bad_day"),
    ("/api/appointments", {"service_code": "ly-lich", "date": "{day}", "slot": "08:17", "name": "Nguyễn An",
                           "phone": "0912345678"}, 400, "unknown_slot"),
    ("/api/appointments", {"service_code": "ly-lich", "date": "{day}", "slot": "{slot}", "name": "Nguyễn An",
                           "phone": "12"}, 400, "bad_phone"),
    ("/api/appointments", {"service_code": "ly-lich", "date": "{day}", "slot": "{slot}", "name": 5,
                           "phone": "0912345678"}, 400, "bad_request"),
    ("/api/appointments", {"service_code": "van-tai", "date": "{day}", "slot": "{slot}", "name": "Nguyễn An",
                           "phone": "0912345678"}, 404, "not_bookable"),
    ("/api/checkin", {"code": "1234 5678"}, 400, "bad_code"),
    ("/api/checkin", {"code": "abc"}, 400, "bad_code"),
    ("/api/checkin", {"token": "no-such-token"}, 404, "unknown_booking"),
    ("/api/appointments/no-such-token/cancel", None, 404, "unknown_booking"),
    ("/api/appointments/no-such-token/move", {"date": "{day}", "slot": "{slot}"}, 404, "unknown_booking"),
])
def test_bad_input_is_a_clear_4xx_and_changes_nothing(client, url, body, status, error):
    day, slot = first_open_slot(client)
    if body is not None:
        body = {k: v.format(day=day, slot=slot["start"]) if isinstance(v, str) else v for k, v in body.items()}
    if error == "bad_code" and booking_codes.normalized(body["code"]) is not None:
        body["code"] = "0000 0001"  # the check digit of 0000000 is 0: this one is wrong
    answer = client.post(url, json=body) if body is not None else client.post(url)
    assert answer.status_code == status
    refusal = answer.get_json()
    assert refusal["error"] == error and refusal["message"] and not refusal["message"].isascii()
    left = {s["start"]: s["left"] for s in
            client.get(f"/api/appointments/slots?service=ly-lich&date={day}").get_json()["slots"]}
    assert left[slot["start"]] == slot["left"]


def test_phone_limit_is_a_429(client):
    day, slot = first_open_slot(client, "lai-xe")
    for _ in range(2):
        assert book(client, day, slot["start"], i=7, service="lai-xe").status_code == 201
    refused = book(client, day, slot["start"], i=7, service="lai-xe")
    assert refused.status_code == 429 and refused.get_json()["error"] == "phone_limit"


def test_the_day_board_is_for_supervisors(client):
    assert client.get("/api/appointments/day").status_code == 401


def test_fifty_phones_racing_for_a_slot_of_five_get_exactly_five_bookings(tmp_path):
    center = tmp_path / "center.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + POLICY.format(per_address=1000, capacity=5),
                      encoding="utf-8")
    server = LiveServer(tmp_path / "race.db", center=center).start()
    try:
        probe = CsrfSession()
        day, slot = first_open_slot(_Http(probe, server.url))
        phones = [CsrfSession() for _ in range(50)]
        for session in phones:  # each phone has its page (and its cookie) before anyone presses "Đặt lịch"
            session.get(server.url + "/api/session", timeout=10)
        start = threading.Barrier(50)

        def press(i):
            start.wait()
            return phones[i].post(server.url + "/api/appointments", timeout=60, json={
                "service_code": "ly-lich", "date": day, "slot": slot["start"], "name": f"Người {i}",
                "phone": f"09{i:08d}"})

        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(press, range(50)))
        booked = [a for a in answers if a.status_code == 201]
        full = [a for a in answers if a.status_code == 409]
        assert len(booked) == 5 and len(full) == 45
        for refusal in full:
            body = refusal.json()
            assert body["error"] == "slot_full" and "đã đủ người đặt" in body["message"]
            assert body["next_slots"] and all(s["start"] != slot["start"] or s["local_date"] != day
                                              for s in body["next_slots"])
        left = {s["start"]: s["left"] for s in probe.get(
            f"{server.url}/api/appointments/slots?service=ly-lich&date={day}", timeout=10).json()["slots"]}
        assert left[slot["start"]] == 0
        assert len({a.json()["code"] for a in booked}) == 5
    finally:
        server.stop()


class _Http:
    """`first_open_slot` over a requests session (it speaks Flask's test-client dialect)."""

    def __init__(self, session, base):
        self.session, self.base = session, base

    def get(self, path):
        answer = self.session.get(self.base + path, timeout=10)
        answer.get_json = answer.json
        return answer


def test_waiting_booked_citizens_are_for_staff(client):
    refused = client.get("/api/appointments/waiting")
    assert refused.status_code == 401 and refused.get_json()["message"]


@pytest.mark.parametrize("url", ["/api/appointments", "/api/remote-tickets", "/api/checkin"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, url):
    for answer in (client.post(url, data="{", content_type="application/json"), client.post(url, json=[1, 2])):
        assert answer.status_code == 400 and answer.get_json()["message"]


def test_names_and_phone_numbers_stay_out_of_the_servers_log_and_events(tmp_path):
    center = tmp_path / "center.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + POLICY.format(per_address=100, capacity=5),
                      encoding="utf-8")
    server = LiveServer(tmp_path / "private.db", center=center).start()
    secrets = {"name": "Hoàng Thị Riêng Tư", "phone": "0966 123 457"}
    try:
        http = CsrfSession()
        day, slot = first_open_slot(_Http(http, server.url))
        made = http.post(server.url + "/api/appointments", timeout=10, json={
            "service_code": "ly-lich", "date": day, "slot": slot["start"], **secrets}).json()
        remote = http.post(server.url + "/api/remote-tickets", timeout=10, json={
            "service_code": "ly-lich", "name": "Đỗ Văn Kín", "phone": "0977 654 321"}).json()
        for body in ({"code": made["code"]}, {"token": remote["token"]}):
            assert http.post(server.url + "/api/checkin", json=body, timeout=10).status_code == 201
        bad = http.post(server.url + "/api/appointments", timeout=10, json={
            "service_code": "ly-lich", "date": day, "slot": slot["start"], "name": "Hoàng Thị Riêng Tư",
            "phone": "0966 123 45"})
        assert bad.status_code == 400
    finally:
        server.stop()
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    conn = sqlite3.connect(server.database)
    try:
        stored = " ".join(str(tuple(r)) for table in ("tickets", "events")
                          for r in conn.execute(f"SELECT * FROM {table}"))
        kept = conn.execute("SELECT count(*) FROM appointments WHERE name IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert kept == 2  # they are in their own table, for the booking's life
    assert log.strip()  # the server did write its log (start-up, refusals, jobs)
    for secret in ("Hoàng Thị Riêng Tư", "Đỗ Văn Kín", "0966123457", "0966 123 457", "0977654321", "0977 654 321",
                   "Ho\\u00e0ng"):
        assert secret not in log and secret not in stored


FIELDS = {
    "/api/appointments": ("service_code", "date", "slot", "name", "phone"),
    "/api/remote-tickets": ("service_code", "name", "phone"),
    "/api/checkin": ("code", "token", "device"),
    "/api/appointments/{token}/move": ("date", "slot"),
    "/api/appointments/lookup": ("code", "phone"),
}


def test_hostile_values_in_every_field_are_refused_with_a_4xx(client):
    from tests.hostile import HOSTILE_VALUES, RAW_BODIES

    day, slot = first_open_slot(client)
    token = book(client, day, slot["start"], i=42).get_json()["token"]
    good = {"service_code": "ly-lich", "date": day, "slot": slot["start"], "name": "Nguyễn An",
            "phone": "0912345670", "code": "0000 0000", "device": "K1"}
    for path, fields in FIELDS.items():
        url = path.format(token=token)
        for key in fields:
            for value in HOSTILE_VALUES:
                body = {**{f: good[f] for f in fields if f != "token"}, key: value}
                answer = client.post(url, data=json.dumps(body), content_type="application/json")
                assert answer.status_code < 500, (url, key, repr(value)[:60], answer.get_data()[:200])
                assert answer.is_json
        for raw in RAW_BODIES:
            answer = client.post(url, data=raw, content_type="application/json")
            assert 400 <= answer.status_code < 500 and answer.is_json, (url, raw[:40])
    for value in ("", "\x00", "x" * 5000, "../../etc", "%ff"):
        for url in (f"/api/appointments/slots?service=ly-lich&date={value}",
                    f"/api/appointments/slots?service={value}&date={day}", f"/api/appointments/{value}",
                    f"/api/appointments/{value}/qr.svg"):
            assert client.get(url).status_code in (308, 400, 404)  # 308: werkzeug merging an empty segment


def test_a_lost_booking_is_found_by_its_code_and_phone_number(client):
    day, slot = first_open_slot(client)
    booking = book(client, day, slot["start"], i=5).get_json()
    found = client.post("/api/appointments/lookup", json={"code": booking["code_shown"], "phone": "+84 900 000 005"})
    assert found.status_code == 200 and found.get_json()["manage_url"] == booking["manage_url"]
    other = booking_codes.new_code()
    for code, phone, status, error in [(booking["code"], "0900000006", 404, "unknown_booking"),
                                       (other if other != booking["code"] else "00000000", "0900000005", 404,
                                        "unknown_booking"),
                                       ("1234", "0900000005", 400, "bad_code"),
                                       (booking["code"], "12", 400, "bad_phone")]:
        refused = client.post("/api/appointments/lookup", json={"code": code, "phone": phone})
        assert (refused.status_code, refused.get_json()["error"]) == (status, error)
