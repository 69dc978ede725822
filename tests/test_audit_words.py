"""The audit log in words (server/core/audit_words.py): every action the server records is said in Vietnamese, and
its target by what it is (a device by its name, a feedback item by its ticket, an account by its officer), through
the admin API, with the codes kept beside the words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.core.audit_words import ACTIONS, CONFIG_PREFIX, action_text
from server.core.center_versions import SECTIONS
from server.core.devices import KINDS
from server.core.feedback import CHANGES
from tests.test_admin_api import PASSWORD, config, signed_in
from tests.test_rating_transport import serve_one
from tests.test_realtime import PASSWORD as CONSOLE_PASSWORD

SERVER = Path(__file__).resolve().parent.parent / "server"
RECORDED = re.compile(r"audit\.record\(\s*conn,\s*[^,]+,\s*[^,]+,\s*(f?)\"([a-z_{}]+)\"")
CODE_LEFT_AS_IS = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(device|code|feedback|account|address):")


def recorded_actions() -> set[str]:
    """Every action code the server's source passes to audit.record, f-strings expanded from their tables."""
    actions = set()
    for path in SERVER.rglob("*.py"):
        for is_format, code in RECORDED.findall(path.read_text(encoding="utf-8")):
            if code == "feedback_{change}":
                actions |= {f"feedback_{change}" for change in CHANGES}
            elif not is_format:
                actions.add(code)
    return actions | {f"{CONFIG_PREFIX}{section}" for section in SECTIONS} | {"config_import"}


def test_every_action_the_server_records_has_its_words():
    actions = recorded_actions()
    assert {"device_paired", "password_reset", "feedback_close", "sign_in_locked"} <= actions  # the scan finds them
    unsaid = [a for a in sorted(actions) if action_text(a).startswith("Thao tác khác")]
    assert unsaid == []
    assert set(ACTIONS) - actions == set()  # no words for an action nobody records


def test_an_unknown_action_is_still_said_as_one():
    assert action_text("something_new") == "Thao tác khác (something_new)"


@pytest.fixture
def admin_app(app):
    runtime = app.extensions["hangdoi"]
    for username in ("giamsat", "quantri"):
        runtime.accounts.set_password(username, PASSWORD)
    runtime.accounts.set_password("an", CONSOLE_PASSWORD)  # serve_one's console signs in with it
    return app


def do_every_audited_thing(app, client):
    """One of each audited action, the way the screens and the server do them."""
    rt = app.extensions["hangdoi"]
    admin = signed_in(app, "quantri")
    code = rt.devices.request_pairing("tablet", 1)["code"]
    approved = admin.post("/api/admin/devices/approve", json={"code": code, "name": "Máy tính bảng cửa số 1"})
    assert approved.status_code == 201
    device_id = admin.get("/api/admin/devices").get_json()["devices"][0]["id"]
    assert admin.post(f"/api/admin/devices/{device_id}/revoke").status_code == 200
    code = rt.devices.request_pairing("kiosk")["code"]
    assert admin.post("/api/admin/devices/reject", json={"code": code}).status_code == 200
    assert admin.post("/api/admin/officers/binh/password", json={"password": "mat-khau-moi"}).status_code == 200
    assert admin.post("/api/admin/officers/binh/sign-out").status_code == 200
    sections = config(admin)["sections"]
    sections["center"]["notice"] = "Chiều thứ Sáu nghỉ"
    assert admin.put("/api/admin/config/center", json=sections["center"]).status_code == 200

    token = serve_one(app, client)
    assert client.post(f"/api/tickets/{token}/rating", json={"level": 3, "comment": "Chờ lâu"}).status_code == 201
    supervisor = signed_in(app, "giamsat")
    item = supervisor.get("/api/feedback").get_json()["items"][0]["id"]
    for change in CHANGES:
        answer = supervisor.post(f"/api/feedback/{item}/{change}", json={"note": "Đã gọi lại cho công dân"})
        assert answer.status_code == 200, answer.get_json()
    stranger = app.test_client()
    for _ in range(rt.accounts.limits.attempts + 1):
        stranger.post("/api/session", json={"username": "cuong", "password": "sai-mat-khau", "counter": 3})
    locks = admin.get("/api/admin/sessions").get_json()["locks"]
    assert admin.post("/api/admin/sign-in-locks/clear", json={"key": locks[0]["key"]}).status_code == 200
    return admin, device_id, token


def test_every_row_of_the_log_is_in_words(admin_app, client):
    admin, device_id, _token = do_every_audited_thing(admin_app, client)
    entries = admin.get("/api/admin/audit").get_json()["entries"]
    seen = {e["action"] for e in entries}
    assert seen >= {"config_import", "config_center", "device_paired", "device_revoked", "pairing_rejected",
                    "password_reset", "sessions_ended", "sign_in_locked", "sign_in_unlocked"} | {
        f"feedback_{change}" for change in CHANGES}
    for entry in entries:
        words = " ".join((entry["action_text"], entry["target_text"], entry["actor_text"], entry["detail_text"]))
        assert not CODE_LEFT_AS_IS.search(words), entry
        assert entry["action_text"] == action_text(entry["action"])
    by_action = {e["action"]: e for e in entries}
    paired = by_action["device_paired"]
    assert paired["target"] == f"device:{device_id}"  # the code stays beside the words
    assert paired["target_text"] == f"{KINDS['tablet']} “Máy tính bảng cửa số 1” (thiết bị số {device_id})"
    assert paired["actor_text"] == "Quản Trị Viên (quantri)"
    assert by_action["password_reset"]["target_text"] == "Tài khoản Trần Thị Bình (binh)"
    assert by_action["config_center"]["action_text"] == "Sửa cấu hình: Thông tin chung"
    assert re.fullmatch(r"Phản ánh số \d+ \(số thứ tự A001 ngày \d\d/\d\d/\d{4}\)",
                        by_action["feedback_close"]["target_text"])
    assert by_action["config_import"]["actor_text"] == "Tệp cấu hình (khi khởi động)"
    # What changed, in a sentence.
    assert by_action["config_center"]["detail_text"] == "Các mục đã đổi: Thông tin chung."
    assert paired["detail_text"] == "Gắn với quầy 01."
    assert by_action["feedback_close"]["detail_text"] == "Đang xử lý → Đã xử lý. Ghi chú: Đã gọi lại cho công dân"
    assert by_action["feedback_take"]["detail_text"].startswith("Mới → Đang xử lý.")
    assert re.fullmatch(r"Nhập sai \d+ lần( \(từ máy [0-9.:]+\))?; phải chờ \d+ phút\.",
                        by_action["sign_in_locked"]["detail_text"])
    assert by_action["sessions_ended"]["detail_text"] == \
        f"Đã đăng xuất {by_action['sessions_ended']['after']['ended']} phiên đăng nhập."
