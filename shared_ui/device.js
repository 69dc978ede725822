// Pairing of an unattended screen (kiosk, lobby display, counter display, tablet). A screen without a valid token
// shows a six-digit code; an admin confirms it on /admin/devices; the screen collects its token and starts.
//   import { whenPaired, forget } from "/ui/shared/device.js";
//   whenPaired({kind: "tablet", counter: 5}).then(start);
//   forget() when the server says the token is no longer valid (revoked).
import { $, el } from "/ui/shared/dom.js";
import { DEVICE_TOKEN_KEY, answer, deviceToken } from "/ui/shared/http.js";

const POLL_MS = 2000;
const RETRY_MS = 3000;
const KIND_NAMES = { kiosk: "Máy lấy số", display: "Màn hình sảnh", counter_display: "Màn hình quầy",
  tablet: "Máy đánh giá tại quầy" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function store(token) {
  try {
    if (token) localStorage.setItem(DEVICE_TOKEN_KEY, token);
    else localStorage.removeItem(DEVICE_TOKEN_KEY);
  } catch (err) { /* storage disabled: the screen pairs again after each reload */ }
}

/** The server's JSON answer as {ok, status, body}; throws when there is none (out of reach, or not our server). */
const ask = (method, url, body) => answer(method, url, body, { needBody: true });

/** The full-screen pairing notice; returns a function that shows a new code. */
function overlay(kind, counter) {
  let box = $("pairing");
  if (!box) {
    box = el("div", "pairing");
    box.id = "pairing";
    box.setAttribute("role", "dialog");
    box.append(el("h1", "pairing-title", "Thiết bị chưa được ghép nối"),
      el("p", "pairing-kind", (KIND_NAMES[kind] || kind) + (counter ? ` – quầy số ${counter}` : "")),
      el("p", "pairing-label", "Mã ghép nối"), el("p", "pairing-code", "…"),
      el("p", "pairing-help", "Quản trị viên mở trang Quản trị › Thiết bị (/admin/devices) và nhập mã này " +
        "để xác nhận. Màn hình sẽ tự hoạt động ngay sau khi được xác nhận."),
      el("p", "pairing-status", ""));
    document.body.append(box);
  }
  box.hidden = false;
  return {
    code(code) { box.querySelector(".pairing-code").textContent = code.replace(/(\d{3})(\d{3})/, "$1 $2"); },
    status(text) { box.querySelector(".pairing-status").textContent = text; },
    close() { box.hidden = true; },
  };
}

/** Resolves once this browser holds a valid token for `kind` (at once when pairing is not required). */
export async function whenPaired(options) {
  const kind = options.kind;
  const counter = Number.isInteger(options.counter) ? options.counter : null;
  for (;;) {
    let me;
    try {
      me = await ask("GET", "/api/devices/me");
    } catch (err) {
      // The server is out of reach: a screen that was paired starts anyway and keeps trying (a tablet must
      // still collect ratings offline); one that never was waits here.
      if (deviceToken()) return;
      await sleep(RETRY_MS);
      continue;
    }
    if (!me.body.required || (me.body.device && me.body.device.kind === kind)) return;
    store(null);
    await pair(kind, counter);
    return;
  }
}

async function pair(kind, counter) {
  const notice = overlay(kind, counter);
  for (;;) {
    let request;
    try {
      const answer = await ask("POST", "/api/devices/pairing", { kind, counter });
      if (!answer.ok) {
        notice.status(answer.body.message || "Không xin được mã ghép nối.");
        await sleep(RETRY_MS * 3);
        continue;
      }
      request = answer.body;
    } catch (err) {
      notice.status("Mất kết nối tới máy chủ, đang thử lại…");
      await sleep(RETRY_MS);
      continue;
    }
    notice.code(request.code);
    notice.status("Đang chờ xác nhận…");
    for (;;) {
      await sleep(POLL_MS);
      let answer;
      try {
        answer = await ask("GET", `/api/devices/pairing/${encodeURIComponent(request.request)}`);
      } catch (err) {
        notice.status("Mất kết nối tới máy chủ, đang thử lại…");
        continue;
      }
      const state = answer.ok ? answer.body.state : "unknown";
      if (state === "approved" && answer.body.token) {
        store(answer.body.token);
        notice.close();
        return;
      }
      if (state !== "pending") break;   // rejected, expired or forgotten: ask for a new code
    }
  }
}

/** The token stopped working (revoked): forget it and start again from the pairing notice. */
export function forget() {
  store(null);
  window.location.reload();
}
