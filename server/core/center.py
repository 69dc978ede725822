"""A center's description: departments, services, counters, officers, hours and policies.

Loaded from one TOML file. Every problem found while loading raises CenterConfigError naming the file,
the key and what is wrong, so a bad file stops start-up with a message an administrator can act on.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

# The official three-level wording (research/vietnam.md §2.1 R4); five levels are an option.
RATING_LEVELS = {
    3: ["Rất hài lòng", "Hài lòng", "Không hài lòng"],
    5: ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"],
}

DEFAULT_DISSATISFACTION_REASONS = [
    "Thái độ chưa niềm nở, thiếu nhiệt tình",
    "Hướng dẫn chưa rõ ràng, đầy đủ",
    "Thời gian chờ lâu",
    "Phải đi lại nhiều lần",
    "Có biểu hiện gây phiền hà, nhũng nhiễu",
    "Ý kiến khác",
]

PRIORITY_POLICIES = ("strict", "interleave")
ROLES = ("officer", "supervisor", "admin")
# What each role may do beyond its own counter: supervisors watch and report, admins also configure.
SUPERVISING_ROLES = ("supervisor", "admin")
WEEKDAY_NAMES = {"T2": 0, "T3": 1, "T4": 2, "T5": 3, "T6": 4, "T7": 5, "CN": 6}
_PREFIX_PATTERN = re.compile(r"^[A-Z]{1,2}$")
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


class CenterConfigError(ValueError):
    """A center file that cannot be used; the message names the file, the key and the problem."""

    def __init__(self, path, key, problem):
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: [{key}] {problem}")


@dataclass(frozen=True)
class Service:
    """A lĩnh vực: what a citizen picks on the kiosk; it owns a ticket prefix and a daily sequence."""

    code: str
    name: str
    department_code: str
    prefix: str
    daily_cap: int
    target_wait_minutes: int
    default_service_minutes: float


@dataclass(frozen=True)
class Department:
    """A Sở, ngành whose officers sit at the center."""

    code: str
    name: str
    services: tuple[Service, ...]


@dataclass(frozen=True)
class Counter:
    """A quầy; `services` are in the order the counter prefers them when calling the next ticket."""

    number: int
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Officer:
    """A công chức who may sign in at a counter."""

    username: str
    name: str
    department_code: str | None
    role: str = "officer"  # "officer" works at a counter; "supervisor" sees alerts and reports; "admin" configures

    @property
    def supervises(self) -> bool:
        """Sees the live overview, alerts and reports."""
        return self.role in SUPERVISING_ROLES


@dataclass(frozen=True)
class PriorityGroup:
    """A group served before others (người cao tuổi, người khuyết tật, ...)."""

    code: str
    name: str


@dataclass(frozen=True)
class Session:
    """One working session of a day, e.g. the morning 07:30–11:30."""

    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class OpeningHours:
    """When the center works, and how long before each session ends the kiosk stops issuing."""

    working_days: frozenset[int]
    sessions: tuple[Session, ...]
    stop_issuing_minutes_before_end: int
    holidays: frozenset[dt.date]

    def is_issuing(self, local: dt.datetime) -> bool:
        """Whether a kiosk may issue a number at this local time."""
        if local.weekday() not in self.working_days or local.date() in self.holidays:
            return False
        stop = dt.timedelta(minutes=self.stop_issuing_minutes_before_end)
        for session in self.sessions:
            start = dt.datetime.combine(local.date(), session.start, local.tzinfo)
            end = dt.datetime.combine(local.date(), session.end, local.tzinfo) - stop
            if start <= local < end:
                return True
        return False


@dataclass(frozen=True)
class RatingScale:
    """The levels shown on the tablet (best first) and the reasons asked for on dissatisfaction."""

    levels: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Center:
    """Everything the queue needs to know about one center."""

    name: str
    address: str
    timezone: ZoneInfo
    hours: OpeningHours
    departments: tuple[Department, ...]
    counters: tuple[Counter, ...]
    officers: tuple[Officer, ...]
    priority_groups: tuple[PriorityGroup, ...]
    priority_policy: str
    priority_every: int
    no_show_min_calls: int
    no_show_min_seconds: int
    rating: RatingScale
    notice: str = ""
    source: str = ""
    services: dict[str, Service] = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if not self.services:
            index = {s.code: s for d in self.departments for s in d.services}
            object.__setattr__(self, "services", index)

    def department(self, code: str) -> Department | None:
        """The department with this code, or None."""
        return next((d for d in self.departments if d.code == code), None)

    def counter(self, number: int) -> Counter | None:
        """The counter with this number, or None."""
        return next((c for c in self.counters if c.number == number), None)

    def officer(self, username: str) -> Officer | None:
        """The officer with this username, or None."""
        return next((o for o in self.officers if o.username == username), None)

    def priority_group(self, code: str) -> PriorityGroup | None:
        """The priority group with this code, or None."""
        return next((g for g in self.priority_groups if g.code == code), None)

    def counters_serving(self, service_code: str) -> list[Counter]:
        """Counters that serve a service, by counter number."""
        return [c for c in self.counters if service_code in c.services]

    def local(self, epoch: float) -> dt.datetime:
        """The center's local date and time for an epoch second."""
        return dt.datetime.fromtimestamp(epoch, self.timezone)

    def local_date(self, epoch: float) -> str:
        """The center's local date (YYYY-MM-DD) for an epoch second: the day numbers restart on."""
        return self.local(epoch).date().isoformat()


def load_center(path: str | Path) -> Center:
    """Read and check a center TOML file."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CenterConfigError(path, "-", "không tìm thấy tệp cấu hình (file not found)") from None
    except tomllib.TOMLDecodeError as exc:
        raise CenterConfigError(path, "-", f"TOML không hợp lệ: {exc}") from None
    return CenterReader(path, raw).center()


class CenterReader:
    """Turns the raw TOML mapping into a Center, checking each key as it goes."""

    def __init__(self, path: Path, raw: dict):
        self.path, self.raw = path, raw

    def fail(self, key: str, problem: str):
        raise CenterConfigError(self.path, key, problem)

    def take(self, table: dict, key: str, kind, where: str, default=...):
        """One value of the expected type, or the default, or an error naming `where.key`."""
        full = f"{where}.{key}" if where else key
        if key not in table:
            if default is ...:
                self.fail(full, "thiếu khóa bắt buộc (required key missing)")
            return default
        value = table[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(full, f"phải là {expected}, nhận được {value!r}")
        if isinstance(value, str) and not value.strip():
            self.fail(full, "không được để trống (must not be empty)")
        return value

    def center(self) -> Center:
        info = self.take(self.raw, "center", dict, "")
        zone_name = self.take(info, "timezone", str, "center", DEFAULT_TIMEZONE)
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("center.timezone", f"múi giờ không tồn tại: {zone_name!r}")
        departments = self.departments()
        services = {s.code: s for d in departments for s in d.services}
        queue = self.take(self.raw, "queue", dict, "", {})
        policy = self.take(queue, "priority_policy", str, "queue", "interleave")
        if policy not in PRIORITY_POLICIES:
            self.fail("queue.priority_policy", f"phải là một trong {PRIORITY_POLICIES}, nhận được {policy!r}")
        every = self.take(queue, "priority_every", int, "queue", 3)
        if every < 1:
            self.fail("queue.priority_every", "phải ≥ 1")
        return Center(
            name=self.take(info, "name", str, "center"),
            address=self.take(info, "address", str, "center", ""),
            timezone=zone,
            notice=self.take(info, "notice", str, "center", ""),
            hours=self.hours(),
            departments=departments,
            counters=self.counters(services),
            officers=self.officers({d.code for d in departments}),
            priority_groups=self.priority_groups(),
            priority_policy=policy,
            priority_every=every,
            no_show_min_calls=self.take(queue, "no_show_min_calls", int, "queue", 2),
            no_show_min_seconds=self.take(queue, "no_show_min_seconds", int, "queue", 60),
            rating=self.rating(),
            source=str(self.path),
        )

    def departments(self) -> tuple[Department, ...]:
        queue = self.take(self.raw, "queue", dict, "", {})
        default_minutes = self.take(queue, "default_service_minutes", (int, float), "queue", 10)
        default_target = self.take(queue, "default_target_wait_minutes", int, "queue", 20)
        raw_departments = self.take(self.raw, "departments", list, "")
        if not raw_departments:
            self.fail("departments", "cần ít nhất một Sở, ngành")
        departments, seen_codes, seen_prefixes = [], set(), {}
        for i, raw in enumerate(raw_departments):
            where = f"departments[{i}]"
            if not isinstance(raw, dict):
                self.fail(where, "phải là một bảng [[departments]]")
            code = self.code(raw, where)
            if code in seen_codes:
                self.fail(f"{where}.code", f"mã {code!r} bị trùng")
            seen_codes.add(code)
            services = []
            for j, rs in enumerate(self.take(raw, "services", list, where)):
                swhere = f"{where}.services[{j}]"
                if not isinstance(rs, dict):
                    self.fail(swhere, "phải là một bảng [[departments.services]]")
                scode = self.code(rs, swhere)
                if scode in seen_codes:
                    self.fail(f"{swhere}.code", f"mã {scode!r} bị trùng")
                seen_codes.add(scode)
                prefix = self.take(rs, "prefix", str, swhere)
                if not _PREFIX_PATTERN.match(prefix):
                    self.fail(f"{swhere}.prefix", f"phải là 1–2 chữ cái in hoa, nhận được {prefix!r}")
                if prefix in seen_prefixes:
                    self.fail(f"{swhere}.prefix", f"chữ {prefix!r} đã dùng cho lĩnh vực {seen_prefixes[prefix]!r}")
                seen_prefixes[prefix] = scode
                cap = self.take(rs, "daily_cap", int, swhere, 999)
                if cap < 1:
                    self.fail(f"{swhere}.daily_cap", "phải ≥ 1")
                target = self.take(rs, "target_wait_minutes", int, swhere, default_target)
                minutes = self.take(rs, "service_minutes", (int, float), swhere, default_minutes)
                if target < 1 or minutes <= 0:
                    self.fail(swhere, "thời gian chờ mục tiêu và thời gian phục vụ phải dương")
                services.append(Service(scode, self.take(rs, "name", str, swhere), code, prefix, cap,
                                        target, float(minutes)))
            if not services:
                self.fail(f"{where}.services", "cần ít nhất một lĩnh vực")
            departments.append(Department(code, self.take(raw, "name", str, where), tuple(services)))
        return tuple(departments)

    def code(self, table: dict, where: str) -> str:
        code = self.take(table, "code", str, where)
        if not _CODE_PATTERN.match(code):
            self.fail(f"{where}.code", f"chỉ dùng chữ, số, '-', '_', '.': {code!r}")
        return code

    def counters(self, services: dict) -> tuple[Counter, ...]:
        counters, numbers = [], set()
        for i, raw in enumerate(self.take(self.raw, "counters", list, "")):
            where = f"counters[{i}]"
            if not isinstance(raw, dict):
                self.fail(where, "phải là một bảng [[counters]]")
            number = self.take(raw, "number", int, where)
            if number < 1 or number in numbers:
                self.fail(f"{where}.number", f"số quầy {number} không hợp lệ hoặc bị trùng")
            numbers.add(number)
            served = self.take(raw, "services", list, where)
            for code in served:
                if code not in services:
                    self.fail(f"{where}.services", f"lĩnh vực {code!r} không có trong [[departments.services]]")
            if not served or len(set(served)) != len(served):
                self.fail(f"{where}.services", "cần ít nhất một lĩnh vực, không trùng lặp")
            name = self.take(raw, "name", str, where, f"Quầy {number:02d}")
            counters.append(Counter(number, name, tuple(served)))
        if not counters:
            self.fail("counters", "cần ít nhất một quầy")
        unserved = set(services) - {code for c in counters for code in c.services}
        if unserved:
            self.fail("counters", f"không quầy nào phục vụ lĩnh vực: {', '.join(sorted(unserved))}")
        return tuple(sorted(counters, key=lambda c: c.number))

    def officers(self, department_codes: set) -> tuple[Officer, ...]:
        officers, names = [], set()
        for i, raw in enumerate(self.take(self.raw, "officers", list, "", [])):
            where = f"officers[{i}]"
            username = self.take(raw, "username", str, where)
            if username in names:
                self.fail(f"{where}.username", f"tên đăng nhập {username!r} bị trùng")
            names.add(username)
            department = self.take(raw, "department", str, where, None)
            if department is not None and department not in department_codes:
                self.fail(f"{where}.department", f"Sở, ngành {department!r} không tồn tại")
            role = self.take(raw, "role", str, where, "officer")
            if role not in ROLES:
                self.fail(f"{where}.role", f"phải là một trong {ROLES}, nhận được {role!r}")
            officers.append(Officer(username, self.take(raw, "name", str, where), department, role))
        return tuple(officers)

    def priority_groups(self) -> tuple[PriorityGroup, ...]:
        groups = []
        for i, raw in enumerate(self.take(self.raw, "priority_groups", list, "", [])):
            where = f"priority_groups[{i}]"
            groups.append(PriorityGroup(self.code(raw, where), self.take(raw, "name", str, where)))
        if len({g.code for g in groups}) != len(groups):
            self.fail("priority_groups", "mã nhóm ưu tiên bị trùng")
        return tuple(groups)

    def hours(self) -> OpeningHours:
        raw = self.take(self.raw, "hours", dict, "")
        days = self.take(raw, "working_days", list, "hours", ["T2", "T3", "T4", "T5", "T6"])
        unknown = [d for d in days if d not in WEEKDAY_NAMES]
        if unknown:
            self.fail("hours.working_days", f"ngày không hợp lệ {unknown}; dùng {list(WEEKDAY_NAMES)}")
        sessions = []
        for i, rs in enumerate(self.take(raw, "sessions", list, "hours")):
            where = f"hours.sessions[{i}]"
            start, end = (self.clock_time(rs, k, where) for k in ("start", "end"))
            if end <= start:
                self.fail(where, "giờ kết thúc phải sau giờ bắt đầu")
            sessions.append(Session(start, end))
        if not sessions:
            self.fail("hours.sessions", "cần ít nhất một buổi làm việc")
        holidays = set()
        for value in self.take(raw, "holidays", list, "hours", []):
            try:
                holidays.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(value))
            except (TypeError, ValueError):
                self.fail("hours.holidays", f"ngày nghỉ phải có dạng YYYY-MM-DD: {value!r}")
        stop = self.take(raw, "stop_issuing_minutes_before_end", int, "hours", 0)
        if stop < 0:
            self.fail("hours.stop_issuing_minutes_before_end", "không được âm")
        return OpeningHours(frozenset(WEEKDAY_NAMES[d] for d in days), tuple(sessions), stop, frozenset(holidays))

    def clock_time(self, table: dict, key: str, where: str) -> dt.time:
        value = self.take(table, key, (str, dt.time), where)
        if isinstance(value, dt.time):
            return value
        if value == "24:00":  # a session that runs to midnight
            return dt.time.max
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            self.fail(f"{where}.{key}", f"giờ phải có dạng HH:MM, nhận được {value!r}")

    def rating(self) -> RatingScale:
        raw = self.take(self.raw, "rating", dict, "", {})
        scale = self.take(raw, "scale", int, "rating", 3)
        if scale not in RATING_LEVELS:
            self.fail("rating.scale", f"chỉ hỗ trợ {sorted(RATING_LEVELS)} mức, nhận được {scale}")
        reasons = self.take(raw, "reasons", list, "rating", DEFAULT_DISSATISFACTION_REASONS)
        if not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
            self.fail("rating.reasons", "cần danh sách lý do không rỗng")
        return RatingScale(tuple(RATING_LEVELS[scale]), tuple(reasons))
