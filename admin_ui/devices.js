// Admin › Thiết bị (/admin/devices): confirm the code a new screen shows, name it, bind tablets and counter
// displays to their counter; revoke a device, which cuts it off at once. Admin accounts only.
"use strict";

const REFRESH_MS = 3000;  // new pairing requests appear without a reload
const $ = (id) => document.getElementById(id);
let refreshTimer = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text; // device names are never HTML
  return node;
}

const time = (epoch) => new Date(epoch * 1000).toLocaleString("vi-VN", { hour12: false });

/** JSON from the API; a refusal throws with the server's Vietnamese message and HTTP status. */
async function request(method, url, body) {
  const response = await fetch(url, {
    method, cache: "no-store", credentials: "same-origin", headers: HangDoiHttp.headers(Boolean(body)),
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((data && data.message) || "Không thực hiện được, vui lòng thử lại.");
    error.status = response.status;
    throw error;
  }
  return data;
}

function view(name) {
  document.body.dataset.view = name;
  $("loading").hidden = name !== "loading";
  $("signin").hidden = name !== "signin";
  $("board").hidden = name !== "board";
  $("user-box").hidden = name !== "board";
}

function showSignIn(message) {
  clearInterval(refreshTimer);
  view("signin");
  $("signin-error").textContent = message || "";
  $("signin-error").hidden = !message;
  $("password").value = "";
  $("username").focus();
}

function say(message, isError) {
  const node = $("approve-message");
  node.textContent = message;
  node.classList.toggle("error", Boolean(isError));
  node.hidden = !message;
}

// ----- drawing ------------------------------------------------------------------------------------

function drawPending(pending) {
  const body = $("pending");
  body.textContent = "";
  for (const item of pending) {
    const row = el("tr");
    row.dataset.code = item.code;
    const use = el("button", "btn", "Chọn");
    use.type = "button";
    use.addEventListener("click", () => { $("code").value = item.code; $("device-name").focus(); });
    const reject = el("button", "btn", "Từ chối");
    reject.type = "button";
    reject.addEventListener("click", () => act("POST", "/api/admin/devices/reject", { code: item.code },
      `Đã từ chối mã ${item.code}.`));
    const actions = el("td");
    actions.append(use, " ", reject);
    row.append(el("td", "code", item.code), el("td", null, item.kind_name), el("td", null, item.counter ?? "—"),
      el("td", null, time(item.expires_at)), actions);
    body.append(row);
  }
  $("pending-empty").hidden = pending.length > 0;
  $("pending-table").hidden = pending.length === 0;
}

function drawDevices(devices) {
  const body = $("devices");
  body.textContent = "";
  for (const device of devices) {
    const row = el("tr", device.revoked_at ? "revoked" : "");
    row.dataset.device = device.id;
    const status = device.revoked_at ? `Đã thu hồi ${time(device.revoked_at)} (${device.revoked_by})` : "Hoạt động";
    const actions = el("td");
    if (!device.revoked_at) {
      const revoke = el("button", "btn revoke", "Thu hồi");
      revoke.type = "button";
      revoke.addEventListener("click", () => {
        if (!window.confirm(`Thu hồi thiết bị “${device.name}”? Thiết bị sẽ bị ngắt kết nối ngay.`)) return;
        act("POST", `/api/admin/devices/${device.id}/revoke`, null, `Đã thu hồi ${device.name}.`);
      });
      actions.append(revoke);
    }
    row.append(el("td", "name", device.name), el("td", null, device.kind_name), el("td", null, device.counter ?? "—"),
      el("td", null, `${time(device.paired_at)} – ${device.paired_by}`),
      el("td", "connections", device.revoked_at ? "—" : device.connections ? "Đang kết nối" : "Không kết nối"),
      el("td", "status", status), actions);
    body.append(row);
  }
  $("devices-empty").hidden = devices.length > 0;
  $("devices-table").hidden = devices.length === 0;
}

async function refresh() {
  try {
    const listing = await request("GET", "/api/admin/devices");
    drawPending(listing.pending);
    drawDevices(listing.devices);
  } catch (err) {
    if (err.status === 401 || err.status === 403) showSignIn(err.message);
  }
}

async function act(method, url, body, done) {
  try {
    await request(method, url, body);
    say(done, false);
  } catch (err) {
    say(err.message, true);
  }
  refresh();
}

async function approve(event) {
  event.preventDefault();
  const code = $("code").value.replace(/\D/g, "");
  if (code.length !== 6) {
    say("Mã ghép nối gồm 6 chữ số, xem trên màn hình thiết bị.", true);
    return;
  }
  const body = { code };
  if ($("device-name").value.trim()) body.name = $("device-name").value.trim();
  if ($("device-counter").value) body.counter = Number($("device-counter").value);
  $("approve").disabled = true;
  try {
    const device = await request("POST", "/api/admin/devices/approve", body);
    say(`Đã ghép nối “${device.name}”. Thiết bị sẽ tự hoạt động trong vài giây.`, false);
    $("code").value = $("device-name").value = "";
  } catch (err) {
    say(err.message, true);
  } finally {
    $("approve").disabled = false;
  }
  refresh();
}

// ----- session ------------------------------------------------------------------------------------

function startBoard(officer) {
  $("user-name").textContent = officer.name;
  view("board");
  refresh();
  clearInterval(refreshTimer);
  refreshTimer = setInterval(refresh, REFRESH_MS);
}

async function signIn(event) {
  event.preventDefault();
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) return showSignIn("Vui lòng nhập tên đăng nhập và mật khẩu.");
  $("signin-submit").disabled = true;
  try {
    const session = await request("POST", "/api/session", { username, password });
    if (session.officer.role !== "admin") {
      await request("DELETE", "/api/session");
      showSignIn("Chỉ quản trị viên được quản lý thiết bị.");
      return;
    }
    startBoard(session.officer);
  } catch (err) {
    showSignIn(err.message);
    $("username").value = username;
  } finally {
    $("signin-submit").disabled = false;
  }
}

async function start() {
  $("signin-form").addEventListener("submit", signIn);
  $("approve-form").addEventListener("submit", approve);
  $("sign-out").addEventListener("click", async () => {
    await request("DELETE", "/api/session").catch(() => null);
    showSignIn("");
  });
  try {
    const center = await request("GET", "/api/center");
    $("center-name").textContent = center.name;
    const counters = await request("GET", "/api/queue");
    for (const counter of counters.counters) {
      const option = el("option", null, `Quầy ${String(counter.number).padStart(2, "0")}`);
      option.value = counter.number;
      $("device-counter").append(option);
    }
    const session = await request("GET", "/api/session");
    if (session.officer && session.officer.role === "admin") return startBoard(session.officer);
    showSignIn(session.officer ? "Tài khoản đang đăng nhập không phải quản trị viên." : "");
  } catch (err) {
    showSignIn(err.message);
  }
}

start();
