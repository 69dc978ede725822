"""Report endpoints, exports and the report command."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.live import ROOT
from tests.test_realtime import PASSWORD, act, console


@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    for username in ("an", "giamsat"):
        runtime.accounts.set_password(username, PASSWORD)
    return runtime


@pytest.fixture
def leader(app, rt):
    client = app.test_client()
    assert client.post("/api/session", json={"username": "giamsat", "password": PASSWORD}).status_code == 200
    return client


def serve_and_rate(app, client, level):
    token = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()["token"]
    desk = console(app)
    for action in ("call_next", "start", "finish"):
        assert act(desk, action, f"{action}-{token[:10]}")["ok"]
    assert client.post(f"/api/tickets/{token}/rating", json={"level": level}).status_code == 201


def test_reports_need_a_supervisor(app, rt, client):
    anonymous = client.get("/api/reports")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "not_signed_in"
    officer = app.test_client()
    officer.post("/api/session", json={"username": "an", "password": PASSWORD, "counter": 1})
    response = officer.get("/api/reports")
    assert response.status_code == 403 and response.get_json()["message"] == "Chỉ lãnh đạo, giám sát được xem báo cáo."


def test_day_report_json(app, rt, client, leader):
    serve_and_rate(app, client, 1)
    serve_and_rate(app, client, 2)
    body = leader.get("/api/reports?period=day&group_by=department").get_json()
    assert [r["key"] for r in body["rows"]] == ["STP"]
    assert body["total"]["ratings"]["levels"][0] == {"name": "Rất hài lòng", "count": 1, "percent": 50.0}
    assert "có 2 lượt đánh giá cán bộ tại Trung tâm" in body["summary"]


@pytest.mark.parametrize("query, message", [
    ("period=fortnight", "Loại kỳ báo cáo không hợp lệ."),
    ("period=day&date=23/11/2026", "Ngày không hợp lệ"),
    ("period=custom&date=2026-11-23", "Ngày không hợp lệ"),
    ("period=custom&date=2026-11-23&last=2026-11-01", "Ngày không hợp lệ"),
    ("period=custom&date=2020-01-01&last=2026-11-01", "Kỳ báo cáo tối đa 3 năm."),
    ("group_by=mood", "Cách nhóm báo cáo không hợp lệ."),
])
def test_bad_report_queries(leader, query, message):
    response = leader.get(f"/api/reports?{query}")
    assert response.status_code == 400 and response.get_json()["message"].startswith(message)


def test_excel_export_has_the_official_tables(app, rt, client, leader):
    serve_and_rate(app, client, 1)
    serve_and_rate(app, client, 3)
    response = leader.get("/api/reports/export?format=xlsx&period=month")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    # A three-level scale is the official one: no separate "Quy đổi 3 mức" sheet.
    assert book.sheetnames == ["Tổng hợp", "Đánh giá hài lòng", "Thời gian chờ", "Góp ý, phản ánh"]
    sheet = book["Đánh giá hài lòng"]
    assert sheet["A2"].value == "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG" and sheet["A3"].value.startswith("(Từ ngày 01/")
    header = [c.value for c in sheet[6]]
    assert header[:4] == ["STT", "Đơn vị", "Công chức tiếp nhận", "Tổng số phiếu"]
    assert [c.value for c in sheet[7]] == [1, "Sở Tư pháp", "Nguyễn Văn An", 2, 1, 50, 0, 0, 1, 50]
    assert "Trong tháng" in book["Tổng hợp"]["A5"].value


def test_csv_export(app, rt, client, leader):
    serve_and_rate(app, client, 1)
    response = leader.get("/api/reports/export?format=csv&table=wait&group_by=service")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[2][:4] == ["STT", "Đơn vị / Lĩnh vực", "Số lượt lấy số", "Số lượt đã phục vụ"]
    assert rows[3][:4] == ["1", "Lý lịch tư pháp", "1", "1"] and rows[-1][1] == "Tổng cộng"
    assert leader.get("/api/reports/export?format=pdf").status_code == 400


def test_report_command_writes_files(app, rt, client, tmp_path):
    serve_and_rate(app, client, 1)
    env = {**os.environ, "HANGDOI_CENTER": str(rt.settings.center_file), "HANGDOI_DATABASE": str(rt.settings.database)}
    out = tmp_path / "bao-cao.xlsx"
    subprocess.run([sys.executable, "-m", "server", "report", "--period", "month", "--format", "xlsx", "--out",
                    str(out)], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    assert load_workbook(out)["Đánh giá hài lòng"]["D7"].value == 1
    text = subprocess.run([sys.executable, "-m", "server", "report", "--format", "text", "--out", "-"], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True, timeout=60).stdout
    assert text.startswith("Trong ngày") and "đánh giá Rất hài lòng là 1 lượt, chiếm 100,0%" in text


def test_several_groupings_in_one_request(app, rt, client, leader):
    serve_and_rate(app, client, 1)
    body = leader.get("/api/reports?period=day&group_by=department,hour,officer").get_json()
    assert sorted(body["reports"]) == ["department", "hour", "officer"]
    assert body["reports"]["officer"]["rows"][0]["name"] == "Nguyễn Văn An"
    assert leader.get("/api/reports?group_by=department,mood").status_code == 400
