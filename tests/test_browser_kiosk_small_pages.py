"""Citizens' small pages in Debian's chromium: an error page leads back to the kiosk or the phone's page, never to
the staff's list of screens, and a tablet address of a counter the center does not have says so. Screenshots in
test-results/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.live import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.live]

SCREENSHOTS = ROOT / "test-results" / "screenshots"


def shot(page, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def sized(browser):
    contexts = []

    def open_page(width, height):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_the_kiosk_s_error_pages_lead_back_to_the_kiosk(shared_server, sized, size):
    page = sized(*size)
    page.goto(f"{shared_server.url}/kiosk/print/khong-co-phieu-nay")  # a ticket that does not exist
    expect(page.locator("#error")).to_be_visible()
    back = page.locator("#error").get_by_role("link", name="Về trang đầu")
    shot(page, f"kiosk-{size[0]}x{size[1]}-print-error")
    back.click()
    expect(page).to_have_url(f"{shared_server.url}/kiosk")
    expect(page.get_by_text("LẤY SỐ THỨ TỰ")).to_be_visible()

    page.goto(f"{shared_server.url}/kiosk/khong/co/trang/nay")  # the server's own 404 page
    page.get_by_role("link", name="Về trang đầu").click()
    expect(page).to_have_url(f"{shared_server.url}/kiosk")


def test_the_phone_s_unknown_ticket_page_leads_to_the_phone_s_start(shared_server, sized):
    page = sized(390, 844)
    page.goto(f"{shared_server.url}/t/khong-co-phieu-nay")
    expect(page.get_by_text("Không tìm thấy phiếu này")).to_be_visible()
    link = page.get_by_role("link", name="Về trang đầu")
    expect(link).to_have_attribute("href", "/hen")  # the citizen's booking page, not the staff's list of screens
    shot(page, "phone-390x844-unknown-ticket")


def test_a_tablet_of_a_counter_the_center_does_not_have_says_so(shared_server, sized):
    page = sized(1280, 800)
    response = page.goto(f"{shared_server.url}/tablet/999")
    assert response.status == 404
    expect(page.get_by_text("Không có quầy số 999 trong trung tâm.", exact=False)).to_be_visible()
    expect(page.get_by_text("Mã ghép nối")).to_have_count(0)  # no pairing instructions
    expect(page.get_by_role("link")).to_have_count(0)  # nowhere to go from an unattended tablet
    shot(page, "tablet-1280x800-no-such-counter")
