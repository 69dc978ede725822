"""Names in NFC: text typed decomposed (a base letter followed by its combining marks) is stored composed whether it
came through the center file, the HTTP API or a Socket.IO message (server/core/names.py), and the migration m014
rewrites rows stored before, ratings and feedback notes included, leaving their never-edited triggers in place."""

from __future__ import annotations

import json
import sqlite3
import unicodedata

import pytest
import sqlite_utils

from server.core import schema
from server.core.center import load_center
from server.core.names import composed, composed_text
from server.core.store import Store, migrations
from tests.live import SMALL_CENTER
from tests.test_rating_transport import rt, serve_one  # noqa: F401 (rt: the fixture)
from tests.test_realtime import PASSWORD, socket

NAME = "Nguyễn Thị Ánh Tuyết"  # written composed in this file
COMMENT = "Cán bộ hướng dẫn rất tận tình, cảm ơn"
NOTE = "Đã gọi điện xin lỗi công dân"
DEVICE = "Máy tính bảng quầy số một"


def decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def letters(text: str) -> int:
    return sum(1 for ch in text if not unicodedata.combining(ch))


def not_composed(text) -> bool:
    return isinstance(text, str) and not unicodedata.is_normalized("NFC", text)


def test_a_decomposed_name_has_more_code_points_than_letters_until_composed():
    typed = decomposed(NAME)
    assert len(typed) > letters(typed) and typed != NAME
    assert composed_text(typed) == NAME and len(composed_text(typed)) == letters(typed)
    assert composed_text("Quay 01") == "Quay 01"


def test_composed_reaches_every_string_of_a_nested_value_and_keeps_the_rest():
    value = {decomposed("tên"): [decomposed(NAME), 3, 1.5, None, True, {"x": (decomposed("Đạt"),)}]}
    assert composed(value) == {"tên": [NAME, 3, 1.5, None, True, {"x": ("Đạt",)}]}


def test_the_center_file_is_read_in_nfc(tmp_path):
    text = SMALL_CENTER.read_text(encoding="utf-8").replace("Nguyễn Văn An", decomposed(NAME))
    text = text.replace("Thời gian chờ lâu", decomposed("Thời gian chờ lâu"))
    path = tmp_path / "decomposed.toml"
    path.write_text(text, encoding="utf-8")
    assert decomposed(NAME) in path.read_text(encoding="utf-8")
    center = load_center(path)
    assert center.officer("an").name == NAME
    assert "Thời gian chờ lâu" in center.rating.reasons
    assert not any(not_composed(d.name) or any(not_composed(s.name) for s in d.services) for d in center.departments)


def test_an_officer_named_through_the_admin_api_is_stored_composed(app, rt):
    rt.accounts.set_password("quantri", PASSWORD)
    admin = app.test_client()
    assert admin.post("/api/session", json={"username": "quantri", "password": PASSWORD}).status_code == 200
    officers = admin.get("/api/admin/config").get_json()["sections"]["officers"]
    officers[0]["name"] = decomposed(NAME)
    officers[1]["name"] = decomposed(COMMENT)
    # JSON as a browser sends it (UTF-8 letters), and with \u escapes (Python's json.dumps, the test client's `json=`).
    raw = json.dumps(officers, ensure_ascii=False).encode()
    assert raw.isascii() is False and b"\\u" not in raw
    assert admin.put("/api/admin/config/officers", data=raw, content_type="application/json").status_code == 200
    assert admin.get("/api/admin/config").get_json()["sections"]["officers"][1]["name"] == COMMENT
    officers[1]["name"] = decomposed(NOTE)
    assert admin.put("/api/admin/config/officers", json=officers).status_code == 200
    assert admin.get("/api/admin/config").get_json()["sections"]["officers"][1]["name"] == NOTE
    assert admin.get("/api/admin/config").get_json()["sections"]["officers"][0]["name"] == NAME
    assert rt.center.officer(officers[0]["username"]).name == NAME
    with rt.store.read() as conn:
        raw = json.loads(conn.execute("SELECT raw FROM center_versions ORDER BY version DESC LIMIT 1").fetchone()[0])
    assert raw["officers"][0]["name"] == NAME


def test_a_password_typed_either_way_signs_in(app, rt):
    rt.accounts.set_password("binh", "mật khẩu dài")
    for typed in ("mật khẩu dài", decomposed("mật khẩu dài")):
        client = app.test_client()
        answer = client.post("/api/session", json={"username": "binh", "password": typed, "counter": 1})
        assert answer.status_code == 200, answer.get_json()


def test_a_comment_over_http_and_over_socket_io_is_stored_composed(app, rt, client):
    token = serve_one(app, client, "phone")
    body = {"level": 3, "reasons": [decomposed("Thời gian chờ lâu")], "comment": decomposed(COMMENT)}
    answer = client.post(f"/api/tickets/{token}/rating", json=body)
    assert answer.status_code == 201, answer.get_json()
    serve_one(app, client, "tablet")
    reply = socket(app).emit("rate", {"client_id": "tablet1-nfc001", "counter": 1, "label": "A002", "level": 1,
                                      "comment": decomposed(COMMENT)}, callback=True)
    assert reply["ok"], reply
    with rt.store.read() as conn:
        rows = conn.execute("SELECT comment, reasons FROM ratings ORDER BY id").fetchall()
    assert [r["comment"] for r in rows] == [COMMENT, COMMENT]
    assert json.loads(rows[0]["reasons"]) == ["Thời gian chờ lâu"]


# ----- the migration ---------------------------------------------------------------------------------------------

def database_before_m014(path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    schema.register_all()
    migrations.apply(db, stop_before="m014_composed_names")
    return db


def fill_with_decomposed_rows(db):
    """One row of each kind people's typing reaches, written decomposed as an older server stored it."""
    d = decomposed
    raw = {"officers": [{"username": d("ánh"), "name": d(NAME), "role": "officer"}], "center": {"name": d("Trung tâm")}}
    db.execute("INSERT INTO center_versions (version, at, actor, raw) VALUES (1, 1, ?, ?)",
               (d("tệp cấu hình"), json.dumps(raw, ensure_ascii=False)))
    db.execute("INSERT INTO officer_accounts VALUES (?, 'hash-old', 1)", (d("ánh"),))
    db.execute("INSERT INTO devices (id, kind, name, counter_number, token_hash, paired_at, paired_by)"
               " VALUES (9, 'tablet', ?, 1, 'h', 1, ?)", (d(DEVICE), d("quản trị")))
    db.execute("INSERT INTO tickets (id, token, local_date, service_code, department_code, prefix, number, label,"
               " channel, state, arrived_at, issued_at, counter_number, officer) VALUES"
               " (1, 't1', '2026-11-20', 'ly-lich', 'STP', 'A', 1, 'A001', 'kiosk', 'done', 1, 1, 1, ?)", (d("ánh"),))
    db.execute("INSERT INTO counter_state (counter_number, status, officer, pause_reason) VALUES (1, 'paused', ?, ?)",
               (d("ánh"), d("Nghỉ giải lao")))
    db.execute("INSERT INTO sessions (id_hash, username, role, started_at, seen_at) VALUES ('s', ?, 'officer', 1, 1)",
               (d("ánh"),))
    db.execute("INSERT INTO ratings (id, ticket_id, channel, level, level_name, scale, reasons, comment, local_date,"
               " service_local_date, rated_at, counter_number, officer, service_code, department_code)"
               " VALUES (1, 1, 'tablet', 3, ?, 3, ?, ?, '2026-11-20', '2026-11-20', 2, 1, ?, 'ly-lich', 'STP')",
               (d("Không hài lòng"), json.dumps([d("Thời gian chờ lâu")], ensure_ascii=False), d(COMMENT), d("ánh")))
    db.execute("INSERT INTO feedback_items (id, rating_id, dissatisfied, local_date, opened_at, changed_at,"
               " handled_by) VALUES (1, 1, 1, '2026-11-20', 2, 3, ?)", (d("giám sát"),))
    db.execute("INSERT INTO feedback_actions (item_id, at, actor, from_state, to_state, note)"
               " VALUES (1, 3, ?, 'new', 'done', ?)", (d("giám sát"), d(NOTE)))
    db.execute("INSERT INTO summary_days VALUES ('2026-11-20', 0, 5)")


def every_text(db) -> dict[tuple[str, str], list]:
    """Every text value of every table the migration rewrites, by (table, column)."""
    found = {}
    for table in ("center_versions", "officer_accounts", "devices", "tickets", "counter_state", "sessions",
                  "ratings", "feedback_items", "feedback_actions"):
        for row in db.execute(f"SELECT * FROM {table}").fetchall():
            for column, value in zip([c[0] for c in db.execute(f"SELECT * FROM {table} LIMIT 0").description], row):
                if isinstance(value, str):
                    found.setdefault((table, column), []).append(value)
    return found


def test_m014_composes_every_stored_name_and_keeps_ratings_guarded(tmp_path):
    path = tmp_path / "old.db"
    db = database_before_m014(path)
    fill_with_decomposed_rows(db)
    before = every_text(db)
    assert sum(not_composed(v) for values in before.values() for v in values) >= 15
    db.conn.close()

    store = Store(path)  # opening the file applies m014 (and whatever follows it)
    try:
        with store.read() as conn:
            after = every_text(sqlite_utils.Database(conn))
            rating = conn.execute("SELECT comment, reasons, level_name, officer FROM ratings").fetchone()
            note = conn.execute("SELECT note FROM feedback_actions").fetchone()[0]
            stale = conn.execute("SELECT stale FROM summary_days").fetchone()[0]
            raw = json.loads(conn.execute("SELECT raw FROM center_versions").fetchone()[0])
        assert {key: len(values) for key, values in after.items()} == {k: len(v) for k, v in before.items()}
        assert [key for key, values in after.items() if any(not_composed(v) for v in values)] == []
        # Each value is the same text, composed: nothing else about it changed.
        assert all(composed_text(old) == new for key in before for old, new in zip(before[key], after[key]))
        assert tuple(rating) == (COMMENT, json.dumps(["Thời gian chờ lâu"], ensure_ascii=False), "Không hài lòng",
                                 "ánh")
        assert note == NOTE and raw["officers"][0]["name"] == NAME and stale == 1
        with pytest.raises(sqlite3.IntegrityError, match="never edited"), store.write() as conn:
            conn.execute("UPDATE ratings SET comment = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="never edited"), store.write() as conn:
            conn.execute("UPDATE feedback_actions SET note = 'x'")
    finally:
        store.close()


def test_m014_keeps_the_newest_password_when_an_account_was_stored_both_ways(tmp_path):
    path = tmp_path / "twice.db"
    db = database_before_m014(path)
    db.execute("INSERT INTO officer_accounts VALUES (?, 'old-hash', 1)", ("ánh",))
    db.execute("INSERT INTO officer_accounts VALUES (?, 'new-hash', 2)", (decomposed("ánh"),))
    db.conn.close()
    store = Store(path)
    try:
        with store.read() as conn:
            assert [tuple(r) for r in conn.execute("SELECT username, password_hash FROM officer_accounts")] == [
                ("ánh", "new-hash")]
    finally:
        store.close()
