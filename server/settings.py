"""Deployment settings, read from the environment (the center itself is described by its TOML file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_CENTER = ROOT / "server" / "demo" / "center.toml"
ASYNC_MODES = ("eventlet", "gevent", "threading")


@dataclass
class Settings:
    """Everything that differs between one installation and another."""

    center_file: Path = DEMO_CENTER
    database: Path = ROOT / "instance" / "hangdoi.db"
    async_mode: str = "eventlet"
    host: str = "0.0.0.0"
    port: int = 5000
    # The address phones reach the server at, printed in the ticket's QR code; empty: the address the kiosk used.
    public_url: str = ""
    # For demonstrations outside office hours only: the kiosk issues numbers at any time.
    ignore_opening_hours: bool = False
    # A folder of the center's own voice recordings, named like display_ui/sounds/default/ (optional).
    voice_dir: Path | None = None
    # Kiosks, displays and tablets must be paired by an admin before they may act or receive the queue.
    require_devices: bool = True
    # Demo only: a screen opened on the server machine itself (loopback) is paired without an admin.
    auto_pair_local: bool = False
    backup_dir: Path = ROOT / "instance" / "backups"
    backup_keep: int = 14
    # Signs session cookies; empty: a random key kept in the database, so sign-ins survive a restart.
    secret_key: str = ""
    # Server-side sessions end after this long without use, and in any case this long after sign-in.
    session_idle_minutes: int = 240
    session_max_hours: int = 12
    # Cookies only over HTTPS (the documented deployment: nginx with TLS on the LAN, docs/OPERATIONS.md).
    secure_cookies: bool = False
    # Behind nginx on the same machine: the client's address is nginx's X-Real-IP header (sent from loopback only).
    behind_proxy: bool = False
    # Failed sign-ins allowed per account and per address within the window, before a growing wait.
    sign_in_attempts: int = 5
    sign_in_window_minutes: int = 15
    # The provincial hub this site reports to (docs/HUB.md, Delivery); empty: it reports to none. The token is a
    # secret: HANGDOI_HUB_TOKEN, or better HANGDOI_HUB_TOKEN_FILE (a file only the server's user reads).
    hub_url: str = ""
    hub_token: str = ""
    hub_token_file: Path | None = None
    hub_push_seconds: int = 5
    hub_batch_events: int = 500
    hub_max_backoff_seconds: int = 60
    testing: bool = False

    @classmethod
    def from_environment(cls, environ=os.environ) -> Settings:
        """Settings from HANGDOI_* variables, with the defaults above."""
        settings = cls()
        if "HANGDOI_CENTER" in environ:
            settings.center_file = Path(environ["HANGDOI_CENTER"])
        if "HANGDOI_DATABASE" in environ:
            settings.database = Path(environ["HANGDOI_DATABASE"])
        settings.async_mode = environ.get("HANGDOI_ASYNC_MODE", settings.async_mode)
        if settings.async_mode not in ASYNC_MODES:
            raise SystemExit(f"HANGDOI_ASYNC_MODE must be one of {ASYNC_MODES}, not {settings.async_mode!r}")
        settings.host = environ.get("HANGDOI_HOST", settings.host)
        settings.port = int(environ.get("HANGDOI_PORT", settings.port))
        settings.public_url = environ.get("HANGDOI_PUBLIC_URL", "").rstrip("/")
        settings.ignore_opening_hours = environ.get("HANGDOI_IGNORE_OPENING_HOURS", "") in ("1", "true", "yes")
        settings.require_devices = environ.get("HANGDOI_REQUIRE_DEVICES", "1") not in ("0", "false", "no")
        settings.auto_pair_local = environ.get("HANGDOI_AUTO_PAIR_LOCAL", "") in ("1", "true", "yes")
        if environ.get("HANGDOI_VOICE_DIR"):
            settings.voice_dir = Path(environ["HANGDOI_VOICE_DIR"])
        if environ.get("HANGDOI_BACKUP_DIR"):
            settings.backup_dir = Path(environ["HANGDOI_BACKUP_DIR"])
        settings.backup_keep = int(environ.get("HANGDOI_BACKUP_KEEP", settings.backup_keep))
        if environ.get("HANGDOI_SECRET_KEY"):
            settings.secret_key = environ["HANGDOI_SECRET_KEY"]
        settings.session_idle_minutes = _positive(environ, "HANGDOI_SESSION_IDLE_MINUTES",
                                                  settings.session_idle_minutes)
        settings.session_max_hours = _positive(environ, "HANGDOI_SESSION_MAX_HOURS", settings.session_max_hours)
        settings.secure_cookies = environ.get("HANGDOI_SECURE_COOKIES", "") in ("1", "true", "yes")
        settings.behind_proxy = environ.get("HANGDOI_BEHIND_PROXY", "") in ("1", "true", "yes")
        settings.sign_in_attempts = _positive(environ, "HANGDOI_SIGN_IN_ATTEMPTS", settings.sign_in_attempts)
        settings.sign_in_window_minutes = _positive(environ, "HANGDOI_SIGN_IN_WINDOW_MINUTES",
                                                    settings.sign_in_window_minutes)
        settings.hub_url = environ.get("HANGDOI_HUB_URL", "").rstrip("/")
        settings.hub_token = environ.get("HANGDOI_HUB_TOKEN", "").strip()
        if environ.get("HANGDOI_HUB_TOKEN_FILE"):
            settings.hub_token_file = Path(environ["HANGDOI_HUB_TOKEN_FILE"])
        settings.hub_push_seconds = _positive(environ, "HANGDOI_HUB_PUSH_SECONDS", settings.hub_push_seconds)
        settings.hub_batch_events = _positive(environ, "HANGDOI_HUB_BATCH_EVENTS", settings.hub_batch_events)
        settings.hub_max_backoff_seconds = _positive(environ, "HANGDOI_HUB_MAX_BACKOFF_SECONDS",
                                                     settings.hub_max_backoff_seconds)
        return settings


def _positive(environ, name: str, default: int) -> int:
    """A whole number above zero from the environment, or the default when the variable is unset."""
    text = environ.get(name, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise SystemExit(f"{name} must be a whole number above 0, not {text!r}")
    return int(text)
