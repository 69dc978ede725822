"""The printed ticket: its wording, and the PNG the server renders for reprints and image printers.

The kiosk's print page and the PNG share `ticket_lines`, so the two never say different things.
"""

from __future__ import annotations

import io
import textwrap
from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from .center import Center
from .vietnamese import format_clock, wait_phrase

# 80 mm paper at 203 dpi prints 72 mm: 576 dots.
DPI = 203
PAPER_DOTS = 576
MARGIN = 16
# The number is printed at least 20 mm high (its letters' and digits' ink, at the printer's dots), so that a citizen
# with low vision reads it without glasses: 21 mm aimed at, a margin for the printer's own rounding.
LABEL_MIN_MM = 20
LABEL_DOTS = round(21 * DPI / 25.4)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


def booked_line(booked: dict | None) -> str:
    """The booked time of a booked citizen's ticket (`booked`: {"slot_start", "late"}), "" for any other ticket."""
    if not booked:
        return ""
    if booked["late"]:
        return f"Giờ hẹn: {booked['slot_start']} (đến muộn, xếp như khách đến trực tiếp)"
    return f"Giờ hẹn: {booked['slot_start']} (ưu tiên theo lịch hẹn)"


def ticket_lines(center: Center, ticket: dict) -> dict:
    """Everything the ticket says, already worded in Vietnamese."""
    counters = ", ".join(f"{n:02d}" for n in ticket["counters"])
    lines = {
        "center_name": center.name.upper(),
        "title": "PHIẾU SỐ THỨ TỰ",
        "label": ticket["label"],
        "service": f"Lĩnh vực: {ticket['service_name']}",
        "department": ticket["department_name"],
        "counters": f"Quầy phục vụ: {counters}",
        "priority": f"Ưu tiên: {ticket['priority_name']}" if ticket.get("priority_name") else "",
        "booked": booked_line(ticket.get("booked")),
        "ahead": "",
        "wait": "",
        "issued": f"Lấy số lúc: {format_clock(center.local(ticket['issued_at']))}",
        "scan": "Quét mã QR để theo dõi lượt gọi",
        "footer": ["Vui lòng chú ý màn hình và loa gọi số", "Phiếu chỉ có giá trị trong ngày", "Trân trọng cảm ơn!"],
    }
    if ticket.get("ahead") is not None:
        lines["ahead"] = f"Số người đang chờ trước Ông/Bà: {ticket['ahead']}"
        lines["wait"] = f"Thời gian chờ dự kiến: {wait_phrase(ticket['estimated_wait_minutes'], ticket['ahead'])}"
    return lines


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        path = Path(candidate.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if bold else candidate)
        if path.exists():
            return ImageFont.truetype(str(path), size)
    raise RuntimeError("Không tìm thấy phông chữ DejaVu Sans (Debian: fonts-dejavu-core) để in phiếu.")


def qr_image(url: str, box_size: int = 6) -> Image.Image:
    """A QR code for the ticket's follow page."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def qr_svg(url: str) -> bytes:
    """The same QR code as SVG, for the print page."""
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return image.to_string()


def label_image(label: str) -> Image.Image:
    """The ticket number as black ink on white, exactly LABEL_DOTS high; a number too wide for the paper at that
    height is narrowed (drawn taller than wide, like a condensed face) rather than made smaller."""
    font = _font(240, True)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), label, font=font)
    ink = Image.new("L", (right - left, bottom - top), 255)
    ImageDraw.Draw(ink).text((-left, -top), label, font=font, fill=0)
    width = round(ink.width * LABEL_DOTS / ink.height)
    return ink.resize((min(width, PAPER_DOTS - 2 * MARGIN), LABEL_DOTS), Image.LANCZOS)


def render_ticket_png(center: Center, ticket: dict, follow_url: str) -> bytes:
    """The ticket as a 576-dot-wide black-and-white PNG."""
    lines = ticket_lines(center, ticket)
    blocks = []  # (text, font, gap after)
    for part in textwrap.wrap(lines["center_name"], 34):
        blocks.append((part, _font(22, True), 2))
    blocks += [("", _font(10), 8), (lines["title"], _font(34, True), 12)]
    number_at = len(blocks)  # the number is pasted here, as an image of its own height
    number = label_image(lines["label"])
    for key in ("department", "service", "counters", "priority", "booked", "ahead", "wait", "issued"):  # the Sở first
        for part in textwrap.wrap(lines[key], 38):
            blocks.append((part, _font(24), 6))
    qr = qr_image(follow_url)
    footer = [(lines["scan"], _font(22), 4)] + [(text, _font(20), 4) for text in lines["footer"]]

    probe = ImageDraw.Draw(Image.new("L", (1, 1)))

    def height(text, font):
        box = probe.textbbox((0, 0), text or " ", font=font)
        return box[3] - box[1]

    total = MARGIN * 2 + sum(height(t, f) + gap + 8 for t, f, gap in blocks + footer) + qr.height + 16
    total += number.height + 18
    image = Image.new("L", (PAPER_DOTS, total), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN

    def centered(text, font, gap):
        nonlocal y
        if text:
            box = draw.textbbox((0, 0), text, font=font)
            draw.text(((PAPER_DOTS - (box[2] - box[0])) / 2 - box[0], y - box[1]), text, font=font, fill=0)
        y += height(text, font) + gap + 8

    for i, block in enumerate(blocks):
        if i == number_at:
            image.paste(number, ((PAPER_DOTS - number.width) // 2, y))
            y += number.height + 18
        centered(*block)
    image.paste(qr, ((PAPER_DOTS - qr.width) // 2, y + 8))
    y += qr.height + 16
    for block in footer:
        centered(*block)
    out = io.BytesIO()
    image.convert("1").save(out, format="PNG", optimize=True)
    return out.getvalue()
