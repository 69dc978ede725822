"""The kiosk's voice reads its choices' numbers as words, in Debian's chromium against the real server: on the demo
center's start screen (sixteen departments) "chọn số 12" is mười hai, not một hai, and the keys 1 then 2 take
the twelfth choice. The ticket's sentence is in tests/test_browser_a11y_kiosk.py's walk-through."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.core.guidance import name_key
from server.settings import DEMO_CENTER
from tests.live import LiveServer
from tests.test_browser_a11y_kiosk import kiosk, press, words

pytestmark = [pytest.mark.browser, pytest.mark.live]


def numbers_read(spoken):
    """Each choice's number as read: the clips between "chọn số" and the choice's name."""
    read = []
    for at, key in enumerate(spoken):
        if key == "hd-chon-so":
            rest = spoken[at + 1:]
            read.append(rest[:next(i for i, k in enumerate(rest) if not k.startswith("w-"))])
    return read


def test_the_twelfth_choice_is_read_mười_hai_and_keyed_1_2(tmp_path, browser):
    server = LiveServer(tmp_path / "demo.db", center=DEMO_CENTER, env={"HANGDOI_IGNORE_OPENING_HOURS": "1"}).start()
    try:
        context, page = kiosk(browser, server)
        try:
            titles = page.locator('.screen[data-screen="home"] .choice .choice-title').all_inner_texts()
            assert len(titles) >= 12, titles  # the demo center has sixteen departments
            spoken = press(page, "*")
            read = numbers_read(spoken)
            assert read == [words(n) for n in range(1, len(read) + 1)] and len(read) == len(titles)
            assert read[11] == ["w-muoif", "w-hai"] and read[9] == ["w-muoif"]  # 12 mười hai, 10 mười
            twelfth = spoken.index(name_key(titles[11]))
            assert spoken[twelfth - 3:twelfth] == ["hd-chon-so", "w-muoif", "w-hai"]

            # 1 then 2: the twelfth department, its services' screen, or its one service's priority screen.
            page.keyboard.press("1")
            press(page, "2")
            screen = page.locator("body").get_attribute("data-screen")
            assert screen in ("services", "priority"), screen
            expect(page.locator(f'.screen[data-screen="{screen}"]')).to_contain_text(titles[11])
        finally:
            context.close()
    finally:
        server.stop()
