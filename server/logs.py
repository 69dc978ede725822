"""Structured logs: one JSON object per line on standard error, for journald or any log collector.

Every line the server writes is one record, whatever library wrote it (`configure`): our loggers and the
libraries' (werkzeug, engineio, socketio) go through the one handler; Python warnings are logged
(`logging.captureWarnings`); uncaught exceptions in any thread are logged with their traceback; what eventlet and
gevent write themselves (eventlet's websocket writes `socket shutdown error: [Errno 9] ...` to `wsgi.errors`
without a newline, their hubs print tracebacks, gevent's server writes to its error log) goes to a LogStream, as
does anything else written to sys.stdout or sys.stderr: no raw text is glued onto or between the log lines.
In text mode (HANGDOI_LOG_FORMAT=text) a record is one line too: line breaks inside it are written as "\\n".
"""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
import time
import traceback

STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...extra fields}`; exceptions as one `error` string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
                 + f".{int(record.msecs):03d}", "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({k: v for k, v in vars(record).items() if k not in STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a client's text: the line must still be written
            line = line.encode("utf-8", "backslashreplace").decode("utf-8")
        return line


class TextFormatter(logging.Formatter):
    """`time level logger: message`, on one line: the line breaks of a message or a traceback written as "\\n"."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")


# Libraries that log through their own loggers. engineio and socketio give theirs a handler of their own (plain
# text, on top of ours) unless a level is already set: set here, at their own default.
LIBRARY_LEVELS = {"engineio.server": logging.ERROR, "socketio.server": logging.ERROR}
TRACEBACK_START = "Traceback (most recent call last):"


class LogStream(io.TextIOBase):
    """A text stream for code that writes instead of logging: each line written becomes one record of `logger`.

    A write need not end its line (eventlet's `socket shutdown error` does not): it is a record all the same, so
    nothing that follows is glued to it. A traceback printed line by line (eventlet's and gevent's hubs) is kept
    together as one ERROR record, ended by its unindented last line ("ValueError: ...") or a flush. Writing from
    inside logging itself (a handler's own error report) goes to `fallback` as it is, never round again."""

    def __init__(self, logger: logging.Logger, level: int = logging.WARNING, fallback=None):
        super().__init__()
        self.logger, self.level = logger, level
        self.fallback = fallback if fallback is not None else sys.__stderr__
        self._traceback: list[str] = []
        self._inside = threading.local()  # green under eventlet and gevent (monkey-patched)

    @property
    def encoding(self):
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        """The fallback's descriptor (faulthandler and C code write there directly; nothing else can be done)."""
        return self.fallback.fileno()

    def write(self, text: str) -> int:
        if getattr(self._inside, "active", False):
            self.fallback.write(text)
            return len(text)
        self._inside.active = True
        try:
            for line in text.splitlines():
                self._line(line.rstrip())
        finally:
            self._inside.active = False
        return len(text)

    def _line(self, line: str):
        if self._traceback:
            self._traceback.append(line)
            if line and not line[0].isspace() and line != TRACEBACK_START:
                self._end_traceback()
        elif line == TRACEBACK_START:
            self._traceback.append(line)
        elif line.strip():
            self.logger.log(self.level, line)

    def _end_traceback(self):
        lines, self._traceback = self._traceback, []
        self.logger.error("\n".join(lines).strip())

    def flush(self):
        if self._traceback and not getattr(self._inside, "active", False):
            self._inside.active = True
            try:
                self._end_traceback()
            finally:
                self._inside.active = False


def wsgi_errors() -> LogStream:
    """What the server hands the application as `wsgi.errors`: eventlet's websocket writes its "socket shutdown
    error" there (and Python's WSGI servers default it to raw sys.stderr)."""
    return LogStream(logging.getLogger("eventlet.wsgi"))


def configure(fmt: str = "json", level: int = logging.INFO, stream=None, capture_streams: bool = False):
    """Log as JSON lines (default) or as plain text (HANGDOI_LOG_FORMAT=text) to `stream` (standard error).

    `capture_streams` (the server, run.py): also log what was not written through logging (the module
    docstring): warnings, uncaught exceptions, and sys.stdout and sys.stderr themselves become LogStreams."""
    stream = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, library_level in LIBRARY_LEVELS.items():
        library = logging.getLogger(name)
        library.handlers[:] = []
        library.setLevel(library_level)
    if not capture_streams:
        return
    logging.captureWarnings(True)  # under the filters already set (run.py's, Python's defaults)
    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: log_uncaught(args.exc_type, args.exc_value, args.exc_traceback,
                                                     args.thread.name if args.thread else None)
    sys.stdout = LogStream(logging.getLogger("stdout"), logging.INFO, fallback=stream)
    sys.stderr = LogStream(logging.getLogger("stderr"), logging.WARNING, fallback=stream)


def log_uncaught(exc_type, exc, tb, thread: str | None = None):
    """An exception nobody caught, logged with its traceback (Python would print it as raw lines)."""
    if issubclass(exc_type, KeyboardInterrupt):  # Ctrl-C at the terminal: no traceback to read
        logging.getLogger("hangdoi").info("stopped (interrupted)")
        return
    where = f" in thread {thread}" if thread else ""
    logging.getLogger("hangdoi").critical("uncaught %s%s", exc_type.__name__, where, exc_info=(exc_type, exc, tb))


class RepeatedErrors:
    """Unexpected errors, logged with their traceback once a minute per distinct error; the repeats in between are
    counted, and the count (`repeated`) goes with the next line of that error.

    Distinct means: where it happened (a route, an event), the exception's type and the line that raised it, never
    its message, which often quotes the client's input (a flood of different bad values is still one error).
    """

    def __init__(self, window: float = 60.0, clock=time.monotonic, limit: int = 1000):
        self.window, self.clock, self.limit = window, clock, limit
        self._last: dict[tuple, list] = {}  # key → [logged at, repeats since]
        self._lock = threading.Lock()

    @staticmethod
    def key(where: str, exc: BaseException) -> tuple:
        frames = traceback.extract_tb(exc.__traceback__)
        origin = (frames[-1].filename, frames[-1].lineno) if frames else None
        return where, type(exc).__qualname__, origin

    def report(self, logger: logging.Logger, where: str, exc: BaseException, **extra) -> bool:
        """Log `where: <exception>` with its traceback unless the same error was logged less than a minute ago
        (then only count it); True when a line was written."""
        key, now = self.key(where, exc), self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last[0] < self.window:
                last[1] += 1
                return False
            repeated = last[1] if last else 0
            self._last.pop(key, None)
            self._last[key] = [now, 0]
            if len(self._last) > self.limit:  # bounded: forget the error logged longest ago
                del self._last[next(iter(self._last))]
        suffix = f" (and {repeated} more times since it was last logged)" if repeated else ""
        logger.error("%s: %s%s", where, type(exc).__name__, suffix, exc_info=(type(exc), exc, exc.__traceback__),
                     extra={"repeated": repeated, **extra})
        return True


# The one instance HTTP views and Socket.IO handlers report to (server/web/errors.py, server/web/edge.py).
repeated_errors = RepeatedErrors()
