"""Refusals and errors as JSON `{error, message}` with a Vietnamese message; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..core.queue import QueueRefused
from ..logs import repeated_errors

log = logging.getLogger(__name__)

# HTTP status of each refusal code of the core; anything unlisted is a conflict with the current state.
REFUSAL_STATUS = {
    "unknown_service": 404, "unknown_ticket": 404, "unknown_counter": 404,
    "unknown_priority_group": 400, "unknown_channel": 400, "reason_required": 400, "transfer_target": 400,
    "bad_request": 400, "bad_level": 400, "bad_reasons": 400, "bad_comment": 400, "bad_client_id": 400,
    "device_not_paired": 401, "device_forbidden": 403, "unknown_pairing": 404, "unknown_device": 404,
    "too_many_pairings": 429, "busy": 503, "unknown_feedback": 404, "bad_note": 400, "note_required": 400,
}

HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang hoặc dữ liệu yêu cầu.",
    405: "Thao tác không được hỗ trợ.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Dữ liệu phải ở dạng JSON.",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau.",
}
# What a screen shows when something unexpected failed (HTTP 500, Socket.IO internal_error).
BUSY_MESSAGE = "Hệ thống đang bận, vui lòng thử lại hoặc liên hệ cán bộ hướng dẫn."


class BadRequest(QueueRefused):
    """Input that is not what an endpoint takes (wrong JSON, missing or mistyped field)."""

    def __init__(self, message: str, code: str = "bad_request"):
        super().__init__(code, message)


def refusal_response(refusal: QueueRefused):
    status = 400 if isinstance(refusal, BadRequest) else REFUSAL_STATUS.get(refusal.code, 409)
    return jsonify(error=refusal.code, message=refusal.message), status


def register_error_handlers(app: Flask):
    """JSON bodies for API paths, a plain Vietnamese page elsewhere. Also the first before_request of all: the
    headers the app reads and the path's integers are checked (server/web/edge.py) before the CSRF check or a
    view reads them."""
    from .edge import check_request  # edge refuses with this module's BadRequest

    app.before_request(check_request)
    app.register_error_handler(QueueRefused, refusal_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = HTTP_MESSAGES.get(exc.code, "Yêu cầu không thể thực hiện.")
        if request.path.startswith("/api/"):
            return jsonify(error=exc.name.lower().replace(" ", "_"), message=message), exc.code
        return _page(message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        """The last resort (every input is checked before it gets this far): a JSON 500, the traceback logged
        once a minute per distinct error and the repeats counted."""
        repeated_errors.report(log, f"unexpected error on {request.method} {request.url_rule or request.path}",
                               exc)
        if request.path.startswith("/api/"):
            return jsonify(error="internal_error", message=BUSY_MESSAGE), 500
        return _page(BUSY_MESSAGE), 500


# Where "Về trang đầu" leads from an error page: a citizen goes back to the screen they came from (the kiosk, or the
# phone's booking page), never to the staff's list of screens; an unattended tablet has nowhere to go.
CITIZEN_HOMES = (("/kiosk", "/kiosk"), ("/checkin", "/kiosk"), ("/t/", "/hen"), ("/hen", "/hen"), ("/tablet/", None))


def home_for(path: str) -> str | None:
    """The start page an error page on `path` links back to (None: no link)."""
    return next((home for prefix, home in CITIZEN_HOMES if path.startswith(prefix)), "/")


def page(message: str, path: str, status: int):
    """A plain Vietnamese page for a browser, with a way back to its start (`home_for`)."""
    home = home_for(path)
    link = f"<p><a href={home}>Về trang đầu</a></p>" if home else ""
    return ("<!doctype html><html lang=vi><meta charset=utf-8><title>Hàng đợi</title>"
            "<link rel=stylesheet href=/ui/shared/base.css>"
            f"<main class=notice><p>{escape(message)}</p>{link}</main></html>"), status


def _page(message: str) -> str:
    return page(message, request.path, 200)[0]
