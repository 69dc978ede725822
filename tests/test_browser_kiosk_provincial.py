"""The kiosk at the size of a provincial center, in Debian's chromium against the real server, portrait 1080×1920
and landscape 1920×1080: every department on screen (or a scroll cue), the notice readable, the search by
procedures and keywords, unavailable services shown with their reason and coming back by themselves, the real
issuing hours on the closed screen, the department on the ticket. Each test saves screenshots of what it checked
(test-results/screenshots/kiosk-*.png)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.settings import DEMO_CENTER
from tests.live import ROOT, SMALL_CENTER, LiveServer
from tests.officer import Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
SCREENSHOTS = ROOT / "test-results" / "screenshots"


def shot(page, name: str):
    """What a citizen in front of the kiosk sees (the viewport), kept with the run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"kiosk-{name}.png"))


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo center (17 departments, 25 services, 279 procedures), open at any hour."""
    server = LiveServer(tmp_path_factory.mktemp("demo") / "demo.db", center=DEMO_CENTER,
                        env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_server_without_bookings(tmp_path_factory):
    """The demo center without its [appointments] section (the last of its file): no check-in button."""
    folder = tmp_path_factory.mktemp("demo-walk-in")
    text = DEMO_CENTER.read_text(encoding="utf-8")
    assert text.count("\n[appointments]") == 1 and text.index("\n[appointments]") > text.rindex("[[")
    center = center_file(folder, text[:text.index("\n[appointments]")], "walk-in")
    server = LiveServer(folder / "demo.db", center=center, env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    yield server
    server.stop()


@pytest.fixture(params=list(SIZES))
def kiosk(request, browser):
    """A kiosk page at one of the two real sizes; its name is the fixture's parameter."""
    width, height = SIZES[request.param]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


def center_file(tmp_path, text: str, name: str = "center"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ----- every department on one screen, the notice readable -------------------------------------------------

@pytest.mark.parametrize("bookings", [True, False], ids=["with-check-in", "walk-in-only"])
def test_every_department_of_the_demo_center_is_on_screen_and_the_notice_is_whole(request, bookings, kiosk):
    server = request.getfixturevalue("demo_server" if bookings else "demo_server_without_bookings")
    kiosk.goto(f"{server.url}/kiosk")
    departments = kiosk.locator("#departments .choice")
    expect(departments).to_have_count(17)
    # The check-in button beside the search (it appears after load) must not push the last row below the edge.
    expect(kiosk.locator("#open-checkin")).to_be_visible(visible=bookings)
    expect(kiosk.locator("#open-search")).to_be_visible()
    for i in range(17):
        expect(departments.nth(i)).to_be_in_viewport(ratio=1)
    expect(kiosk.locator("#scroll-cue")).to_be_hidden()  # nothing below the edge
    titles = departments.locator(".choice-title").evaluate_all(
        "nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))")
    assert min(titles) >= 32  # still read from a step away

    notice = kiosk.locator("#center-notice")
    expect(notice).to_have_text("Ông/Bà vui lòng giữ trật tự và chú ý loa gọi số. Phiếu chỉ có giá trị trong ngày. "
                                "Trân trọng cảm ơn!")
    expect(notice).to_be_in_viewport(ratio=1)
    cut = notice.evaluate("n => n.scrollWidth > n.clientWidth || n.scrollHeight > n.clientHeight")
    assert not cut
    assert float(notice.evaluate("n => getComputedStyle(n).fontSize").rstrip("px")) >= 26
    shot(kiosk, f"{kiosk.size_name}-home{'' if bookings else '-walk-in'}")


def test_a_center_with_more_departments_than_fit_shows_a_scroll_cue(tmp_path, kiosk):
    text = SMALL_CENTER.read_text(encoding="utf-8")
    extra = "".join(f'\n[[departments]]\ncode = "S{i:02d}"\nname = "Sở thử nghiệm số {i:02d} có tên khá dài"\n'
                    f'services = [{{ code = "dv-{i:02d}", name = "Lĩnh vực {i:02d}", prefix = "E{chr(65 + i)}" }}]\n'
                    for i in range(26))
    counters = "".join(f'\n[[counters]]\nnumber = {10 + i}\nservices = ["dv-{i:02d}"]\n' for i in range(26))
    server = LiveServer(tmp_path / "many.db", center=center_file(tmp_path, text + extra + counters)).start()
    try:
        kiosk.goto(f"{server.url}/kiosk")
        expect(kiosk.locator("#departments .choice")).to_have_count(28)
        cue = kiosk.locator("#scroll-cue")
        expect(cue).to_be_visible()
        expect(cue).to_have_text("Kéo xuống để xem thêm")
        expect(cue).to_be_in_viewport(ratio=1)
        # The cue lies over the list and takes no room of its own: taking room, it would keep a page that fits
        # without it overflowing, and so shown for ever.
        heights = kiosk.evaluate("""() => {
            const main = document.getElementById('main'), cue = document.getElementById('scroll-cue');
            const shown = main.scrollHeight; cue.hidden = true; const hidden = main.scrollHeight; cue.hidden = false;
            return [shown, hidden]; }""")
        assert heights[0] == heights[1], heights
        last = kiosk.locator("#departments .choice").last
        expect(last).not_to_be_in_viewport()
        shot(kiosk, f"{kiosk.size_name}-scroll-cue")
        for _ in range(10):  # a tap scrolls on, until the end of the list
            if cue.is_hidden():
                break
            cue.click(force=True)  # it nudges up and down: never "stable" for Playwright
            kiosk.wait_for_timeout(400)
        expect(last).to_be_in_viewport()
        expect(cue).to_be_hidden()  # at the end: nothing more below
        shot(kiosk, f"{kiosk.size_name}-scrolled-to-the-end")
    finally:
        server.stop()


# ----- search by procedures and keywords -------------------------------------------------------------------

@pytest.mark.parametrize("query, service, department, procedure", [
    ("ho tich", "Hộ tịch, quốc tịch", "Sở Tư pháp", None),
    ("hotich", "Hộ tịch, quốc tịch", "Sở Tư pháp", None),
    ("khai sinh", "Hộ tịch, quốc tịch", "Sở Tư pháp", "Đăng ký khai sinh"),
    ("GPLX", "Cấp, đổi giấy phép lái xe", "Sở Giao thông vận tải", None),
    ("cấp lại CCCD", "Căn cước, cư trú, xuất nhập cảnh", "Công an tỉnh", "Cấp lại thẻ Căn cước"),
])
def test_search_by_procedure_and_keyword_as_the_citizen_types(demo_server, kiosk, query, service, department,
                                                              procedure):
    kiosk.goto(f"{demo_server.url}/kiosk")
    kiosk.get_by_role("button", name="Tìm thủ tục, lĩnh vực").click()
    box = kiosk.locator("#search-input")
    box.press_sequentially(query, delay=20)  # one request per keystroke; the last answer wins
    first = kiosk.locator("#search-results .choice").first
    expect(first.locator(".choice-title")).to_have_text(service)
    expect(first.locator(".choice-detail")).to_contain_text(department)
    if procedure:
        expect(first.locator(".choice-procedure")).to_contain_text(procedure)
    expect(first).to_be_in_viewport()  # not under the keyboard
    shot(kiosk, f"{kiosk.size_name}-search-{query.replace(' ', '-')}")
    first.click()
    expect(kiosk.locator("#chosen-service")).to_have_text(service)


def test_a_search_that_finds_nothing_says_so(demo_server, kiosk):
    kiosk.goto(f"{demo_server.url}/kiosk")
    kiosk.get_by_role("button", name="Tìm thủ tục, lĩnh vực").click()
    kiosk.locator("#search-input").fill("xyzw")
    expect(kiosk.locator("#search-empty")).to_have_text("Không tìm thấy thủ tục, lĩnh vực phù hợp. Mời Ông/Bà gõ lại.")
    expect(kiosk.locator("#search-results .choice")).to_have_count(0)


# ----- unavailable services, before the tap ----------------------------------------------------------------

def test_a_service_whose_cap_is_used_up_is_shown_unavailable_before_the_tap(live_server, kiosk):
    for _ in range(3):  # Hộ tịch has daily_cap = 3 in the small center
        issue(live_server.url, "ho-tich")
    kiosk.goto(f"{live_server.url}/kiosk?print=0")
    kiosk.get_by_role("button", name="Sở Tư pháp").click()
    full = kiosk.locator("#services .choice", has_text="Hộ tịch")
    expect(full).to_be_disabled()
    expect(full.locator(".choice-reason")).to_have_text("Đã hết số trong ngày")
    expect(kiosk.locator("#services .choice", has_text="Lý lịch tư pháp")).to_be_enabled()
    shot(kiosk, f"{kiosk.size_name}-cap-reached")


def test_services_without_an_open_counter_are_shown_and_come_back_when_one_opens(live_server, kiosk):
    kiosk.goto(f"{live_server.url}/kiosk?print=0")
    lai_xe = kiosk.get_by_role("button", name="Sở Giao thông vận tải")
    expect(lai_xe).to_be_enabled()  # no counter open yet: the day has not begun, everything issues
    an = Officer(live_server.url, live_server.database, live_server.center, "an")
    cuong = Officer(live_server.url, live_server.database, live_server.center, "cuong")
    try:
        an.sign_in(1)  # Sở Tư pháp opens: the day has begun, Giao thông vận tải has no counter open
        expect(lai_xe).to_be_disabled(timeout=10_000)
        expect(lai_xe.locator(".choice-reason")).to_have_text("Chưa có quầy nào mở")
        shot(kiosk, f"{kiosk.size_name}-no-counter-open")
        cuong.sign_in(3)  # counter 3 serves both of its services: back by itself, nobody touched the kiosk
        expect(lai_xe).to_be_enabled(timeout=10_000)
        expect(lai_xe.locator(".choice-reason")).to_have_count(0)
        lai_xe.click()
        expect(kiosk.locator("#services .choice", has_text="Giấy phép lái xe")).to_be_enabled()
    finally:
        an.close()
        cuong.close()


def test_a_service_outside_its_own_hours_is_shown_with_them(tmp_path, kiosk):
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    hours = ("00:00", "01:00") if now.hour >= 2 else ("03:00", "04:00")  # not now, whenever the test runs
    text = SMALL_CENTER.read_text(encoding="utf-8").replace(
        '{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3 },',
        f'{{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3,'
        f' sessions = [{{ start = "{hours[0]}", end = "{hours[1]}" }}] }},')
    server = LiveServer(tmp_path / "hours.db", center=center_file(tmp_path, text)).start()
    try:
        kiosk.goto(f"{server.url}/kiosk?print=0")
        kiosk.get_by_role("button", name="Sở Tư pháp").click()
        closed = kiosk.locator("#services .choice", has_text="Hộ tịch")
        expect(closed).to_be_disabled()
        expect(closed.locator(".choice-reason")).to_have_text(f"Chỉ lấy số {hours[0]}–{hours[1]}")
        expect(kiosk.locator("#services .choice", has_text="Lý lịch tư pháp")).to_be_enabled()
        shot(kiosk, f"{kiosk.size_name}-outside-service-hours")
    finally:
        server.stop()


# ----- the closed screen's real hours ----------------------------------------------------------------------

def test_the_closed_screen_gives_the_times_issuing_actually_stops(tmp_path, kiosk):
    closed = (SMALL_CENTER.read_text(encoding="utf-8")
              .replace('working_days = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]', "working_days = []")
              .replace('sessions = [{ start = "00:00", end = "24:00" }]',
                       'sessions = [{ start = "07:00", end = "11:30" }, { start = "13:30", end = "17:00" }]\n'
                       'stop_issuing_minutes_before_end = 15'))
    server = LiveServer(tmp_path / "closed.db", center=center_file(tmp_path, closed)).start()
    try:
        kiosk.goto(f"{server.url}/kiosk")
        expect(kiosk.get_by_text("Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số")).to_be_visible()
        expect(kiosk.locator("#closed-hours")).to_have_text("Giờ lấy số: 07:00–11:15, 13:30–16:45")
        shot(kiosk, f"{kiosk.size_name}-closed-hours")
    finally:
        server.stop()


# ----- the ticket names the department ---------------------------------------------------------------------

def test_the_ticket_names_the_department(live_server, kiosk):
    kiosk.goto(f"{live_server.url}/kiosk")
    kiosk.get_by_role("button", name="Sở Giao thông vận tải").click()
    kiosk.get_by_role("button", name="Vận tải").click()
    kiosk.get_by_role("button", name="Không, lấy số thường").click()
    expect(kiosk.locator("#result-department")).to_have_text("Sở Giao thông vận tải")
    printed = kiosk.frame_locator("#printer")
    expect(printed.locator("body")).to_have_attribute("data-ready", "1")
    expect(printed.locator("#t-department")).to_have_text("Sở Giao thông vận tải")
    shot(kiosk, f"{kiosk.size_name}-ticket")
