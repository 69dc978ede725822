"""The center configuration kept as versions in the database, edited section by section on the admin screens.

The TOML file stays a way in: when its content differs from the content last imported, it is read, checked and
stored as a new version; otherwise the newest stored version is the center. Either way the newest change wins,
and every version is audited (server/core/audit.py). An edit is checked by building the whole new Center, and is
refused when it would break today's live queue (a service with tickets still waiting, a counter someone holds…).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import audit
from .center import Center, CenterConfigError, center_from_raw, center_to_raw, load_center
from .queue import UNFINISHED
from .store import Store

FILE_ACTOR = "tệp cấu hình"
# The sections an admin edits, each one key of the TOML-shaped mapping.
SECTIONS = ("center", "hours", "queue", "departments", "counters", "officers", "priority_groups", "rating",
            "appointments")

class LiveQueueConflict(ValueError):
    """A valid configuration that today's queue cannot follow; `message` is Vietnamese, `key` names the place."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


class StaleEdit(LiveQueueConflict):
    """An edit made on a section that someone else changed after the editor loaded it (two admins at once)."""


def version_label(version: int) -> str:
    """How a stored version is named in error messages (where a file would be named by its path)."""
    return f"phiên bản cấu hình {version}"


def latest_version(store: Store) -> int | None:
    """The number of the newest stored version, or None before the first import."""
    with store.read() as conn:
        row = conn.execute("SELECT max(version) FROM center_versions").fetchone()
    return row[0]


def effective_center(store: Store, file_path: str | Path, now: float) -> Center:
    """The center to run: the file when it changed since it was last imported (stored as a new version), else the
    newest stored version. A bad file raises CenterConfigError naming the file and the key."""
    path = Path(file_path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise CenterConfigError(path, "-", "không tìm thấy tệp cấu hình (file not found)") from None
    with store.read() as conn:
        imported = _imported_hash(conn)
    if imported == digest:
        return _stored(store)
    center = load_center(path)
    with store.write() as conn:
        if _imported_hash(conn) != digest:  # not imported meanwhile by another process (two commands at once)
            _insert(conn, center_to_raw(center), FILE_ACTOR, "config_import", str(path), now, digest,
                    _newest_raw(conn))
    return center


def change_section(store: Store, current: Center, section: str, value, actor: str, now: float,
                   edited_version: int | None = None) -> Center:
    """Replace one section of the configuration, check the whole result, store it as a new version and audit it.

    Departments carry what follows from them (see `_with_departments`). Raises CenterConfigError (the key and
    problem) for a configuration that cannot be used and LiveQueueConflict for one that today's queue cannot
    follow; with `edited_version` (the version the editor showed), StaleEdit when the section has changed since,
    so one admin's save never silently undoes another's. Either way nothing is stored.
    """
    if section not in SECTIONS:
        raise CenterConfigError("yêu cầu", section, "không có mục cấu hình này")
    value = json.loads(json.dumps(value))  # a copy of plain JSON values, ours to change
    with store.write() as conn:
        # The newest stored version is the base: a change made meanwhile elsewhere (the command line) is kept.
        base = _newest_raw(conn) or center_to_raw(current)
        if edited_version is not None:
            _check_not_stale(conn, base, section, edited_version)
        raw = _with_departments(base, value) if section == "departments" else {**base, section: value}
        if section == "appointments" and value is False:  # bookings and remote numbers switched off
            del raw["appointments"]
        center = center_from_raw(raw, "cấu hình mới")
        raw = center_to_raw(center)
        if raw == base:  # saved unchanged: no new version, nothing to audit
            return center
        _check_live_queue(conn, center_from_raw(base, "cấu hình hiện tại"), center, center.local_date(now))
        _insert(conn, raw, actor, f"config_{section}", section, now, None, base)
    return center


def add_officer(store: Store, current: Center, username: str, name: str, role: str, actor: str,
                now: float) -> Center:
    """A new account in the [[officers]] section (the command line's create-admin); an existing username is
    refused with ValueError."""
    officers = center_to_raw(_stored(store) if latest_version(store) else current)["officers"]
    if any(o["username"] == username for o in officers):
        raise ValueError(f"tên đăng nhập {username!r} đã tồn tại")
    officers = [*officers, {"username": username, "name": name, "role": role}]
    return change_section(store, current, "officers", officers, actor, now)


def _with_departments(base: dict, departments) -> dict:
    """A new departments section and what follows from it, so that a service can be added or removed in one save:
    a service's optional `counters` (numbers) sets which counters serve it (appended last to a counter that did
    not), counters stop serving services that are gone, officers of a department that is gone keep none."""
    raw = {**base, "departments": departments}
    if not isinstance(departments, list) or not all(isinstance(d, dict) for d in departments):
        return raw  # the reader names what is wrong
    counters = [{**c, "services": list(c["services"])} for c in base["counters"]]
    # The admin's form has no column for a service's search texts and own hours: a service sent without them keeps
    # its own.
    search_texts = {s["code"]: {k: s[k] for k in ("procedures", "keywords", "sessions") if k in s}
                    for d in base["departments"] for s in d["services"]}
    codes = set()
    for i, department in enumerate(departments):
        services = department.get("services")
        for j, service in enumerate(services if isinstance(services, list) else []):
            if not isinstance(service, dict):
                continue
            if isinstance(service.get("code"), str):
                codes.add(service["code"])
                for key, texts in search_texts.get(service["code"], {}).items():
                    service.setdefault(key, texts)
            if "counters" in service:
                _serve(counters, service.pop("counters"), service.get("code"), f"departments[{i}].services[{j}]")
    for counter in counters:
        counter["services"] = [code for code in counter["services"] if code in codes]
    kept = {d["code"] for d in departments if isinstance(d.get("code"), str)}
    officers = [{k: v for k, v in o.items() if k != "department" or v in kept} for o in base["officers"]]
    return {**raw, "counters": counters, "officers": officers}


def _serve(counters: list[dict], numbers, code, where: str):
    """Make exactly the counters numbered `numbers` serve `code`."""
    known = {c["number"] for c in counters}
    if not isinstance(numbers, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        raise CenterConfigError("cấu hình mới", f"{where}.counters", "phải là danh sách số quầy")
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise CenterConfigError("cấu hình mới", f"{where}.counters", f"không có quầy {unknown[0]}")
    for counter in counters:
        if counter["number"] in numbers and code not in counter["services"]:
            counter["services"].append(code)
        elif counter["number"] not in numbers and code in counter["services"]:
            counter["services"].remove(code)


def _check_live_queue(conn, old: Center, new: Center, day: str):
    """Refuse what would strand today's tickets, a counter's officer or the admins themselves."""
    for code, service in old.services.items():
        if code not in new.services:
            if conn.execute(f"SELECT 1 FROM tickets WHERE local_date = ? AND service_code = ? AND state IN"
                            f" ({','.join('?' * len(UNFINISHED))}) LIMIT 1", (day, code, *UNFINISHED)).fetchone():
                raise LiveQueueConflict("departments", f"Lĩnh vực “{service.name}” còn công dân đang chờ hoặc đang"
                                                       " được phục vụ hôm nay; chưa thể xóa.")
        elif new.services[code].prefix != service.prefix and conn.execute(
                "SELECT 1 FROM tickets WHERE local_date = ? AND service_code = ? LIMIT 1", (day, code)).fetchone():
            raise LiveQueueConflict("departments", f"Lĩnh vực “{service.name}” đã cấp số hôm nay; chỉ được đổi chữ"
                                                   f" đầu số “{service.prefix}” từ ngày mai.")
    held = conn.execute("SELECT counter_number, officer FROM counter_state WHERE status != 'closed'").fetchall()
    for number, officer in held:
        if old.counter(number) and new.counter(number) is None:
            raise LiveQueueConflict("counters", f"Quầy {number:02d} đang có công chức làm việc; chưa thể xóa.")
        if old.officer(officer) and new.officer(officer) is None:
            raise LiveQueueConflict("officers", f"Công chức “{old.officer(officer).name}” đang làm việc tại quầy"
                                                f" {number:02d}; chưa thể xóa.")
    marks = ",".join("?" * len(UNFINISHED))
    for counter in old.counters:
        if new.counter(counter.number) is not None:
            continue
        # Only this counter would ever call a ticket transferred to it, or resume one it parked.
        if conn.execute(f"SELECT 1 FROM tickets WHERE local_date = ? AND state IN ({marks})"
                        " AND (reserved_counter = ? OR counter_number = ?) LIMIT 1",
                        (day, *UNFINISHED, counter.number, counter.number)).fetchone():
            raise LiveQueueConflict("counters", f"Quầy {counter.number:02d} còn công dân được chuyển đến hoặc hồ sơ"
                                                " tạm gác hôm nay; chưa thể xóa.")
        if conn.execute("SELECT 1 FROM devices WHERE counter_number = ? AND revoked_at IS NULL LIMIT 1",
                        (counter.number,)).fetchone():
            raise LiveQueueConflict("counters", f"Quầy {counter.number:02d} còn thiết bị đã ghép (máy tính bảng hoặc"
                                                " màn hình quầy); hãy thu hồi thiết bị trước khi xóa quầy.")
    if any(o.role == "admin" for o in old.officers) and not any(o.role == "admin" for o in new.officers):
        raise LiveQueueConflict("officers", "Phải còn ít nhất một tài khoản quản trị (admin).")


def _check_not_stale(conn, newest: dict, section: str, edited_version: int):
    row = conn.execute("SELECT raw FROM center_versions WHERE version = ?", (edited_version,)).fetchone()
    if row is None or json.loads(row[0]).get(section) != newest.get(section):
        raise StaleEdit(section, "Mục này vừa được người khác thay đổi sau khi Ông/Bà mở trang. Hãy tải lại cấu"
                                 " hình để xem bản mới nhất, rồi sửa và lưu lại.")


def newest_stored(store: Store) -> tuple[int, Center] | None:
    """The newest stored version and its center (another process, the command line, may have stored it)."""
    with store.read() as conn:
        row = conn.execute("SELECT version, raw FROM center_versions ORDER BY version DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], center_from_raw(json.loads(row[1]), version_label(row[0])))


def _stored(store: Store) -> Center:
    return newest_stored(store)[1]


def _newest_raw(conn) -> dict | None:
    row = conn.execute("SELECT raw FROM center_versions ORDER BY version DESC LIMIT 1").fetchone()
    return json.loads(row[0]) if row else None


def _imported_hash(conn) -> str | None:
    row = conn.execute("SELECT file_hash FROM center_versions WHERE file_hash IS NOT NULL"
                       " ORDER BY version DESC LIMIT 1").fetchone()
    return row[0] if row else None


def _insert(conn, raw: dict, actor: str, action: str, target: str, now: float, file_hash,
            before: dict | None) -> int:
    """The new version and its audit row, in the caller's transaction: before/after hold the sections that
    changed (all of them for the first version)."""
    at = int(now)
    version = conn.execute("INSERT INTO center_versions (at, actor, raw, file_hash) VALUES (?, ?, ?, ?)"
                           " RETURNING version", (at, actor, json.dumps(raw, ensure_ascii=False), file_hash)
                           ).fetchone()[0]
    changed = [k for k in raw if before is None or before.get(k) != raw[k]]
    audit.record(conn, at, actor, action, target, None if before is None else {k: before.get(k) for k in changed},
                 {k: raw[k] for k in changed})
    return version
