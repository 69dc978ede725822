"""Server-side sessions: a copied ("stolen") cookie stops working over HTTP and Socket.IO the moment its session ends
(sign-out, a password reset, the account's removal or demotion, an admin's "sign out everywhere", idle and absolute
lifetimes); the database holds only the id's hash; cookies are Secure when the deployment says so."""

from __future__ import annotations

import hashlib

import pytest

from server import create_app
from server.settings import Settings
from tests.csrf import CsrfFlaskClient
from tests.live import SMALL_CENTER
from tests.test_realtime import PASSWORD, act, socket

ENDED = "session_ended"


@pytest.fixture
def rt(app):
    runtime = app.extensions["hangdoi"]
    for username in ("an", "binh", "giamsat", "quantri"):
        runtime.accounts.set_password(username, PASSWORD)
    return runtime


def signed_in(app, username, counter=None):
    client = app.test_client()
    body = {"username": username, "password": PASSWORD, **({"counter": counter} if counter else {})}
    response = client.post("/api/session", json=body)
    assert response.status_code == 200, response.get_json()
    return client


def stolen(app, victim):
    """Another browser holding a copy of the victim's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", victim.get_cookie("session").value)
    return thief


def session_secret(app, client) -> str:
    """The session id inside the signed cookie."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value)["sid"]


def console_socket(app, client):
    sock = socket(app, client)
    assert sock.emit("subscribe", {"screen": "console"}, callback=True)["ok"]
    return sock


def assert_ended(response, word=None):
    body = response.get_json()
    assert response.status_code == 401 and body["error"] == ENDED, body
    assert word is None or word in body["message"], body["message"]


def remove_officer(admin, username):
    officers = admin.get("/api/admin/config").get_json()["sections"]["officers"]
    response = admin.put("/api/admin/config/officers", json=[o for o in officers if o["username"] != username])
    assert response.status_code == 200, response.get_json()


def set_role(admin, username, role):
    officers = admin.get("/api/admin/config").get_json()["sections"]["officers"]
    for officer in officers:
        if officer["username"] == username:
            officer["role"] = role
    assert admin.put("/api/admin/config/officers", json=officers).status_code == 200


# ----- a stolen officer's cookie, at the counter --------------------------------------------------------------


def end_by_sign_out(app, rt, victim):
    assert victim.delete("/api/session").status_code == 200


def end_by_password_reset(app, rt, victim):
    admin = signed_in(app, "quantri")
    assert admin.post("/api/admin/officers/an/password", json={"password": "mat-khau-moi"}).status_code == 200


def end_by_removal(app, rt, victim):
    rt.queue.close_counter(1, "an")  # an officer holding a counter cannot be removed; the day close frees it
    remove_officer(signed_in(app, "quantri"), "an")


def end_everywhere(app, rt, victim):
    admin = signed_in(app, "quantri")
    response = admin.post("/api/admin/officers/an/sign-out")
    assert response.status_code == 200 and response.get_json()["ended"] == 1


@pytest.mark.parametrize("end, why", [(end_by_sign_out, "đăng xuất"), (end_by_password_reset, "mật khẩu"),
                                      (end_by_removal, "xoá"), (end_everywhere, "mọi máy")])
def test_a_stolen_console_cookie_is_refused_over_http_and_socketio_once_the_session_ends(app, rt, end, why):
    rt.queue.issue("ly-lich")
    victim = signed_in(app, "an", counter=1)
    thief = stolen(app, victim)
    assert thief.get("/api/session").get_json()["officer"]["username"] == "an"  # the copy worked until now
    thief_socket = console_socket(app, thief)  # connected while the session was live
    end(app, rt, victim)
    # HTTP: the copied cookie signs nobody in, and says why.
    body = thief.get("/api/session").get_json()
    assert body["officer"] is None and why in body["ended"]
    # Socket.IO: the open console's next action is refused, and so is a new subscription.
    reply = act(thief_socket, "call_next", "stolen-001")
    assert reply["ok"] is False and reply["error"] == ENDED and why in reply["message"]
    assert thief_socket.emit("console_state", callback=True)["error"] == ENDED
    assert socket(app, thief).emit("subscribe", {"screen": "console"}, callback=True)["error"] == ENDED
    assert rt.queue.counters_overview()[0]["current"] is None  # nothing was called with the stolen cookie


def test_an_admins_cookie_stops_working_at_sign_out(app, rt):
    admin = signed_in(app, "quantri")
    thief = stolen(app, admin)
    assert thief.get("/api/admin/config").status_code == 200
    assert admin.delete("/api/session").status_code == 200
    assert_ended(thief.get("/api/admin/config"), "đăng xuất")
    assert_ended(thief.post("/api/admin/officers/an/password", json={"password": "mat-khau-moi"},
                            headers={"X-CSRF-Token": thief.get_cookie("hangdoi_csrf").value}))
    assert admin.get("/api/admin/config").get_json()["error"] == "not_signed_in"  # signed out: no session at all


def test_a_supervisor_demoted_to_officer_loses_the_reports_and_the_live_board(app, rt):
    supervisor = signed_in(app, "giamsat")
    board = socket(app, supervisor)
    assert supervisor.get("/api/reports?period=day").status_code == 200
    set_role(signed_in(app, "quantri"), "giamsat", "officer")
    assert_ended(supervisor.get("/api/reports?period=day"), "vai trò")
    assert board.emit("subscribe", {"screen": "supervisor"}, callback=True)["error"] == ENDED


def test_an_admin_demoted_by_another_admin_is_refused_at_once(app, rt):
    first = signed_in(app, "quantri")
    set_role(first, "giamsat", "admin")  # a second admin, so the first may be demoted
    second = signed_in(app, "giamsat")
    set_role(second, "quantri", "supervisor")
    assert_ended(first.get("/api/admin/config"))


def test_sign_out_everywhere_ends_every_browser_of_the_account_only(app, rt):
    phone, desk = signed_in(app, "giamsat"), signed_in(app, "giamsat")
    other = signed_in(app, "an", counter=1)
    admin = signed_in(app, "quantri")
    listing = admin.get("/api/admin/sessions").get_json()["sessions"]
    assert next(s for s in listing if s["username"] == "giamsat")["open"] == 2
    assert admin.post("/api/admin/officers/giamsat/sign-out").get_json() == {"ok": True, "ended": 2}
    for client in (phone, desk):
        assert_ended(client.get("/api/reports?period=day"), "mọi máy")
    assert other.get("/api/session").get_json()["officer"]["username"] == "an"
    audit = admin.get("/api/admin/audit").get_json()["entries"]
    assert audit[0]["action"] == "sessions_ended" and audit[0]["target"] == "giamsat"
    assert admin.post("/api/admin/officers/khong-co/sign-out").status_code == 404
    assert other.post("/api/admin/officers/giamsat/sign-out").status_code == 403


def test_signing_in_again_in_the_same_browser_ends_the_previous_session(app, rt):
    client = signed_in(app, "giamsat")
    copy = stolen(app, client)
    assert client.post("/api/session", json={"username": "quantri", "password": PASSWORD}).status_code == 200
    assert_ended(copy.get("/api/reports?period=day"))
    assert client.get("/api/session").get_json()["officer"]["username"] == "quantri"


def test_the_database_keeps_only_a_hash_of_the_session_id(app, rt):
    client = signed_in(app, "an", counter=1)
    secret = session_secret(app, client)
    with rt.store.read() as conn:
        dumped = "".join(str(tuple(r)) for r in conn.execute("SELECT * FROM sessions"))
    assert secret not in dumped and hashlib.sha256(secret.encode()).hexdigest() in dumped
    assert len(secret) >= 40  # 32 random bytes


def test_a_forged_or_forgotten_session_id_is_refused(app, rt):
    client = signed_in(app, "giamsat")
    serializer = app.session_interface.get_signing_serializer(app)
    forged = serializer.dumps({"sid": "x" * 43, "csrf": "t"})  # signed with the key, but no such session
    thief = app.test_client()
    thief.set_cookie("session", forged)
    assert_ended(thief.get("/api/reports?period=day"))
    assert client.get("/api/reports?period=day").status_code == 200


def test_idle_and_absolute_lifetimes(app, rt, clock):
    rt.accounts.sessions.clock = clock
    sessions = rt.accounts.sessions
    assert (sessions.idle_seconds, sessions.max_seconds) == (240 * 60, 12 * 3600)  # the settings' defaults
    idle = signed_in(app, "giamsat")
    busy = signed_in(app, "quantri")
    for _ in range(11):  # `busy` is used every hour, `idle` never
        clock.advance(minutes=60)
        assert busy.get("/api/admin/config").status_code == 200
    assert_ended(idle.get("/api/reports?period=day"), "lâu không sử dụng")
    clock.advance(minutes=60)  # twelve hours after sign-in, however busy
    assert_ended(busy.get("/api/admin/config"), "hết hạn")


def test_a_session_in_use_is_written_at_most_once_a_minute(app, rt, clock):
    rt.accounts.sessions.clock = clock
    client = signed_in(app, "giamsat")
    changes = rt.store.conn.total_changes
    for _ in range(20):
        assert client.get("/api/reports?period=day").status_code == 200
    assert rt.store.conn.total_changes == changes  # reads only
    clock.advance(seconds=61)
    client.get("/api/reports?period=day")
    assert rt.store.conn.total_changes == changes + 1


def test_lifetimes_and_secure_cookies_come_from_the_settings(tmp_path):
    settings = Settings.from_environment({"HANGDOI_SESSION_IDLE_MINUTES": "30", "HANGDOI_SESSION_MAX_HOURS": "9",
                                          "HANGDOI_SECURE_COOKIES": "1", "HANGDOI_SIGN_IN_ATTEMPTS": "3",
                                          "HANGDOI_SIGN_IN_WINDOW_MINUTES": "10"})
    assert (settings.session_idle_minutes, settings.session_max_hours, settings.secure_cookies) == (30, 9, True)
    with pytest.raises(SystemExit):
        Settings.from_environment({"HANGDOI_SESSION_IDLE_MINUTES": "0"})

    app = create_app(Settings(center_file=SMALL_CENTER, database=tmp_path / "tls.db", async_mode="threading",
                              testing=True, secret_key="test", secure_cookies=True, session_idle_minutes=30,
                              session_max_hours=9, sign_in_attempts=3))
    app.test_client_class = CsrfFlaskClient
    try:
        rt = app.extensions["hangdoi"]
        assert (rt.accounts.sessions.idle_seconds, rt.accounts.sessions.max_seconds) == (1800, 9 * 3600)
        assert rt.accounts.limits.attempts == 3
        response = app.test_client().get("/api/session", base_url="https://localhost")
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies and all("Secure" in c for c in cookies), cookies
        assert any(c.startswith("session=") and "HttpOnly" in c for c in cookies)
    finally:
        app.extensions["hangdoi"].store.close()
        app.extensions["hangdoi_lock"].close()


def test_cookies_are_not_secure_by_default(client):
    cookies = client.get("/api/session").headers.getlist("Set-Cookie")
    assert cookies and not any("Secure" in c for c in cookies)
