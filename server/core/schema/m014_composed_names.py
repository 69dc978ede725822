"""m014: every text people typed, stored before names were composed on the way in, rewritten once in NFC.

server/core/names.py composes text where it enters the core; this migration does the same to the rows written
before: officers' names and usernames (the configuration versions, accounts, sessions, who served a ticket), device
names, ratings' comments and reasons, feedback notes, a paused counter's reason.

Ratings and feedback notes are guarded by triggers that refuse any UPDATE ("never edited"). NFC is not an edit of
what a citizen or officer said: the two forms are canonically equivalent (Unicode Standard Annex #15), the same
letters in another encoding, and every comparison the application makes treats them as the same text from now on.
So the migration drops the two triggers, rewrites only the rows whose text changes form, and creates the triggers
again from their own stored SQL, in the one transaction the migration runs in (a failure leaves everything as it
was, triggers included). Reading them in NFC at every query instead would have left each report, export and search
to remember it.

Left as written, on purpose: the audit log and the event log are records of what happened (the event log is also
what the province's hub receives, idempotent on its sequence number: a sent event is never changed), and the
counters' action log replays answers already given. The audit log is shown in NFC when read (core/audit.py).
"""

from __future__ import annotations

import json
import unicodedata

import sqlite_utils

from ..names import composed, composed_text
from ..store import migrations

# Plain text columns (table, column) holding what people typed, or a username taken from the configuration.
TEXT_COLUMNS = (
    ("devices", "name"), ("devices", "paired_by"), ("devices", "revoked_by"),
    ("center_versions", "actor"),
    ("sessions", "username"),
    ("tickets", "officer"),
    ("counter_state", "officer"), ("counter_state", "pause_reason"),
    ("feedback_items", "handled_by"),
)
# Columns holding JSON written with ensure_ascii=False: rewritten as their writer wrote them, strings composed.
JSON_COLUMNS = (("center_versions", "raw"),)
# Rows the database refuses to update (their triggers are dropped and created again around the rewrite).
GUARDED = {
    "ratings": {"text": ("comment", "officer", "level_name"), "json": ("reasons",)},
    "feedback_actions": {"text": ("actor", "note"), "json": ()},
}


def _composed_json(text):
    if text is None:
        return None
    if "\\u" not in text and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text  # every string in it is composed already (an escaped letter is looked at below)
    value = json.loads(text)
    again = composed(value)
    return text if again == value else json.dumps(again, ensure_ascii=False)


def _composed_or_none(text):
    return composed_text(text) if isinstance(text, str) else text


def _rewrite(db, table: str, columns: dict[str, str], returning: str = "NULL") -> list:
    """Rewrite the columns of a table (column → the SQL function composing it) in one pass over it, in the rows
    where one of them changes form; the `returning` column of each row rewritten."""
    changes = ", ".join(f"{column} = {function}({column})" for column, function in columns.items())
    differs = " OR ".join(f"{column} IS NOT {function}({column})" for column, function in columns.items())
    return db.execute(f"UPDATE {table} SET {changes} WHERE {differs} RETURNING {returning}").fetchall()


def _rewrite_keyed(db, table: str, key: str, newest: str, composed_key=composed_text) -> None:
    """A primary key in NFC; where both forms of one key exist the row with the larger `newest` stays."""
    rows = db.execute(f"SELECT {key}, {newest} FROM {table}").fetchall()
    for old, at in rows:
        new = composed_key(old)
        if new == old:
            continue
        twin = db.execute(f"SELECT {newest} FROM {table} WHERE {key} = ?", (new,)).fetchone()
        if twin is not None and twin[0] >= at:
            db.execute(f"DELETE FROM {table} WHERE {key} = ?", (old,))
        else:
            db.execute(f"DELETE FROM {table} WHERE {key} = ?", (new,))
            db.execute(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", (new, old))


def _signin_key(key: str) -> str:
    kind, _, name = key.partition(":")  # "account:<username>"; an address is ASCII and stays as it is
    return f"{kind}:{composed_text(name)}"


@migrations()
def m014_composed_names(db: sqlite_utils.Database):
    """Names, comments, reasons and notes stored before names were composed on the way in, now in NFC."""
    db.conn.create_function("hangdoi_nfc", 1, _composed_or_none, deterministic=True)
    db.conn.create_function("hangdoi_nfc_json", 1, _composed_json, deterministic=True)
    tables: dict[str, dict[str, str]] = {}
    for table, column in TEXT_COLUMNS:
        tables.setdefault(table, {})[column] = "hangdoi_nfc"
    for table, column in JSON_COLUMNS:
        tables.setdefault(table, {})[column] = "hangdoi_nfc_json"
    for table, columns in tables.items():
        _rewrite(db, table, columns)
    _rewrite_keyed(db, "officer_accounts", "username", "changed_at")
    _rewrite_keyed(db, "sign_in_failures", "key", "last_at", _signin_key)

    changed_days = set()  # a rating's day is summarised again when its text changes form (officers are reported)
    for table, columns in GUARDED.items():
        triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
                              " AND sql LIKE '%BEFORE UPDATE%'", (table,)).fetchall()
        for name, _sql in triggers:
            db.execute(f"DROP TRIGGER {name}")
        functions = {**dict.fromkeys(columns["text"], "hangdoi_nfc"),
                     **dict.fromkeys(columns["json"], "hangdoi_nfc_json")}
        day = "service_local_date" if table == "ratings" else "NULL"
        changed_days.update(row[0] for row in _rewrite(db, table, functions, day))
        for _name, sql in triggers:
            db.execute(sql)
    changed_days.discard(None)
    db.conn.executemany("UPDATE summary_days SET stale = 1 WHERE local_date = ?", [(d,) for d in changed_days])
