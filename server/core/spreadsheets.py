"""Tables as files for spreadsheets: CSV in the two dialects we write, and cells that never run as formulas.

`vi` (the default) opens in Excel with Vietnamese regional settings: UTF-8 with a BOM, `;` between fields, a decimal
comma. `plain` is RFC 4180 for programs: comma, decimal point, CRLF, no BOM.
"""

from __future__ import annotations

import csv
import io
import re

DIALECTS = ("vi", "plain")
# Characters a worksheet cannot hold (XML 1.0 forbids them; openpyxl refuses the whole cell): control characters
# other than tab and line breaks, which a citizen's comment or a tablet's name may carry.
_NOT_IN_WORKSHEETS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_bytes(rows: list[list], dialect: str = "vi") -> bytes:
    """Rows as CSV in a dialect; yes/no is 'Có'/'Không', nothing is an empty field."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dialect == "vi" else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_field(value, dialect) for value in row])
    text = out.getvalue()
    return ("\ufeff" + text).encode("utf-8") if dialect == "vi" else text.encode("utf-8")


def csv_field(value, dialect: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if dialect == "vi" else text
    if isinstance(value, str):
        return inert(value)
    return str(value)


def inert(text: str) -> str:
    """Text that starts like a formula (a citizen's comment) is shown, never run, by the spreadsheet that opens it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def cell_value(value):
    """A value a worksheet can hold: text without the control characters XML forbids (they are dropped)."""
    return _NOT_IN_WORKSHEETS.sub("", value) if isinstance(value, str) else value


def keep_as_text(cell):
    """An openpyxl cell holding text that starts with '=' stays text (openpyxl would store it as a formula)."""
    if cell.data_type == "f":
        cell.data_type = "s"
