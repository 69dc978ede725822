"""The supervisors' overview on /admin/live, in Debian's chromium against the real server: queues per service,
waits over target and an idle counter appear as warnings and go away when the counter calls.

The server runs on the real clock, so "25 minutes later" is made by moving the tickets' and the counter's times
back in its database, as if the citizens had taken their numbers that long ago.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import expect

from tests.officer import PASSWORD, Officer, issue

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def officers(live_server):
    """The supervisor "giamsat" and the officer "an", both with a password (the two commands overlap)."""
    people = [Officer(live_server.url, live_server.database, live_server.center, name).start_password()
              for name in ("giamsat", "an")]
    for person in people:
        person.set_password()
    yield people
    for person in people:
        person.close()


def move_back(live_server, sql: str, seconds: int):
    """Shift times in the live server's database `seconds` into the past."""
    with closing(sqlite3.connect(live_server.database, timeout=10)) as db, db:
        db.execute(sql, (seconds,))


def test_supervisor_sees_queues_waits_over_target_and_an_idle_counter(live_server, officers, page):
    _, an = officers
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/live")
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("#user-name")).to_have_text("Phạm Thị Giám Sát")
    row = page.locator("#services tr[data-service='ly-lich']")
    # Nobody waits: the service is only named on the line of empty ones.
    expect(page.locator("#services-idle [data-service='ly-lich']")).to_have_text("Lý lịch tư pháp")
    expect(row).to_have_count(0)
    expect(page.locator("#warnings-empty")).to_be_visible()

    issue(live_server.url, "ly-lich")
    issue(live_server.url, "ly-lich")
    expect(row.locator(".service-waiting")).to_have_text("2")  # refreshed after the queue events
    expect(row.locator(".service-name")).to_have_text("Lý lịch tư pháp")
    expect(row.locator(".service-department")).to_have_text("Sở Tư pháp")
    expect(row.locator(".service-target")).to_have_text("20 phút")
    expect(row).not_to_have_class(re.compile(r"\bservice-over\b"))

    move_back(live_server, "UPDATE tickets SET arrived_at = arrived_at - ?1, issued_at = issued_at - ?1", 25 * 60)
    an.sign_in(1)  # counter 1 (ly-lich, ho-tich) opens: an event, so the page asks again
    expect(row).to_have_class(re.compile(r"\bservice-over\b"))
    expect(row.locator(".service-longest")).to_have_text("25 phút")
    expect(page.locator("#warnings .warning-wait_over_target .warning-message")).to_have_text(
        "Lĩnh vực Lý lịch tư pháp: công dân chờ 25 phút, vượt mục tiêu 20 phút")
    expect(page.locator("#warnings .warning-counter_idle")).to_have_count(0)  # just opened

    move_back(live_server, "UPDATE counter_state SET since = since - ? WHERE counter_number = 1", 5 * 60)
    issue(live_server.url, "ho-tich")
    expect(page.locator("#warnings .warning-counter_idle .warning-message")).to_have_text(
        "Quầy 01 (Nguyễn Văn An) rảnh 5 phút trong khi có 3 người chờ")
    counter = page.locator("#counters .counter-tile[data-counter='1']")
    expect(counter.locator(".counter-officer")).to_have_text("Nguyễn Văn An")
    expect(counter).to_have_attribute("data-urgency", "wait_over_target")  # A001 still waits over its target
    expect(counter.locator(".counter-idle")).to_have_class(re.compile(r"\bidle-over\b"))
    expect(counter.locator(".idle-time")).to_have_text("rảnh 5 phút")
    expect(page.locator("#warning-count")).to_have_text("2")

    assert an.act("call_next")["ok"]
    expect(counter.locator(".current-label")).to_have_text("A001")
    expect(page.locator("#warnings .warning-counter_idle")).to_have_count(0)
    expect(counter.locator(".counter-idle")).to_have_count(0)
    expect(row.locator(".service-waiting")).to_have_text("1")
    expect(page.locator("#warnings .warning")).to_have_count(1)  # A002 has still waited too long
