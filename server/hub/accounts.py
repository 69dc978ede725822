"""Hub accounts: the provincial admin, leaders and district leaders, with passwords hashed exactly like the site's
officers' (server/core/accounts.py's scrypt format and constant-time check)."""

from __future__ import annotations

import time

import psycopg

from server.core.accounts import MIN_PASSWORD_LENGTH, hash_password

ROLES = {"admin": "Quản trị tỉnh", "leader": "Lãnh đạo tỉnh", "district_leader": "Lãnh đạo huyện"}


class AccountRefused(ValueError):
    """A refusal with a code and a Vietnamese message shown as it is."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def create_account(conn: psycopg.Connection, username: str, name: str, role: str, password: str,
                   district: str | None = None, now: int | None = None):
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
    conn.execute(
        "INSERT INTO hub_accounts (username, name, role, district, password_hash, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (username) DO UPDATE SET name = excluded.name,"
        " role = excluded.role, district = excluded.district, password_hash = excluded.password_hash,"
        " disabled_at = NULL",
        (username, name.strip() or username, role, district.strip() if role == "district_leader" else None,
         hash_password(password), int(now if now is not None else time.time())))


def create_admin(dsn: str, username: str, name: str, password: str):
    """The command line's create-admin: a provincial admin account."""
    with psycopg.connect(dsn) as conn:
        create_account(conn, username, name, "admin", password)
