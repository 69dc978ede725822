"""Check-in in chromium against the real server (booking_ui/checkin.js), alone on /checkin and inside the kiosk:
the code typed on the keypad, and the booking's QR code read through the camera, chromium being fed a video of the
QR code (a Y4M file made here with Pillow from the booking page's address, as its QR code holds it)."""

from __future__ import annotations

import os

import pytest
import qrcode
import requests
from PIL import Image
from playwright.sync_api import expect

from server.core import booking_codes
from tests.conftest import chromium_path
from tests.csrf import CsrfSession
from tests.live import LiveServer
from tests.test_browser_booking import center_file

pytestmark = [pytest.mark.browser, pytest.mark.live]

FRAME = (640, 480)


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "checkin.db", center=center_file(tmp_path)).start()
    yield live
    live.stop()


def book_now(server, phone="0912000111") -> dict:
    """A booking in the slot under way (the test center lets it be booked for 30 minutes after it began)."""
    http = CsrfSession()
    options = http.get(f"{server.url}/api/appointments/options", timeout=10).json()
    day = options["days"][0]
    slots = http.get(f"{server.url}/api/appointments/slots?service=ly-lich&date={day}", timeout=10).json()["slots"]
    slot = next(s for s in slots if s["open"])
    made = http.post(f"{server.url}/api/appointments", timeout=10, json={
        "service_code": "ly-lich", "date": day, "slot": slot["start"], "name": "Lê Văn Quét", "phone": phone})
    assert made.status_code == 201, made.text
    return made.json()


def qr_video(path, text: str, frames: int = 10):
    """A Y4M video (4:2:0) of a QR code on white, as a phone's screen held to the kiosk's camera shows it."""
    code = qrcode.make(text, box_size=8, border=4).get_image().convert("RGB")
    side = min(FRAME) - 60
    picture = Image.new("RGB", FRAME, "white")
    picture.paste(code.resize((side, side), Image.NEAREST), ((FRAME[0] - side) // 2, (FRAME[1] - side) // 2))
    y, cb, cr = picture.convert("YCbCr").split()
    half = (FRAME[0] // 2, FRAME[1] // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path


def checked_in_ticket(server, booking) -> dict:
    status = requests.get(f"{server.url}/api/appointments/{booking['token']}", timeout=10).json()
    assert status["state"] == "checked_in" and status["ticket_token"]
    return requests.get(f"{server.url}/api/tickets/{status['ticket_token']}", timeout=10).json()


def test_check_in_by_typing_the_code(server, page):
    booking = book_now(server)
    page.goto(f"{server.url}/checkin")
    expect(page.locator("#checkin-keypad")).to_be_visible()
    wrong = booking["code"][:7] + str((int(booking["code"][7]) + 1) % 10)
    for digit in wrong:
        page.click(f"[data-key='{digit}']")
    page.click("#checkin-confirm")
    expect(page.locator("#checkin-note")).to_contain_text("Mã hẹn không đúng")
    page.click("[data-key='Xoá']")
    for digit in booking["code"]:
        page.click(f"[data-key='{digit}']")
    expect(page.locator("#checkin-code")).to_have_text(booking_codes.shown(booking["code"]))
    page.click("#checkin-confirm")
    expect(page.locator("#result-label")).to_be_visible()  # the answer came: the booking is checked in
    ticket = checked_in_ticket(server, booking)
    expect(page.locator("#result-label")).to_have_text(ticket["label"])
    expect(page.locator("#result-message")).to_contain_text("theo lịch hẹn")
    assert ticket["channel"] == "appointment"


def camera_page(browser, server, video):
    """A chromium of its own (the session's playwright) whose camera films `video`; closed by the caller."""
    camera = browser.browser_type.launch(executable_path=chromium_path(), args=[
        "--disable-gpu", "--no-first-run", "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={os.fspath(video)}"])
    context = camera.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920})
    context.grant_permissions(["camera"], origin=server.url)
    return camera, context.new_page()


def test_check_in_by_showing_the_qr_code_to_the_camera(server, browser, tmp_path):
    booking = book_now(server, phone="0912000222")
    camera, page = camera_page(browser, server, qr_video(tmp_path / "qr.y4m", booking["manage_url"]))
    try:
        page.goto(f"{server.url}/checkin")
        expect(page.locator("#checkin-scan-status")).to_have_text("Camera đang quét mã QR…")
        expect(page.locator("#result-label")).to_be_visible(timeout=20000)
        ticket = checked_in_ticket(server, booking)
        expect(page.locator("#result-label")).to_have_text(ticket["label"])
    finally:
        camera.close()


def test_kiosk_check_in_by_typing_the_code(server, page):
    booking = book_now(server, phone="0912000333")
    page.goto(f"{server.url}/kiosk?kiosk=K1&print=0")
    page.click("#open-checkin")
    expect(page.locator("body")).to_have_attribute("data-screen", "checkin")
    for digit in booking["code"]:
        page.click(f"#checkin [data-key='{digit}']")
    page.click("#checkin-confirm")
    expect(page.locator("body")).to_have_attribute("data-screen", "result")  # the answer came
    ticket = checked_in_ticket(server, booking)
    expect(page.locator("#result-label")).to_have_text(ticket["label"])
    expect(page.locator("#result-note")).to_contain_text("theo lịch hẹn")
    unknown = next(c for c in (booking_codes.new_code() for _ in range(50)) if c != booking["code"])
    page.goto(f"{server.url}/kiosk?kiosk=K1&print=0")
    page.click("#open-checkin")
    for digit in unknown:
        page.click(f"#checkin [data-key='{digit}']")
    page.click("#checkin-confirm")
    expect(page.locator("#checkin-note")).to_have_text("Không tìm thấy lịch hẹn có mã này.")


def test_kiosk_check_in_by_qr_through_its_camera(server, browser, tmp_path):
    booking = book_now(server, phone="0912000444")
    camera, page = camera_page(browser, server, qr_video(tmp_path / "qr.y4m", booking["manage_url"]))
    try:
        page.goto(f"{server.url}/kiosk?kiosk=K1&print=0")
        page.click("#open-checkin")
        expect(page.locator("#result-label")).to_be_visible(timeout=20000)
        ticket = checked_in_ticket(server, booking)
        expect(page.locator("#result-label")).to_have_text(ticket["label"])
        assert ticket["channel"] == "appointment"
        # Back at the start the camera is off again.
        page.click("#home")
        expect(page.locator("body")).to_have_attribute("data-screen", "home")
        assert page.eval_on_selector("#checkin-video", "video => video.srcObject === null")
    finally:
        camera.close()
