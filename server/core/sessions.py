"""Server-side sessions: each sign-in is a row; the browser's cookie holds a random id, the table only its hash.

A session ends at once on sign-out, a password reset, an admin's "sign out everywhere", after too long without use
and too long after sign-in; removing the account or changing its role ends it too, found when the session is next
used (the role at sign-in is kept and compared with the configuration's, whichever way the configuration
changed). Every HTTP request and every Socket.IO action looks its session up, so an ended session is refused at
its very next use, whichever process ended it (the command line's `passwd` too).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from .queue import QueueRefused

# A session's last use is written at most once a minute: a console's actions stay reads.
TOUCH_SECONDS = 60
# Ended and expired rows are kept this long (who was signed in, and why it ended), then deleted at a sign-in.
KEEP_SECONDS = 7 * 86400

# Why a session ended, as the screen tells it.
ENDED_MESSAGES = {
    "signed_out": "Phiên đăng nhập đã kết thúc vì tài khoản đã đăng xuất; vui lòng đăng nhập lại.",
    "replaced": "Phiên đăng nhập đã kết thúc vì trình duyệt này đã đăng nhập lại; vui lòng đăng nhập lại.",
    "password_changed": "Mật khẩu của tài khoản đã được đặt lại; vui lòng đăng nhập lại bằng mật khẩu mới.",
    "account_changed": "Tài khoản đã bị xoá hoặc đổi vai trò trong cấu hình; vui lòng đăng nhập lại.",
    "ended_by_admin": "Quản trị viên đã đăng xuất tài khoản này trên mọi máy; vui lòng đăng nhập lại.",
    "idle": "Phiên đăng nhập đã hết hạn vì lâu không sử dụng; vui lòng đăng nhập lại.",
    "expired": "Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại.",
}
UNKNOWN_MESSAGE = "Phiên đăng nhập đã kết thúc; vui lòng đăng nhập lại."


@dataclass(frozen=True)
class Session:
    """A live session: who signed in, with which role, at which counter (None for supervisors and admins)."""

    id_hash: str
    username: str
    role: str
    counter: int | None


class SessionEnded(Exception):
    """The cookie names a session that has ended (or one this server never had); `message` is for the screen."""

    code = "session_ended"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason, self.message = reason, ENDED_MESSAGES.get(reason, UNKNOWN_MESSAGE)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Sessions:
    """The stored sessions of one center."""

    def __init__(self, store, idle_seconds: int = 4 * 3600, max_seconds: int = 12 * 3600, clock=time.time):
        self.store, self.clock = store, clock
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds

    def now(self) -> int:
        return int(self.clock())

    def start(self, username: str, role: str, counter: int | None, address: str | None) -> str:
        """A new session; returns the secret id for the cookie (only its hash is stored)."""
        secret, now = secrets.token_urlsafe(32), self.now()
        with self.store.write() as conn:
            conn.execute("DELETE FROM sessions WHERE started_at < ?", (now - self.max_seconds - KEEP_SECONDS,))
            conn.execute("INSERT INTO sessions (id_hash, username, role, counter_number, address, started_at, seen_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", (_hash(secret), username, role, counter, address, now, now))
        return secret

    def current(self, secret: str, role_now: Callable[[str], str | None]) -> Session:
        """The live session a cookie's secret names; raises SessionEnded when it has ended, timed out, or its
        account is gone or has another role now (`role_now(username)`; such a session is ended there and then)."""
        key, now = _hash(secret), self.now()
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE id_hash = ?", (key,)).fetchone()
        if row is None:
            raise SessionEnded("unknown")
        if row["ended_at"] is not None:
            raise SessionEnded(row["ended_reason"])
        reason = ("expired" if now - row["started_at"] >= self.max_seconds else
                  "idle" if now - row["seen_at"] >= self.idle_seconds else
                  "account_changed" if role_now(row["username"]) != row["role"] else None)
        if reason is not None:
            self._end(key, reason, now)
            raise SessionEnded(reason)
        if now - row["seen_at"] >= TOUCH_SECONDS:
            try:
                with self.store.write() as conn:
                    conn.execute("UPDATE sessions SET seen_at = ? WHERE id_hash = ? AND ended_at IS NULL", (now, key))
            except QueueRefused:  # the database is busy: the last use is written at the next one, the action goes on
                pass
        return Session(key, row["username"], row["role"], row["counter_number"])

    def end(self, secret: str, reason: str):
        """End the session a cookie's secret names (sign-out; signing in again in the same browser)."""
        self._end(_hash(secret), reason, self.now())

    def _end(self, key: str, reason: str, now: int):
        with self.store.write() as conn:
            conn.execute("UPDATE sessions SET ended_at = ?, ended_reason = ? WHERE id_hash = ? AND ended_at IS NULL",
                         (now, reason, key))

    @staticmethod
    def end_all(conn, username: str, reason: str, now: int) -> int:
        """End every open session of an account inside the caller's write transaction; how many there were."""
        return conn.execute("UPDATE sessions SET ended_at = ?, ended_reason = ?"
                            " WHERE username = ? AND ended_at IS NULL",
                            (now, reason, username)).rowcount

    def open_by_account(self) -> dict[str, dict]:
        """Per username, how many sessions are open (not ended, not yet timed out) and when one was last used."""
        now = self.now()
        with self.store.read() as conn:
            rows = conn.execute("SELECT username, count(*) AS n, max(seen_at) AS seen FROM sessions"
                                " WHERE ended_at IS NULL AND started_at > ? AND seen_at > ? GROUP BY username",
                                (now - self.max_seconds, now - self.idle_seconds)).fetchall()
        return {r["username"]: {"open": r["n"], "last_seen_at": r["seen"]} for r in rows}
