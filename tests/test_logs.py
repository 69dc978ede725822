"""server/logs.py: JSON log lines whatever library wrote them (or one text line each), and unexpected errors logged
once a minute per distinct error with a count."""

from __future__ import annotations

import io
import json
import logging
import socket
import subprocess
import sys
import traceback

import pytest

from server.logs import JsonFormatter, LogStream, RepeatedErrors, TextFormatter, configure, wsgi_errors
from tests.live import ROOT


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def failure(value: str) -> Exception:
    """The same error (same type, same raising line) whatever the input quoted in its message."""
    try:
        raise ValueError(f"bad value {value!r}")
    except ValueError as exc:
        return exc


def other_failure() -> Exception:
    try:
        raise ValueError("elsewhere")
    except ValueError as exc:
        return exc


def test_a_repeated_error_is_logged_once_a_minute_then_with_its_count(caplog):
    clock = Clock()
    errors = RepeatedErrors(clock=clock)
    log = logging.getLogger("test.repeated")
    with caplog.at_level(logging.ERROR, "test.repeated"):
        written = [errors.report(log, "GET /api/x", failure(str(i))) for i in range(50)]
        clock.now += 59
        written.append(errors.report(log, "GET /api/x", failure("late")))
        clock.now += 1
        written.append(errors.report(log, "GET /api/x", failure("next minute")))
    assert written == [True] + [False] * 50 + [True]
    first, second = caplog.records
    assert first.getMessage() == "GET /api/x: ValueError" and first.exc_info and first.repeated == 0
    assert second.getMessage() == "GET /api/x: ValueError (and 50 more times since it was last logged)"
    assert second.repeated == 50 and second.exc_info


def test_distinct_errors_are_logged_apart(caplog):
    errors = RepeatedErrors(clock=Clock())
    log = logging.getLogger("test.repeated")
    with caplog.at_level(logging.ERROR, "test.repeated"):
        assert errors.report(log, "GET /api/x", failure("a"))
        assert errors.report(log, "GET /api/y", failure("a"))  # another route
        assert errors.report(log, "GET /api/x", other_failure())  # another line
        assert not errors.report(log, "GET /api/x", failure("b"))
    assert len(caplog.records) == 3


def test_the_memory_of_errors_is_bounded():
    errors = RepeatedErrors(clock=Clock(), limit=10)
    log = logging.getLogger("test.repeated.quiet")
    log.propagate, log.disabled = False, True
    for i in range(100):
        errors.report(log, f"route {i}", failure("x"))
    assert len(errors._last) == 10


def test_a_json_line_with_a_lone_surrogate_can_still_be_written():
    record = logging.makeLogRecord({"name": "x", "levelname": "ERROR", "msg": "comment %s",
                                    "args": ("a\ud800b",), "label": "\udfff"})
    line = JsonFormatter().format(record)
    line.encode("utf-8")  # a strict UTF-8 stream takes it
    assert "\\ud800" in line and json.loads(line)["message"] == "comment a\ud800b"  # escaped, read back as sent


# ----- every line the server writes is one record, whatever library wrote it --------------------------------------

def records(text: str) -> list[dict]:
    """Each line as the JSON object it must be (a raw line fails here, naming itself)."""
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not one JSON object: {line!r}") from None
    return out


@pytest.fixture
def json_lines():
    """The root logger writing JSON lines into a string, as configure() sets it up; restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure("json", stream=stream)
    yield stream
    root.handlers[:], root.level = saved


def test_eventlets_socket_shutdown_error_is_a_record_of_its_own(json_lines):
    """The issue's line: eventlet's websocket writes it to `wsgi.errors` without a newline when it closes a socket
    already closed. Given the server's wsgi.errors, it is one JSON line and the next record starts its own."""
    from eventlet.websocket import RFC6455WebSocket

    mine, theirs = socket.socketpair()
    theirs.close()
    environ = {"wsgi.errors": wsgi_errors(), "SERVER_NAME": "hangdoi", "PATH_INFO": "/socket.io/",
               "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000"}
    ws = RFC6455WebSocket(mine, environ)
    mine.close()
    ws.close()  # the real library code: shutdown fails with EBADF, said on wsgi.errors
    logging.getLogger("hangdoi.events").info("events")
    said = records(json_lines.getvalue())
    assert [(r["logger"], r["level"]) for r in said] == [("eventlet.wsgi", "WARNING"), ("hangdoi.events", "INFO")]
    assert said[0]["message"].endswith("socket shutdown error: [Errno 9] Bad file descriptor")


def test_a_log_stream_keeps_a_printed_traceback_together(json_lines):
    stream = LogStream(logging.getLogger("stderr"))
    try:
        raise ValueError("boom")
    except ValueError:
        traceback.print_exc(file=stream)  # line by line, as eventlet's and gevent's hubs print
    stream.write("half a line")
    stream.write(" and the rest\n\n")
    said = records(json_lines.getvalue())
    assert [r["level"] for r in said] == ["ERROR", "WARNING", "WARNING"]
    assert said[0]["message"].startswith("Traceback (most recent call last):\n  File ")
    assert said[0]["message"].endswith("ValueError: boom")
    assert [r["message"] for r in said[1:]] == ["half a line", " and the rest"]  # each write is a record


def test_a_traceback_cut_short_is_written_at_the_flush(json_lines):
    stream = LogStream(logging.getLogger("stderr"))
    stream.write("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n")
    assert json_lines.getvalue() == ""
    stream.flush()
    [said] = records(json_lines.getvalue())
    assert said["level"] == "ERROR" and said["message"].count("\n") == 1


def test_what_logging_itself_writes_to_a_log_stream_is_not_logged_again():
    fallback = io.StringIO()
    logger = logging.getLogger("test.loop")
    logger.propagate = False
    stream = LogStream(logger, fallback=fallback)

    class Reporting(logging.Handler):
        def emit(self, record):
            stream.write(f"handler saw {record.getMessage()}\n")  # as logging's handleError writes to stderr

    logger.addHandler(Reporting())
    try:
        stream.write("once\n")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    assert fallback.getvalue() == "handler saw once\n"


def test_text_mode_writes_one_line_per_record():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    log = logging.getLogger("test.text")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed\nover two lines")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    [line] = stream.getvalue().splitlines()
    assert "ERROR test.text: failed\\nover two lines\\nTraceback" in line and line.endswith("ValueError: boom")


CAPTURED = """
import logging, sys, threading, warnings
import engineio
from server.logs import configure
configure(sys.argv[1], capture_streams=True)
print("printed", "by", "someone")
sys.stderr.write("raw write without a newline")
warnings.warn("a library's warning")
engineio.Server(async_mode="threading").logger.error("engineio says so")
logging.getLogger("werkzeug").info("werkzeug says so")
thread = threading.Thread(target=lambda: 1 / 0, name="worker")
thread.start()
thread.join()
raise ValueError("uncaught")
"""


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_everything_a_process_writes_is_a_record_once_configured(tmp_path, fmt):
    """print, raw stderr writes, warnings, engineio's and werkzeug's loggers, exceptions nobody caught (in a thread
    and in the main one): one record each, one line each."""
    run = subprocess.run([sys.executable, "-c", CAPTURED, fmt], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=False)
    lines = (run.stdout + run.stderr).splitlines()
    assert run.returncode == 1 and run.stdout == ""
    if fmt == "json":
        said = records(run.stderr)
        assert [(r["logger"], r["message"].splitlines()[0]) for r in said] == [
            ("stdout", "printed"), ("stdout", "by"), ("stdout", "someone"),
            ("stderr", "raw write without a newline"),
            ("py.warnings", "<string>:8: UserWarning: a library's warning"),
            ("engineio.server", "engineio says so"), ("werkzeug", "werkzeug says so"),
            ("hangdoi", "uncaught ZeroDivisionError in thread worker"), ("hangdoi", "uncaught ValueError")]
        assert said[-1]["level"] == "CRITICAL" and said[-1]["error"].endswith("ValueError: uncaught")
    else:
        assert len(lines) == 9 and all(" INFO " in line or " WARNING " in line or " ERROR " in line
                                       or " CRITICAL " in line for line in lines)
        assert lines[-1].endswith("ValueError: uncaught")


@pytest.mark.live
@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_every_line_of_the_real_server_is_a_json_object(tmp_path, mode):
    """The server process (run.py) under traffic: tickets, a display and a phone following, sockets that go away
    with a close frame, half-closed, reset mid-stream and a polling client that vanishes; a refused request; then
    every line it wrote, start-up included, is one JSON object."""
    import requests
    import websocket

    from tests.live import LiveServer

    server = LiveServer(tmp_path / "logs.db", async_mode=mode).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
        token = requests.post(server.url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=5).json()["token"]
        for ending in ("close frame", "half close", "reset", "close frame", "reset"):
            ws = websocket.create_connection(url, timeout=5)
            ws.recv()
            ws.send("40")
            ws.recv()
            ws.send('42["subscribe",{"screen":"display"}]')
            ws.send(f'42["follow_ticket",{{"token":"{token}"}}]')
            requests.post(server.url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=5)
            if ending == "close frame":
                ws.close()
            elif ending == "half close":
                ws.sock.shutdown(socket.SHUT_WR)
                ws.sock.close()
            else:  # an RST: the screen's network went away
                ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                ws.sock.close()
        polling = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=5)  # then never again
        assert polling.ok
        assert requests.post(server.url + "/api/tickets", data="{not json", timeout=5,
                             headers={"Content-Type": "application/json"}).status_code == 400
        assert requests.get(server.url + "/healthz", timeout=5).ok
    finally:
        server.stop()
    said = records(server.log_path.read_text(encoding="utf-8"))
    assert said[0]["message"].startswith("Hàng đợi: ") and mode in said[0]["message"]
    issued = [e for r in said if r["logger"] == "hangdoi.events" for e in r["events"]]
    assert [e[1] for e in issued] == ["ticket_issued"] * 6
