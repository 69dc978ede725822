"""The transport layers: HTTP views and Socket.IO handlers, thin wrappers around the core."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app
from flask_socketio import SocketIO

from ..core.accounts import Accounts
from ..core.appointments import Appointments
from ..core.center import ALWAYS_OPEN, Center
from ..core.center_versions import latest_version, newest_stored
from ..core.devices import Devices
from ..core.queue import Queue
from ..core.ratings import Ratings
from ..core.store import Store
from ..settings import Settings

if TYPE_CHECKING:
    from .issuing import IssueBatcher
    from .realtime import DeviceSockets


@dataclass
class Runtime:
    """What every view and handler of one app needs; lives in `app.extensions['hangdoi']`."""

    settings: Settings
    center: Center
    store: Store
    queue: Queue
    accounts: Accounts
    ratings: Ratings
    socketio: SocketIO
    devices: Devices
    device_sockets: DeviceSockets = field(default=None)  # set by realtime.register_handlers
    issuer: IssueBatcher = field(default=None)  # kiosks' tickets, committed together when they arrive together
    config_version: int | None = None  # the stored version `configured` is
    appointments: Appointments = field(default=None)  # bookings, remote numbers, check-in

    def set_center(self, center: Center, version: int | None):
        """Put a configuration to work everywhere at once (start-up, an admin's change): `configured` keeps it as
        stored, `center` and every part holding one get it with the demo's always-open hours when those are on."""
        self.configured, self.config_version = center, version
        live = dataclasses.replace(center, hours=ALWAYS_OPEN) if self.settings.ignore_opening_hours else center
        self.center = live
        self.queue.set_center(live)  # also gives new counters their state row
        for part in (getattr(self, f.name) for f in dataclasses.fields(self)):
            if part is not self.queue and isinstance(getattr(part, "center", None), Center):
                part.center = live

    def adopt_newer_configuration(self) -> bool:
        """Take up a version stored by another process (the command line's create-admin) since this one was put to
        work; True when there was one. The caller tells the screens (server/__init__.py,
        `take_up_stored_configuration`, through realtime.announce_center_changed)."""
        if latest_version(self.store) in (None, self.config_version):  # the usual answer, without parsing anything
            return False
        newest = newest_stored(self.store)
        self.set_center(newest[1], newest[0])
        return True

    def offload(self, fn, *args):
        """Run blocking work (image rendering, long queries) off the event loop and wait for its result."""
        mode = self.socketio.async_mode
        if mode == "eventlet":
            from eventlet import tpool

            return tpool.execute(fn, *args)
        if mode == "gevent":
            import gevent

            return gevent.get_hub().threadpool.apply(fn, args)
        return fn(*args)  # threading: a blocking call holds only its own thread


class _EventletSignal:
    """threading.Event's set/wait on eventlet's own one-shot event (no lock, no condition)."""

    __slots__ = ("_event",)

    def __init__(self):
        from eventlet.event import Event

        self._event = Event()

    def set(self):
        self._event.send()

    def wait(self):
        self._event.wait()


def signal_factory(async_mode: str):
    """The cheapest one-shot signal (set/wait) of an async mode, for requests waiting on another greenlet."""
    if async_mode == "eventlet":
        return _EventletSignal
    if async_mode == "gevent":
        from gevent.event import Event

        return Event
    import threading

    return threading.Event


def runtime() -> Runtime:
    """The runtime of the app handling the current request or event."""
    return current_app.extensions["hangdoi"]
