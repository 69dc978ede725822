"""Reports: any period, grouped by center, department, service, counter, officer, hour or day, in the official form.

Built from stored daily summaries (summaries.py). Ratings are stored at their raw level and reported in the
center's configured levels; the official three-level table is added only through the center's explicit mapping
(`[rating.official]`). Percentages add up to exactly 100 at the chosen precision (largest remainder). Every
figure and its formula: docs/REPORTS.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from . import feedback
from .appointments_report import CHANNEL_ROW_NAMES, appointment_counts, channel_lines
from .center import OFFICIAL_LEVELS, SITE_LEVELS, Center, RatingScale, level_is_dissatisfied
from .comments import period_comments
from .summaries import Summaries, empty_group, merge_groups, percentiles
from .vietnamese import format_date, format_number, format_percent, roman

GROUPINGS = ("center", "department", "service", "counter", "officer", "department_officer", "hour", "day", "channel")
PERIOD_KINDS = ("day", "week", "month", "quarter", "half", "year", "custom", "reporting_month", "reporting_year")
# Decimals of a percentage: 1 by default (95,3%), 2 when asked (97,19%), as the provinces' reports print them.
PRECISIONS = (1, 2)
PERCENT_PLACES = 1


@dataclass(frozen=True)
class Period:
    """A report's date range, both ends included, with the words that name it."""

    kind: str
    first: dt.date
    last: dt.date

    @property
    def title(self) -> str:
        """'Từ ngày 01/11/2026 đến ngày 30/11/2026', the heading of the official tables."""
        return f"Từ ngày {format_date(self.first)} đến ngày {format_date(self.last)}"

    @property
    def name(self) -> str:
        """The period as official documents name it: 'tháng 11/2026', 'quý IV/2026', '6 tháng đầu năm 2026',
        'năm 2019 (số liệu tính từ ngày 15/12/2018 đến ngày 14/12/2019)', or the range."""
        if self.first == self.last:
            return f"ngày {format_date(self.first)}"
        if self.kind == "month":
            return f"tháng {self.first.month:02d}/{self.first.year}"
        if self.kind == "quarter":
            return f"quý {roman((self.first.month - 1) // 3 + 1)}/{self.first.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.first.month == 1 else 'cuối'} năm {self.first.year}"
        if self.kind == "year":
            return f"năm {self.first.year}"
        counted = f"(số liệu tính từ ngày {format_date(self.first)} đến ngày {format_date(self.last)})"
        if self.kind == "reporting_month":
            return f"tháng {self.last.month:02d}/{self.last.year} {counted}"
        if self.kind == "reporting_year":
            return f"năm {self.last.year} {counted}"
        return f"từ ngày {format_date(self.first)} đến ngày {format_date(self.last)}"

    @property
    def lead(self) -> str:
        """How the summary paragraph opens: 'Trong ngày …', 'Trong quý IV/2026', 'Trong 6 tháng đầu năm 2026'."""
        name = self.name
        return f"Trong {name}" if not name.startswith("từ") else name[0].upper() + name[1:]

    def days(self) -> int:
        return (self.last - self.first).days + 1


def make_period(kind: str, anchor: dt.date, last: dt.date | None = None) -> Period:
    """The period of a kind that contains `anchor` (for `custom`, from `anchor` to `last`).

    `reporting_month` M is the 15th of month M-1 to the 14th of M, and `reporting_year` Y runs from 15/12 of Y-1 to
    14/12 of Y, the periods the centers' own reports use (e.g. Quảng Ngãi, 2019: 15/12/2018–14/12/2019).
    """
    if kind == "day":
        return Period(kind, anchor, anchor)
    if kind == "week":
        monday = anchor - dt.timedelta(days=anchor.weekday())
        return Period(kind, monday, monday + dt.timedelta(days=6))
    if kind == "month":
        last_day = calendar.monthrange(anchor.year, anchor.month)[1]
        return Period(kind, anchor.replace(day=1), anchor.replace(day=last_day))
    if kind in ("quarter", "half"):
        months = 3 if kind == "quarter" else 6
        first_month = (anchor.month - 1) // months * months + 1
        end_month = first_month + months - 1
        return Period(kind, dt.date(anchor.year, first_month, 1),
                      dt.date(anchor.year, end_month, calendar.monthrange(anchor.year, end_month)[1]))
    if kind == "year":
        return Period(kind, dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31))
    if kind == "reporting_month":
        end = anchor.replace(day=14) if anchor.day <= 14 else _add_month(anchor.replace(day=14))
        return Period(kind, _add_month(end, -1).replace(day=15), end)
    if kind == "reporting_year":
        year = anchor.year if anchor <= dt.date(anchor.year, 12, 14) else anchor.year + 1
        return Period(kind, dt.date(year - 1, 12, 15), dt.date(year, 12, 14))
    if kind == "custom":
        if last is None or last < anchor:
            raise ValueError("a custom period needs a last day on or after the first")
        return Period(kind, anchor, last)
    raise ValueError(f"unknown period kind {kind!r}")


def _add_month(day: dt.date, months: int = 1) -> dt.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def largest_remainder(counts: list[int], places: int = PERCENT_PLACES) -> list[float]:
    """Percentages of a total that add up to exactly 100 at `places` decimals (Hamilton's method).

    Each share is first cut down to `places` decimals; the units still missing go to the largest remainders,
    compared exactly (integers, no float drift); on a tie to the larger count, then to the better (earlier) level:
    4 / 1 / 1 → 66,7 / 16,7 / 16,6.
    """
    total = sum(counts)
    if total == 0:
        return [0.0 for _ in counts]
    unit = 10 ** places
    floors = [c * 100 * unit // total for c in counts]
    remainders = [c * 100 * unit % total for c in counts]
    short = 100 * unit - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:short]:
        floors[i] += 1
    return [f / unit for f in floors]


def rounded(value: Fraction | float, places: int) -> float:
    """Half up at `places` decimals, computed exactly (12,25 → 12,3; Python's round() would give 12,2)."""
    exact = Fraction(value)
    return _half_up(exact.numerator, exact.denominator, places)


def _half_up(numerator: int, denominator: int, places: int) -> float:
    """numerator ÷ denominator rounded half away from zero at `places` decimals, in integers:
    the float nearest that decimal, as Decimal's ROUND_HALF_UP and float() give, without their cost (a province
    report rounds some 40,000 figures)."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    unit = 10 ** places
    steps = (2 * abs(numerator) * unit + denominator) // (2 * denominator)
    return (steps if numerator >= 0 else -steps) / unit  # int ÷ int: correctly rounded


def share(part: int, whole: int, places: int) -> float | None:
    """part ÷ whole as a percentage rounded half up (service level, response rate, QĐ 766 rate)."""
    return _half_up(100 * part, whole, places) if whole else None


def minutes(seconds: Fraction | int | None) -> float | None:
    """Seconds as minutes rounded half up to one decimal."""
    if seconds is None:
        return None
    exact = Fraction(seconds)
    return _half_up(exact.numerator, 60 * exact.denominator, 1)


def time_figures(histogram: dict) -> dict:
    """Mean, median, 90th percentile (PERCENTILE.INC) and maximum of a time histogram, in minutes."""
    n = histogram["n"]
    median, p90 = percentiles(histogram, (Fraction(1, 2), Fraction(9, 10)))
    return {"count": n, "total_seconds": histogram["sum"],
            "mean": minutes(Fraction(histogram["sum"], n)) if n else None,
            "median": minutes(median), "p90": minutes(p90), "max": minutes(histogram["max"])}


def level_columns(levels: dict, scale: RatingScale) -> list[str]:
    """The configured levels, best first, then any level name no longer in the scale (it changed in the period)."""
    return list(scale.levels) + sorted(name for name, n in levels.items() if n and name not in scale.levels)


def rating_levels(levels: dict, scale: RatingScale, places: int, names: list[str] | None = None) -> dict:
    """Counts per stored level name → the level columns with percentages summing to 100."""
    names = names or level_columns(levels, scale)
    counts = [levels.get(name, 0) for name in names]
    shares = largest_remainder(counts, places)
    return {"total": sum(counts),
            "levels": [{"name": name, "count": n, "percent": p} for name, n, p in zip(names, counts, shares)]}


def official_ratings(levels: dict, scale: RatingScale, places: int = PERCENT_PLACES) -> dict | None:
    """The three official levels through the center's mapping, or None when the scale has none.

    A stored level the mapping does not name is left out of the table and counted in `unmapped`.
    """
    if not scale.has_official_table:
        return None
    counts, unmapped = [0, 0, 0], 0
    for name, n in levels.items():
        index = scale.official_index(name)
        if index is None:
            unmapped += n
        else:
            counts[index] += n
    shares = largest_remainder(counts, places)
    return {"total": sum(counts), "unmapped": unmapped,
            "levels": [{"name": OFFICIAL_LEVELS[i], "count": counts[i], "percent": shares[i]} for i in range(3)]}


def row_figures(figures: dict, scale: RatingScale, places: int = PERCENT_PLACES,
                level_names: list[str] | None = None) -> dict:
    """What a report row shows, derived from the summed figures of a group."""
    served, called, rated = figures["served"], figures["called"], figures["rated"]
    dissatisfied = sum(n for name, n in figures["ratings"].items() if level_is_dissatisfied(name, scale))
    return {
        "issued": figures["issued"], "served": served, "no_show": figures["no_show"],
        "transferred": figures["transferred"], "cancelled": figures["cancelled"],
        "left_waiting": figures["left_waiting"], "by_channel": figures["by_channel"],
        "wait": time_figures(figures["wait"]), "walk": time_figures(figures["walk"]),
        "service": time_figures(figures["service"]),
        "within_target": figures["within_target"], "over_target": called - figures["within_target"],
        "service_level": share(figures["within_target"], called, places),
        "ratings": rating_levels(figures["ratings"], scale, places, level_names),
        "official_ratings": official_ratings(figures["ratings"], scale, places),
        "rated": rated, "rated_on_timeout": figures["rated_on_timeout"],
        "rated_by_channel": figures["rated_by_channel"],
        "response_rate": share(rated, served, places),
        # QĐ 766/QĐ-TTg: (served − rated "không hài lòng") ÷ served.
        "satisfaction_766": share(served - dissatisfied, served, places),
        "dissatisfied": dissatisfied,
        "reasons": dict(sorted(figures["reasons"].items(), key=lambda kv: -kv[1])),
        "presence": {"signed_in_hours": round(figures["signed_in_s"] / 3600, 2),
                     "paused_hours": round(figures["paused_s"] / 3600, 2),
                     "serving_hours": round(figures["serving_s"] / 3600, 2)},
    }


class ReportBuilder:
    """Turns daily summaries into the tables and the paragraph leaders read."""

    def __init__(self, center: Center, precision: int = PERCENT_PLACES):
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
        self.center, self.precision = center, precision

    def figures(self, group: dict, level_names: list[str]) -> dict:
        return row_figures(group, self.center.rating, self.precision, level_names)

    def build(self, days: dict[dt.date, dict], period: Period, group_by: str = "department") -> dict:
        """The report of a period grouped one way, with its total row, peak hour and summary paragraph.

        `days` maps a day (or the first day of a month roll-up) to {dimension: {key: figures}}.
        """
        if group_by not in GROUPINGS:
            raise ValueError(f"unknown grouping {group_by!r}")
        groups: dict[str, dict] = {}
        total, hours = empty_group(), {}
        for day in sorted(days):
            summary = days[day]
            for figures in summary.get("center", {}).values():
                merge_groups(total, figures)
                if group_by == "day":
                    merge_groups(groups.setdefault(day.isoformat(), empty_group()), figures)
            for key, figures in summary.get("hour", {}).items():
                hours[key] = hours.get(key, 0) + figures["issued"]
            if group_by != "day":
                for key, figures in summary.get(group_by, {}).items():
                    merge_groups(groups.setdefault(key, empty_group()), figures)
        names = level_columns(total["ratings"], self.center.rating)  # every row has the same columns
        rows = [{"key": key, **self.describe(group_by, key), **self.figures(groups[key], names)}
                for key in self.order(group_by, groups)]
        peak = max(hours.items(), key=lambda kv: (kv[1], -int(kv[0])), default=None)
        site = self.center.site
        report = {
            "center": self.center.name,
            # Who this center is at the province's hub ([site]): the same code labels its figures there.
            **({"site": {"code": site.code, "name": site.name, "level": site.level,
                         "level_name": SITE_LEVELS[site.level], "district": site.district}} if site else {}),
            "period": {"kind": period.kind, "first": period.first.isoformat(), "last": period.last.isoformat(),
                       "title": period.title, "name": period.name},
            "precision": self.precision,
            "scale": {"levels": list(self.center.rating.levels), "official": self.center.rating.has_official_table},
            "group_by": group_by, "rows": rows, "total": self.figures(total, names),
            "peak_hour": f"{peak[0]}:00–{int(peak[0]) + 1:02d}:00" if peak and peak[1] else None,
        }
        report["summary"] = self.paragraph(period, report)
        return report

    def describe(self, group_by: str, key: str) -> dict:
        """Names of a row's key in Vietnamese (department, officer, …)."""
        c = self.center
        if group_by == "department":
            d = c.department(key)
            return {"name": d.name if d else key}
        if group_by == "service":
            s = c.services.get(key)
            d = c.department(s.department_code) if s else None
            return {"name": s.name if s else key, "department": d.name if d else ""}
        if group_by == "counter":
            counter = c.counter(int(key))
            return {"name": counter.name if counter else f"Quầy {int(key):02d}"}
        if group_by == "officer":
            o = c.officer(key)
            return {"name": o.name if o else key}
        if group_by == "department_officer":
            department, _, officer = key.partition("|")
            d, o = c.department(department), c.officer(officer)
            return {"name": o.name if o else officer, "department": d.name if d else department}
        if group_by == "hour":
            return {"name": f"{key}:00–{int(key) + 1:02d}:00"}
        if group_by == "day":
            return {"name": format_date(dt.date.fromisoformat(key))}
        if group_by == "channel":
            return {"name": CHANNEL_ROW_NAMES.get(key, key)}
        return {"name": c.name}

    def order(self, group_by: str, groups: dict) -> list[str]:
        """Rows in the order of the center file (departments, services, counters), else by key."""
        c = self.center
        if group_by == "department":
            known = [d.code for d in c.departments]
        elif group_by == "service":
            known = list(c.services)
        elif group_by == "counter":
            known = [str(k.number) for k in c.counters]
        elif group_by == "department_officer":
            rank = {d.code: i for i, d in enumerate(c.departments)}
            return sorted(groups, key=lambda k: (rank.get(k.partition("|")[0], 99), k))
        else:
            return sorted(groups)
        return [k for k in known if k in groups] + sorted(k for k in groups if k not in known)

    def paragraph(self, period: Period, report: dict) -> str:
        """The summary in the official style, e.g. "… có 786 lượt đánh giá, trong đó: đánh giá Rất hài lòng là 749
        lượt, chiếm 95,3%; …"."""
        t = report["total"]
        text = (f"{period.lead}, Trung tâm đã cấp {format_number(t['issued'])} số thứ tự, "
                f"phục vụ {format_number(t['served'])} lượt")
        if t["no_show"]:
            text += f", {format_number(t['no_show'])} lượt vắng mặt"
        ratings = t["official_ratings"] or t["ratings"]  # what official reports print, when the center maps to it
        if ratings["total"]:
            text += (f"; có {format_number(ratings['total'])} lượt đánh giá cán bộ tại Trung tâm, trong đó: "
                     + level_clauses(ratings, self.precision) + ".")
            if t["official_ratings"] and len(self.center.rating.levels) != len(OFFICIAL_LEVELS):
                text += (f" Theo thang đánh giá {len(self.center.rating.levels)} mức của Trung tâm: "
                         + "; ".join(f"{level['name']} {format_number(level['count'])} lượt "
                                     f"({format_percent(level['percent'], self.precision)})"
                                     for level in t["ratings"]["levels"]) + ".")
        else:
            text += "; chưa có lượt đánh giá nào."
        return text + closing_sentences(t, ratings, self.precision)


def level_clauses(ratings: dict, precision: int) -> str:
    """'đánh giá Rất hài lòng là 749 lượt, chiếm 95,3%; …; không có đánh giá Không hài lòng' (levels in order)."""
    parts, missing = [], []
    for level in ratings["levels"]:
        if level["count"]:
            parts.append(f"đánh giá {level['name']} là {format_number(level['count'])} lượt, "
                         f"chiếm {format_percent(level['percent'], precision)}")
        else:
            missing.append(level["name"])
    return "; ".join(parts) + ("; không có đánh giá " + " và ".join(missing) if missing else "")


def closing_sentences(total: dict, ratings: dict, precision: int) -> str:
    """The paragraph's mean wait (whole minutes, from the exact mean, not from its one-decimal form), the waits
    over target, and the QĐ 766 satisfaction rate when there are ratings."""
    text, wait = "", total["wait"]
    if wait["count"]:
        whole_minutes = int(rounded(Fraction(wait["total_seconds"], 60 * wait["count"]), 0))
        text += (f" Thời gian chờ trung bình {format_number(whole_minutes)} phút"
                 f"; {format_number(total['over_target'])} lượt chờ quá thời gian quy định.")
    if total["satisfaction_766"] is not None and ratings["total"]:
        text += (f" Tỷ lệ hài lòng (theo Quyết định 766/QĐ-TTg) đạt "
                 f"{format_percent(total['satisfaction_766'], precision)}.")
    return text


def generate(store, center: Center, period: Period, groupings=("department",), clock=None,
             precision: int = PERCENT_PLACES) -> dict[str, dict]:
    """Reports of a period in several groupings, on a connection of the calling (worker) thread."""
    builder = ReportBuilder(center, precision)  # refuses a bad precision before any work
    conn = store.worker_connection()
    try:
        summaries = Summaries(conn, center, clock) if clock else Summaries(conn, center)
        days = summaries.days(period.first, period.last, groupings, rollups="day" not in groupings)
        reports = {group_by: builder.build(days, period, group_by) for group_by in groupings}
        handled = feedback.period_figures(conn, period.first.isoformat(), period.last.isoformat())
        booked = appointment_figures(conn, period, builder.precision)
        for report in reports.values():
            report["feedback"] = handled
            report["appointments"] = booked
            report["channels"] = channel_lines(report)  # docs/REPORTS.md, "The channel table"
        return reports
    finally:
        conn.close()


def appointment_figures(conn, period: Period, places: int) -> dict:
    """Bookings and remote numbers of the period (server/core/appointments_report.py) with the appointment no-show
    rate (no-shows ÷ bookings whose check-in time is over) and the share of bookings checked in on time that were
    called within 10 minutes of their slot (docs/REPORTS.md, "Appointments")."""
    counts = appointment_counts(conn, period.first, period.last)
    return {**counts, "no_show_rate": share(counts["no_show"], counts["decided"], places),
            "called_within_10_share": share(counts["called_within_10"], counts["called"], places)}


def comments(store, center: Center, period: Period, limit: int | None = None) -> dict:
    """The comments table of a period (comments.period_comments) on a connection of the calling thread."""
    conn = store.worker_connection()
    try:
        return period_comments(conn, center, period.first, period.last, limit)
    finally:
        conn.close()
