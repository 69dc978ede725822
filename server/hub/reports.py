"""The province's reports: the site's figures and official form over every site's ingested facts, on PostgreSQL.

Each site-day is summarised with the site's own code (server/core/summaries.summarize_day) from the rows the site
sent, stored in `hub_day_summaries` and recomputed when triggers mark it stale (new tickets, ratings or counter
events of that site and day, migration 0100); whole past months are rolled up per site as the site rolls them up.
A report merges the parts it needs exactly as the site merges days and months: counts add, and every mean,
median, 90th percentile and maximum is taken over the union of the exact one-second histograms, never averaged.
So for every period and grouping the hub's figures equal a recount over the sites' tickets, and a row of one site
equals that site's own report (docs/HUB.md, Reports).

No Flask here: the routes (reports_web.py) and the command line call this with a psycopg connection, used in
autocommit mode while a report is made (each write is its own short transaction; reads hold no lock).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from psycopg.rows import dict_row

from server.core.center import DEFAULT_DISSATISFACTION_REASONS, OFFICIAL_LEVELS, RatingScale
from server.core.feedback import median_minutes
from server.core.reports import (
    PERCENT_PLACES,
    Period,
    ReportBuilder,
    closing_sentences,
    level_clauses,
    level_columns,
)
from server.core.summaries import (
    COUNTER_EVENT_KINDS,
    DIMENSIONS,
    PRESENCE_LOOKBACK,
    RATING_COLUMNS,
    TICKET_COLUMNS,
    TIMES,
    empty_group,
    flatten,
    merge_groups,
    sorted_union,
    summarize_day,
)
from server.core.vietnamese import format_number

# Every site of a Vietnamese province keeps Việt Nam's time (the sites' default zone): local dates and hours.
HUB_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Today's site-days change all day: a stored one older than this is computed again when a report reads it.
TODAY_SECONDS = 30
LEVELS = ("tinh", "huyen", "xa")
LEVEL_NAMES = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}
# A report row is one of these; the site-day dimension each reads (site, district, level and day read the
# site's whole-day figures).
GROUPINGS = ("site", "district", "level", "department", "service", "officer", "day", "hour", "channel")
SOURCE_DIMENSION = {"site": "center", "district": "center", "level": "center", "day": "center",
                    "department": "department", "service": "service", "officer": "officer", "hour": "hour",
                    "channel": "channel"}
# The groupings whose rows are named by the sites' labels (the others by the hub's sites or the site's words).
NAMED_BY_LABELS = {"department", "service", "officer"}
# Beside the site's dimensions the hub stores {hour: numbers issued} per site-day (and month): the peak hour of a
# report needs only that, and the full hour dimension (a histogram per hour) is ten times the size of the rest.
HOUR_ISSUED = "hour_issued"
STORED_DIMENSIONS = (*DIMENSIONS, HOUR_ISSUED)
# The province's scale: the official three levels. A five-level site's level names get their own columns.
# The counter events' kinds as SQL literals, as migration 0100's partial index site_events_counters names them.
COUNTER_KINDS_SQL = ", ".join(f"'{kind}'" for kind in COUNTER_EVENT_KINDS)
PROVINCE_SCALE = RatingScale(tuple(OFFICIAL_LEVELS), tuple(DEFAULT_DISSATISFACTION_REASONS), (0, 1, 2))


@dataclass(frozen=True)
class Site:
    """A site as the reports name and group it."""

    id: int
    code: str
    name: str
    level: str | None
    district: str | None


@dataclass(frozen=True)
class Scope:
    """Which sites a report covers and how its paragraph names them: the whole province, or one district."""

    name: str  # "tỉnh Lạng Sơn", "huyện Cao Lộc"
    district: str | None = None

    @property
    def whole(self) -> str:
        """'toàn tỉnh', 'toàn huyện Cao Lộc'."""
        return "toàn tỉnh" if self.district is None else f"toàn {self.name}"


@dataclass(frozen=True)
class _Target:
    target_wait_minutes: int


class SiteRules:
    """What summarize_day asks of a site's center: local hours, each service's target wait (from its labels)."""

    timezone = HUB_TIMEZONE

    def __init__(self, targets: dict[str, int]):
        self.services = {code: _Target(minutes) for code, minutes in targets.items()}

    def local(self, epoch: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(epoch, HUB_TIMEZONE)

    def day_start(self, day: dt.date) -> int:
        return int(dt.datetime.combine(day, dt.time.min, HUB_TIMEZONE).timestamp())


def hub_today(now: float) -> dt.date:
    return dt.datetime.fromtimestamp(now, HUB_TIMEZONE).date()


def sites(conn, district: str | None = None) -> list[Site]:
    """The sites a report may cover (every granted site, revoked ones too: their past facts still count)."""
    query = "SELECT id, code, coalesce(name, code) AS name, level, district FROM hub_sites"
    rows = conn.execute(query + (" WHERE district = %s" if district else "") + " ORDER BY id",
                        (district,) if district else ()).fetchall()
    return [Site(*row) for row in rows]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class HubSummaries:
    """Stored site-day summaries and site-month roll-ups, on one psycopg connection of the caller's thread.

    Like the site's Summaries: a stale site-day is marked fresh in a commit of its own before its rows are read,
    so facts ingested meanwhile mark it stale again; its summary is written in a short transaction. The
    connection is in autocommit mode (`autocommit(conn)`).
    """

    def __init__(self, conn, clock=time.time):
        self.conn, self.clock = conn, clock

    # ----- computing site-days ----------------------------------------------------------------------------

    def refresh(self, site_ids: list[int], first: dt.date, last: dt.date) -> int:
        """Compute every stale site-day of these sites in [first, last] (and today's older than TODAY_SECONDS);
        how many were computed."""
        today = hub_today(self.clock()).isoformat()
        rows = self.conn.execute(
            "SELECT site_id, local_date FROM hub_summary_days WHERE site_id = ANY(%s)"
            " AND local_date BETWEEN %s AND %s AND (stale OR (local_date >= %s AND computed_at < %s))",
            (site_ids, first.isoformat(), last.isoformat(), today, int(self.clock()) - TODAY_SECONDS)).fetchall()
        by_site: dict[int, list[str]] = defaultdict(list)
        for site_id, day in rows:
            by_site[site_id].append(day)
        for site_id, days in by_site.items():
            self.compute(site_id, sorted(days))
        return len(rows)

    def refresh_all(self, before: str = "9999-12-31", chunk_days: int = 62, site_ids: list[int] | None = None) -> int:
        """Compute every stale site-day of every site (or of `site_ids`) dated before `before` (after a bulk load;
        the summariser's round over past days); how many were computed."""
        done = 0
        for (site_id,) in self.conn.execute("SELECT DISTINCT site_id FROM hub_summary_days WHERE stale"
                                            " AND local_date < %s AND (%s::int[] IS NULL OR site_id = ANY(%s))",
                                            (before, site_ids, site_ids)).fetchall():
            days = [r[0] for r in self.conn.execute(
                "SELECT local_date FROM hub_summary_days WHERE site_id = %s AND stale AND local_date < %s"
                " ORDER BY local_date", (site_id, before))]
            for i in range(0, len(days), chunk_days):
                self.compute(site_id, days[i:i + chunk_days])
            done += len(days)
        return done

    def compute(self, site_id: int, days: list[str]):
        """Summarise some days of one site (few queries for all of them) and store them."""
        if not days:
            return
        now = int(self.clock())
        with self.conn.transaction():  # fresh first: facts committed from now on mark the day stale again
            self.conn.execute("UPDATE hub_summary_days SET stale = false, computed_at = %s"
                              " WHERE site_id = %s AND local_date = ANY(%s)", (now, site_id, days))
        rules = SiteRules(self.targets(site_id))
        cursor = self.conn.cursor(row_factory=dict_row)
        tickets = defaultdict(list)
        for row in cursor.execute(f"SELECT local_date, {', '.join(TICKET_COLUMNS)} FROM site_tickets"
                                  f" WHERE site_id = %s AND local_date = ANY(%s)", (site_id, days)):
            tickets[row["local_date"]].append(row)
        ratings = defaultdict(list)
        columns = ", ".join(f"r.{c}" for c in RATING_COLUMNS if c != "ticket_channel")
        for row in cursor.execute(f"SELECT r.service_local_date, {columns}, t.channel AS ticket_channel"
                                  f" FROM site_ratings r JOIN site_tickets t ON t.site_id = r.site_id"
                                  f" AND t.id = r.ticket_id WHERE r.site_id = %s AND r.service_local_date = ANY(%s)",
                                  (site_id, days)):
            ratings[row["service_local_date"]].append(row)
        bounds = {day: self._window(rules, dt.date.fromisoformat(day), now) for day in days}
        origin = min(s for s, _ in bounds.values()) - PRESENCE_LOOKBACK
        by_day = defaultdict(list)  # counter events by whole days since `origin` (Việt Nam keeps no summer time)
        for event in cursor.execute(
                "SELECT seq, kind, at, counter_number, officer FROM site_events WHERE site_id = %s AND at >= %s"
                f" AND at < %s AND kind IN ({COUNTER_KINDS_SQL})",  # literals: any plan uses the partial index
                (site_id, origin, max(e for _, e in bounds.values()))):
            by_day[(event["at"] - origin) // 86400].append(event)
        stored = []
        for day in days:
            start, end = bounds[day]
            near = range((start - PRESENCE_LOOKBACK - origin) // 86400, (end - origin) // 86400 + 1)
            counter_events = sorted((e for n in near for e in by_day.get(n, ())
                                     if start - PRESENCE_LOOKBACK <= e["at"] < end), key=lambda e: e["seq"]) \
                if end > start else []
            nested = summarize_day(tickets.get(day, ()), ratings.get(day, ()), counter_events, rules, start, end)
            nested[HOUR_ISSUED] = {hour: figures["issued"] for hour, figures in nested["hour"].items()}
            stored += [(site_id, day, dimension, _dumps(groups)) for dimension, groups in nested.items()]
        with self.conn.transaction():
            with self.conn.cursor() as writer:
                writer.executemany(
                    "INSERT INTO hub_day_summaries (site_id, local_date, dimension, data) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (site_id, local_date, dimension) DO UPDATE SET data = excluded.data", stored)
            self.conn.execute("DELETE FROM hub_month_summaries WHERE site_id = %s AND month = ANY(%s)",
                              (site_id, sorted({day[:7] for day in days})))

    @staticmethod
    def _window(rules: SiteRules, day: dt.date, now: int) -> tuple[int, int]:
        start = rules.day_start(day)
        return start, min(rules.day_start(day + dt.timedelta(days=1)), now)

    def targets(self, site_id: int) -> dict[str, int]:
        """The site's services' target waits in minutes, as its labels carry them."""
        return {code: minutes for code, minutes in self.conn.execute(
            "SELECT code, target_wait_minutes FROM site_labels WHERE site_id = %s AND kind = 'service'"
            " AND target_wait_minutes IS NOT NULL", (site_id,))}

    # ----- reading ------------------------------------------------------------------------------------------

    def site_days(self, site_ids: list[int], first: dt.date, last: dt.date, dimensions,
                  rollups: bool = True) -> dict[int, dict[dt.date, dict]]:
        """{site_id: {day or first day of a month: {dimension: {key: figures}}}} for [first, last].

        Stale site-days are computed first; with `rollups`, whole months that ended before today come from the
        sites' month roll-ups (built when missing).
        """
        wanted = sorted(set(dimensions) | {"center", HOUR_ISSUED})
        today = hub_today(self.clock())
        last = min(last, today)  # as on the site: a day after today has no facts yet
        if last < first:
            return {}
        self.refresh(site_ids, first, last)
        months, loose = [], []  # whole past months; the other days as ranges
        day = first
        while day <= last:
            month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if rollups and day.day == 1 and month_end <= last and month_end < today:
                months.append(day)
                day = month_end + dt.timedelta(days=1)
                continue
            until = min(last, month_end)
            loose.append((day, until))
            day = until + dt.timedelta(days=1)
        result: dict[int, dict[dt.date, dict]] = defaultdict(dict)
        if months:
            self._build_missing_months(site_ids, months)
            for site_id, month, dimension, data in self.conn.execute(
                    "SELECT site_id, month, dimension, data FROM hub_month_summaries WHERE site_id = ANY(%s)"
                    " AND month = ANY(%s) AND dimension = ANY(%s)",
                    (site_ids, [m.isoformat()[:7] for m in months], wanted)):
                result[site_id].setdefault(dt.date.fromisoformat(month + "-01"), {})[dimension] = json.loads(data)
        for start, end in loose:
            for site_id, day, dimension, data in self._day_rows(site_ids, start, end, wanted):
                result[site_id].setdefault(dt.date.fromisoformat(day), {})[dimension] = json.loads(data)
        return result

    def _day_rows(self, site_ids, first: dt.date, last: dt.date, dimensions):
        return self.conn.execute(
            "SELECT site_id, local_date, dimension, data FROM hub_day_summaries WHERE site_id = ANY(%s)"
            " AND local_date BETWEEN %s AND %s AND dimension = ANY(%s)",
            (site_ids, first.isoformat(), last.isoformat(), list(dimensions)))

    def _build_missing_months(self, site_ids: list[int], months: list[dt.date]):
        """Roll up the whole months of these sites that have summarised days but no roll-up yet."""
        names = [m.isoformat()[:7] for m in months]
        missing = self.conn.execute(
            "SELECT DISTINCT d.site_id, substr(d.local_date, 1, 7) FROM hub_summary_days d"
            " WHERE d.site_id = ANY(%s) AND substr(d.local_date, 1, 7) = ANY(%s) AND NOT EXISTS"
            " (SELECT 1 FROM hub_month_summaries m WHERE m.site_id = d.site_id"
            "  AND m.month = substr(d.local_date, 1, 7) AND m.dimension = 'center')",
            (site_ids, names)).fetchall()
        by_month: dict[str, list[int]] = defaultdict(list)
        for site_id, month in missing:
            by_month[month].append(site_id)
        for month, ids in by_month.items():
            first = dt.date.fromisoformat(month + "-01")
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            merged: dict[int, dict[str, dict]] = defaultdict(lambda: {d: {} for d in STORED_DIMENSIONS})
            for site_id, _, dimension, data in self._day_rows(ids, first, last, STORED_DIMENSIONS):
                target = merged[site_id][dimension]
                for key, group in json.loads(data).items():
                    if dimension == HOUR_ISSUED:
                        target[key] = target.get(key, 0) + group
                    else:
                        merge_groups(target.setdefault(key, empty_group()), group)
            rows = []
            for site_id, dimensions in merged.items():
                for dimension, groups in dimensions.items():
                    for group in groups.values() if dimension != HOUR_ISSUED else ():
                        for name in TIMES:  # one histogram per group: a year reads twelve per site
                            group[name] = flatten(group[name])
                    rows.append((site_id, month, dimension, _dumps(groups)))
            with self.conn.transaction(), self.conn.cursor() as writer:
                writer.executemany(
                    "INSERT INTO hub_month_summaries (site_id, month, dimension, data) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (site_id, month, dimension) DO UPDATE SET data = excluded.data", rows)


class ProvinceReportBuilder(ReportBuilder):
    """The site's ReportBuilder over many sites: rows by site, district, level, department, service, officer,
    day, hour or channel; the province's paragraph; names from the sites' labels."""

    def __init__(self, scope: Scope, site_list: list[Site], labels: dict, precision: int = PERCENT_PLACES):
        super().__init__(_ProvinceCenter(scope.name), precision)
        self.scope, self.labels = scope, labels
        self.sites = {site.id: site for site in site_list}
        self.by_code = {site.code: site for site in site_list}

    def build_province(self, site_days: dict[int, dict[dt.date, dict]], period: Period, group_by: str) -> dict:
        """The report of a period grouped one way over the sites' summaries, with total row, peak hour, paragraph."""
        if group_by not in GROUPINGS:
            raise ValueError(f"unknown grouping {group_by!r}")
        dimension = SOURCE_DIMENSION[group_by]
        groups: dict[str, dict] = {}
        total, hours, reporting = empty_group(), {}, set()
        # Rows of whole sites' days (site, district, level, day) each take every site-day's whole figures once:
        # the total is then the union of the rows, each made one histogram first (fewer parts to merge).
        total_of_rows = dimension == "center"
        for site_id, days in site_days.items():
            site = self.sites[site_id]
            for day in sorted(days):
                summary = days[day]
                for figures in summary.get("center", {}).values():
                    if not total_of_rows:
                        merge_groups(total, figures)
                    if figures["issued"] or figures["rated"]:
                        reporting.add(site_id)
                for key, issued in summary.get(HOUR_ISSUED, {}).items():
                    hours[key] = hours.get(key, 0) + issued
                for key, figures in summary.get(dimension, {}).items():
                    row_key = self.row_key(group_by, site, day, key)
                    if row_key is not None:
                        merge_groups(groups.setdefault(row_key, empty_group()), figures)
        if total_of_rows:
            for group in groups.values():
                group.update({name: one_histogram(group[name]) for name in TIMES})
                merge_groups(total, group)
        names = level_columns(total["ratings"], PROVINCE_SCALE)
        rows = [{"key": key, **self.describe(group_by, key), **self.figures(groups[key], names)}
                for key in self.order(group_by, groups)]
        peak = max(hours.items(), key=lambda kv: (kv[1], -int(kv[0])), default=None)
        report = {
            "center": self.scope.name[:1].upper() + self.scope.name[1:],
            "period": {"kind": period.kind, "first": period.first.isoformat(), "last": period.last.isoformat(),
                       "title": period.title, "name": period.name},
            "precision": self.precision,
            "scale": {"levels": list(PROVINCE_SCALE.levels), "official": True},
            "group_by": group_by, "rows": rows, "total": self.figures(total, names),
            "peak_hour": f"{peak[0]}:00–{int(peak[0]) + 1:02d}:00" if peak and peak[1] else None,
            "sites": self.site_counts(reporting),
        }
        report["summary"] = self.province_paragraph(period, report)
        return report

    def figures(self, group: dict, level_names: list[str]) -> dict:
        """The site's row figures, each time histogram made one first when that is the cheaper way to its order
        statistics (`one_histogram`): the same exact figures."""
        return super().figures({**group, **{name: one_histogram(group[name]) for name in TIMES}}, level_names)

    def row_key(self, group_by: str, site: Site, day: dt.date, key: str) -> str | None:
        """The row a site's group counts in: its site, district, level, the department's code (the province's
        catalogue), the officer within the site, or the day/hour/channel."""
        if group_by == "site":
            return site.code
        if group_by == "district":
            return site.district or ""
        if group_by == "level":
            return site.level or ""
        if group_by == "day":
            return day.isoformat()
        if group_by == "officer":
            return f"{site.code}|{key}"
        return key

    def site_counts(self, reporting: set[int]) -> dict:
        """Sites in scope, those with facts in the period, by level."""
        by_level = Counter(self.sites[i].level for i in reporting)
        return {"in_scope": len(self.sites), "reporting": len(reporting),
                "by_level": {level: by_level.get(level, 0) for level in LEVELS}}

    def describe(self, group_by: str, key: str) -> dict:
        """Names of a row's key, from the hub's sites and the sites' labels."""
        if group_by == "site":
            site = self.by_code.get(key)
            return {"name": site.name if site else key, "department": (site.district or "") if site else "",
                    "level": LEVEL_NAMES.get(site.level, "") if site else ""}
        if group_by == "district":
            return {"name": key or "Chưa khai báo huyện"}
        if group_by == "level":
            return {"name": LEVEL_NAMES.get(key, "Chưa khai báo cấp")}
        if group_by == "officer":
            site_code, _, officer = key.partition("|")
            site = self.by_code.get(site_code)
            name = self.labels.get(("officer", site.id, officer)) if site else None
            return {"name": name or officer, "department": site.name if site else site_code}
        if group_by in ("department", "service"):
            return {"name": self.labels.get((group_by, None, key)) or key}
        return super().describe(group_by, key)

    def order(self, group_by: str, groups: dict) -> list[str]:
        """Sites and districts as the hub lists them, levels province first, the rest by key."""
        if group_by == "site":
            rank = {s.code: (LEVELS.index(s.level) if s.level in LEVELS else 3, s.district or "", s.id)
                    for s in self.sites.values()}
            return sorted(groups, key=lambda k: (rank.get(k, (9, "", 0)), k))
        if group_by == "level":
            return sorted(groups, key=lambda k: (LEVELS.index(k) if k in LEVELS else 9, k))
        return sorted(groups)

    def province_paragraph(self, period: Period, report: dict) -> str:
        """'Trong tháng 10/2026, toàn tỉnh có 212 đơn vị (1 cấp tỉnh, 11 cấp huyện, 200 cấp xã) gửi số liệu, đã
        cấp … số thứ tự, phục vụ … lượt; có … lượt đánh giá, trong đó: đánh giá Rất hài lòng là … lượt, chiếm …%'."""
        t, counts = report["total"], report["sites"]
        levels = ", ".join(f"{format_number(counts['by_level'][level])} {LEVEL_NAMES[level].lower()}"
                           for level in LEVELS if counts["by_level"][level])
        text = (f"{period.lead}, {self.scope.whole} có {format_number(counts['reporting'])} đơn vị"
                + (f" ({levels})" if levels else "") + " gửi số liệu")
        if counts["in_scope"] > counts["reporting"]:
            text += f" ({format_number(counts['in_scope'] - counts['reporting'])} đơn vị chưa có số liệu trong kỳ)"
        text += (f", đã cấp {format_number(t['issued'])} số thứ tự, phục vụ {format_number(t['served'])} lượt")
        if t["no_show"]:
            text += f", {format_number(t['no_show'])} lượt vắng mặt"
        ratings = t["official_ratings"]
        if ratings["total"]:
            text += (f"; có {format_number(ratings['total'])} lượt đánh giá, trong đó: "
                     + level_clauses(ratings, self.precision))
            if ratings["unmapped"]:
                text += (f" (ngoài ra {format_number(ratings['unmapped'])} lượt đánh giá theo thang 5 mức"
                         " chưa quy đổi sang 3 mức)")
            text += "."
        else:
            text += "; chưa có lượt đánh giá nào."
        text += closing_sentences(t, ratings, self.precision)
        return text


# A median over many parts is found by bisecting every part some 50 times (summaries.order_statistic). A row of
# a province report is the union of many small parts (its site-days, a commune's 20 tickets each): one sorted list of
# all its durations (summaries.sorted_union) is cheaper to make than those bisections, up to this many durations
# (a three-day report of 2,120 sites has ~230,000 in its total row; a year's total row keeps the bisections).
SORT_MAX_DURATIONS = 250_000


def one_histogram(histogram: dict) -> dict:
    """`histogram` itself, or its parts as one sorted list of durations when that is the cheaper way to its order
    statistics (the same exact figures)."""
    if len(histogram.get("parts") or ()) < 2 or histogram["n"] > SORT_MAX_DURATIONS:
        return histogram
    return sorted_union(histogram)


@dataclass(frozen=True)
class _ProvinceCenter:
    """What ReportBuilder reads of a center, for the province: its name and the official scale."""

    name: str
    rating: RatingScale = PROVINCE_SCALE


def labels(conn, site_ids: list[int]) -> dict:
    """Names of codes: (kind, site_id, code) for officers and counters, (kind, None, code) for departments and
    services (a code's most common name across the sites: the province's catalogue)."""
    names: dict = {}
    catalogue: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for site_id, kind, code, name in conn.execute(
            "SELECT site_id, kind, code, name FROM site_labels WHERE site_id = ANY(%s)", (site_ids,)):
        names[(kind, site_id, code)] = name
        if kind in ("department", "service"):
            catalogue[(kind, code)][name] += 1
    for (kind, code), counted in catalogue.items():
        names[(kind, None, code)] = max(counted.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return names


def feedback_figures(conn, site_ids: list[int], first: dt.date, last: dt.date) -> dict:
    """The feedback inbox of the period over these sites (docs/REPORTS.md, the feedback inbox in a report)."""
    rows = conn.execute("SELECT dissatisfied, state, handled_at - opened_at FROM site_feedback_items"
                        " WHERE site_id = ANY(%s) AND local_date BETWEEN %s AND %s",
                        (site_ids, first.isoformat(), last.isoformat())).fetchall()
    took = sorted(r[2] for r in rows if r[1] == "done")
    dissatisfied = sum(1 for r in rows if r[0])
    return {"opened": len(rows), "dissatisfied": dissatisfied, "comments_only": len(rows) - dissatisfied,
            "handled": len(took), "open": len(rows) - len(took), "median_handle_minutes": median_minutes(took)}


@contextmanager
def autocommit(conn):
    """The connection in autocommit mode for a while (a report's reads hold no snapshot; its writes are short)."""
    if conn.autocommit:
        yield conn
        return
    conn.commit()
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.autocommit = False


def generate(conn, period: Period, groupings=("site",), scope: Scope = Scope("tỉnh"), site_codes=None,
             precision: int = PERCENT_PLACES, clock=time.time) -> dict[str, dict]:
    """Reports of a period in several groupings over the scope's sites (a district's, or every site), or only
    the sites named in `site_codes` within it."""
    with autocommit(conn):
        return _generate(conn, period, groupings, scope, site_codes, precision, clock)


def _generate(conn, period, groupings, scope, site_codes, precision, clock) -> dict[str, dict]:
    site_list = sites(conn, scope.district)
    if site_codes is not None:
        wanted = set(site_codes)
        site_list = [s for s in site_list if s.code in wanted]
    named = set(groupings) & NAMED_BY_LABELS  # only these rows read the sites' labels (tens of thousands of rows)
    builder = ProvinceReportBuilder(scope, site_list, labels(conn, [s.id for s in site_list]) if named else {},
                                    precision)
    ids = [s.id for s in site_list]
    dimensions = {SOURCE_DIMENSION[g] for g in groupings if g in SOURCE_DIMENSION}
    unknown = [g for g in groupings if g not in GROUPINGS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r}")
    days = HubSummaries(conn, clock).site_days(ids, period.first, period.last, dimensions,
                                               rollups="day" not in groupings)
    reports = {group_by: builder.build_province(days, period, group_by) for group_by in groupings}
    handled = feedback_figures(conn, ids, period.first, period.last)
    for report in reports.values():
        report["feedback"] = handled
    return reports
