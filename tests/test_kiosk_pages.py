"""Citizens' small pages: a tablet address of a counter the center does not have, and where an error page's
"Về trang đầu" leads (server/web/pages.py, server/web/errors.py)."""

from __future__ import annotations

import re

import pytest


def test_a_tablet_of_a_counter_the_center_does_not_have_says_so(client):
    answer = client.get("/tablet/999")
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert "Không có quầy số 999 trong trung tâm." in text
    assert "ghép nối" not in text and "tablet.js" not in text  # no pairing instructions, no tablet screen
    assert "Về trang đầu" not in text  # an unattended tablet has no start page to go back to
    assert "&lt;số quầy&gt;" in text  # the page's words are text, not markup
    tablet = client.get("/tablet/5")  # the small center's counters: 1, 2, 3, 5
    assert tablet.status_code == 200 and "tablet.js" in tablet.get_data(as_text=True)
    tablet.close()
    assert client.get("/tablet/4").status_code == 404


@pytest.mark.parametrize("path, home", [
    ("/kiosk/nothing/here", "/kiosk"), ("/checkin/x", "/kiosk"), ("/t/a/b", "/hen"), ("/hen/a/b", "/hen"),
    ("/no-such-page", "/"), ("/admin/nothing", "/"),
])
def test_an_error_page_leads_a_citizen_back_to_their_own_start(client, path, home):
    answer = client.get(path)
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert "Không tìm thấy trang hoặc dữ liệu yêu cầu." in text
    assert re.search(r"<a href=([^>]+)>Về trang đầu</a>", text).group(1) == home


def test_the_printed_ticket_names_the_department():
    import io

    from PIL import Image

    from server.core.center import load_center
    from server.core.ticket_print import render_ticket_png, ticket_lines
    from tests.live import SMALL_CENTER

    center = load_center(SMALL_CENTER)
    ticket = {"label": "B001", "service_name": "Hộ tịch", "department_name": "Sở Tư pháp", "counters": [1, 2],
              "issued_at": 1_780_000_000, "ahead": 0, "estimated_wait_minutes": 0}
    assert ticket_lines(center, ticket)["department"] == "Sở Tư pháp"

    def height(department):
        png = render_ticket_png(center, {**ticket, "department_name": department}, "http://127.0.0.1/t/x")
        return Image.open(io.BytesIO(png)).height

    assert height("Sở Tư pháp") > height("")  # one more line on the paper: the department's
