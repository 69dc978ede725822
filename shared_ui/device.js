// Pairing of an unattended screen (kiosk, lobby display, counter display, tablet). A screen without a valid token
// shows a six-digit code; an admin confirms it on /admin/devices; the screen collects its token and starts.
// Once started, a paired screen asks every few seconds whether its token still holds, so a revoked device leaves
// its screen within REVOKED_WITHIN_MS whether or not it has a socket (the kiosk has none) and whatever it is
// showing; it then says "Thiết bị đã bị thu hồi" above a new pairing code.
//   import { whenPaired, forget } from "/ui/shared/device.js";
//   whenPaired({kind: "tablet", counter: 5}).then(start);
//   forget() when the server says the token is no longer valid (revoked).
import { $, el } from "/ui/shared/dom.js";
import { DEVICE_TOKEN_KEY, answer, deviceToken } from "/ui/shared/http.js";

const POLL_MS = 2000;
const RETRY_MS = 3000;
// A revoked screen is gone within 5 s (issue 14, docs/OPERATIONS.md): one look every 2.5 s, plus the answer's time.
const REVOKED_WITHIN_MS = 5000;
const WATCH_MS = REVOKED_WITHIN_MS / 2;
// Across the reload forget() makes: the pairing notice then says why the screen is back on it.
const REVOKED_KEY = "hangdoi.device.revoked";
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
    box.append(el("h1", "pairing-title", wasRevoked() ? "Thiết bị đã bị thu hồi" : "Thiết bị chưa được ghép nối"),
      el("p", "pairing-kind", (KIND_NAMES[kind] || kind) + (counter ? ` – quầy số ${counter}` : "")),
      el("p", "pairing-reason", wasRevoked()
        ? "Quản trị viên đã thu hồi quyền dùng thiết bị này. Muốn dùng lại, thiết bị cần được ghép nối lại." : ""),
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
    if (!me.body.required) return;
    if (me.body.device && me.body.device.kind === kind) return watch(kind);
    store(null);
    await pair(kind, counter);
    return watch(kind);
  }
}

/** Look every WATCH_MS whether this screen's token still holds; go back to pairing as soon as it does not. A server
 *  out of reach is no answer (a tablet keeps collecting ratings offline). */
function watch(kind) {
  const look = async () => {
    try {
      const me = await ask("GET", "/api/devices/me");
      if (me.ok && me.body.required && !(me.body.device && me.body.device.kind === kind)) {
        return forget(Boolean(me.body.revoked));
      }
    } catch (err) { /* out of reach: look again */ }
    setTimeout(look, WATCH_MS);
  };
  setTimeout(look, WATCH_MS);
}

function wasRevoked() {
  try {
    return sessionStorage.getItem(REVOKED_KEY) === "1";
  } catch (err) {
    return false;
  }
}

function rememberRevoked(revoked) {
  try {
    if (revoked) sessionStorage.setItem(REVOKED_KEY, "1");
    else sessionStorage.removeItem(REVOKED_KEY);
  } catch (err) { /* storage disabled: the notice says only "chưa được ghép nối" */ }
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
        rememberRevoked(false);
        notice.close();
        return;
      }
      if (state !== "pending") break;   // rejected, expired or forgotten: ask for a new code
    }
  }
}

/** The token stopped working (revoked): forget it and start again from the pairing notice, which says so. */
export function forget(revoked = true) {
  rememberRevoked(revoked);
  store(null);
  window.location.reload();
}
