"""The admin pages at the sizes they are used at (1366×768 laptops, 1920×1080 office screens) in Debian's chromium
against the real server running the demo center (16 departments, long Vietnamese names):

- no control is clipped: for every visible select, button and input, the text it shows (for a select, its longest
  option; for an empty input, its placeholder) is measured against the room it has;
- date fields are dd/mm/yyyy in a browser whose language is English (en-US), both ways: typed, and as sent;
- a refused save names the field as the screen does, with the very labels the page draws; the audit log reads in
  words.

Screenshots of each page at each size are saved by the run (tests/screenshots.py).
"""

from __future__ import annotations

import re

import pytest
import requests

from server.settings import DEMO_CENTER
from tests.csrf import CsrfSession
from tests.live import LiveServer
from tests.officer import PASSWORD, Officer
from tests.screenshots import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZES = [(1366, 768), (1920, 1080)]
# The admin pages and, for the configuration, each of its tabs (the live board is the console's part of issue 14).
CONFIG_TABS = ("departments", "counters", "officers", "hours", "priority", "rating", "general", "audit")
PAGES = [("config", tab) for tab in CONFIG_TABS] + [(page, None) for page in ("devices", "feedback", "reports",
                                                                                "bookings")]

# Measured in the page: how much wider each visible control's text is than the room it has (0 = fits). A select
# draws its arrow inside its padding box; Chromium's is 20 px at most, so that much is kept for it.
MEASURE = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const width = (text, style) => {
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return canvas.measureText(text).width;
  };
  const visible = (node) => node.offsetParent !== null && node.getClientRects().length > 0
    && getComputedStyle(node).visibility !== "hidden" && getComputedStyle(node).opacity !== "0";
  const found = [];
  for (const node of document.querySelectorAll("select, button, input, textarea")) {
    if (!visible(node) || ["checkbox", "radio", "hidden", "color", "range"].includes(node.type)) continue;
    const style = getComputedStyle(node);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = node.clientWidth - padding;
    let text, needed;
    if (node.tagName === "SELECT") {
      const options = Array.from(node.options).map((o) => o.text);
      text = options.reduce((a, b) => (width(b, style) > width(a, style) ? b : a), "");
      needed = width(text, style) + 20;
    } else if (node.tagName === "BUTTON") {
      text = node.textContent.trim();
      needed = Math.max(node.scrollWidth - node.clientWidth, node.scrollHeight - node.clientHeight) > 1
        ? room + Math.max(node.scrollWidth - node.clientWidth, node.scrollHeight - node.clientHeight) : 0;
    } else if (node.tagName === "TEXTAREA") {
      text = node.value || node.placeholder || "";
      needed = node.scrollHeight - node.clientHeight > 1 ? room + node.scrollHeight - node.clientHeight : 0;
    } else {
      text = node.value || node.placeholder || "";
      needed = Math.max(width(text, style), node.scrollWidth - padding);
    }
    const label = `${node.tagName.toLowerCase()} `
      + (node.getAttribute("aria-label") || node.id || node.name || node.dataset.key || node.className);
    const over = Math.ceil(needed - room);
    if (text && over > 1) found.push(`${label}: “${text.slice(0, 60)}” ${over} px too wide`);
    // Whole but out of sight: past the right edge of the window, or of a box that scrolls sideways.
    const box = node.getBoundingClientRect();
    let edge = document.documentElement.clientWidth;
    for (let up = node.parentElement; up; up = up.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) {
        edge = Math.min(edge, up.getBoundingClientRect().right);
        break;
      }
    }
    if (box.right > edge + 1) found.push(`${label}: ${Math.ceil(box.right - edge)} px out of sight`);
  }
  return found;
}"""


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("admin-screens")
    server = LiveServer(folder / "demo.db", center=DEMO_CENTER).start()
    Officer(server.url, server.database, DEMO_CENTER, "admin").set_password()
    # Something in the audit log besides the file's import: a kiosk paired by the admin.
    admin = CsrfSession()
    assert admin.post(f"{server.url}/api/session", json={"username": "admin", "password": PASSWORD},
                      timeout=10).status_code == 200
    code = requests.post(f"{server.url}/api/devices/pairing", json={"kind": "kiosk"}, timeout=10).json()["code"]
    assert admin.post(f"{server.url}/api/admin/devices/approve", json={"code": code, "name": "Máy lấy số sảnh A"},
                      timeout=10).status_code == 201
    yield server
    server.stop()


def signed_in_page(browser, url, size, locale="vi-VN"):
    context = browser.new_context(locale=locale, viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{url}/admin/config")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("body")).to_have_attribute("data-view", "board")
    return page


def open_page(page, url, name, tab):
    if name == "config":
        if not page.url.startswith(f"{url}/admin/config"):
            page.goto(f"{url}/admin/config")
        expect(page.locator("body")).to_have_attribute("data-view", "board")
        page.locator(f'.tab[data-tab="{tab}"]').click()
        expect(page.locator(f'.tab-panel[data-panel="{tab}"]')).to_be_visible()
        if tab == "audit":
            expect(page.locator(".audit-entry").first).to_be_visible()
    else:
        page.goto(f"{url}/admin/{name}")
        page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_admin_control_is_clipped(browser, demo_server, size):
    page = signed_in_page(browser, demo_server.url, size)
    clipped = {}
    for name, tab in PAGES:
        open_page(page, demo_server.url, name, tab)
        found = page.evaluate(MEASURE)
        if found:
            clipped[f"{name}#{tab}" if tab else name] = found
        save_screenshot(page, f"admin-{name}{'-' + tab if tab else ''}-{size[0]}x{size[1]}")
    assert clipped == {}, "\n".join(f"{where}: {item}" for where, items in clipped.items() for item in items)
    assert page.errors == []
    page.context.close()


def test_the_measure_sees_a_clipped_select(browser):
    """The measure itself: a narrow select with a long option is found, the same select made wide is not."""
    page = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]}).new_page()
    page.set_content('<select id="narrow" style="width: 90px"><option>Công chứng, chứng thực</option></select>'
                     '<select id="wide" style="width: 400px"><option>Công chứng, chứng thực</option></select>')
    found = page.evaluate(MEASURE)
    assert len(found) == 1 and found[0].startswith("select narrow: “Công chứng, chứng thực”")
    page.context.close()


def test_dates_are_dd_mm_yyyy_in_an_english_browser(browser, demo_server):
    page = signed_in_page(browser, demo_server.url, SIZES[0], locale="en-US")
    assert page.evaluate("navigator.language") == "en-US"

    # Reports: the day in the period is shown and typed dd/mm/yyyy, and the report asked for is that day.
    page.goto(f"{demo_server.url}/admin/reports?period=day&date=2026-11-03")
    day = page.locator("#date")
    expect(day).to_have_attribute("placeholder", "dd/mm/yyyy")
    assert day.evaluate("node => node.type") == "text"
    assert day.evaluate("node => HTMLInputElement.prototype.__lookupGetter__('value').call(node)") == "03/11/2026"
    assert day.evaluate("node => node.value") == "2026-11-03"
    day.fill("4/11/2026")
    day.press("Tab")
    assert day.evaluate("node => HTMLInputElement.prototype.__lookupGetter__('value').call(node)") == "04/11/2026"
    assert day.evaluate("node => node.value") == "2026-11-04"
    # The calendar button's day (the browser's own calendar cannot be driven headless: its input is set instead).
    expect(page.locator("#anchor-field .date-open")).to_have_attribute("aria-label", "Chọn ngày")
    page.locator("#anchor-field .date-picker").evaluate(
        "node => { node.value = '2026-12-25'; node.dispatchEvent(new Event('change')); }")
    assert day.evaluate("node => HTMLInputElement.prototype.__lookupGetter__('value').call(node)") == "25/12/2026"
    assert day.evaluate("node => node.value") == "2026-12-25"
    day.fill("31/02/2026")
    expect(day).to_have_attribute("aria-invalid", "true")
    assert "dd/mm" not in day.evaluate("node => node.validationMessage")  # the Vietnamese message, not a pattern
    assert "ngày/tháng/năm" in day.evaluate("node => node.validationMessage")
    save_screenshot(page, "admin-reports-date-en-US-1366x768")

    # Feedback filters: a day typed dd/mm/yyyy is the day the inbox is asked for.
    with page.expect_response(re.compile(r"/api/feedback\?")):  # the filters are set from the URL by then
        page.goto(f"{demo_server.url}/admin/feedback")
    first = page.locator("#f-first")
    expect(first).to_have_attribute("placeholder", "dd/mm/yyyy")
    with page.expect_request(re.compile(r"/api/feedback\?.*first=2026-11-05")) as asked:
        first.fill("05/11/2026")
        first.press("Enter")
        first.press("Tab")
    assert "first=2026-11-05" in asked.value.url

    # The day's bookings: today at the center, shown dd/mm/yyyy.
    page.goto(f"{demo_server.url}/admin/bookings")
    day = page.locator("#day")
    expect(day).to_have_attribute("placeholder", "dd/mm/yyyy")
    page.wait_for_function("document.getElementById('day').value !== ''")
    year, month, date = day.evaluate("node => node.value").split("-")
    assert day.evaluate("node => HTMLInputElement.prototype.__lookupGetter__('value').call(node)") == \
        f"{date}/{month}/{year}"

    # Configuration: a holiday typed 02/09/2026 (Quốc khánh) is saved as that day and shown the same way.
    page.goto(f"{demo_server.url}/admin/config")
    page.locator('.tab[data-tab="hours"]').click()
    section = page.locator('.config-section[data-section="hours"]')
    section.get_by_role("button", name="Thêm ngày nghỉ").click()
    holiday = section.locator('input[data-key="date"]').last
    expect(holiday).to_have_attribute("placeholder", "dd/mm/yyyy")
    holiday.fill("02/09/2026")
    with page.expect_response(re.compile(r"/api/admin/config/hours")) as saved:
        section.locator(".save").click()
    assert saved.value.status == 200, saved.value.text()
    assert "2026-09-02" in saved.value.json()["sections"]["hours"]["holidays"]
    shown = section.locator('input[data-key="date"]').evaluate_all(
        "nodes => nodes.map((node) => HTMLInputElement.prototype.__lookupGetter__('value').call(node))")
    assert "02/09/2026" in shown and not any(re.fullmatch(r"\d{4}-\d\d-\d\d", text) for text in shown)
    save_screenshot(page, "admin-config-holidays-en-US-1366x768")
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_refusal_names_the_field_and_the_audit_reads_in_words(browser, demo_server, size):
    page = signed_in_page(browser, demo_server.url, size)
    page.goto(f"{demo_server.url}/admin/config")
    page.locator('.tab[data-tab="counters"]').click()
    section = page.locator('.config-section[data-section="counters"]')
    # An unnamed counter shows its own default name ("Quầy 02" on the second row, not the first row's).
    numbers = section.locator('input[data-key="number"]').evaluate_all("nodes => nodes.map((node) => node.value)")
    placeholders = section.locator('input[data-key="name"]').evaluate_all(
        "nodes => nodes.map((node) => node.placeholder)")
    assert placeholders == [f"Quầy {int(number):02d}" for number in numbers]
    services = section.locator('input[data-key="services"]').first
    services.fill(services.input_value() + ", khong-co-linh-vuc-nay")
    section.locator(".save").click()
    status = section.locator(".section-status")
    expect(status).to_have_class(re.compile("is-error"))
    header = section.locator("th").nth(2).inner_text()  # the column the field sits in, as drawn
    expect(status).to_contain_text(f"Quầy › Quầy 01 › {header}:")
    expect(status).not_to_contain_text("counters[")
    expect(services).to_have_attribute("aria-invalid", "true")
    expect(services).to_have_attribute("aria-describedby", "status-counters")  # a screen reader says why
    save_screenshot(page, f"admin-config-refusal-{size[0]}x{size[1]}")

    page.locator('.tab[data-tab="audit"]').click()
    rows = page.locator(".audit-entry")
    expect(rows.first).to_be_visible()
    paired = page.locator('.audit-entry[data-action="device_paired"]')
    expect(paired.locator(".audit-action")).to_have_text("Ghép nối thiết bị")
    expect(paired.locator(".audit-target")).to_contain_text("“Máy lấy số sảnh A”")
    texts = rows.locator(".audit-head").all_inner_texts()
    assert texts and not any(re.search(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+:\d", text) for text in texts), texts
    save_screenshot(page, f"admin-config-audit-{size[0]}x{size[1]}")
    page.context.close()


def test_a_refusal_uses_the_labels_the_screen_draws(browser, demo_server):
    """server/core/field_labels.py names sections, columns and fields as admin_ui/config.js draws them: every one the
    screen draws is read here and must be the label a refusal would use."""
    from server.core.field_labels import FIELDS, SECTIONS

    page = signed_in_page(browser, demo_server.url, SIZES[1])

    def drawn(section, selector):
        panel = page.locator(f'.tab-panel:has(.config-section[data-section="{section}"])')
        panel.evaluate("node => { node.hidden = false; }")
        texts = page.locator(f'.config-section[data-section="{section}"] {selector}').all_inner_texts()
        return {text.strip() for text in texts if text.strip()}

    drawn_labels = {
        "service": drawn("departments", ".department thead th"),
        "department": drawn("departments", ".department-head .field-label"),
        "counter": drawn("counters", "thead th"),
        "officer": drawn("officers", "thead th"),
        "priority_group": drawn("priority_groups", "thead th"),
        "session": drawn("hours", ".rows-editor:first-of-type thead th"),
        "queue": drawn("queue", ".field-label"),
        "center": drawn("center", ".field-label"),
    }
    for kind, labels in drawn_labels.items():
        assert labels and labels <= set(FIELDS[kind].values()), (kind, labels - set(FIELDS[kind].values()))
    tabs = dict(zip(page.locator(".tab").evaluate_all("nodes => nodes.map((node) => node.dataset.tab)"),
                    page.locator(".tab").all_inner_texts(), strict=True))
    for section, tab in (("departments", "departments"), ("counters", "counters"), ("officers", "officers"),
                         ("hours", "hours"), ("rating", "rating"), ("center", "general")):
        assert SECTIONS[section] == tabs[tab].strip()
    for section in ("queue", "priority_groups"):
        title = page.locator(f'.config-section[data-section="{section}"] .panel-title').inner_text().strip()
        assert SECTIONS[section] == f"{tabs['priority'].strip()} › {title}"
    page.context.close()
