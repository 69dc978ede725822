"""The provincial hub: a separate process (`python -m server.hub`) that receives the facts every office's server
sends (server/core/outbox.py, server/web/hub_push.py) and keeps them on PostgreSQL, for the province's reports and
overview.

It shares the site's pure core code (server/core/summaries.py, reports.py, accounts.py's hashing) but never imports
server.web. Protocol, trust and recovery: docs/HUB.md.
"""

from __future__ import annotations

from flask import Flask
from psycopg_pool import ConnectionPool

from .settings import HubSettings


def create_app(settings: HubSettings | None = None, pool: ConnectionPool | None = None) -> Flask:
    """The hub's Flask app over the database `settings.dsn` (migrated by the caller: `server.hub.schema.migrate`)."""
    from . import database, web

    settings = settings or HubSettings.from_environment()
    app = Flask(__name__, static_folder=None)
    app.config["HUB_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_batch_bytes
    app.config["TESTING"] = settings.testing
    app.json.ensure_ascii = False
    pool = pool or database.open_pool(settings.dsn, settings.threads)
    app.extensions["hub_pool"] = pool
    app.secret_key = settings.secret_key or database.secret(pool, "session_key")
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.secure_cookies, SESSION_COOKIE_NAME="hangdoi_hub")
    web.register(app)
    return app
