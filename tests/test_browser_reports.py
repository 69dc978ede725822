"""The supervisors' report screen (/admin/reports) and its print page in Debian's chromium, against the real server.

The day's data is made through the real API: officers sign in and serve at their counters over Socket.IO
(tests/officer.py), citizens rate on their phones (POST /api/tickets/<token>/rating). Then the supervisor signs in
through the form and reads the summary paragraph, the official rating table, the charts, downloads the Excel file
and opens the print page; a custom range that ends before it starts shows the server's refusal.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from tests.live import SMALL_CENTER, LiveServer
from tests.officer import PASSWORD, Officer, issue, store_password

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def serve(officer: Officer, url: str, service: str) -> str:
    """Issue one ticket of a service and have the officer call, start and finish it; returns its token."""
    token = issue(url, service)["token"]
    for action in ("call_next", "start", "finish"):
        reply = officer.act(action)
        assert reply["ok"], reply
    return token


def rate(url: str, token: str, level: int, reasons=(), comment=None):
    body = {"level": level, "reasons": list(reasons), **({"comment": comment} if comment is not None else {})}
    response = requests.post(f"{url}/api/tickets/{token}/rating", json=body, timeout=10)
    assert response.status_code == 201, response.text


def set_passwords(server, usernames):
    """Passwords for several accounts, set as the administrator's command line sets them (tests/officer.py
    store_password; the command line itself is tested in test_sessions_live.py)."""
    for username in usernames:
        store_password(server.database, server.center, username, PASSWORD)


def take_counter(officer: Officer, counter: int):
    """Officer.sign_in without setting the password again: HTTP sign-in at a counter, then the console socket."""
    response = officer.http.post(f"{officer.url}/api/session", timeout=10,
                                 json={"username": officer.username, "password": PASSWORD, "counter": counter})
    assert response.status_code == 200, response.text
    officer.connect()


def seed(url: str, database, center):
    """Today at the small center: An (Sở Tư pháp) served 3 citizens rated Rất hài lòng, Rất hài lòng, Hài lòng;
    Cường (Sở Giao thông vận tải) served 2, one rated Không hài lòng (Thời gian chờ lâu); one citizen still waits.

    Totals: 6 numbers issued, 5 served, 4 ratings (2 / 1 / 1).
    """
    an = Officer(url, database, center, "an")
    cuong = Officer(url, database, center, "cuong")
    try:
        take_counter(an, 1)
        for level in (1, 1, 2):
            rate(url, serve(an, url, "ly-lich"), level)
        take_counter(cuong, 3)
        rate(url, serve(cuong, url, "lai-xe"), 3, ["Thời gian chờ lâu"])
        serve(cuong, url, "lai-xe")
    finally:
        an.close()
        cuong.close()
    issue(url, "ho-tich")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One live server for the whole module (its tests only read the data), seeded once; "giamsat" signs in."""
    live_server = LiveServer(tmp_path_factory.mktemp("reports") / "live.db").start()
    try:
        set_passwords(live_server, ["giamsat", "an", "cuong"])
        seed(live_server.url, live_server.database, live_server.center)
        yield live_server
    finally:
        live_server.stop()


FIVE_LEVELS_CENTER = SMALL_CENTER.with_name("five_levels.toml")
# A citizen's comment that would run script if it were ever put in the page as HTML.
HOSTILE_COMMENT = '<img src=x onerror="window.hacked=1">Chờ <b>lâu</b>'


@pytest.fixture(scope="module")
def five_server(tmp_path_factory):
    """A center rating on five levels, mapped to the official three: An served five citizens, one of each level
    (best first); the "Rất không hài lòng" one left a comment written as HTML."""
    live_server = LiveServer(tmp_path_factory.mktemp("five") / "live.db", center=FIVE_LEVELS_CENTER).start()
    try:
        set_passwords(live_server, ["giamsat", "an"])
        an = Officer(live_server.url, live_server.database, live_server.center, "an")
        try:
            take_counter(an, 1)
            for level in (1, 2, 3, 4):
                rate(live_server.url, serve(an, live_server.url, "ly-lich"), level)
            rate(live_server.url, serve(an, live_server.url, "ly-lich"), 5, ["Thời gian chờ lâu"], HOSTILE_COMMENT)
        finally:
            an.close()
        yield live_server
    finally:
        live_server.stop()


@pytest.fixture
def desk(page):
    """A leader's desktop."""
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def sign_in(page, server, username="giamsat", password=PASSWORD, query=""):
    page.goto(f"{server.url}/admin/reports{query}")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin-submit")


def report_ready(page):
    expect(page.locator("body")).to_have_attribute("data-view", "reports")
    expect(page.locator("body")).to_have_attribute("data-report-state", "ready", timeout=15000)


def test_day_report_shows_the_summary_and_the_official_table(server, desk):
    errors = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(desk, server, password="sai-mat-khau")
    expect(desk.locator("#signin-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    desk.fill("#password", PASSWORD)
    desk.click("#signin-submit")
    report_ready(desk)

    expect(desk.locator("#user-name")).to_have_text("Phạm Thị Giám Sát")
    summary = desk.locator("#summary")
    expect(summary).to_contain_text("Trung tâm đã cấp 6 số thứ tự, phục vụ 5 lượt")
    expect(summary).to_contain_text("có 4 lượt đánh giá")
    expect(summary).to_contain_text("đánh giá Rất hài lòng là 2 lượt, chiếm 50,0%")

    table = desk.locator("#rating-table table")
    expect(desk.locator("#rating-heading")).to_have_text("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG")
    expect(desk.locator("#rating-period")).to_have_text(re.compile(
        r"^\(Từ ngày \d\d/\d\d/\d{4} đến ngày \d\d/\d\d/\d{4}\)$"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    # STT, Đơn vị, Công chức, Tổng số phiếu, then (Số phiếu, Tỷ lệ) for each of the three levels.
    expect(rows.nth(0).locator("td")).to_have_text(
        ["1", "Sở Tư pháp", "Nguyễn Văn An", "3", "2", "66,7%", "1", "33,3%", "0", "0,0%"])
    expect(rows.nth(1).locator("td")).to_have_text(
        ["2", "Sở Giao thông vận tải", "Lê Văn Cường", "1", "0", "0,0%", "0", "0,0%", "1", "100,0%"])
    expect(table.locator("tfoot tr td")).to_have_text(
        ["Tổng cộng", "4", "2", "50,0%", "1", "25,0%", "1", "25,0%"])

    # The wait table of the chosen grouping (Sở/ngành by default) with its total row, and the reasons.
    wait_rows = desk.locator("#wait-table tbody tr")
    expect(wait_rows).to_have_count(2)
    expect(wait_rows.nth(0).locator("td").nth(1)).to_have_text("Sở Tư pháp")
    expect(wait_rows.nth(0).locator("td").nth(2)).to_have_text("4")  # ly-lich ×3 and the waiting ho-tich
    expect(desk.locator("#wait-table tfoot td").nth(0)).to_have_text("Tổng cộng")
    expect(desk.locator("#peak-hour")).to_have_text(re.compile(r"^\d\d:00–\d\d:00$"))
    expect(desk.locator("#reasons tbody tr td")).to_have_text(["1", "Thời gian chờ lâu", "1"])

    # Grouped by officer: presence columns appear.
    desk.select_option("#group-by", "officer")
    desk.click("#submit")
    report_ready(desk)
    expect(desk.locator("#wait-table thead")).to_contain_text("Thời gian tại quầy (giờ:phút)")
    expect(desk.locator("#wait-table tbody tr")).to_have_count(2)
    assert "group_by=officer" in desk.url
    assert errors == []


def test_charts_are_drawn(server, desk):
    sign_in(desk, server)
    report_ready(desk)
    for canvas in ("#chart-hourly", "#chart-wait", "#chart-departments", "#chart-officers"):
        expect(desk.locator(canvas)).to_be_visible()
    charts = desk.evaluate("""() => Object.fromEntries(Object.entries(window.hangdoiCharts).map(([name, chart]) =>
        [name, {isChart: chart instanceof window.Chart, canvas: chart.canvas.id, type: chart.config.type,
                datasets: chart.data.datasets.map((d) => d.label), height: chart.height}]))""")
    assert set(charts) == {"hourly", "wait", "departments", "officers"}
    assert all(c["isChart"] and c["height"] > 100 for c in charts.values())
    assert charts["hourly"]["datasets"] == ["Lượt lấy số", "Thời gian chờ TB (phút)"]
    assert charts["departments"]["datasets"] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    officers = desk.evaluate("() => window.hangdoiCharts.officers.data.datasets.map((d) => d.data)")
    assert officers == [[2, 0], [1, 0], [0, 1]]  # An, Cường (officers by username)


def test_excel_and_csv_links_download_the_report(server, desk, tmp_path):
    sign_in(desk, server)
    report_ready(desk)
    with desk.expect_download() as info:
        desk.click("#export-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    assert "Đánh giá hài lòng" in book.sheetnames
    sheet = book["Đánh giá hài lòng"]
    assert [c.value for c in sheet[7]][:4] == [1, "Sở Tư pháp", "Nguyễn Văn An", 3]

    with desk.expect_download() as info:
        desk.click("#export-csv-rating")
    assert info.value.suggested_filename.endswith("-rating.csv")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "Nguyễn Văn An" in text and "Tổng cộng" in text


def test_print_page_shows_the_official_document(server, desk):
    sign_in(desk, server)
    report_ready(desk)
    href = desk.locator("#print-link").get_attribute("href")
    assert href.startswith("/admin/reports/print?") and "auto=1" in href and "group_by=department" in href

    errors = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    desk.goto(server.url + href.replace("auto=1", "auto=0"))
    expect(desk.locator("body")).to_have_attribute("data-state", "ready")
    expect(desk.locator("#issuer")).to_have_text("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG THỬ NGHIỆM")
    expect(desk.locator(".nation")).to_have_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(desk.locator(".motto")).to_have_text("Độc lập - Tự do - Hạnh phúc")
    expect(desk.locator("#place-date")).to_have_text(
        re.compile(r"^Kiểm Tra, ngày \d\d tháng \d{1,2} năm \d{4}$"))
    expect(desk.locator("#rating-title")).to_have_text("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG")
    expect(desk.locator("#wait-title")).to_have_text("BÁO CÁO TÌNH HÌNH LẤY SỐ VÀ THỜI GIAN CHỜ")
    expect(desk.locator("#doc-summary")).to_contain_text("có 4 lượt đánh giá")
    expect(desk.locator("#rating-table tbody tr").nth(0).locator("td")).to_have_text(
        ["1", "Sở Tư pháp", "Nguyễn Văn An", "3", "2", "66,7%", "1", "33,3%", "0", "0,0%"])
    expect(desk.locator("#wait-table tfoot td").nth(0)).to_have_text("Tổng cộng")
    expect(desk.locator(".sign-role")).to_have_text(["NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"])
    expect(desk.locator("#preparer")).to_have_text("Phạm Thị Giám Sát")
    assert errors == []

    # Cường's "Không hài lòng" with its reason is in the appendix of comments, after the signatures.
    expect(desk.locator("#comments-title")).to_have_text("PHỤ LỤC: GÓP Ý VÀ ĐÁNH GIÁ KHÔNG HÀI LÒNG CỦA CÔNG DÂN")
    expect(desk.locator("#comments-table tbody tr td").nth(7)).to_have_text("Thời gian chờ lâu")

    # Printed, the document is A4: a portrait page, the landscape page of the wide wait table, then the appendix.
    pdf = desk.pdf(prefer_css_page_size=True)
    sizes = [(round(float(w) * 25.4 / 72), round(float(h) * 25.4 / 72))
             for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]
    assert sizes == [(210, 297), (297, 210), (297, 210)], sizes


def test_print_page_needs_a_supervisor(server, desk):
    desk.goto(f"{server.url}/admin/reports/print?period=day")
    expect(desk.locator("body")).to_have_attribute("data-state", "error")
    expect(desk.locator("#status")).to_contain_text("Chỉ lãnh đạo, giám sát và quản trị viên được in báo cáo.")
    expect(desk.locator("#status a")).to_have_attribute("href", re.compile(r"/admin/reports\?period=day"))


def test_a_range_ending_before_it_starts_shows_the_server_message(server, desk):
    sign_in(desk, server)
    report_ready(desk)
    desk.select_option("#period", "custom")
    expect(desk.locator("#from")).to_be_visible()
    expect(desk.locator("#date")).to_be_hidden()
    desk.fill("#from", "2026-11-20")
    desk.fill("#to", "2026-11-10")
    desk.click("#submit")
    expect(desk.locator("body")).to_have_attribute("data-report-state", "error")
    expect(desk.locator("#message")).to_have_text(
        "Ngày không hợp lệ (định dạng YYYY-MM-DD; ngày cuối không trước ngày đầu).")
    expect(desk.locator("#empty")).to_be_visible()  # never a blank screen
    expect(desk.locator("#export-xlsx")).to_have_attribute("aria-disabled", "true")

    # A good range afterwards clears the message.
    desk.fill("#to", "2026-11-30")
    desk.click("#submit")
    report_ready(desk)
    expect(desk.locator("#message")).to_be_hidden()
    expect(desk.locator("#period-title")).to_have_text("Từ ngày 20/11/2026 đến ngày 30/11/2026")


def percents(cells) -> list[float]:
    """The percentage cells of a table row ("66,67%") as numbers."""
    return [float(text.rstrip("%").replace(",", ".")) for text in cells if text.endswith("%")]


def test_two_decimals_are_kept_in_the_url_and_add_up_to_100(server, desk):
    sign_in(desk, server, query="?period=day&precision=2")
    report_ready(desk)
    expect(desk.locator("#precision")).to_have_value("2")
    rows = desk.locator("#rating-table tbody tr")
    expect(rows.nth(0).locator("td")).to_have_text(
        ["1", "Sở Tư pháp", "Nguyễn Văn An", "3", "2", "66,67%", "1", "33,33%", "0", "0,00%"])
    expect(desk.locator("#rating-table tfoot td")).to_have_text(
        ["Tổng cộng", "4", "2", "50,00%", "1", "25,00%", "1", "25,00%"])
    for row in [*rows.all(), desk.locator("#rating-table tfoot tr")]:
        assert sum(percents(row.locator("td").all_text_contents())) == pytest.approx(100, abs=1e-9)
    # The 766 rate at two decimals too: (5 served − 1 dissatisfied) ÷ 5.
    expect(desk.locator("#wait-table tfoot td").nth(-2)).to_have_text(re.compile(r"^\d+,\d\d%$"))
    assert "precision=2" in desk.url
    for link in ("#export-xlsx", "#export-csv-wait", "#export-csv-rating", "#export-csv-comments", "#print-link"):
        assert "precision=2" in desk.locator(link).get_attribute("href"), link
    assert "table=comments" in desk.locator("#export-csv-comments").get_attribute("href")

    # Back to one decimal through the form: the URL follows.
    desk.select_option("#precision", "1")
    desk.click("#submit")
    report_ready(desk)
    expect(desk.locator("#rating-table tfoot td").nth(3)).to_have_text("50,0%")
    assert "precision=1" in desk.url


def test_a_five_level_center_shows_its_levels_and_the_official_conversion(five_server, desk):
    errors = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(desk, five_server)
    report_ready(desk)
    levels = ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"]
    expect(desk.locator("#rating-table th.level-head")).to_have_text(levels)
    expect(desk.locator("#rating-table tfoot td")).to_have_text(
        ["Tổng cộng", "5", "1", "20,0%", "1", "20,0%", "1", "20,0%", "1", "20,0%", "1", "20,0%"])
    expect(desk.locator("#official-section")).to_be_visible()
    expect(desk.locator("#official-title")).to_have_text("Quy đổi sang 3 mức chính thức")
    expect(desk.locator("#official-table th.level-head")).to_have_text(["Rất hài lòng", "Hài lòng", "Không hài lòng"])
    expect(desk.locator("#official-table tfoot td")).to_have_text(
        ["Tổng cộng", "5", "1", "20,0%", "2", "40,0%", "2", "40,0%"])
    expect(desk.locator("#export-csv-rating-official")).to_be_visible()
    assert "table=rating_official" in desk.locator("#export-csv-rating-official").get_attribute("href")
    # The charts stack the five levels.
    assert desk.evaluate("() => window.hangdoiCharts.departments.data.datasets.map((d) => d.label)") == levels

    # The print page: the same five columns, and the official table under them.
    desk.goto(five_server.url + desk.locator("#print-link").get_attribute("href").replace("auto=1", "auto=0"))
    expect(desk.locator("body")).to_have_attribute("data-state", "ready")
    expect(desk.locator("#rating-table th.level-head")).to_have_text(levels)
    expect(desk.locator("#official-title")).to_have_text("Quy đổi sang 3 mức chính thức")
    expect(desk.locator("#official-table tfoot td")).to_have_text(
        ["Tổng cộng", "5", "1", "20,0%", "2", "40,0%", "2", "40,0%"])
    assert errors == []


def test_comments_are_shown_as_text(five_server, desk):
    sign_in(desk, five_server)
    report_ready(desk)
    table = desk.locator("#comments-table table")
    expect(table.locator("thead th")).to_have_text(
        ["Ngày", "Giờ", "Số", "Lĩnh vực", "Quầy", "Công chức", "Mức đánh giá", "Lý do", "Góp ý"])
    row = table.locator("tbody tr").filter(has_text="Rất không hài lòng")
    expect(row.locator("td").nth(7)).to_have_text("Thời gian chờ lâu")
    expect(row.locator("td").nth(8)).to_have_text(HOSTILE_COMMENT)  # the markup itself, as text
    expect(row.locator("td").nth(5)).to_have_text("Nguyễn Văn An")
    assert desk.locator("#comments-table img, #comments-table b").count() == 0
    assert desk.evaluate("() => window.hacked") is None

    desk.goto(five_server.url + desk.locator("#print-link").get_attribute("href").replace("auto=1", "auto=0"))
    expect(desk.locator("body")).to_have_attribute("data-state", "ready")
    expect(desk.locator("#comments-table td.col-comment")).to_contain_text([HOSTILE_COMMENT])
    assert desk.locator("#comments-table img").count() == 0
    assert desk.evaluate("() => window.hacked") is None


@pytest.mark.parametrize("query, heading", [
    ("?period=quarter&date=2026-11-23", "Quý IV/2026 (Từ ngày 01/10/2026 đến ngày 31/12/2026)"),
    ("?period=half&date=2026-11-23", "6 tháng cuối năm 2026 (Từ ngày 01/07/2026 đến ngày 31/12/2026)"),
    ("?period=reporting_year&date=2026-11-23", "Năm 2026 (số liệu tính từ ngày 15/12/2025 đến ngày 14/12/2026)"),
])
def test_periods_are_named_as_official_documents_name_them(server, desk, query, heading):
    sign_in(desk, server, query=query)
    report_ready(desk)
    expect(desk.locator("#period-title")).to_have_text(heading)
