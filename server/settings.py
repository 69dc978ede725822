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
    testing: bool = False

    @classmethod
    def from_environment(cls, environ=os.environ) -> "Settings":
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
        return settings
