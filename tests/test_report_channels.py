"""The channel and booking figures of a report (docs/REPORTS.md, "Appointments" and "The channel table"), recounted
from the stored rows: numbers issued per channel (kiosk, remote, appointment), the appointment no-show rate and the
share called within 10 minutes of the slot, as the report, the CSV table `channels` and the workbook's sheet
"Kênh lấy số, lịch hẹn" give them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from server.core.appointments import Appointments
from server.core.exports import to_csv, to_xlsx
from server.core.queue import Queue
from server.core.reports import generate, make_period
from tests.conftest import app_over
from tests.test_appointments import center_with
from tests.test_booking_api import POLICY
from tests.test_report_figures import PASSWORD


@pytest.fixture
def booking(tmp_path, store, clock):
    center = center_with(tmp_path)
    return Appointments(center, store, Queue(center, store, clock))


def serve_next(queue, counter=3, officer="cuong"):
    queue.call_next(counter, officer)
    queue.start_service(counter, officer)
    queue.finish(counter, officer)


def a_day_of_every_channel(booking, clock):
    """Walk-ins, bookings on time (called at once and later), late, never coming and cancelled, remote numbers
    checked in and not; the report's day."""
    queue = booking.queue
    today = booking.center.local_date(clock())
    clock.advance(minutes=-60)  # 07:00: book the 08:00 and 09:00 slots
    made = [booking.book("lai-xe", today, "08:00", f"Hẹn {i}", f"09{i:08d}", f"10.0.0.{i}") for i in range(5)]
    later = [booking.book("lai-xe", today, "09:00", f"Chín giờ {i}", f"08{i + 1:08d}", f"10.0.3.{i}")
             for i in range(2)]
    booking.cancel(booking.book("lai-xe", today, "10:00", "Hủy", "0911111111", "10.0.1.1")["token"])
    clock.advance(minutes=60)  # 08:00
    queue.open_counter(3, "cuong")
    for _ in range(3):
        queue.issue("lai-xe")
    booking.check_in(code=made[0]["code"])
    serve_next(queue)  # 08:00: the booking, at its slot
    booking.check_in(code=made[1]["code"])
    clock.advance(minutes=11)
    serve_next(queue)  # 08:11: the second booking, 11 minutes after its slot
    serve_next(queue)  # a walk-in
    clock.advance(minutes=9)  # 08:20, past late_minutes (15): a walk-in ticket
    booking.check_in(code=made[2]["code"])
    clock.advance(minutes=40)  # 09:00
    booking.check_in(code=later[0]["code"])
    clock.advance(minutes=4)
    serve_next(queue)  # 09:04: within 10 minutes
    remote = booking.join_remotely("ly-lich", "Từ Xa", "0922222222", "10.0.2.1")
    booking.check_in(token=remote["token"])
    booking.join_remotely("ly-lich", "Không Đến", "0933333333", "10.0.2.2")
    clock.advance(minutes=60)
    booking.settle()  # made[3], made[4] and later[1] never came: no-shows
    return dt.date.fromisoformat(today)


def percent(part: int, whole: int) -> float | None:
    """part ÷ whole × 100 rounded half up to one decimal (the report's default precision), None for 0 ÷ 0."""
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def recount(store, day: dt.date) -> dict:
    """Every figure of the channel table from the rows, by the formulas of docs/REPORTS.md."""
    with store.read() as conn:
        tickets = {t["id"]: dict(t) for t in conn.execute("SELECT * FROM tickets WHERE local_date = ?",
                                                           (day.isoformat(),))}
        rows = [dict(a) for a in conn.execute("SELECT * FROM appointments WHERE local_date = ?", (day.isoformat(),))]
    issued: dict[str, int] = {}
    for t in tickets.values():
        if t["transferred_from"] is None:
            issued[t["channel"]] = issued.get(t["channel"], 0) + 1
    bookings = [a for a in rows if a["kind"] == "booking"]
    remote = [a for a in rows if a["kind"] == "remote"]

    def count(of, state):
        return sum(1 for a in of if a["state"] == state)

    decided = sum(count(bookings, s) for s in ("checked_in", "late", "no_show"))
    called = [a for a in bookings if a["state"] == "checked_in" and tickets[a["ticket_id"]]["first_called_at"]]
    within = [a for a in called if tickets[a["ticket_id"]]["first_called_at"] - a["slot_at"] <= 600]
    return {
        "Số lượt lấy số: Ki-ốt": issued.get("kiosk", 0), "Số lượt lấy số: Lấy số từ xa": issued.get("phone", 0),
        "Số lượt lấy số: Lịch hẹn": issued.get("appointment", 0),
        "Lịch hẹn đã đặt (không tính lịch đã hủy)": len(bookings) - count(bookings, "cancelled"),
        "Lịch hẹn đã hủy": count(bookings, "cancelled"),
        "Đến trong giờ hẹn (xác nhận có mặt)": count(bookings, "checked_in"),
        "Đến muộn (xếp như khách đến trực tiếp)": count(bookings, "late"),
        "Vắng mặt theo lịch hẹn": count(bookings, "no_show"),
        "Tỷ lệ vắng mặt theo lịch hẹn (%)": percent(count(bookings, "no_show"), decided),
        "Lịch hẹn đến đúng giờ đã được gọi": len(called),
        "Trong đó được gọi trong 10 phút từ giờ hẹn": len(within),
        "Tỷ lệ được gọi trong 10 phút từ giờ hẹn (%)": percent(len(within), len(called)),
        "Số lấy từ xa (không tính số đã hủy)": len(remote) - count(remote, "cancelled"),
        "Số lấy từ xa đã xác nhận có mặt": count(remote, "checked_in"),
        "Số lấy từ xa vắng mặt (quá thời gian giữ chỗ)": count(remote, "no_show"),
    }


def test_the_channel_table_is_what_the_rows_recount(booking, store, clock):
    day = a_day_of_every_channel(booking, clock)
    expected = recount(store, day)
    # The day was made to reach every figure: none of them is 0 or missing by accident of the scenario.
    assert all(expected[label] for label in expected if not label.startswith("Số lấy từ xa vắng"))
    reports = generate(store, booking.center, make_period("day", day), ("department", "department_officer"),
                       clock=clock)
    report = reports["department"]

    rows = list(csv.reader(io.StringIO(to_csv(report, "channels", "plain").decode("utf-8"))))
    assert rows[2] == ["STT", "Chỉ tiêu", "Giá trị"]
    from_csv = {label: value for _, label, value in rows[3:]}
    assert from_csv == {label: "–" if value is None else str(value) for label, value in expected.items()}

    workbook = load_workbook(io.BytesIO(to_xlsx({"rating": reports["department_officer"], "wait": report})))
    sheet = workbook["Kênh lấy số, lịch hẹn"]
    from_sheet = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=3).value
                  for r in range(7, sheet.max_row + 1)}
    assert from_sheet == expected


def test_a_period_without_bookings_has_no_channel_sheet_and_dashes_for_rates(booking, store, clock):
    booking.queue.issue("lai-xe")
    day = dt.date.fromisoformat(booking.center.local_date(clock()))
    reports = generate(store, booking.center, make_period("day", day), ("department", "department_officer"),
                       clock=clock)
    workbook = load_workbook(io.BytesIO(to_xlsx({"rating": reports["department_officer"],
                                                 "wait": reports["department"]})))
    assert "Kênh lấy số, lịch hẹn" not in workbook.sheetnames
    rows = list(csv.reader(io.StringIO(to_csv(reports["department"], "channels", "plain").decode("utf-8"))))
    values = {label: value for _, label, value in rows[3:]}
    assert values["Số lượt lấy số: Ki-ốt"] == "1" and values["Tỷ lệ vắng mặt theo lịch hẹn (%)"] == "–"


def test_the_channels_csv_over_http(tmp_path):
    with app_over(tmp_path, POLICY.format(per_address=100, capacity=2)) as application:
        application.extensions["hangdoi"].accounts.set_password("giamsat", PASSWORD)
        client = application.test_client()
        assert client.post("/api/session", json={"username": "giamsat", "password": PASSWORD}).status_code == 200
        answer = client.get("/api/reports/export?format=csv&table=channels&dialect=vi")
        assert answer.status_code == 200 and "channels" in answer.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
        assert rows[2] == ["STT", "Chỉ tiêu", "Giá trị"] and rows[3][1] == "Số lượt lấy số: Ki-ốt"


def test_a_report_without_booking_counts_lists_the_channels_alone(booking, store, clock):
    """The provincial hub's reports carry no `appointments`: its CSV table `channels` (the same to_csv) is the
    numbers issued per channel, not an error."""
    booking.queue.issue("lai-xe")
    day = dt.date.fromisoformat(booking.center.local_date(clock()))
    report = generate(store, booking.center, make_period("day", day), ("department",), clock=clock)["department"]
    del report["appointments"]
    rows = list(csv.reader(io.StringIO(to_csv(report, "channels", "plain").decode("utf-8"))))
    assert [row[1:] for row in rows[3:]] == [["Số lượt lấy số: Ki-ốt", "1"], ["Số lượt lấy số: Lấy số từ xa", "0"],
                                             ["Số lượt lấy số: Lịch hẹn", "0"]]
