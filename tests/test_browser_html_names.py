"""Names with HTML in them (a department, a service, an officer; a citizen's comment) show as text on every
screen: nothing is parsed, nothing runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.live import SMALL_CENTER, LiveServer
from tests.officer import Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]

# If any of these were parsed as HTML, the image would fail to load and its handler would set window.pwned.
DEPARTMENT = 'Sở <img src=x onerror="window.pwned=1">Tư pháp'
SERVICE = 'Lý lịch <b onmouseover="window.pwned=1">tư pháp</b>'
OFFICER = 'Nguyễn <img src=y onerror="window.pwned=1">An'
COMMENT = 'Chờ <img src=z onerror="window.pwned=1">lâu'


@pytest.fixture
def server(tmp_path):
    text = SMALL_CENTER.read_text(encoding="utf-8")
    text = text.replace('name = "Sở Tư pháp"', f"name = '{DEPARTMENT}'")
    text = text.replace('name = "Lý lịch tư pháp"', f"name = '{SERVICE}'")
    text = text.replace('name = "Nguyễn Văn An"', f"name = '{OFFICER}'")
    center = tmp_path / "html.toml"
    center.write_text(text, encoding="utf-8")
    live = LiveServer(tmp_path / "html.db", center=center).start()
    yield live
    live.stop()


def no_markup(page, *texts):
    for text in texts:
        expect(page.locator("body")).to_contain_text(text)  # the markup is in the text, so it was not parsed
    assert page.locator("[onerror], [onmouseover], b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_html_in_names_and_comments_is_shown_as_text(server, browser):
    an = Officer(server.url, server.database, server.center, "an").start_password()
    supervisor = Officer(server.url, server.database, server.center, "giamsat")
    supervisor.set_password()
    an.sign_in(1)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    try:
        kiosk = context.new_page()
        kiosk.goto(f"{server.url}/kiosk")
        no_markup(kiosk, DEPARTMENT)
        kiosk.get_by_role("button", name=DEPARTMENT).click()
        no_markup(kiosk, SERVICE)

        live = context.new_page()
        live.goto(f"{server.url}/admin/live")
        live.fill("#username", "giamsat")
        live.fill("#password", supervisor.password)
        live.click("#signin-submit")
        expect(live.locator("#board")).to_be_visible()
        expect(live.locator("#admin-nav a")).to_have_text(["Giám sát", "Phản ánh", "Báo cáo"])  # no admin pages

        display = context.new_page()
        display.goto(f"{server.url}/display")
        tablet = context.new_page()
        tablet.goto(f"{server.url}/tablet/1")
        no_markup(tablet, OFFICER)

        ticket = issue(server.url, "ly-lich")
        assert an.act("call_next")["ok"]
        assert an.act("start")["ok"]
        no_markup(display, ticket["label"], SERVICE)   # the call's service, under the headline
        no_markup(live, OFFICER, SERVICE)
        assert an.act("finish")["ok"]
        tablet.get_by_role("button", name="Không hài lòng").click()
        tablet.locator(".reason").first.click()
        tablet.locator("#comment").fill(COMMENT)
        tablet.locator("#send").click()
        expect(live.locator("#alerts .alert")).to_have_count(1, timeout=10000)
        no_markup(live, COMMENT, OFFICER)
        no_markup(tablet)
    finally:
        context.close()
        an.close()
        supervisor.close()
