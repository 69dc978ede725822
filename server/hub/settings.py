"""The hub's deployment settings, read from HANGDOI_HUB_* environment variables (docs/HUB.md, Settings)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DSN = "dbname=hangdoi_hub"


@dataclass
class HubSettings:
    """Everything that differs between one hub installation and another."""

    # libpq connection string or URI of the hub's PostgreSQL database.
    dsn: str = DEFAULT_DSN
    # Behind nginx on the same machine (docs/OPERATIONS.md): listen on loopback only.
    host: str = "127.0.0.1"
    port: int = 5100
    # Signs session cookies; empty: a random key kept in the database (sign-ins survive a restart).
    secret_key: str = ""
    # Request threads; each holds at most one PostgreSQL connection from the pool.
    threads: int = 16
    # Cookies only over HTTPS (the documented deployment: nginx with TLS).
    secure_cookies: bool = False
    # Behind nginx on the same machine: the client's address is nginx's X-Real-IP (sign-in limits per address).
    behind_proxy: bool = False
    # Server-side sessions end after this long without use, and in any case this long after sign-in.
    session_idle_minutes: int = 240
    session_max_hours: int = 12
    # Largest ingest request body accepted (a batch of a few thousand events with their rows).
    max_batch_bytes: int = 16 * 1024 * 1024
    testing: bool = False

    @classmethod
    def from_environment(cls, environ=os.environ) -> HubSettings:
        """Settings from HANGDOI_HUB_* variables, with the defaults above."""
        settings = cls()
        settings.dsn = environ.get("HANGDOI_HUB_DSN", settings.dsn)
        settings.host = environ.get("HANGDOI_HUB_HOST", settings.host)
        settings.port = _number(environ, "HANGDOI_HUB_PORT", settings.port)
        settings.secret_key = environ.get("HANGDOI_HUB_SECRET_KEY", "")
        settings.threads = _number(environ, "HANGDOI_HUB_THREADS", settings.threads)
        settings.secure_cookies = environ.get("HANGDOI_HUB_SECURE_COOKIES", "") in ("1", "true", "yes")
        settings.behind_proxy = environ.get("HANGDOI_HUB_BEHIND_PROXY", "") in ("1", "true", "yes")
        settings.session_idle_minutes = _number(environ, "HANGDOI_HUB_SESSION_IDLE_MINUTES",
                                                settings.session_idle_minutes)
        settings.session_max_hours = _number(environ, "HANGDOI_HUB_SESSION_MAX_HOURS", settings.session_max_hours)
        settings.max_batch_bytes = _number(environ, "HANGDOI_HUB_MAX_BATCH_BYTES", settings.max_batch_bytes)
        return settings


def _number(environ, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SystemExit(f"{name} must be positive, not {raw!r}")
    return value
