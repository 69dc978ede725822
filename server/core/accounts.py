"""Officers' passwords: stored as scrypt hashes, checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from . import audit
from .center import Center
from .store import Store

# scrypt cost: ~30 ms per check on the reference machine, cheap for people, dear for guessing.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD_LENGTH = 6


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


class Accounts:
    """Sign-in of the officers the center configuration lists."""

    def __init__(self, center: Center, store: Store):
        self.center, self.store = center, store

    def set_password(self, username: str, password: str, actor: str | None = None, now: float | None = None,
                     hasher=hash_password):
        """Give an officer a new password (CLI, admin screen, demo set-up); with an `actor` it is audited as
        "password_reset" in the same transaction (never the password itself). `hasher` lets a server run the
        slow hash off its event loop."""
        if self.center.officer(username) is None:
            raise ValueError(f"không có công chức {username!r} trong cấu hình")
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
        hashed = hasher(password)
        at = int(time.time() if now is None else now)
        with self.store.write() as conn:
            conn.execute("INSERT INTO officer_accounts (username, password_hash, changed_at) VALUES (?, ?, ?)"
                         " ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,"
                         " changed_at = excluded.changed_at", (username, hashed, at))
            if actor is not None:
                audit.record(conn, at, actor, "password_reset", username)

    def has_password(self, username: str) -> bool:
        with self.store.read() as conn:
            return conn.execute("SELECT 1 FROM officer_accounts WHERE username = ?", (username,)).fetchone() is not None

    def stored_hash(self, username) -> str | None:
        """The hash to check against, read on the queue's connection (the check itself may run in a thread)."""
        if not isinstance(username, str) or self.center.officer(username) is None:
            return None
        with self.store.read() as conn:
            row = conn.execute("SELECT password_hash FROM officer_accounts WHERE username = ?", (username,)).fetchone()
        return row[0] if row else None
