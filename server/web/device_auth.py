"""How the API and the Socket.IO handlers check a device call.

The token comes in the X-Device-Token header (HTTP) or in the Socket.IO connection's auth; pairing itself is in
devices.py.
"""

from __future__ import annotations

from flask import request

from ..core.devices import Device
from ..core.queue import QueueRefused
from . import runtime

NOT_PAIRED = "Thiết bị chưa được ghép nối hoặc đã bị thu hồi; vui lòng liên hệ quản trị viên."


def request_device() -> Device | None:
    """The paired device making this HTTP request, if any."""
    return runtime().devices.authenticate(request.headers.get("X-Device-Token"))


def device_required(device: Device | None, kinds: tuple[str, ...], counter=None) -> Device | None:
    """Refuse a device call from an unpaired or revoked device, one of another kind, or for another counter.

    Returns the device (None when the installation does not require pairing)."""
    if not runtime().settings.require_devices:
        return device
    if device is None:
        raise QueueRefused("device_not_paired", NOT_PAIRED)
    if device.kind not in kinds:
        raise QueueRefused("device_forbidden", "Thiết bị này không được dùng cho màn hình này.")
    if counter is not None and device.counter_number is not None and counter != device.counter_number:
        raise QueueRefused("device_forbidden", f"Thiết bị này được ghép nối cho quầy số {device.counter_number},"
                                               f" không phải quầy {counter}.")
    return device
