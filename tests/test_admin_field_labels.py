"""A refused configuration names the field as /admin/config shows it, in plain Vietnamese (server/core/field_labels.py);
the API keeps the file's key beside it, and the file's reader (start-up, command line) still names the TOML key."""

from __future__ import annotations

import copy
import re

import pytest

from server.core.center import CenterConfigError, load_center
from server.core.field_labels import field_label, screen_message
from tests.live import SMALL_CENTER
from tests.test_admin_api import admin, config, rt  # noqa: F401 (fixtures)

# What an admin on the screen must never read: the file's table names, list indexes, Python's type names and quotes.
FILE_VOCABULARY = re.compile(r"\[\[|\[\d+\]|required key|must not be empty|\b(int|str|dict|list|float|bool)\b|'|"
                             r"\b(departments|services|counters|officers|priority_groups|hours|queue|rating)\b")


def test_a_service_field_is_named_by_its_section_department_service_and_column():
    raw = {"departments": [{"name": "Sở Tư pháp", "services": [{"name": "Lý lịch"}, {"name": "Hộ tịch"}]}]}
    assert field_label("departments[0].services[1].prefix", raw) == \
        "Sở, ngành và lĩnh vực › Sở, ngành “Sở Tư pháp” › lĩnh vực “Hộ tịch” › Chữ đầu số"
    assert field_label("departments[0].services[5].prefix", raw) == \
        "Sở, ngành và lĩnh vực › Sở, ngành “Sở Tư pháp” › lĩnh vực ở dòng 6 › Chữ đầu số"


@pytest.mark.parametrize("key, label", [
    ("counters[0].services", "Quầy › Quầy 03 › Lĩnh vực (mã, theo thứ tự ưu tiên)"),
    ("officers[1].role", "Công chức › công chức “Trần Thị Bình” › Vai trò"),
    ("hours.sessions[1].end", "Giờ làm việc › Các buổi làm việc › buổi 2 › Kết thúc"),
    ("queue.priority_every", "Ưu tiên › Thứ tự gọi số › N (xen kẽ): số thường giữa hai số ưu tiên"),
    ("center.name", "Thông tin chung › Tên trung tâm"),
    ("priority_groups[0].code", "Ưu tiên › Nhóm ưu tiên › nhóm ưu tiên “Người cao tuổi” › Mã"),
])
def test_every_section_names_its_rows_and_fields(key, label):
    raw = {"counters": [{"number": 3}], "officers": [{"name": "An"}, {"name": "Trần Thị Bình", "username": "binh"}],
           "priority_groups": [{"name": "Người cao tuổi"}]}
    assert field_label(key, raw) == label


def test_the_problem_loses_the_file_vocabulary():
    message = screen_message("counters[0].services", "lĩnh vực 'xyz' không có trong [[departments.services]]",
                             {"counters": [{"number": 1}]})
    assert message == "Quầy › Quầy 01 › Lĩnh vực (mã, theo thứ tự ưu tiên): lĩnh vực “xyz” không có trong danh sách" \
                      " lĩnh vực."
    assert screen_message("queue.priority_every", "phải là int, nhận được 'hai'").endswith(
        "phải là số nguyên, nhận được “hai”.")


def test_the_file_reader_still_names_the_toml_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(_small_center_with('prefix = "A"', 'prefix = "a1"'), encoding="utf-8")
    with pytest.raises(CenterConfigError) as refused:
        load_center(path)
    assert "[departments[0].services[0].prefix]" in str(refused.value) and str(path) in str(refused.value)


def _small_center_with(old: str, new: str) -> str:
    text = SMALL_CENTER.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


# Edits an admin's screen can send, each refused by the reader: (section, change of that section).
def _blank_service_name(sections):
    sections["departments"][1]["services"][0]["name"] = "  "


def _lowercase_prefix(sections):
    sections["departments"][0]["services"][1]["prefix"] = "b"


def _unknown_service_at_counter(sections):
    sections["counters"][2]["services"] = ["lai-xe", "khong-co"]


def _text_for_a_number(sections):
    sections["queue"]["priority_every"] = "hai"


def _session_ending_before_it_starts(sections):
    sections["hours"]["sessions"] = [{"start": "11:00", "end": "07:00"}]


def _bad_holiday(sections):
    sections["hours"]["holidays"] = ["31/02/2026"]


def _duplicate_username(sections):
    sections["officers"][1]["username"] = sections["officers"][0]["username"]


def _missing_center_name(sections):
    del sections["center"]["name"]


EDITS = [("departments", _blank_service_name, "Tên lĩnh vực"), ("departments", _lowercase_prefix, "Chữ đầu số"),
         ("counters", _unknown_service_at_counter, "Lĩnh vực (mã, theo thứ tự ưu tiên)"),
         ("queue", _text_for_a_number, "N (xen kẽ)"), ("hours", _session_ending_before_it_starts, "buổi 1"),
         ("hours", _bad_holiday, "Ngày nghỉ lễ, Tết"), ("officers", _duplicate_username, "Tên đăng nhập"),
         ("center", _missing_center_name, "Tên trung tâm")]


@pytest.mark.parametrize("section, edit, field", EDITS, ids=[e[1].__name__.strip("_") for e in EDITS])
def test_a_refused_save_is_said_in_the_screens_words(admin, section, edit, field):
    before = config(admin)
    sections = copy.deepcopy(before["sections"])
    edit(sections)
    response = admin.put(f"/api/admin/config/{section}", json=sections[section])
    body = response.get_json()
    assert response.status_code == 400 and body["error"] == "invalid_config", body
    assert field in body["message"] and body["field"] in body["message"]
    assert not FILE_VOCABULARY.search(body["message"]), body["message"]
    assert re.fullmatch(r"[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*", body["key"])  # the file's key, for the file
    assert config(admin) == before  # nothing changed
