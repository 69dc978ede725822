"""The hub behind nginx with TLS exactly as docs/OPERATIONS.md configures it: the `server { listen 443 ssl; … }`
block is read from the document, only its certificate paths, name and ports replaced by a throwaway certificate
(a CA and a server certificate made here with openssl) and free ports. A real hub process behind it, the provincial
admin granting a token over HTTPS, and a real site server pushing its day over HTTPS with the province's CA as its
documented trust setting (SSL_CERT_FILE); a site without that CA refuses the certificate and delivers nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.hub_live import (
    ADMIN,
    ADMIN_PASSWORD,
    LiveHub,
    fill_site,
    site_center,
    site_last_seq,
    site_server,
    wait_until,
)
from tests.live import ROOT, free_port

pytestmark = pytest.mark.live

OPERATIONS = ROOT / "docs" / "OPERATIONS.md"
NAME = "localhost"  # the name in the certificate; the documented server_name is replaced by it


def documented_server_blocks() -> tuple[str, str]:
    """The hub's TLS server block and its port-80 redirect, as docs/OPERATIONS.md writes them (indented code)."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text[text.index("**nginx with TLS** (`/etc/nginx/sites-available/hangdoi-hub`)"):]
    start = section.index("    server {\n        listen 443 ssl;")
    end = section.index("\n    }\n", start) + len("\n    }\n")
    redirect = re.search(r"^    (server \{ listen 80;.*\})$", section, re.MULTILINE)
    assert redirect, "the port-80 redirect line of docs/OPERATIONS.md"
    return section[start:end], redirect.group(1)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        pytest.fail("nginx is not installed: scripts/setup.sh --test installs Debian's nginx-light")
    return found


def certificates(folder: Path) -> dict[str, Path]:
    """A CA of the province's own and the hub's certificate for NAME (and 127.0.0.1) signed by it."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=CA thử của tỉnh",
            "-keyout", "ca.key", "-out", "ca.crt", "-utf8")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={NAME}", "-keyout", "hub.key", "-out", "hub.csr")
    (folder / "san.ext").write_text(f"subjectAltName=DNS:{NAME},IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "hub.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "san.ext", "-out", "hub.crt")
    return {"ca": folder / "ca.crt", "cert": folder / "hub.crt", "key": folder / "hub.key"}


class Nginx:
    """nginx in the foreground with the documented server blocks, on free ports, in front of `hub_port`."""

    def __init__(self, folder: Path, certs: dict, hub_port: int):
        self.folder = folder
        self.https_port, self.http_port = free_port(), free_port()
        block, redirect = documented_server_blocks()
        block = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {certs['cert']};", block)
        block = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {certs['key']};", block)
        block = block.replace("listen 443 ssl;", f"listen 127.0.0.1:{self.https_port} ssl;")
        block = block.replace("http://127.0.0.1:5100", f"http://127.0.0.1:{hub_port}")
        redirect = redirect.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
        block, redirect = (re.sub(r"server_name \S+;", f"server_name {NAME};", b) for b in (block, redirect))
        for path in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / path).mkdir()
        # What Debian's /etc/nginx/nginx.conf provides around a site's file, in a folder of the test's own.
        (folder / "nginx.conf").write_text(f"""
{"user root;" if os.getuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{block}
    {redirect}
}}
""")
        self.process = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                         "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited: " + (folder / "error.log").read_text()[-2000:])
            try:
                requests.get(f"https://{NAME}:{self.https_port}/healthz", verify=str(certs["ca"]), timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    @property
    def url(self) -> str:
        return f"https://{NAME}:{self.https_port}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def tls_hub(pg_database, tmp_path):
    """A hub process (behind-proxy settings of the documented unit) and nginx with TLS in front of it."""
    folder = Path(tempfile.mkdtemp(prefix="hangdoi-nginx-"))
    certs = certificates(folder)
    hub = LiveHub(pg_database, tmp_path / "hub.log", env={"HANGDOI_HUB_SECURE_COOKIES": "1",
                                                          "HANGDOI_HUB_BEHIND_PROXY": "1"})
    hub.run("create-admin", ADMIN, "Quản trị tỉnh", env={"HANGDOI_HUB_ADMIN_PASSWORD": ADMIN_PASSWORD})
    hub.start()
    nginx = Nginx(folder, certs, hub.port)
    yield hub, nginx, certs
    nginx.stop()
    hub.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_a_site_pushes_its_day_through_nginx_over_https(tls_hub, tmp_path):
    hub, nginx, certs = tls_hub
    plain = requests.get(f"http://{NAME}:{nginx.http_port}/hub/sites", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith(f"https://{NAME}")

    admin = requests.Session()
    admin.trust_env = False  # this machine's REQUESTS_CA_BUNDLE would replace the session's CA
    admin.verify = str(certs["ca"])
    admin.get(nginx.url + "/api/session", timeout=10)
    assert admin.cookies.get("hangdoi_csrf")
    headers = {"X-CSRF-Token": admin.cookies.get("hangdoi_csrf")}
    signed = admin.post(nginx.url + "/api/session", json={"username": ADMIN, "password": ADMIN_PASSWORD},
                        headers=headers, timeout=10)
    assert signed.status_code == 200, signed.text
    sid = next(c for c in admin.cookies if c.name == "hangdoi_hub_sid")
    assert sid.secure  # HANGDOI_HUB_SECURE_COOKIES: the session cookie travels over HTTPS only
    tokens = {}
    for code in ("LSN-X101", "LSN-X102"):
        granted = admin.post(nginx.url + "/api/hub/sites", json={"code": code}, headers=headers, timeout=10)
        assert granted.status_code == 201, granted.text
        tokens[code] = granted.json()["token"]

    servers = []
    try:
        # The site with the province's CA as its trust (docs/OPERATIONS.md, What a site needs), and one without.
        for code, env in (("LSN-X101", {"SSL_CERT_FILE": str(certs["ca"])}), ("LSN-X102", {})):
            database = tmp_path / f"{code}.db"
            fill_site(database, site_center(tmp_path, code), tickets=12, seed=len(servers) + 1)
            server, _ = site_server(tmp_path, code, hub, tokens[code], **env)
            server.extra_env["HANGDOI_HUB_URL"] = nginx.url
            servers.append(server.start())

        def listed():
            return {s["code"]: s for s in admin.get(nginx.url + "/api/hub/sites", timeout=10).json()["sites"]}

        last = site_last_seq(tmp_path / "LSN-X101.db")
        wait_until(lambda: listed()["LSN-X101"]["acked_seq"] == last, 90,
                   "LSN-X101 delivered over HTTPS")
        access = (Path(nginx.folder) / "access.log").read_text()
        assert "POST /api/hub/v1/batches" in access  # through nginx, not around it
        wait_until(lambda: "CERTIFICATE_VERIFY_FAILED" in servers[1].log_path.read_text(errors="replace"), 60,
                   "the site without the CA refusing the hub's certificate")
        untrusting = listed()["LSN-X102"]
        assert untrusting["acked_seq"] == 0 and untrusting["last_contact_at"] is None
    finally:
        for server in servers:
            server.stop()
