"""The feedback inbox in Debian's chromium against the real server: a "Không hài lòng" appears live on /admin/live,
is still there after a page reload and after a server restart, is taken in hand and closed with a note on
/admin/feedback (the live page follows each change), and the day's report counts it as handled."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.csrf import browser_token
from tests.officer import PASSWORD, Officer, issue
from tests.test_browser_overview import officers  # noqa: F401 (a fixture: the supervisor giamsat and the officer an)

pytestmark = [pytest.mark.browser, pytest.mark.live]

REASON = "Thời gian chờ lâu"
COMMENT = "Chờ gần một tiếng mà <b>không</b> ai hướng dẫn"


def complain(url: str, an: Officer) -> str:
    """A ticket served at counter 1 and rated "Không hài lòng" on the citizen's phone; returns its label."""
    ticket = issue(url, "ly-lich")
    for action in ("call_next", "start", "finish"):
        assert an.act(action)["ok"]
    response = requests.post(f"{url}/api/tickets/{ticket['token']}/rating", timeout=10,
                             json={"level": 3, "reasons": [REASON], "comment": COMMENT})
    assert response.status_code == 201, response.text
    return ticket["label"]


def test_a_complaint_is_kept_handled_and_reported(live_server, officers, browser):
    _, an = officers
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    try:
        live = context.new_page()
        live.goto(f"{live_server.url}/admin/live")
        live.fill("#username", "giamsat")
        live.fill("#password", PASSWORD)
        live.click("#signin-submit")
        expect(live.locator("#user-name")).to_have_text("Phạm Thị Giám Sát")
        expect(live.locator("#feedback-open")).to_have_text("Không có phản ánh chờ xử lý")
        expect(live.locator("#alerts-empty")).to_be_visible()

        an.sign_in(1)
        label = complain(live_server.url, an)
        alert = live.locator("#alerts .alert")
        expect(alert).to_have_count(1)  # live, while the page stays open
        expect(alert).to_have_class("alert alert-new")
        expect(alert.locator(".alert-ticket")).to_have_text(f"Số {label}")
        expect(alert.locator(".alert-officer")).to_have_text("Nguyễn Văn An")
        expect(alert.locator(".alert-reason")).to_have_text([REASON])
        expect(alert.locator(".alert-comment-text")).to_have_text(COMMENT)  # as text, never as markup
        expect(live.locator("#feedback-open")).to_have_text("1 phản ánh chưa xử lý xong")
        expect(live.locator("#alert-count")).to_have_text("1 chưa xem")

        live.reload()
        expect(alert).to_have_count(1)
        expect(alert.locator(".alert-ticket")).to_have_text(f"Số {label}")
        expect(alert.locator(".alert-state")).to_have_text("Mới")

        live_server.restart()
        expect(live.locator("#connection")).to_have_text("Trực tuyến", timeout=20000)
        expect(alert).to_have_count(1)
        live.reload()
        expect(alert).to_have_count(1)
        expect(alert.locator(".alert-comment-text")).to_have_text(COMMENT)

        # Taken in hand and closed on /admin/feedback, opened from the alert; the live page follows.
        inbox = context.new_page()
        inbox.goto(live_server.url + alert.locator(".alert-handle").get_attribute("href"))
        expect(inbox).to_have_url(re.compile(r"/admin/feedback\?item=\d+$"))
        dialog = inbox.locator("#item-dialog")
        expect(dialog).to_be_visible()
        expect(inbox.locator("#dialog-title")).to_have_text(f"Phản ánh số {label} — Quầy 01")
        expect(inbox.locator("#dialog-state")).to_have_text("Mới")
        expect(dialog.locator(".item-comment-text")).to_have_text(COMMENT)
        expect(inbox.locator("#history-empty")).to_be_visible()
        expect(inbox.locator("#reopen")).to_be_hidden()
        inbox.fill("#note", "Đã gọi điện cho công dân")
        inbox.click("#take")
        expect(inbox.locator("#dialog-state")).to_have_text("Đang xử lý")
        expect(inbox.locator("#take")).to_be_hidden()
        expect(inbox.locator("#history .history-note")).to_have_text(["Đã gọi điện cho công dân"])
        expect(alert).to_have_class("alert")  # no longer new, on the other page too
        expect(alert.locator(".alert-state")).to_have_text("Đang xử lý: Phạm Thị Giám Sát")

        inbox.click("#close")  # a note is required to close
        expect(inbox.locator("#action-error")).to_contain_text("Vui lòng ghi nội dung đã xử lý")
        expect(inbox.locator("#dialog-state")).to_have_text("Đang xử lý")
        inbox.fill("#note", "Đã trao đổi với công chức; công dân đồng ý với cách giải quyết")
        inbox.click("#close")
        expect(inbox.locator("#dialog-state")).to_have_text("Đã xử lý")
        expect(inbox.locator("#history .history-row .badge")).to_have_text(["Đang xử lý", "Đã xử lý"])
        expect(inbox.locator("#history .history-actor")).to_have_text(["Phạm Thị Giám Sát"] * 2)
        expect(inbox.locator("#reopen")).to_be_visible()
        inbox.click("#dialog-cancel")
        expect(dialog).to_be_hidden()
        expect(inbox).to_have_url(re.compile(r"/admin/feedback$"))

        expect(live.locator("#alerts .alert")).to_have_count(0)
        expect(live.locator("#feedback-open")).to_have_text("Không có phản ánh chờ xử lý")
        expect(inbox.locator("#items-empty")).to_be_visible()  # the default list: items not yet handled
        expect(inbox.locator("#open-count")).to_have_text("Không có phản ánh nào chờ xử lý.")
        inbox.select_option("#f-state", "done")
        expect(inbox).to_have_url(re.compile(r"\?state=done$"))
        item = inbox.locator("#items .item")
        expect(item).to_have_count(1)
        expect(item.locator(".badge")).to_have_text("Đã xử lý")
        expect(item.locator(".item-last")).to_contain_text("Đã xử lý: Phạm Thị Giám Sát")
        inbox.reload()  # the filter is in the address
        expect(item).to_have_count(1)

        # The day's report counts it as handled.
        report = context.request.get(f"{live_server.url}/api/reports?period=day&group_by=center").json()
        figures = report["feedback"]
        assert (figures["opened"], figures["dissatisfied"], figures["handled"], figures["open"]) == (1, 1, 1, 0)
        assert figures["median_handle_minutes"] is not None and figures["median_handle_minutes"] >= 0
        token = browser_token(context, live_server.url)
        again = context.request.post(f"{live_server.url}/api/feedback/{item.get_attribute('data-id')}/close",
                                     data={"note": "Lần nữa"}, headers=token)
        assert again.status == 409
    finally:
        context.close()
