"""The printed ticket's number is at least 20 mm high at the printer's 203 dpi: measured on the PNG the server
renders (GET /api/tickets/<token>/ticket.png), as the height of the tallest band of ink rows, which is the
number."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from server.core.ticket_print import DPI, LABEL_MIN_MM, PAPER_DOTS, render_ticket_png
from tests.ink import ink_bands


def millimetres(dots: int) -> float:
    return dots / DPI * 25.4


def number_band(png: bytes) -> tuple[int, int, int, int]:
    """The tallest band of a ticket whose QR code is shorter than its number."""
    image = Image.open(BytesIO(png))
    assert image.width == PAPER_DOTS
    return max(ink_bands(image), key=lambda band: band[1])


def test_the_number_on_a_served_ticket_is_20_mm_high(client):
    ticket = client.post("/api/tickets", json={"service_code": "ly-lich"}).get_json()
    with client.get(f"/api/tickets/{ticket['token']}/ticket.png") as response:
        assert response.status_code == 200
        png = response.data
    bands = ink_bands(Image.open(BytesIO(png)))
    # The number is the first band that tall, under the center's name and the title, above the ticket's lines
    # (the QR code further down may be as tall).
    tall = [i for i, band in enumerate(bands) if millimetres(band[1]) >= LABEL_MIN_MM]
    assert tall and tall[0] >= 2, bands
    top, height, left, right = bands[tall[0]]
    assert millimetres(height) >= LABEL_MIN_MM, millimetres(height)
    assert left > 0 and right < PAPER_DOTS - 1  # on the paper, nothing cut
    assert all(millimetres(band[1]) < 5 for band in bands[tall[0] + 1:tall[0] + 5])  # the ticket's lines follow


@pytest.mark.parametrize("label", ["A001", "B9", "AB1234", "WW8888", "D0000"])
def test_every_label_is_printed_at_least_20_mm_high_and_within_the_paper(center, label):
    ticket = {"label": label, "service_name": "Lý lịch tư pháp", "department_name": "Sở Tư pháp", "counters": [1, 2],
              "priority_name": None, "issued_at": 1_764_000_000, "ahead": 3, "estimated_wait_minutes": 15}
    top, height, left, right = number_band(render_ticket_png(center, ticket, "http://127.0.0.1/t/x"))
    assert LABEL_MIN_MM <= millimetres(height) <= LABEL_MIN_MM + 2, millimetres(height)
    assert left > 0 and right < PAPER_DOTS - 1
