"""Hub accounts: the provincial admin, leaders and district leaders, with passwords hashed exactly like the site's
officers' (server/core/accounts.py's scrypt format and constant-time check)."""

from __future__ import annotations

import time

import psycopg
from psycopg.types.json import Jsonb

from server.core.accounts import MIN_PASSWORD_LENGTH, hash_password

ROLES = {"admin": "Quản trị tỉnh", "leader": "Lãnh đạo tỉnh", "district_leader": "Lãnh đạo huyện"}


class AccountRefused(ValueError):
    """A refusal with a code and a Vietnamese message shown as it is."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def create_account(conn: psycopg.Connection, username: str, name: str, role: str, password: str,
                   district: str | None = None, now: int | None = None, actor: str = "cli"):
    """Create an account, or give an existing one this name, role and password."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise AccountRefused("bad_username", "Tên đăng nhập phải có từ 1 đến 64 ký tự.")
    if role not in ROLES:
        raise AccountRefused("bad_role", "Vai trò không hợp lệ.")
    if role == "district_leader" and not (district or "").strip():
        raise AccountRefused("district_required", "Lãnh đạo huyện phải gắn với một huyện.")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountRefused("short_password", f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    with conn.transaction():
        _save_account(conn, username, name, role, password, district, now, actor)


def _save_account(conn, username, name, role, password, district, now, actor):
    conn.execute(
        "INSERT INTO hub_accounts (username, name, role, district, password_hash, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (username) DO UPDATE SET name = excluded.name,"
        " role = excluded.role, district = excluded.district, password_hash = excluded.password_hash,"
        " disabled_at = NULL",
        (username, name.strip() or username, role, district.strip() if role == "district_leader" else None,
         hash_password(password), int(now if now is not None else time.time())))
    audit(conn, actor, "account_saved", f"account:{username}", {"role": role, "district": district}, now)


def disable_account(conn: psycopg.Connection, username: str, actor: str, now: int | None = None):
    """The account can no longer sign in; its open sessions end now."""
    now = int(now if now is not None else time.time())
    with conn.transaction():
        done = conn.execute("UPDATE hub_accounts SET disabled_at = %s WHERE username = %s AND disabled_at IS NULL",
                            (now, username)).rowcount
        if not done:
            raise AccountRefused("unknown_account", "Không có tài khoản này (hoặc đã bị khóa).")
        conn.execute("UPDATE hub_sessions SET ended_at = %s WHERE username = %s AND ended_at IS NULL", (now, username))
        audit(conn, actor, "account_disabled", f"account:{username}", None, now)


def create_admin(dsn: str, username: str, name: str, password: str):
    """The command line's create-admin: a provincial admin account."""
    with psycopg.connect(dsn) as conn:
        create_account(conn, username, name, "admin", password)


# ----- the audit trail and guessing limits ---------------------------------------------------------------------

SIGN_IN_ATTEMPTS = 5
SIGN_IN_WINDOW_SECONDS = 900
MAX_WAIT_SECONDS = 4 * 3600
FORGET_SECONDS = 86400  # a key's doublings are forgotten after a day without failures
KEY_LENGTH = 120


def audit(conn: psycopg.Connection, actor: str, action: str, target: str, detail: dict | None = None,
          now: int | None = None):
    """One line of the hub's audit trail (in the caller's transaction when it has one)."""
    conn.execute("INSERT INTO hub_audit (at, actor, action, target, detail) VALUES (%s, %s, %s, %s, %s)",
                 (int(now if now is not None else time.time()), actor, action, target, Jsonb(detail or {})))


def sign_in_keys(username: str, address: str | None) -> list[str]:
    """What one attempt is charged to: its account and, when known, its address (as on the site)."""
    keys = [("account:" + username)[:KEY_LENGTH]]
    if address:
        keys.append(("address:" + address)[:KEY_LENGTH])
    return keys


def reserve_sign_in(conn: psycopg.Connection, keys: list[str], now: int) -> int:
    """Count one attempt against each key before its password is checked (parallel guesses cannot slip past);
    the seconds to wait instead when a key is locked or has used its SIGN_IN_ATTEMPTS in the window (it is then
    locked for the window, then twice as long each time again, capped), else 0."""
    with conn.transaction():
        rows = {}
        for key in sorted(keys):  # one order: two attempts never wait on each other's rows crosswise
            conn.execute("INSERT INTO hub_sign_in_failures (key, failures, since, last_at) VALUES (%s, 0, %s, %s)"
                         " ON CONFLICT (key) DO NOTHING", (key, now, now))
            failures, since, last_at, locked_until, lockouts = conn.execute(
                "SELECT failures, since, last_at, locked_until, lockouts FROM hub_sign_in_failures"
                " WHERE key = %s FOR UPDATE", (key,)).fetchone()
            if failures == 0 or now - since > SIGN_IN_WINDOW_SECONDS:  # the window opens at its first failure
                failures, since = 0, now
            if now - last_at > FORGET_SECONDS:
                lockouts = 0
            rows[key] = [failures, since, locked_until, lockouts]
        wait = max(locked_until - now for _, _, locked_until, _ in rows.values())
        if wait <= 0:
            for row in rows.values():
                if row[0] >= SIGN_IN_ATTEMPTS:  # this key has used its attempts: it waits from now
                    row[3] += 1
                    row[2] = now + min(MAX_WAIT_SECONDS, SIGN_IN_WINDOW_SECONDS * 2 ** (row[3] - 1))
                    row[0], row[1] = 0, now
                    wait = max(wait, row[2] - now)
        goes_ahead = wait <= 0  # only an attempt that goes on to its password check is counted
        for key, (failures, since, locked_until, lockouts) in rows.items():
            conn.execute("UPDATE hub_sign_in_failures SET failures = %s, since = %s, last_at = %s,"
                         " locked_until = %s, lockouts = %s WHERE key = %s",
                         (failures + int(goes_ahead), since, now, locked_until, lockouts, key))
    return max(wait, 0)


def signed_in(conn: psycopg.Connection, keys: list[str]):
    """A successful sign-in gives its attempt back: the account's count is cleared, the address's less one."""
    with conn.transaction():
        for key in keys:
            if key.startswith("account:"):
                conn.execute("DELETE FROM hub_sign_in_failures WHERE key = %s", (key,))
            else:
                conn.execute("UPDATE hub_sign_in_failures SET failures = greatest(failures - 1, 0) WHERE key = %s",
                             (key,))
