"""A center that reports to the province's hub names itself ([site]) in its own reports: the report carries its
code, name, level and district, and the workbook's summary sheet says them, so a leader reading both sees the
same code the hub groups by. A center without [site] prints none."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from server.core.center import load_center
from server.core.exports import to_xlsx
from server.core.queue import Queue
from server.core.summaries import Summaries
from tests.live import SMALL_CENTER
from tests.test_reports import report, serve

SITE = """
[site]
code = "LSN-H03"
name = "Bộ phận Một cửa huyện Cao Lộc"
level = "huyen"
district = "Huyện Cao Lộc"
"""


def day_report(tmp_path, store, clock, extra: str) -> dict:
    path = tmp_path / "center.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + extra, encoding="utf-8")
    center = load_center(path)
    serve(Queue(center, store, clock), clock)
    conn = store.worker_connection()
    try:
        return report(Summaries(conn, center, clock), center, "day", dt.date(2026, 11, 23))
    finally:
        conn.close()


def summary_lines(wait_report: dict) -> list[str]:
    book = load_workbook(io.BytesIO(to_xlsx({"wait": wait_report, "rating": wait_report})))
    return [row[0] for row in book["Tổng hợp"].iter_rows(min_row=7, values_only=True) if row[0]]


def test_a_site_names_itself_in_its_reports(tmp_path, store, clock):
    r = day_report(tmp_path, store, clock, SITE)
    assert r["site"] == {"code": "LSN-H03", "name": "Bộ phận Một cửa huyện Cao Lộc", "level": "huyen",
                         "level_name": "Cấp huyện", "district": "Huyện Cao Lộc"}
    assert summary_lines(r)[0] == "Đơn vị: Bộ phận Một cửa huyện Cao Lộc (mã LSN-H03, cấp huyện, Huyện Cao Lộc)"


def test_a_center_without_a_site_prints_none(tmp_path, store, clock):
    r = day_report(tmp_path, store, clock, "")
    assert "site" not in r
    assert not any(line.startswith("Đơn vị:") for line in summary_lines(r))
