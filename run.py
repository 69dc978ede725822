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
import logging  # noqa: E402
import sys  # noqa: E402

from server import create_app  # noqa: E402
from server.core.center import CenterConfigError  # noqa: E402
from server.core.store import DatabaseInUse, DatabaseUnusable  # noqa: E402
from server.logs import configure as configure_logs  # noqa: E402
from server.logs import wsgi_errors  # noqa: E402
from server.settings import Settings  # noqa: E402

log = logging.getLogger("hangdoi")

DEMO_PASSWORD = "hangdoi"


def refuse_start(message: str):
    """Stop before serving, saying why on one log line (server/logs.py: every line is a record)."""
    log.critical(message)
    sys.exit(1)


def seed_demo_passwords(rt):
    """Demo only: officers without a password get DEMO_PASSWORD so the console can be tried at once."""
    seeded = [o.username for o in rt.center.officers if not rt.accounts.has_password(o.username)]
    for username in seeded:
        rt.accounts.set_password(username, DEMO_PASSWORD)
    if seeded:
        log.info("demo officers %s: password '%s'", ", ".join(seeded), DEMO_PASSWORD)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Hàng đợi server")
    parser.add_argument("--demo", action="store_true",
                        help="demo center, issuing numbers at any hour so it can be tried outside office hours")
    args = parser.parse_args(argv)
    # Everything the process writes becomes log records, whatever library wrote it (server/logs.py).
    configure_logs(os.environ.get("HANGDOI_LOG_FORMAT", "json"), capture_streams=True)
    settings = Settings.from_environment()
    settings.ignore_opening_hours = settings.ignore_opening_hours or args.demo
    settings.auto_pair_local = settings.auto_pair_local or args.demo
    try:  # the port first: a second server is refused before it touches any database
        listener = listen(settings)
    except OSError as exc:
        refuse_start(f"Không khởi động được: cổng {settings.port} trên {settings.host} đang được một chương trình"
                     f" khác sử dụng hoặc không mở được ({exc.strerror or exc}).")
    try:
        app = create_app(settings)
    except CenterConfigError as exc:
        refuse_start(f"Cấu hình trung tâm không hợp lệ / invalid center file: {exc}")
    except (DatabaseInUse, DatabaseUnusable) as exc:
        refuse_start(f"Không khởi động được: {exc}")
    rt = app.extensions["hangdoi"]
    if args.demo:
        seed_demo_passwords(rt)
    socketio = rt.socketio
    log.info("Hàng đợi: %s, http://%s:%s/ (%s, database %s)", rt.center.name, settings.host, settings.port,
             socketio.async_mode, settings.database)
    # Everything loaded so far lives for the whole run: keep it out of the collector, and collect the old
    # generation rarely, so full collections (85–150 ms at 500 screens) do not delay calls (BENCHMARKS.md).
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 100)
    serve(app, listener, settings)


def listen(settings: Settings):
    """The listening socket, bound without SO_REUSEPORT: eventlet.listen sets it by default, and with it a second
    server bound the same port and took half the kiosks (each on its own database). SO_REUSEADDR stays, so a
    restart does not wait for old connections. None in threading mode (Werkzeug binds its own, the same way)."""
    if settings.async_mode == "threading":
        return None
    import socket

    family, _, _, _, address = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)[0]
    if settings.async_mode == "eventlet":
        import eventlet

        return eventlet.listen(address, family, reuse_port=False)
    sock = socket.socket(family, socket.SOCK_STREAM)  # gevent's, monkey-patched
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(GEVENT_BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


GEVENT_BACKLOG = 128  # gevent's own default for the servers it binds itself


def serve(app, listener, settings: Settings):
    """Serve the app on the bound socket until stopped, with TCP_NODELAY on every connection."""
    socketio = app.extensions["hangdoi"].socketio
    if settings.async_mode == "eventlet":
        from eventlet import wsgi

        # No access log (log_output); what eventlet writes to `wsgi.errors` (its websocket's "socket shutdown
        # error", without a newline) becomes one record per line instead of raw text on standard error.
        wsgi.server(listener, app, log=logging.getLogger("eventlet.wsgi"), log_output=False,
                    environ={"wsgi.errors": wsgi_errors()},
                    protocol=no_delay_protocol())
    elif settings.async_mode == "gevent":
        from gevent import pywsgi

        # No access log; gevent's error log (also `wsgi.errors`) is a logger: one record per message.
        pywsgi.WSGIServer(listener, app, log=None, error_log=logging.getLogger("gevent.pywsgi"),
                          handler_class=no_delay_handler()).serve_forever()
    else:
        try:
            socketio.run(app, host=settings.host, port=settings.port, log_output=False, allow_unsafe_werkzeug=True)
        except OSError as exc:
            refuse_start(f"Không khởi động được: cổng {settings.port} trên {settings.host} đang được sử dụng"
                         f" ({exc.strerror or exc}).")


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
