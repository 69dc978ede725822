"""Fixtures: a core on a temporary database with a controllable clock, the Flask app, the real server.

Marks follow the fixtures (pytest_collection_modifyitems): a test that uses `browser` (or `page`) is marked
`browser` and `live`, one that uses `live_server` or `shared_server` is marked `live`, so `pytest -m "not live"`
is the quick loop of unit tests (README). Modules with a test marked `slow` run first, then those with a `live`
test, the unit modules last, so that under xdist the workers finish at about the same time. live_server gives
each test a fresh server, started during the test before (ServerPool); shared_server is one server for the tests
that only read.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest

from server import create_app
from server.core.center import load_center
from server.core.queue import Queue
from server.core.store import Store
from server.settings import Settings
from tests import hash_cost
from tests.csrf import CsrfFlaskClient
from tests.live import SMALL_CENTER, LiveServer

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# pg_cluster and pg_database for every module from here: a session fixture imported into each hub module would be
# a fixture of that module, and start a PostgreSQL cluster per module instead of one per session (xdist worker).
pytest_plugins = ["tests.pg"]


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


@pytest.fixture(autouse=True)
def password_hash_cost(request):
    """A low scrypt cost for passwords hashed in this process, unless the test is marked production_hash_cost
    (tests/hash_cost.py says why)."""
    production = request.node.get_closest_marker("production_hash_cost") is not None
    hash_cost.use(hash_cost.PRODUCTION if production else hash_cost.LOW)
    yield
    hash_cost.use(hash_cost.PRODUCTION)


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


NEXT_ITEM = pytest.StashKey()


def pytest_collection_modifyitems(config, items):
    """Mark tests by the fixtures they use, then order whole modules (a module-scoped server is started once; the
    order inside a module is kept): those holding a `slow` test first, then those holding a `live` one (servers,
    browsers: tens of seconds each), the unit modules (seconds each) last. xdist hands a worker the next module
    when it is nearly done, so with the long ones first both workers end on short ones, at about the same time."""
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if {"browser", "live_server", "shared_server"} & set(item.fixturenames):
            item.add_marker(pytest.mark.live)
    slow_modules = {getattr(item, "module", None) for item in items if item.get_closest_marker("slow")}
    live_modules = {getattr(item, "module", None) for item in items if item.get_closest_marker("live")}

    def weight_class(item):
        module = getattr(item, "module", None)
        return module not in slow_modules, module not in live_modules

    items.sort(key=weight_class)  # stable: each class keeps its order


def pytest_runtest_protocol(item, nextitem):
    """Remember which test comes next on this process, so that live_server can start its server ahead."""
    item.stash[NEXT_ITEM] = nextitem


class ServerPool:
    """Fresh servers, each over its own empty database, started one test ahead: while a test runs, the server of
    the next test that asks for one starts in a thread (1–3 s of interpreter start-up and imports that no test
    then waits for)."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.spare: tuple[LiveServer, threading.Thread, list] | None = None

    def prepare(self):
        """Start the next server in the background (once)."""
        if self.spare is None:
            server = LiveServer(self.tmp_path_factory.mktemp("live") / "live.db")
            failure: list[BaseException] = []

            def start():
                try:
                    server.start()
                except BaseException as exc:  # noqa: BLE001 — raised again in the test that takes the server
                    failure.append(exc)

            thread = threading.Thread(target=start, name="live-server-start", daemon=True)
            thread.start()
            self.spare = (server, thread, failure)

    def take(self) -> LiveServer:
        """The prepared server once it answers (started now if none was prepared)."""
        self.prepare()
        server, thread, failure = self.spare
        self.spare = None
        thread.join()
        if failure:
            server.stop()
            raise failure[0]
        return server

    def close(self):
        if self.spare is not None:
            server, thread, _ = self.spare
            thread.join()
            server.stop()
            self.spare = None


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory):
    pool = ServerPool(tmp_path_factory)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory):
    """One real server for the whole session (for each xdist worker), for tests that only read from it: nothing
    issued, no counter opened, no restart. A test that changes anything takes live_server, a server of its own."""
    server = LiveServer(tmp_path_factory.mktemp("shared") / "live.db").start()
    yield server
    server.stop()


@pytest.fixture
def live_server(server_pool, request):
    """The real server (eventlet) on a free port over a new, empty database, stopped after the test."""
    server = server_pool.take()
    following = request.node.stash.get(NEXT_ITEM, None)
    if following is not None and "live_server" in following.fixturenames:
        server_pool.prepare()
    yield server
    server.stop()


def chromium_path(full: bool = False):
    """Debian's chromium-headless-shell (the same Chromium build without a browser window's UI processes: a third
    of the CPU of `chromium --headless` on the kiosk's tests, BENCHMARKS.md "Test suite"), or with `full` the
    browser the center's screens run; CHROMIUM_PATH overrides both."""
    found = None if full else shutil.which("chromium-headless-shell")
    return os.environ.get("CHROMIUM_PATH") or found or shutil.which("chromium")


# Every page as a citizen who asked for less motion sees it (prefers-reduced-motion): without a GPU, Chromium draws
# the lobby's scrolling notice sixty times a second in software, which cost the 5,000-event soak 16 s of its 88 s of
# CPU (BENCHMARKS.md, Test suite). The moving screen is tested as a TV runs it in tests/test_browser_display_start.py.
TEST_BROWSER_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--force-prefers-reduced-motion"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium (its headless shell) driven by Playwright (no downloaded browser)."""
    path = chromium_path()
    if not path:
        if os.environ.get("HANGDOI_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=[*TEST_BROWSER_ARGS,
                                                          "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920})
    p = context.new_page()
    yield p
    context.close()
