"""server/logs.py: JSON log lines, and unexpected errors logged once a minute per distinct error with a count."""

from __future__ import annotations

import json
import logging

from server.logs import JsonFormatter, RepeatedErrors


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
