"""The demo province (`python -m server.hub demo`): a Lạng Sơn-like province of 212 one-stop offices — the demo
center as the provincial center, 11 district offices and 200 commune offices with realistic names — each with
weeks of history written by the site's own code into a SQLite file of its own (bench/generate_history.py, through
server.core.store.Store), then delivered to the hub as a site's pusher delivers it: the site's outbox
(server/core/outbox.read_batch) into the hub's ingest (server/hub/ingest.ingest), in large batches (the bulk fast
path: the same function, 5,000 events at a time; two sites at a time), and its days summarised by the same worker
while the other writes the next site's history, so the first report is quick. The default, 66 working days (three
months, ~2.4 million events), took 5.2 minutes on two cores shared with other work (load 10–13).

Loading twice does nothing: a province whose provincial center already has facts is left as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import psycopg

from server.core.center import load_center
from server.core.outbox import read_batch
from server.core.vietnamese import format_number

from . import sites as hub_sites
from .ingest import ingest
from .reports import HubSummaries, hub_today
from .settings import HubSettings

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO_CENTER = ROOT / "server" / "demo" / "center.toml"
PROVINCE = "tỉnh Lạng Sơn"
log = logging.getLogger("server.hub.demo")

# The 11 districts and city of Lạng Sơn, each with its commune offices' names (200 in all, as in the province's
# report of 2024: "11 huyện, thành phố, 200 đơn vị cấp xã"). Communes are named as their one-stop offices are.
DISTRICTS = {
    "Thành phố Lạng Sơn": ("Hoàng Văn Thụ", "Tam Thanh", "Vĩnh Trại", "Đông Kinh", "Chi Lăng", "Hoàng Đồng",
                           "Quảng Lạc", "Mai Pha"),
    "Tràng Định": ("Thất Khê", "Chi Lăng", "Đại Đồng", "Đào Viên", "Đề Thám", "Kháng Chiến", "Hùng Sơn",
                   "Quốc Khánh", "Tri Phương", "Trung Thành", "Tân Tiến", "Tân Yên", "Đội Cấn", "Tân Minh",
                   "Kim Đồng", "Cao Minh", "Chí Minh", "Quốc Việt", "Hùng Việt", "Khánh Long", "Bình Độ"),
    "Văn Lãng": ("Na Sầm", "Trùng Khánh", "Hội Hoan", "Bắc La", "Gia Miễn", "Thành Hòa", "Tân Thanh",
                 "Tân Mỹ", "Hồng Thái", "Hoàng Văn Thụ", "Nhạc Kỳ", "Thụy Hùng", "Tân Lang", "An Hùng",
                 "Thanh Long", "Hoàng Việt", "Tân Tác", "Tân Việt"),
    "Văn Quan": ("Văn Quan", "Trấn Ninh", "Liên Hội", "Hòa Bình", "Tú Xuyên", "Điềm He", "An Sơn", "Khánh Khê",
                 "Lương Năng", "Đồng Giáp", "Bình Phúc", "Tràng Các", "Tân Đoàn", "Tri Lễ", "Tràng Phái",
                 "Yên Phúc", "Hữu Lễ"),
    "Bình Gia": ("Bình Gia", "Hưng Đạo", "Vĩnh Yên", "Hoa Thám", "Quý Hòa", "Hồng Phong", "Yên Lỗ", "Thiện Hòa",
                 "Quang Trung", "Thiện Thuật", "Minh Khai", "Thiện Long", "Hoàng Văn Thụ", "Hòa Bình", "Mông Ân",
                 "Tân Hòa", "Tô Hiệu", "Hồng Thái", "Bình La", "Tân Văn"),
    "Bắc Sơn": ("Bắc Sơn", "Long Đống", "Vạn Thủy", "Đồng Ý", "Tân Tri", "Bắc Quỳnh", "Hưng Vũ", "Tân Lập",
                "Vũ Sơn", "Chiêu Vũ", "Tân Hương", "Chiến Thắng", "Vũ Lăng", "Trấn Yên", "Vũ Lễ", "Nhất Hòa",
                "Tân Thành", "Nhất Tiến"),
    "Hữu Lũng": ("Hữu Lũng", "Hữu Liên", "Yên Bình", "Quyết Thắng", "Hòa Bình", "Yên Thịnh", "Hòa Thắng",
                 "Thiện Tân", "Yên Vượng", "Minh Tiến", "Nhật Tiến", "Thanh Sơn", "Đồng Tân", "Cai Kinh",
                 "Hòa Lạc", "Vân Nham", "Đồng Tiến", "Tân Thành", "Hòa Sơn", "Minh Sơn", "Hồ Sơn", "Minh Hòa",
                 "Tân Lập", "Sơn Hà"),
    "Chi Lăng": ("Đồng Mỏ", "Chi Lăng", "Bằng Mạc", "Bằng Hữu", "Thượng Cường", "Gia Lộc", "Vạn Linh",
                 "Hòa Bình", "Y Tịch", "Chiến Thắng", "Liên Sơn", "Quan Sơn", "Hữu Kiên", "Vân An", "Nhân Lý",
                 "Mai Sao", "Lâm Sơn", "Vân Thủy"),
    "Cao Lộc": ("Cao Lộc", "Đồng Đăng", "Bảo Lâm", "Thanh Lòa", "Cao Lâu", "Thạch Đạn", "Xuất Lễ", "Hồng Phong",
                "Thụy Hùng", "Lộc Yên", "Phú Xá", "Bình Trung", "Hải Yến", "Hòa Cư", "Hợp Thành", "Công Sơn",
                "Gia Cát", "Mẫu Sơn", "Xuân Long", "Tân Liên", "Yên Trạch", "Tân Thành"),
    "Lộc Bình": ("Lộc Bình", "Na Dương", "Mẫu Sơn", "Yên Khoái", "Tú Mịch", "Hữu Khánh", "Đồng Bục", "Tam Gia",
                 "Tú Đoạn", "Khuất Xá", "Tĩnh Bắc", "Thống Nhất", "Sàn Viên", "Đông Quan", "Minh Hiệp",
                 "Hữu Lân", "Lợi Bác", "Nam Quan", "Xuân Dương", "Ái Quốc", "Lục Thôn", "Khánh Xuân"),
    "Đình Lập": ("Đình Lập", "Nông trường Thái Bình", "Bắc Xa", "Bính Xá", "Kiên Mộc", "Phong Phú", "Thái Bình",
                 "Cường Lợi", "Châu Sơn", "Lâm Ca", "Đồng Thắng", "Bắc Lãng"),
}
# Tickets a working day (the province's load profile): provincial center, district office, commune office.
DAILY_TICKETS = {"tinh": 1500, "huyen": 200, "xa": 20}
RATED_SHARE = 0.4  # of tickets: about the share of citizens who rate at the centers of the seeds
BULK_EVENTS = 5000

# A district office (Bộ phận Một cửa cấp huyện): the district's phòng, six counters.
DISTRICT_TOML = """[center]
name = "{name}"
address = "Trụ sở UBND {district}"
timezone = "Asia/Ho_Chi_Minh"

[site]
code = "{code}"
name = "{name}"
level = "huyen"
district = "{district}"

[hours]
working_days = ["T2", "T3", "T4", "T5", "T6"]
sessions = [{{ start = "07:30", end = "11:30" }}, {{ start = "13:30", end = "17:00" }}]

[queue]
default_service_minutes = 10
default_target_wait_minutes = 15

[[departments]]
code = "PTP"
name = "Phòng Tư pháp"
services = [{{ code = "chung-thuc-ho-tich", name = "Chứng thực, hộ tịch", prefix = "A" }}]
[[departments]]
code = "PTNMT"
name = "Phòng Tài nguyên và Môi trường"
services = [{{ code = "dat-dai", name = "Đất đai", prefix = "B", service_minutes = 15, target_wait_minutes = 20 }}]
[[departments]]
code = "PKTHT"
name = "Phòng Kinh tế và Hạ tầng"
services = [{{ code = "xay-dung", name = "Xây dựng, giao thông", prefix = "C" }}]
[[departments]]
code = "PLDTBXH"
name = "Phòng Lao động – Thương binh và Xã hội"
services = [{{ code = "chinh-sach-xa-hoi", name = "Chính sách xã hội, người có công", prefix = "D" }}]
[[departments]]
code = "PTCKH"
name = "Phòng Tài chính – Kế hoạch"
services = [{{ code = "dang-ky-kinh-doanh", name = "Đăng ký hộ kinh doanh", prefix = "E" }}]

[[counters]]
number = 1
services = ["chung-thuc-ho-tich"]
[[counters]]
number = 2
services = ["chung-thuc-ho-tich", "chinh-sach-xa-hoi"]
[[counters]]
number = 3
services = ["dat-dai"]
[[counters]]
number = 4
services = ["dat-dai", "xay-dung"]
[[counters]]
number = 5
services = ["chinh-sach-xa-hoi"]
[[counters]]
number = 6
services = ["dang-ky-kinh-doanh", "xay-dung"]

[[officers]]
username = "tuphap"
name = "Hoàng Thị Hà"
department = "PTP"
[[officers]]
username = "tuphap2"
name = "Nông Văn Tuấn"
department = "PTP"
[[officers]]
username = "diachinh"
name = "Lương Văn Minh"
department = "PTNMT"
[[officers]]
username = "diachinh2"
name = "Vi Thị Hồng"
department = "PTNMT"
[[officers]]
username = "laodong"
name = "Hoàng Văn Dũng"
department = "PLDTBXH"
[[officers]]
username = "kinhte"
name = "Lăng Thị Nga"
department = "PKTHT"
"""

# A commune office (Bộ phận Một cửa cấp xã): two counters, the commune's công chức.
COMMUNE_TOML = """[center]
name = "{name}"
address = "Trụ sở UBND {commune}, {district}"
timezone = "Asia/Ho_Chi_Minh"

[site]
code = "{code}"
name = "{name}"
level = "xa"
district = "{district}"

[hours]
working_days = ["T2", "T3", "T4", "T5", "T6"]
sessions = [{{ start = "07:30", end = "11:30" }}, {{ start = "13:30", end = "17:00" }}]

[queue]
default_service_minutes = 8
default_target_wait_minutes = 10

[[departments]]
code = "TPHT"
name = "Tư pháp – Hộ tịch"
services = [{{ code = "ho-tich-chung-thuc", name = "Hộ tịch, chứng thực", prefix = "A" }}]
[[departments]]
code = "DCXD"
name = "Địa chính – Xây dựng"
services = [{{ code = "dia-chinh", name = "Địa chính, đất đai", prefix = "B", service_minutes = 12 }}]
[[departments]]
code = "VHXH"
name = "Văn hóa – Xã hội"
services = [{{ code = "chinh-sach", name = "Chính sách, bảo trợ xã hội", prefix = "C" }}]

[[counters]]
number = 1
services = ["ho-tich-chung-thuc", "chinh-sach"]
[[counters]]
number = 2
services = ["dia-chinh", "ho-tich-chung-thuc"]

[[officers]]
username = "tuphap"
name = "Hoàng Văn Bình"
department = "TPHT"
[[officers]]
username = "diachinh"
name = "Lộc Thị Thu"
department = "DCXD"
"""


@dataclass(frozen=True)
class DemoSite:
    """One office of the demo province: its identity and its center file's text."""

    code: str
    name: str
    level: str
    district: str | None
    toml: str

    @property
    def daily_tickets(self) -> int:
        return DAILY_TICKETS[self.level]


def province_sites(communes: int = 200) -> list[DemoSite]:
    """The provincial center (the demo center renamed as Lạng Sơn's), 11 district offices and `communes` commune
    offices shared out over the districts in order."""
    center_text = DEMO_CENTER.read_text(encoding="utf-8")
    start = center_text.index("[site]")
    end = center_text.index("\n[", start + 1)
    center_text = (center_text[:start] + '[site]\ncode = "LSN-TT"\n'
                   'name = "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn"\nlevel = "tinh"\n'
                   'district = "Thành phố Lạng Sơn"\n' + center_text[end:])
    result = [DemoSite("LSN-TT", "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn", "tinh", "Thành phố Lạng Sơn",
                       center_text)]
    for number, district in enumerate(DISTRICTS, 1):
        name = f"Bộ phận Một cửa {'thành phố Lạng Sơn' if district.startswith('Thành phố') else 'huyện ' + district}"
        code = f"LSN-H{number:02d}"
        result.append(DemoSite(code, name, "huyen", district,
                               DISTRICT_TOML.format(code=code, name=name, district=district)))
    pairs = [(district, commune) for district, names in DISTRICTS.items() for commune in names][:communes]
    for number, (district, commune) in enumerate(pairs, 1):
        word = "phường" if district.startswith("Thành phố") and number <= 5 else "xã"
        place = f"{word} {commune}"
        code = f"LSN-X{number:03d}"
        name = f"Bộ phận Một cửa {place}"
        result.append(DemoSite(code, name, "xa", district,
                               COMMUNE_TOML.format(code=code, name=name, commune=place, district=district)))
    return result


def working_days_before(today: dt.date, count: int) -> dt.date:
    """The first of `count` weekdays (Monday–Friday) ending yesterday: where a site's history starts."""
    day, found = today, 0
    while found < count:
        day -= dt.timedelta(days=1)
        found += day.weekday() < 5
    return day


def write_site_history(site: DemoSite, folder: Path, days: int, first_day: dt.date, seed: int) -> Path:
    """The site's SQLite file with `days` working days of history from `first_day`, written by the site's code."""
    sys.path.insert(0, str(ROOT))  # bench/ is not a package the server installs
    from bench.generate_history import generate_history

    center_file = folder / f"{site.code}.toml"
    center_file.write_text(site.toml, encoding="utf-8")
    database = folder / f"{site.code}.db"
    if database.exists():
        database.unlink()
    center = load_center(center_file)
    tickets = site.daily_tickets * days
    generate_history(database, center, tickets=tickets, ratings=int(tickets * RATED_SHARE * 0.85), days=days,
                     first_day=first_day, seed=seed, ticket_events=True)
    return database


def deliver(conn, site_id: int, database: Path, center, batch_events: int = BULK_EVENTS) -> int:
    """Send a site's whole event log through the ingest, as its pusher does (bigger batches); events sent."""
    db = sqlite3.connect(database, isolation_level=None)  # read_batch opens its own read transaction
    sent = 0
    try:
        after = hub_sites.state(conn, site_id)["acked_seq"]
        while True:
            result = ingest(conn, site_id, read_batch(db, center, after, batch_events, with_labels=True))
            if result.acked_seq == after:
                return sent
            sent += result.stored
            after = result.acked_seq
    finally:
        db.close()


def load_site(dsn: str, site: DemoSite, folder: str, days: int, first_day: dt.date, seed: int) -> int:
    """One site: its history written, granted, delivered through the ingest and its days summarised (a worker
    process's job: the summaries of one site are computed while the next site's history is written); events."""
    database = write_site_history(site, Path(folder), days, first_day, seed)
    center = load_center(Path(folder) / f"{site.code}.toml")
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            token = hub_sites.grant(conn, site.code, site.name, site.level, site.district)
            site_id = hub_sites.authenticate(conn, token, site.code)
            events = deliver(conn, site_id, database, center)
            HubSummaries(conn).refresh_all(before=hub_today(time.time()).isoformat(), site_ids=[site_id])
            return events
    finally:
        database.unlink()


DEFAULT_DAYS = 66  # working days of history: three months


def load(dsn: str, days: int = DEFAULT_DAYS, communes: int = 200, folder: Path | None = None, seed: int = 2026,
         workers: int = 2, progress=print) -> dict:
    """Load the demo province into the hub at `dsn` (already migrated) unless it is there; what was done. Sites
    are loaded `workers` at a time (each site's batches arrive in order; sites do not wait for each other)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        loaded = conn.execute("SELECT acked_seq FROM hub_sites WHERE code = 'LSN-TT'").fetchone()
    if loaded and loaded[0] > 0:
        progress("Tỉnh mẫu đã có dữ liệu: bỏ qua.")
        return {"skipped": True}
    started = time.perf_counter()
    first_day = working_days_before(hub_today(time.time()), days)
    province = province_sites(communes)
    counts = {"sites": 0, "events": 0}
    with tempfile.TemporaryDirectory(prefix="hangdoi-demo-", dir=folder) as scratch, \
            ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        jobs = [pool.submit(load_site, dsn, site, scratch, days, first_day, seed + index)
                for index, site in enumerate(province)]
        for done in as_completed(jobs):
            counts["events"] += done.result()
            counts["sites"] += 1
            if counts["sites"] % 20 == 0 or counts["sites"] == len(province):
                progress(f"  {counts['sites']}/{len(province)} đơn vị, {format_number(counts['events'])} sự kiện")
    with psycopg.connect(dsn, autocommit=True) as conn:  # each site's past days are summarised already
        counts["site_days"] = conn.execute("SELECT count(*) FROM hub_summary_days").fetchone()[0]
        HubSummaries(conn).refresh_all()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.hub demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"working days of history ending yesterday ({DEFAULT_DAYS}: three months)")
    parser.add_argument("--communes", type=int, default=200, help="commune offices (200, as in Lạng Sơn)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2, help="sites loaded at a time (2)")
    args = parser.parse_args(argv)
    logging.getLogger("server.hub").info("loading the demo province (%s working days)", args.days)
    counts = load(HubSettings.from_environment().dsn, args.days, args.communes, seed=args.seed,
                  workers=args.workers)
    print(counts)
    return 0
