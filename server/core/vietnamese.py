"""Vietnamese formats: numbers (1.545), percentages (95,3%), dates and the wording of waits."""

from __future__ import annotations

import datetime as dt
import re


def format_number(value: int) -> str:
    """Thousands separated by dots: 1545 → '1.545'."""
    return f"{value:,}".replace(",", ".")


def format_decimal(value: float, places: int = 1) -> str:
    """A decimal comma: 95.25 → '95,3' (thousands dotted)."""
    whole = f"{value:,.{places}f}"
    return whole.replace(",", "_").replace(".", ",").replace("_", ".")


def format_percent(value: float, places: int = 1) -> str:
    """95.3 → '95,3%'."""
    return f"{format_decimal(value, places)}%"


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: "²" passes str.isdigit


def parse_day(text) -> dt.date | None:
    """A calendar day as the API exchanges it, exactly YYYY-MM-DD (Python's fromisoformat would also take
    20261123 or a week date), or None."""
    if not isinstance(text, str) or not ISO_DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def roman(number: int) -> str:
    """1–3999 in Roman numerals, as official documents number quarters: 4 → 'IV'."""
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += letters * count
    return out


def format_date_long(day: dt.date) -> str:
    """'ngày 21 tháng 11 năm 2025', as in report headers."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def format_date(day: dt.date) -> str:
    """'21/11/2025', as in tables."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def format_clock(moment: dt.datetime) -> str:
    """'08:15 ngày 21/11/2025'."""
    return f"{moment.hour:02d}:{moment.minute:02d} ngày {format_date(moment)}"


def wait_phrase(minutes: int | None, ahead: int | None) -> str:
    """How a ticket words its estimated wait."""
    if minutes is None:
        return ""
    if ahead == 0 or minutes <= 1:
        return "Sắp đến lượt"
    return f"khoảng {minutes} phút"
