"""Admins edit the center configuration section by section, reset officers' passwords and read the audit trail.

A change is checked and stored by the core (server/core/center_versions.py), put to work at once everywhere
(Runtime.set_center) and announced to every connected screen with one `center_changed` event
(realtime.announce_center_changed).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..core import audit
from ..core.accounts import hash_password
from ..core.audit_words import AuditWords
from ..core.center import CenterConfigError, center_to_raw
from ..core.center_versions import SECTIONS, LiveQueueConflict, StaleEdit, change_section, latest_version
from ..core.field_labels import field_label, screen_message
from . import realtime, runtime
from .api import json_body, json_value
from .auth import role_required, signed_in_account
from .edge import fits_integer

bp = Blueprint("admin", __name__, url_prefix="/api/admin")

ADMIN_ONLY = "Chỉ quản trị viên được thay đổi cấu hình."
AUDIT_PAGE = 100
# The version the admin's screen showed when the section was edited; without it the newest save wins.
EDITED_VERSION_HEADER = "X-Config-Version"


def number(text: str) -> int | None:
    """A non-negative integer in ASCII digits that SQLite can store (19 digits at most), or None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:  # "²".isdigit() is True, int("²") fails
        return None
    value = int(text)
    return value if fits_integer(value) else None


@bp.get("/config")
@role_required("admin", message=ADMIN_ONLY)
def get_config():
    """Every section of the configuration as stored (without the demo's opening-hours override), and its version."""
    rt = runtime()
    sections = center_to_raw(rt.configured)
    sections.setdefault("appointments", None)  # every section is there: null is bookings switched off
    return jsonify(version=latest_version(rt.store), sections=sections)


@bp.put("/config/<section>")
@role_required("admin", message=ADMIN_ONLY)
def put_section(section):
    """Replace one section; the whole configuration is checked first and today's queue must be able to follow."""
    if section not in SECTIONS:
        return jsonify(error="unknown_section", message="Không có mục cấu hình này."), 404
    value = json_value()  # checked at the edge: no lone surrogates, bounded depth and numbers
    if value is None:
        return jsonify(error="invalid_json", message="Dữ liệu gửi lên phải là JSON."), 400
    edited = request.headers.get(EDITED_VERSION_HEADER)
    if edited is not None and number(edited) is None:
        return jsonify(error="bad_request", message="Phiên bản cấu hình gửi lên không hợp lệ."), 400
    rt = runtime()
    try:
        center = change_section(rt.store, rt.configured, section, value, signed_in_account().username,
                                rt.queue.now(), number(edited) if edited is not None else None)
    except CenterConfigError as exc:
        # The admin reads the field by its name on the screen; `key` keeps the file's name of it (docs/API.md).
        checked = {**center_to_raw(rt.configured), section: value}
        return jsonify(error="invalid_config", message=screen_message(exc.key, exc.problem, checked), key=exc.key,
                       field=field_label(exc.key, checked)), 400
    except StaleEdit as exc:
        return jsonify(error="config_changed", message=exc.message, key=exc.key), 409
    except LiveQueueConflict as exc:
        return jsonify(error="live_queue", message=exc.message, key=exc.key), 409
    before, after = center_to_raw(rt.configured), center_to_raw(center)
    changed = [key for key in after if after[key] != before.get(key)]  # a service's counters change counters too
    version = latest_version(rt.store)
    rt.set_center(center, version)
    if changed:  # saved unchanged: nobody is disturbed
        realtime.announce_center_changed(rt.socketio, version)
    # .get: a section switched off (appointments: false) is absent from the configuration afterwards.
    return jsonify(version=version, sections={key: after.get(key) for key in {section, *changed}})


@bp.post("/officers/<username>/password")
@role_required("admin", message=ADMIN_ONLY)
def reset_password(username):
    """Đặt lại mật khẩu of an officer; audited without the password."""
    password = json_body().get("password")
    rt = runtime()
    if rt.center.officer(username) is None:
        return jsonify(error="unknown_officer", message="Không có công chức này."), 404
    try:
        rt.accounts.set_password(username, password, signed_in_account().username, rt.queue.now(),
                                 hasher=lambda text: rt.offload(hash_password, text))  # slow: off the loop
    except ValueError as exc:
        return jsonify(error="bad_password", message=f"Không đặt được mật khẩu: {exc}."), 400
    return jsonify(ok=True)


@bp.get("/audit")
@role_required("admin", message="Chỉ quản trị viên được xem nhật ký thay đổi.")
def audit_log():
    """Nhật ký thay đổi, newest first, each row's codes with their words (core/audit_words.py); `?before=<id>`
    pages back."""
    before = request.args.get("before", "")
    if before and number(before) is None:
        return jsonify(error="bad_request", message="Tham số “before” phải là số."), 400
    rt = runtime()
    entries = audit.entries(rt.store, AUDIT_PAGE, number(before) if before else None)
    return jsonify(entries=AuditWords(rt.store, rt.center).describe(entries), more=len(entries) == AUDIT_PAGE)
