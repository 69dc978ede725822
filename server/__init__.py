"""Hàng đợi: queue and satisfaction system for public administrative service centers."""

from __future__ import annotations

import datetime as dt
import logging
import time

from flask import Flask
from flask_socketio import SocketIO

from .core.accounts import Accounts
from .core.appointments import Appointments
from .core.backup import backup, backup_due, remove_partials
from .core.center_versions import effective_center, latest_version
from .core.devices import Devices
from .core.queue import Queue
from .core.ratings import Ratings
from .core.store import DatabaseUnusable, Store, hold_server_lock
from .core.summaries import summarize_past_days
from .settings import Settings
from .web import (
    Runtime,
    admin,
    api,
    appointments,
    auth,
    devices,
    feedback,
    hub_push,
    kiosk,
    overview,
    pages,
    realtime,
    reports,
    signal_factory,
    timeline,
)
from .web.errors import register_error_handlers
from .web.issuing import IssueBatcher

log = logging.getLogger("hangdoi")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    # Ticket pages carry their token in the URL: never leak it to another site.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
                               " connect-src 'self' ws: wss:; media-src 'self'; frame-ancestors 'self'",
}


SUMMARY_JOB_SECONDS = 600


def keep_summaries_current(rt: Runtime):
    """Every ten minutes, store the daily summaries of past days that changed (month reports read these)."""
    while True:
        try:
            computed = rt.offload(summarize_past_days, rt.store, rt.center)
            if computed:
                log.info("stored %d daily summaries", computed)
        except Exception:  # a failed run is retried at the next one; live calls go on regardless
            log.exception("daily summaries failed")
        rt.socketio.sleep(SUMMARY_JOB_SECONDS)


DAY_CLOSE_SECONDS = 60


def close_past_days(rt: Runtime):
    """Every minute (and at start-up, after a night the server was off): counters left open since an earlier day
    are closed, so nobody finishes yesterday's ticket this morning."""
    while True:
        try:
            closed = rt.queue.close_past_days().result["closed"]
            if closed:
                log.info("day close: counters %s were left open and are closed", closed)
        except Exception:  # tried again next minute; the queue goes on regardless
            log.exception("day close failed")
        rt.socketio.sleep(DAY_CLOSE_SECONDS)


def settle_appointments(rt: Runtime):
    """Every minute: bookings past their check-in time and remote numbers past their grace time become no-shows,
    and names and phone numbers past the retention period are erased (server/core/appointments.py, settle)."""
    while True:
        try:
            settled = rt.appointments.settle()
            if any(settled.values()):
                log.info("appointments settled: %s", settled)  # counts only, never who
        except Exception:  # tried again next minute; the queue goes on regardless
            log.exception("appointments job failed")
        rt.socketio.sleep(DAY_CLOSE_SECONDS)


CONFIG_CHECK_SECONDS = 5


def take_up_stored_configuration(rt: Runtime) -> bool:
    """Put to work a configuration version another process stored (the command line's create-admin) and tell every
    screen, as an admin's save does; True when there was one."""
    if not rt.adopt_newer_configuration():
        return False
    realtime.announce_center_changed(rt.socketio, rt.config_version)
    log.info("configuration version %s taken up", rt.config_version)
    return True


def follow_stored_configuration(rt: Runtime):
    """Every few seconds, take up a configuration version another process stored, so a new account signs in
    without a restart. One indexed max() on a table of a few hundred rows."""
    while True:
        try:
            take_up_stored_configuration(rt)
        except Exception:  # an unusable stored version: keep the running one, say so, try again
            log.exception("stored configuration could not be taken up")
        rt.socketio.sleep(CONFIG_CHECK_SECONDS)


BACKUP_CHECK_SECONDS = 3600


def back_up_daily(rt: Runtime):
    """An online backup whenever the newest is a day old (checked hourly), keeping HANGDOI_BACKUP_KEEP files.

    It runs in a worker thread (rt.offload): the copy is one SQLite statement that releases the GIL and holds no
    lock the queue's writer waits for (bench/bench_backup.py measures the writes meanwhile). At start-up, first
    remove the partial files a crash during an earlier backup left behind."""
    try:
        for path in remove_partials(rt.settings.backup_dir):
            log.warning("removed %s, left by a backup that did not finish", path)
    except OSError:
        log.exception("partial backups could not be removed")
    while True:
        try:
            if backup_due(rt.settings.backup_dir):
                path = rt.offload(backup, rt.settings.database, rt.settings.backup_dir, rt.settings.backup_keep)
                log.info("backup written to %s", path)
        except Exception:
            log.exception("backup failed")
        rt.socketio.sleep(BACKUP_CHECK_SECONDS)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for one center: open its database, load and check its configuration (the file when it
    changed, else the version edited last, server/core/center_versions.py), wire HTTP and Socket.IO."""
    settings = settings or Settings.from_environment()
    server_lock = hold_server_lock(settings.database)  # refuses a second server on the same file
    try:
        store = Store(settings.database)
    except DatabaseUnusable:
        server_lock.close()
        raise
    try:
        store.ensure_writable()  # a read-only or full disk is said at start-up, in a sentence (run.py)
        center = effective_center(store, settings.center_file, time.time())
    except (ValueError, DatabaseUnusable):  # a bad file: the caller prints which key is wrong
        store.close()
        server_lock.close()
        raise

    app = Flask(__name__, static_folder=None)
    app.config.update(SECRET_KEY=settings.secret_key or store.secret("session_key"), TESTING=settings.testing,
                      MAX_CONTENT_LENGTH=64 * 1024,
                      SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12))
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # answers keep the order they are built in; sorting cost every kiosk answer ~2 µs
    # Same origin only (no cors_allowed_origins): every screen is served by this app.
    socketio = SocketIO(app, async_mode=settings.async_mode, ping_interval=10, ping_timeout=10)
    # Outside Socket.IO's middleware, so its own answers (the polling transport) carry the headers too.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    queue = Queue(center, store)
    rt = Runtime(settings, center, store, queue, Accounts(center, store), Ratings(queue), socketio,
                 Devices(center, store))
    rt.appointments = Appointments(center, store, queue)
    rt.set_center(center, latest_version(store))  # with the demo's always-open hours when they are on
    rt.issuer = IssueBatcher(queue, lambda: socketio.sleep(0), signal_factory(socketio.async_mode))
    app.extensions["hangdoi"] = rt
    app.extensions["hangdoi_lock"] = server_lock
    # THE path from an action to the sockets: each committed transaction's events, broadcast after its COMMIT
    # (server/core/store.py, server/web/realtime.py, docs/ARCHITECTURE.md).
    realtime.broadcast_commits(store, socketio)

    app.register_blueprint(api.bp)
    app.register_blueprint(appointments.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(devices.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(timeline.bp)
    app.register_blueprint(overview.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(pages.bp)
    register_error_handlers(app)
    app.before_request(auth.check_csrf)
    app.after_request(auth.set_csrf_cookie)
    realtime.register_handlers(socketio, rt)
    overview.register_overview_handlers(socketio)

    if not settings.testing:
        socketio.start_background_task(keep_summaries_current, rt)
        socketio.start_background_task(back_up_daily, rt)
        socketio.start_background_task(follow_stored_configuration, rt)
        socketio.start_background_task(close_past_days, rt)
        rt.hub_pusher = hub_push.start(rt)  # facts to the provincial hub, when HANGDOI_HUB_URL is set
        socketio.start_background_task(settle_appointments, rt)

    @app.get("/healthz")
    def health():
        """For monitoring: whether a ticket can be written now (a one-row write, bounded under a second even
        while another process holds the database), else why, with a 503 (docs/API.md)."""
        state = store.health()
        # Delivery to the provincial hub, when on: shown, never a reason for a 503 (the center works without it).
        hub = {"hub": rt.hub_pusher.status()} if getattr(rt, "hub_pusher", None) else {}
        return ({**state, "center": rt.center.name, "async_mode": socketio.async_mode, **hub},
                200 if state["ok"] else 503)

    @app.teardown_request
    def let_others_run(_exc=None):
        """Yield once after each request: under load eventlet otherwise serves a busy keep-alive connection again
        and again while others wait seconds (measured: per-kiosk answers 5…139 without, 24…29 with)."""
        socketio.sleep(0)

    return app


class SecurityHeaders:
    """WSGI middleware giving every answer SECURITY_HEADERS it does not set itself: Flask's pages and API, and the
    Socket.IO answers Flask never sees (after_request does not run for them)."""

    def __init__(self, wsgi_app, headers: dict[str, str] = SECURITY_HEADERS):
        self.wsgi_app, self.headers = wsgi_app, list(headers.items())
        self.names = {name.lower() for name in headers}

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers} & self.names
            return start_response(status, [*headers, *(h for h in self.headers if h[0].lower() not in present)],
                                  exc_info)

        return self.wsgi_app(environ, start)
