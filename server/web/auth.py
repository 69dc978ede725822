"""Officer sign-in at a counter: a signed session cookie holds who they are and which counter they took."""

from __future__ import annotations

from flask import Blueprint, jsonify, session

from ..core.accounts import password_matches
from ..core.queue import QueueRefused
from . import runtime
from .api import json_body
from .errors import BadRequest

bp = Blueprint("auth", __name__, url_prefix="/api")


def session_view() -> dict:
    rt = runtime()
    officer = rt.center.officer(session.get("officer") or "")
    return {"officer": {"username": officer.username, "name": officer.name, "role": officer.role}
            if officer else None,
            "counter": session.get("counter") if officer else None}


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
    elif rt.center.officer(username).role != "supervisor":
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
