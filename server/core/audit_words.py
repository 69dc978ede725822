"""The audit log in words: what each recorded action, target and actor means, as the admin's "Nhật ký thay đổi" says
it ("Ghép nối thiết bị", "Máy tính bảng “Quầy 01” (thiết bị số 9)") instead of its codes (`device_paired`,
`device:9`).

The one mapping from the codes that server/core/audit.py stores to Vietnamese; a row keeps its codes beside the
words (a script or an auditor may filter on them). Targets are named from the database and the center as they are
now: a device by its name, a feedback item by its ticket, an account by its officer's name.
"""

from __future__ import annotations

from .center import Center
from .center_versions import FILE_ACTOR
from .devices import KINDS
from .feedback import STATE_NAMES
from .field_labels import SECTIONS
from .store import Store

ACTIONS = {
    "config_import": "Nạp tệp cấu hình",
    "password_reset": "Đặt lại mật khẩu",
    "sessions_ended": "Đăng xuất khỏi mọi máy",
    "device_paired": "Ghép nối thiết bị",
    "pairing_rejected": "Từ chối yêu cầu ghép nối",
    "device_revoked": "Thu hồi thiết bị",
    "feedback_take": "Tiếp nhận phản ánh",
    "feedback_close": "Xử lý xong phản ánh",
    "feedback_reopen": "Mở lại phản ánh",
    "sign_in_locked": "Tạm khoá đăng nhập (sai mật khẩu nhiều lần)",
    "sign_in_unlocked": "Mở khoá đăng nhập",
}
# config_<section>: an admin saved one section of /admin/config.
CONFIG_PREFIX = "config_"
# Actors that are no account: the center file at start-up, the command line.
ACTORS = {FILE_ACTOR: "Tệp cấu hình (khi khởi động)", "cli": "Dòng lệnh trên máy chủ"}


def action_text(action: str) -> str:
    """What an action code means; an unknown one (a newer server's) is still said as an action."""
    if action in ACTIONS:
        return ACTIONS[action]
    if action.startswith(CONFIG_PREFIX) and action[len(CONFIG_PREFIX):] in SECTIONS:
        return f"Sửa cấu hình: {SECTIONS[action[len(CONFIG_PREFIX):]]}"
    return f"Thao tác khác ({action})"


class AuditWords:
    """Names the actors and targets of audit rows from one read of the database and the center."""

    def __init__(self, store: Store, center: Center):
        self.store, self.center = store, center

    def person(self, username: str) -> str:
        """An account by its officer's name: "Nguyễn Văn An (an)"."""
        if username in ACTORS:
            return ACTORS[username]
        officer = self.center.officer(username)
        return f"{officer.name} ({username})" if officer else username

    def target(self, conn, action: str, target: str) -> str:
        kind, _, rest = target.partition(":")
        if action.startswith(CONFIG_PREFIX):
            return f"Tệp {target}" if action == "config_import" else SECTIONS.get(target, target)
        if kind == "device" and rest.isdigit():
            row = conn.execute("SELECT kind, name FROM devices WHERE id = ?", (int(rest),)).fetchone()
            return f"{KINDS.get(row['kind'], row['kind'])} “{row['name']}” (thiết bị số {rest})" if row \
                else f"Thiết bị số {rest}"
        if kind == "code":
            return f"Mã ghép nối {rest}"
        if kind == "feedback" and rest.isdigit():
            row = conn.execute("SELECT t.label, t.local_date FROM feedback_items f JOIN ratings r ON r.id = f.rating_id"
                               " JOIN tickets t ON t.id = r.ticket_id WHERE f.id = ?", (int(rest),)).fetchone()
            day = "/".join(reversed(row["local_date"].split("-"))) if row else ""
            return f"Phản ánh số {rest} (số thứ tự {row['label']} ngày {day})" if row else f"Phản ánh số {rest}"
        if kind == "account":
            return f"Tài khoản {self.person(rest)}"
        if kind == "address":
            return f"Máy có địa chỉ {rest}"
        if action in ("password_reset", "sessions_ended"):
            return f"Tài khoản {self.person(target)}"
        return target

    def describe(self, entries: list[dict]) -> list[dict]:
        """Each row with `action_text`, `actor_text`, `target_text` and `detail_text` beside its codes."""
        with self.store.read() as conn:
            return [{**entry, "action_text": action_text(entry["action"]), "actor_text": self.person(entry["actor"]),
                     "target_text": self.target(conn, entry["action"], entry["target"]),
                     "detail_text": detail_text(entry)} for entry in entries]


def detail_text(entry: dict) -> str:
    """What changed, in a sentence, from a row's before and after ("" when the action says it all)."""
    action = entry["action"]
    before, after = entry["before"] or {}, entry["after"] or {}
    if action.startswith(CONFIG_PREFIX):
        changed = [SECTIONS.get(key, key) for key in after]
        return f"Các mục đã đổi: {', '.join(changed)}." if changed else ""
    if action == "device_paired" and after.get("counter"):
        return f"Gắn với quầy {after['counter']:02d}."
    if action == "pairing_rejected" and before.get("kind") in KINDS:
        return f"Thiết bị xin ghép nối: {KINDS[before['kind']]}."
    if action == "sessions_ended":
        return f"Đã đăng xuất {after.get('ended', 0)} phiên đăng nhập."
    if action == "sign_in_locked":
        where = f" (từ máy {after['address']})" if after.get("address") else ""
        return f"Nhập sai {after.get('failures')} lần{where}; phải chờ {after.get('minutes')} phút."
    if action.startswith("feedback_"):
        states = f"{STATE_NAMES.get(before.get('state'), '')} → {STATE_NAMES.get(after.get('state'), '')}"
        return f"{states}. Ghi chú: {after['note']}" if after.get("note") else f"{states}."
    return ""
