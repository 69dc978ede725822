"""Device pairing over HTTP: the screen's side (ask, poll, who am I) and the admin's (confirm, reject, revoke)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import runtime
from .api import json_body
from .auth import client_address, is_loopback, role_required, signed_in_account
from .device_auth import request_device

bp = Blueprint("devices", __name__, url_prefix="/api")


@bp.post("/devices/pairing")
def request_pairing():
    """A screen without a token asks for a pairing code to show (a few at a time per machine)."""
    body = json_body()
    rt, address = runtime(), client_address()
    answer = rt.devices.request_pairing(body.get("kind"), body.get("counter"), address)
    if rt.settings.auto_pair_local and is_loopback(address):
        # Demo only (run.py --demo): a screen on the server machine itself is paired at once.
        rt.devices.approve(answer["code"], "tự động (demo, trên máy chủ)")
    return jsonify(answer), 201


@bp.get("/devices/pairing/<pairing>")
def pairing_status(pairing):
    """The screen polls: pending, approved (with its token, once), rejected or expired."""
    return jsonify(runtime().devices.pairing_status(pairing))


@bp.get("/devices/me")
def who_am_i():
    """Whether this installation requires pairing, which device the sent token belongs to, and whether a token that
    no longer works was revoked. Paired screens ask every 2.5 s (shared_ui/device.js): the answer is a dictionary
    look-up, and the database is read only for a token that does not work."""
    rt = runtime()
    device = request_device()
    token = request.headers.get("X-Device-Token")
    revoked = device is None and rt.settings.require_devices and rt.devices.revoked(token)
    return jsonify(required=rt.settings.require_devices, device=device.view() if device else None,
                   revoked=bool(revoked))


@bp.get("/admin/devices")
@role_required("admin", message="Chỉ quản trị viên được quản lý thiết bị.")
def list_devices():
    rt = runtime()
    listing = rt.devices.listing()
    for device in listing["devices"]:
        device["connections"] = rt.device_sockets.count(device["id"])
    return jsonify(listing)


@bp.post("/admin/devices/approve")
@role_required("admin", message="Chỉ quản trị viên được quản lý thiết bị.")
def approve():
    """Xác nhận a code read on the device, with the device's name and (tablets, counter displays) counter."""
    body = json_body()
    device = runtime().devices.approve(body.get("code"), signed_in_account().username, body.get("name"),
                                       body.get("counter"))
    return jsonify(device.view()), 201


@bp.post("/admin/devices/reject")
@role_required("admin", message="Chỉ quản trị viên được quản lý thiết bị.")
def reject():
    runtime().devices.reject(json_body().get("code"), signed_in_account().username)
    return jsonify(ok=True)


@bp.post("/admin/devices/<int:device_id>/revoke")
@role_required("admin", message="Chỉ quản trị viên được quản lý thiết bị.")
def revoke(device_id):
    """Thu hồi: the token stops working and the device's open connections are closed now."""
    rt = runtime()
    device = rt.devices.revoke(device_id, signed_in_account().username)
    rt.device_sockets.cut_off(device.id)
    return jsonify(device.view())
