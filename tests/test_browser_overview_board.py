"""The supervisors' live board at 1920×1080 in Debian's chromium over the demo center (16 departments, every
service with people waiting, twelve officers at work, one of them at another department's counter): sorted by
urgency, the whole board on one screen without scrolling (measured in the page), the department warning shown.
Screenshots are saved (tests/screenshots.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
import requests
from playwright.sync_api import expect

from tests.csrf import CsrfSession
from tests.live import ROOT, LiveServer
from tests.officer import PASSWORD, Officer, issue
from tests.screenshots import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

DEMO_CENTER = ROOT / "server" / "demo" / "center.toml"
BOARD = {"width": 1920, "height": 1080}
# The demo's officers at their own department's counters, and one (Sở Xây dựng) at counter 14 (văn bằng).
AT_COUNTER = {"lan.nt": 1, "hung.tv": 2, "mai.lt": 4, "dung.pv": 5, "hoa.vt": 6, "tuan.ha": 7, "thao.dt": 8,
              "minh.bq": 9, "nga.pt": 10, "son.nh": 11, "linh.dm": 12, "khoa.td": 14}
URGENCY_RANK = {"wait_over_target": 0, "idle": 1, "other": 2}

# Everything a supervisor reads on the board must lie inside the screen, and the page must not scroll.
MEASURE = """() => {
  const page = document.documentElement;
  const inside = (node) => {
    const r = node.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  };
  const items = [...document.querySelectorAll("#services tr, #services-idle:not([hidden]), #counters .counter-tile,"
    + " #warnings .warning, #warnings-more:not([hidden])")];
  return {
    scrollHeight: page.scrollHeight, scrollWidth: page.scrollWidth, height: innerHeight, width: innerWidth,
    items: items.length,
    outside: items.filter((n) => !inside(n)).map((n) => n.dataset.counter || n.dataset.service || n.id || n.className),
  };
}"""


@pytest.fixture
def demo(tmp_path):
    server = LiveServer(tmp_path / "demo.db", center=DEMO_CENTER,
                        env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    yield server
    server.stop()


def move_back(server, sql: str, *params):
    with closing(sqlite3.connect(server.database, timeout=10)) as db, db:
        db.execute(sql, params)


def supervisor_overview(server) -> dict:
    with CsrfSession() as http:
        assert http.post(f"{server.url}/api/session", json={"username": "giamsat", "password": PASSWORD},
                         timeout=10).status_code == 200
        return http.get(f"{server.url}/api/overview", timeout=10).json()["overview"]


def test_the_demo_centers_board_fits_one_screen_sorted_by_urgency(demo, browser):
    people = {name: Officer(demo.url, demo.database, demo.center, name).start_password()
              for name in [*AT_COUNTER, "giamsat"]}
    center = requests.get(f"{demo.url}/api/center", timeout=10).json()
    services = [s["code"] for d in center["departments"] for s in d["services"]]
    for code in services:  # somebody waits in every service, two in the first ones
        issue(demo.url, code)
    for code in services[:6]:
        issue(demo.url, code)
    for name, counter in AT_COUNTER.items():
        people[name].sign_in(counter)
    people["giamsat"].set_password()
    for name in ("lan.nt", "mai.lt", "hoa.vt", "thao.dt"):
        assert people[name].act("call_next")["ok"]
    # Counter 10's citizens (người có công, việc làm) have waited 40 minutes: over the 20-minute target.
    move_back(demo, "UPDATE tickets SET arrived_at = arrived_at - 2400, issued_at = issued_at - 2400"
                    " WHERE service_code IN ('nguoi-co-cong', 'viec-lam') AND state = 'waiting'")
    # Counter 11 has been free for 5 minutes while its citizens wait within their target.
    move_back(demo, "UPDATE counter_state SET since = since - 600 WHERE counter_number = 11")
    move_back(demo, "UPDATE tickets SET arrived_at = arrived_at - 300, issued_at = issued_at - 300"
                    " WHERE service_code IN ('xuc-tien-thuong-mai', 'cong-thuong') AND state = 'waiting'")

    context = browser.new_context(locale="vi-VN", viewport=BOARD)
    page = context.new_page()
    page.goto(f"{demo.url}/admin/live")
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    tiles = page.locator("#counters .counter-tile")
    counters = requests.get(f"{demo.url}/api/queue", timeout=10).json()["counters"]
    expect(tiles).to_have_count(len(counters))
    expect(page.locator("#overview-time")).not_to_be_empty()
    expect(page.locator('#counters .counter-tile[data-counter="10"]')).to_have_attribute(
        "data-urgency", "wait_over_target")
    expect(page.locator('#counters .counter-tile[data-counter="11"]')).to_have_attribute("data-urgency", "idle")

    # The order is the server's urgency order: over target, then idle, then the rest.
    shown = tiles.evaluate_all("ts => ts.map(t => [Number(t.dataset.counter), t.dataset.urgency || 'other'])")
    ranks = [URGENCY_RANK[urgency] for _, urgency in shown]
    assert ranks == sorted(ranks), shown
    assert shown[0] == [10, "wait_over_target"]
    overview = supervisor_overview(demo)
    assert [n for n, _ in shown] == [c["number"] for c in overview["counters"]]
    rows = page.locator("#services tr")
    over = rows.evaluate_all("rs => rs.map(r => r.classList.contains('service-over'))")
    assert over[:2] == [True, True] and over == sorted(over, reverse=True)  # over target first
    # Every service is on the board: a row with its queue, or named on the line of those nobody waits for.
    listed = rows.evaluate_all("rs => rs.map(r => r.dataset.service)") + page.locator(
        "#services-idle .service-idle").evaluate_all("ns => ns.map(n => n.dataset.service)")
    assert sorted(listed) == sorted(services)

    # The officer of Sở Xây dựng at counter 14: on the tile and among the warnings.
    tile = page.locator('#counters .counter-tile[data-counter="14"]')
    expect(tile.locator(".counter-department")).to_have_text("Khác Sở, ngành")
    assert "Trương Đăng Khoa (Sở Xây dựng) đang làm việc tại quầy 14" in tile.locator(
        ".counter-department").get_attribute("title")
    assert any(a["kind"] == "officer_department" and a["counter_number"] == 14 for a in overview["alerts"])

    measured = page.evaluate(MEASURE)
    save_screenshot(page, "board-1920-demo-center")
    assert measured["scrollHeight"] <= measured["height"] and measured["scrollWidth"] <= measured["width"], measured
    assert measured["items"] >= len(services) // 2 + len(counters) and measured["outside"] == [], measured
    context.close()
    for person in people.values():
        person.close()


def test_seventy_counters_still_fit_one_screen(tmp_path, browser):
    """A provincial center at its largest (bench/centers/history.toml: 30 services, 70 counters), 50 counters open
    and somebody waiting in every service: the compact tiles keep the whole board on one 1920×1080 screen."""
    import tomllib

    config = ROOT / "bench" / "centers" / "history.toml"
    server = LiveServer(tmp_path / "large.db", center=config, env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    try:
        supervisor = Officer(server.url, server.database, server.center, "giamsat").start_password()
        center = requests.get(f"{server.url}/api/center", timeout=10).json()
        services = [s["code"] for d in center["departments"] for s in d["services"]]
        for code in services:
            issue(server.url, code)
        # Fifty officers at work, set in the server's database as their sign-ins would (the layout is the point).
        officers = [o["username"] for o in tomllib.loads(config.read_text(encoding="utf-8"))["officers"]
                    if o.get("role", "officer") == "officer"]
        with closing(sqlite3.connect(server.database, timeout=10)) as db, db:
            db.executemany("UPDATE counter_state SET status = 'open', officer = ?, since = strftime('%s', 'now')"
                           " WHERE counter_number = ?", [(officers[i], i + 1) for i in range(50)])
        supervisor.set_password()
        counters = requests.get(f"{server.url}/api/queue", timeout=10).json()["counters"]
        assert len(counters) == 70

        context = browser.new_context(locale="vi-VN", viewport=BOARD)
        page = context.new_page()
        page.goto(f"{server.url}/admin/live")
        page.fill("#username", "giamsat")
        page.fill("#password", PASSWORD)
        page.click("#signin-submit")
        expect(page.locator("#counters .counter-tile")).to_have_count(70)
        expect(page.locator("#board")).to_have_attribute("data-counters", "many")
        expect(page.locator("#overview-time")).not_to_be_empty()
        expect(page.locator("#counters .counter-tile.counter-open")).to_have_count(50)
        measured = page.evaluate(MEASURE)
        save_screenshot(page, "board-1920-seventy-counters")
        assert measured["scrollHeight"] <= measured["height"] and measured["scrollWidth"] <= measured["width"], measured
        assert measured["items"] >= 70 + len(services) // 2 and measured["outside"] == [], measured
        context.close()
        supervisor.close()
    finally:
        server.stop()
