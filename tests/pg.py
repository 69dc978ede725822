"""A throwaway PostgreSQL cluster for the hub's tests and benchmarks, or the one HANGDOI_TEST_PG_DSN names.

`pg_cluster` (session-scoped) runs Debian's PostgreSQL (/usr/lib/postgresql/<newest>/bin, or `pg_config --bindir`)
in a temporary folder: initdb as an unprivileged user (initdb refuses root, and CI runs as root: there the cluster
belongs to `nobody`), started with pg_ctl on a unix socket in that folder and a free port number, no TCP listener;
stopped and removed at the end of the session. `pg_database` is a fresh, empty database on it for one test, dropped
afterwards. With HANGDOI_TEST_PG_DSN set (e.g. "host=/var/run/postgresql user=postgres dbname=postgres"), no cluster is
started: databases are created on that server instead, so its role needs CREATEDB.

Durability is switched off in the throwaway cluster (fsync, synchronous_commit): the tests kill the hub and the
sites, never PostgreSQL itself, and each cluster is deleted after the run. Benchmarks measure ratios against bare
PostgreSQL in the same cluster, so the setting cancels out.

Outside pytest: `with ThrowawayCluster() as cluster: dsn = cluster.create_database("x")`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "hangdoi"
# The unprivileged owner of the cluster's files when the tests run as root (CI): initdb refuses root.
UNPRIVILEGED = "nobody"
_database_numbers = itertools.count(1)


def postgres_bin_dir() -> Path:
    """The folder of Debian's PostgreSQL server programs (the newest major version installed)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if candidates:
        return Path(candidates[-1]).parent
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        bindir = Path(found.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    raise RuntimeError("PostgreSQL server programs not found: scripts/setup.sh --test installs Debian's postgresql")


def free_port() -> int:
    """A port number nobody listens on now (it names the socket file; nothing listens on TCP)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, owned by an unprivileged user, reached on a unix socket."""

    def __init__(self, durable: bool = False):
        self.durable = durable
        self.bindir = postgres_bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="hangdoi-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.run_as: list[str] = []
        if os.getuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", UNPRIVILEGED, "--"]
        self.started = False

    def _run(self, *args: str):
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, text=True, cwd=self.folder)

    def start(self) -> ThrowawayCluster:
        """initdb, then pg_ctl start (waits until the server accepts connections)."""
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = [f"-p {self.port}", "-c listen_addresses=''", f"-c unix_socket_directories='{self.socket_dir}'",
                   "-c max_connections=300", "-c shared_buffers=128MB"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        try:
            self._run(str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                      "-l", str(self.log), "-o", " ".join(options))
        except subprocess.CalledProcessError as exc:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log}") from exc
        self.started = True
        return self

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq connection string to one database of this cluster."""
        return f"host={self.socket_dir} port={self.port} user={SUPERUSER} dbname={dbname}"

    @property
    def admin_dsn(self) -> str:
        return self.dsn("postgres")

    def create_database(self, name: str) -> str:
        return create_database(self.admin_dsn, name)

    def stop(self):
        """Stop the server at once and delete its folder."""
        if self.started:
            subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "stop", "-m", "immediate", "-D",
                            str(self.data)], capture_output=True, cwd=self.folder, check=False)
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ThrowawayCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def with_dbname(dsn: str, dbname: str) -> str:
    """The same server as `dsn`, another database (libpq takes the last of repeated keywords)."""
    return psycopg.conninfo.make_conninfo(dsn, dbname=dbname)


def create_database(admin_dsn: str, name: str) -> str:
    """Create an empty database on the server `admin_dsn` reaches; its DSN."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_dbname(admin_dsn, name)


def drop_database(admin_dsn: str, name: str):
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class ConfiguredServer:
    """The server HANGDOI_TEST_PG_DSN names, used like a throwaway cluster (nothing started or removed)."""

    def __init__(self, dsn: str):
        self.admin_dsn = dsn

    def dsn(self, dbname: str = "postgres") -> str:
        return with_dbname(self.admin_dsn, dbname)

    def create_database(self, name: str) -> str:
        return create_database(self.admin_dsn, name)


@pytest.fixture(scope="session")
def pg_cluster():
    """A running PostgreSQL server for this test session (xdist: one per worker)."""
    if os.environ.get("HANGDOI_TEST_PG_DSN"):
        yield ConfiguredServer(os.environ["HANGDOI_TEST_PG_DSN"])
        return
    with ThrowawayCluster() as cluster:
        yield cluster


@pytest.fixture
def pg_database(pg_cluster):
    """The DSN of a fresh, empty database for one test; dropped afterwards."""
    name = f"hub_test_{os.getpid()}_{next(_database_numbers)}_{uuid.uuid4().hex[:6]}"
    dsn = pg_cluster.create_database(name)
    yield dsn
    drop_database(pg_cluster.admin_dsn, name)
