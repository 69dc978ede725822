"""Access: CSRF on cookie-authorised writes, roles, and the session key that survives a restart."""

from __future__ import annotations

from server import create_app
from server.settings import Settings
from tests.live import SMALL_CENTER

PASSWORD = "matkhau-an"


def signed_in(app, client, username="an", counter=1):
    app.extensions["hangdoi"].accounts.set_password(username, PASSWORD)
    body = {"username": username, "password": PASSWORD}
    if counter is not None:
        body["counter"] = counter
    assert client.post("/api/session", json=body).status_code == 200
    return client


def test_sign_in_without_the_csrf_token_is_refused(client):
    client.application.extensions["hangdoi"].accounts.set_password("an", PASSWORD)
    response = client.post("/api/session", json={"username": "an", "password": PASSWORD, "counter": 1},
                           without_csrf=True)
    assert response.status_code == 403
    assert response.get_json()["error"] == "csrf"
    assert client.get("/api/session").get_json()["officer"] is None


def test_a_wrong_token_is_refused_and_the_session_stays(app, client):
    signed_in(app, client)
    response = client.delete("/api/session", headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403 and "tải lại trang" in response.get_json()["message"]
    assert client.get("/api/session").get_json()["officer"]["username"] == "an"


def test_the_token_rotates_at_sign_in_and_is_readable_by_the_page(app, client):
    before = client.get("/api/session").get_json()["csrf"]
    signed_in(app, client)
    after = client.get("/api/session").get_json()["csrf"]
    assert before != after
    assert client.get_cookie("hangdoi_csrf").value == after


def test_writes_not_authorised_by_the_cookie_need_no_token(client):
    response = client.post("/api/tickets", json={"service_code": "ly-lich"}, without_csrf=True)
    assert response.status_code == 201


def test_roles_admin_and_supervisor_see_reports_officers_do_not(app, client):
    signed_in(app, client, "an")
    assert client.get("/api/reports?period=day").status_code == 403
    other = app.test_client()
    signed_in(app, other, "giamsat", counter=None)
    assert other.get("/api/reports?period=day").status_code == 200


def test_an_officer_cannot_sign_in_without_a_counter(app, client):
    app.extensions["hangdoi"].accounts.set_password("an", PASSWORD)
    response = client.post("/api/session", json={"username": "an", "password": PASSWORD})
    assert response.status_code == 400 and response.get_json()["error"] == "counter_required"


def test_the_session_key_survives_a_restart(tmp_path):
    keys = []
    for _ in range(2):
        app = create_app(Settings(center_file=SMALL_CENTER, database=tmp_path / "k.db", async_mode="threading",
                                  testing=True))
        keys.append(app.config["SECRET_KEY"])
        app.extensions["hangdoi"].store.close()
        app.extensions["hangdoi_lock"].close()
    assert keys[0] == keys[1] and len(keys[0]) == 64


def test_a_session_times_out_after_twelve_hours_without_use(app, client):
    import datetime as dt
    from http.cookies import SimpleCookie

    app.extensions["hangdoi"].accounts.set_password("an", PASSWORD)
    response = client.post("/api/session", json={"username": "an", "password": PASSWORD, "counter": 1})
    cookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    expires = dt.datetime.strptime(cookie["session"]["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    left = expires.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=11, minutes=59) < left <= dt.timedelta(hours=12)
    assert cookie["session"]["httponly"] and cookie["session"]["samesite"] == "Lax"


def test_the_server_starts_where_the_database_folder_does_not_exist_yet(tmp_path):
    database = tmp_path / "new" / "instance" / "hangdoi.db"  # as on a fresh clone: no instance/ folder
    app = create_app(Settings(center_file=SMALL_CENTER, database=database, async_mode="threading", testing=True))
    assert app.test_client().get("/healthz").get_json()["ok"]
    app.extensions["hangdoi"].store.close()
    app.extensions["hangdoi_lock"].close()
