"""Device pairing: the core's rules, and the HTTP and Socket.IO boundaries with pairing required."""

from __future__ import annotations

import pytest

from server import create_app
from server.core import audit
from server.core.devices import MAX_PENDING, PAIRING_MINUTES, Devices
from server.core.queue import QueueRefused
from server.settings import Settings
from tests.csrf import CsrfFlaskClient
from tests.live import SMALL_CENTER

PASSWORD = "matkhau-admin"


@pytest.fixture
def devices(center, store, clock):
    return Devices(center, store, clock)


def paired(devices, kind="kiosk", counter=None, name=None):
    request = devices.request_pairing(kind, counter)
    device = devices.approve(request["code"], "admin", name, counter)
    token = devices.pairing_status(request["request"])["token"]
    return device, token


def test_a_confirmed_code_hands_the_token_over_once(devices):
    request = devices.request_pairing("kiosk")
    assert len(request["code"]) == 6 and request["code"].isdigit()
    assert devices.pairing_status(request["request"]) == {"state": "pending"}
    device = devices.approve(request["code"][:3] + " " + request["code"][3:], "admin", "Máy lấy số sảnh A")
    first = devices.pairing_status(request["request"])
    assert first["state"] == "approved" and first["device"]["name"] == "Máy lấy số sảnh A"
    assert devices.authenticate(first["token"]) == device
    assert "token" not in devices.pairing_status(request["request"])  # a second poll gets no token


def test_only_the_hash_of_a_token_is_stored(devices, store):
    _, token = paired(devices)
    with store.read() as conn:
        dumped = "".join(str(tuple(r)) for r in conn.execute("SELECT * FROM devices"))
        dumped += "".join(str(tuple(r)) for r in conn.execute("SELECT * FROM pairing_requests"))
    assert token not in dumped


def test_unknown_wrong_and_expired_codes_are_refused(devices, clock):
    with pytest.raises(QueueRefused) as refused:
        devices.approve("000000" if devices.request_pairing("kiosk")["code"] != "000000" else "111111", "admin")
    assert refused.value.code == "unknown_pairing"
    request = devices.request_pairing("display")
    clock.advance(minutes=PAIRING_MINUTES + 1)
    assert devices.pairing_status(request["request"]) == {"state": "expired"}
    with pytest.raises(QueueRefused):
        devices.approve(request["code"], "admin")
    with pytest.raises(QueueRefused) as refused:
        devices.pairing_status("not-a-request")
    assert refused.value.code == "unknown_pairing"


def test_a_rejected_code_gives_no_token(devices):
    request = devices.request_pairing("kiosk")
    devices.reject(request["code"], "admin")
    assert devices.pairing_status(request["request"]) == {"state": "rejected"}


def test_tablets_and_counter_displays_need_a_real_counter(devices):
    with pytest.raises(QueueRefused) as refused:
        devices.request_pairing("tablet", 99)
    assert refused.value.code == "unknown_counter"
    request = devices.request_pairing("tablet")  # the counter may be chosen by the admin
    with pytest.raises(QueueRefused):
        devices.approve(request["code"], "admin")
    assert devices.approve(request["code"], "admin", counter_number=3).counter_number == 3
    assert devices.request_pairing("kiosk", 3) and paired(devices, "kiosk", None)[0].counter_number is None
    with pytest.raises(QueueRefused) as refused:
        devices.request_pairing("toaster")
    assert refused.value.code == "bad_request"


def test_revoking_stops_the_token_at_once_and_is_audited(devices, store):
    device, token = paired(devices, "tablet", 1)
    assert devices.authenticate(token) == device  # now cached
    assert not devices.revoked(token)
    devices.revoke(device.id, "admin")
    assert devices.authenticate(token) is None
    assert devices.revoked(token)  # the screen is told why it must pair again
    assert not devices.revoked("not-a-token") and not devices.revoked(None)
    with pytest.raises(QueueRefused):
        devices.revoke(device.id, "admin")
    actions = [(e["action"], e["actor"]) for e in audit.entries(store)]
    assert actions == [("device_revoked", "admin"), ("device_paired", "admin")]
    assert audit.entries(store)[0]["before"]["counter"] == 1


def test_pending_requests_are_bounded(devices):
    for _ in range(MAX_PENDING):
        devices.request_pairing("kiosk")
    with pytest.raises(QueueRefused) as refused:
        devices.request_pairing("kiosk")
    assert refused.value.code == "too_many_pairings"


# ----- HTTP and Socket.IO with pairing required -------------------------------------------------------

@pytest.fixture
def strict_app(tmp_path):
    app = create_app(Settings(center_file=SMALL_CENTER, database=tmp_path / "d.db", async_mode="threading",
                              testing=True, secret_key="test", require_devices=True))
    app.test_client_class = CsrfFlaskClient
    app.extensions["hangdoi"].accounts.set_password("an", PASSWORD)
    app.extensions["hangdoi"].accounts.set_password("giamsat", PASSWORD)
    app.extensions["hangdoi"].accounts.set_password("quantri", PASSWORD)
    yield app
    app.extensions["hangdoi"].store.close()
    app.extensions["hangdoi_lock"].close()


def pair_over_http(app, kind="kiosk", counter=None):
    device_side = app.test_client()
    request = device_side.post("/api/devices/pairing", json={"kind": kind, "counter": counter}).get_json()
    admin = app.test_client()
    assert admin.post("/api/session", json={"username": "quantri", "password": PASSWORD}).status_code == 200
    assert admin.post("/api/admin/devices/approve", json={"code": request["code"]}).status_code == 201
    token = device_side.get(f"/api/devices/pairing/{request['request']}").get_json()["token"]
    return token, admin


def test_an_unpaired_kiosk_cannot_issue(strict_app):
    response = strict_app.test_client().post("/api/tickets", json={"service_code": "ly-lich"})
    assert response.status_code == 401 and response.get_json()["error"] == "device_not_paired"
    assert strict_app.test_client().get("/api/queue").get_json()["services"][0]["waiting"] == 0


def test_only_admins_pair_devices(strict_app):
    request = strict_app.test_client().post("/api/devices/pairing", json={"kind": "kiosk"}).get_json()
    supervisor = strict_app.test_client()
    supervisor.post("/api/session", json={"username": "giamsat", "password": PASSWORD})
    assert supervisor.post("/api/admin/devices/approve", json={"code": request["code"]}).status_code == 403
    assert strict_app.test_client().get("/api/admin/devices").status_code == 401


def test_a_paired_kiosk_issues_and_its_name_is_recorded(strict_app):
    token, admin = pair_over_http(strict_app)
    response = strict_app.test_client().post("/api/tickets", json={"service_code": "ly-lich"},
                                             headers={"X-Device-Token": token})
    assert response.status_code == 201
    me = strict_app.test_client().get("/api/devices/me", headers={"X-Device-Token": token}).get_json()
    assert me == {"required": True, "device": {"id": 1, "kind": "kiosk", "kind_name": "Máy lấy số",
                                               "name": "Máy lấy số", "counter": None}, "revoked": False}
    listing = admin.get("/api/admin/devices").get_json()
    assert [d["name"] for d in listing["devices"]] == ["Máy lấy số"] and listing["pending"] == []
    # a display's token is not a kiosk's
    display, _ = pair_over_http(strict_app, "display")
    refused = strict_app.test_client().post("/api/tickets", json={"service_code": "ly-lich"},
                                            headers={"X-Device-Token": display})
    assert refused.status_code == 403 and refused.get_json()["error"] == "device_forbidden"


def test_a_tablet_rates_only_for_its_own_counter(strict_app):
    token, _ = pair_over_http(strict_app, "tablet", 2)
    rt = strict_app.extensions["hangdoi"]
    rt.queue.issue("ly-lich")
    rt.queue.open_counter(1, "an")
    rt.queue.call_next(1, "an")
    rt.queue.start_service(1, "an")
    rt.queue.finish(1, "an")
    body = {"counter": 1, "label": "A001", "level": 2, "client_id": "c1" * 12}
    response = strict_app.test_client().post("/api/ratings", json=body, headers={"X-Device-Token": token})
    assert response.status_code == 403 and "quầy số 2" in response.get_json()["message"]
    sock = rt.socketio.test_client(strict_app, auth={"device": token})
    reply = sock.emit("rate", body, callback=True)
    assert reply["ok"] is False and reply["error"] == "device_forbidden"
    with rt.store.read() as conn:
        assert conn.execute("SELECT count(*) FROM ratings").fetchone()[0] == 0
    own, _ = pair_over_http(strict_app, "tablet", 1)
    assert strict_app.test_client().post("/api/ratings", json=body, headers={"X-Device-Token": own}).status_code == 201


def test_sockets_of_unpaired_and_revoked_devices(strict_app):
    rt = strict_app.extensions["hangdoi"]
    anonymous = rt.socketio.test_client(strict_app)
    reply = anonymous.emit("subscribe", {"screen": "display"}, callback=True)
    assert reply == {"ok": False, "error": "device_not_paired", "message": reply["message"]}
    assert not rt.socketio.test_client(strict_app, auth={"device": "forged"}).is_connected()

    token, admin = pair_over_http(strict_app, "display")
    screen = rt.socketio.test_client(strict_app, auth={"device": token})
    assert screen.emit("subscribe", {"screen": "display"}, callback=True)["ok"]
    assert screen.emit("subscribe", {"screen": "tablet"}, callback=True)["error"] == "device_forbidden"
    device_id = admin.get("/api/admin/devices").get_json()["devices"][0]["id"]
    assert admin.get("/api/admin/devices").get_json()["devices"][0]["connections"] == 1
    assert admin.post(f"/api/admin/devices/{device_id}/revoke").status_code == 200
    assert not screen.is_connected()
    assert not rt.socketio.test_client(strict_app, auth={"device": token}).is_connected()


@pytest.fixture
def demo_app(tmp_path):
    app = create_app(Settings(center_file=SMALL_CENTER, database=tmp_path / "demo.db", async_mode="threading",
                              testing=True, secret_key="test", require_devices=True, auto_pair_local=True))
    yield app
    app.extensions["hangdoi"].store.close()
    app.extensions["hangdoi_lock"].close()


def test_the_demo_pairs_a_screen_on_the_server_machine_by_itself(demo_app):
    client = demo_app.test_client()
    request = client.post("/api/devices/pairing", json={"kind": "display"}).get_json()
    answer = client.get(f"/api/devices/pairing/{request['request']}").get_json()
    assert answer["state"] == "approved" and answer["token"]
    entry = audit.entries(demo_app.extensions["hangdoi"].store)[0]
    assert entry["action"] == "device_paired" and "demo" in entry["actor"]


def test_the_demo_still_asks_an_admin_for_screens_elsewhere_on_the_lan(demo_app):
    client = demo_app.test_client()
    lan = {"REMOTE_ADDR": "192.168.1.23"}
    request = client.post("/api/devices/pairing", json={"kind": "kiosk"}, environ_base=lan).get_json()
    assert client.get(f"/api/devices/pairing/{request['request']}", environ_base=lan).get_json() == \
        {"state": "pending"}


def test_a_screen_connecting_while_the_database_is_locked_is_not_cut_off(devices, store):
    """Remembering when a device was last seen is a write: under another process's write lock it is skipped (after
    the Store's bounded wait), the device still authenticates, and the next connect records it."""
    import sqlite3

    device, token = paired(devices, "display")
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        assert devices.authenticate(token) == device
        devices.seen(device)  # no StoreUnavailable
        other.execute("ROLLBACK")
    finally:
        other.close()
    devices.seen(device)
    with store.read() as conn:
        assert conn.execute("SELECT last_seen_at FROM devices WHERE id = ?", (device.id,)).fetchone()[0] is not None
