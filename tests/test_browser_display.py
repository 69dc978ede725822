"""The lobby and counter displays in chromium against the real server, driven by officers over Socket.IO.

The lobby runs at the TV's real sizes (1920×1080 and 1366×768) in chromium started as docs/OPERATIONS.md starts
the TV, with `--autoplay-policy=no-user-gesture-required` (the `browser` fixture): it speaks without a click. An
ordinary browser (`ordinary_browser`, no such flag) gets the "Bật âm thanh" button instead. Screenshots:
test-results/screenshots/display-*.png."""

from __future__ import annotations

import re
import time

import pytest
import socketio
from playwright.sync_api import expect

from tests.conftest import TEST_BROWSER_ARGS, chromium_path
from tests.officer import Officer, issue
from tests.screenshots import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Announcements play at four times the normal speed: the order of the clips is what is checked, not the voice.
FAST_VOICE = "voice_rate=4"
TV_SIZES = {"1920x1080": {"width": 1920, "height": 1080}, "1366x768": {"width": 1366, "height": 768}}


@pytest.fixture(params=list(TV_SIZES))
def tv(request, browser):
    """A lobby page at one of the TV sizes; `tv.size` names it for screenshots."""
    context = browser.new_context(locale="vi-VN", viewport=TV_SIZES[request.param])
    page = context.new_page()
    page.size = request.param
    yield page
    context.close()


@pytest.fixture(scope="module")
def ordinary_browser(browser):
    """Chromium as an ordinary browser: the same Playwright, without the autoplay flag, so sound waits for a
    click."""
    ordinary = browser.browser_type.launch(executable_path=chromium_path(), args=TEST_BROWSER_ARGS)
    yield ordinary
    ordinary.close()


@pytest.fixture
def officers(live_server):
    """officers("an", 1) signs an officer in at a counter; all of them leave at the end of the test."""
    made = {name: Officer(live_server.url, live_server.database, live_server.center, name).start_password()
            for name in ("an", "binh", "cuong")}   # the password commands run while the page loads

    def sign_in(username, counter):
        officer = made[username]
        officer.sign_in(counter)
        return officer

    yield sign_in
    for officer in made.values():
        officer.close()


def wait_js(page, expression, timeout=20):
    """Poll a JavaScript expression until it is truthy and return its value (the page's CSP forbids the eval that
    page.wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def open_display(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-seq]", state="attached")   # the first snapshot is drawn


def applied(page, event):
    """Wait until the page has applied an event (its sequence number)."""
    wait_js(page, f"Number(document.body.dataset.seq) >= {event['seq']}")


def played(page, count, timeout=30):
    """Once `count` clips have started, the clips the lobby logged (display.js keeps the last 100)."""
    return wait_js(page, f"window.hangdoiVoice.count >= {count} && window.hangdoiVoice.played", timeout)


def heard(page, count, timeout=30):
    """Once `count` clips have actually sounded (the audio element fired "playing"), the clips the lobby logged."""
    return wait_js(page, f"window.hangdoiVoice.heard.length >= {count} && window.hangdoiVoice.heard", timeout)


def test_lobby_speaks_calls_without_a_click(live_server, tv, officers):
    """Chromium started with the documented autoplay flag: nobody touches the TV, and the chime and the voice
    play; two calls at once are spoken one after the other."""
    page = tv
    open_display(page, f"{live_server.url}/display?{FAST_VOICE}")
    wait_js(page, "window.hangdoiVoice.enabled")   # the silent probe played: no button needed
    expect(page.locator("#sound-overlay")).to_be_hidden()
    for service in ("ly-lich", "ly-lich", "ho-tich", "lai-xe"):
        issue(live_server.url, service)
    an = officers("an", 1)
    assert an.act("call_next")["ok"]
    call = an.wait_event("ticket_called", label="A001")

    expect(page.locator("#newest")).to_contain_text("MỜI SỐ A001 ĐẾN QUẦY 01")
    expect(page.locator("#newest-label")).to_have_text("A001")
    expect(page.locator("#newest-counter")).to_have_text("01")
    expect(page.locator('#serving [data-counter="1"]')).to_have_text("QUẦY 01A001")
    first = call["announcement"]["clips"]
    assert first[0] == "chime"
    assert heard(page, len(first))[:len(first)] == first   # sounding, not merely asked to play
    expect(page.locator("#sound-overlay")).to_be_hidden()
    save_screenshot(page, f"display-{page.size}-spoken-without-click")

    # Two counters call at once: the second announcement waits for the first to end.
    binh, cuong = officers("binh", 2), officers("cuong", 3)
    assert binh.act("call_next")["ok"] and cuong.act("call_next")["ok"]
    second = an.wait_event("ticket_called", counter_number=2)["announcement"]["clips"]
    third = an.wait_event("ticket_called", counter_number=3)["announcement"]["clips"]
    expected = first + second + third
    assert played(page, len(expected), timeout=60) == expected
    assert heard(page, len(expected), timeout=60) == expected
    expect(page.locator("#newest-label")).to_have_text("C001")
    expect(page.locator("#recent")).to_have_text(re.compile(r"^B001.*A001"))


@pytest.mark.parametrize("screen", ["counters=3", "counters=3-5", "departments=sgtvt"])
def test_a_limited_display_ignores_other_counters(live_server, tv, officers, screen):
    page = tv
    open_display(page, f"{live_server.url}/display?{screen}&{FAST_VOICE}")
    issue(live_server.url, "ly-lich")
    issue(live_server.url, "ly-lich")
    waiting = issue(live_server.url, "lai-xe")["label"]
    an, cuong = officers("an", 1), officers("cuong", 3)
    assert an.act("call_next")["ok"]
    applied(page, an.wait_event("ticket_called", counter_number=1))
    expect(page.locator("#newest-empty")).to_be_visible()
    expect(page.locator("#newest-call")).to_be_hidden()
    expect(page.locator('#serving [data-counter="1"]')).to_have_count(0)
    # Only the services this screen's counters call: lai-xe waits, ly-lich (A002) is another screen's.
    expect(page.locator("#waiting .waiting-row")).to_have_count(1)
    expect(page.locator('#waiting [data-service="lai-xe"] .waiting-count')).to_have_text("1")
    expect(page.locator('#waiting [data-service="lai-xe"] .waiting-next')).to_have_text(waiting)

    assert cuong.act("call_next")["ok"]
    call = an.wait_event("ticket_called", counter_number=3)
    expect(page.locator("#newest")).to_contain_text("MỜI SỐ C001 ĐẾN QUẦY 03")
    expect(page.locator("#waiting")).to_have_text("Không có công dân nào đang chờ")
    expect(page.locator('#serving [data-counter="3"]')).to_contain_text("C001")
    clips = call["announcement"]["clips"]
    assert played(page, len(clips)) == clips   # the call at counter 1 was never spoken
    expect(page.locator("#recent")).not_to_contain_text("A001")
    save_screenshot(page, f"display-{page.size}-limited-{screen.replace('=', '-')}")


def test_counter_display_follows_its_counter(live_server, page, officers):
    page.goto(f"{live_server.url}/display/counter/1")
    expect(page.locator("#cs-counter")).to_have_text("QUẦY 01")
    expect(page.locator("#cs-number")).to_have_text("Quầy đóng")
    issue(live_server.url, "ly-lich")
    an = officers("an", 1)
    expect(page.locator("#cs-number")).to_have_text("—")
    expect(page.locator("#cs-officer")).to_have_text("Cán bộ tiếp nhận: Nguyễn Văn An")

    assert an.act("call_next")["ok"]
    expect(page.locator("#cs-number")).to_have_text("A001")
    expect(page.locator("#cs-caption")).to_have_text("MỜI SỐ")
    expect(page.locator("body")).to_have_class(re.compile(r"\bfresh\b"))   # blinks after a call
    assert an.act("start")["ok"]
    expect(page.locator("#cs-caption")).to_have_text("ĐANG PHỤC VỤ")
    assert an.act("finish")["ok"]
    expect(page.locator("#cs-number")).to_have_text("—")
    assert an.act("pause", reason="Họp giao ban")["ok"]
    expect(page.locator("#cs-number")).to_have_text("Tạm dừng")


def listeners(page):
    """The page's JS event listeners after a garbage collection (Chrome DevTools Protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.detach()
    return int(metrics["JSEventListeners"])


def test_display_survives_a_server_restart(live_server, page, officers):
    # Silent: a clip playing while the listeners are counted would add its audio element's handlers.
    open_display(page, f"{live_server.url}/display?voice=off")
    page.evaluate("window.sameDocument = true")
    connected_with = listeners(page)
    issue(live_server.url, "ly-lich")
    issue(live_server.url, "ly-lich")
    an = officers("an", 1)
    assert an.act("call_next")["ok"]
    expect(page.locator("#newest-label")).to_have_text("A001")

    live_server.stop()
    expect(page.locator("#offline")).to_have_text("Mất kết nối, đang kết nối lại…")
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#newest-label")).to_have_text("A001")   # the last state stays on screen
    live_server.start()
    expect(page.locator("#offline")).to_be_hidden(timeout=15000)

    binh = officers("binh", 2)
    assert binh.act("call_next")["ok"]
    expect(page.locator("#newest")).to_contain_text("MỜI SỐ A002 ĐẾN QUẦY 02")
    expect(page.locator('#serving [data-counter="1"]')).to_contain_text("A001")
    assert page.evaluate("window.sameDocument") is True   # no reload
    assert listeners(page) <= connected_with   # reconnecting adds no handlers


@pytest.mark.parametrize("size", list(TV_SIZES))
def test_an_ordinary_browser_asks_for_one_click(live_server, ordinary_browser, officers, size):
    """Without the autoplay flag the browser refuses sound: the "Bật âm thanh" button shows, a call waits silent,
    and the click plays it."""
    context = ordinary_browser.new_context(locale="vi-VN", viewport=TV_SIZES[size])
    try:
        page = context.new_page()
        open_display(page, f"{live_server.url}/display?{FAST_VOICE}")
        expect(page.get_by_role("button", name="Bật âm thanh")).to_be_visible(timeout=15_000)
        issue(live_server.url, "ly-lich")
        an = officers("an", 1)
        assert an.act("call_next")["ok"]
        clips = an.wait_event("ticket_called", label="A001")["announcement"]["clips"]
        applied(page, an.wait_event("ticket_called", label="A001"))
        expect(page.locator("#newest-label")).to_have_text("A001")
        assert page.evaluate("[hangdoiVoice.heard.length, hangdoiVoice.queued]") == [0, 1]
        save_screenshot(page, f"display-{size}-sound-button")
        page.get_by_role("button", name="Bật âm thanh").click()
        expect(page.locator("#sound-overlay")).to_be_hidden()
        assert heard(page, len(clips)) == clips
    finally:
        context.close()


def test_calls_faster_than_speech_keep_the_voice_queue_bounded(live_server, ordinary_browser, officers):
    """With the sound not yet switched on, a recall takes its waiting call's place and beyond 12 announcements the
    oldest are dropped; once on, the 12 kept are spoken in order and the clip log keeps only the last 100."""
    context = ordinary_browser.new_context(locale="vi-VN", viewport=TV_SIZES["1920x1080"])
    page = context.new_page()
    open_display(page, f"{live_server.url}/display?{FAST_VOICE}")
    # The silent probe has been refused (the button is up): calls now wait in the queue, none starts playing. The
    # page's scripts and the probe took over 5 s once with five test workers on two cores: 15 s is allowed.
    expect(page.get_by_role("button", name="Bật âm thanh")).to_be_visible(timeout=15_000)
    for _ in range(13):
        issue(live_server.url, "ly-lich")
    an = officers("an", 1)
    assert an.act("call_next")["ok"] and an.act("recall")["ok"] and an.act("recall")["ok"]
    applied(page, an.wait_event("ticket_recalled", call_count=3))
    voice = page.evaluate("({queued: hangdoiVoice.queued, merged: hangdoiVoice.merged, dropped: hangdoiVoice.dropped,"
                          " enabled: hangdoiVoice.enabled, played: hangdoiVoice.played.slice()})")
    assert [voice["queued"], voice["merged"], voice["dropped"]] == [1, 2, 0], voice

    for _ in range(12):   # A002 … A013 at the same counter, none of them spoken yet
        assert an.act("start")["ok"] and an.act("finish")["ok"] and an.act("call_next")["ok"]
    applied(page, an.wait_event("ticket_called", label="A013"))
    assert page.evaluate("[hangdoiVoice.queued, hangdoiVoice.dropped]") == [12, 1]   # A001's announcement went

    # Clips that fail to load are skipped at once: the 12 announcements go by in seconds.
    page.route("**/voice/**", lambda route: route.abort())
    page.get_by_role("button", name="Bật âm thanh").click()
    expected = [clip for n in range(2, 14)
                for clip in an.wait_event("ticket_called", label=f"A{n:03d}")["announcement"]["clips"]]
    assert len(expected) > 100
    assert played(page, len(expected), timeout=60) == expected[-100:]
    assert page.evaluate("[hangdoiVoice.count, hangdoiVoice.queued]") == [len(expected), 0]
    context.close()


def upcoming_from_server(url: str) -> dict:
    """What the server says comes next per service (socket `upcoming`, the core's call order)."""
    client = socketio.Client(reconnection=False)
    client.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        reply = client.call("upcoming", {}, timeout=10)
    finally:
        client.disconnect()
    assert reply["ok"], reply
    return reply


def panel_rows(page) -> dict:
    """The waiting panel as drawn: service → (count, [next labels], [labels marked priority])."""
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#waiting .waiting-row'))
      .map((row) => [row.dataset.service, [row.querySelector('.waiting-count').textContent,
        Array.from(row.querySelectorAll('.waiting-ticket')).map((t) => t.textContent),
        Array.from(row.querySelectorAll('.waiting-ticket.priority')).map((t) => t.textContent)]]))""")


def test_the_waiting_panel_shows_waiting_services_and_their_next_numbers(live_server, tv, officers):
    page = tv
    open_display(page, f"{live_server.url}/display?voice=off")
    tickets = [issue(live_server.url, "ly-lich") for _ in range(3)]
    tickets.append(issue(live_server.url, "ly-lich", priority_group="nguoi-cao-tuoi"))
    tickets += [issue(live_server.url, "ly-lich"), issue(live_server.url, "lai-xe")]
    applied(page, {"seq": upcoming_from_server(live_server.url)["seq"]})

    def expected():
        services = upcoming_from_server(live_server.url)["services"]
        return {code: [str(sum(t["service_code"] == code for t in tickets if t["label"] not in called)),
                       [t["label"] for t in nexts], [t["label"] for t in nexts if t["priority_group"]]]
                for code, nexts in services.items()}

    called: set[str] = set()
    want = expected()
    assert set(want) == {"ly-lich", "lai-xe"}   # ho-tich and van-tai: nobody waits, no row
    assert want["ly-lich"][2] == [tickets[3]["label"]]   # the priority citizen is among the next four
    deadline = time.monotonic() + 10
    while panel_rows(page) != want:
        assert time.monotonic() < deadline, (panel_rows(page), want)
        page.wait_for_timeout(100)
    save_screenshot(page, f"display-{page.size}-waiting-next-numbers")

    cuong = officers("cuong", 3)
    assert cuong.act("call_next")["ok"]   # the only lai-xe citizen: its row goes
    called.add(cuong.wait_event("ticket_called")["label"])
    an = officers("an", 1)
    assert an.act("call_next")["ok"]
    called.add(an.wait_event("ticket_called", counter_number=1)["label"])
    want = expected()
    assert set(want) == {"ly-lich"}
    deadline = time.monotonic() + 10
    while panel_rows(page) != want:
        assert time.monotonic() < deadline, (panel_rows(page), want)
        page.wait_for_timeout(100)


def recent_rows(page) -> list[str]:
    return page.locator("#recent .recent-row").evaluate_all(
        "(rows) => rows.map((r) => r.querySelector('.recent-label').textContent + ' '"
        " + r.querySelector('.recent-counter').textContent)")


def test_headline_and_history_agree_after_a_transfer(live_server, tv, officers):
    page = tv
    open_display(page, f"{live_server.url}/display?{FAST_VOICE}")
    first, second = issue(live_server.url, "ly-lich")["label"], issue(live_server.url, "ly-lich")["label"]
    an, binh = officers("an", 1), officers("binh", 2)
    assert an.act("call_next")["ok"] and binh.act("call_next")["ok"]
    applied(page, binh.wait_event("ticket_called", counter_number=2))
    assert recent_rows(page) == [f"{first} Quầy 01"]

    # Counter 1 sends its citizen to counter 2: the headline and the history say counter 2, and only that.
    assert an.act("start")["ok"] and an.act("transfer", to_counter=2)["ok"]
    sent = an.wait_event("ticket_transferred")
    assert sent["to_counter"] == 2
    applied(page, sent)
    expect(page.locator("#newest")).to_contain_text(f"MỜI SỐ {first} ĐẾN QUẦY 02")
    expect(page.locator("#newest-tag")).to_have_text("Chuyển quầy")
    assert recent_rows(page) == [f"{second} Quầy 02"]
    expect(page.locator('#waiting [data-service="ly-lich"] .waiting-next')).to_have_text(first)   # waits for 02
    save_screenshot(page, f"display-{page.size}-after-transfer")
    # A TV switched on now draws the same from the snapshot.
    page.reload()
    page.wait_for_selector("body[data-seq]", state="attached")
    expect(page.locator("#newest")).to_contain_text(f"MỜI SỐ {first} ĐẾN QUẦY 02")
    assert recent_rows(page) == [f"{second} Quầy 02"]

    # Counter 2 calls the citizen it was sent: one line per citizen, never the old counter.
    assert binh.act("start")["ok"] and binh.act("finish")["ok"] and binh.act("call_next")["ok"]
    applied(page, binh.wait_event("ticket_called", label=first))
    expect(page.locator("#newest")).to_contain_text(f"MỜI SỐ {first} ĐẾN QUẦY 02")
    assert recent_rows(page) == [f"{second} Quầy 02"]

    # Sent on to another service: it leaves the headline and the history and waits under its new service.
    assert binh.act("start")["ok"] and binh.act("transfer", to_service="ho-tich")["ok"]
    applied(page, binh.wait_event("ticket_requeued", service_code="ho-tich"))
    expect(page.locator("#newest")).to_contain_text(f"MỜI SỐ {second} ĐẾN QUẦY 02")
    assert recent_rows(page) == []
    expect(page.locator('#waiting [data-service="ho-tich"] .waiting-next')).to_have_text(first)
