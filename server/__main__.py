"""Command line: `python -m server passwd USERNAME` sets an officer's password (read from standard input);
`python -m server create-admin USERNAME --name "Họ tên"` adds an admin account (the first one, typically);
`python -m server report --period month --date 2026-11-01 --format xlsx --out bao-cao.xlsx` writes a report."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sqlite3
import sys
import time

from .core.accounts import MIN_PASSWORD_LENGTH, Accounts
from .core.backup import BackupBusy, backup, restore
from .core.center import CenterConfigError
from .core.center_versions import add_officer, effective_center
from .core.exports import CSV_TABLES, to_csv, to_xlsx
from .core.reports import GROUPINGS, PERIOD_KINDS, PRECISIONS, comments, generate, make_period
from .core.spreadsheets import DIALECTS
from .core.store import DatabaseInUse, Store, hold_server_lock
from .settings import Settings


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m server", description="Hàng đợi administration")
    commands = parser.add_subparsers(dest="command", required=True)
    passwd = commands.add_parser("passwd", help="set an officer's password")
    passwd.add_argument("username")
    create_admin = commands.add_parser("create-admin", help="add an admin account and set its password")
    create_admin.add_argument("username")
    create_admin.add_argument("--name", required=True, help="full name shown on the screens")
    report = commands.add_parser("report", help="write a report to a file (for scheduled jobs)")
    report.add_argument("--period", default="day", choices=PERIOD_KINDS)
    report.add_argument("--date", help="a day in the period, YYYY-MM-DD (default: today)")
    report.add_argument("--last", help="last day of a custom period")
    report.add_argument("--group-by", default="department", choices=GROUPINGS)
    report.add_argument("--format", default="xlsx", choices=("xlsx", "csv", "json", "text"))
    report.add_argument("--precision", type=int, default=1, choices=PRECISIONS, help="decimals of percentages")
    report.add_argument("--table", default="wait", choices=(*CSV_TABLES, "all"),
                        help="the table a CSV holds; 'all' writes one file per table, named after --out")
    report.add_argument("--dialect", default="vi", choices=DIALECTS,
                        help="CSV for Excel in Vietnamese (BOM, ';', decimal comma) or plain RFC 4180")
    report.add_argument("--out", required=True, help="file to write ('-' for standard output)")
    commands.add_parser("backup", help="write a backup of the database now (HANGDOI_BACKUP_DIR)")
    restore_cmd = commands.add_parser("restore", help="replace the database with a backup (server stopped)")
    restore_cmd.add_argument("file")
    args = parser.parse_args(argv)
    if args.command == "restore":  # the database may be missing or broken: do not open it first
        try:
            restore(args.file, settings_database())
        except ValueError as exc:
            sys.exit(f"Không khôi phục được: {exc}")
        print(f"Đã khôi phục {settings_database()} từ {args.file}.")
        return
    settings = Settings.from_environment()
    store = Store(settings.database)
    try:
        try:
            center = effective_center(store, settings.center_file, time.time())  # what the server runs
        except CenterConfigError as exc:
            sys.exit(str(exc))
        if args.command == "passwd":
            password = read_password()
            try:
                Accounts(center, store).set_password(args.username, password)
            except ValueError as exc:
                sys.exit(f"Không đặt được mật khẩu: {exc}")
            print(f"Đã đặt mật khẩu cho {args.username}.")
        elif args.command == "create-admin":
            add_admin(args, center, store, settings)
        elif args.command == "backup":
            try:  # a failed backup leaves no file behind (server/core/backup.py)
                path = backup(settings.database, settings.backup_dir, settings.backup_keep)
            except (BackupBusy, ValueError, OSError, sqlite3.Error) as exc:
                sys.exit(f"Không sao lưu được: {exc}")
            print(f"Đã sao lưu vào {path}.")
        elif args.command == "report":
            write_report(args, center, store)
    finally:
        store.close()


def read_password() -> str:
    """From the terminal without echo, or the first line of standard input (scripts)."""
    return getpass.getpass("Mật khẩu mới: ") if sys.stdin.isatty() else sys.stdin.readline().strip()


def add_admin(args, center, store, settings):
    """A new officer with role "admin" in a new configuration version (audited as "cli"), with a password."""
    if center.officer(args.username):
        sys.exit(f"Không tạo được: tên đăng nhập {args.username!r} đã tồn tại.")
    password = read_password()
    if len(password) < MIN_PASSWORD_LENGTH:  # checked before anything is stored
        sys.exit(f"Không tạo được: mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    try:
        center = add_officer(store, center, args.username, args.name, "admin", "cli", time.time())
    except ValueError as exc:
        sys.exit(f"Không tạo được: {exc}")
    Accounts(center, store).set_password(args.username, password, "cli", time.time())
    print(f"Đã tạo tài khoản quản trị {args.username} ({args.name}).")
    try:
        hold_server_lock(settings.database).close()
    except DatabaseInUse:  # the running server takes the new version up by itself (follow_stored_configuration)
        print("Máy chủ đang chạy: tài khoản mới dùng được sau vài giây, không cần khởi động lại.")


def settings_database():
    return Settings.from_environment().database


def write_report(args, center, store):
    """Compute a report and write it as Excel, CSV (one table, or every table with --table all), JSON or the
    summary paragraph."""
    anchor = dt.date.fromisoformat(args.date) if args.date else dt.date.fromisoformat(center.local_date(time.time()))
    period = make_period(args.period, anchor, dt.date.fromisoformat(args.last) if args.last else None)
    reports = generate(store, center, period, ("department_officer", args.group_by), precision=args.precision)
    chosen = reports[args.group_by]
    files: dict[str, bytes] = {}
    if args.format == "xlsx":
        files[args.out] = to_xlsx({"rating": reports["department_officer"], "wait": chosen,
                                   "comments": comments(store, center, period)})
    elif args.format == "csv":
        tables = CSV_TABLES if args.table == "all" else (args.table,)
        if chosen["total"]["official_ratings"] is None:
            if args.table == "rating_official":
                sys.exit("Thang đánh giá của trung tâm chưa được quy đổi sang 3 mức chính thức ([rating.official]).")
            tables = tuple(t for t in tables if t != "rating_official")
        said = comments(store, center, period) if "comments" in tables else None
        for table in tables:
            report = reports["department_officer"] if table.startswith("rating") else chosen
            name = args.out if args.table != "all" or args.out == "-" else _suffixed(args.out, table)
            files[name] = files.get(name, b"") + to_csv(report, table, args.dialect, said)
    elif args.format == "json":
        files[args.out] = json.dumps(chosen, ensure_ascii=False, indent=2).encode()
    else:
        files[args.out] = (chosen["summary"] + "\n").encode()
    for name, data in files.items():
        if name == "-":
            sys.stdout.buffer.write(data)
        else:
            with open(name, "wb") as out:
                out.write(data)
            print(f"Đã ghi {name} ({period.title}).")


def _suffixed(path: str, table: str) -> str:
    """bao-cao.csv → bao-cao-rating.csv."""
    stem, dot, extension = path.rpartition(".")
    return f"{stem}-{table}.{extension}" if dot and "/" not in extension else f"{path}-{table}.csv"


if __name__ == "__main__":
    main()
