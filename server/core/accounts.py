"""Officers' passwords and sign-in: scrypt hashes that name their own cost, checked in constant time.

A stored hash reads like werkzeug's: "scrypt:16384:8:1$<salt>$<hex digest>" (N, r, p, then salt and digest), so the
cost can rise: a hash below the current cost is replaced at its owner's next successful sign-in. Hashes of the
first format ("scrypt$<base64 salt>$<base64 digest>", always N=16384, r=8, p=1) still check, and are replaced too.
A sign-in runs exactly one hash check whether or not the account exists or has a password, so the answer's time
tells nothing; guessing is limited by server/core/sign_in_limits.py; sessions are server/core/sessions.py.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import time

from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .center import Center, Officer
from .names import composed_text
from .queue import QueueRefused
from .sessions import Session, Sessions
from .sign_in_limits import SignInLimits, keys_for
from .store import Store

# scrypt cost: ~30 ms per check on the reference machine (~45 ms on the test machines), cheap for people, dear for
# guessing. Raise N here: stored hashes follow at their owners' next sign-in.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
METHOD = f"scrypt:{SCRYPT['n']}:{SCRYPT['r']}:{SCRYPT['p']}"
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD_LENGTH = 6
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


def _composed(value):
    """A typed string in NFC (the command line's, too); anything else as it is, for the checks to refuse."""
    return composed_text(value) if isinstance(value, str) else value


def hash_password(password: str) -> str:
    """A new hash at the current cost, in the self-describing format."""
    return generate_password_hash(password, METHOD)


def password_matches(password: str, stored: str) -> bool:
    """Whether a password matches a stored hash of either format; False for anything unreadable."""
    if not isinstance(stored, str):
        return False
    if stored.startswith("scrypt$"):
        try:
            _, salt, digest = stored.split("$")
            candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **LEGACY_SCRYPT)
        except ValueError:
            return False
        return hmac.compare_digest(candidate, base64.b64decode(digest))
    try:
        return check_password_hash(stored, password)
    except (ValueError, TypeError):  # an unknown method or malformed parameters
        return False


def stored_cost(stored: str) -> int:
    """N·r·p of a stored hash (the legacy format's fixed cost); 0 for anything unreadable."""
    if stored.startswith("scrypt$"):
        return LEGACY_SCRYPT["n"] * LEGACY_SCRYPT["r"] * LEGACY_SCRYPT["p"]
    try:
        method, n, r, p = stored.split("$", 1)[0].split(":")
        return int(n) * int(r) * int(p) if method == "scrypt" else 0
    except ValueError:
        return 0


def needs_new_hash(stored: str) -> bool:
    """The stored hash is of the first format or below the current cost: replace it at the next sign-in."""
    return stored.startswith("scrypt$") or stored_cost(stored) < SCRYPT["n"] * SCRYPT["r"] * SCRYPT["p"]


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of a password nobody knows, at the current cost: what unknown accounts are checked against."""
    return generate_password_hash(secrets.token_urlsafe(16), method)


def check_or_pretend(password: str, stored: str | None) -> bool:
    """Exactly one hash check: against the account's hash, or against a dummy one when there is none."""
    matches = password_matches(password, stored if stored is not None else _dummy_hash(METHOD))
    return matches and stored is not None


class Accounts:
    """Sign-in of the officers the center configuration lists."""

    def __init__(self, center: Center, store: Store, clock=time.time):
        self.center, self.store = center, store
        self.sessions = Sessions(store, clock=clock)
        self.limits = SignInLimits(store, clock=clock)

    def configure(self, idle_minutes: int, max_hours: int, attempts: int, window_minutes: int):
        """The deployment's session lifetimes and sign-in limits (server/settings.py)."""
        self.sessions.idle_seconds, self.sessions.max_seconds = idle_minutes * 60, max_hours * 3600
        self.limits.attempts, self.limits.window_seconds = attempts, window_minutes * 60

    def sign_in(self, username: str, password: str, address: str | None, run=lambda fn, *args: fn(*args)) -> Officer:
        """The officer whose password this is, within the limits on guessing; raises QueueRefused
        `bad_credentials` (wrong name or password alike) or `sign_in_locked`. `run` runs the slow hash check
        (a server passes its thread pool); a hash of an older format or cost is replaced. Name and password are
        taken in NFC, as they were stored (server/core/names.py), whichever keyboard typed them."""
        username, password = _composed(username), _composed(password)
        keys = keys_for(username, address)
        self.limits.reserve(keys)
        stored = self.stored_hash(username)
        if not run(check_or_pretend, password, stored):
            self.limits.failed(keys, address)
            raise QueueRefused("bad_credentials", BAD_CREDENTIALS)
        self.limits.succeeded(keys)
        if needs_new_hash(stored):
            self._store_hash(username, run(hash_password, password), stored)
        return self.center.officer(username)

    def session(self, secret: str) -> Session:
        """The live session a cookie names (raises SessionEnded); a removed account's or a changed role's ends."""
        return self.sessions.current(secret, lambda username: getattr(self.center.officer(username), "role", None))

    def end_sessions(self, username: str, actor: str) -> int:
        """Đăng xuất khỏi mọi máy: end every session of an account at once (HTTP and sockets); audited."""
        now = self.sessions.now()
        with self.store.write() as conn:
            ended = Sessions.end_all(conn, username, "ended_by_admin", now)
            audit.record(conn, now, actor, "sessions_ended", username, None, {"ended": ended})
        return ended

    def _store_hash(self, username: str, hashed: str, replaced: str):
        """Replace a hash by a stronger one of the same password (unless it was changed meanwhile)."""
        with self.store.write() as conn:
            conn.execute("UPDATE officer_accounts SET password_hash = ? WHERE username = ? AND password_hash = ?",
                         (hashed, username, replaced))

    def set_password(self, username: str, password: str, actor: str | None = None, now: float | None = None,
                     hasher=hash_password):
        """Give an officer a new password (CLI, admin screen, demo set-up), ending the account's sessions; with an
        `actor` it is audited as "password_reset" in the same transaction (never the password itself). `hasher`
        lets a server run the slow hash off its event loop. Name and password are stored in NFC (sign_in)."""
        username, password = _composed(username), _composed(password)
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
            Sessions.end_all(conn, username, "password_changed", at)
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
