"""Paired devices: kiosks, lobby displays, counter displays and rating tablets hold a token an admin granted.

A screen with no token asks to be paired and shows a short code; an admin who sees that code on the device
confirms it, choosing the device's name and counter; the screen then collects its token, once. Only the token's
hash is stored, so a copy of the database grants nothing. Revoking a device invalidates its token at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from . import audit
from .center import Center
from .queue import QueueRefused
from .store import Store, StoreUnavailable

KINDS = {"kiosk": "Máy lấy số", "display": "Màn hình sảnh", "counter_display": "Màn hình quầy",
         "tablet": "Máy đánh giá tại quầy"}
# Kinds bound to one counter: a tablet rates only for its own counter.
COUNTER_KINDS = ("counter_display", "tablet")
PAIRING_MINUTES = 15
# A flood of pairing requests cannot fill the table, and one machine cannot take every place: each address may
# have a few requests pending (a screen reloaded twice keeps a code), the center as a whole many (setting up 70
# counters' tablets and counter displays in one morning).
MAX_PENDING = 300
MAX_PENDING_PER_ADDRESS = 3


@dataclass(frozen=True)
class Device:
    """A paired, unrevoked device."""

    id: int
    kind: str
    name: str
    counter_number: int | None

    def view(self) -> dict:
        return {"id": self.id, "kind": self.kind, "kind_name": KINDS[self.kind], "name": self.name,
                "counter": self.counter_number}


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Devices:
    """Pairing, authentication and revocation of a center's devices."""

    def __init__(self, center: Center, store: Store, clock=time.time):
        self.center, self.store, self.clock = center, store, clock
        self._by_token: dict[str, Device | None] = {}  # token hash → device; the hot path is one dict lookup

    def now(self) -> int:
        return int(self.clock())

    # ----- the device's side ----------------------------------------------------------------------------

    def request_pairing(self, kind, counter_number=None, address: str | None = None) -> dict:
        """A screen asks to be paired: the code it shows and the secret it polls with. `address` (the machine
        asking) may have at most MAX_PENDING_PER_ADDRESS requests pending."""
        if not isinstance(kind, str) or kind not in KINDS:
            raise QueueRefused("bad_request", "Loại thiết bị không hợp lệ.")
        counter_number = self._checked_counter(kind, counter_number, required=False)
        now = self.now()
        request = secrets.token_urlsafe(24)
        with self.store.write() as conn:
            conn.execute("DELETE FROM pairing_requests WHERE expires_at < ? AND state = 'pending'", (now,))
            pending = conn.execute("SELECT count(*) FROM pairing_requests WHERE state = 'pending'").fetchone()[0]
            if pending >= MAX_PENDING:
                raise QueueRefused("too_many_pairings", "Có quá nhiều yêu cầu ghép nối đang chờ; thử lại sau.")
            if address is not None:
                mine = conn.execute("SELECT count(*), min(expires_at) FROM pairing_requests WHERE address = ?"
                                    " AND state = 'pending'", (address,)).fetchone()
                if mine[0] >= MAX_PENDING_PER_ADDRESS:
                    minutes = max(1, -(-(mine[1] - now) // 60))
                    raise QueueRefused("too_many_pairings",
                                       f"Máy này đã có {mine[0]} yêu cầu ghép nối đang chờ; hãy đọc mã đang hiện trên"
                                       f" màn hình cho quản trị viên, hoặc thử lại sau {minutes} phút.")
            code = self._free_code(conn)
            conn.execute("INSERT INTO pairing_requests (request_hash, code, kind, counter_number, created_at,"
                         " expires_at, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (_hash(request), code, kind, counter_number, now, now + PAIRING_MINUTES * 60, address))
        return {"request": request, "code": code, "expires_at": now + PAIRING_MINUTES * 60}

    def pairing_status(self, request) -> dict:
        """Whether the admin confirmed; the token is handed over on the first poll after confirmation only."""
        if not isinstance(request, str):
            raise QueueRefused("unknown_pairing", "Không tìm thấy yêu cầu ghép nối; thiết bị sẽ xin mã mới.")
        with self.store.write() as conn:
            row = conn.execute("SELECT * FROM pairing_requests WHERE request_hash = ?", (_hash(request),)).fetchone()
            if row is None:
                raise QueueRefused("unknown_pairing", "Không tìm thấy yêu cầu ghép nối; thiết bị sẽ xin mã mới.")
            if row["state"] == "pending" and row["expires_at"] < self.now():
                return {"state": "expired"}
            answer = {"state": row["state"]}
            if row["state"] == "approved" and row["token"]:
                answer["token"] = row["token"]
                answer["device"] = self._device(conn, row["device_id"]).view()
                conn.execute("UPDATE pairing_requests SET token = NULL WHERE request_hash = ?", (row["request_hash"],))
        return answer

    def authenticate(self, token) -> Device | None:
        """The device a token belongs to, or None for an unknown or revoked token."""
        if not isinstance(token, str) or not token:
            return None
        key = _hash(token)
        if key not in self._by_token:
            with self.store.read() as conn:
                row = conn.execute("SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                                   (key,)).fetchone()
            if len(self._by_token) > 10_000:  # bounded: random invalid tokens cannot grow it without limit
                self._by_token.clear()
            self._by_token[key] = self._from_row(row) if row else None
        return self._by_token[key]

    def revoked(self, token) -> bool:
        """Whether a token was a device's that an admin revoked (the screen then says so, not "never paired")."""
        if not isinstance(token, str) or not token:
            return False
        with self.store.read() as conn:
            return conn.execute("SELECT 1 FROM devices WHERE token_hash = ? AND revoked_at IS NOT NULL",
                                (_hash(token),)).fetchone() is not None

    def seen(self, device: Device):
        """Remember when a device last connected (shown to admins to spot a dead screen). Best effort: a locked or
        full database must not cut a lobby screen off, so a refused write is skipped (the next connect retries)."""
        try:
            with self.store.write() as conn:
                conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", (self.now(), device.id))
        except StoreUnavailable:
            pass

    # ----- the admin's side -----------------------------------------------------------------------------

    def approve(self, code, actor: str, name=None, counter_number=None) -> Device:
        """Xác nhận: the admin saw this code on the device; the device gets its token at its next poll."""
        now = self.now()
        with self.store.write() as conn:
            row = self._pending(conn, code, now)
            counter_number = self._checked_counter(row["kind"], counter_number if counter_number is not None
                                                   else row["counter_number"], required=True)
            if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 80):
                raise QueueRefused("bad_request", "Tên thiết bị phải có từ 1 đến 80 ký tự.")
            name = (name or "").strip() or self._default_name(row["kind"], counter_number)
            token = secrets.token_urlsafe(32)
            device_id = conn.execute(
                "INSERT INTO devices (kind, name, counter_number, token_hash, paired_at, paired_by)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (row["kind"], name, counter_number, _hash(token), now, actor)).fetchone()[0]
            conn.execute("UPDATE pairing_requests SET state = 'approved', device_id = ?, token = ?"
                         " WHERE request_hash = ?", (device_id, token, row["request_hash"]))
            device = self._device(conn, device_id)
            audit.record(conn, now, actor, "device_paired", f"device:{device_id}", None, device.view())
        return device

    def reject(self, code, actor: str):
        """Từ chối: a code nobody expected; the device is told and asks again."""
        now = self.now()
        with self.store.write() as conn:
            row = self._pending(conn, code, now)
            conn.execute("UPDATE pairing_requests SET state = 'rejected', token = NULL WHERE request_hash = ?",
                         (row["request_hash"],))
            audit.record(conn, now, actor, "pairing_rejected", f"code:{row['code']}",
                         {"kind": row["kind"], "counter": row["counter_number"]}, None)

    def revoke(self, device_id, actor: str) -> Device:
        """Thu hồi: the token stops working at once; the caller cuts the device's open connections."""
        if not isinstance(device_id, int) or isinstance(device_id, bool):
            raise QueueRefused("unknown_device", "Không tìm thấy thiết bị.")
        now = self.now()
        with self.store.write() as conn:
            row = conn.execute("SELECT * FROM devices WHERE id = ? AND revoked_at IS NULL", (device_id,)).fetchone()
            if row is None:
                raise QueueRefused("unknown_device", "Không tìm thấy thiết bị hoặc thiết bị đã bị thu hồi.")
            conn.execute("UPDATE devices SET revoked_at = ?, revoked_by = ? WHERE id = ?", (now, actor, device_id))
            device = self._from_row(row)
            audit.record(conn, now, actor, "device_revoked", f"device:{device_id}", device.view(), None)
        self._by_token.pop(row["token_hash"], None)
        return device

    def listing(self) -> dict:
        """Devices (newest first, revoked ones included) and the pairing requests waiting for an admin."""
        now = self.now()
        with self.store.read() as conn:
            devices = conn.execute("SELECT * FROM devices ORDER BY id DESC").fetchall()
            pending = conn.execute("SELECT * FROM pairing_requests WHERE state = 'pending' AND expires_at >= ?"
                                   " ORDER BY created_at", (now,)).fetchall()
        return {
            "devices": [{**self._from_row(d).view(), "paired_at": d["paired_at"], "paired_by": d["paired_by"],
                         "revoked_at": d["revoked_at"], "revoked_by": d["revoked_by"],
                         "last_seen_at": d["last_seen_at"]} for d in devices],
            "pending": [{"code": p["code"], "kind": p["kind"], "kind_name": KINDS[p["kind"]],
                         "counter": p["counter_number"], "created_at": p["created_at"],
                         "expires_at": p["expires_at"], "address": p["address"]} for p in pending],
        }

    # ----- helpers --------------------------------------------------------------------------------------

    def _checked_counter(self, kind, counter_number, required: bool):
        if kind not in COUNTER_KINDS:
            return None
        if counter_number is None and not required:
            return None
        if isinstance(counter_number, bool) or not isinstance(counter_number, int) \
                or self.center.counter(counter_number) is None:
            raise QueueRefused("unknown_counter", "Vui lòng chọn một quầy có trong trung tâm cho thiết bị này.")
        return counter_number

    @staticmethod
    def _free_code(conn) -> str:
        """Six digits, unique among the pending requests, easy to read aloud across a hall."""
        while True:
            code = f"{secrets.randbelow(1_000_000):06d}"
            if conn.execute("SELECT 1 FROM pairing_requests WHERE code = ? AND state = 'pending'",
                            (code,)).fetchone() is None:
                return code

    @staticmethod
    def _pending(conn, code, now: int):
        code = "".join(ch for ch in code if ch.isdigit()) if isinstance(code, str) else ""
        row = conn.execute("SELECT * FROM pairing_requests WHERE code = ? AND state = 'pending' AND expires_at >= ?",
                           (code, now)).fetchone()
        if row is None:
            raise QueueRefused("unknown_pairing", "Mã ghép nối không đúng hoặc đã hết hạn; xem lại mã trên thiết bị.")
        return row

    def _default_name(self, kind: str, counter_number) -> str:
        return KINDS[kind] + (f" – quầy {counter_number:02d}" if counter_number is not None else "")

    def _device(self, conn, device_id: int) -> Device:
        return self._from_row(conn.execute("SELECT * FROM devices WHERE id = ?", (device_id,)).fetchone())

    @staticmethod
    def _from_row(row) -> Device:
        return Device(row["id"], row["kind"], row["name"], row["counter_number"])
