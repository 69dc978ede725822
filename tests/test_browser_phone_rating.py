"""The citizen rates from the phone page once served, when the tablet got no rating; it shows live."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

from tests.officer import Officer, issue
from tests.test_browser_tablet import strict_server  # noqa: F401 (the fixture: a center with reason_required)

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def officer(live_server):
    an = Officer(live_server.url, live_server.database, live_server.center, "an")
    an.sign_in(1)
    yield an
    an.close()


def serve(officer):
    for action in ("call_next", "start", "finish"):
        assert officer.act(action)["ok"]


def stored(live_server):
    conn = sqlite3.connect(f"file:{live_server.database}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT level_name, reasons, comment, channel FROM ratings").fetchall()
    finally:
        conn.close()


def test_phone_rates_dissatisfied_with_reasons(live_server, page, officer):
    ticket = issue(live_server.url, "ly-lich")
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(page.locator("#label")).to_have_text("A001")
    expect(page.locator("#rate")).to_be_hidden()  # nothing to rate while waiting
    serve(officer)
    expect(page.locator("#rate")).to_be_visible()  # live, no reload
    page.get_by_role("button", name="Không hài lòng").click()
    page.get_by_label("Thời gian chờ lâu").check()
    page.locator("#rate-comment").fill("Chờ <b>lâu</b>")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#rated")).to_have_text("Ông/Bà đã đánh giá: Không hài lòng. Trân trọng cảm ơn Ông/Bà!")
    expect(page.locator("#rate")).to_be_hidden()
    assert stored(live_server) == [("Không hài lòng", '["Thời gian chờ lâu"]', "Chờ <b>lâu</b>", "phone")]


def test_a_tablet_rating_closes_the_phone_rating(live_server, page, officer):
    ticket = issue(live_server.url, "ly-lich")
    serve(officer)
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(page.locator("#rate")).to_be_visible()
    reply = officer.client.call("rate", {"client_id": "tablet-1-phone", "counter": 1, "label": "A001", "level": 1})
    assert reply["ok"]
    expect(page.locator("#rated")).to_have_text("Ông/Bà đã đánh giá: Rất hài lòng. Trân trọng cảm ơn Ông/Bà!")
    expect(page.locator("#rate")).to_be_hidden()


def test_phone_asks_for_a_reason_when_the_center_requires_one(strict_server, page):
    an = Officer(strict_server.url, strict_server.database, strict_server.center, "an").start_password()
    an.sign_in(1)
    try:
        ticket = issue(strict_server.url, "ly-lich")
        serve(an)
        page.goto(f"{strict_server.url}/t/{ticket['token']}")
        page.get_by_role("button", name="Không hài lòng").click()
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator("#rate-error")).to_have_text("Ông/Bà vui lòng chọn ít nhất một lý do chưa hài lòng.")
        assert stored(strict_server) == []
        page.get_by_label("Thời gian chờ lâu").check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator("#rated")).to_have_text("Ông/Bà đã đánh giá: Không hài lòng. Trân trọng cảm ơn Ông/Bà!")
        assert stored(strict_server) == [("Không hài lòng", '["Thời gian chờ lâu"]', None, "phone")]
    finally:
        an.close()
