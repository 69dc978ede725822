"""The SQLite file: connection settings, schema migrations and the one write path.

One long-lived connection serves the queue (opening a connection per request costs milliseconds, keeping one
costs microseconds, research/stack.md §2.2). Writes run as BEGIN IMMEDIATE transactions behind one lock, so a
transaction never starts by reading and then fails to upgrade to a write. Report threads open their own
read-only connections with `reader()` and never touch the queue's connection.

Waiting for the database never freezes the server. sqlite3 is C code the event loop cannot switch out of, so a
busy_timeout on the queue's connection would stop every socket while another process holds the write lock
(measured: /healthz took 10 s under a 12 s lock). The queue's connection has none: BEGIN IMMEDIATE fails at once
when the lock is taken, and `write` tries again after a sleep that lets everything else run (a green sleep under
eventlet and gevent, which patch `time`), until WRITE_WAIT_SECONDS have passed; then the write is refused `busy`
(StoreUnavailable), as is one the disk refuses (full, read-only). docs/OPERATIONS.md, "Faults".

How a recorded event reaches the screens: this is the one path (docs/ARCHITECTURE.md). A core action records its
events inside its write (`record_event`, same transaction as the change it describes). When the outermost write
COMMITs, still holding the store's lock, the store calls every commit listener (`on_commit`) with that
transaction's events: in commit order, which is sequence-number order; once per committed transaction; never for
one rolled back. The web layer registers one listener, server/web/realtime.py's Broadcaster, and that is where
events become Socket.IO broadcasts. Nothing else broadcasts a queue event: the events an action also returns in
its Outcome are for its caller and for tests.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from . import schema
from .events import Event, event_row
from .refusals import QueueRefused

# Connections used from worker threads (reports, summaries) wait for the write lock inside SQLite: only their own
# thread waits. The queue's connection waits this long at start-up only (migrations), before the loop runs.
BUSY_TIMEOUT_MS = 5000
# How long a write on the queue's connection (a kiosk's ticket, an officer's action) waits for another process's
# write lock before it is refused `busy`: an officer hears back within a second either way.
WRITE_WAIT_SECONDS = 0.8
# /healthz's write probe waits this long, so it answers within a second while another process holds the lock.
PROBE_WAIT_SECONDS = 0.5
# Pauses between tries for the write lock: short at first (the usual holder is another short transaction).
RETRY_PAUSES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.02, 0.05)
# Below this much free space on the database's disk /healthz says "full": a full disk refuses a ticket's pages
# while the probe's single page may still fit in the WAL's old space.
FREE_SPACE_FLOOR = 1 << 20
# Rows per multi-row INSERT: few distinct statements for the statement cache, far below SQLite's variable limit.
INSERT_CHUNK = 64

migrations = sqlite_utils.Migrations("hangdoi")
log = logging.getLogger("hangdoi.store")


class DatabaseInUse(RuntimeError):
    """Another server process already serves this database file."""


class DatabaseUnusable(RuntimeError):
    """The database cannot be served at all (its folder or file cannot be written): said at start-up, plainly."""


# What a screen shows when its write is refused, by what stopped it (`StoreUnavailable.state`).
UNAVAILABLE_MESSAGES = {
    "locked": "Hệ thống đang bận, vui lòng thử lại sau giây lát.",
    "full": "Hệ thống tạm thời không ghi được dữ liệu (ổ đĩa đầy), vui lòng báo cán bộ hướng dẫn.",
    "read_only": "Hệ thống tạm thời không ghi được dữ liệu (ổ đĩa chỉ đọc), vui lòng báo cán bộ hướng dẫn.",
    "error": "Hệ thống tạm thời không ghi được dữ liệu, vui lòng báo cán bộ hướng dẫn.",
}
# What /healthz and the start-up say of the same states, to whoever runs the server.
STATE_DESCRIPTIONS = {
    "writable": "ghi được",
    "locked": "đang bị một tiến trình khác giữ khoá ghi",
    "full": "ổ đĩa đầy",
    "read_only": "chỉ đọc (ổ đĩa hoặc tệp không cho ghi)",
    "error": "lỗi ghi",
}


class StoreUnavailable(QueueRefused):
    """A write the database cannot take now; nothing of it was stored and it may be sent again. A refusal
    `busy` (503 over HTTP), whatever the `state`: locked, full, read_only or error."""

    def __init__(self, state: str, detail: str = ""):
        super().__init__("busy", UNAVAILABLE_MESSAGES[state])
        self.state, self.detail = state, detail


def unavailable_state(exc: sqlite3.Error, path: str) -> str | None:
    """The state a SQLite error means (None: a bug, not the disk or another process)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "locked"
    if primary == sqlite3.SQLITE_FULL:
        return "full"
    if primary == sqlite3.SQLITE_READONLY:
        return "read_only"
    if primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN):
        return _disk_state(path)
    return None


def _disk_state(path: str) -> str:
    """SQLite says only "disk I/O error": ask the disk itself by writing a byte beside the database (a disk the
    kernel turned read-only after an error still shows as read-write in statvfs)."""
    probe = f"{path}.probe"
    try:
        with open(probe, "wb") as out:
            out.write(b"x")
            out.flush()
            os.fsync(out.fileno())
        os.unlink(probe)
    except OSError as exc:
        return {errno.EROFS: "read_only", errno.EACCES: "read_only", errno.EPERM: "read_only",
                errno.ENOSPC: "full", errno.EDQUOT: "full"}.get(exc.errno, "error")
    return "error"


def hold_server_lock(database: str | Path):
    """Mark the database as served by this process for as long as it lives (an advisory lock beside the file).

    A second server on the same file, or a restore while the server runs, is refused instead of corrupting data.
    """
    try:
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # a fresh install has no instance/ folder yet
        handle = open(f"{database}.lock", "a+")
    except OSError as exc:
        raise DatabaseUnusable(f"không ghi được vào thư mục {Path(database).parent} ({exc.strerror})") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DatabaseInUse(f"{database} đang được một máy chủ khác sử dụng") from None
    return handle


def _configure(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Pragmas every connection needs: WAL readers never block the writer, NORMAL sync is crash-safe in WAL."""
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class Store:
    """The database of one center, and the only way its events leave the core: the commit listeners (`on_commit`,
    the module docstring)."""

    def __init__(self, path: str | Path, write_wait: float = WRITE_WAIT_SECONDS):
        self.path = str(path)
        self.write_wait = write_wait
        self.lock = threading.RLock()
        self.listeners = []  # on_commit: called with each committed transaction's events, in commit order
        self._pending: list[Event] = []
        self._depth = 0  # write() blocks open on the queue's connection: 0 outside, 1 in a transaction, more nested
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN ourselves, so Python never opens a deferred transaction for us.
            self.conn = _configure(sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                                   timeout=BUSY_TIMEOUT_MS / 1000))
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.db = sqlite_utils.Database(self.conn)
            with self.lock:
                schema.register_all()  # m014 on: one module each in server/core/schema/
                migrations.apply(self.db)
            self.conn.execute("PRAGMA busy_timeout=0")  # from now on `write` waits, yielding (module docstring)
        except (OSError, sqlite3.Error) as exc:
            self._close_quietly()
            state = unavailable_state(exc, self.path) if isinstance(exc, sqlite3.Error) else None
            reason = STATE_DESCRIPTIONS[state] if state else (getattr(exc, "strerror", None) or str(exc))
            raise DatabaseUnusable(f"không mở được cơ sở dữ liệu {self.path}: {reason}") from None

    def ensure_writable(self):
        """The server's start-up: a database that cannot be written is said now, plainly, not at the first
        ticket (the command line's reports still read a read-only copy)."""
        try:
            self._probe(BUSY_TIMEOUT_MS / 1000)
        except StoreUnavailable as exc:
            raise DatabaseUnusable(f"cơ sở dữ liệu {self.path} {STATE_DESCRIPTIONS[exc.state]}"
                                   + (f" ({exc.detail})" if exc.detail else "")) from None

    def _close_quietly(self):
        conn = getattr(self, "conn", None)
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    @contextmanager
    def write(self, wait: float | None = None):
        """A write transaction; everything in it commits together or not at all. Raises StoreUnavailable when
        the database cannot take it (another process's lock held past `wait` seconds, a full or read-only disk).

        Used inside another write it becomes a savepoint: a refusal raised inside undoes only the inner part,
        so a caller can record the refusal and still commit (an action log does exactly that). A database error
        inside is never turned into a refusal there, so it cannot be recorded as one: the outer write says it.
        """
        self._begin(self.write_wait if wait is None else wait)
        try:
            if self._depth > 1:
                with self._savepoint():
                    yield self.conn
                return
            self._pending = []
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self._pending = []
                self._roll_back()
                if isinstance(exc, sqlite3.Error):
                    state = unavailable_state(exc, self.path)
                    if state:
                        raise StoreUnavailable(state, str(exc)) from exc
                raise
            committed, self._pending = self._pending, []
            # Still under the lock: listeners see transactions in the order of their sequence numbers.
            if committed:
                self._tell_listeners(committed)
        finally:
            self._depth -= 1
            self.lock.release()

    def on_commit(self, listener):
        """Call `listener(events)` after each transaction that recorded events commits (see the module docstring):
        the web's broadcasts (server/web/realtime.py, `broadcast_commits`) and the queue's cache of service times
        (Queue._after_commit) follow the queue this way. A listener runs under the store's lock, so it must not
        wait for anything (an emit only queues its packets)."""
        self.listeners.append(listener)

    def _tell_listeners(self, committed: list[Event]):
        """The transaction is stored whatever a listener does: one that fails is logged and the others still hear
        of it, and the write's caller gets its answer (raising here would make a kiosk try again, issuing twice)."""
        for listener in self.listeners:
            try:
                listener(committed)
            except Exception:
                log.exception("a commit listener failed on events %s", [e.seq for e in committed])

    def _begin(self, wait: float):
        """Take the lock and, outermost, SQLite's write lock: tried again after short sleeps, the lock released
        meanwhile (readers of the queue's connection go on), until `wait` has passed."""
        deadline, tries = time.monotonic() + wait, 0
        while True:
            self.lock.acquire()
            if self._depth > 0:
                self._depth += 1
                return
            if self.conn.in_transaction:  # a failed ROLLBACK left one open: never build on it
                self._roll_back()
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                self.lock.release()
                state = unavailable_state(exc, self.path)
                if state is None:
                    raise
                if state != "locked" or time.monotonic() >= deadline:
                    raise StoreUnavailable(state, str(exc)) from exc
                time.sleep(min(RETRY_PAUSES[min(tries, len(RETRY_PAUSES) - 1)],
                               max(0.0, deadline - time.monotonic())))
                tries += 1
                continue
            self._depth = 1
            return

    @contextmanager
    def _savepoint(self):
        mark = len(self._pending)
        self.conn.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # SQLite rolls a whole transaction back itself on some errors (full)
                try:
                    self.conn.execute("ROLLBACK TO nested")
                    self.conn.execute("RELEASE nested")
                except sqlite3.Error:
                    pass  # the outer write rolls back and says why
            del self._pending[mark:]
            raise
        self.conn.execute("RELEASE nested")

    def _roll_back(self):
        """ROLLBACK if a transaction is open (a failed COMMIT may have ended it already); never raises."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the next write finds it still open and tries again (_begin)

    def health(self) -> dict:
        """Whether a ticket can be written now, and if not why: {"ok", "database", "message"}. A real write
        (committed, one row) within PROBE_WAIT_SECONDS, and the free space of the database's disk."""
        try:
            self._probe(PROBE_WAIT_SECONDS)
            state, detail = "writable", ""
        except StoreUnavailable as exc:
            state, detail = exc.state, exc.detail
        message = f"Cơ sở dữ liệu {self.path}: {STATE_DESCRIPTIONS[state]}" + (f" ({detail})" if detail else "")
        return {"ok": state == "writable", "database": state, "message": message}

    def _probe(self, wait: float):
        """Raise StoreUnavailable unless a write goes through now and the disk has room for more."""
        if self.path != ":memory:":
            try:
                disk = os.statvfs(Path(self.path).parent)
            except OSError as exc:
                raise StoreUnavailable("error", exc.strerror) from None
            free = disk.f_bavail * disk.f_frsize
            if free < FREE_SPACE_FLOOR:
                raise StoreUnavailable("full", f"còn {free // 1024} KiB trống")
        with self.write(wait) as conn:
            pages, limit = conn.execute("PRAGMA page_count").fetchone()[0], \
                conn.execute("PRAGMA max_page_count").fetchone()[0]
            if limit - pages < 16:
                raise StoreUnavailable("full", f"{pages} trang / tối đa {limit} (max_page_count)")
            # A committed write reaches the disk: a rolled-back one would never see a disk turned read-only.
            conn.execute("INSERT OR REPLACE INTO server_secrets (name, value) VALUES ('healthz_probe', ?)",
                         (str(int(time.time())),))

    def record_event(self, conn, kind: str, at: int, payload: dict, **routing) -> Event:
        """Append an event to the open transaction; the commit listeners receive it once the outermost write
        commits (and never if it rolls back)."""
        return self.record_events(conn, [{"kind": kind, "at": at, "payload": payload, **routing}])[0]

    @staticmethod
    def insert_rows(conn, table: str, columns: tuple[str, ...], rows: list[tuple], returning: str) -> list:
        """INSERT many rows in few statements (a statement's fixed cost is paid per chunk, not per row); returns
        what RETURNING gives, in no promised order."""
        out = []
        placeholders = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start:start + INSERT_CHUNK]
            out += conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                + ", ".join([placeholders] * len(chunk)) + f" RETURNING {returning}",
                                [value for row in chunk for value in row]).fetchall()
        return out

    def record_events(self, conn, events: list[dict]) -> list[Event]:
        """`record_event` for several events (each given as its keyword arguments) in one statement."""
        rows = [event_row(**e) for e in events]
        # Rows get their sequence numbers in the order of the VALUES list, whatever order RETURNING uses.
        seqs = sorted(row[0] for row in self.insert_rows(
            conn, "events", ("at", "kind", "ticket_id", "counter_number", "officer", "payload"), rows, "seq"))
        recorded = [Event(seq, e["kind"], e["at"], e["payload"], e.get("counter_number"), e.get("service_code"),
                          e.get("ticket_token"), e.get("detail")) for seq, e in zip(seqs, events)]
        self._pending += recorded
        return recorded

    @contextmanager
    def read(self):
        """The shared connection for short reads on the queue's hot paths."""
        with self.lock:
            yield self.conn

    def reader(self) -> sqlite3.Connection:
        """A new read-only connection for long queries in a worker thread; the caller closes it."""
        if self.path == ":memory:":
            raise RuntimeError("an in-memory store has no second connection")
        uri = f"file:{Path(self.path).resolve()}?mode=ro"
        return _configure(sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000))

    def worker_connection(self) -> sqlite3.Connection:
        """A new read-write connection for work done in another thread (daily summaries); the caller closes it."""
        if self.path == ":memory:":
            raise RuntimeError("an in-memory store has no second connection")
        return _configure(sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                          timeout=BUSY_TIMEOUT_MS / 1000))

    def secret(self, name: str) -> str:
        """A random secret created once and kept in the database (the session-signing key)."""
        with self.write() as conn:
            conn.execute("INSERT OR IGNORE INTO server_secrets VALUES (?, ?)", (name, secrets.token_hex(32)))
            return conn.execute("SELECT value FROM server_secrets WHERE name = ?", (name,)).fetchone()[0]

    def close(self):
        """Close the connection (checkpointing the WAL)."""
        with self.lock:
            self.conn.close()


@migrations()
def m001_queue(db: sqlite_utils.Database):
    """Tickets, their numbering, the event log and counter state."""
    for statement in _QUEUE_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)


_QUEUE_SCHEMA = """
CREATE TABLE number_sequences (
    local_date TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (local_date, prefix)
) WITHOUT ROWID;
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    local_date TEXT NOT NULL,
    service_code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    prefix TEXT NOT NULL,
    number INTEGER NOT NULL,
    label TEXT NOT NULL,
    priority_group TEXT,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    arrived_at INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    call_count INTEGER NOT NULL DEFAULT 0,
    first_called_at INTEGER,
    last_called_at INTEGER,
    service_started_at INTEGER,
    ended_at INTEGER,
    counter_number INTEGER,
    officer TEXT,
    reserved_counter INTEGER,
    transferred_from INTEGER REFERENCES tickets(id),
    root_ticket_id INTEGER REFERENCES tickets(id),
    device TEXT
);
CREATE UNIQUE INDEX tickets_number_per_day ON tickets(local_date, prefix, number) WHERE transferred_from IS NULL;
CREATE INDEX tickets_by_state ON tickets(state, service_code, arrived_at);
CREATE INDEX tickets_by_day ON tickets(local_date, service_code);
CREATE INDEX tickets_by_service_end ON tickets(service_code, ended_at);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id),
    counter_number INTEGER,
    officer TEXT,
    payload TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_ticket ON events(ticket_id);
CREATE TABLE counter_state (
    counter_number INTEGER PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'closed',
    officer TEXT,
    pause_reason TEXT,
    since INTEGER,
    current_ticket_id INTEGER REFERENCES tickets(id),
    normals_since_priority INTEGER NOT NULL DEFAULT 0
)
"""


@migrations()
def m002_officers_and_actions(db: sqlite_utils.Database):
    """Officers' password hashes, and counter actions already performed (each action id at most once)."""
    db.execute("CREATE TABLE officer_accounts (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,"
               " changed_at INTEGER NOT NULL)")
    db.execute("CREATE TABLE counter_actions (action_id TEXT PRIMARY KEY, counter_number INTEGER NOT NULL,"
               " officer TEXT NOT NULL, action TEXT NOT NULL, at INTEGER NOT NULL, response TEXT NOT NULL)")


@migrations()
def m003_ratings(db: sqlite_utils.Database):
    """Ratings: one per served ticket, bound to who served it, never edited."""
    db.execute("""CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets(id),
        client_id TEXT UNIQUE,
        channel TEXT NOT NULL,
        level INTEGER NOT NULL,
        level_name TEXT NOT NULL,
        scale INTEGER NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',
        comment TEXT,
        local_date TEXT NOT NULL,
        service_local_date TEXT NOT NULL,
        rated_at INTEGER NOT NULL,
        counter_number INTEGER NOT NULL,
        officer TEXT,
        service_code TEXT NOT NULL,
        department_code TEXT NOT NULL,
        device TEXT
    )""")
    db.execute("CREATE INDEX ratings_by_day ON ratings(service_local_date)")
    # Ratings are never edited or deleted: the database itself refuses.
    db.execute("CREATE TRIGGER ratings_never_updated BEFORE UPDATE ON ratings"
               " BEGIN SELECT RAISE(ABORT, 'ratings are never edited'); END")
    db.execute("CREATE TRIGGER ratings_never_deleted BEFORE DELETE ON ratings"
               " BEGIN SELECT RAISE(ABORT, 'ratings are never deleted'); END")


@migrations()
def m004_daily_summaries(db: sqlite_utils.Database):
    """Stored daily summaries, and triggers that mark a day stale when its tickets or ratings change."""
    db.execute("CREATE TABLE daily_summaries (local_date TEXT PRIMARY KEY, data TEXT NOT NULL)")
    db.execute("CREATE TABLE summary_days (local_date TEXT PRIMARY KEY, stale INTEGER NOT NULL DEFAULT 0,"
               " computed_at INTEGER NOT NULL)")
    db.execute("CREATE INDEX events_by_time ON events(at)")
    db.execute("CREATE TRIGGER tickets_mark_summary_stale AFTER UPDATE ON tickets BEGIN"
               " UPDATE summary_days SET stale = 1 WHERE local_date = NEW.local_date AND stale = 0; END")
    db.execute("CREATE TRIGGER new_ticket_marks_summary_stale AFTER INSERT ON tickets BEGIN"
               " UPDATE summary_days SET stale = 1 WHERE local_date = NEW.local_date AND stale = 0; END")
    db.execute("CREATE TRIGGER rating_marks_summary_stale AFTER INSERT ON ratings BEGIN"
               " UPDATE summary_days SET stale = 1 WHERE local_date = NEW.service_local_date AND stale = 0; END")


@migrations()
def m005_waiting_index(db: sqlite_utils.Database):
    """A small index of waiting tickets only: positions and queue lengths are counted on it at every issue."""
    db.execute("CREATE INDEX tickets_waiting ON tickets(service_code, local_date, priority_group, arrived_at, id)"
               " WHERE state = 'waiting'")


@migrations()
def m006_waiting_counts(db: sqlite_utils.Database):
    """Queue lengths per day, service and priority, kept by triggers: issuing a ticket reads them, never counts."""
    db.execute("CREATE TABLE waiting_counts (local_date TEXT NOT NULL, service_code TEXT NOT NULL,"
               " priority INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (local_date, service_code, priority))"
               " WITHOUT ROWID")
    db.execute("INSERT INTO waiting_counts SELECT local_date, service_code, priority_group IS NOT NULL, count(*)"
               " FROM tickets WHERE state = 'waiting' GROUP BY 1, 2, 3")
    db.execute("CREATE TRIGGER waiting_count_on_insert AFTER INSERT ON tickets WHEN NEW.state = 'waiting' BEGIN"
               " INSERT INTO waiting_counts"
               " VALUES (NEW.local_date, NEW.service_code, NEW.priority_group IS NOT NULL, 1)"
               " ON CONFLICT DO UPDATE SET n = n + 1; END")
    db.execute("CREATE TRIGGER waiting_count_on_leave AFTER UPDATE OF state ON tickets"
               " WHEN OLD.state = 'waiting' AND NEW.state != 'waiting' BEGIN"
               " UPDATE waiting_counts SET n = n - 1 WHERE local_date = OLD.local_date"
               " AND service_code = OLD.service_code AND priority = (OLD.priority_group IS NOT NULL); END")
    db.execute("CREATE TRIGGER waiting_count_on_return AFTER UPDATE OF state ON tickets"
               " WHEN OLD.state != 'waiting' AND NEW.state = 'waiting' BEGIN"
               " INSERT INTO waiting_counts"
               " VALUES (NEW.local_date, NEW.service_code, NEW.priority_group IS NOT NULL, 1)"
               " ON CONFLICT DO UPDATE SET n = n + 1; END")


@migrations()
def m007_summaries_per_dimension(db: sqlite_utils.Database):
    """Daily summaries stored one row per day and dimension (a year report decodes only what it shows)."""
    db.execute("DROP TABLE daily_summaries")
    db.execute("DELETE FROM summary_days")
    db.execute("CREATE TABLE day_summaries (local_date TEXT NOT NULL, dimension TEXT NOT NULL, data TEXT NOT NULL,"
               " PRIMARY KEY (local_date, dimension)) WITHOUT ROWID")


@migrations()
def m008_month_summaries(db: sqlite_utils.Database):
    """Roll-ups of whole past months, dropped whenever one of their days is recomputed."""
    db.execute("CREATE TABLE month_summaries (month TEXT NOT NULL, dimension TEXT NOT NULL, data TEXT NOT NULL,"
               " PRIMARY KEY (month, dimension)) WITHOUT ROWID")


@migrations()
def m009_access(db: sqlite_utils.Database):
    """Paired devices, the admin audit trail, admin-edited center versions and the server's own secret."""
    db.execute("CREATE TABLE devices (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
               " counter_number INTEGER, token_hash TEXT NOT NULL UNIQUE, paired_at INTEGER NOT NULL,"
               " paired_by TEXT NOT NULL, revoked_at INTEGER, revoked_by TEXT, last_seen_at INTEGER)")
    # A screen asking to be paired: it shows `code`, polls with the secret `request_hash`'s preimage, and receives
    # its token once (`token` is cleared when delivered).
    db.execute("CREATE TABLE pairing_requests (request_hash TEXT PRIMARY KEY, code TEXT NOT NULL,"
               " kind TEXT NOT NULL, counter_number INTEGER, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
               " state TEXT NOT NULL DEFAULT 'pending', device_id INTEGER REFERENCES devices(id), token TEXT)")
    db.execute("CREATE INDEX pairing_by_code ON pairing_requests (code, state)")
    db.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
               " action TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT)")
    db.execute("CREATE TABLE center_versions (version INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
               " raw TEXT NOT NULL, file_hash TEXT)")
    db.execute("CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m010_lean_ticket_indexes(db: sqlite_utils.Database):
    """Index only the tickets each query looks for, so issuing a ticket writes fewer index pages.

    A waiting ticket is already in `tickets_waiting` (queries name it: the planner would rather scan the day);
    a ticket a counter holds is found by its counter; the recent service times read only ended tickets; a
    transferred chain is found by its root (that lookup used to scan the table).
    """
    db.execute("DROP INDEX tickets_by_state")
    db.execute("CREATE INDEX tickets_at_counter ON tickets(counter_number, local_date, state)"
               " WHERE counter_number IS NOT NULL")
    db.execute("DROP INDEX tickets_by_service_end")
    db.execute("CREATE INDEX tickets_ended ON tickets(service_code, ended_at) WHERE ended_at IS NOT NULL")
    db.execute("CREATE INDEX tickets_by_root ON tickets(root_ticket_id) WHERE root_ticket_id IS NOT NULL")


@migrations()
def m011_feedback_and_timeouts(db: sqlite_utils.Database):
    """The feedback inbox (every "Không hài lòng" and every comment, followed up, never deleted) and the mark of a
    rating the tablet sent on its own when the citizen walked away after choosing a level."""
    db.execute("ALTER TABLE ratings ADD COLUMN sent_on_timeout INTEGER NOT NULL DEFAULT 0")
    db.execute("""CREATE TABLE feedback_items (
        id INTEGER PRIMARY KEY,
        rating_id INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
        dissatisfied INTEGER NOT NULL,
        local_date TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_progress', 'done')),
        changed_at INTEGER NOT NULL,
        handled_at INTEGER,
        handled_by TEXT
    )""")
    db.execute("CREATE INDEX feedback_by_state ON feedback_items(state, opened_at)")
    db.execute("CREATE INDEX feedback_by_day ON feedback_items(local_date)")
    db.execute("""CREATE TABLE feedback_actions (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES feedback_items(id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        note TEXT NOT NULL
    )""")
    db.execute("CREATE INDEX feedback_actions_by_item ON feedback_actions(item_id, id)")
    db.execute("CREATE TRIGGER feedback_items_never_deleted BEFORE DELETE ON feedback_items"
               " BEGIN SELECT RAISE(ABORT, 'feedback is never deleted'); END")
    db.execute("CREATE TRIGGER feedback_actions_never_updated BEFORE UPDATE ON feedback_actions"
               " BEGIN SELECT RAISE(ABORT, 'feedback actions are never edited'); END")
    db.execute("CREATE TRIGGER feedback_actions_never_deleted BEFORE DELETE ON feedback_actions"
               " BEGIN SELECT RAISE(ABORT, 'feedback actions are never deleted'); END")
    # Ratings stored before the inbox existed: their complaints and comments become items too.
    db.execute("INSERT INTO feedback_items (rating_id, dissatisfied, local_date, opened_at, changed_at)"
               " SELECT id, level_name IN ('Không hài lòng', 'Rất không hài lòng'), service_local_date, rated_at,"
               " rated_at FROM ratings"
               " WHERE level_name IN ('Không hài lòng', 'Rất không hài lòng') OR comment IS NOT NULL")


@migrations()
def m012_exact_summaries(db: sqlite_utils.Database):
    """Daily summaries now keep exact one-second histograms: every stored day and month is computed again."""
    db.execute("DELETE FROM day_summaries")
    db.execute("DELETE FROM month_summaries")
    db.execute("DELETE FROM summary_days")


@migrations()
def m013_sessions_and_sign_in_limits(db: sqlite_utils.Database):
    """Server-side sessions (the cookie holds a random id, the table only its hash), failed sign-ins per account
    and per address (kept across restarts), and the address each pairing request came from."""
    db.execute("CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL,"
               " counter_number INTEGER, address TEXT, started_at INTEGER NOT NULL, seen_at INTEGER NOT NULL,"
               " ended_at INTEGER, ended_reason TEXT) WITHOUT ROWID")
    db.execute("CREATE INDEX sessions_open_by_user ON sessions(username) WHERE ended_at IS NULL")
    # `key` is "account:<username>" or "address:<ip>"; `failures` counts those since `since` (the window's start).
    db.execute("CREATE TABLE sign_in_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, since INTEGER NOT NULL,"
               " last_at INTEGER NOT NULL, locked_until INTEGER NOT NULL DEFAULT 0,"
               " lockouts INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID")
    db.execute("ALTER TABLE pairing_requests ADD COLUMN address TEXT")
    db.execute("CREATE INDEX pairing_by_address ON pairing_requests(address, state)")
