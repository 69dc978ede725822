"""Hostile input at every route of the hub (its Flask url_map), modelled on the site's tests/test_booking_api.py and
tests/hostile.py: a NUL character (PostgreSQL text cannot hold one), lone surrogates, huge numbers, wrong types,
broken bodies, in every field, path value, query parameter and header. Never a 500, every refusal JSON with a
Vietnamese message, nothing changed by a refusal. And a site whose own records hold a NUL is not stuck: the hub
stores its facts without the NUL and keeps taking its batches (docs/HUB.md, Input at the edge)."""

from __future__ import annotations

import re
import sqlite3

import psycopg
import pytest

from server.hub import create_app, schema, sites
from server.hub.accounts import create_account
from server.hub.settings import HubSettings
from tests.csrf import CsrfFlaskClient
from tests.hostile import HOSTILE_VALUES, RAW_BODIES, URL_VALUES, Route

pytestmark = pytest.mark.live

PASSWORD = "matkhau-thu-nghiem"
SITE = "HOST-01"
STRANGER = "198.51.100.9"
HEARTBEAT = {"site": {"code": SITE, "name": "Đơn vị thử", "level": "xa", "district": "Huyện Thử"},
             "after": 0, "through": 0, "events": []}
REPORT_QUERY = ("period", "date", "last", "group_by", "precision", "district", "level", "format", "table", "dialect")
# Header values as a real server hands them over (latin-1), for the headers the hub reads.
HEADER_VALUES = ["", " ", "\x00", "a\x00b", "\xed\xa0\x80", "x" * 8000, "Bearer ", "Bearer \x00", "é"]

# Every route of the hub: who calls it, what it reads. A route added to the hub without a line here fails
# test_every_route_of_the_hub_is_covered.
ROUTES = {
    ("GET", "/api/session"): Route("GET", "/api/session"),
    ("POST", "/api/session"): Route("POST", "/api/session", fields=("username", "password"),
                                    base={"username": "khong-co", "password": "sai-mat-khau"}),
    ("DELETE", "/api/session"): Route("DELETE", "/api/session", who="admin"),
    ("GET", "/api/hub/v1/state"): Route("GET", "/api/hub/v1/state", who="site", query=("site",)),
    ("POST", "/api/hub/v1/batches"): Route("POST", "/api/hub/v1/batches", who="site",
                                           fields=("site", "after", "through", "prev_digest", "events", "tickets",
                                                   "ratings", "feedback_items", "feedback_actions", "labels"),
                                           base=HEARTBEAT),
    ("GET", "/api/hub/sites"): Route("GET", "/api/hub/sites", who="admin"),
    ("POST", "/api/hub/sites"): Route("POST", "/api/hub/sites", who="admin",
                                      fields=("code", "name", "level", "district"), base={"code": "HOST-02"}),
    ("POST", "/api/hub/sites/<code>/revoke"): Route("POST", "/api/hub/sites/{code}/revoke", who="admin",
                                                    defaults={"code": "KHONG-CO"}),
    ("POST", "/api/hub/sites/<code>/start-over"): Route("POST", "/api/hub/sites/{code}/start-over", who="admin",
                                                        defaults={"code": "KHONG-CO"}),
    ("GET", "/api/hub/audit"): Route("GET", "/api/hub/audit", who="admin"),
    ("GET", "/api/hub/accounts"): Route("GET", "/api/hub/accounts", who="admin"),
    ("POST", "/api/hub/accounts"): Route("POST", "/api/hub/accounts", who="admin",
                                         fields=("username", "name", "role", "district", "password"),
                                         base={"username": "moi", "name": "Người mới", "role": "leader",
                                               "password": "x"}),
    ("POST", "/api/hub/accounts/<username>/disable"): Route("POST", "/api/hub/accounts/{username}/disable",
                                                            who="admin", defaults={"username": "khong-co"}),
    ("GET", "/api/hub/overview"): Route("GET", "/api/hub/overview", who="admin", query=("district", "level")),
    ("GET", "/api/hub/reports"): Route("GET", "/api/hub/reports", who="admin", query=REPORT_QUERY),
    ("GET", "/api/hub/reports/export"): Route("GET", "/api/hub/reports/export", who="admin", query=REPORT_QUERY),
    ("GET", "/hub/accounts"): Route("GET", "/hub/accounts"),
    ("GET", "/"): Route("GET", "/"),
    ("GET", "/hub/sites"): Route("GET", "/hub/sites"),
    ("GET", "/hub/overview"): Route("GET", "/hub/overview"),
    ("GET", "/hub/reports"): Route("GET", "/hub/reports"),
    ("GET", "/ui/hub/<path:name>"): Route("GET", "/ui/hub/{name}", defaults={"name": "hub.css"}),
    ("GET", "/ui/shared/<path:name>"): Route("GET", "/ui/shared/{name}", defaults={"name": "dom.js"}),
    ("GET", "/vendor/be-vietnam-pro/<path:name>"): Route("GET", "/vendor/be-vietnam-pro/{name}",
                                                         defaults={"name": "index.css"}),
    ("GET", "/vendor/<name>"): Route("GET", "/vendor/{name}", defaults={"name": "chart.umd.min.js"}),
    ("GET", "/healthz"): Route("GET", "/healthz"),
}

# What the hub keeps; a refused request changes none of it. (Not the sign-in failures, which count attempts by
# design, nor a site's last contact, which a refused batch updates by design: docs/HUB.md.)
STATE_QUERY = """SELECT md5(concat_ws('|',
    (SELECT string_agg(concat_ws(',', code, name, level, district, token_hash, acked_seq, state, epoch), ';'
     ORDER BY code) FROM hub_sites),
    (SELECT string_agg(concat_ws(',', username, name, role, district, password_hash, disabled_at), ';'
     ORDER BY username) FROM hub_accounts),
    (SELECT count(*) FROM hub_sessions WHERE ended_at IS NULL), (SELECT count(*) FROM hub_audit),
    (SELECT count(*) FROM site_events), (SELECT count(*) FROM site_tickets), (SELECT count(*) FROM site_ratings),
    (SELECT count(*) FROM site_labels)))"""


@pytest.fixture
def hub(pg_database):
    """The hub's Flask app over a migrated database: an admin account, site HOST-01 granted; (app, dsn, token)."""
    schema.migrate(pg_database)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        create_account(conn, "quantri", "Quản trị tỉnh", "admin", PASSWORD)
        token = sites.grant(conn, SITE)
    app = create_app(HubSettings(dsn=pg_database, secret_key="test", testing=True, threads=2))
    app.test_client_class = CsrfFlaskClient
    yield app, pg_database, token
    app.extensions["hub_pool"].close()


def clients(app, token: str) -> dict:
    """A client per caller: an anonymous stranger, the signed-in admin, a site with its token."""
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = STRANGER  # its failed sign-ins lock out its own address only
    admin = app.test_client()
    assert admin.post("/api/session", json={"username": "quantri", "password": PASSWORD}).status_code == 200
    site = app.test_client()
    site.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return {None: stranger, "admin": admin, "site": site}


def cases(route: Route):
    """Every (url, raw body or None, headers, what) sent to one route."""
    import json
    base = None if route.base is None else json.dumps(route.base).encode()
    for param in route.params:
        for value in URL_VALUES:
            yield route.url(**{param: value}), base, {}, param
    for name in route.query:
        for value in URL_VALUES:
            yield f"{route.url()}?{name}={value}", None, {}, f"?{name}"
    for value in HEADER_VALUES:
        header = "Authorization" if route.who == "site" else "X-CSRF-Token"
        yield route.url(), base, {header: value}, header
    if route.method == "POST":
        for value in HOSTILE_VALUES:
            yield route.url(), json.dumps(value).encode(), {}, "whole body"
            for name in route.fields:
                yield route.url(), json.dumps({**(route.base or {}), name: value}).encode(), {}, name
        for raw in RAW_BODIES:
            yield route.url(), raw, {}, "raw body"


def state_of(conn) -> str:
    return conn.execute(STATE_QUERY).fetchone()[0]


def test_every_route_of_the_hub_is_covered(hub):
    app, _, _ = hub
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules()
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == set(ROUTES)


VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE)


@pytest.mark.parametrize("route", ROUTES.values(), ids=str)
def test_hostile_values_are_refused_in_vietnamese_and_change_nothing(hub, route):
    app, dsn, token = hub
    caller = clients(app, token)[route.who]
    failures, statuses = [], {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        before = state_of(conn)
        for url, body, headers, what in cases(route):
            kwargs = {"headers": headers}
            if body is not None:
                kwargs.update(data=body, content_type="application/json")
            answer = caller.open(url, method=route.method, **kwargs)
            status = answer.status_code
            statuses[status] = statuses.get(status, 0) + 1
            where = f"{url[:70]!r} {what}"
            if status >= 500:
                failures.append(f"{status} {where}: {answer.get_data()[:200]!r}")
            elif status >= 400 and (route.path.startswith("/api/") or answer.is_json):
                message = (answer.get_json(silent=True) or {}).get("message") or ""
                if not (answer.is_json and answer.get_json().get("error") and VIETNAMESE.search(message)):
                    failures.append(f"{status} not a Vietnamese JSON refusal {where}: {answer.get_data()[:200]!r}")
                elif re.search(r"[A-Za-z]+Error|None\b|unsupported|Traceback", message):
                    failures.append(f"{status} Python's words in the refusal {where}: {message!r}")
            if route.method != "GET":
                after = state_of(conn)
                if status >= 400 and after != before:
                    failures.append(f"{status} refused yet changed the hub's data {where}")
                before = after
            answer.close()
    assert not failures, f"{len(failures)} failures of {sum(statuses.values())}:\n" + "\n".join(failures[:40])
    if route.params or route.query or route.fields:  # the hostile values did reach the checks
        assert sum(n for status, n in statuses.items() if status >= 400) > 0


@pytest.mark.parametrize("url", ["/api/hub/overview?district=%00", "/api/hub/reports?district=%00",
                                 "/api/hub/reports/export?district=a%00b"])
def test_a_nul_in_a_report_filter_is_a_400(hub, url):
    app, _, token = hub
    answer = clients(app, token)["admin"].get(url)
    assert answer.status_code == 400 and answer.get_json()["message"] == "Dữ liệu có ký tự không hợp lệ."


def test_a_nul_in_a_sign_in_or_an_account_changes_nothing(hub):
    app, dsn, token = hub
    callers = clients(app, token)
    conn = psycopg.connect(dsn, autocommit=True)
    before = state_of(conn)
    assert callers[None].post("/api/session", json={"username": "q\x00t", "password": "x"}).status_code == 400
    for body in ({"username": "a\x00", "name": "A", "role": "leader", "password": PASSWORD},
                 {"username": "a", "name": "A\x00", "role": "leader", "password": PASSWORD},
                 {"username": "a", "name": "A", "role": "district_leader", "district": "C\x00", "password": PASSWORD}):
        assert callers["admin"].post("/api/hub/accounts", json=body).status_code == 400
    assert callers["admin"].post("/api/hub/sites", json={"code": "LSN-TT", "name": "N\x00"}).status_code == 400
    for url in ("/api/hub/sites/%00/revoke", "/api/hub/sites/%00/start-over", "/api/hub/accounts/%00/disable"):
        assert callers["admin"].post(url).status_code == 400
    assert state_of(conn) == before
    conn.close()


def site_with_a_nul(tmp_path, clock):
    """A real site's day on its own SQLite file, then a NUL in a citizen's comment, an event's payload and a
    ticket's label, as its SQLite holds them (SQLite text can hold a NUL; a socket client may send one)."""
    from server.core.center import load_center
    from server.core.queue import Queue
    from server.core.ratings import Ratings
    from server.core.store import Store
    from tests.hub_facts import COUNTERS, a_day
    from tests.live import SMALL_CENTER

    center = tmp_path / "site.toml"
    center.write_text(SMALL_CENTER.read_text(encoding="utf-8") + f'\n[site]\ncode = "{SITE}"\n'
                      'name = "Đơn vị thử"\nlevel = "xa"\ndistrict = "Huyện Thử"\n', encoding="utf-8")
    store = Store(tmp_path / "site.db")
    queue = Queue(load_center(center), store, clock)
    a_day(queue, clock, tickets=12, seed=3)
    number, officer = next(iter(COUNTERS.items()))
    queue.issue(queue.center.departments[0].services[0].code)
    label = queue.call_next(number, officer).events[0].payload["label"]
    queue.start_service(number, officer)
    queue.finish(number, officer)
    Ratings(queue).rate_at_counter(number, label, 3, reasons=(queue.center.rating.reasons[0],),
                                   comment="Chờ\x00 lâu", client_id="nul-rating-1")  # what a citizen's phone sent
    db = sqlite3.connect(tmp_path / "site.db")
    with db:
        db.execute("UPDATE tickets SET label = label || char(0) WHERE id = (SELECT min(id) FROM tickets)")
        db.execute("UPDATE events SET payload = json_set(payload, '$.note', 'a' || char(0) || 'b') WHERE seq = 3")
    db.close()
    return queue, store


def test_a_site_whose_records_hold_a_nul_is_never_stuck(hub, tmp_path):
    from server.core.outbox import read_batch
    from tests.conftest import FakeClock

    app, dsn, token = hub
    site = clients(app, token)["site"]
    queue, store = site_with_a_nul(tmp_path, FakeClock())

    def batch_after(after, labels=False):
        with store.read() as conn:
            conn.isolation_level = None
            try:
                return read_batch(conn, queue.center, after, 5, labels)
            finally:
                conn.isolation_level = ""

    first = batch_after(0, labels=True)
    first["labels"].append({"kind": "service", "code": "nul\x00code", "name": "Tên\x00 dịch vụ"})
    first["site"].update(name="Đơn vị\x00 thử", district="Huyện\x00 Thử")
    after, sent = 0, 0
    batch = first
    while True:
        answer = site.post("/api/hub/v1/batches", json=batch)
        assert answer.status_code == 200, answer.get_json()
        if batch["through"] > after:  # sent again, as after a lost answer: nothing more stored, not diverged
            again = site.post("/api/hub/v1/batches", json=batch)
            assert again.status_code == 200 and again.get_json()["stored"] == 0, again.get_json()
        sent += 1
        if answer.get_json()["acked_seq"] == after:
            break
        after = answer.get_json()["acked_seq"]
        batch = batch_after(after)
    with store.read() as conn:
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
        comments = [c for (c,) in conn.execute("SELECT comment FROM ratings WHERE comment IS NOT NULL")]
    assert any("\x00" in c for c in comments)  # the site does hold the NUL
    site_comments = sorted(c.replace("\x00", "") for c in comments)
    assert after == last and sent > 3
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT state, name, district FROM hub_sites WHERE code = %s",
                            (SITE,)).fetchone() == ("active", "Đơn vị thử", "Huyện Thử")
        hub_comments = sorted(c for (c,) in conn.execute("SELECT comment FROM site_ratings WHERE comment IS NOT NULL"))
        assert hub_comments == site_comments and "Chờ lâu" in hub_comments
        assert conn.execute("SELECT payload->>'note' FROM site_events WHERE seq = 3").fetchone()[0] == "ab"
        assert conn.execute("SELECT name FROM site_labels WHERE code = 'nulcode'").fetchone()[0] == "Tên dịch vụ"
        assert conn.execute("SELECT count(*) FROM site_events").fetchone()[0] == last
    store.close()
