"""The seeds' figures through the API and the command line; precision, CSV dialects, comments, five levels."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.conftest import app_over
from tests.live import ROOT
from tests.test_realtime import PASSWORD

FIVE_LEVELS = """
[rating]
scale = 5
[rating.official]
"Rất hài lòng" = ["Rất hài lòng"]
"Hài lòng" = ["Hài lòng", "Bình thường"]
"Không hài lòng" = ["Không hài lòng", "Rất không hài lòng"]
"""


@pytest.fixture
def app3(tmp_path):
    with app_over(tmp_path) as application:
        application.extensions["hangdoi"].accounts.set_password("giamsat", PASSWORD)
        yield application


@pytest.fixture
def app5(tmp_path):
    with app_over(tmp_path, FIVE_LEVELS, "five") as application:
        application.extensions["hangdoi"].accounts.set_password("giamsat", PASSWORD)
        yield application


def leader_of(application):
    client = application.test_client()
    assert client.post("/api/session", json={"username": "giamsat", "password": PASSWORD}).status_code == 200
    return client


def serve_and_rate(application, levels: list[int], comments: dict[int, str] | None = None):
    """Serve one ticket per level at counter 1 through the core, and rate it at that level on the tablet."""
    rt = application.extensions["hangdoi"]
    rt.queue.open_counter(1, "an")
    for i, level in enumerate(levels):
        label = rt.queue.issue("ly-lich").result["label"]
        rt.queue.call_next(1, "an")
        rt.queue.start_service(1, "an")
        rt.queue.finish(1, "an")
        reasons = [rt.center.rating.reasons[0]] if rt.center.rating.is_dissatisfied(level) else []
        rt.ratings.rate_at_counter(1, label, level, reasons, (comments or {}).get(i), client_id=f"rating-{i:06d}")


def run_cli(application, *args) -> str:
    rt = application.extensions["hangdoi"]
    env = {**os.environ, "HANGDOI_CENTER": str(rt.settings.center_file), "HANGDOI_DATABASE": str(rt.settings.database)}
    return subprocess.run([sys.executable, "-m", "server", "report", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=60).stdout


def levels_of(ratings: dict) -> list[tuple]:
    return [(level["name"], level["count"], level["percent"]) for level in ratings["levels"]]


def test_quang_ngai_july_2019_through_api_and_cli(app3):
    serve_and_rate(app3, [1] * 749 + [2] * 37)
    body = leader_of(app3).get("/api/reports?period=month").get_json()
    assert body["precision"] == 1
    assert levels_of(body["total"]["ratings"]) == [("Rất hài lòng", 749, 95.3), ("Hài lòng", 37, 4.7),
                                                   ("Không hài lòng", 0, 0.0)]
    assert ("có 786 lượt đánh giá cán bộ tại Trung tâm, trong đó: đánh giá Rất hài lòng là 749 lượt, chiếm 95,3%;"
            " đánh giá Hài lòng là 37 lượt, chiếm 4,7%; không có đánh giá Không hài lòng.") in body["summary"]
    text = run_cli(app3, "--period", "month", "--format", "text", "--out", "-")
    assert "có 786 lượt đánh giá" in text and "chiếm 95,3%" in text and "chiếm 4,7%" in text
    report = json.loads(run_cli(app3, "--period", "month", "--format", "json", "--out", "-"))
    assert levels_of(report["total"]["ratings"])[:2] == [("Rất hài lòng", 749, 95.3), ("Hài lòng", 37, 4.7)]


def test_lang_son_first_quarter_2024_at_two_decimals(app3):
    serve_and_rate(app3, [1] * 415 + [2] * 12)
    leader = leader_of(app3)
    body = leader.get("/api/reports?period=quarter&precision=2").get_json()
    assert body["precision"] == 2
    assert levels_of(body["total"]["ratings"]) == [("Rất hài lòng", 415, 97.19), ("Hài lòng", 12, 2.81),
                                                   ("Không hài lòng", 0, 0.0)]
    assert "chiếm 97,19%" in body["summary"] and "chiếm 2,81%" in body["summary"]
    assert body["period"]["name"].startswith("quý ") and body["summary"].startswith("Trong quý ")
    assert leader.get("/api/reports?precision=3").status_code == 400
    text = run_cli(app3, "--period", "quarter", "--precision", "2", "--format", "text", "--out", "-")
    assert "có 427 lượt đánh giá" in text and "chiếm 97,19%" in text and "chiếm 2,81%" in text
    rows = list(csv.reader(io.StringIO(run_cli(app3, "--period", "quarter", "--precision", "2", "--format", "csv",
                                               "--table", "rating", "--out", "-").lstrip("\ufeff")), delimiter=";"))
    assert rows[-1][3:9] == ["427", "415", "97,19", "12", "2,81", "0"]


def test_five_level_center_reports_its_five_levels_and_the_mapped_three(app5):
    serve_and_rate(app5, [1] * 11 + [2] * 8 + [3] * 7 + [4] * 5 + [5] * 3)
    leader = leader_of(app5)
    body = leader.get("/api/reports?period=day").get_json()
    assert body["scale"] == {"levels": ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng",
                                        "Rất không hài lòng"], "official": True}
    assert levels_of(body["total"]["ratings"]) == [
        ("Rất hài lòng", 11, 32.4), ("Hài lòng", 8, 23.5), ("Bình thường", 7, 20.6), ("Không hài lòng", 5, 14.7),
        ("Rất không hài lòng", 3, 8.8)]
    assert levels_of(body["total"]["official_ratings"]) == [("Rất hài lòng", 11, 32.4), ("Hài lòng", 15, 44.1),
                                                            ("Không hài lòng", 8, 23.5)]
    # QĐ 766: (34 served − 8 rated Không hài lòng or worse) ÷ 34; "Bình thường" is not a complaint here.
    assert body["total"]["satisfaction_766"] == 76.5 and body["total"]["dissatisfied"] == 8
    assert "đánh giá Hài lòng là 15 lượt" in body["summary"]  # the paragraph speaks the official three levels
    assert ("Theo thang đánh giá 5 mức của Trung tâm: Rất hài lòng 11 lượt (32,4%); Hài lòng 8 lượt (23,5%);"
            " Bình thường 7 lượt (20,6%); Không hài lòng 5 lượt (14,7%); Rất không hài lòng 3 lượt (8,8%).") \
        in body["summary"]
    text = run_cli(app5, "--format", "text", "--out", "-")
    assert "Bình thường 7 lượt (20,6%)" in text and "đánh giá Hài lòng là 15 lượt, chiếm 44,1%" in text
    book = load_workbook(io.BytesIO(leader.get("/api/reports/export?format=xlsx&period=day").data))
    assert book.sheetnames == ["Tổng hợp", "Đánh giá hài lòng", "Quy đổi 3 mức", "Thời gian chờ", "Góp ý, phản ánh"]
    header = [c.value for c in book["Đánh giá hài lòng"][6]]
    assert header[4::2] == [f"{name} (Số phiếu)" for name in body["scale"]["levels"]]
    assert [c.value for c in book["Quy đổi 3 mức"][7]][3:] == [34, 11, 32.4, 15, 44.1, 8, 23.5]
    official = list(csv.reader(io.StringIO(leader.get(
        "/api/reports/export?format=csv&table=rating_official&period=day&dialect=plain").data.decode())))
    assert official[-1][3:] == ["34", "11", "32.4", "15", "44.1", "8", "23.5"]
    five = run_cli(app5, "--format", "csv", "--table", "rating", "--dialect", "plain", "--out", "-")
    assert list(csv.reader(io.StringIO(five)))[-1][3:] == ["34", "11", "32.4", "8", "23.5", "7", "20.6", "5", "14.7",
                                                           "3", "8.8"]


def test_five_levels_without_a_mapping_show_no_official_table(tmp_path):
    with app_over(tmp_path, "[rating]\nscale = 5\n", "unmapped") as application:
        application.extensions["hangdoi"].accounts.set_password("giamsat", PASSWORD)
        serve_and_rate(application, [1, 3, 4])
        leader = leader_of(application)
        total = leader.get("/api/reports?period=day").get_json()["total"]
        assert total["official_ratings"] is None and len(total["ratings"]["levels"]) == 5
        assert total["satisfaction_766"] == 66.7  # only the level named "Không hài lòng" is a complaint
        refused = leader.get("/api/reports/export?format=csv&table=rating_official")
        assert refused.status_code == 400 and "quy đổi" in refused.get_json()["message"]
        book = load_workbook(io.BytesIO(leader.get("/api/reports/export?format=xlsx").data))
        assert "Quy đổi 3 mức" not in book.sheetnames


def test_csv_dialects(app3):
    serve_and_rate(app3, [1, 1, 2])
    leader = leader_of(app3)
    vietnamese = leader.get("/api/reports/export?format=csv&table=rating&precision=2").data
    assert vietnamese.startswith("\ufeff".encode()) and b";" in vietnamese
    rows = list(csv.reader(io.StringIO(vietnamese.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][3:7] == ["3", "2", "66,67", "1"]
    plain = leader.get("/api/reports/export?format=csv&table=rating&precision=2&dialect=plain").data
    assert not plain.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(plain.decode())))[-1][3:7] == ["3", "2", "66.67", "1"]
    assert leader.get("/api/reports/export?format=csv&dialect=excel").status_code == 400
    assert leader.get("/api/reports/export?format=csv&table=mood").status_code == 400


def test_comments_table_everywhere_and_inert(app3):
    hostile = "=HYPERLINK(\"http://x\",\"bấm\") <img src=x onerror=alert(1)>"
    serve_and_rate(app3, [1, 3, 2], {0: "Cán bộ rất tận tình", 1: hostile})
    leader = leader_of(app3)
    body = leader.get("/api/reports/comments?period=day").get_json()
    assert body["total"] == 2
    first, second = body["comments"]
    assert (first["label"], first["level"], first["comment"], first["reasons"]) == (
        "A001", "Rất hài lòng", "Cán bộ rất tận tình", [])
    assert second["comment"] == hostile and second["dissatisfied"] and second["reasons"]
    assert second["officer"] == "Nguyễn Văn An" and second["service"] == "Lý lịch tư pháp"
    rows = list(csv.reader(io.StringIO(leader.get("/api/reports/export?format=csv&table=comments").data
                                       .decode("utf-8-sig")), delimiter=";"))
    assert rows[2][:4] == ["STT", "Ngày", "Giờ", "Số thứ tự"] and rows[-1][9] == "'" + hostile
    sheet = load_workbook(io.BytesIO(leader.get("/api/reports/export?format=xlsx").data))["Góp ý, phản ánh"]
    cell = sheet.cell(row=8, column=10)
    assert cell.value == hostile and cell.data_type == "s"  # text, not a formula
    text = run_cli(app3, "--format", "csv", "--table", "comments", "--out", "-")
    assert "Cán bộ rất tận tình" in text


def test_cli_writes_every_table(app3, tmp_path):
    serve_and_rate(app3, [1, 3], {1: "Chờ lâu"})
    run_cli(app3, "--format", "csv", "--table", "all", "--out", str(tmp_path / "bao-cao.csv"))
    written = sorted(p.name for p in tmp_path.glob("bao-cao-*.csv"))
    assert written == ["bao-cao-channels.csv", "bao-cao-comments.csv", "bao-cao-rating.csv",
                       "bao-cao-rating_official.csv", "bao-cao-wait.csv"]
    assert "Chờ lâu" in (tmp_path / "bao-cao-comments.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("query", ["date=9999-12-31&period=week", "date=0001-01-01&period=reporting_month",
                                   "date=9999-12-31&period=reporting_month", "date=9999-12-31&period=reporting_year",
                                   "precision=", "precision=1.5", "precision=%D9%A1"])
def test_extreme_report_queries_are_400(app3, query):
    response = leader_of(app3).get(f"/api/reports?{query}")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_the_last_month_of_the_calendar_is_an_empty_report(app3):
    body = leader_of(app3).get("/api/reports?period=month&date=9999-12-31").get_json()
    assert body["period"]["name"] == "tháng 12/9999" and body["total"]["issued"] == 0


def test_names_that_look_like_formulas_stay_text_in_every_file(tmp_path):
    formula = '=HYPERLINK("http://x","bấm")'
    edit = lambda text: text.replace('name = "Nguyễn Văn An"', f"name = '{formula}'").replace(  # noqa: E731
        'name = "Sở Tư pháp"', "name = '+Sở Tư pháp'").replace(
        'name = "Trung tâm Phục vụ hành chính công thử nghiệm"', "name = '=1+1 Trung tâm'")
    with app_over(tmp_path, name="formulas", edit=edit) as application:
        application.extensions["hangdoi"].accounts.set_password("giamsat", PASSWORD)
        serve_and_rate(application, [1])
        leader = leader_of(application)
        book = load_workbook(io.BytesIO(leader.get("/api/reports/export?format=xlsx").data))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value]
        assert formula in [c.value for c in cells] and "+Sở Tư pháp" in [c.value for c in cells]
        assert all(c.data_type != "f" for c in cells)
        rows = list(csv.reader(io.StringIO(leader.get("/api/reports/export?format=csv&table=rating")
                                           .data.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["'=1+1 Trung tâm"] and rows[3][1:3] == ["'+Sở Tư pháp", "'" + formula]
