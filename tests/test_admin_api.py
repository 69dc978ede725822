"""The admin API (/api/admin): only admins, only with the CSRF token; a change shows at once in /api/center and
reaches connected screens as `center_changed`; refusals are JSON with the key; passwords; the audit listing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server import take_up_stored_configuration
from server.core.center_versions import SECTIONS, add_officer
from tests.test_fuzz import FUZZ, values

PASSWORD = "matkhau-qt"


@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    for username in ("an", "giamsat", "quantri"):
        runtime.accounts.set_password(username, PASSWORD)
    return runtime


def signed_in(app, username, counter=None):
    client = app.test_client()
    body = {"username": username, "password": PASSWORD, **({"counter": counter} if counter else {})}
    assert client.post("/api/session", json=body).status_code == 200
    return client


@pytest.fixture
def admin(app, rt):
    return signed_in(app, "quantri")


def config(client) -> dict:
    response = client.get("/api/admin/config")
    assert response.status_code == 200
    return response.get_json()


def renamed(client, name="Lý lịch tư pháp (mới)") -> list:
    departments = config(client)["sections"]["departments"]
    departments[0]["services"][0]["name"] = name
    return departments


def service_names(client) -> list:
    return [s["name"] for d in client.get("/api/center").get_json()["departments"] for s in d["services"]]


# ----- who may ---------------------------------------------------------------------------------------------------

REQUESTS = [("get", "/api/admin/config", None), ("put", "/api/admin/config/center", {"name": "X"}),
            ("post", "/api/admin/officers/an/password", {"password": "mat-khau-moi"}),
            ("get", "/api/admin/audit", None)]


@pytest.mark.parametrize("method, path, body", REQUESTS)
def test_anonymous_is_asked_to_sign_in(client, method, path, body):
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 401 and response.get_json()["error"] == "not_signed_in"


@pytest.mark.parametrize("username, counter", [("an", 1), ("giamsat", None)])
@pytest.mark.parametrize("method, path, body", REQUESTS)
def test_officers_and_supervisors_are_refused(app, rt, username, counter, method, path, body):
    client = signed_in(app, username, counter)
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 403 and response.get_json()["message"]
    assert rt.center.name != "X"


def test_a_write_without_the_csrf_token_is_refused(admin, rt):
    response = admin.put("/api/admin/config/departments", json=renamed(admin), without_csrf=True)
    assert response.status_code == 403 and response.get_json()["error"] == "csrf"
    assert "Lý lịch tư pháp (mới)" not in service_names(admin)


# ----- changes ---------------------------------------------------------------------------------------------------

def test_get_config_has_every_section_and_the_version(admin):
    answer = config(admin)
    assert set(answer["sections"]) == set(SECTIONS) and answer["version"] == 1
    assert answer["sections"]["counters"][0] == {"number": 1, "services": ["ly-lich", "ho-tich"]}


def test_a_change_shows_at_once_on_the_kiosk_api(admin, rt):
    response = admin.put("/api/admin/config/departments", json=renamed(admin))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["version"] == 2 and list(answer["sections"]) == ["departments"]
    assert "Lý lịch tư pháp (mới)" in service_names(admin)
    assert rt.queue.center.services["ly-lich"].name == "Lý lịch tư pháp (mới)"
    assert rt.ratings.center is rt.center and rt.accounts.center is rt.center


def test_a_new_counter_can_be_taken_at_once(app, admin, rt):
    counters = config(admin)["sections"]["counters"] + [{"number": 7, "services": ["van-tai"]}]
    assert admin.put("/api/admin/config/counters", json=counters).status_code == 200
    officer = app.test_client()
    assert officer.post("/api/session", json={"username": "an", "password": PASSWORD, "counter": 7}).status_code == 200
    assert [c["number"] for c in admin.get("/api/queue").get_json()["counters"]] == [1, 2, 3, 5, 7]


def test_connected_screens_receive_center_changed(app, admin, rt):
    display = rt.socketio.test_client(app)
    assert display.emit("subscribe", {"screen": "display"}, callback=True)["ok"]
    kiosk = rt.socketio.test_client(app)  # in no room at all
    display.get_received(), kiosk.get_received()
    admin.put("/api/admin/config/departments", json=renamed(admin))
    for client in (display, kiosk):
        changed = [m["args"][0] for m in client.get_received() if m["name"] == "center_changed"]
        assert changed == [{"version": 2}]
    admin.put("/api/admin/config/departments", json=renamed(admin))  # saved unchanged: nobody is disturbed
    assert not [m for m in display.get_received() if m["name"] == "center_changed"]


def test_a_version_stored_by_another_process_is_taken_up_and_announced(app, rt):
    display = rt.socketio.test_client(app)
    assert display.emit("subscribe", {"screen": "display"}, callback=True)["ok"]
    display.get_received()
    add_officer(rt.store, rt.configured, "thu.nt", "Nguyễn Thị Thu", "admin", "cli", rt.queue.now())  # the CLI
    assert rt.center.officer("thu.nt") is None
    assert take_up_stored_configuration(rt)  # follow_stored_configuration's step
    assert rt.center.officer("thu.nt").role == "admin" and rt.config_version == 2
    assert [m["args"][0] for m in display.get_received() if m["name"] == "center_changed"] == [{"version": 2}]
    assert not take_up_stored_configuration(rt)
    assert not [m for m in display.get_received() if m["name"] == "center_changed"]


def test_an_invalid_value_is_a_400_naming_the_key_and_changes_nothing(admin):
    departments = renamed(admin)
    departments[0]["services"][0]["prefix"] = "a1"
    response = admin.put("/api/admin/config/departments", json=departments)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_config" and body["key"] == "departments[0].services[0].prefix"
    assert "chữ cái in hoa" in body["message"]
    assert "Lý lịch tư pháp (mới)" not in service_names(admin) and config(admin)["version"] == 1


def test_a_change_the_live_queue_cannot_follow_is_a_409(app, admin, rt):
    signed_in(app, "an", 1)
    counters = [c for c in config(admin)["sections"]["counters"] if c["number"] != 1]
    response = admin.put("/api/admin/config/counters", json=counters)
    assert response.status_code == 409
    assert response.get_json()["error"] == "live_queue" and "Quầy 01" in response.get_json()["message"]
    assert rt.center.counter(1) is not None


def test_two_admins_editing_one_section_the_later_save_is_a_409_not_an_overwrite(app, admin, rt):
    loaded = config(admin)["version"]
    other = signed_in(app, "quantri")  # a second admin's browser
    headers = {"X-Config-Version": str(loaded)}
    assert admin.put("/api/admin/config/departments", json=renamed(admin), headers=headers).status_code == 200
    counters = config(other)["sections"]["counters"] + [{"number": 7, "services": ["van-tai"]}]
    departments = config(other)["sections"]["departments"]
    departments[0]["services"][0]["name"] = "Lý lịch tư pháp (B)"
    response = other.put("/api/admin/config/departments", json=departments, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"] == "config_changed" and response.get_json()["key"] == "departments"
    assert "Lý lịch tư pháp (mới)" in service_names(admin) and config(admin)["version"] == loaded + 1
    # Unchanged sections still save from the version the page was loaded at; without the header the newest wins.
    assert other.put("/api/admin/config/counters", json=counters, headers=headers).status_code == 200
    assert rt.center.counter(7) is not None
    assert other.put("/api/admin/config/departments", json=departments).status_code == 200
    assert "Lý lịch tư pháp (B)" in service_names(admin)
    for bad in ("abc", "-1", "٣"):
        refused = other.put("/api/admin/config/counters", json=counters, headers={"X-Config-Version": bad})
        assert refused.status_code == 400 and refused.get_json()["message"]


def test_a_finished_ticket_of_a_removed_service_still_has_its_phone_page(admin, rt):
    token = admin.post("/api/tickets", json={"service_code": "ho-tich"}).get_json()["token"]
    for step in (rt.queue.open_counter, rt.queue.call_next, rt.queue.start_service, rt.queue.finish):
        step(2, "binh")
    departments = config(admin)["sections"]["departments"]
    departments[0]["services"] = departments[0]["services"][:1]  # Hộ tịch goes; its counters keep Lý lịch
    assert admin.put("/api/admin/config/departments", json=departments).status_code == 200
    assert rt.center.counter(2).services == ("ly-lich",)
    page = admin.get(f"/api/tickets/{token}")
    assert page.status_code == 200 and page.get_json()["service_name"] == "ho-tich"
    assert admin.get(f"/api/tickets/{token}/ticket.png").status_code == 200


@pytest.mark.parametrize("path, data, status, error", [
    ("/api/admin/config/khac", "{}", 404, "unknown_section"),
    ("/api/admin/config/center", "không phải JSON", 400, "invalid_json"),
    ("/api/admin/config/center", "[]", 400, "invalid_config"),
])
def test_malformed_requests_are_refused_in_vietnamese(admin, path, data, status, error):
    response = admin.put(path, data=data, content_type="application/json")
    assert response.status_code == status and response.get_json()["error"] == error
    assert response.get_json()["message"]


@given(section=st.sampled_from(SECTIONS), body=values)
@FUZZ
def test_random_values_never_give_a_500(app, section, body):
    rt = app.extensions["hangdoi"]
    cache = app.extensions.setdefault("fuzz", {})
    if "admin" not in cache:
        rt.accounts.set_password("quantri", PASSWORD)
        cache["admin"] = signed_in(app, "quantri")
    before = rt.configured
    response = cache["admin"].put(f"/api/admin/config/{section}", data=json.dumps(body),
                                  content_type="application/json")
    assert response.status_code in (200, 400, 409), response.data
    if response.status_code != 200:
        assert response.get_json()["message"] and rt.configured is before


# ----- passwords and the audit log -------------------------------------------------------------------------------

def test_a_reset_password_lets_the_officer_sign_in_with_it(app, admin):
    response = admin.post("/api/admin/officers/an/password", json={"password": "mat-khau-moi"})
    assert response.status_code == 200
    officer = app.test_client()
    old = officer.post("/api/session", json={"username": "an", "password": PASSWORD, "counter": 1})
    assert old.status_code == 401
    new = officer.post("/api/session", json={"username": "an", "password": "mat-khau-moi", "counter": 1})
    assert new.status_code == 200


@pytest.mark.parametrize("path, body, status", [
    ("/api/admin/officers/khong-co/password", {"password": "mat-khau-moi"}, 404),
    ("/api/admin/officers/an/password", {"password": "123"}, 400),
    ("/api/admin/officers/an/password", {"password": ["mat-khau-moi"]}, 400),
    ("/api/admin/officers/an/password", {}, 400),
])
def test_bad_password_requests_are_refused(admin, path, body, status):
    response = admin.post(path, json=body)
    assert response.status_code == status and response.get_json()["message"]


def test_the_audit_lists_changes_newest_first_with_before_and_after_and_no_password(admin):
    admin.put("/api/admin/config/departments", json=renamed(admin))
    admin.post("/api/admin/officers/an/password", json={"password": "mat-khau-moi"})
    entries = admin.get("/api/admin/audit").get_json()["entries"]
    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("quantri", "password_reset", "an"), ("quantri", "config_departments", "departments"),
        ("tệp cấu hình", "config_import", str(admin.application.extensions["hangdoi"].settings.center_file))]
    assert entries[0]["before"] is None and entries[0]["after"] is None
    assert entries[1]["before"]["departments"][0]["services"][0]["name"] == "Lý lịch tư pháp"
    assert entries[1]["after"]["departments"][0]["services"][0]["name"] == "Lý lịch tư pháp (mới)"
    assert "mat-khau-moi" not in json.dumps(entries, ensure_ascii=False)
    older = admin.get(f"/api/admin/audit?before={entries[1]['id']}").get_json()["entries"]
    assert [e["action"] for e in older] == ["config_import"]
    for bad in ("abc", "²", "١٢"):  # only ASCII digits are ids ("²".isdigit() is True, int("²") fails)
        assert admin.get("/api/admin/audit", query_string={"before": bad}).status_code == 400
