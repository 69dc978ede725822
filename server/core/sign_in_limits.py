"""Limits on guessing passwords: failed sign-ins are counted per account and per address, in the database.

After `attempts` failures within `window` seconds, the account (or the address) waits: the window's length the
first time, then twice as long each time again (capped), so guessing costs hours, not seconds. An attempt is
counted before its password is checked and given back when it succeeds, so parallel guesses cannot slip past the
limit. Every wait that starts, and every one an admin lifts, is in the audit log. Unknown usernames are counted
like known ones: the answer never tells which accounts exist.
"""

from __future__ import annotations

import math
import time

from . import audit
from .queue import QueueRefused

MAX_WAIT_SECONDS = 4 * 3600
# A key's doublings are forgotten after a day without failures.
FORGET_SECONDS = 86400
# Keys longer than this are cut: a username is never that long, and a huge one must not fill the table.
KEY_LENGTH = 120
LOCKED = "sign_in_locked"
SYSTEM_ACTOR = "hệ thống (đăng nhập sai)"


def locked_message(seconds: int) -> str:
    return f"Đăng nhập sai quá nhiều lần, vui lòng thử lại sau {max(1, math.ceil(seconds / 60))} phút."


def keys_for(username: str, address: str | None) -> list[str]:
    """The counters one sign-in attempt is charged to: its account and, when known, its address."""
    keys = [("account:" + username)[:KEY_LENGTH]]
    if address:
        keys.append(("address:" + address)[:KEY_LENGTH])
    return keys


class SignInLimits:
    """Failed sign-ins per account and per address, and the waits they lead to."""

    def __init__(self, store, attempts: int = 5, window_seconds: int = 900, clock=time.time):
        self.store, self.clock = store, clock
        self.attempts, self.window_seconds = attempts, window_seconds

    def now(self) -> int:
        return int(self.clock())

    def reserve(self, keys: list[str]):
        """Count one attempt against each key before its password is checked; raises QueueRefused
        `sign_in_locked` (with the wait in minutes) when one of them must wait."""
        now = self.now()
        with self.store.write() as conn:
            rows = {key: conn.execute("SELECT * FROM sign_in_failures WHERE key = ?", (key,)).fetchone()
                    for key in keys}
            wait = 0
            for row in rows.values():
                if row is None:
                    continue
                if row["locked_until"] > now:
                    wait = max(wait, row["locked_until"] - now)
                elif row["since"] > now - self.window_seconds and row["failures"] >= self.attempts:
                    wait = max(wait, row["since"] + self.window_seconds - now)  # attempts still being checked
            if wait:
                raise QueueRefused(LOCKED, locked_message(wait))
            for key, row in rows.items():
                if row is None:
                    conn.execute("INSERT INTO sign_in_failures (key, failures, since, last_at) VALUES (?, 1, ?, ?)",
                                 (key, now, now))
                    continue
                fresh = row["since"] <= now - self.window_seconds
                forgotten = row["last_at"] <= now - FORGET_SECONDS
                conn.execute("UPDATE sign_in_failures SET failures = ?, since = ?, last_at = ?, lockouts = ?"
                             " WHERE key = ?", (1 if fresh else row["failures"] + 1, now if fresh else row["since"],
                                                now, 0 if forgotten else row["lockouts"], key))

    def succeeded(self, keys: list[str]):
        """The password was right: the account starts afresh, the address gets its attempt back."""
        with self.store.write() as conn:
            conn.execute("DELETE FROM sign_in_failures WHERE key = ?", (keys[0],))
            for key in keys[1:]:
                conn.execute("UPDATE sign_in_failures SET failures = max(failures - 1, 0) WHERE key = ?", (key,))

    def failed(self, keys: list[str], address: str | None):
        """The password was wrong (or the account has none): a key that reached the limit starts to wait."""
        now = self.now()
        with self.store.write() as conn:
            for key in keys:
                row = conn.execute("SELECT * FROM sign_in_failures WHERE key = ?", (key,)).fetchone()
                if row is None or row["failures"] < self.attempts or row["locked_until"] > now:
                    continue
                lockouts = row["lockouts"] + 1
                wait = min(self.window_seconds * 2 ** (lockouts - 1), MAX_WAIT_SECONDS)
                conn.execute("UPDATE sign_in_failures SET failures = 0, since = ?, locked_until = ?, lockouts = ?"
                             " WHERE key = ?", (now, now + wait, lockouts, key))
                audit.record(conn, now, SYSTEM_ACTOR, "sign_in_locked", key, None,
                             {"failures": row["failures"], "minutes": wait // 60, "until": now + wait,
                              "address": address})

    def listing(self) -> list[dict]:
        """Accounts and addresses that wait now or have failed attempts in the current window, newest first."""
        now = self.now()
        with self.store.read() as conn:
            rows = conn.execute("SELECT * FROM sign_in_failures WHERE locked_until > ? OR (since > ? AND failures > 0)"
                                " ORDER BY last_at DESC", (now, now - self.window_seconds)).fetchall()
        return [{"key": r["key"], "kind": r["key"].split(":", 1)[0], "name": r["key"].split(":", 1)[1],
                 "failures": r["failures"], "locked_until": r["locked_until"] if r["locked_until"] > now else None,
                 "minutes_left": math.ceil((r["locked_until"] - now) / 60) if r["locked_until"] > now else 0}
                for r in rows]

    def clear(self, key, actor: str) -> bool:
        """An admin lifts a wait (or forgets the failures) of one account or address; audited.

        False: nothing to clear."""
        if not isinstance(key, str):
            return False
        now = self.now()
        with self.store.write() as conn:
            row = conn.execute("SELECT * FROM sign_in_failures WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM sign_in_failures WHERE key = ?", (key,))
            audit.record(conn, now, actor, "sign_in_unlocked", key,
                         {"failures": row["failures"], "locked_until": row["locked_until"] or None}, None)
        return True
