"""Hub sign-in: server-side sessions (the cookie holds a random id, `hub_sessions` its sha256), the roles each route
needs, and CSRF by double submit (the readable cookie `hangdoi_csrf` repeated in X-CSRF-Token, as on the site, so
shared_ui/http.js works unchanged). The ingest API authenticates sites by bearer token instead (sites.py).

`GET/POST/DELETE /api/session` answer like the site's ({"officer": {username, name, role, district}}), so the
screens' shared sign-in flow (shared_ui/signin.js) serves the hub's pages too.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time

from flask import Blueprint, current_app, g, jsonify, request

from server.core.accounts import BAD_CREDENTIALS, check_or_pretend
from server.core.sign_in_limits import LOCKED, locked_message

from . import accounts, database
from .accounts import ROLES

bp = Blueprint("hub_auth", __name__)
SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER = "hangdoi_hub_sid", "hangdoi_csrf", "X-CSRF-Token"
# Routes a site calls with its token (no cookie, so no CSRF to fear).
CSRF_EXEMPT = {"hub_ingest.receive_batch", "hub_ingest.site_state"}
ENDED = "Phiên đăng nhập đã kết thúc, vui lòng đăng nhập lại."


class Refused(Exception):
    """A refusal the web layer answers as {error, message} with `status`."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def current_account() -> dict | None:
    """The signed-in account of this request ({username, name, role, district}), or None; read once per request."""
    if "hub_account" in g:
        return g.hub_account
    g.hub_account = None
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        settings = current_app.config["HUB_SETTINGS"]
        now = int(time.time())
        with database.pool().connection() as conn:
            row = conn.execute(
                "SELECT a.username, a.name, a.role, a.district, s.started_at, s.seen_at FROM hub_sessions s"
                " JOIN hub_accounts a USING (username) WHERE s.id_hash = %s AND s.ended_at IS NULL"
                " AND a.disabled_at IS NULL", (_hash(sid),)).fetchone()
            if row:
                idle = now - row[5] > settings.session_idle_minutes * 60
                too_old = now - row[4] > settings.session_max_hours * 3600
                if idle or too_old:
                    conn.execute("UPDATE hub_sessions SET ended_at = %s WHERE id_hash = %s", (now, _hash(sid)))
                else:
                    if now - row[5] >= 60:  # one write a minute at most, not one per request
                        conn.execute("UPDATE hub_sessions SET seen_at = %s WHERE id_hash = %s", (now, _hash(sid)))
                    g.hub_account = dict(zip(("username", "name", "role", "district"), row[:4]))
    return g.hub_account


def role_required(*roles: str):
    """A view for signed-in accounts of these roles (hub-reports' views use it too): 401 / 403 otherwise."""
    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            account = current_account()
            if account is None:
                raise Refused("not_signed_in", "Vui lòng đăng nhập.", 401)
            if account["role"] not in roles:
                raise Refused("forbidden", "Tài khoản này không có quyền làm việc này.", 403)
            return view(*args, **kwargs)
        return checked
    return decorate


def check_csrf():
    """before_request: a state-changing request carries the CSRF cookie's value in X-CSRF-Token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in CSRF_EXEMPT:
        return None
    cookie, header = request.cookies.get(CSRF_COOKIE, ""), request.headers.get(CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise Refused("csrf", "Phiên làm việc không hợp lệ, vui lòng tải lại trang.", 403)
    return None


def set_csrf_cookie(response):
    """after_request: every browser gets a CSRF cookie the pages' scripts can read."""
    if CSRF_COOKIE not in request.cookies and request.endpoint not in CSRF_EXEMPT:
        response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), samesite="Lax",
                            secure=current_app.config["HUB_SETTINGS"].secure_cookies)
    return response


def client_address() -> str | None:
    """Who is signing in: nginx's X-Real-IP behind the documented proxy (trusted from loopback only), else the
    peer's address."""
    settings = current_app.config["HUB_SETTINGS"]
    if settings.behind_proxy and request.remote_addr in ("127.0.0.1", "::1"):
        return request.headers.get("X-Real-IP") or request.remote_addr
    return request.remote_addr


def _session_answer(account: dict | None, ended: str = ""):
    officer = None if account is None else {**account, "role_name": ROLES[account["role"]]}
    return jsonify(officer=officer, **({"ended": ended} if ended else {}))


@bp.get("/api/session")
def session_state():
    """Who is signed in."""
    account = current_account()
    ended = ENDED if account is None and request.cookies.get(SESSION_COOKIE) else ""
    return _session_answer(account, ended)


@bp.post("/api/session")
def sign_in():
    """Đăng nhập: one password check whether or not the account exists (the answer's time tells nothing), after
    the guessing limits of the account and the address (accounts.reserve_sign_in)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("bad_request", "Yêu cầu phải là JSON.")
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        raise Refused("missing", "Vui lòng nhập tên đăng nhập và mật khẩu.")
    now = int(time.time())
    keys = accounts.sign_in_keys(username.strip(), client_address())
    with database.pool().connection() as conn:
        wait = accounts.reserve_sign_in(conn, keys, now)
        if wait:
            raise Refused(LOCKED, locked_message(wait), 429)
        row = conn.execute("SELECT username, name, role, district, password_hash FROM hub_accounts"
                           " WHERE username = %s AND disabled_at IS NULL", (username.strip(),)).fetchone()
        if not check_or_pretend(password, row[4] if row else None):
            raise Refused("bad_credentials", BAD_CREDENTIALS, 401)
        accounts.signed_in(conn, keys)
        sid = secrets.token_urlsafe(32)
        conn.execute("INSERT INTO hub_sessions (id_hash, username, started_at, seen_at) VALUES (%s, %s, %s, %s)",
                     (_hash(sid), row[0], now, now))
    account = dict(zip(("username", "name", "role", "district"), row[:4]))
    response = _session_answer(account)
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Lax",
                        secure=current_app.config["HUB_SETTINGS"].secure_cookies)
    return response


@bp.delete("/api/session")
def sign_out():
    """Đăng xuất: the stored session ends at once."""
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        with database.pool().connection() as conn:
            conn.execute("UPDATE hub_sessions SET ended_at = %s WHERE id_hash = %s AND ended_at IS NULL",
                         (int(time.time()), _hash(sid)))
    response = jsonify(officer=None)
    response.delete_cookie(SESSION_COOKIE)
    return response
