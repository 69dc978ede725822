"""The hub's HTTP routes, thin over ingest.py, sites.py and accounts.py: the ingest API the sites call (bearer
token), the provincial admin's site and account API, the pages of hub_ui/ (with the shared toolkit shared_ui/),
and JSON errors in Vietnamese for everything that goes wrong (docs/API.md, Hub)."""

from __future__ import annotations

import importlib.util
import logging
import time
from pathlib import Path

import psycopg
from flask import Blueprint, Flask, jsonify, redirect, request, send_from_directory
from werkzeug.exceptions import HTTPException

from . import accounts, auth, database, edge, ingest, sites
from .auth import Refused, role_required
from .reports import HUB_TIMEZONE

ROOT = Path(__file__).resolve().parent.parent.parent
HUB_UI, SHARED_UI = ROOT / "hub_ui", ROOT / "shared_ui"
FONTS = ROOT / "node_modules" / "@fontsource" / "be-vietnam-pro"
VENDOR = {"chart.umd.min.js": ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"}
log = logging.getLogger("server.hub")

ingest_bp = Blueprint("hub_ingest", __name__)
admin_bp = Blueprint("hub_admin", __name__)
pages_bp = Blueprint("hub_pages", __name__)


def register(app: Flask):
    """Attach the hub's routes, the reports' blueprint when hub-reports' module is there, and error handlers."""
    app.register_blueprint(auth.bp)
    app.register_blueprint(ingest_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(pages_bp)
    if importlib.util.find_spec("server.hub.reports_web"):  # hub-reports' routes (overview, reports), when present
        from . import reports_web

        app.register_blueprint(reports_web.blueprint)
    app.before_request(edge.check_request)
    app.before_request(auth.check_csrf)
    app.after_request(auth.set_csrf_cookie)

    @app.get("/healthz")
    def healthz():
        with database.pool().connection() as conn:
            conn.execute("SELECT 1")
        return jsonify(ok=True)

    @app.errorhandler(Refused)
    @app.errorhandler(ingest.BatchRefused)
    def refused(exc):
        body = exc.as_json() if isinstance(exc, ingest.BatchRefused) else {"error": exc.code, "message": exc.message}
        return jsonify(body), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc):
        messages = {404: "Không tìm thấy.", 405: "Phương thức không được hỗ trợ.",
                    413: "Lô dữ liệu quá lớn.", 400: "Yêu cầu không hợp lệ."}
        return jsonify(error=f"http_{exc.code}", message=messages.get(exc.code, "Yêu cầu không hợp lệ.")), exc.code

    @app.errorhandler(psycopg.OperationalError)
    def database_down(exc):
        log.error("database unavailable: %s", exc)
        return jsonify(error="database_unavailable", message="Cơ sở dữ liệu của tỉnh tạm thời không dùng được."), 503

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("unexpected error")
        return jsonify(error="internal", message="Lỗi máy chủ của tỉnh, vui lòng thử lại sau."), 500


# ----- ingest (sites) ------------------------------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


@ingest_bp.get("/api/hub/v1/state")
def site_state():
    """Where the hub stands with the calling site: the sequence number to send after, its state and epoch."""
    with database.pool().connection() as conn:
        site_id = sites.authenticate(conn, _bearer(), request.args.get("site"))
        return jsonify(sites.state(conn, site_id))


@ingest_bp.post("/api/hub/v1/batches")
def receive_batch():
    """One batch of the calling site's facts (docs/API.md): stored in one transaction, or refused with why."""
    batch = request.get_json(silent=True)
    if not isinstance(batch, dict):
        raise ingest.BatchRefused("bad_batch", "Lô dữ liệu phải là JSON.")
    if edge.may_hold_lone_surrogate(request.get_data()) and edge.problem(batch, nul_allowed=True):
        # No site's SQLite file holds a lone surrogate: not a site's record. Its NUL characters ingest.py removes.
        raise ingest.BatchRefused("bad_batch", "Lô dữ liệu có ký tự không hợp lệ.")
    site = batch.get("site")
    code = site.get("code") if isinstance(site, dict) else None
    with database.pool().connection() as conn:
        site_id = sites.authenticate(conn, _bearer(), code)
        result = ingest.ingest(conn, site_id, batch)
    return jsonify(result.as_json())


# ----- the provincial admin: sites and accounts ----------------------------------------------------------------


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("bad_request", "Yêu cầu phải là JSON.")
    return body


def _text(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise Refused("bad_request", f"Trường {key} phải là văn bản (tối đa 200 ký tự).")
    return value.strip() or None


@admin_bp.get("/api/hub/sites")
@role_required("admin")
def list_sites():
    """Every site with its last contact, acknowledged sequence number and state."""
    with database.pool().connection() as conn:
        return jsonify(sites=sites.all_sites(conn), now=int(time.time()), timezone=str(HUB_TIMEZONE))


@admin_bp.post("/api/hub/sites")
@role_required("admin")
def grant_site():
    """Cấp mã: a new token for a site (created if new); the token is in this answer only."""
    body = _body()
    with database.pool().connection() as conn:
        token = sites.grant(conn, body.get("code"), _text(body, "name"), _text(body, "level"),
                            _text(body, "district"), actor=auth.current_account()["username"])
    return jsonify(code=body["code"].strip(), token=token), 201


@admin_bp.post("/api/hub/sites/<code>/revoke")
@role_required("admin")
def revoke_site(code):
    """Thu hồi mã: the site's token stops working at once."""
    with database.pool().connection() as conn:
        sites.revoke(conn, code, actor=auth.current_account()["username"])
    return jsonify(ok=True)


@admin_bp.post("/api/hub/sites/<code>/start-over")
@role_required("admin")
def start_over_site(code):
    """Cấp lại mã và đồng bộ lại từ đầu (a diverged site): its facts dropped, a new token, sent again from 1."""
    with database.pool().connection() as conn:
        token = sites.start_over(conn, code, auth.current_account()["username"])
    return jsonify(code=code, token=token)


@admin_bp.get("/api/hub/audit")
@role_required("admin")
def audit_trail():
    """The newest 200 lines of the hub's audit trail (tokens, start-overs, accounts)."""
    with database.pool().connection() as conn:
        rows = conn.execute("SELECT at, actor, action, target, detail FROM hub_audit ORDER BY id DESC LIMIT 200")
        return jsonify(audit=[dict(zip(("at", "actor", "action", "target", "detail"), r)) for r in rows])


@admin_bp.get("/api/hub/accounts")
@role_required("admin")
def list_accounts():
    with database.pool().connection() as conn:
        rows = conn.execute("SELECT username, name, role, district, disabled_at FROM hub_accounts"
                            " ORDER BY role, username").fetchall()
    return jsonify(accounts=[dict(zip(("username", "name", "role", "district", "disabled_at"), r)) for r in rows],
                   roles=accounts.ROLES, timezone=str(HUB_TIMEZONE))


@admin_bp.post("/api/hub/accounts")
@role_required("admin")
def save_account():
    """Create an account (or set an existing one's name, role, district and password)."""
    body = _body()
    password, role = body.get("password"), body.get("role")
    if not isinstance(role, str):
        raise Refused("bad_role", "Vai trò không hợp lệ.")
    with database.pool().connection() as conn:
        try:
            accounts.create_account(conn, body.get("username") if isinstance(body.get("username"), str) else "",
                                    _text(body, "name") or "", role,
                                    password if isinstance(password, str) else "", _text(body, "district"),
                                    actor=auth.current_account()["username"])
        except accounts.AccountRefused as refused:
            raise Refused(refused.code, refused.message) from refused
    return jsonify(ok=True), 201


@admin_bp.post("/api/hub/accounts/<username>/disable")
@role_required("admin")
def disable_account(username):
    """Khóa tài khoản: it can no longer sign in, and its sessions end at once."""
    me = auth.current_account()["username"]
    if username == me:
        raise Refused("own_account", "Không thể tự khóa tài khoản đang dùng.")
    with database.pool().connection() as conn:
        try:
            accounts.disable_account(conn, username, actor=me)
        except accounts.AccountRefused as refused:
            raise Refused(refused.code, refused.message, 404) from refused
    return jsonify(ok=True)


@pages_bp.get("/hub/accounts")
def accounts_page():
    """The provincial admin's accounts: provincial admins, leaders, district leaders."""
    return page("accounts.html")


# ----- pages ---------------------------------------------------------------------------------------------------


def page(name: str):
    """A page of hub_ui/, never cached stale (every hub page, the reports' too)."""
    response = send_from_directory(HUB_UI, name, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@pages_bp.get("/")
def home():
    return redirect("/hub/sites")


@pages_bp.get("/hub/sites")
def sites_page():
    """The provincial admin's sites: grant, revoke, start over; last contact, acknowledged seq, state."""
    return page("sites.html")


@pages_bp.get("/ui/hub/<path:name>")
def hub_asset(name):
    return send_from_directory(HUB_UI, name, max_age=300)


@pages_bp.get("/ui/shared/<path:name>")
def shared_asset(name):
    return send_from_directory(SHARED_UI, name, max_age=300)


@pages_bp.get("/vendor/be-vietnam-pro/<path:name>")
def font(name):
    return send_from_directory(FONTS, name, max_age=86400)


@pages_bp.get("/vendor/<name>")
def vendor(name):
    if name not in VENDOR:
        raise Refused("not_found", "Không tìm thấy.", 404)
    return send_from_directory(VENDOR[name].parent, VENDOR[name].name, max_age=86400)
