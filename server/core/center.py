"""A center's description: departments, services, counters, officers, hours and policies.

Loaded from one TOML file, or from a version edited on the admin screens (the same mapping, stored as JSON).
Every problem found while loading raises CenterConfigError naming the source, the key and what is wrong, so a bad
file stops start-up with a message an administrator can act on. `center_to_raw` turns a Center back into that
mapping: reading it again gives the same Center.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .appointments_config import AppointmentPolicy, policy_to_raw, read_policy
from .names import composed

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
DEFAULT_DAILY_CAP = 999
DEFAULT_SERVICE_MINUTES = 10
DEFAULT_TARGET_WAIT_MINUTES = 20
# Integers larger than this are mistakes (and would not fit an SQLite integer column).
MAX_INT = 10**9
_PREFIX_PATTERN = re.compile(r"^[A-Z]{1,2}$")
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
# An IANA zone name ("Asia/Ho_Chi_Minh", "Etc/GMT+7"); checked before ZoneInfo opens a file named after it.
_ZONE_PATTERN = re.compile(r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,2}$")
MAX_ZONE_NAME = 64
# Longer than any name, address or notice a screen shows; a configuration is stored (and audited) at every save.
MAX_TEXT = 2000
# A service's search texts: (longest text, most entries). A thủ tục name runs to ~250 characters on the portals;
# a busy service receives a few hundred of them.
SEARCH_WORD_LIMITS = {"procedures": (300, 1000), "keywords": (40, 100)}
# Control characters (but tab and line breaks): no screen shows them and a worksheet cannot hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    # What a citizen may type to find it on the kiosk (server/core/search.py): the thủ tục hành chính it receives,
    # worded as the province's published list words them, and short forms ("GPLX", "hotich").
    procedures: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # Hours of its own within the center's (a service received only in the morning); empty: the center's hours.
    sessions: tuple[Session, ...] = ()


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
        for session in self.sessions:
            start = dt.datetime.combine(local.date(), session.start, local.tzinfo)
            end = dt.datetime.combine(local.date(), self.issuing_end(session), local.tzinfo)
            if start <= local < end:
                return True
        return False

    def issuing_end(self, session: Session) -> dt.time:
        """When a session stops issuing: its end less `stop_issuing_minutes_before_end` (never before its start)."""
        end = dt.datetime.combine(dt.date(2000, 1, 2), session.end) - dt.timedelta(
            minutes=self.stop_issuing_minutes_before_end)
        return max(end.time() if end.date() == dt.date(2000, 1, 2) else dt.time.min, session.start)


# The three levels official reports print (QĐ 766/QĐ-TTg and the provinces' forms), best first.
OFFICIAL_LEVELS = ("Rất hài lòng", "Hài lòng", "Không hài lòng")
DISSATISFIED = 2  # index of "Không hài lòng" in OFFICIAL_LEVELS


@dataclass(frozen=True)
class RatingScale:
    """The levels shown on the tablet (best first), the reasons asked for on dissatisfaction, and how the levels
    count in the official three-level table.

    `official[i]` is the index in OFFICIAL_LEVELS that configured level i+1 counts as, or None when the scale has
    no such mapping (a five-level scale without `[rating.official]`): its reports then show the five levels only.
    """

    levels: tuple[str, ...]
    reasons: tuple[str, ...]
    official: tuple[int, ...] | None = None
    reason_required: bool = False

    def is_dissatisfied(self, level: int) -> bool:
        """Whether level (1 = best) is a "không hài lòng" that a supervisor must follow up and QĐ 766 counts.

        With a mapping, the levels mapped to "Không hài lòng"; without one, the levels so named ("Không hài lòng",
        "Rất không hài lòng"): never a silent fold of "Bình thường" either way.
        """
        return level_is_dissatisfied(self.levels[level - 1], self)

    def official_index(self, level_name: str) -> int | None:
        """The official level a stored level name counts as (names of an earlier scale by their own words)."""
        if self.official is not None and level_name in self.levels:
            return self.official[self.levels.index(level_name)]
        if level_name in OFFICIAL_LEVELS and (self.official is not None or len(self.levels) == 3):
            return OFFICIAL_LEVELS.index(level_name)
        return None

    @property
    def has_official_table(self) -> bool:
        """Whether reports can show the official three levels (a three-level scale, or a mapped one)."""
        return self.official is not None


def level_is_dissatisfied(level_name: str, scale: RatingScale) -> bool:
    """`RatingScale.is_dissatisfied` for a stored level name (it may come from an earlier scale)."""
    index = scale.official_index(level_name)
    if index is not None:
        return index == DISSATISFIED
    return "không hài lòng" in level_name.lower()


# A site's level in the province (the hub groups by it): provincial center, district office, commune office.
SITE_LEVELS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}
_SITE_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class Site:
    """[site]: who this center is in the province's hub (docs/HUB.md). `code` is stable: the hub knows it by it."""

    code: str
    name: str
    level: str  # a key of SITE_LEVELS
    district: str = ""


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
    # The [queue] defaults, kept so that the configuration can be written back as it was given.
    default_service_minutes: float = DEFAULT_SERVICE_MINUTES
    default_target_wait_minutes: int = DEFAULT_TARGET_WAIT_MINUTES
    site: Site | None = None  # [site]: its identity at the provincial hub; None: it reports to no hub
    appointments: AppointmentPolicy | None = None  # [appointments]: booking and remote numbers; None: neither
    source: str = field(default="", compare=False)  # where it was read from: a file, or a stored version
    services: dict[str, Service] = field(default_factory=dict, compare=False)
    # Look-ups every issued ticket makes, built once (a center never changes: an admin's edit makes a new one).
    _departments: dict = field(init=False, compare=False, repr=False)
    _serving: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        if not self.services:
            index = {s.code: s for d in self.departments for s in d.services}
            object.__setattr__(self, "services", index)
        object.__setattr__(self, "_departments", {d.code: d for d in reversed(self.departments)})
        object.__setattr__(self, "_serving", {code: [c for c in self.counters if code in c.services]
                                              for code in {code for c in self.counters for code in c.services}})

    def department(self, code: str) -> Department | None:
        """The department with this code, or None."""
        return self._departments.get(code)

    def counter(self, number: int) -> Counter | None:
        """The counter with this number, or None."""
        return next((c for c in self.counters if c.number == number), None)

    def officer(self, username: str) -> Officer | None:
        """The officer with this username, or None."""
        return next((o for o in self.officers if o.username == username), None)

    def priority_group(self, code: str) -> PriorityGroup | None:
        """The priority group with this code, or None."""
        return next((g for g in self.priority_groups if g.code == code), None)

    def service_issuing(self, service: Service, local: dt.datetime) -> bool:
        """Whether a kiosk may give a number of this service at this local time: the center issues, and the
        service's own sessions, if it has any, allow it (each also stops `stop_issuing_minutes_before_end` early)."""
        if not self.hours.is_issuing(local):
            return False
        moment = local.time().replace(tzinfo=None)
        return not service.sessions or any(s.start <= moment < self.hours.issuing_end(s) for s in service.sessions)

    def service_hours(self, service: Service) -> str:
        """When a service with hours of its own gives numbers, "07:30–11:15" (what the kiosk says outside them)."""
        return ", ".join(f"{s.start:%H:%M}–{self.hours.issuing_end(s):%H:%M}" for s in service.sessions)

    def counters_serving(self, service_code: str) -> list[Counter]:
        """Counters that serve a service, by counter number."""
        return list(self._serving.get(service_code, ()))

    def local(self, epoch: float) -> dt.datetime:
        """The center's local date and time for an epoch second."""
        return dt.datetime.fromtimestamp(epoch, self.timezone)

    def local_date(self, epoch: float) -> str:
        """The center's local date (YYYY-MM-DD) for an epoch second: the day numbers restart on."""
        return self.local(epoch).date().isoformat()

    def day_start(self, day: dt.date) -> int:
        """The epoch second of a local day's midnight."""
        return int(dt.datetime.combine(day, dt.time.min, self.timezone).timestamp())


# The demo's override (HANGDOI_IGNORE_OPENING_HOURS, run.py --demo): numbers are issued at any hour.
ALWAYS_OPEN = OpeningHours(frozenset(range(7)), (Session(dt.time.min, dt.time.max),), 0, frozenset())


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


def center_from_raw(raw: dict, source: str) -> Center:
    """Check a mapping shaped like the TOML file (an edited version); errors name `source` and the key."""
    if not isinstance(raw, dict):
        raise CenterConfigError(source, "-", "cấu hình phải là một bảng (mapping)")
    return CenterReader(source, raw).center()


def center_to_raw(center: Center) -> dict:
    """The TOML-shaped mapping of a center (JSON-safe: times "HH:MM", days "T2".."CN", dates "YYYY-MM-DD").

    Values equal to a default the file may leave out (a service's target wait and minutes, a counter's name)
    are left out too, so that changing the [queue] default changes the services that follow it.
    """
    day_names = {number: name for name, number in WEEKDAY_NAMES.items()}
    return {
        "center": {"name": center.name, "timezone": center.timezone.key,
                   # optional texts: an empty one is left out (the file may not hold an empty string)
                   **{key: text for key, text in (("address", center.address), ("notice", center.notice)) if text}},
        "hours": {
            "working_days": [day_names[d] for d in sorted(center.hours.working_days)],
            "sessions": [{"start": _clock_text(s.start), "end": _clock_text(s.end)} for s in center.hours.sessions],
            "stop_issuing_minutes_before_end": center.hours.stop_issuing_minutes_before_end,
            "holidays": sorted(d.isoformat() for d in center.hours.holidays),
        },
        "queue": {"priority_policy": center.priority_policy, "priority_every": center.priority_every,
                  "default_service_minutes": _number(center.default_service_minutes),
                  "default_target_wait_minutes": center.default_target_wait_minutes,
                  "no_show_min_calls": center.no_show_min_calls, "no_show_min_seconds": center.no_show_min_seconds},
        "rating": _rating_raw(center.rating),
        "priority_groups": [{"code": g.code, "name": g.name} for g in center.priority_groups],
        "departments": [{"code": d.code, "name": d.name, "services": [_service_raw(center, s) for s in d.services]}
                        for d in center.departments],
        "counters": [{"number": c.number, **({} if c.name == _counter_name(c.number) else {"name": c.name}),
                      "services": list(c.services)} for c in center.counters],
        "officers": [{"username": o.username, "name": o.name,
                      **({"department": o.department_code} if o.department_code else {}), "role": o.role}
                     for o in center.officers],
        **({"site": {"code": center.site.code, "name": center.site.name, "level": center.site.level,
                     **({"district": center.site.district} if center.site.district else {})}}
           if center.site else {}),
        **({"appointments": policy_to_raw(center.appointments)} if center.appointments else {}),
    }


def _service_raw(center: Center, service: Service) -> dict:
    raw = {"code": service.code, "name": service.name, "prefix": service.prefix, "daily_cap": service.daily_cap}
    if service.target_wait_minutes != center.default_target_wait_minutes:
        raw["target_wait_minutes"] = service.target_wait_minutes
    if service.default_service_minutes != center.default_service_minutes:
        raw["service_minutes"] = _number(service.default_service_minutes)
    if service.procedures:
        raw["procedures"] = list(service.procedures)
    if service.keywords:
        raw["keywords"] = list(service.keywords)
    if service.sessions:
        raw["sessions"] = [{"start": _clock_text(s.start), "end": _clock_text(s.end)} for s in service.sessions]
    return raw


def _rating_raw(scale: RatingScale) -> dict:
    raw = {"scale": len(scale.levels), "reasons": list(scale.reasons)}
    if scale.official is not None and scale.levels != OFFICIAL_LEVELS:
        raw["official"] = {name: [level for level, index in zip(scale.levels, scale.official) if index == i]
                           for i, name in enumerate(OFFICIAL_LEVELS)}
    if scale.reason_required:
        raw["reason_required"] = True
    return raw


def _clock_text(moment: dt.time) -> str:
    if moment == dt.time.max:  # a session that runs to midnight
        return "24:00"
    return moment.strftime("%H:%M:%S" if moment.second or moment.microsecond else "%H:%M")


def _number(value: float) -> int | float:
    """6.0 → 6: minutes read back as the file wrote them."""
    return int(value) if float(value).is_integer() else value


def _counter_name(number: int) -> str:
    return f"Quầy {number:02d}"


def storable_text(value) -> bool:
    """A string UTF-8 (and so SQLite) can carry: JSON may decode to a lone surrogate ("\\ud800"), which it cannot."""
    if not isinstance(value, str):
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class CenterReader:
    """Turns the raw TOML mapping into a Center, checking each key as it goes."""

    def __init__(self, path: Path | str, raw: dict):
        self.path = path  # the file, or a label such as "phiên bản 3"
        self.raw = composed(raw) if isinstance(raw, dict) else raw  # names in NFC however they were typed

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
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(full, f"phải là {expected}, nhận được {value!r}")
        if isinstance(value, str) and not value.strip():
            self.fail(full, "không được để trống (must not be empty)")
        if isinstance(value, str) and (len(value) > MAX_TEXT or not storable_text(value) or _CONTROL.search(value)):
            self.fail(full, f"phải là văn bản tối đa {MAX_TEXT} ký tự, không có ký tự lỗi hoặc ký tự điều khiển")
        if isinstance(value, (int, float)) and not abs(value) <= MAX_INT:  # also refuses nan and inf
            self.fail(full, f"số quá lớn: {value!r}")
        return value

    def row(self, raw, where: str, table: str) -> dict:
        """One row of a list of tables, or an error naming it."""
        if not isinstance(raw, dict):
            self.fail(where, f"phải là một bảng {table}")
        return raw

    def strings(self, table: dict, key: str, where: str, default=...) -> list:
        """A list of strings (service codes, day names, reasons)."""
        values = self.take(table, key, list, where, default)
        if not all(isinstance(v, str) for v in values):
            self.fail(f"{where}.{key}" if where else key, "mỗi phần tử phải là chuỗi ký tự")
        return values

    def center(self) -> Center:
        info = self.take(self.raw, "center", dict, "")
        zone_name = self.take(info, "timezone", str, "center", DEFAULT_TIMEZONE)
        if len(zone_name) > MAX_ZONE_NAME or not _ZONE_PATTERN.match(zone_name):
            self.fail("center.timezone", f"múi giờ không tồn tại: {zone_name[:MAX_ZONE_NAME]!r}")
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name the file system refuses
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
        no_show_calls = self.take(queue, "no_show_min_calls", int, "queue", 2)
        no_show_seconds = self.take(queue, "no_show_min_seconds", int, "queue", 60)
        if no_show_calls < 0 or no_show_seconds < 0:
            self.fail("queue", "số lần gọi và số giây trước khi bỏ qua không được âm")
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
            no_show_min_calls=no_show_calls,
            no_show_min_seconds=no_show_seconds,
            rating=self.rating(),
            default_service_minutes=float(self.take(queue, "default_service_minutes", (int, float), "queue",
                                                    DEFAULT_SERVICE_MINUTES)),
            default_target_wait_minutes=self.take(queue, "default_target_wait_minutes", int, "queue",
                                                  DEFAULT_TARGET_WAIT_MINUTES),
            appointments=read_policy(self, services),
            site=self.site(),
            source=str(self.path),
        )

    def departments(self) -> tuple[Department, ...]:
        queue = self.take(self.raw, "queue", dict, "", {})
        default_minutes = self.take(queue, "default_service_minutes", (int, float), "queue", DEFAULT_SERVICE_MINUTES)
        default_target = self.take(queue, "default_target_wait_minutes", int, "queue", DEFAULT_TARGET_WAIT_MINUTES)
        if default_minutes <= 0 or default_target < 1:
            self.fail("queue", "thời gian phục vụ và thời gian chờ mục tiêu mặc định phải dương")
        raw_departments = self.take(self.raw, "departments", list, "")
        if not raw_departments:
            self.fail("departments", "cần ít nhất một Sở, ngành")
        departments, seen_codes, seen_prefixes = [], set(), {}
        for i, raw in enumerate(raw_departments):
            where = f"departments[{i}]"
            self.row(raw, where, "[[departments]]")
            code = self.code(raw, where)
            if code in seen_codes:
                self.fail(f"{where}.code", f"mã {code!r} bị trùng")
            seen_codes.add(code)
            services = []
            for j, rs in enumerate(self.take(raw, "services", list, where)):
                swhere = f"{where}.services[{j}]"
                self.row(rs, swhere, "[[departments.services]]")
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
                cap = self.take(rs, "daily_cap", int, swhere, DEFAULT_DAILY_CAP)
                if cap < 1:
                    self.fail(f"{swhere}.daily_cap", "phải ≥ 1")
                target = self.take(rs, "target_wait_minutes", int, swhere, default_target)
                minutes = self.take(rs, "service_minutes", (int, float), swhere, default_minutes)
                if target < 1 or minutes <= 0:
                    self.fail(swhere, "thời gian chờ mục tiêu và thời gian phục vụ phải dương")
                own_hours = tuple(self.session(r, f"{swhere}.sessions[{k}]")
                                  for k, r in enumerate(self.take(rs, "sessions", list, swhere, [])))
                services.append(Service(scode, self.take(rs, "name", str, swhere), code, prefix, cap,
                                        target, float(minutes), self.search_words(rs, "procedures", swhere),
                                        self.search_words(rs, "keywords", swhere), own_hours))
            if not services:
                self.fail(f"{where}.services", "cần ít nhất một lĩnh vực")
            departments.append(Department(code, self.take(raw, "name", str, where), tuple(services)))
        return tuple(departments)

    def search_words(self, table: dict, key: str, where: str) -> tuple[str, ...]:
        """A service's `procedures` or `keywords`: short, distinct, non-empty texts (the kiosk's search reads them)."""
        values = self.strings(table, key, where, [])
        longest, most = SEARCH_WORD_LIMITS[key]
        if len(values) > most:
            self.fail(f"{where}.{key}", f"tối đa {most} mục, nhận được {len(values)}")
        for value in values:
            if not value.strip() or len(value) > longest or not storable_text(value) or _CONTROL.search(value):
                self.fail(f"{where}.{key}", f"mỗi mục là văn bản từ 1 đến {longest} ký tự, nhận được {value[:60]!r}")
        if len(set(values)) != len(values):
            duplicate = next(v for v in values if values.count(v) > 1)
            self.fail(f"{where}.{key}", f"mục {duplicate!r} bị trùng")
        return tuple(value.strip() for value in values)

    def site(self) -> Site | None:
        """[site], optional: a stable code, the name the province's reports print, the level, the district (required
        below the provincial level)."""
        raw = self.take(self.raw, "site", dict, "", None)
        if raw is None:
            return None
        code = self.take(raw, "code", str, "site")
        if not _SITE_CODE_PATTERN.match(code):
            self.fail("site.code", f"mã đơn vị: chữ không dấu, số, '-', '_', '.' (tối đa 40), nhận được {code!r}")
        level = self.take(raw, "level", str, "site")
        if level not in SITE_LEVELS:
            self.fail("site.level", f"phải là một trong {tuple(SITE_LEVELS)}, nhận được {level!r}")
        district = self.take(raw, "district", str, "site", "")
        if level != "tinh" and not district:
            self.fail("site.district", "đơn vị cấp huyện và cấp xã phải ghi huyện (district)")
        name = self.take(raw, "name", str, "site", None) or self.take(self.raw["center"], "name", str, "center")
        return Site(code, name.strip(), level, district.strip())

    def code(self, table: dict, where: str) -> str:
        code = self.take(table, "code", str, where)
        if not _CODE_PATTERN.match(code):
            self.fail(f"{where}.code", f"chỉ dùng chữ, số, '-', '_', '.': {code!r}")
        return code

    def counters(self, services: dict) -> tuple[Counter, ...]:
        counters, numbers = [], set()
        for i, raw in enumerate(self.take(self.raw, "counters", list, "")):
            where = f"counters[{i}]"
            self.row(raw, where, "[[counters]]")
            number = self.take(raw, "number", int, where)
            if number < 1 or number in numbers:
                self.fail(f"{where}.number", f"số quầy {number} không hợp lệ hoặc bị trùng")
            numbers.add(number)
            served = self.strings(raw, "services", where)
            for code in served:
                if code not in services:
                    self.fail(f"{where}.services", f"lĩnh vực {code!r} không có trong [[departments.services]]")
            if not served or len(set(served)) != len(served):
                self.fail(f"{where}.services", "cần ít nhất một lĩnh vực, không trùng lặp")
            name = self.take(raw, "name", str, where, _counter_name(number))
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
            self.row(raw, where, "[[officers]]")
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
            self.row(raw, where, "[[priority_groups]]")
            groups.append(PriorityGroup(self.code(raw, where), self.take(raw, "name", str, where)))
        if len({g.code for g in groups}) != len(groups):
            self.fail("priority_groups", "mã nhóm ưu tiên bị trùng")
        return tuple(groups)

    def hours(self) -> OpeningHours:
        raw = self.take(self.raw, "hours", dict, "")
        days = self.strings(raw, "working_days", "hours", ["T2", "T3", "T4", "T5", "T6"])
        unknown = [d for d in days if d not in WEEKDAY_NAMES]
        if unknown:
            self.fail("hours.working_days", f"ngày không hợp lệ {unknown}; dùng {list(WEEKDAY_NAMES)}")
        sessions = []
        for i, rs in enumerate(self.take(raw, "sessions", list, "hours")):
            sessions.append(self.session(rs, f"hours.sessions[{i}]"))
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

    def session(self, raw, where: str) -> Session:
        """One `{start = "07:30", end = "11:30"}`."""
        self.row(raw, where, "{start = \"07:30\", end = \"11:30\"}")
        start, end = (self.clock_time(raw, k, where) for k in ("start", "end"))
        if end <= start:
            self.fail(where, "giờ kết thúc phải sau giờ bắt đầu")
        return Session(start, end)

    def clock_time(self, table: dict, key: str, where: str) -> dt.time:
        value = self.take(table, key, (str, dt.time), where)
        if isinstance(value, dt.time):
            return value
        if value == "24:00":  # a session that runs to midnight
            return dt.time.max
        try:
            moment = dt.time.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is not None:  # the center's own zone applies
            self.fail(f"{where}.{key}", f"giờ phải có dạng HH:MM, nhận được {value!r}")
        return moment

    def rating(self) -> RatingScale:
        raw = self.take(self.raw, "rating", dict, "", {})
        scale = self.take(raw, "scale", int, "rating", 3)
        if scale not in RATING_LEVELS:
            self.fail("rating.scale", f"chỉ hỗ trợ {sorted(RATING_LEVELS)} mức, nhận được {scale}")
        reasons = self.take(raw, "reasons", list, "rating", DEFAULT_DISSATISFACTION_REASONS)
        if not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
            self.fail("rating.reasons", "cần danh sách lý do không rỗng")
        if len(set(reasons)) != len(reasons):
            self.fail("rating.reasons", "lý do bị trùng")
        levels = tuple(RATING_LEVELS[scale])
        official = self.official_mapping(raw, levels)
        reason_required = self.take(raw, "reason_required", bool, "rating", False)
        return RatingScale(levels, tuple(reasons), official, reason_required)

    def official_mapping(self, raw: dict, levels: tuple[str, ...]) -> tuple[int, ...] | None:
        """`[rating.official]`: each official level → the configured levels it counts; every level exactly once.

        The three-level scale is its own mapping. A five-level scale without one gets no official table.
        """
        if "official" not in raw:
            return tuple(range(3)) if levels == OFFICIAL_LEVELS else None
        table = self.take(raw, "official", dict, "rating")
        unknown = [k for k in table if k not in OFFICIAL_LEVELS]
        if unknown:
            self.fail("rating.official", f"mức chính thức không hợp lệ {unknown}; dùng {list(OFFICIAL_LEVELS)}")
        official: dict[str, int] = {}
        for index, name in enumerate(OFFICIAL_LEVELS):
            mapped = self.strings(table, name, "rating.official", [])
            if not mapped:
                self.fail(f"rating.official.{name}", "cần ít nhất một mức của thang đánh giá")
            for level in mapped:
                if level not in levels:
                    self.fail(f"rating.official.{name}", f"{level!r} không phải một mức của thang {list(levels)}")
                if level in official:
                    self.fail(f"rating.official.{name}", f"mức {level!r} đã được tính vào mức khác")
                official[level] = index
        missing = [level for level in levels if level not in official]
        if missing:
            self.fail("rating.official", f"chưa xếp các mức {missing} vào mức chính thức nào")
        if [official[level] for level in levels] != sorted(official[level] for level in levels):
            self.fail("rating.official", "thứ tự các mức phải giữ nguyên (mức tốt hơn không thể tính vào mức kém hơn)")
        return tuple(official[level] for level in levels)
