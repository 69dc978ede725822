"""The screens: one folder each at the top of the project, served as plain files (no build step)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory, url_for

from ..core import guidance
from ..core.announcements import clip_path
from ..settings import ROOT
from .errors import page

bp = Blueprint("pages", __name__)

# URL name of each screen → its folder.
SCREENS = {name: ROOT / f"{name}_ui" for name in ("shared", "kiosk", "ticket", "display", "counter", "tablet",
                                                  "admin", "booking")}
NODE_MODULES = ROOT / "node_modules"
DEFAULT_VOICE = ROOT / "display_ui" / "sounds" / "default"
GUIDANCE_VOICE = ROOT / "shared_ui" / "sounds" / "guidance"
# Third-party browser files, installed by `npm ci` from package.json and served from node_modules only.
VENDOR = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "jsQR.js": "jsqr/dist/jsQR.js",  # the kiosk's camera reads a booking's QR code (booking_ui/checkin.js)
    # The accessibility checker the browser tests inject into every screen; a dev dependency, so a center's
    # install has no such file and the route answers 404 there.
    "axe.min.js": "axe-core/axe.min.js",
}
FONT_DIR = "@fontsource/be-vietnam-pro"
FONT_FILE = re.compile(r"^(?:(?:vietnamese|latin|latin-ext)-)?[1-9]00\.css$"
                       r"|^files/be-vietnam-pro-(?:vietnamese|latin|latin-ext)-[1-9]00-normal\.woff2?$")


def screen_page(screen: str, page: str = "index.html"):
    """An HTML page of a screen; never cached so a restarted server's new pages reach the kiosks."""
    response = send_from_directory(SCREENS[screen], page, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def home():
    """The list of screens, for whoever sets up the center."""
    return screen_page("shared", "index.html")


@bp.get("/favicon.ico")
def favicon():
    """No icon: an empty answer instead of a 404 in every screen's log."""
    return "", 204, {"Cache-Control": "max-age=86400"}


@bp.get("/kiosk")
def kiosk():
    return screen_page("kiosk")


@bp.get("/kiosk/print/<token>")
def kiosk_print(token):
    """The 80 mm print page of a ticket; the kiosk browser prints it silently."""
    return screen_page("kiosk", "print.html")


@bp.get("/t/<token>")
def follow_ticket(token):
    """The page a ticket's QR code opens on the citizen's phone."""
    return screen_page("ticket")


@bp.get("/hen")
def booking_page():
    """Đặt lịch hẹn, lấy số từ xa: the citizen's public booking page (phone-sized, no account)."""
    return screen_page("booking")


@bp.get("/hen/<token>")
def booking_manage(token):
    """A booking's own page (its QR code's address): see, cancel or move it."""
    return screen_page("booking", "manage.html")


@bp.get("/checkin")
def check_in_screen():
    """Xác nhận có mặt alone: the kiosk's check-in panel (booking code or QR) on a screen of its own."""
    return screen_page("booking", "checkin.html")


@bp.get("/admin/bookings")
def supervisor_bookings():
    """Supervisors: the day's bookings per service and slot, arrivals and no-shows."""
    return screen_page("admin", "bookings.html")


@bp.get("/display")
def lobby_display():
    """The lobby TV; ?counters=1,2,3 or ?departments=STP,SGTVT limits it to part of the hall."""
    return screen_page("display")


@bp.get("/display/counter/<int:number>")
def counter_display(number):
    """The small screen above one counter."""
    return screen_page("display", "counter.html")


@bp.get("/counter")
def console():
    """The officer's counter console."""
    return screen_page("counter")


@bp.get("/tablet/<int:number>")
def tablet(number):
    """The rating tablet of one counter; a counter the center does not have says so instead of offering to pair."""
    if current_app.extensions["hangdoi"].center.counter(number) is None:
        return page(f"Không có quầy số {number} trong trung tâm. Vui lòng kiểm tra lại địa chỉ của máy đánh giá"
                    f" (/tablet/<số quầy>) hoặc liên hệ quản trị viên.", request.path, 404)
    return screen_page("tablet")


@bp.get("/admin")
def admin_home():
    """Leaders start at the reports."""
    return redirect(url_for("pages.supervisor_reports"))


@bp.get("/admin/devices")
def admin_devices():
    """Admins pair, name and revoke kiosks, displays and tablets."""
    return screen_page("admin", "devices.html")


@bp.get("/admin/config")
def admin_config():
    """Admins edit the center: departments and services, counters, officers, hours, priority, rating."""
    return screen_page("admin", "config.html")


@bp.get("/admin/live")
def supervisor_live():
    """Supervisors' live board: queues and counters by urgency, warnings and alerts as they happen (its files live
    in counter_ui/ beside the console; the staff pages' shared styles stay in admin_ui/live.css)."""
    return screen_page("counter", "board.html")


@bp.get("/admin/feedback")
def supervisor_feedback():
    """Theo dõi, xử lý phản ánh: every complaint and comment, taken in hand and closed with a note."""
    return screen_page("admin", "feedback.html")


@bp.get("/admin/reports")
def supervisor_reports():
    """Báo cáo, thống kê: the report screen with its tables, charts and export links."""
    return screen_page("admin", "reports.html")


@bp.get("/admin/reports/print")
def supervisor_reports_print():
    """The A4 print page of a report (same query as the screen; ?auto=1 opens the print dialog)."""
    return screen_page("admin", "print.html")


@bp.get("/voice/<key>.wav")
def voice_clip(key):
    """One clip of the voice announcements: the center's own recording when it has one, else the default."""
    runtime = current_app.extensions["hangdoi"]
    settings = runtime.settings
    try:
        path = clip_path(key, settings.voice_dir, DEFAULT_VOICE)  # only known clip names
    except KeyError:
        path = guidance_clip(runtime, key)
    if not path.is_file():
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=86400)


def guidance_clip(runtime, key):
    """A clip of the kiosk's and tablet's voice guidance; a name of the center is spoken by espeak-ng the first
    time it is asked for (off the event loop) and kept beside the database."""
    cache = Path(runtime.settings.database).parent / "voice-names"
    try:
        path, to_make = guidance.clip_to_serve(key, runtime.center, runtime.settings.voice_dir, GUIDANCE_VOICE, cache)
    except KeyError:
        abort(404)
    if to_make is not None:
        runtime.offload(guidance.make_name_clip, to_make, path)
    return path


@bp.get("/ui/<screen>/<path:name>")
def screen_file(screen, name):
    """Scripts, styles and sounds of a screen."""
    if screen not in SCREENS:
        abort(404)
    return send_from_directory(SCREENS[screen], name, max_age=300)


@bp.get("/vendor/<path:name>")
def vendor(name):
    """An allow-listed file from node_modules; nothing else there is reachable."""
    if name in VENDOR:
        return send_from_directory(NODE_MODULES, VENDOR[name], max_age=86400)
    if name.startswith("be-vietnam-pro/") and FONT_FILE.match(name.removeprefix("be-vietnam-pro/")):
        return send_from_directory(NODE_MODULES / FONT_DIR, name.removeprefix("be-vietnam-pro/"), max_age=86400)
    abort(404)
