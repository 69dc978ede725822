"""The offline bundle (scripts/bundle.sh), as a center's PC with no route to any registry gets it: built once, unpacked
alone, installed and started by scripts/start.sh with pip, npm and apt pointed nowhere, and the Debian packages shown
to install on an empty system from the bundle alone. The bundle is built from the committed HEAD (git archive).

Marked `bundle` and `live`: building takes one to two minutes (PyPI, npm and Debian are reached then, not after),
installing about one more; both happen once per session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
import requests
from live import ROOT, SMALL_CENTER, free_port

pytestmark = [pytest.mark.bundle, pytest.mark.live, pytest.mark.slow, pytest.mark.timeout(1500)]  # build ≤ 1200 s

NOWHERE = "http://127.0.0.1:9"  # the discard port: refused at once, nothing leaves the machine
DEBS = ("fonts-dejavu-core", "espeak-ng", "python3-venv")
REGISTRY_CLIENTS = ("apt-get", "apt", "npm", "npx", "curl", "wget", "git")

if not (shutil.which("apt-get") and shutil.which("dpkg") and (ROOT / ".git").exists()):
    pytest.skip("needs a Debian machine and a git checkout", allow_module_level=True)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """scripts/bundle.sh run once: the path of its archive."""
    out = tmp_path_factory.mktemp("bundle")
    run = subprocess.run([str(ROOT / "scripts" / "bundle.sh"), "--out", str(out)], check=False, cwd=ROOT,
                         capture_output=True, text=True, timeout=1200, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (archive,) = out.glob("hangdoi-offline-*.tar.gz")
    return archive


@pytest.fixture(scope="session")
def unpacked(bundle, tmp_path_factory) -> Path:
    """The archive unpacked into an empty folder, as on the center's PC: its hangdoi/ folder."""
    target = tmp_path_factory.mktemp("center-pc")
    with tarfile.open(bundle) as tar:
        tar.extractall(target, filter="tar")
    return target / "hangdoi"


@pytest.fixture(scope="session")
def offline_env(tmp_path_factory) -> dict:
    """The environment of a PC with no registry: pip and npm pointed at a refused port, no pip configuration (this
    machine's points at local indexes), and every registry client replaced by one that records its call and fails."""
    stubs = tmp_path_factory.mktemp("no-registry")
    for name in REGISTRY_CLIENTS:
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >>"{stubs}/calls"\necho "offline: {name} called" >&2\nexit 99\n')
        stub.chmod(0o755)
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("PIP_", "NPM_CONFIG_", "VIRTUAL_ENV", "APT_CONFIG"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_INDEX_URL=f"{NOWHERE}/simple",
               npm_config_registry=f"{NOWHERE}/", npm_config_offline="true",
               http_proxy=NOWHERE, https_proxy=NOWHERE, HTTP_PROXY=NOWHERE, HTTPS_PROXY=NOWHERE,
               PATH=f"{stubs}{os.pathsep}{env['PATH']}", STUBS=str(stubs))
    return env


def registry_calls(env) -> str:
    calls = Path(env["STUBS"]) / "calls"
    return calls.read_text() if calls.exists() else ""


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float):
    """Poll /healthz until it answers; fail with the log if the process ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url + "/healthz", timeout=2).ok:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)
    pytest.fail(f"no answer in {timeout:.0f} s:\n{log.read_text()[-4000:]}")


class Server:
    """scripts/start.sh (or run.py) of the unpacked bundle, on a free port and a database of the test's."""

    def __init__(self, command, cwd: Path, env: dict, data: Path):
        data.mkdir(exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data / "server.log"
        self.env = {**env, "HANGDOI_HOST": "127.0.0.1", "HANGDOI_PORT": str(self.port),
                    "HANGDOI_CENTER": str(SMALL_CENTER), "HANGDOI_DATABASE": str(data / "hangdoi.db"),
                    "HANGDOI_BACKUP_DIR": str(data / "backups"), "PYTHONUNBUFFERED": "1"}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def started(unpacked, offline_env, tmp_path_factory):
    """The README's one command, scripts/start.sh, in the unpacked bundle: it installs, then serves."""
    began = time.monotonic()
    server = Server([str(unpacked / "scripts" / "start.sh")], unpacked, offline_env,
                    tmp_path_factory.mktemp("data"))
    try:
        wait_healthy(server.url, server.process, server.log, timeout=900)
        server.seconds = time.monotonic() - began
        yield server
    finally:
        server.stop()


def test_the_archive_carries_wheels_browser_assets_and_debs(unpacked):
    offline = unpacked / "offline"
    wheels = {w.name.split("-")[0].lower().replace("_", "-") for w in (offline / "wheels").glob("*.whl")}
    locked = {line.split("==")[0] for line in (unpacked / "requirements" / "gevent.txt").read_text().splitlines()
              if "==" in line and "win32" not in line}
    assert locked and locked <= wheels
    assert {"eventlet", "gevent", "setuptools"} <= wheels
    assert not {"pytest", "playwright", "hypothesis"} & wheels  # the tests' packages stay out
    assert not list((offline / "wheels").glob("*.tar.gz"))  # built already: nothing to compile on the PC
    for path in ("socket.io-client/dist/socket.io.min.js", "chart.js/dist/chart.umd.min.js",
                 "@fontsource/be-vietnam-pro/vietnamese-400.css"):
        assert (unpacked / "node_modules" / path).is_file(), path
    debs = {d.name.split("_")[0] for d in (offline / "debs").glob("*.deb")}
    assert set(DEBS) | {"espeak-ng-data", "libespeak-ng1"} <= debs
    assert (offline / "debs" / "Packages").is_file()
    check = subprocess.run(["sha256sum", "--quiet", "-c", "offline/SHA256SUMS"], check=False, cwd=unpacked,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_start_sh_installs_and_serves_with_no_registry(started, unpacked, offline_env):
    assert requests.get(started.url + "/healthz", timeout=5).json()["ok"] is True
    center = requests.get(started.url + "/api/center", timeout=5)
    assert center.status_code == 200 and center.json()["name"]
    assert requests.get(started.url + "/vendor/socket.io.min.js", timeout=5).status_code == 200
    assert registry_calls(offline_env) == ""
    print(f"\nstart.sh from the unpacked bundle to /healthz: {started.seconds:.0f} s")
    venv = unpacked / ".venv" / "bin" / "python"
    assert subprocess.run([venv, "-c", "import eventlet"], check=False, capture_output=True).returncode == 0
    # A plain install runs on eventlet: the gevent fallback is an extra, not installed unless asked for.
    assert subprocess.run([venv, "-c", "import gevent"], check=False, capture_output=True).returncode != 0


def test_the_gevent_fallback_installs_from_the_bundle_too(started, unpacked, offline_env, tmp_path):
    env = {**offline_env, "HANGDOI_ASYNC_MODE": "gevent"}
    run = subprocess.run([str(unpacked / "scripts" / "setup.sh")], check=False, cwd=unpacked, env=env,
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "requirements/gevent.txt (from offline/wheels)" in run.stdout
    server = Server([str(unpacked / ".venv" / "bin" / "python"), "run.py"], unpacked, env, tmp_path / "data")
    try:
        wait_healthy(server.url, server.process, server.log, timeout=120)
        assert requests.get(server.url + "/api/center", timeout=5).status_code == 200
    finally:
        server.stop()
    assert registry_calls(offline_env) == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="apt-get update into a private list folder needs root")
def test_the_debs_install_on_an_empty_debian_from_the_bundle_alone(unpacked, offline_env, tmp_path):
    """setup.sh's own apt step, simulated against an empty package status: every package the server needs, and all
    they depend on, resolve from offline/debs with no other source (dpkg -s is made to say none is installed)."""
    (tmp_path / "cache").mkdir()
    (tmp_path / "status").write_text("")
    apt_conf = tmp_path / "apt.conf"
    apt_conf.write_text(f'Dir::State::status "{tmp_path}/status";\nDir::Cache "{tmp_path}/cache";\n'
                        'Debug::NoLocking "1";\nAPT::Get::Simulate "true";\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg").write_text('#!/bin/sh\n[ "$1" = "-s" ] && exit 1\nexec /usr/bin/dpkg "$@"\n')
    (bin_dir / "dpkg").chmod(0o755)
    (bin_dir / "apt-get").symlink_to(shutil.which("apt-get"))  # the real one, reading the bundle's folder only
    env = {**offline_env, "APT_CONFIG": str(apt_conf), "PATH": f"{bin_dir}{os.pathsep}{offline_env['PATH']}"}
    run = subprocess.run([str(unpacked / "scripts" / "setup.sh")], check=False, cwd=unpacked, env=env,
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "apt-get install fonts-dejavu-core espeak-ng python3-venv (from offline/debs)" in run.stdout
    # The same resolution, printed: every .deb of the bundle is installed on the empty system, and nothing else.
    lists = tmp_path / "lists"
    (lists / "partial").mkdir(parents=True)
    sources = tmp_path / "sources.list"
    sources.write_text(f"deb [trusted=yes] file:{unpacked}/offline/debs ./\n")
    apt = ["apt-get", "-q", "-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=-",
           "-o", f"Dir::State::Lists={lists}", "-o", "APT::Sandbox::User=root"]
    aptenv = {**os.environ, "APT_CONFIG": str(apt_conf)}
    subprocess.run([*apt, "update"], env=aptenv, check=True, capture_output=True)
    sim = subprocess.run([*apt, "install", "--no-download", "--no-install-recommends", *DEBS], check=False,
                         env=aptenv, capture_output=True, text=True)
    assert sim.returncode == 0, sim.stdout[-3000:] + sim.stderr[-3000:]
    installed = {line.split()[1] for line in sim.stdout.splitlines() if line.startswith("Inst ")}
    assert installed == {d.name.split("_")[0] for d in (unpacked / "offline" / "debs").glob("*.deb")}
