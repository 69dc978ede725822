"""The browser start lines of docs/OPERATIONS.md ("Kiosk and TV browsers"), read from the page and run as written:
chromium started with the TV's flags plays the chime and the voice of a call with nobody touching the screen, at
1920×1080 and 1366×768; the kiosk's flags (kiosk printing, full screen) open the kiosk. Only the address (this test's
server) and the profile folder (a temporary one, as Playwright wants it) differ from the documented lines."""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import chromium_path
from tests.live import ROOT
from tests.officer import issue
from tests.screenshots import save_screenshot
from tests.test_browser_display import FAST_VOICE, TV_SIZES, applied, heard, officers, open_display, wait_js

__all__ = ["officers"]   # the fixture, shared with tests/test_browser_display.py

pytestmark = [pytest.mark.browser, pytest.mark.live]

OPERATIONS = ROOT / "docs" / "OPERATIONS.md"


def documented_line(path: str) -> tuple[list[str], str]:
    """The flags and the address of the documented `chromium …` line that opens `path` (e.g. "/display")."""
    for line in OPERATIONS.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line.strip()) if line.strip().startswith("chromium ") else []
        if words and urlsplit(words[-1]).path == path:
            return words[1:-1], words[-1]
    raise AssertionError(f"docs/OPERATIONS.md gives no chromium line for {path}")


def start_as_documented(browser, path: str, tmp_path, size: str):
    """The chromium a TV runs, started with the documented flags (its own profile folder, as --user-data-dir
    asks)."""
    flags, _ = documented_line(path)
    profile = [f for f in flags if f.startswith("--user-data-dir=")]
    assert profile, "the documented line keeps its pairing in a fixed profile folder"
    rest = [f for f in flags if f not in profile]
    return browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=chromium_path(full=True), args=["--disable-gpu", *rest], locale="vi-VN",
        viewport=TV_SIZES[size])


def test_the_tv_line_is_kiosk_full_screen_and_autoplay():
    flags, address = documented_line("/display")
    assert {"--kiosk", "--start-fullscreen", "--autoplay-policy=no-user-gesture-required"} <= set(flags)
    kiosk_flags, kiosk_address = documented_line("/kiosk")
    assert {"--kiosk", "--start-fullscreen", "--kiosk-printing"} <= set(kiosk_flags)
    assert urlsplit(kiosk_address).query == "kiosk=K1"


@pytest.mark.parametrize("size", list(TV_SIZES))
def test_a_tv_started_as_documented_speaks_without_a_click(live_server, browser, officers, tmp_path, size):
    context = start_as_documented(browser, "/display", tmp_path, size)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        open_display(page, f"{live_server.url}/display?{FAST_VOICE}")
        wait_js(page, "window.hangdoiVoice.enabled")
        issue(live_server.url, "ly-lich")
        an = officers("an", 1)
        assert an.act("call_next")["ok"]
        call = an.wait_event("ticket_called", label="A001")
        applied(page, call)
        clips = call["announcement"]["clips"]
        assert clips[0] == "chime"
        assert heard(page, len(clips)) == clips   # the chime and every word sounded; nobody clicked
        expect(page.locator("#sound-overlay")).to_be_hidden()
        expect(page.locator("#newest")).to_contain_text("MỜI SỐ A001 ĐẾN QUẦY 01")
        # The TV moves (the other browser tests ask for reduced motion): the notice scrolls, the new call blinks.
        running = page.evaluate("() => document.getAnimations().filter(a => a.playState === 'running')"
                                ".map(a => a.animationName)")
        assert {"ticker-run", "newest-blink"} <= set(running), running
        save_screenshot(page, f"display-{size}-started-as-documented")
    finally:
        context.close()


def test_a_kiosk_started_as_documented_opens_the_kiosk(live_server, browser, tmp_path):
    context = start_as_documented(browser, "/kiosk", tmp_path, "1920x1080")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        _, address = documented_line("/kiosk")
        page.goto(f"{live_server.url}/kiosk?{urlsplit(address).query}")
        expect(page.get_by_text("Sở Tư pháp").first).to_be_visible()
        save_screenshot(page, "kiosk-1920x1080-started-as-documented")
    finally:
        context.close()
