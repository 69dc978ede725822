"""The `[appointments]` table of the center file: bookable services and their capacity per slot, remote numbers
(lấy số từ xa) and their daily cap, when booking is open, abuse limits, the check-in policy and how long personal
data is kept (docs/CONFIG.md, `[appointments]`).

Read by server/core/center.py's CenterReader (this module takes the reader, so it needs nothing from center.py)
and written back by `policy_to_raw`, so an admin's save of another section keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AppointmentPolicy:
    """How a center takes bookings and remote numbers, and how booked citizens are called."""

    capacity: dict[str, int] = field(default_factory=dict)  # service → bookings per slot (bookable services only)
    remote_daily_cap: dict[str, int] = field(default_factory=dict)  # service → remote numbers per day
    slot_minutes: int = 30
    days_ahead: int = 14  # a slot may be booked from today until this many days ahead
    close_minutes_before: int = 60  # booking of a slot closes this long before it starts (negative: after)
    per_phone_per_day: int = 3  # bookings and remote numbers one phone number may make in one day
    per_address_per_day: int = 20  # the same from one network address (a café's Wi-Fi is many citizens)
    late_minutes: int = 15  # checked in later than slot + this: an ordinary walk-in ticket
    booked_every: int = 3  # N:1: at most N booked citizens called in a row at a counter while a walk-in waits
    remote_grace_minutes: int = 10  # a remote number passed over while not checked in is kept this long
    retention_days: int = 30  # names and phone numbers are erased this many days after the booking's day

    def bookable(self, service_code: str) -> bool:
        return service_code in self.capacity

    def remote_enabled(self, service_code: str) -> bool:
        return service_code in self.remote_daily_cap


# key → (minimum, default); every one an integer.
_NUMBERS = {
    "slot_minutes": (5, 30), "days_ahead": (0, 14), "close_minutes_before": (-240, 60),
    "per_phone_per_day": (1, 3), "per_address_per_day": (1, 20), "late_minutes": (0, 15),
    "booked_every": (1, 3), "remote_grace_minutes": (0, 10), "retention_days": (0, 30),
}


def read_policy(reader, services: dict) -> AppointmentPolicy | None:
    """The `[appointments]` table checked with the center reader's `take`/`fail` (errors name the key), or None
    when the center has none (no booking, no remote numbers)."""
    raw = reader.take(reader.raw, "appointments", dict, "", None)
    if raw is None:
        return None
    numbers = {}
    for key, (minimum, default) in _NUMBERS.items():
        value = reader.take(raw, key, int, "appointments", default)
        if value < minimum:
            reader.fail(f"appointments.{key}", f"phải ≥ {minimum}")
        numbers[key] = value
    if numbers["slot_minutes"] > 240:
        reader.fail("appointments.slot_minutes", "một khung giờ dài tối đa 240 phút")
    if numbers["days_ahead"] > 90:
        reader.fail("appointments.days_ahead", "đặt lịch trước tối đa 90 ngày")
    maps = {}
    from_file = isinstance(reader.path, Path)  # else a version an admin is saving on /admin/config
    for key in ("capacity", "remote_daily_cap"):
        table = reader.take(raw, key, dict, "appointments", {})
        for code, value in table.items():
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000:
                reader.fail(f"appointments.{key}.{code}", f"phải là số nguyên từ 1 đến 10000, nhận được {value!r}")
            if code not in services and from_file:
                reader.fail(f"appointments.{key}.{code}", f"lĩnh vực {code!r} không có trong [[departments.services]]")
        # A service an admin removes on /admin/config (which has no page for this table) stops taking bookings
        # with it, instead of the removal being refused for a key the admin cannot edit there.
        maps[key] = {code: value for code, value in table.items() if code in services}
    return AppointmentPolicy(capacity=maps["capacity"], remote_daily_cap=maps["remote_daily_cap"], **numbers)


def policy_to_raw(policy: AppointmentPolicy) -> dict:
    """The TOML-shaped table of a policy (JSON-safe), every key written out."""
    return {"capacity": dict(policy.capacity), "remote_daily_cap": dict(policy.remote_daily_cap),
            **{key: getattr(policy, key) for key in _NUMBERS}}
