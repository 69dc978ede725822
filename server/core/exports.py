"""Report files: Excel workbooks in the official layout and CSV, written from a report bundle."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .reports import OFFICIAL_LEVELS

RATING_TITLE = "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG"
WAIT_TITLE = "BÁO CÁO TÌNH HÌNH LẤY SỐ VÀ THỜI GIAN CHỜ"
QUESTION = ("Ông/Bà đánh giá như thế nào về thái độ công chức khi tiếp nhận và hướng dẫn giải quyết hồ sơ?")


def rating_table(report: dict) -> tuple[list[str], list[list]]:
    """The official rating table: Đơn vị / Công chức / Tổng số phiếu / each level's count and %."""
    header = ["STT", "Đơn vị", "Công chức tiếp nhận", "Tổng số phiếu"]
    for name in OFFICIAL_LEVELS:
        header += [f"{name} (Số phiếu)", f"{name} (Tỷ lệ %)"]
    rows = []
    for i, row in enumerate(report["rows"], 1):
        line = [i, row.get("department", ""), row["name"], row["ratings"]["total"]]
        for level in row["ratings"]["levels"]:
            line += [level["count"], level["percent"]]
        rows.append(line)
    total = report["total"]["ratings"]
    line = ["", "Tổng cộng", "", total["total"]]
    for level in total["levels"]:
        line += [level["count"], level["percent"]]
    rows.append(line)
    return header, rows


def wait_table(report: dict) -> tuple[list[str], list[list]]:
    """Numbers issued and served, and the wait and service times of each row, in minutes."""
    header = ["STT", "Đơn vị / Lĩnh vực", "Số lượt lấy số", "Số lượt đã phục vụ", "Số lượt vắng mặt",
              "Số lượt chuyển quầy", "Số lượt hủy", "Thời gian chờ trung bình (phút)", "Trung vị (phút)",
              "P90 (phút)", "Thời gian chờ dài nhất (phút)", "Thời gian phục vụ trung bình (phút)",
              "Tỷ lệ chờ trong thời gian quy định (%)", "Số lượt chờ quá thời gian quy định"]

    def line(label, index, r):
        return [index, label, r["issued"], r["served"], r["no_show"], r["transferred"], r["cancelled"],
                r["wait"]["mean"], r["wait"]["median"], r["wait"]["p90"], r["wait"]["max"], r["service"]["mean"],
                r["service_level"], r["over_target"]]

    rows = [line(r["name"], i, r) for i, r in enumerate(report["rows"], 1)]
    rows.append(line("Tổng cộng", "", report["total"]))
    return header, rows


def to_csv(report: dict, table: str = "wait") -> bytes:
    """One table as CSV (UTF-8 with BOM so Excel shows the diacritics)."""
    header, rows = rating_table(report) if table == "rating" else wait_table(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report["center"]])
    writer.writerow([report["period"]["title"]])
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(bundle: dict) -> bytes:
    """A workbook: the summary paragraph, the official rating table, and the wait-time table."""
    book = Workbook()
    summary = book.active
    summary.title = "Tổng hợp"
    wait_report, rating_report = bundle["wait"], bundle["rating"]
    _heading(summary, wait_report["center"], "TỔNG HỢP KẾT QUẢ", wait_report["period"]["title"], 1)
    summary.cell(row=5, column=1, value=wait_report["summary"]).alignment = Alignment(wrap_text=True, vertical="top")
    summary.column_dimensions["A"].width = 120
    summary.row_dimensions[5].height = 90
    if wait_report.get("peak_hour"):
        summary.cell(row=7, column=1, value=f"Khung giờ cao điểm: {wait_report['peak_hour']}")

    sheet = book.create_sheet("Đánh giá hài lòng")
    header, rows = rating_table(rating_report)
    _heading(sheet, rating_report["center"], RATING_TITLE, rating_report["period"]["title"], len(header))
    sheet.cell(row=4, column=1, value=f"Câu hỏi: {QUESTION}")
    _table(sheet, 6, header, rows)

    sheet = book.create_sheet("Thời gian chờ")
    header, rows = wait_table(wait_report)
    _heading(sheet, wait_report["center"], WAIT_TITLE, wait_report["period"]["title"], len(header))
    _table(sheet, 6, header, rows)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(sheet, center: str, title: str, period: str, width: int):
    for row, text, bold in ((1, center.upper(), True), (2, title, True), (3, f"({period})", False)):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = Font(bold=bold, size=13 if row == 2 else 11)
        cell.alignment = Alignment(horizontal="center")
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _table(sheet, first_row: int, header: list[str], rows: list[list]):
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, text in enumerate(header, 1):
        cell = sheet.cell(row=first_row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
        sheet.column_dimensions[get_column_letter(col)].width = 30 if col in (2, 3) else 14
    sheet.row_dimensions[first_row].height = 45
    for r, values in enumerate(rows, first_row + 1):
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.border = border
            if isinstance(value, float):
                cell.number_format = "0.0"
        if values and values[1] == "Tổng cộng":
            for col in range(1, len(values) + 1):
                sheet.cell(row=r, column=col).font = Font(bold=True)
