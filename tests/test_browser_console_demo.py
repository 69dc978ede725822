"""The console over the demo center (16 departments, 26 services, 20-odd counters) at 1366×768 in Debian's
chromium: the transfer dialog stays on the screen, lists every department's services under its name and every
other counter (open ones first), and its search finds services typed without tone marks. Screenshots saved."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.officer import PASSWORD, Officer, issue
from tests.screenshots import save_screenshot
from tests.test_browser_overview_board import demo  # noqa: F401 — the demo center's server, as a fixture

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_transfer_dialog_of_a_provincial_center(demo, browser):
    lan, mai = (Officer(demo.url, demo.database, demo.center, name).start_password() for name in ("lan.nt", "mai.lt"))
    lan.set_password()
    mai.sign_in(4)  # one other counter open: it comes first
    center = requests.get(f"{demo.url}/api/center", timeout=10).json()
    counters = requests.get(f"{demo.url}/api/queue", timeout=10).json()["counters"]
    label = issue(demo.url, "giay-phep-lai-xe")["label"]

    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{demo.url}/counter")
    page.fill("#signin-username", "lan.nt")
    page.fill("#signin-password", PASSWORD)
    page.select_option("#signin-counter", "1")
    page.click("#signin-submit")
    expect(page.locator("#counter-status")).to_have_text("Đang làm việc")
    expect(page.locator("#department-warning")).to_be_hidden()  # Sở GTVT at a GTVT counter
    page.keyboard.press("Space")
    expect(page.locator("#current-label")).to_have_text(label)
    page.keyboard.press("t")
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()

    box = dialog.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1366, box
    listed = dialog.locator("#transfer-counters .choice")
    expect(listed).to_have_count(len(counters) - 1)
    assert listed.first.get_attribute("data-counter") == "4"
    groups = dialog.locator("#transfer-services .choice-group")
    assert groups.evaluate_all("gs => gs.map(g => g.dataset.department)") == [d["code"] for d in center["departments"]]
    save_screenshot(page, "console-1366-demo-transfer-dialog")

    page.keyboard.type("ho tich")
    shown = dialog.locator("#transfer-services .choice:visible")
    expect(shown).to_have_count(1)
    expect(shown.locator(".choice-title")).to_have_text("Hộ tịch, quốc tịch")
    save_screenshot(page, "console-1366-demo-transfer-search")
    context.close()
    lan.close()
    mai.close()
