"""`python -m server.hub [serve | migrate | create-admin USERNAME NAME | demo]`: the hub's commands.

serve (the default) migrates the database, then serves HTTP with waitress on HANGDOI_HUB_HOST:HANGDOI_HUB_PORT.
create-admin reads the password from HANGDOI_HUB_ADMIN_PASSWORD (or asks on a terminal). demo is the demo province
(server/hub/demo.py, when present). Settings: docs/HUB.md.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.util
import logging
import os
import sys

from . import schema
from .settings import HubSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.hub", description="Hàng đợi: the provincial hub")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="migrate, then serve HTTP (the default)")
    commands.add_parser("migrate", help="apply the schema migrations and stop")
    admin = commands.add_parser("create-admin", help="create (or reset the password of) a provincial admin")
    admin.add_argument("username")
    admin.add_argument("name")
    if importlib.util.find_spec("server.hub.demo"):
        commands.add_parser("demo", help="load the demo province (server/hub/demo.py)")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = HubSettings.from_environment()
    applied = schema.migrate(settings.dsn)
    if applied:
        logging.getLogger("server.hub").info("migrations applied: %s", ", ".join(applied))
    command = args.command or "serve"
    if command == "migrate":
        return 0
    if command == "create-admin":
        from . import accounts
        password = os.environ.get("HANGDOI_HUB_ADMIN_PASSWORD") or getpass.getpass("Mật khẩu: ")
        accounts.create_admin(settings.dsn, args.username, args.name, password)
        return 0
    if command == "demo":
        from . import demo  # hub-reports' module
        return demo.main(rest) or 0
    return serve(settings)


def serve(settings: HubSettings) -> int:
    """Serve the hub until killed."""
    import waitress

    from . import create_app

    app = create_app(settings)
    logging.getLogger("server.hub").info("hub listening on http://%s:%s", settings.host, settings.port)
    waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="hangdoi-hub",
                   channel_timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
