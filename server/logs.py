"""Structured logs: one JSON object per line on standard error, for journald or any log collector."""

from __future__ import annotations

import json
import logging
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


def configure(fmt: str = "json", level: int = logging.INFO):
    """Log as JSON lines (default) or as plain text (HANGDOI_LOG_FORMAT=text)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


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
