"""The real thing: a hub process on a throwaway PostgreSQL, three real site server processes pushing a day each."""

from __future__ import annotations

import psycopg
import pytest
import requests

from tests.hub_facts import hub_rows, site_rows
from tests.hub_live import HubAdmin, fill_site, site_server, start_hub_with_admin, wait_delivered

pytestmark = [pytest.mark.live, pytest.mark.slow]
CODES = ("LSN-TT", "LSN-H01", "LSN-X001")


@pytest.fixture
def hub(pg_database, tmp_path):
    hub = start_hub_with_admin(pg_database, tmp_path / "hub.log")
    yield hub
    hub.stop()


def listed_seq(admin, code):
    return admin.sites()[code]["acked_seq"]


def site_id(dsn, code):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT id FROM hub_sites WHERE code = %s", (code,)).fetchone()[0]


@pytest.mark.timeout(300)
def test_three_sites_push_a_day_and_the_hub_holds_each_fact_once(hub, tmp_path):
    admin = HubAdmin(hub)
    servers = []
    try:
        for n, code in enumerate(CODES):
            server, _ = site_server(tmp_path, code, hub, admin.grant(code))
            fill_site(server.database, server.center, tickets=40 + 20 * n, seed=n)
            servers.append(server)  # stopped in `finally` even when it fails to start
            server.start()
        # a live ticket while the sites push: the kiosk of the first site issues one more number
        answer = requests.post(servers[0].url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=10)
        assert answer.status_code in (200, 201), answer.text
        for code, server in zip(CODES, servers):
            wait_delivered(admin, code, server.database)
        with psycopg.connect(hub.dsn) as conn:
            for code, server in zip(CODES, servers):
                assert hub_rows(conn, site_id(hub.dsn, code)) == site_rows(server.database), code
        health = requests.get(servers[0].url + "/healthz", timeout=10).json()["hub"]
        assert health["acked_seq"] == listed_seq(admin, CODES[0]) and health["last_acked_at"]
        listed = admin.sites()
        assert {c: (s["state"], s["level"], s["district"]) for c, s in listed.items()} == {
            c: ("active", "xa", "Huyện Tràng Định") for c in CODES}
        assert all(s["last_contact_at"] for s in listed.values())
    finally:
        for server in servers:
            server.stop()


def test_the_ingest_api_refuses_in_vietnamese_json(hub):
    admin = HubAdmin(hub)
    token = admin.grant("LSN-X002")
    other = admin.grant("LSN-X003")
    url = hub.url + "/api/hub/v1/batches"
    batch = {"site": {"code": "LSN-X002"}, "after": 0, "through": 0, "events": []}
    cases = [
        ({}, batch, 401, "no_token"),
        ({"Authorization": "Bearer hdh_nope"}, batch, 401, "unknown_token"),
        ({"Authorization": f"Bearer {other}"}, batch, 403, "wrong_site"),
        ({"Authorization": f"Bearer {token}"}, {**batch, "after": 5, "through": 5}, 409, "gap"),
        ({"Authorization": f"Bearer {token}"}, {**batch, "through": -1}, 400, "bad_batch"),
    ]
    for headers, body, status, error in cases:
        answer = requests.post(url, json=body, headers=headers, timeout=10)
        assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text
        assert any(ch in answer.json()["message"] for ch in "ảạấịđơư")  # Vietnamese, with its marks
    not_json = requests.post(url, data=b"\xff{", headers={"Authorization": f"Bearer {token}",
                                                         "Content-Type": "application/json"}, timeout=10)
    assert not_json.status_code == 400 and not_json.json()["error"] == "bad_batch"
    heartbeat = requests.post(url, json=batch, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert heartbeat.json() == {"acked_seq": 0, "stored": 0, "skipped": 0}
    state = requests.get(hub.url + "/api/hub/v1/state", params={"site": "LSN-X002"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert state.json() == {"acked_seq": 0, "state": "active", "epoch": 1}
    assert admin.sites()["LSN-X002"]["last_contact_at"]


def test_the_admin_api_needs_the_provincial_admin(hub):
    anonymous = requests.Session()
    anonymous.get(hub.url + "/api/session", timeout=10)
    csrf = {"X-CSRF-Token": anonymous.cookies.get("hangdoi_csrf")}
    assert anonymous.get(hub.url + "/api/hub/sites", timeout=10).status_code == 401
    assert anonymous.post(hub.url + "/api/hub/sites", json={"code": "X"}, headers=csrf, timeout=10).status_code == 401
    admin = HubAdmin(hub)
    without_csrf = admin.http.post(hub.url + "/api/hub/sites", json={"code": "LSN-X009"}, timeout=10)
    assert without_csrf.status_code == 403 and without_csrf.json()["error"] == "csrf"
    made = admin.call("POST", "/api/hub/accounts", {"username": "lanhdao.huyen", "name": "Lãnh đạo huyện",
                                                    "role": "district_leader", "password": "matkhau-huyen",
                                                    "district": "Huyện Tràng Định"})
    assert made.status_code == 201, made.text
    refused = admin.call("POST", "/api/hub/accounts", {"username": "x", "role": "district_leader",
                                                       "password": "matkhau-huyen"})
    assert refused.status_code == 400 and "huyện" in refused.json()["message"]
    leader = requests.Session()
    leader.get(hub.url + "/api/session", timeout=10)
    signed = leader.post(hub.url + "/api/session", json={"username": "lanhdao.huyen", "password": "matkhau-huyen"},
                         headers={"X-CSRF-Token": leader.cookies.get("hangdoi_csrf")}, timeout=10)
    assert signed.json()["officer"]["role"] == "district_leader"
    assert leader.get(hub.url + "/api/hub/sites", timeout=10).status_code == 403
    wrong = leader.post(hub.url + "/api/session", json={"username": "lanhdao.huyen", "password": "sai-mat-khau"},
                        headers={"X-CSRF-Token": leader.cookies.get("hangdoi_csrf")}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    admin.call("DELETE", "/api/session")
    assert admin.call("GET", "/api/hub/sites").status_code == 401  # the stored session ended at once
    # guessing: four more wrong passwords, then even the right one waits
    for _ in range(4):
        leader.post(hub.url + "/api/session", json={"username": "lanhdao.huyen", "password": "doan-mo"},
                    headers={"X-CSRF-Token": leader.cookies.get("hangdoi_csrf")}, timeout=10)
    locked = leader.post(hub.url + "/api/session", json={"username": "lanhdao.huyen", "password": "matkhau-huyen"},
                         headers={"X-CSRF-Token": leader.cookies.get("hangdoi_csrf")}, timeout=10)
    assert locked.status_code == 429 and "thử lại sau 15 phút" in locked.json()["message"]


@pytest.mark.timeout(300)
def test_the_third_command_starts_a_hub_on_its_own_cluster(tmp_path):
    """scripts/hub.sh: its own PostgreSQL cluster and database, migrated, the demo admin, the hub serving."""
    import os
    import signal
    import subprocess
    import tempfile
    import time

    from tests.live import ROOT, free_port
    from tests.pg import postgres_bin_dir

    folder = tempfile.mkdtemp(prefix="hangdoi-hubsh-")
    os.chmod(folder, 0o755)  # as root the cluster belongs to `postgres`, who must reach it
    data, port, pg_port = f"{folder}/pg", free_port(), free_port()
    env = {**os.environ, "HANGDOI_HUB_PGDATA": data, "HANGDOI_HUB_PG_PORT": str(pg_port),
           "HANGDOI_HUB_PORT": str(port), "HANGDOI_HUB_DEMO": "0"}
    log = open(tmp_path / "hub.sh.log", "wb")
    process = subprocess.Popen(["scripts/hub.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, (tmp_path / "hub.sh.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "hub.sh.log").read_text()
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        http = requests.Session()
        http.get(f"http://127.0.0.1:{port}/api/session", timeout=10)
        signed = http.post(f"http://127.0.0.1:{port}/api/session", json={"username": "admin", "password": "hangdoi"},
                           headers={"X-CSRF-Token": http.cookies.get("hangdoi_csrf")}, timeout=10)
        assert signed.json()["officer"]["role"] == "admin"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        log.close()
        pg_ctl = str(postgres_bin_dir() / "pg_ctl")
        runas = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run([*runas, pg_ctl, "stop", "-m", "immediate", "-D", data], capture_output=True, check=False)
        subprocess.run(["rm", "-rf", folder], check=False)


@pytest.mark.timeout(240)
def test_a_site_on_gevent_delivers_too(hub, tmp_path):
    """The pusher is the same code under the fallback async mode (socketio.start_background_task and sleep)."""
    admin = HubAdmin(hub)
    server, _ = site_server(tmp_path, "LSN-X009", hub, admin.grant("LSN-X009"))
    server.async_mode = "gevent"
    fill_site(server.database, server.center, tickets=30, seed=9)
    try:
        server.start()
        assert requests.get(server.url + "/healthz", timeout=10).json()["async_mode"] == "gevent"
        wait_delivered(admin, "LSN-X009", server.database)
        with psycopg.connect(hub.dsn) as conn:
            assert hub_rows(conn, site_id(hub.dsn, "LSN-X009")) == site_rows(server.database)
    finally:
        server.stop()
