"""Report files: Excel workbooks in the official layout and CSV, written from a report bundle.

A bundle is {"rating": the report by department and officer, "wait": the report in the chosen grouping,
"comments": period_comments(...) (optional)}. Percentages keep the report's precision; texts a citizen wrote are
inert cells (spreadsheets.inert / keep_as_text), never formulas. openpyxl is imported by the functions that write a
workbook, not here: it costs ~70 ms at every server start, and most starts never write one.
"""

from __future__ import annotations

import io

from .appointments_report import channel_figures, had_appointments
from .center import OFFICIAL_LEVELS
from .spreadsheets import cell_value, csv_bytes, keep_as_text
from .vietnamese import format_number

RATING_TITLE = "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG"
OFFICIAL_TITLE = "KẾT QUẢ ĐÁNH GIÁ QUY ĐỔI SANG 3 MỨC CHÍNH THỨC"
WAIT_TITLE = "BÁO CÁO TÌNH HÌNH LẤY SỐ VÀ THỜI GIAN CHỜ"
COMMENTS_TITLE = "GÓP Ý, PHẢN ÁNH CỦA NGƯỜI DÂN"
CHANNELS_TITLE = "LẤY SỐ THEO KÊNH VÀ LỊCH HẸN"
QUESTION = ("Ông/Bà đánh giá như thế nào về thái độ công chức khi tiếp nhận và hướng dẫn giải quyết hồ sơ?")
CSV_TABLES = ("wait", "rating", "rating_official", "comments", "channels")


def rating_table(report: dict, official: bool = False) -> tuple[list[str], list[list]]:
    """The rating table: Đơn vị / Công chức / Tổng số phiếu / each level's count and %.

    In the configured levels (three or five), or with `official` in the three official levels of the mapping.
    """
    key = "official_ratings" if official else "ratings"
    names = OFFICIAL_LEVELS if official else [level["name"] for level in report["total"]["ratings"]["levels"]]
    header = ["STT", "Đơn vị", "Công chức tiếp nhận", "Tổng số phiếu"]
    for name in names:
        header += [f"{name} (Số phiếu)", f"{name} (Tỷ lệ %)"]

    def line(index, department, name, ratings):
        values = [index, department, name, ratings["total"]]
        for level in ratings["levels"]:
            values += [level["count"], level["percent"]]
        return values

    rows = [line(i, row.get("department", ""), row["name"], row[key]) for i, row in enumerate(report["rows"], 1)]
    rows.append(line("", "Tổng cộng", "", report["total"][key]))
    return header, rows


def wait_table(report: dict) -> tuple[list[str], list[list]]:
    """Numbers issued and served, and the wait and service times of each row, in minutes."""
    header = ["STT", "Đơn vị / Lĩnh vực", "Số lượt lấy số", "Số lượt đã phục vụ", "Số lượt vắng mặt",
              "Số lượt chuyển quầy", "Số lượt hủy", "Thời gian chờ trung bình (phút)", "Trung vị (phút)",
              "P90 (phút)", "Thời gian chờ dài nhất (phút)", "Thời gian phục vụ trung bình (phút)",
              "Trung vị thời gian phục vụ (phút)", "Tỷ lệ chờ trong thời gian quy định (%)",
              "Số lượt chờ quá thời gian quy định", "Tỷ lệ hài lòng theo QĐ 766 (%)"]

    def line(label, index, r):
        return [index, label, r["issued"], r["served"], r["no_show"], r["transferred"], r["cancelled"],
                r["wait"]["mean"], r["wait"]["median"], r["wait"]["p90"], r["wait"]["max"], r["service"]["mean"],
                r["service"]["median"], r["service_level"], r["over_target"], r["satisfaction_766"]]

    rows = [line(r["name"], i, r) for i, r in enumerate(report["rows"], 1)]
    rows.append(line("Tổng cộng", "", report["total"]))
    return header, rows


def comments_table(comments: dict) -> tuple[list[str], list[list]]:
    """Every comment and every complaint's reasons of the period (comments.period_comments)."""
    header = ["STT", "Ngày", "Giờ", "Số thứ tự", "Lĩnh vực", "Quầy", "Công chức", "Mức đánh giá", "Lý do", "Góp ý",
              "Gửi khi hết thời gian chờ"]
    rows = [[i, c["date"], c["time"], c["label"], c["service"], c["counter"], c["officer"], c["level"],
             "; ".join(c["reasons"]), c["comment"] or "", "Có" if c["sent_on_timeout"] else ""]
            for i, c in enumerate(comments["comments"], 1)]
    return header, rows


def channels_table(report: dict) -> tuple[list[str], list[list]]:
    """Numbers issued per channel and the period's bookings and remote numbers (appointments_report.channel_figures);
    "–" for a rate with nothing to divide by."""
    header = ["STT", "Chỉ tiêu", "Giá trị"]
    return header, [[i, label, "–" if value is None else value]
                    for i, (label, value) in enumerate(channel_figures(report), 1)]


def to_csv(report: dict, table: str = "wait", dialect: str = "vi", comments: dict | None = None) -> bytes:
    """One table as CSV, headed by the center and the period (the Vietnamese Excel dialect by default)."""
    if table == "comments":
        header, rows = comments_table(comments or {"comments": []})
    elif table == "rating_official":
        if report["total"]["official_ratings"] is None:
            raise ValueError("this center has no official mapping of its rating scale")
        header, rows = rating_table(report, official=True)
    elif table == "rating":
        header, rows = rating_table(report)
    elif table == "wait":
        header, rows = wait_table(report)
    elif table == "channels":
        header, rows = channels_table(report)
    else:
        raise ValueError(f"unknown table {table!r}")
    return csv_bytes([[report["center"]], [report["period"]["title"]], header, *rows], dialect)


def to_xlsx(bundle: dict) -> bytes:
    """A workbook: the summary, the rating table (configured levels), the official three-level table when the
    scale is mapped to it and is not itself the official one, the wait-time table, the channels and bookings
    table when the period had bookings or remote numbers, and the comments."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    book = Workbook()
    summary = book.active
    summary.title = "Tổng hợp"
    wait_report, rating_report = bundle["wait"], bundle["rating"]
    places = wait_report["precision"]
    _heading(summary, wait_report["center"], "TỔNG HỢP KẾT QUẢ", wait_report["period"]["title"], 1)
    summary.cell(row=5, column=1, value=wait_report["summary"]).alignment = Alignment(wrap_text=True, vertical="top")
    summary.column_dimensions["A"].width = 120
    summary.row_dimensions[5].height = 90
    lines = []
    site = wait_report.get("site")
    if site:
        lines.append(f"Đơn vị: {site['name']} (mã {site['code']}, {site['level_name'].lower()}"
                     + (f", {site['district']}" if site["district"] else "") + ")")
    if wait_report.get("peak_hour"):
        lines.append(f"Khung giờ cao điểm: {wait_report['peak_hour']}")
    feedback = wait_report.get("feedback")
    if feedback:
        lines.append(f"Phản ánh, góp ý trong kỳ: {format_number(feedback['opened'])}; đã xử lý "
                     f"{format_number(feedback['handled'])}; còn mở {format_number(feedback['open'])}"
                     + (f"; thời gian xử lý trung vị {feedback['median_handle_minutes']} phút"
                        if feedback.get("median_handle_minutes") is not None else ""))
    keep_as_text(summary.cell(row=5, column=1))
    for offset, text in enumerate(lines):
        keep_as_text(summary.cell(row=7 + offset, column=1, value=text))

    sheet = book.create_sheet("Đánh giá hài lòng")
    header, rows = rating_table(rating_report)
    _heading(sheet, rating_report["center"], RATING_TITLE, rating_report["period"]["title"], len(header))
    sheet.cell(row=4, column=1, value=f"Câu hỏi: {QUESTION}")
    _table(sheet, 6, header, rows, places)

    if rating_report["total"]["official_ratings"] is not None \
            and len(rating_report["scale"]["levels"]) != len(OFFICIAL_LEVELS):
        sheet = book.create_sheet("Quy đổi 3 mức")
        header, rows = rating_table(rating_report, official=True)
        _heading(sheet, rating_report["center"], OFFICIAL_TITLE, rating_report["period"]["title"], len(header))
        _table(sheet, 6, header, rows, places)

    sheet = book.create_sheet("Thời gian chờ")
    header, rows = wait_table(wait_report)
    _heading(sheet, wait_report["center"], WAIT_TITLE, wait_report["period"]["title"], len(header))
    _table(sheet, 6, header, rows, places, percent_columns={14, 16})

    if had_appointments(wait_report):
        sheet = book.create_sheet("Kênh lấy số, lịch hẹn")
        header, rows = channels_table(wait_report)
        _heading(sheet, wait_report["center"], CHANNELS_TITLE, wait_report["period"]["title"], len(header))
        _table(sheet, 6, header, rows, places, percent_columns={3})  # its floats are the two rates
        sheet.column_dimensions["B"].width = 50

    if bundle.get("comments") is not None:
        sheet = book.create_sheet("Góp ý, phản ánh")
        header, rows = comments_table(bundle["comments"])
        _heading(sheet, wait_report["center"], COMMENTS_TITLE, wait_report["period"]["title"], len(header))
        _list(sheet, 6, header, rows)
        for col, width in ((9, 40), (10, 60)):
            sheet.column_dimensions[get_column_letter(col)].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(sheet, center: str, title: str, period: str, width: int):
    from openpyxl.styles import Alignment, Font
    for row, text, bold in ((1, center.upper(), True), (2, title, True), (3, f"({period})", False)):
        cell = sheet.cell(row=row, column=1, value=text)
        keep_as_text(cell)  # the center's name is typed by an admin
        cell.font = Font(bold=bold, size=13 if row == 2 else 11)
        cell.alignment = Alignment(horizontal="center")
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _list(sheet, first_row: int, header: list[str], rows: list[list]):
    """A long list (every comment of a year): a bold header, then plain rows, three times faster than `_table`'s
    bordered cells; text stays text."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    for col, text in enumerate(header, 1):
        cell = sheet.cell(row=first_row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = 14
    for values in rows:
        sheet.append([cell_value(v) for v in values])
    for row in sheet.iter_rows(min_row=first_row + 1):
        for cell in row:
            keep_as_text(cell)
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)


def _table(sheet, first_row: int, header: list[str], rows: list[list], places: int,
           percent_columns: set[int] | None = None):
    """A bordered table; percentages (columns named "Tỷ lệ", or `percent_columns`) at the report's precision."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    percent = percent_columns or {col for col, text in enumerate(header, 1) if "Tỷ lệ" in text}
    for col, text in enumerate(header, 1):
        cell = sheet.cell(row=first_row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
        sheet.column_dimensions[get_column_letter(col)].width = 30 if col in (2, 3) else 14
    sheet.row_dimensions[first_row].height = 45
    for r, values in enumerate(rows, first_row + 1):
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=r, column=col, value=cell_value(value))
            keep_as_text(cell)
            cell.border = border
            if isinstance(value, float):
                cell.number_format = "0." + "0" * (places if col in percent else 1)
        if values and values[1] == "Tổng cộng":
            for col in range(1, len(values) + 1):
                sheet.cell(row=r, column=col).font = Font(bold=True)
