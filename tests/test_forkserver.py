"""The fork server behind tests/live.py: a forked server behaves as the `python run.py` process it replaces (its
exit code, its log, its signals), so every live test still tests the real server."""

from __future__ import annotations

import signal

import pytest
import requests

from tests.forkserver import ForkServer
from tests.live import ROOT, LiveServer, free_port

pytestmark = pytest.mark.live


def test_a_server_that_refuses_to_start_exits_1_with_its_reason_in_its_log(tmp_path):
    env = {"HANGDOI_CENTER": str(tmp_path / "missing.toml"), "HANGDOI_DATABASE": str(tmp_path / "q.db"),
           "HANGDOI_PORT": str(free_port()), "HANGDOI_HOST": "127.0.0.1", "PATH": "/usr/bin:/bin"}
    process = ForkServer.get(ROOT / "run.py").spawn(env, tmp_path / "server.log", ROOT)
    assert process.wait(60) == 1
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert "missing.toml" in log and '"level": "CRITICAL"' in log


# `python run.py` ends on SIGTERM by the signal too (no handler of its own): subprocess reports both as -signal.
@pytest.mark.parametrize("kill, code", [(False, -signal.SIGTERM), (True, -signal.SIGKILL)])
@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_a_forked_server_serves_and_stops_like_a_process(tmp_path, mode, kill, code):
    server = LiveServer(tmp_path / "q.db", async_mode=mode).start()
    process = server.process
    assert requests.get(f"{server.url}/healthz", timeout=10).json()["async_mode"] == mode
    assert requests.post(f"{server.url}/api/tickets", json={"service_code": "ly-lich"}, timeout=10).status_code == 201
    server.stop(kill=kill)
    assert process.poll() == code
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/healthz", timeout=2)
    # Its own process: the database it wrote is on disk, the ticket kept across the stop.
    again = LiveServer(server.database, async_mode=mode)
    again.port, again.url = server.port, server.url
    try:
        again.start()
        assert requests.post(f"{again.url}/api/tickets", json={"service_code": "ly-lich"},
                             timeout=10).json()["label"] == "A002"
    finally:
        again.stop()
