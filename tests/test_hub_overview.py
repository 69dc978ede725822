"""The hub's overview and report routes over a real PostgreSQL: who sees what (a district leader only their
district, enforced by the server), the overview's figures recounted from the sites' own files, refusals in
Vietnamese, and the Excel/CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import time

import psycopg
import pytest
from openpyxl import load_workbook

from server.hub import create_app
from server.hub.overview import STOPPED_REPORTING_SECONDS
from server.hub.settings import HubSettings
from tests.conftest import VN
from tests.csrf import CsrfFlaskClient
from tests.hub_province import PASSWORD, SITES, build_province, yesterday

pytestmark = pytest.mark.live
CAO_LOC = {code for code, _, _, district, *_ in SITES if district == "Cao Lộc"}


@pytest.fixture
def province(pg_database, tmp_path, monkeypatch):
    """Four sites' day pushed to the hub; the hub's Flask app over it (its real pool); the site files."""
    monkeypatch.setenv("HANGDOI_HUB_PROVINCE", "tỉnh Lạng Sơn")
    files = build_province(pg_database, tmp_path)
    app = create_app(HubSettings(dsn=pg_database, secret_key="test", testing=True, threads=2))
    app.test_client_class = CsrfFlaskClient
    yield app, files, pg_database
    app.extensions["hub_pool"].close()


def signed_in(app, username: str):
    client = app.test_client()
    answer = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return client


def waiting_of(path) -> tuple[int, int | None]:
    """How many of a site's tickets of today wait, and since when, from the site's own file."""
    db = sqlite3.connect(path)
    try:
        today = dt.datetime.now(VN).date().isoformat()
        return db.execute("SELECT count(*), min(issued_at) FROM tickets WHERE state = 'waiting' AND local_date = ?",
                          (today,)).fetchone()
    finally:
        db.close()


def test_the_overview_counts_each_sites_waiting_citizens(province):
    app, files, _ = province
    before = int(time.time())
    view = signed_in(app, "lanhdao").get("/api/hub/overview").get_json()
    after = int(time.time())
    assert {s["code"] for s in view["sites"]} == {code for code, *_ in SITES}
    for site in view["sites"]:
        waiting, oldest = waiting_of(files[site["code"]])
        assert site["waiting_now"] == waiting > 0
        assert before - oldest <= site["longest_wait_seconds"] <= after - oldest
        assert site["stopped"] is False and site["last_contact_at"] >= before - 600
    assert view["totals"]["waiting_now"] == sum(waiting_of(p)[0] for p in files.values())


def test_sites_that_stopped_reporting_come_first(province):
    app, _, dsn = province
    now = int(time.time())
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE hub_sites SET last_contact_at = %s WHERE code = 'LSN-X017'",
                     (now - STOPPED_REPORTING_SECONDS - 60,))
        conn.execute("UPDATE hub_sites SET last_contact_at = %s WHERE code = 'LSN-H05'", (now - 86400,))
        conn.execute("UPDATE hub_sites SET last_contact_at = %s WHERE code = 'LSN-H03'",
                     (now - STOPPED_REPORTING_SECONDS + 60,))
    view = signed_in(app, "quantri").get("/api/hub/overview").get_json()
    assert [s["code"] for s in view["sites"]][:2] == ["LSN-H05", "LSN-X017"]  # the longest silence first
    assert [s["stopped"] for s in view["sites"]] == [True, True, False, False]
    assert view["totals"]["stopped"] == 2 and view["stopped_after_seconds"] == STOPPED_REPORTING_SECONDS


def test_a_district_leader_sees_only_their_district(province):
    app, _, _ = province
    leader = signed_in(app, "caoloc")
    assert {s["code"] for s in leader.get("/api/hub/overview").get_json()["sites"]} == CAO_LOC
    day = yesterday().isoformat()
    mine = leader.get(f"/api/hub/reports?period=day&date={day}&group_by=site").get_json()
    assert {r["key"] for r in mine["rows"]} <= CAO_LOC and mine["rows"]
    assert mine["summary"].startswith(f"Trong ngày {yesterday():%d/%m/%Y}, toàn huyện Cao Lộc có 2 đơn vị")
    province_wide = signed_in(app, "lanhdao").get(f"/api/hub/reports?period=day&date={day}&group_by=site")
    rows = {r["key"]: r for r in province_wide.get_json()["rows"]}
    assert mine["total"]["issued"] == sum(rows[code]["issued"] for code in CAO_LOC) < province_wide.get_json()[
        "total"]["issued"]
    for asked in ("/api/hub/overview?district=Lộc Bình", f"/api/hub/reports?date={day}&district=Lộc Bình",
                  f"/api/hub/reports/export?date={day}&district=Lộc Bình&format=csv"):
        refused = leader.get(asked)
        assert refused.status_code == 403
        assert refused.get_json() == {"error": "forbidden_district",
                                      "message": "Tài khoản lãnh đạo huyện chỉ xem được số liệu của huyện mình."}
    # the same district asked for explicitly is fine; grouped by officer, still only the district's sites
    officers = leader.get(f"/api/hub/reports?period=day&date={day}&group_by=officer&district=Cao Lộc").get_json()
    assert {r["key"].partition("|")[0] for r in officers["rows"]} <= CAO_LOC


def test_a_provincial_leader_may_look_at_one_district_or_level(province):
    app, _, _ = province
    leader = signed_in(app, "lanhdao")
    day = yesterday().isoformat()
    district = leader.get(f"/api/hub/reports?period=day&date={day}&group_by=site&district=Lộc Bình").get_json()
    assert [r["key"] for r in district["rows"]] == ["LSN-H05"]
    level = leader.get(f"/api/hub/reports?period=day&date={day}&group_by=site&level=huyen").get_json()
    assert [r["key"] for r in level["rows"]] == ["LSN-H03", "LSN-H05"]
    assert level["summary"].startswith(f"Trong ngày {yesterday():%d/%m/%Y}, toàn tỉnh có 2 đơn vị (2 cấp huyện)")


def test_signed_out_is_refused(province):
    app, _, _ = province
    client = app.test_client()
    for path in ("/api/hub/overview", "/api/hub/reports", "/api/hub/reports/export"):
        answer = client.get(path)
        assert answer.status_code == 401 and answer.get_json()["message"] == "Vui lòng đăng nhập."


@pytest.mark.parametrize(("query", "message"), [
    ("period=decade", "Loại kỳ báo cáo không hợp lệ."),
    ("date=2026-13-01", "Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu)."),
    ("date=20261123", "Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu)."),
    ("period=custom&date=2026-11-10&last=2026-11-01",
     "Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu)."),
    ("period=custom&date=2020-01-01&last=2026-11-01", "Kỳ báo cáo tối đa 3 năm."),
    ("date=9999-12-31&period=year", None),
    ("group_by=province", "Cách nhóm báo cáo không hợp lệ."),
    ("precision=3", "Số chữ số thập phân của tỷ lệ phải là 1 hoặc 2."),
    ("level=thon", "Cấp đơn vị không hợp lệ (tinh, huyen, xa)."),
])
def test_bad_report_requests_are_refused_in_vietnamese(province, query, message):
    app, _, _ = province
    answer = signed_in(app, "lanhdao").get(f"/api/hub/reports?{query}")
    if message is None:  # a far year is a valid period with nothing in it
        assert answer.status_code == 200 and answer.get_json()["total"]["issued"] == 0
        return
    assert answer.status_code == 400
    assert answer.get_json()["message"] == message


@pytest.mark.parametrize(("query", "message"), [
    ("format=pdf", "Định dạng xuất không hợp lệ (xlsx hoặc csv)."),
    ("format=csv&table=comments", "Bảng không hợp lệ (wait, rating, rating_official)."),
    ("format=csv&dialect=excel", "Kiểu CSV không hợp lệ (vi: Excel tiếng Việt; plain: RFC 4180)."),
    ("format=xlsx&group_by=site,level", "Cách nhóm báo cáo không hợp lệ."),
])
def test_bad_export_requests_are_refused_in_vietnamese(province, query, message):
    app, _, _ = province
    answer = signed_in(app, "lanhdao").get(f"/api/hub/reports/export?{query}")
    assert answer.status_code == 400 and answer.get_json()["message"] == message


def test_the_excel_file_holds_the_report(province):
    app, _, _ = province
    leader = signed_in(app, "lanhdao")
    day = yesterday().isoformat()
    report = leader.get(f"/api/hub/reports?period=day&date={day}&group_by=site").get_json()
    answer = leader.get(f"/api/hub/reports/export?period=day&date={day}&group_by=site&format=xlsx")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == f'attachment; filename="bao-cao-tinh-{day}-{day}.xlsx"'
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["Tổng hợp", "Đánh giá hài lòng", "Thời gian chờ"]
    assert book["Tổng hợp"]["A1"].value == "TỈNH LẠNG SƠN"
    assert book["Tổng hợp"]["A5"].value == report["summary"]
    wait = book["Thời gian chờ"]
    names = [wait.cell(row=r, column=2).value for r in range(7, 7 + len(report["rows"]) + 1)]
    assert names == [r["name"] for r in report["rows"]] + ["Tổng cộng"]
    issued = [wait.cell(row=r, column=3).value for r in range(7, 7 + len(report["rows"]) + 1)]
    assert issued == [r["issued"] for r in report["rows"]] + [report["total"]["issued"]]
    rating = book["Đánh giá hài lòng"]  # by site and officer: Đơn vị is the site
    sites_named = {rating.cell(row=r, column=2).value for r in range(7, rating.max_row)}
    assert sites_named <= {name for _, name, *_ in SITES}


def test_csv_tables_in_both_dialects(province):
    app, _, _ = province
    leader = signed_in(app, "caoloc")
    day = yesterday().isoformat()
    report = leader.get(f"/api/hub/reports?period=day&date={day}&group_by=site").get_json()
    vi = leader.get(f"/api/hub/reports/export?period=day&date={day}&group_by=site&format=csv&table=wait")
    assert vi.status_code == 200 and vi.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(vi.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Huyện Cao Lộc"] and rows[1] == [report["period"]["title"]]
    assert [r[1] for r in rows[3:]] == [r["name"] for r in report["rows"]] + ["Tổng cộng"]
    plain = leader.get(f"/api/hub/reports/export?period=day&date={day}&format=csv&table=rating&dialect=plain")
    rows = list(csv.reader(io.StringIO(plain.data.decode("utf-8"))))
    assert rows[2][:4] == ["STT", "Đơn vị", "Công chức tiếp nhận", "Tổng số phiếu"]
    assert {r[1] for r in rows[3:-1]} <= {name for _, name, _, district, *_ in SITES if district == "Cao Lộc"}
    assert plain.headers["Content-Disposition"].endswith(f'{day}-{day}-rating.csv"')
