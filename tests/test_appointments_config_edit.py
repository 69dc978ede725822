"""[appointments] as a section of /admin/config (server/core/center_versions.py): saved, checked, switched off with
`false`, and a refusal named as the panel labels the field (server/core/field_labels.py)."""

from __future__ import annotations

import pytest

from server.core.center import CenterConfigError, center_to_raw
from server.core.center_versions import change_section
from server.core.field_labels import screen_message
from tests.test_appointments import center_with


def test_an_admin_saves_and_switches_off_the_policy(tmp_path, store, clock):
    center = center_with(tmp_path)
    policy = center_to_raw(center)["appointments"]
    changed = change_section(store, center, "appointments", {**policy, "capacity": {"ho-tich": 4}}, "quantri",
                             clock())
    assert changed.appointments.capacity == {"ho-tich": 4} and changed.appointments.booked_every == 2
    off = change_section(store, changed, "appointments", False, "quantri", clock())
    assert off.appointments is None and "appointments" not in center_to_raw(off)
    with store.read() as conn:
        kinds = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert kinds.count("config_appointments") == 2


@pytest.mark.parametrize("edit, message", [
    ({"slot_minutes": 2}, "Đặt lịch hẹn › Độ dài khung giờ hẹn (phút): phải ≥ 5."),
    ({"capacity": {"lai-xe": 0}},
     "Đặt lịch hẹn › lĩnh vực “Giấy phép lái xe” › Chỗ mỗi khung giờ (đặt lịch): phải là số nguyên từ 1 đến 10000,"
     " nhận được 0."),
    ({"booked_every": "ba"}, "Đặt lịch hẹn › N: số người hẹn gọi liên tiếp trước một khách trực tiếp: phải là số"
                             " nguyên, nhận được “ba”."),
])
def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_stored(tmp_path, store, clock, edit, message):
    center = center_with(tmp_path)
    raw = center_to_raw(center)
    with pytest.raises(CenterConfigError) as refused:
        change_section(store, center, "appointments", {**raw["appointments"], **edit}, "quantri", clock())
    assert screen_message(refused.value.key, refused.value.problem, {**raw, "appointments": edit}) == message
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM center_versions").fetchone()[0] == 0
