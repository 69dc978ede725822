"""Fixtures: a core on a temporary database with a controllable clock, the Flask app, the real server."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest

from server import create_app
from server.core.center import load_center
from server.core.queue import Queue
from server.core.store import Store
from server.settings import Settings
from tests.csrf import CsrfFlaskClient
from tests.live import SMALL_CENTER, LiveServer

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class FakeClock:
    """Epoch seconds that only move when a test says so; starts on a Monday 08:00 in Việt Nam."""

    def __init__(self, start=dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)):
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 0, minutes: float = 0):
        self.now += seconds + 60 * minutes

    def set(self, moment: dt.datetime):
        self.now = moment.timestamp()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def center():
    return load_center(SMALL_CENTER)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "q.db")
    yield s
    s.close()


@pytest.fixture
def queue(center, store, clock):
    return Queue(center, store, clock)


@contextmanager
def app_over(tmp_path, extra_toml: str = "", name: str = "app", edit=None):
    """The Flask app (threading mode) on a temporary database, over the small center with `extra_toml` appended
    (e.g. a `[rating]` table) and `edit` (text → text) applied."""
    center = SMALL_CENTER
    if extra_toml or edit:
        text = SMALL_CENTER.read_text(encoding="utf-8") + "\n" + extra_toml
        center = tmp_path / f"{name}.toml"
        center.write_text(edit(text) if edit else text, encoding="utf-8")
    settings = Settings(center_file=center, database=tmp_path / f"{name}.db", async_mode="threading",
                        testing=True, secret_key="test", require_devices=False)
    application = create_app(settings)
    application.test_client_class = CsrfFlaskClient
    try:
        yield application
    finally:
        application.extensions["hangdoi"].store.close()
        application.extensions["hangdoi_lock"].close()


@pytest.fixture
def app(tmp_path):
    with app_over(tmp_path) as application:
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path / "live.db").start()
    yield server
    server.stop()


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (no downloaded browser)."""
    path = chromium_path()
    if not path:
        if os.environ.get("HANGDOI_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--disable-gpu", "--disable-background-networking",
                                                          "--disable-component-update", "--no-first-run",
                                                          "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920})
    p = context.new_page()
    yield p
    context.close()
