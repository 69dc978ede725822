"""Command line: `python -m server passwd USERNAME` sets an officer's password (read from standard input)."""

from __future__ import annotations

import argparse
import getpass
import sys

from .core.accounts import Accounts
from .core.center import CenterConfigError, load_center
from .core.store import Store
from .settings import Settings


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m server", description="Hàng đợi administration")
    commands = parser.add_subparsers(dest="command", required=True)
    passwd = commands.add_parser("passwd", help="set an officer's password")
    passwd.add_argument("username")
    args = parser.parse_args(argv)
    settings = Settings.from_environment()
    try:
        center = load_center(settings.center_file)
    except CenterConfigError as exc:
        sys.exit(str(exc))
    store = Store(settings.database)
    try:
        if args.command == "passwd":
            password = getpass.getpass("Mật khẩu mới: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
            try:
                Accounts(center, store).set_password(args.username, password)
            except ValueError as exc:
                sys.exit(f"Không đặt được mật khẩu: {exc}")
            print(f"Đã đặt mật khẩu cho {args.username}.")
    finally:
        store.close()


if __name__ == "__main__":
    main()
