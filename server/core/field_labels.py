"""A problem in the center configuration, said as the admin screen shows it: the section, the row and the field by
the names on /admin/config, in plain Vietnamese.

The reader (server/core/center.py) names the place by its key in the TOML file ("counters[0].services"), which is
what someone editing the file needs, and what start-up and the command line print. An admin on the screen sees
no TOML: `screen_message` turns that key into "Quầy 01 › Lĩnh vực (mã, theo thứ tự ưu tiên)" and the problem's file
vocabulary ("[[departments.services]]", "phải là int") into words, without touching the reader's checks. The labels
here are the ones admin_ui/config.js draws; a browser test reads both on the screen.
"""

from __future__ import annotations

import re

# The tabs and panels of /admin/config, by section key.
SECTIONS = {
    "center": "Thông tin chung", "hours": "Giờ làm việc", "queue": "Ưu tiên › Thứ tự gọi số",
    "departments": "Sở, ngành và lĩnh vực", "counters": "Quầy", "officers": "Công chức",
    "priority_groups": "Ưu tiên › Nhóm ưu tiên", "rating": "Đánh giá", "site": "Đơn vị báo cáo",
    "appointments": "Đặt lịch hẹn",
}
# Each row kind's fields, by key, as the columns and labels of the screen name them.
FIELDS = {
    "center": {"name": "Tên trung tâm", "address": "Địa chỉ", "notice": "Dòng thông báo trên màn hình phòng chờ",
               "timezone": "Múi giờ"},
    "department": {"code": "Mã Sở, ngành", "name": "Tên Sở, ngành", "services": "Lĩnh vực"},
    "service": {"code": "Mã", "name": "Tên lĩnh vực", "prefix": "Chữ đầu số", "daily_cap": "Số tối đa/ngày",
                "target_wait_minutes": "Chờ mục tiêu (phút)", "service_minutes": "Phút/lượt",
                "counters": "Quầy phục vụ", "procedures": "Thủ tục hành chính", "keywords": "Từ khóa tìm kiếm"},
    "counter": {"number": "Số quầy", "name": "Tên hiển thị", "services": "Lĩnh vực (mã, theo thứ tự ưu tiên)"},
    "officer": {"username": "Tên đăng nhập", "name": "Họ và tên", "department": "Sở, ngành", "role": "Vai trò"},
    "priority_group": {"code": "Mã", "name": "Tên nhóm ưu tiên"},
    "session": {"start": "Bắt đầu", "end": "Kết thúc"},
    "hours": {"working_days": "Ngày làm việc", "sessions": "Các buổi làm việc", "holidays": "Ngày nghỉ lễ, Tết",
              "stop_issuing_minutes_before_end": "Ngừng cấp số trước khi hết buổi (phút)"},
    "queue": {"priority_policy": "Cách gọi số ưu tiên", "priority_every": "N (xen kẽ): số thường giữa hai số ưu tiên",
              "default_service_minutes": "Thời gian phục vụ mặc định (phút/lượt)",
              "default_target_wait_minutes": "Thời gian chờ mục tiêu mặc định (phút)",
              "no_show_min_calls": "Vắng mặt: số lần gọi tối thiểu",
              "no_show_min_seconds": "Vắng mặt: số giây tối thiểu từ lần gọi đầu"},
    "appointments": {
        "enabled": "Nhận đặt lịch hẹn và lấy số từ xa", "slot_minutes": "Độ dài khung giờ hẹn (phút)",
        "days_ahead": "Đặt lịch trước tối đa (ngày)", "close_minutes_before": "Ngừng nhận đặt trước giờ hẹn (phút)",
        "per_phone_per_day": "Số lần đặt tối đa/ngày của một số điện thoại",
        "per_address_per_day": "Số lần đặt tối đa/ngày của một địa chỉ mạng",
        "late_minutes": "Đến muộn quá (phút) thì xếp như khách trực tiếp",
        "booked_every": "N: số người hẹn gọi liên tiếp trước một khách trực tiếp",
        "remote_grace_minutes": "Giữ chỗ số lấy từ xa chưa có mặt (phút)",
        "retention_days": "Giữ họ tên, số điện thoại sau ngày hẹn (ngày)",
        "capacity": "Chỗ mỗi khung giờ (đặt lịch)", "remote_daily_cap": "Số lấy từ xa tối đa/ngày"},
    "rating": {"scale": "Thang đánh giá", "reasons": "Lý do khi không hài lòng", "reason_required":
               "Bắt buộc chọn lý do khi không hài lòng", "official": "Quy đổi sang 3 mức chính thức (thang 5 mức)"},
}
# The rows of a list section, by section key: the row kind and how a row is named ("Quầy 01", "lĩnh vực “Hộ tịch”").
ROWS = {"departments": "department", "counters": "counter", "officers": "officer", "priority_groups": "priority_group"}
# Python's names of the TOML value types, as the reader writes them ("phải là int").
TYPE_WORDS = {"int": "số nguyên", "float": "số", "int/float": "số", "str": "văn bản", "str/time": "giờ (HH:MM)",
              "list": "danh sách", "dict": "bảng", "bool": "có hoặc không"}
# The file's words in the reader's problems, and what the screen calls them (longest first where one contains another).
FILE_WORDS = (
    ("thiếu khóa bắt buộc (required key missing)", "chưa được nhập"),
    ("không được để trống (must not be empty)", "không được để trống"),
    ("không tìm thấy tệp cấu hình (file not found)", "không tìm thấy tệp cấu hình"),
    ("[[departments.services]]", "danh sách lĩnh vực"), ("[[departments]]", "danh sách Sở, ngành"),
    ("[[counters]]", "danh sách quầy"), ("[[officers]]", "danh sách công chức"),
    ("[[priority_groups]]", "danh sách nhóm ưu tiên"), ("YYYY-MM-DD", "ngày/tháng/năm (dd/mm/yyyy)"),
    ("('officer', 'supervisor', 'admin')", "Công chức, Giám sát, Quản trị"),
    ("('strict', 'interleave')", "“Luôn gọi số ưu tiên trước”, “Xen kẽ”"),
)
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
_TYPE = re.compile(r"phải là ([a-z/]+), nhận được")
_QUOTED = re.compile(r"'([^'\n]{0,200})'")


def _steps(key: str) -> list[tuple[str, int | None]]:
    """"departments[0].services[1].prefix" → [("departments", 0), ("services", 1), ("prefix", None)]."""
    steps = []
    for part in key.split("."):
        found = _STEP.fullmatch(part)
        if not found:  # a rating.official level name ("Hài lòng") is a key of its own
            steps.append((part, None))
            continue
        steps.append((found.group(1), int(found.group(2)) if found.group(2) is not None else None))
    return steps


def _item(raw, name: str, index: int | None):
    value = raw.get(name) if isinstance(raw, dict) else None
    if index is None:
        return value
    return value[index] if isinstance(value, list) and index < len(value) else None


def _row_name(kind: str, row, position: int) -> str:
    """How the screen's reader finds a row: by its name when it has one, else by its place."""
    row = row if isinstance(row, dict) else {}

    def text(key):
        value = row.get(key)
        return value if isinstance(value, str) and value.strip() else None

    if kind == "counter":
        number = row.get("number")
        return f"Quầy {number:02d}" if isinstance(number, int) and not isinstance(number, bool) \
            else f"quầy ở dòng {position}"
    if kind == "officer":
        who = text("name") or text("username")
        return f"công chức “{who}”" if who else f"công chức ở dòng {position}"
    words = {"department": "Sở, ngành", "service": "lĩnh vực", "priority_group": "nhóm ưu tiên",
             "session": "buổi làm việc"}[kind]
    name = text("name")
    return f"{words} “{name}”" if name else f"{words} ở dòng {position}"


def _service_row_name(raw: dict, code: str) -> str:
    """A service's row in the appointments panel, by its name ("lĩnh vực “Hộ tịch”"), else by its code."""
    for department in raw.get("departments") or []:
        for service in (department.get("services") or []) if isinstance(department, dict) else []:
            if isinstance(service, dict) and service.get("code") == code and isinstance(service.get("name"), str):
                return f"lĩnh vực “{service['name']}”"
    return f"lĩnh vực “{code}”"


def field_label(key: str, raw: dict | None = None) -> str:
    """The place a configuration key names, as on /admin/config: "Sở, ngành và lĩnh vực › Sở, ngành “Sở Tư pháp” ›
    lĩnh vực “Hộ tịch” › Chữ đầu số". `raw` (the configuration that was checked) lets rows be named by their names."""
    steps = _steps(key)
    section = steps[0][0] if steps else ""
    parts = [SECTIONS.get(section, section)]
    raw = raw if isinstance(raw, dict) else {}
    if section in ROWS and steps[0][1] is not None:
        kind, row = ROWS[section], _item(raw, section, steps[0][1])
        parts.append(_row_name(kind, row, steps[0][1] + 1))
        rest = steps[1:]
        if section == "departments" and rest and rest[0][0] == "services" and rest[0][1] is not None:
            parts.append(_row_name("service", _item(row or {}, "services", rest[0][1]), rest[0][1] + 1))
            kind, rest = "service", rest[1:]
        if rest:
            parts.append(FIELDS[kind].get(rest[0][0], rest[0][0]))
    elif section == "hours" and len(steps) > 1 and steps[1][0] == "sessions" and steps[1][1] is not None:
        parts += [FIELDS["hours"]["sessions"], f"buổi {steps[1][1] + 1}"]
        if len(steps) > 2:
            parts.append(FIELDS["session"].get(steps[2][0], steps[2][0]))
    elif len(steps) > 1:
        parts.append(FIELDS.get(section, {}).get(steps[1][0], steps[1][0]))
        if section == "rating" and steps[1][0] == "official" and len(steps) > 2:
            parts.append(f"mức “{steps[2][0]}”")
        if section == "appointments" and len(steps) > 2:  # capacity.<service code>: the service's row
            parts.insert(1, _service_row_name(raw, steps[2][0]))
    return " › ".join(parts)


def plain_problem(problem: str) -> str:
    """The reader's problem without the file's vocabulary: types, table names and Python's quotes in words."""
    for file_word, screen_word in FILE_WORDS:
        problem = problem.replace(file_word, screen_word)
    problem = _TYPE.sub(lambda m: f"phải là {TYPE_WORDS.get(m.group(1), m.group(1))}, nhận được", problem)
    return _QUOTED.sub(r"“\1”", problem)


def screen_message(key: str, problem: str, raw: dict | None = None) -> str:
    """The whole sentence an admin reads beside the section: where, then what is wrong."""
    problem = plain_problem(problem)
    if not key or key == "-":
        return problem[:1].upper() + problem[1:] + "."
    return f"{field_label(key, raw)}: {problem}."
