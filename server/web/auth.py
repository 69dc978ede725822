"""Sign-in, roles and CSRF: a signed session cookie holds who is signed in and which counter they took.

CSRF: every state-changing request that the session cookie authorises must repeat the session's token in the
X-CSRF-Token header (double submit: the token is also in the readable cookie `hangdoi_csrf`, which another site
can neither read nor set). Requests authorised otherwise (a ticket's token, a device token, nothing at all for
taking a number) are listed in CSRF_EXEMPT.
"""

from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import Blueprint, jsonify, request, session

from ..core.accounts import password_matches
from ..core.queue import QueueRefused
from . import runtime
from .api import json_body
from .errors import BadRequest

bp = Blueprint("auth", __name__, url_prefix="/api")

CSRF_COOKIE, CSRF_HEADER = "hangdoi_csrf", "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Endpoints not authorised by the session cookie: a forged request through them gains nothing from the cookie.
CSRF_EXEMPT = {"api.ping", "api.issue_ticket", "api.rate_by_phone", "api.cancel_ticket", "api.rate_at_counter",
               "devices.request_pairing", "devices.pairing_status"}


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf():
    """before_request: refuse a cookie-authorised write that does not carry the session's token."""
    if request.method in SAFE_METHODS or request.endpoint in CSRF_EXEMPT or not request.path.startswith("/api/"):
        return None
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        return jsonify(error="csrf", message="Phiên làm việc đã hết hạn; vui lòng tải lại trang."), 403
    return None


def set_csrf_cookie(response):
    """after_request: keep the readable copy of the token in step with the session."""
    token = session.get("csrf")
    if token and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, samesite="Lax", httponly=False)
    return response


def signed_in_account():
    """The officer, supervisor or admin signed in on this browser, or None."""
    return runtime().center.officer(session.get("officer") or "")


def role_required(*roles, message="Tài khoản không có quyền thực hiện thao tác này."):
    """An HTTP view only accounts of these roles may use (401 when nobody is signed in)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            account = signed_in_account()
            if account is None:
                return jsonify(error="not_signed_in", message="Vui lòng đăng nhập."), 401
            if account.role not in roles:
                return jsonify(error="forbidden", message=message), 403
            return view(*args, **kwargs)

        return wrapped

    return decorate


def session_view() -> dict:
    officer = signed_in_account()
    return {"officer": {"username": officer.username, "name": officer.name, "role": officer.role}
            if officer else None,
            "counter": session.get("counter") if officer else None, "csrf": csrf_token()}


@bp.get("/session")
def current_session():
    """Who is signed in on this browser, and at which counter."""
    return jsonify(session_view())


@bp.post("/session")
def sign_in():
    """Đăng nhập: check the password, take the counter, remember both in the session."""
    body = json_body()
    username, password, counter = body.get("username"), body.get("password"), body.get("counter")
    if not isinstance(username, str) or not isinstance(password, str) or \
            not (counter is None or isinstance(counter, int) and not isinstance(counter, bool)):
        raise BadRequest("Vui lòng nhập tên đăng nhập, mật khẩu và chọn quầy.")
    rt = runtime()
    stored = rt.accounts.stored_hash(username)
    # The hash check is deliberately slow: run it off the event loop.
    if stored is None or not rt.offload(password_matches, password, stored):
        return jsonify(error="bad_credentials", message="Tên đăng nhập hoặc mật khẩu không đúng."), 401
    if counter is not None:
        rt.queue.open_counter(counter, username)  # refuses a counter held by someone else
    elif not rt.center.officer(username).supervises:
        raise BadRequest("Vui lòng chọn quầy làm việc.", "counter_required")
    session.clear()
    session.update(officer=username, counter=counter)
    session.permanent = True
    return jsonify(session_view())


@bp.delete("/session")
def sign_out():
    """Đăng xuất: close the counter (refused while a citizen is being served) and forget the session."""
    officer, counter = session.get("officer"), session.get("counter")
    if officer and counter:
        try:
            runtime().queue.close_counter(counter, officer)
        except QueueRefused as refusal:
            if refusal.code != "counter_not_held":  # already closed elsewhere: just sign out
                raise
    session.clear()
    return jsonify(session_view())
