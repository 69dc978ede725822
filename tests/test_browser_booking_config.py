"""[appointments] on /admin/config (admin_ui/config_appointments.js) in chromium against the real server: the saved
policy is drawn, a change applies at once (the booking page's options), a bad value is refused in Vietnamese naming
the field as the panel labels it (server/core/field_labels.py) and changes nothing, and switching off stops
bookings."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.core.field_labels import FIELDS, SECTIONS
from tests.axe_check import audit, explain
from tests.csrf import CsrfSession
from tests.officer import PASSWORD, Officer
from tests.test_browser_booking import booking_server  # noqa: F401 (the fixture: a center taking bookings)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def bookable(url: str) -> dict:
    """{service code: (bookable, remote)} from the booking page's options, or the refusal's error code."""
    answer = CsrfSession().get(f"{url}/api/appointments/options", timeout=10)
    if answer.status_code != 200:
        return answer.json()["error"]
    return {s["code"]: (s["bookable"], s["remote"]) for d in answer.json()["departments"] for s in d["services"]}


def test_an_admin_edits_switches_off_and_is_told_a_bad_value(booking_server, page):
    url = booking_server.url
    Officer(url, booking_server.database, booking_server.center, "quantri").set_password()
    page.goto(f"{url}/admin/config#appointments")
    page.fill("#username", "quantri")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    panel = page.locator('.config-section[data-section="appointments"]')
    expect(panel).to_be_visible()
    expect(page.locator('.tab[data-tab="appointments"]')).to_have_text(SECTIONS["appointments"])
    labels = {t.strip() for t in panel.locator(".field-label").all_inner_texts()}
    labels |= {t.strip() for t in panel.locator("thead th").all_inner_texts()[1:]}
    assert labels <= set(FIELDS["appointments"].values()) and len(labels) == 11
    expect(page.locator("#appointments-enabled")).to_be_checked()
    expect(panel.locator('[data-key="slot_minutes"]')).to_have_value("30")
    capacity = panel.locator('tr[data-service="ly-lich"] [data-key="capacity"]')
    expect(capacity).to_have_value("3")
    version = page.inner_text("#version")
    violations = audit(page, "cấu hình: đặt lịch hẹn", record=False)  # the panel, as axe reads it
    assert violations == [], explain(violations)

    # A bad value: refused, the field named as the panel shows it and marked, nothing saved.
    panel.locator('[data-key="slot_minutes"]').fill("2")
    panel.locator(".save").click()
    status = panel.locator(".section-status")
    expect(status).to_have_text("Đặt lịch hẹn › Độ dài khung giờ hẹn (phút): phải ≥ 5.")
    expect(panel.locator('[data-key="slot_minutes"]')).to_have_attribute("aria-invalid", "true")
    panel.locator('[data-key="slot_minutes"]').fill("30")
    panel.locator('tr[data-service="lai-xe"] [data-key="capacity"]').fill("0")
    panel.locator(".save").click()
    expect(status).to_contain_text("Đặt lịch hẹn › lĩnh vực “Giấy phép lái xe” › Chỗ mỗi khung giờ (đặt lịch):")
    expect(panel.locator('tr[data-service="lai-xe"] [data-key="capacity"]')).to_have_attribute(
        "aria-invalid", "true")
    expect(page.locator("#version")).to_have_text(version)
    assert bookable(url)["lai-xe"] == (True, False)

    # A change applies at once: hộ tịch takes bookings and remote numbers.
    panel.locator('tr[data-service="lai-xe"] [data-key="capacity"]').fill("3")
    panel.locator('tr[data-service="ho-tich"] [data-key="capacity"]').fill("2")
    panel.locator('tr[data-service="ho-tich"] [data-key="remote_daily_cap"]').fill("4")
    panel.locator(".save").click()
    expect(status).to_have_text("Đã lưu. Thay đổi có hiệu lực ngay trên các màn hình.")
    assert bookable(url)["ho-tich"] == (True, True)

    # Switched off: the booking page is told the center takes none.
    page.locator("#appointments-enabled").uncheck()
    expect(panel.locator('[data-key="slot_minutes"]')).to_be_hidden()
    panel.locator(".save").click()
    expect(status).to_have_text("Đã lưu. Thay đổi có hiệu lực ngay trên các màn hình.")
    assert bookable(url) == "appointments_off"
    expect(page.locator("#appointments-enabled")).not_to_be_checked()
