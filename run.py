"""Start the Hàng đợi server: eventlet by default, gevent with HANGDOI_ASYNC_MODE=gevent (see README)."""

import os
import warnings

ASYNC_MODE = os.environ.get("HANGDOI_ASYNC_MODE", "eventlet")
# Patch the standard library before anything else imports it (Flask-SocketIO docs, deployment).
if ASYNC_MODE == "eventlet":
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402

from server import create_app  # noqa: E402
from server.core.center import CenterConfigError  # noqa: E402
from server.logs import configure as configure_logs  # noqa: E402
from server.core.store import DatabaseInUse  # noqa: E402
from server.settings import Settings  # noqa: E402


DEMO_PASSWORD = "hangdoi"


def seed_demo_passwords(rt):
    """Demo only: officers without a password get DEMO_PASSWORD so the console can be tried at once."""
    seeded = [o.username for o in rt.center.officers if not rt.accounts.has_password(o.username)]
    for username in seeded:
        rt.accounts.set_password(username, DEMO_PASSWORD)
    if seeded:
        print(f"  demo officers {', '.join(seeded)}: password '{DEMO_PASSWORD}'", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Hàng đợi server")
    parser.add_argument("--demo", action="store_true",
                        help="demo center, issuing numbers at any hour so it can be tried outside office hours")
    args = parser.parse_args(argv)
    configure_logs(os.environ.get("HANGDOI_LOG_FORMAT", "json"))
    settings = Settings.from_environment()
    settings.ignore_opening_hours = settings.ignore_opening_hours or args.demo
    settings.auto_pair_local = settings.auto_pair_local or args.demo
    try:
        app = create_app(settings)
    except CenterConfigError as exc:
        sys.exit(f"Cấu hình trung tâm không hợp lệ / invalid center file:\n  {exc}")
    except DatabaseInUse as exc:
        sys.exit(f"Không khởi động được: {exc}")
    rt = app.extensions["hangdoi"]
    if args.demo:
        seed_demo_passwords(rt)
    socketio = rt.socketio
    print(f"Hàng đợi: {app.extensions['hangdoi'].center.name}", flush=True)
    print(f"  http://{settings.host}:{settings.port}/  ({socketio.async_mode}, database {settings.database})",
          flush=True)
    extra = {"handler_class": no_delay_handler()} if settings.async_mode == "gevent" else \
        {"protocol": no_delay_protocol()} if settings.async_mode == "eventlet" else {}
    # Everything loaded so far lives for the whole run: keep it out of the collector, and collect the old
    # generation rarely, so full collections (85–150 ms at 500 screens) do not delay calls (BENCHMARKS.md).
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 100)
    socketio.run(app, host=settings.host, port=settings.port, log_output=False,
                 allow_unsafe_werkzeug=settings.async_mode == "threading", **extra)


def no_delay_protocol():
    """eventlet: a broadcast frame then an ack on the same socket waited ~40 ms for Nagle's algorithm."""
    import socket

    from eventlet import wsgi

    class NoDelayProtocol(wsgi.HttpProtocol):
        def setup(self):
            try:
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            super().setup()

    return NoDelayProtocol


def no_delay_handler():
    """gevent's server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm holds the body
    until the client's delayed ACK, ~40 ms on every keep-alive request (measured, BENCHMARKS.md)."""
    import socket

    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):
        def __init__(self, sock, *args, **kwargs):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not a TCP socket
                pass
            super().__init__(sock, *args, **kwargs)

    return NoDelayHandler


if __name__ == "__main__":
    main()
