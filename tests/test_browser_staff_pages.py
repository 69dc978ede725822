"""Every staff page through the one sign-in flow (shared_ui/signin.js), in Debian's chromium against the real server.

An admin opens every page; a supervisor opens the supervising ones (live view, feedback, reports and their print
page) and is refused configuration and devices with a Vietnamese message and links to what they may open, never a
blank page. No page logs an error to the console.
"""

from __future__ import annotations

import pytest

from tests.live import LiveServer
from tests.officer import PASSWORD, Officer

pytestmark = pytest.mark.browser

# Each staff page, and what it shows once it is open: the body's data-view, or data-state for the print page.
SUPERVISING_PAGES = [("/admin/live", "board"), ("/admin/feedback", "board"), ("/admin/reports", "reports"),
                     ("/admin/reports/print?period=day", None)]
ADMIN_PAGES = [("/admin/config", "board"), ("/admin/devices", "board")]


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One live server for the module; the admin "quantri", the supervisor "giamsat" and the officer "an" have
    passwords."""
    live_server = LiveServer(tmp_path_factory.mktemp("staff") / "live.db").start()
    try:
        for username in ("quantri", "giamsat", "an"):
            Officer(live_server.url, live_server.database, live_server.center, username).set_password()
        yield live_server
    finally:
        live_server.stop()


@pytest.fixture
def desk(page):
    """A desktop browser that records every console error and uncaught exception of the pages it opens."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, server, username):
    """Through the shared form, on the first page that asks."""
    page.goto(f"{server.url}/admin/live")
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "board")


def open_page(page, server, path, view):
    page.goto(server.url + path)
    if view is None:  # the print page has no form: it is drawn or it says why not
        expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=15000)
        return
    expect(page.locator("body")).to_have_attribute("data-view", view, timeout=15000)
    if view == "reports":
        expect(page.locator("body")).to_have_attribute("data-report-state", "ready", timeout=15000)


def test_an_admin_opens_every_staff_page(server, desk):
    sign_in(desk, server, "quantri")
    expect(desk.locator("#admin-nav a")).to_have_text(["Giám sát", "Phản ánh", "Báo cáo", "Cấu hình", "Thiết bị"])
    for path, view in SUPERVISING_PAGES + ADMIN_PAGES:
        open_page(desk, server, path, view)
        if view == "board":
            expect(desk.locator("#user-name")).to_have_text("Quản Trị Viên")
    expect(desk.locator("#preparer")).to_have_count(0)  # the last page was not the print page: nothing left over
    assert desk.errors == []


def test_a_supervisor_opens_the_supervising_pages_and_is_refused_the_admin_ones(server, desk):
    sign_in(desk, server, "giamsat")
    expect(desk.locator("#admin-nav a")).to_have_text(["Giám sát", "Phản ánh", "Báo cáo"])
    for path, view in SUPERVISING_PAGES:
        open_page(desk, server, path, view)
    expect(desk.locator("#preparer")).to_have_text("Phạm Thị Giám Sát")  # the print page, signed by its preparer

    refusals = {"/admin/config": "Chỉ quản trị viên được thay đổi cấu hình.",
                "/admin/devices": "Chỉ quản trị viên được quản lý thiết bị."}
    for path, message in refusals.items():
        desk.goto(server.url + path)
        expect(desk.locator("body")).to_have_attribute("data-view", "signin")
        expect(desk.locator("#signin-error")).to_have_text(message)
        expect(desk.locator("#board")).to_be_hidden()
        # Where this account may go instead, and the form to sign in as an admin: never a dead end.
        expect(desk.locator(".signin-elsewhere a")).to_have_text(["Giám sát", "Phản ánh", "Báo cáo"])
        expect(desk.locator("#username")).to_be_visible()
    desk.locator(".signin-elsewhere a", has_text="Báo cáo").click()
    expect(desk.locator("body")).to_have_attribute("data-report-state", "ready", timeout=15000)
    assert desk.errors == []


def test_a_supervisor_signing_in_on_an_admin_page_is_turned_away(server, desk):
    desk.goto(f"{server.url}/admin/config")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    desk.fill("#username", "giamsat")
    desk.fill("#password", PASSWORD)
    desk.click("#signin-submit")
    expect(desk.locator("#signin-error")).to_have_text("Chỉ quản trị viên được thay đổi cấu hình.")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    assert desk.errors == []


def test_the_counter_console_asks_an_admin_for_a_counter(server, desk):
    """Signed in without a counter (at the reports, say), the console offers its own form with the counter choice."""
    sign_in(desk, server, "quantri")
    desk.goto(f"{server.url}/counter")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    expect(desk.locator("#signin-error")).to_have_text("Vui lòng đăng nhập và chọn quầy làm việc.")
    expect(desk.locator("#signin-counter option")).not_to_have_count(1)  # the counters have loaded
    assert desk.errors == []


def test_an_officer_signs_in_and_out_at_the_console_through_the_same_flow(server, desk):
    desk.goto(f"{server.url}/counter")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    desk.fill("#signin-username", "an")
    desk.fill("#signin-password", PASSWORD)
    desk.click("#signin-submit")  # no counter chosen yet
    expect(desk.locator("#signin-error")).to_have_text("Vui lòng nhập tên đăng nhập, mật khẩu và chọn quầy.")
    desk.select_option("#signin-counter", "2")
    desk.click("#signin-submit")
    expect(desk.locator("body")).to_have_attribute("data-view", "console")
    expect(desk.locator("#signin-password")).to_have_value("")
    desk.click("#signout")
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    assert desk.errors == []


def test_an_admin_sets_the_official_mapping_of_a_five_level_scale(server, desk):
    """The rating editor of /admin/config: the scale, the reason checkbox and one select per level."""
    sign_in(desk, server, "quantri")
    desk.goto(f"{server.url}/admin/config#rating")
    section = desk.locator('.config-section[data-section="rating"]')
    expect(section).to_be_visible()
    mapping = section.locator(".official-mapping")
    expect(mapping).to_be_hidden()  # three levels are the official ones themselves
    section.locator('select[data-key="scale"]').select_option("5")
    expect(mapping.locator("select")).to_have_count(5)
    section.get_by_label("Bắt buộc chọn lý do khi không hài lòng").check()
    chosen = {"Rất hài lòng": "Rất hài lòng", "Hài lòng": "Hài lòng", "Bình thường": "Hài lòng",
              "Không hài lòng": "Không hài lòng", "Rất không hài lòng": ""}
    for level, official in chosen.items():
        mapping.locator(f'select[data-key="{level}"]').select_option(official)
    section.locator(".save").click()
    # A level left unconverted: the server names what is missing, beside the section.
    expect(section.locator(".section-status")).to_contain_text("Rất không hài lòng")
    mapping.locator('select[data-key="Rất không hài lòng"]').select_option("Không hài lòng")
    section.locator(".save").click()
    expect(section.locator(".section-status")).to_contain_text("Đã lưu")

    rating = desk.request.get(f"{server.url}/api/admin/config").json()["sections"]["rating"]
    assert rating["scale"] == 5 and rating["reason_required"] is True
    assert rating["official"] == {"Rất hài lòng": ["Rất hài lòng"], "Hài lòng": ["Hài lòng", "Bình thường"],
                                  "Không hài lòng": ["Không hài lòng", "Rất không hài lòng"]}
    desk.reload()  # drawn again from the saved configuration
    expect(section.locator("#reason-required")).to_be_checked()
    expect(mapping.locator('select[data-key="Bình thường"]')).to_have_value("Hài lòng")
    # The one refused save is the only error the browser logged.
    assert desk.errors == ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
