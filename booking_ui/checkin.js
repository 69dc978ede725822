// Check-in at the kiosk (xác nhận có mặt): the booking code typed on an on-screen keypad, or the booking's QR code
// held to the kiosk's camera (decoded in the browser by jsQR, /vendor/jsQR.js loaded as a classic script), posted
// to POST /api/checkin → a ticket of the same queue. The kiosk embeds it (kiosk_ui/kiosk.js); /checkin shows it
// alone for a dedicated check-in screen.
//   import { mountCheckIn } from "/ui/booking/checkin.js";
//   const checkIn = mountCheckIn($("checkin"), { device: "K1", onTicket: (answer) => … });
//   checkIn.start();   // camera on, keypad cleared        checkIn.stop();   // camera off (leaving the screen)
import { button, el } from "/ui/shared/dom.js";
import { answer, json } from "/ui/shared/http.js";

const CODE_DIGITS = 8;
const SCAN_EVERY_MS = 200;
const SCAN_WIDTH = 640; // frames are scaled down to this before decoding: enough for a QR held to the camera
const SAME_CODE_PAUSE_MS = 5000; // a refused QR still in front of the camera is not sent again at once
const TIMEOUT_MS = 10000;

/** What a QR code or a typed text means: {token} for a booking page's address (/hen/<token>), {code} for eight
 *  digits, else null. */
export function readBooking(text) {
  const value = String(text || "").trim();
  const page = value.match(/\/hen\/([A-Za-z0-9_-]{8,64})\/?$/);
  if (page) return { token: page[1] };
  const digits = value.replace(/[\s.-]/g, "");
  return /^\d{8}$/.test(digits) ? { code: digits } : null;
}

/** "1234 5678" as the code is printed, from what has been typed so far. */
function grouped(digits) {
  return digits.length > 4 ? `${digits.slice(0, 4)} ${digits.slice(4)}` : digits;
}

/**
 * Build the check-in panel inside `container`. `onTicket(answer)` receives the server's answer ({ticket, booking,
 * timing, message}); refusals are shown in the panel. `device` names the kiosk (when it is not paired).
 */
export function mountCheckIn(container, { onTicket, device = null } = {}) {
  let digits = "";
  let busy = false;
  let stream = null;
  let timer = null;
  let last = { text: "", at: 0 };
  let sessionReady = null;

  const display = el("output", { class: "checkin-code", id: "checkin-code", "aria-live": "polite" });
  const note = el("p", { class: "checkin-note", id: "checkin-note", role: "alert" });
  const video = el("video", { class: "checkin-video", id: "checkin-video", muted: "", playsinline: "" });
  const scanStatus = el("p", { class: "checkin-scan-status", id: "checkin-scan-status" });
  const canvas = el("canvas");
  const confirm = button("Xác nhận", "btn btn-primary checkin-confirm", () => send({ code: digits }, digits));
  confirm.id = "checkin-confirm";

  const keys = el("div", { class: "checkin-keypad", id: "checkin-keypad" });
  for (const key of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Xoá", "0", "⌫"]) {
    const node = button(key, "checkin-key", () => press(key));
    node.dataset.key = key;
    keys.append(node);
  }
  container.replaceChildren(
    el("div", "checkin-typed", null),
    el("div", "checkin-scan", null),
  );
  container.firstChild.append(el("p", "checkin-caption", "Nhập mã hẹn (8 chữ số)"), display, keys, confirm);
  container.lastChild.append(el("p", "checkin-caption", "Hoặc đưa mã QR của lịch hẹn vào trước camera"), video,
    scanStatus);
  container.append(note);

  function show() {
    display.textContent = grouped(digits) || "—";
    confirm.disabled = busy || digits.length !== CODE_DIGITS;
  }

  function tell(text, kind = "error") {
    note.textContent = text || "";
    note.dataset.kind = kind;
  }

  function press(key) {
    if (busy) return;
    if (key === "Xoá") digits = "";
    else if (key === "⌫") digits = digits.slice(0, -1);
    else if (digits.length < CODE_DIGITS) digits += key;
    tell("");
    show();
  }

  async function send(booking, shown) {
    if (busy || !booking) return;
    busy = true;
    show();
    tell("Đang xác nhận…", "info");
    try {
      sessionReady = sessionReady || json("GET", "/api/session"); // the CSRF cookie the POST repeats
      await sessionReady;
      const reply = await answer("POST", "/api/checkin", { ...booking, ...(device ? { device } : {}) },
        { timeout: TIMEOUT_MS, needBody: true });
      if (reply.ok) {
        digits = "";
        tell("");
        onTicket(reply.body);
      } else {
        tell(reply.body.message || `Không xác nhận được mã ${shown}.`);
      }
    } catch (err) {
      sessionReady = null;
      tell(err.message);
    } finally {
      busy = false;
      show();
    }
  }

  function scan() {
    if (!stream || busy || video.readyState < 2 || !window.jsQR) return;
    const scale = Math.min(1, SCAN_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "attemptBoth" });
    if (!found || !found.data) return;
    const now = Date.now();
    if (found.data === last.text && now - last.at < SAME_CODE_PAUSE_MS) return;
    last = { text: found.data, at: now };
    const booking = readBooking(found.data);
    if (!booking) {
      tell("Mã QR này không phải mã của lịch hẹn. Ông/Bà vui lòng dùng mã QR trên trang lịch hẹn.");
      return;
    }
    send(booking, "QR");
  }

  async function start() {
    digits = "";
    last = { text: "", at: 0 };
    tell("");
    show();
    if (stream || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      if (!stream) scanStatus.textContent = "Máy này không có camera: mời Ông/Bà nhập mã hẹn.";
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
      video.srcObject = stream;
      await video.play();
      scanStatus.textContent = "Camera đang quét mã QR…";
      timer = setInterval(scan, SCAN_EVERY_MS);
    } catch (err) {
      stream = null;
      scanStatus.textContent = "Không mở được camera: mời Ông/Bà nhập mã hẹn.";
    }
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.srcObject = null;
  }

  show();
  return { start, stop };
}
