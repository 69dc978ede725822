"""Sign-in, sessions, roles and CSRF.

Sessions are stored server-side (server/core/sessions.py): the signed cookie holds only the session's random id
(`sid`) and the CSRF token; who is signed in, with which role and at which counter is the stored session's, looked
up at every request and every Socket.IO action, so sign-out, a password reset, an account's removal or an admin's
"sign out everywhere" refuse the old cookie at once (`401 session_ended`). Failed sign-ins are limited per account
and per address (server/core/sign_in_limits.py). When this blueprint is registered it applies the deployment's
cookie settings (Secure over TLS, the absolute lifetime) and session limits (`apply_session_settings`).

CSRF: every state-changing request that the session cookie authorises must repeat the session's token in the
X-CSRF-Token header (double submit: the token is also in the readable cookie `hangdoi_csrf`, which another site
can neither read nor set). Requests authorised otherwise (a ticket's token, a device token, nothing at all for
taking a number) are listed in CSRF_EXEMPT.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import secrets
from functools import wraps

from flask import Blueprint, g, jsonify, request, session

from ..core.queue import QueueRefused
from ..core.sessions import SessionEnded
from . import runtime
from .api import json_body
from .errors import BadRequest

bp = Blueprint("auth", __name__, url_prefix="/api")
log = logging.getLogger("hangdoi.auth")

CSRF_COOKIE, CSRF_HEADER = "hangdoi_csrf", "X-CSRF-Token"
SESSION_ID = "sid"  # the cookie's field holding the stored session's secret id
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Endpoints not authorised by the session cookie: a forged request through them gains nothing from the cookie.
CSRF_EXEMPT = {"api.ping", "api.issue_ticket", "api.rate_by_phone", "api.cancel_ticket", "api.rate_at_counter",
               "devices.request_pairing", "devices.pairing_status"}
NOT_SIGNED_IN = "Vui lòng đăng nhập."
ADMIN_ONLY = "Chỉ quản trị viên được quản lý phiên đăng nhập."


@bp.record_once
def apply_session_settings(state):
    """Cookies Secure when served over TLS and kept as long as a session may last; the stored sessions' idle and
    absolute lifetimes and the sign-in limits, all from the deployment's settings."""
    rt = state.app.extensions["hangdoi"]
    settings = rt.settings
    state.app.config.update(SESSION_COOKIE_SECURE=settings.secure_cookies, SESSION_COOKIE_HTTPONLY=True,
                            PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_max_hours))
    rt.accounts.configure(settings.session_idle_minutes, settings.session_max_hours, settings.sign_in_attempts,
                          settings.sign_in_window_minutes)


def client_address() -> str:
    """The address of the machine asking: nginx's X-Real-IP when the server runs behind it (and the request comes
    from nginx on this machine), else the connection's."""
    address = request.remote_addr or ""
    if runtime().settings.behind_proxy and is_loopback(address):
        forwarded = request.headers.get("X-Real-IP", "").strip()
        if forwarded:
            return forwarded[:64]
    return address


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


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
        response.set_cookie(CSRF_COOKIE, token, samesite="Lax", httponly=False,
                            secure=runtime().settings.secure_cookies)
    return response


def session_state():
    """(the live stored session this cookie names, or None; the SessionEnded when the cookie names an ended one).

    Looked up once per request or socket event (flask.g, kept with the cookie's secret, so a sign-in or a sign-out
    in the same request is seen): a role check and the view behind it share one lookup."""
    secret = session.get(SESSION_ID)
    if not isinstance(secret, str):
        return None, None
    known = g.get("stored_session")
    if known is None or known[0] != secret:
        try:
            state = runtime().accounts.session(secret), None
        except SessionEnded as ended:
            state = None, ended
        g.stored_session = known = (secret, state)
    return known[1]


def signed_in_account():
    """The officer, supervisor or admin signed in on this browser (a live stored session), or None."""
    current, _ = session_state()
    return runtime().center.officer(current.username) if current else None


def signed_out_refusal() -> dict:
    """Why nobody is signed in here: `session_ended` (with the reason's message) when the cookie names a session
    that has ended, else `not_signed_in`. The same body over HTTP (401) and Socket.IO (with `ok: false`)."""
    _, ended = session_state()
    if ended is not None:
        return {"error": ended.code, "message": ended.message}
    return {"error": "not_signed_in", "message": NOT_SIGNED_IN}


def role_required(*roles, message="Tài khoản không có quyền thực hiện thao tác này."):
    """An HTTP view only accounts of these roles may use (401 when nobody is signed in or the session ended)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            account = signed_in_account()
            if account is None:
                return jsonify(signed_out_refusal()), 401
            if account.role not in roles:
                return jsonify(error="forbidden", message=message), 403
            return view(*args, **kwargs)

        return wrapped

    return decorate


def session_view() -> dict:
    current, ended = session_state()
    officer = runtime().center.officer(current.username) if current else None
    view = {"officer": {"username": officer.username, "name": officer.name, "role": officer.role}
            if officer else None, "counter": current.counter if officer else None, "csrf": csrf_token()}
    if ended is not None:
        view["ended"] = ended.message  # a reloaded page can say why it shows the sign-in form
    return view


@bp.get("/session")
def current_session():
    """Who is signed in on this browser, and at which counter."""
    return jsonify(session_view())


@bp.post("/session")
def sign_in():
    """Đăng nhập: check the password (within the limits on guessing), take the counter, start a stored session."""
    body = json_body()
    username, password, counter = body.get("username"), body.get("password"), body.get("counter")
    if not isinstance(username, str) or not isinstance(password, str) or \
            not (counter is None or isinstance(counter, int) and not isinstance(counter, bool)):
        raise BadRequest("Vui lòng nhập tên đăng nhập, mật khẩu và chọn quầy.")
    rt, address = runtime(), client_address()
    try:
        # The hash check is deliberately slow: it runs off the event loop.
        account = rt.accounts.sign_in(username, password, address, run=rt.offload)
    except QueueRefused as refusal:
        log.warning("sign-in refused", extra={"username": username[:120], "address": address, "error": refusal.code})
        return jsonify(error=refusal.code, message=refusal.message), 429 if refusal.code == "sign_in_locked" else 401
    if counter is not None:
        rt.queue.open_counter(counter, username)  # refuses a counter held by someone else
    elif not account.supervises:
        raise BadRequest("Vui lòng chọn quầy làm việc.", "counter_required")
    previous = session.get(SESSION_ID)
    if isinstance(previous, str):
        rt.accounts.sessions.end(previous, "replaced")
    session.clear()
    session[SESSION_ID] = rt.accounts.sessions.start(username, account.role, counter, address)
    session.permanent = True
    return jsonify(session_view())


@bp.delete("/session")
def sign_out():
    """Đăng xuất: close the counter (refused while a citizen is being served) and end the stored session."""
    current, _ = session_state()
    if current is not None and current.counter:
        try:
            runtime().queue.close_counter(current.counter, current.username)
        except QueueRefused as refusal:
            if refusal.code != "counter_not_held":  # already closed elsewhere: just sign out
                raise
    if current is not None:
        runtime().accounts.sessions.end(session[SESSION_ID], "signed_out")
    session.clear()
    return jsonify(session_view())


@bp.get("/admin/sessions")
@role_required("admin", message=ADMIN_ONLY)
def open_sessions():
    """Per officer, how many sessions are open and when one was last used; and the accounts and addresses that
    wait after failed sign-ins (or have failures in the current window)."""
    rt = runtime()
    open_by_account = rt.accounts.sessions.open_by_account()
    return jsonify(sessions=[{"username": o.username, "name": o.name, "role": o.role,
                              **open_by_account.get(o.username, {"open": 0, "last_seen_at": None})}
                             for o in rt.center.officers],
                   locks=rt.accounts.limits.listing())


@bp.post("/admin/officers/<username>/sign-out")
@role_required("admin", message=ADMIN_ONLY)
def sign_out_everywhere(username):
    """Đăng xuất khỏi mọi máy: every session of the account ends now, its consoles' sockets at their next action."""
    rt = runtime()
    if rt.center.officer(username) is None:
        return jsonify(error="unknown_officer", message="Không có công chức này."), 404
    ended = rt.accounts.end_sessions(username, signed_in_account().username)
    return jsonify(ok=True, ended=ended)


@bp.post("/admin/sign-in-locks/clear")
@role_required("admin", message=ADMIN_ONLY)
def clear_sign_in_lock():
    """Mở khoá: an account or address may try again at once (`{"key": "account:an"}` from the listing)."""
    key = json_body().get("key")
    if not runtime().accounts.limits.clear(key, signed_in_account().username):
        return jsonify(error="unknown_lock", message="Không có tài khoản hoặc địa chỉ nào đang bị khoá như vậy."), 404
    return jsonify(ok=True)
