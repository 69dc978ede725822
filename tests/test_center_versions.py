"""The center kept as versions: the file round-trips through the stored mapping, each section can be changed and is
audited, a change today's queue cannot follow is refused, versions outlive the app, the file is imported again
only when it changes, and the command line adds the first admin."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time

import pytest

from server import CONFIG_CHECK_SECONDS, create_app
from server.core import audit
from server.core.center import CenterConfigError, center_from_raw, center_to_raw, load_center
from server.core.center_versions import (
    FILE_ACTOR,
    LiveQueueConflict,
    StaleEdit,
    change_section,
    effective_center,
    latest_version,
)
from server.core.devices import Devices
from server.settings import DEMO_CENTER, Settings
from tests.csrf import CsrfFlaskClient, CsrfSession
from tests.live import ROOT, SMALL_CENTER


@pytest.fixture
def current(store, clock):
    """The small center as the server would run it: imported from its file as version 1."""
    return effective_center(store, SMALL_CENTER, clock())


def raw_of(center) -> dict:
    return json.loads(json.dumps(center_to_raw(center)))  # what is stored: plain JSON


def rows(store):
    with store.read() as conn:
        return conn.execute("SELECT count(*) FROM center_versions").fetchone()[0], len(audit.entries(store))


@pytest.mark.parametrize("path", [SMALL_CENTER, DEMO_CENTER])
def test_a_center_round_trips_through_its_stored_mapping(path):
    center = load_center(path)
    again = center_from_raw(raw_of(center), "phiên bản 1")
    assert dataclasses.replace(again, source=center.source) == center
    assert center_to_raw(again) == center_to_raw(center)
    assert again.source == "phiên bản 1"


def test_the_mapping_is_shaped_like_the_file():
    raw = center_to_raw(load_center(DEMO_CENTER))
    assert raw["hours"]["working_days"] == ["T2", "T3", "T4", "T5", "T6", "T7"]
    assert raw["hours"]["sessions"][0] == {"start": "07:00", "end": "11:30"}
    assert raw["hours"]["holidays"][0] == "2026-01-01"
    assert raw["rating"] == {"scale": 3, "reasons": list(load_center(DEMO_CENTER).rating.reasons)}
    service = raw["departments"][2]["services"][0]
    assert service == {"code": "giay-phep-lai-xe", "name": "Cấp, đổi giấy phép lái xe", "prefix": "C",
                       "daily_cap": 400, "service_minutes": 6, "keywords": service["keywords"],
                       "procedures": service["procedures"]}
    assert "GPLX" in service["keywords"] and "Cấp lại giấy phép lái xe" in service["procedures"]
    assert center_to_raw(load_center(SMALL_CENTER))["hours"]["sessions"] == [{"start": "00:00", "end": "24:00"}]


def renamed_service(raw):
    raw["departments"][0]["services"][0]["name"] = "Lý lịch tư pháp (số 1, 2)"
    return raw["departments"]


def new_counter(raw):
    return [*raw["counters"], {"number": 6, "name": "Quầy lưu động", "services": ["van-tai", "lai-xe"]}]


def new_officer(raw):
    return [*raw["officers"], {"username": "dung", "name": "Võ Thị Dung", "department": "SGTVT", "role": "officer"}]


@pytest.mark.parametrize("section, change, check", [
    ("center", lambda r: {**r["center"], "name": "Trung tâm mới"}, lambda c: c.name == "Trung tâm mới"),
    ("hours", lambda r: {**r["hours"], "sessions": [{"start": "07:30", "end": "11:30"}], "holidays": ["2026-12-31"]},
     lambda c: [s.start.hour for s in c.hours.sessions] == [7] and len(c.hours.holidays) == 1),
    ("queue", lambda r: {**r["queue"], "priority_policy": "strict", "no_show_min_calls": 3},
     lambda c: c.priority_policy == "strict" and c.no_show_min_calls == 3),
    ("departments", renamed_service, lambda c: c.services["ly-lich"].name == "Lý lịch tư pháp (số 1, 2)"),
    ("counters", new_counter, lambda c: c.counter(6).services == ("van-tai", "lai-xe")),
    ("officers", new_officer, lambda c: c.officer("dung").department_code == "SGTVT"),
    ("priority_groups", lambda r: [*r["priority_groups"], {"code": "khuyet-tat", "name": "Người khuyết tật"}],
     lambda c: c.priority_group("khuyet-tat").name == "Người khuyết tật"),
    ("rating", lambda r: {"scale": 5, "reasons": ["Thời gian chờ lâu"]},
     lambda c: len(c.rating.levels) == 5 and c.rating.reasons == ("Thời gian chờ lâu",)),
])
def test_each_section_changes_and_is_audited(store, clock, current, section, change, check):
    raw = raw_of(current)
    value = change(raw_of(current))
    center = change_section(store, current, section, value, "quantri", clock())
    assert check(center)
    assert latest_version(store) == 2
    assert effective_center(store, SMALL_CENTER, clock()) == center  # the stored version is what runs next
    entry = audit.entries(store)[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("quantri", f"config_{section}", section)
    assert entry["before"] == {section: raw[section]}
    assert entry["after"] == {section: center_to_raw(center)[section]}
    assert entry["at"] == int(clock())


def test_saving_a_section_unchanged_stores_nothing(store, clock, current):
    before = rows(store)
    change_section(store, current, "counters", raw_of(current)["counters"], "quantri", clock())
    assert rows(store) == before


@pytest.mark.parametrize("section, value, key", [
    ("departments", lambda r: [{**r["departments"][0], "services": [{**r["departments"][0]["services"][0],
                                                                    "prefix": "a1"}]}],
     "departments[0].services[0].prefix"),
    ("counters", lambda r: [{"number": 1, "services": ["xe-bay"]}], "counters[0].services"),
    ("officers", lambda r: [*r["officers"], {"username": "an", "name": "Trùng", "role": "officer"}],
     "officers[5].username"),
    ("hours", lambda r: {**r["hours"], "sessions": [{"start": "11:30", "end": "07:30"}]}, "hours.sessions[0]"),
    ("rating", lambda r: {"scale": 4}, "rating.scale"),
    ("center", lambda r: ["không phải bảng"], "center"),
    ("counters", lambda r: [{"number": 1, "services": [["lồng"]]}], "counters[0].services"),
    ("priority_groups", lambda r: ["người cao tuổi"], "priority_groups[0]"),
])
def test_an_invalid_section_is_refused_with_its_key_and_stores_nothing(store, clock, current, section, value, key):
    before = rows(store)
    with pytest.raises(CenterConfigError) as info:
        change_section(store, current, section, value(raw_of(current)), "quantri", clock())
    assert info.value.key == key
    assert rows(store) == before


def without_service(raw, code):
    for department in raw["departments"]:
        department["services"] = [s for s in department["services"] if s["code"] != code]
    return raw["departments"]


def test_a_service_is_added_with_its_counters_and_removed_from_them_in_one_save(store, clock, current):
    departments = raw_of(current)["departments"]
    departments[1]["services"].append({"code": "dang-kiem", "name": "Đăng kiểm", "prefix": "E", "daily_cap": 50,
                                       "counters": [3, 5]})
    center = change_section(store, current, "departments", departments, "quantri", clock())
    assert [c.number for c in center.counters_serving("dang-kiem")] == [3, 5]
    assert center.counter(5).services == ("van-tai", "dang-kiem")  # appended: the counter's own order first
    after = audit.entries(store)[0]["after"]
    assert set(after) == {"departments", "counters"}  # the audit shows every section the save touched
    center = change_section(store, center, "departments", without_service(raw_of(center), "dang-kiem"),
                            "quantri", clock())
    assert "dang-kiem" not in center.services and center.counter(5).services == ("van-tai",)


def test_officers_of_a_removed_department_keep_no_department(store, clock, current):
    raw = raw_of(current)
    for counter in raw["counters"][:2]:  # counters 1 and 2 must keep something to serve
        counter["services"].append("lai-xe")
    current = change_section(store, current, "counters", raw["counters"], "quantri", clock())
    center = change_section(store, current, "departments", raw["departments"][1:], "quantri", clock())
    assert center.officer("an").department_code is None and center.officer("cuong").department_code == "SGTVT"


# ----- refusals that protect today's queue -----------------------------------------------------------------------

def test_a_service_with_people_waiting_today_cannot_be_removed(store, clock, current, queue):
    queue.issue("ho-tich")
    before = rows(store)
    with pytest.raises(LiveQueueConflict) as info:
        change_section(store, current, "departments", without_service(raw_of(current), "ho-tich"), "quantri", clock())
    assert "Hộ tịch" in info.value.message and info.value.key == "departments"
    assert rows(store) == before
    clock.advance(minutes=24 * 60)  # tomorrow yesterday's ticket no longer holds it
    center = change_section(store, current, "departments", without_service(raw_of(current), "ho-tich"), "quantri",
                            clock())
    assert "ho-tich" not in center.services and center.counter(2).services == ("ly-lich",)


def test_a_service_being_served_cannot_be_removed(store, clock, current, queue):
    queue.issue("ho-tich")
    queue.open_counter(2, "binh")
    queue.call_next(2, "binh")
    queue.start_service(2, "binh")
    with pytest.raises(LiveQueueConflict):
        change_section(store, current, "departments", without_service(raw_of(current), "ho-tich"), "quantri", clock())


def test_the_prefix_of_a_service_that_issued_numbers_today_cannot_change(store, clock, current, queue):
    ticket = queue.issue("ly-lich").result
    queue.cancel(ticket["token"])  # even when nobody waits any more: its numbers are on paper today
    departments = raw_of(current)["departments"]
    departments[0]["services"][0]["prefix"] = "L"
    with pytest.raises(LiveQueueConflict) as info:
        change_section(store, current, "departments", departments, "quantri", clock())
    assert "“A”" in info.value.message and "ngày mai" in info.value.message
    departments[0]["services"][0]["prefix"] = "A"
    departments[0]["services"][1]["prefix"] = "H"  # Hộ tịch issued nothing today
    changed = change_section(store, current, "departments", departments, "quantri", clock())
    assert changed.services["ho-tich"].prefix == "H"


def test_a_counter_someone_holds_cannot_be_removed(store, clock, current, queue):
    queue.open_counter(5, "cuong")
    raw = raw_of(current)  # counter 3 serves van-tai too: only counter 5 goes
    with pytest.raises(LiveQueueConflict) as info:
        change_section(store, current, "counters", raw["counters"][:3], "quantri", clock())
    assert "Quầy 05" in info.value.message
    queue.close_counter(5, "cuong")
    assert change_section(store, current, "counters", raw["counters"][:3], "quantri", clock()).counter(5) is None


def test_a_counter_with_a_ticket_transferred_to_it_today_cannot_be_removed(store, clock, current, queue):
    queue.issue("van-tai")
    queue.open_counter(3, "cuong")
    queue.call_next(3, "cuong")
    queue.transfer(3, "cuong", to_counter=5)  # waits for counter 5 alone
    queue.close_counter(3, "cuong")
    without_5 = raw_of(current)["counters"][:3]
    before = rows(store)
    with pytest.raises(LiveQueueConflict) as info:
        change_section(store, current, "counters", without_5, "quantri", clock())
    assert "Quầy 05" in info.value.message and "chuyển đến" in info.value.message
    assert rows(store) == before
    queue.open_counter(5, "cuong")
    queue.call_next(5, "cuong")
    queue.start_service(5, "cuong")
    queue.finish(5, "cuong")
    queue.close_counter(5, "cuong")
    assert change_section(store, current, "counters", without_5, "quantri", clock()).counter(5) is None


def test_a_counter_with_a_paired_tablet_cannot_be_removed_until_the_tablet_is_revoked(store, clock, current, center):
    devices = Devices(center, store, clock)
    tablet = devices.approve(devices.request_pairing("tablet", 5)["code"], "quantri", "Máy tính bảng quầy 5", 5)
    without_5 = raw_of(current)["counters"][:3]
    with pytest.raises(LiveQueueConflict) as info:
        change_section(store, current, "counters", without_5, "quantri", clock())
    assert "Quầy 05" in info.value.message and "thu hồi" in info.value.message
    devices.revoke(tablet.id, "quantri")
    assert change_section(store, current, "counters", without_5, "quantri", clock()).counter(5) is None


def test_an_officer_holding_a_counter_cannot_be_removed(store, clock, current, queue):
    queue.open_counter(1, "binh")
    officers = [o for o in raw_of(current)["officers"] if o["username"] != "binh"]
    with pytest.raises(LiveQueueConflict) as info:
        change_section(store, current, "officers", officers, "quantri", clock())
    assert "Trần Thị Bình" in info.value.message and "01" in info.value.message


def test_a_section_changed_since_the_editor_loaded_it_is_not_overwritten(store, clock, current):
    loaded = latest_version(store)
    first = raw_of(current)["center"] | {"notice": "Thông báo của quản trị viên A"}
    current = change_section(store, current, "center", first, "quantri", clock(), edited_version=loaded)
    second = raw_of(current)["center"] | {"notice": "Thông báo của quản trị viên B"}
    before = rows(store)
    with pytest.raises(StaleEdit) as info:  # B loaded the page before A saved
        change_section(store, current, "center", second, "qt2", clock(), edited_version=loaded)
    assert info.value.key == "center" and "người khác thay đổi" in info.value.message
    assert rows(store) == before and current.notice == "Thông báo của quản trị viên A"
    # Another section, unchanged since B loaded the page, still saves from the same version.
    rating = raw_of(current)["rating"] | {"reasons": ["Chờ lâu"]}
    current = change_section(store, current, "rating", rating, "qt2", clock(), edited_version=loaded)
    assert current.rating.reasons == ("Chờ lâu",)
    # After reloading, B's edit goes through.
    current = change_section(store, current, "center", second, "qt2", clock(), edited_version=latest_version(store))
    assert current.notice == "Thông báo của quản trị viên B"
    with pytest.raises(StaleEdit):  # a version that never existed
        change_section(store, current, "center", first, "qt2", clock(), edited_version=999)


def test_the_last_admin_cannot_be_removed_or_demoted(store, clock, current):
    officers = raw_of(current)["officers"]
    with pytest.raises(LiveQueueConflict):
        change_section(store, current, "officers", [o for o in officers if o["role"] != "admin"], "quantri", clock())
    demoted = [{**o, "role": "supervisor"} if o["role"] == "admin" else o for o in officers]
    with pytest.raises(LiveQueueConflict):
        change_section(store, current, "officers", demoted, "quantri", clock())
    two = change_section(store, current, "officers", [*officers, {"username": "qt2", "name": "Quản trị 2",
                                                                   "role": "admin"}], "quantri", clock())
    assert change_section(store, two, "officers", [o for o in raw_of(two)["officers"] if o["username"] != "quantri"],
                          "qt2", clock()).officer("quantri") is None


# ----- the file and the stored versions --------------------------------------------------------------------------

def test_the_first_start_imports_the_file_and_audits_it(store, clock, current):
    [entry] = audit.entries(store)
    assert (entry["actor"], entry["action"], entry["target"]) == (FILE_ACTOR, "config_import", str(SMALL_CENTER))
    assert entry["before"] is None and entry["after"] == raw_of(current)


def test_the_file_is_imported_again_only_when_it_changes(tmp_path, store, clock):
    path = tmp_path / "center.toml"
    text = SMALL_CENTER.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    center = effective_center(store, path, clock())
    center = change_section(store, center, "center", {**raw_of(center)["center"], "name": "Đổi trên màn hình"},
                            "quantri", clock())
    assert effective_center(store, path, clock()).name == "Đổi trên màn hình"  # same file: the edit stays
    assert latest_version(store) == 2
    path.write_text(text.replace('notice = "Thông báo thử nghiệm"', 'notice = "Thông báo mới"'), encoding="utf-8")
    again = effective_center(store, path, clock())  # the file changed: newest change wins
    assert again.notice == "Thông báo mới" and again.name == "Trung tâm Phục vụ hành chính công thử nghiệm"
    assert latest_version(store) == 3
    entry = audit.entries(store)[0]
    assert entry["actor"] == FILE_ACTOR
    assert entry["before"]["center"]["name"] == "Đổi trên màn hình"
    assert entry["after"]["center"]["notice"] == "Thông báo mới"
    assert effective_center(store, path, clock()) == again and latest_version(store) == 3


def test_a_bad_file_names_the_file_and_key_even_with_stored_versions(tmp_path, store, clock):
    path = tmp_path / "center.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8"), encoding="utf-8")
    effective_center(store, path, clock())
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8").replace('prefix = "B"', 'prefix = "A"'), encoding="utf-8")
    with pytest.raises(CenterConfigError) as info:
        effective_center(store, path, clock())
    assert str(path) in str(info.value) and info.value.key == "departments[0].services[1].prefix"
    assert latest_version(store) == 1


def app_on(database):
    app = create_app(Settings(center_file=SMALL_CENTER, database=database, async_mode="threading", testing=True,
                              secret_key="test", require_devices=False))
    app.test_client_class = CsrfFlaskClient
    return app


def close(app):
    app.extensions["hangdoi"].store.close()
    app.extensions["hangdoi_lock"].close()


def test_an_edited_center_outlives_the_app(tmp_path):
    app = app_on(tmp_path / "keep.db")
    rt = app.extensions["hangdoi"]
    change_section(rt.store, rt.configured, "counters", new_counter(raw_of(rt.configured)), "quantri", rt.queue.now())
    assert rt.adopt_newer_configuration() and rt.center.counter(6) is not None
    assert not rt.adopt_newer_configuration()  # nothing newer the second time
    close(app)
    again = app_on(tmp_path / "keep.db")
    try:
        rt = again.extensions["hangdoi"]
        assert rt.center.counter(6).name == "Quầy lưu động"
        assert [c["number"] for c in rt.queue.counters_overview()] == [1, 2, 3, 5, 6]
    finally:
        close(again)


def test_the_demo_override_applies_to_a_new_center_but_is_never_stored(tmp_path):
    app = create_app(Settings(center_file=SMALL_CENTER, database=tmp_path / "demo.db", async_mode="threading",
                              testing=True, secret_key="test", require_devices=False, ignore_opening_hours=True))
    rt = app.extensions["hangdoi"]
    try:
        hours = {**raw_of(rt.configured)["hours"], "working_days": ["T2"], "sessions": [{"start": "07:00",
                                                                                          "end": "08:00"}]}
        change_section(rt.store, rt.configured, "hours", hours, "quantri", rt.queue.now())
        assert rt.adopt_newer_configuration()
        assert rt.center.hours.sessions[0].end.hour == 23 and rt.queue.center is rt.center  # still open all day
        assert rt.configured.hours.sessions[0].end.hour == 8
        assert center_to_raw(rt.configured)["hours"] == hours
    finally:
        close(app)


# ----- the command line ------------------------------------------------------------------------------------------

def cli(tmp_path, *args, password="matkhau-qt"):
    env = {**os.environ, "HANGDOI_CENTER": str(SMALL_CENTER), "HANGDOI_DATABASE": str(tmp_path / "cli.db")}
    return subprocess.run([sys.executable, "-m", "server", *args], input=f"{password}\n", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=60, check=False)


def test_create_admin_adds_an_admin_who_can_sign_in(tmp_path):
    result = cli(tmp_path, "create-admin", "thu.nt", "--name", "Nguyễn Thị Thu")
    assert result.returncode == 0, result.stderr
    assert "thu.nt" in result.stdout
    app = app_on(tmp_path / "cli.db")
    try:
        rt = app.extensions["hangdoi"]
        assert rt.center.officer("thu.nt").role == "admin" and rt.center.officer("thu.nt").name == "Nguyễn Thị Thu"
        actions = [(e["actor"], e["action"], e["target"]) for e in audit.entries(rt.store)]
        assert actions[:2] == [("cli", "password_reset", "thu.nt"), ("cli", "config_officers", "officers")]
        assert all("matkhau-qt" not in json.dumps(e, ensure_ascii=False) for e in audit.entries(rt.store))
        signed = app.test_client().post("/api/session", json={"username": "thu.nt", "password": "matkhau-qt"})
        assert signed.status_code == 200 and signed.get_json()["officer"]["role"] == "admin"
    finally:
        close(app)


@pytest.mark.live
def test_an_admin_created_while_the_server_runs_signs_in_without_a_restart(tmp_path, live_server):
    browser = CsrfSession()
    result = subprocess.run([sys.executable, "-m", "server", "create-admin", "thu.nt", "--name", "Nguyễn Thị Thu"],
                            input="matkhau-qt\n", text=True, capture_output=True, cwd=ROOT, timeout=60, check=False,
                            env={**os.environ, "HANGDOI_CENTER": str(live_server.center),
                                 "HANGDOI_DATABASE": str(live_server.database)})
    assert result.returncode == 0, result.stderr
    assert "không cần khởi động lại" in result.stdout
    # Each refused try counts against the account's sign-in limit (5 in 15 minutes, also for a name not known
    # yet): wait for the server's configuration check first, then try a few times, slowly.
    time.sleep(CONFIG_CHECK_SECONDS + 1)
    deadline = time.monotonic() + 2 * CONFIG_CHECK_SECONDS
    while True:
        signed = browser.post(f"{live_server.url}/api/session", json={"username": "thu.nt", "password": "matkhau-qt"},
                              timeout=10)
        if signed.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(2.5)
    assert signed.status_code == 200 and signed.json()["officer"]["role"] == "admin"


def test_create_admin_refuses_an_existing_username_and_a_short_password(tmp_path):
    refused = cli(tmp_path, "create-admin", "an", "--name", "Nguyễn Văn An")
    assert refused.returncode != 0 and "đã tồn tại" in refused.stderr
    short = cli(tmp_path, "create-admin", "moi", "--name", "Mới", password="123")
    assert short.returncode != 0 and "ít nhất 6" in short.stderr
    app = app_on(tmp_path / "cli.db")
    try:
        rt = app.extensions["hangdoi"]
        assert rt.center.officer("an").role == "officer" and rt.center.officer("moi") is None
        assert latest_version(rt.store) == 1
    finally:
        close(app)
