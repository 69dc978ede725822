// Every screen's API calls: the session's CSRF token (double submit, from the readable cookie the server sets),
// on a paired device its device token (kept in this browser's storage by device.js), and Vietnamese messages.
// A refusal keeps the server's shape {error, message}: a screen shows `message` as it is.
//   import { json, answer, loadCenter } from "/ui/shared/http.js";
//   const session = await json("GET", "/api/session");          // throws on a refusal
//   const { ok, body } = await answer("POST", "/api/tickets", {…}); // a refusal is a value
import { setTimeZone } from "/ui/shared/format.js";

export const DEVICE_TOKEN_KEY = "hangdoi.device.token";
const OFFLINE = "Không kết nối được máy chủ. Vui lòng thử lại.";

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

/** This device's pairing token, "" when it has none. */
export function deviceToken() {
  try {
    return localStorage.getItem(DEVICE_TOKEN_KEY) || "";
  } catch (err) {
    return ""; // storage disabled: the device is simply unpaired
  }
}

/** Headers for a request; `withJson` when it sends a JSON body. */
export function headers(withJson) {
  const result = {};
  if (withJson) result["Content-Type"] = "application/json";
  const csrf = cookie("hangdoi_csrf");
  if (csrf) result["X-CSRF-Token"] = csrf;
  const device = deviceToken();
  if (device) result["X-Device-Token"] = device;
  return result;
}

/**
 * The server's answer as {ok, status, body}: body is its JSON ({error, message} on a refusal), null when it sent
 * none. Throws, with a Vietnamese message and `offline` set, only when no answer came: the server is out of reach
 * or did not answer within `timeout` ms; with `needBody` also when the answer is not our JSON (a proxy's error
 * page). `headers` adds to the usual ones.
 */
export async function answer(method, url, body, { timeout = 0, headers: extra = {}, needBody = false } = {}) {
  const controller = new AbortController();
  const timer = timeout ? setTimeout(() => controller.abort(), timeout) : null;
  try {
    const response = await fetch(url, {
      method, cache: "no-store", credentials: "same-origin", signal: controller.signal,
      headers: { ...headers(body !== undefined), ...extra },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => null);
    if (data === null && needBody) throw new Error("not our server");
    return { ok: response.ok, status: response.status, body: data };
  } catch (err) {
    throw Object.assign(new Error(OFFLINE), { offline: true });
  } finally {
    clearTimeout(timer);
  }
}

/** JSON from the API; a refusal throws an Error carrying the server's Vietnamese `message`, its `status` and its
 *  whole answer as `body`. `extra` headers are added to the usual ones. */
export async function json(method, url, body, extra) {
  const reply = await answer(method, url, body, { headers: extra });
  if (!reply.ok) {
    const error = new Error((reply.body && reply.body.message) || `Máy chủ trả lời lỗi ${reply.status}.`);
    error.status = reply.status;
    error.body = reply.body || {};
    throw error;
  }
  return reply.body;
}

/** GET /api/center; from then on the page writes times in the center's zone. With `retryMs`, asks again until
 *  the server answers (a screen switched on before the server has started). */
export async function loadCenter(retryMs = 0) {
  for (;;) {
    try {
      const center = await json("GET", "/api/center");
      setTimeZone(center.timezone);
      return center;
    } catch (err) {
      if (!retryMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}

/** For screens that read the center again at every snapshot: a function that loads it (retrying every
 *  `retryMs`) and hands it to `onCenter`; a call while a load is on its way adds nothing. */
export function centerLoader(onCenter, retryMs) {
  let loading = false;
  return () => {
    if (loading) return;
    loading = true;
    loadCenter(retryMs).then((center) => {
      loading = false;
      onCenter(center);
    });
  };
}
