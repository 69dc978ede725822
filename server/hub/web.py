"""The hub's HTTP routes: health, the ingest API the sites call, and the admin's pages (thin: the work is in
ingest.py, sites.py and accounts.py)."""

from __future__ import annotations

from flask import Flask, jsonify

from . import database


def register(app: Flask):
    """Attach the hub's routes and error handlers to `app`."""

    @app.get("/healthz")
    def healthz():
        with database.pool().connection() as conn:
            conn.execute("SELECT 1")
        return jsonify(ok=True)
