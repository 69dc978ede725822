"""Ticket timeline: a day's tickets with every transition, and a day's report recounted from its CSV alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from server.core.ratings import Ratings
from server.core.reports import generate, make_period
from server.core.timeline import TICKET_COLUMNS, day_timeline, to_csv, to_xlsx
from tests.conftest import VN, FakeClock
from tests.test_realtime import PASSWORD

DAY = dt.date(2026, 11, 23)  # the fake clock's Monday
COMMENT = "=1+1 chờ quá lâu; cần thêm quầy"
LEVELS = ("Rất hài lòng", "Hài lòng", "Không hài lòng")


# ----- the day -------------------------------------------------------------------------------------------------

def visit(queue, clock, counter, officer, service, wait, walk=None, service_s=None, **issue):
    """Issue a ticket, wait, call it at a counter; walk and serve when given. Returns the issued ticket."""
    ticket = queue.issue(service, **issue).result
    queue.open_counter(counter, officer)
    clock.advance(seconds=wait)
    queue.call_ticket(counter, officer, ticket["label"])
    if walk is not None:
        clock.advance(seconds=walk)
        queue.start_service(counter, officer)
    if service_s is not None:
        clock.advance(seconds=service_s)
        queue.finish(counter, officer)
    return ticket


def build_day(queue, ratings, clock) -> dict:
    """A day with every way a ticket can end: served (one parked on the way), a transfer, a no-show, a
    cancellation, one still waiting at close, and six ratings (one dissatisfied, one sent on timeout).

    Waits of the called tickets: 44, 61, 77, 95, 123, 307, 1207, 1500 s. Their median by interpolation (109 s)
    and p90 (1294.9 s) differ from the 10-second buckets' nearest rank (95 s, 1500 s)."""
    tokens = {}
    visit(queue, clock, 1, "an", "ly-lich", wait=61, walk=15, service_s=600)  # A001
    ratings.rate_at_counter(1, "A001", 1, client_id="timeline-a001")
    visit(queue, clock, 1, "an", "ly-lich", wait=95, walk=0, service_s=333,
          priority_group="nguoi-cao-tuoi")  # A002
    ratings.rate_at_counter(1, "A002", 2, client_id="timeline-a002")
    visit(queue, clock, 2, "binh", "ho-tich", wait=1500, walk=42, service_s=128)  # B001, over the 20-minute target
    ratings.rate_at_counter(2, "B001", 3, ["Thời gian chờ lâu", "Ý kiến khác"], comment=COMMENT,
                            client_id="timeline-b001")
    visit(queue, clock, 3, "cuong", "lai-xe", wait=123, walk=20, service_s=250, channel="phone")  # C001
    ratings.rate_at_counter(3, "C001", 1, client_id="timeline-c001", timed_out=True)
    visit(queue, clock, 1, "an", "ly-lich", wait=307)  # A003: called twice, then absent
    queue.recall(1, "an")
    clock.advance(seconds=60)
    queue.no_show(1, "an")
    visit(queue, clock, 1, "an", "ly-lich", wait=1207, walk=30)  # A004: sent on to another service
    clock.advance(seconds=90)
    queue.transfer(1, "an", to_service="lai-xe")
    clock.advance(seconds=44)
    queue.call_ticket(3, "cuong", "A004")
    clock.advance(seconds=10)
    queue.start_service(3, "cuong")
    clock.advance(seconds=1000)
    queue.finish(3, "cuong")
    ratings.rate_at_counter(3, "A004", 2, client_id="timeline-a004")
    tokens["A005"] = queue.issue("ly-lich").result["token"]  # given up from the phone
    clock.advance(seconds=200)
    queue.cancel(tokens["A005"])
    visit(queue, clock, 2, "binh", "ho-tich", wait=77, walk=5)  # B002: set aside for a paper, then finished
    clock.advance(seconds=300)
    queue.park(2, "binh")
    clock.advance(seconds=400)
    queue.resume_parked(2, "binh", "B002")
    clock.advance(seconds=200)
    queue.finish(2, "binh")
    ratings.rate_at_counter(2, "B002", 1, client_id="timeline-b002")
    tokens["A006"] = queue.issue("ly-lich").result["token"]  # still waiting when the day ends
    return tokens


# ----- recounting from the CSV alone ------------------------------------------------------------------------------

def read_csv(data: bytes) -> list[dict]:
    """The Vietnamese-Excel CSV (BOM, ';') as dicts by header."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def half_up(value: Fraction, places: int) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def minutes(seconds) -> float | None:
    return None if seconds is None else half_up(Fraction(seconds) / 60, 1)


def times(values: list[int]) -> dict:
    """Mean, MEDIAN and PERCENTILE.INC(…; 0,9) of whole seconds, in minutes rounded half up."""
    if not values:
        return {"count": 0, "total_seconds": 0, "mean": None, "median": None, "p90": None, "max": None}
    ordered = sorted(Fraction(v) for v in values)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8] if len(ordered) > 1 else ordered[0]
    return {"count": len(values), "total_seconds": sum(values), "mean": minutes(Fraction(sum(values), len(values))),
            "median": minutes(statistics.median(ordered)), "p90": minutes(p90), "max": minutes(max(values))}


def shares(counts: list[int], places: int) -> list[float]:
    """Largest remainder at `places` decimals; ties to the larger count, then the better level."""
    total, unit = sum(counts), 10 ** places
    if not total:
        return [0.0] * len(counts)
    floors = [c * 100 * unit // total for c in counts]
    remainders = [c * 100 * unit % total for c in counts]
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:100 * unit - sum(floors)]:
        floors[i] += 1
    return [f / unit for f in floors]


def percent(part: int, whole: int, places: int) -> float | None:
    return half_up(Fraction(100 * part, whole), places) if whole else None


def recount(rows: list[dict], places: int = 1) -> dict:
    """A report row's figures from the timeline's ticket rows, by the definitions of docs/REPORTS.md."""
    def seconds(row, header):
        return int(row[header]) if row[header] else None

    called = [r for r in rows if r["Gọi lần đầu lúc"]]
    served = [r for r in rows if r["Mã trạng thái"] == "done"]
    rated = [r for r in rows if r["Mức đánh giá"]]
    dissatisfied = sum(r["Không hài lòng"] == "Có" for r in rated)
    within = sum(r["Chờ trong thời gian quy định"] == "Có" for r in called)
    counts = [sum(r["Mức đánh giá"] == level for r in rated) for level in LEVELS]
    return {
        "issued": sum(not r["Chuyển từ phiếu"] for r in rows), "served": len(served),
        "no_show": sum(r["Mã trạng thái"] == "no_show" for r in rows),
        "transferred": sum(r["Mã trạng thái"] == "transferred" for r in rows),
        "cancelled": sum(r["Mã trạng thái"] == "cancelled" for r in rows),
        "left_waiting": sum(r["Mã trạng thái"] == "waiting" for r in rows),
        "wait": times([seconds(r, "Chờ (giây)") for r in called]),
        "walk": times([seconds(r, "Di chuyển (giây)") for r in called if r["Di chuyển (giây)"]]),
        "service": times([seconds(r, "Phục vụ (giây)") for r in served if r["Phục vụ (giây)"]]),
        "within_target": within, "over_target": len(called) - within,
        "service_level": percent(within, len(called), places),
        "ratings": {"total": len(rated), "levels": [{"name": name, "count": n, "percent": p}
                                                    for name, n, p in zip(LEVELS, counts, shares(counts, places))]},
        "rated": len(rated), "rated_on_timeout": sum(r["Tự gửi khi hết giờ"] == "Có" for r in rated),
        "dissatisfied": dissatisfied, "response_rate": percent(len(rated), len(served), places),
        "satisfaction_766": percent(len(served) - dissatisfied, len(served), places),
    }


def report_part(row: dict) -> dict:
    """The figures of a report row that `recount` recounts."""
    return {key: row[key] for key in ("issued", "served", "no_show", "transferred", "cancelled", "left_waiting",
                                      "wait", "walk", "service", "within_target", "over_target", "service_level",
                                      "ratings", "rated", "rated_on_timeout", "dissatisfied", "response_rate",
                                      "satisfaction_766")}


# ----- core -------------------------------------------------------------------------------------------------

@pytest.fixture
def day(queue, clock, store):
    tokens = build_day(queue, Ratings(queue), clock)
    with store.read() as conn:
        yield day_timeline(conn, queue.center, DAY), tokens


def test_every_ticket_with_its_times_and_rating(day):
    timeline, _ = day
    tickets = {(t["label"], t["service_code"]): t for t in timeline["tickets"]}
    assert len(tickets) == 10
    a001 = tickets[("A001", "ly-lich")]
    assert {k: a001[k] for k in ("state", "issued_at", "first_called_at", "service_started_at", "ended_at",
                                 "wait_s", "walk_s", "service_s", "counter", "officer", "officer_name",
                                 "target_wait_minutes", "within_target")} == {
        "state": "done", "issued_at": "08:00:00", "first_called_at": "08:01:01", "service_started_at": "08:01:16",
        "ended_at": "08:11:16", "wait_s": 61, "walk_s": 15, "service_s": 600, "counter": 1, "officer": "an",
        "officer_name": "Nguyễn Văn An", "target_wait_minutes": 20, "within_target": True}
    b001 = tickets[("B001", "ho-tich")]
    assert (b001["wait_s"], b001["within_target"]) == (1500, False)
    assert b001["rating"] == {"level_name": "Không hài lòng", "official_level": "Không hài lòng",
                              "dissatisfied": True, "reasons": ["Thời gian chờ lâu", "Ý kiến khác"],
                              "comment": COMMENT, "channel": "tablet", "sent_on_timeout": False,
                              "rated_at": b001["ended_at"]}
    assert tickets[("C001", "lai-xe")]["rating"]["sent_on_timeout"] is True
    assert tickets[("A002", "ly-lich")]["priority_name"] == "Người cao tuổi"
    waiting = tickets[("A006", "ly-lich")]
    assert (waiting["state"], waiting["first_called_at"], waiting["wait_s"], waiting["within_target"]) == \
        ("waiting", None, None, None)


def test_a_transfer_is_two_tickets_linked(day):
    timeline, _ = day
    first, then = [t for t in timeline["tickets"] if t["label"] == "A004"]
    assert (first["state"], first["service_code"], first["transferred_from"]) == ("transferred", "ly-lich", None)
    assert (then["state"], then["service_code"], then["transferred_from_id"], then["transferred_from"],
            then["transferred_from_service"], then["transferred_from_counter"]) == \
        ("done", "lai-xe", first["ticket_id"], "A004", "ly-lich", 1)
    assert [(s["kind"], s["counter"], s["officer"]) for s in first["transitions"]] == [
        ("ticket_issued", None, None), ("ticket_called", 1, "an"), ("service_started", 1, "an"),
        ("ticket_transferred", 1, "an")]
    assert [(s["kind"], s["name"], s["counter"], s["officer"]) for s in then["transitions"]] == [
        ("ticket_requeued", "Chờ sau khi chuyển", None, "an"), ("ticket_called", "Gọi số", 3, "cuong"),
        ("service_started", "Bắt đầu tiếp nhận", 3, "cuong"), ("ticket_finished", "Hoàn thành", 3, "cuong"),
        ("rating_recorded", "Đánh giá", 3, "cuong")]
    assert then["transitions"][0]["at"] == first["ended_at"] == then["issued_at"]
    assert then["wait_s"] == 44


def test_the_token_is_never_in_the_timeline(day):
    timeline, tokens = day
    for data in (repr(timeline).encode(), to_csv(timeline), to_csv(timeline, "transitions", "plain"),
                 to_xlsx(timeline)):
        assert all(token.encode() not in data for token in tokens.values())
    assert all("token" not in ticket for ticket in timeline["tickets"])


def test_vietnamese_csv_and_plain_csv(day):
    timeline, _ = day
    vi = to_csv(timeline)
    assert vi.startswith("\ufeffMã phiếu;Số thứ tự;".encode())
    rows = read_csv(vi)
    assert list(rows[0]) == [header for _, header in TICKET_COLUMNS]
    b001 = next(r for r in rows if r["Số thứ tự"] == "B001")
    # A comment that looks like a formula stays text in Excel; ';' inside a field is quoted.
    assert (b001["Góp ý"], b001["Lý do"]) == ("'" + COMMENT, "Thời gian chờ lâu | Ý kiến khác")
    plain = to_csv(timeline, dialect="plain")
    assert not plain.startswith(b"\xef\xbb\xbf") and plain.startswith("Mã phiếu,Số thứ tự,".encode())
    assert list(csv.DictReader(io.StringIO(plain.decode(), newline="")))[2]["Chờ (giây)"] == \
        rows[2]["Chờ (giây)"] == "1500"
    steps = read_csv(to_csv(timeline, "transitions"))
    assert [s["Mã diễn biến"] for s in steps if s["Số thứ tự"] == "A003"] == [
        "ticket_issued", "ticket_called", "ticket_recalled", "ticket_no_show"]


def test_workbook_has_tickets_and_transitions(day):
    timeline, _ = day
    book = load_workbook(io.BytesIO(to_xlsx(timeline)))
    assert book.sheetnames == ["Số thứ tự", "Diễn biến"]
    tickets = book["Số thứ tự"]
    header = [c.value for c in tickets[1]]
    assert header == [h for _, h in TICKET_COLUMNS] and tickets.max_row == 11
    b001 = next(row for row in tickets.iter_rows(min_row=2, values_only=True) if row[1] == "B001")
    assert b001[header.index("Chờ (giây)")] == 1500 and b001[header.index("Góp ý")] == COMMENT
    assert b001[header.index("Chờ trong thời gian quy định")] == "Không"
    assert book["Diễn biến"].max_row - 1 == sum(len(t["transitions"]) for t in timeline["tickets"])


def test_filters_keep_one_department_or_service(queue, clock, store):
    build_day(queue, Ratings(queue), clock)
    with store.read() as conn:
        stp = day_timeline(conn, queue.center, DAY, department="STP")
        lai_xe = day_timeline(conn, queue.center, DAY, service="lai-xe")
        other_day = day_timeline(conn, queue.center, DAY + dt.timedelta(days=1))
    assert {t["department_code"] for t in stp["tickets"]} == {"STP"} and len(stp["tickets"]) == 8
    assert [t["label"] for t in lai_xe["tickets"]] == ["C001", "A004"]
    assert other_day["tickets"] == []


def test_a_time_on_another_day_names_its_date(queue, clock, store):
    clock.set(dt.datetime(2026, 11, 23, 23, 50, tzinfo=VN))
    visit(queue, clock, 1, "an", "ly-lich", wait=300, walk=60, service_s=900)  # ends 00:11 on the 24th
    with store.read() as conn:
        (ticket,) = day_timeline(conn, queue.center, DAY)["tickets"]
    assert (ticket["issued_at"], ticket["ended_at"], ticket["service_s"]) == ("23:50:00", "2026-11-24 00:11:00", 900)
    assert ticket["transitions"][-1]["at"] == "2026-11-24 00:11:00"


@pytest.mark.parametrize("places", [1, 2])
def test_the_day_report_recounted_from_the_csv_alone(queue, clock, store, places):
    build_day(queue, Ratings(queue), clock)
    with store.read() as conn:
        rows = read_csv(to_csv(day_timeline(conn, queue.center, DAY)))
        by_department = {code: read_csv(to_csv(day_timeline(conn, queue.center, DAY, department=code)))
                         for code in ("STP", "SGTVT")}
    reports = generate(store, queue.center, make_period("day", DAY), ("department",), clock, precision=places)
    report = reports["department"]
    mine = recount(rows, places)
    # The documented definitions, worked by hand for this day (a check of the recount itself).
    assert (mine["issued"], mine["served"], mine["no_show"], mine["transferred"], mine["cancelled"],
            mine["left_waiting"]) == (9, 6, 1, 1, 1, 1)
    assert mine["wait"] == {"count": 8, "total_seconds": 3414, "mean": 7.1, "median": 1.8, "p90": 21.6, "max": 25.0}
    assert (mine["within_target"], mine["service_level"]) == (6, 75.0)
    assert [lv["percent"] for lv in mine["ratings"]["levels"]] == ([50.0, 33.3, 16.7] if places == 1
                                                                   else [50.0, 33.33, 16.67])
    assert report_part(report["total"]) == mine
    for row in report["rows"]:
        assert report_part(row) == recount(by_department[row["key"]], places), row["key"]


# ----- HTTP -------------------------------------------------------------------------------------------------

@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    for username in ("an", "giamsat", "quantri"):
        runtime.accounts.set_password(username, PASSWORD)
    runtime.queue.clock = FakeClock()
    return runtime


def signed_in(app, username, **extra):
    client = app.test_client()
    assert client.post("/api/session", json={"username": username, "password": PASSWORD, **extra}).status_code == 200
    return client


@pytest.fixture
def leader(app, rt):
    return signed_in(app, "giamsat")


def test_timeline_needs_a_supervisor(app, rt, client):
    anonymous = client.get("/api/reports/timeline")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "not_signed_in"
    officer = signed_in(app, "an", counter=1).get("/api/reports/timeline?format=csv")
    assert officer.status_code == 403 and officer.get_json()["error"] == "forbidden"
    assert signed_in(app, "quantri").get("/api/reports/timeline").status_code == 200


@pytest.mark.parametrize("query, message", [
    ("date=23/11/2026", "Ngày không hợp lệ"),
    ("date=2026-02-30", "Ngày không hợp lệ"),
    ("date=20261123", "Ngày không hợp lệ"),
    ("date=2026-11-2%C2%B3", "Ngày không hợp lệ"),
    ("date=%EF%BC%92026-11-23", "Ngày không hợp lệ"),
    ("format=pdf", "Định dạng không hợp lệ"),
    ("format=csv&dialect=excel", "Kiểu CSV không hợp lệ"),
    ("format=csv&table=ratings", "Bảng không hợp lệ"),
    ("department=XYZ", "Đơn vị không tồn tại."),
    ("service=%00", "Lĩnh vực không tồn tại."),
])
def test_bad_timeline_queries(leader, query, message):
    response = leader.get(f"/api/reports/timeline?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request" and response.get_json()["message"].startswith(message)


def test_timeline_files_over_http(app, rt, leader):
    tokens = build_day(rt.queue, rt.ratings, rt.queue.clock)
    body = leader.get("/api/reports/timeline?date=2026-11-23").get_json()
    assert body["date"] == "2026-11-23" and len(body["tickets"]) == 10
    csv_response = leader.get("/api/reports/timeline?date=2026-11-23&format=csv")
    assert csv_response.content_type == "text/csv; charset=utf-8"
    assert csv_response.headers["Content-Disposition"] == \
        'attachment; filename="dien-bien-so-thu-tu-2026-11-23-tickets.csv"'
    plain = leader.get("/api/reports/timeline?date=2026-11-23&format=csv&dialect=plain&table=transitions")
    assert plain.data.startswith("Mã phiếu,Số thứ tự,Số thứ tự sự kiện,".encode())
    xlsx = leader.get("/api/reports/timeline?date=2026-11-23&format=xlsx&department=SGTVT")
    assert xlsx.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(xlsx.data))["Số thứ tự"].max_row == 3  # header, C001, A004 in lai-xe
    for response in (csv_response, plain, xlsx):
        assert all(token.encode() not in response.data for token in tokens.values())
    # The report the leader reads and the file the auditor downloads tell the same day.
    report = leader.get("/api/reports?period=day&date=2026-11-23&group_by=center").get_json()
    assert report_part(report["total"]) == recount(read_csv(csv_response.data))
