// Admin › Thiết bị (/admin/devices): confirm the code a new screen shows, name it, bind tablets and counter
// displays to their counter; revoke a device, which cuts it off at once. Admin accounts only.
import { $, button, el } from "/ui/shared/dom.js";
import { dateTime, pad2 } from "/ui/shared/format.js";
import { json as request, loadCenter } from "/ui/shared/http.js";
import { adminListing } from "/ui/shared/listing.js";
import { ADMIN_ROLES, startSignIn } from "/ui/shared/signin.js";

const REFRESH_MS = 3000;  // new pairing requests appear without a reload
let refreshTimer = null;

/** A moment of the server (epoch seconds) on the center's clock. */
const time = (epoch) => dateTime(epoch * 1000);

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
    const use = button("Chọn", "btn", () => { $("code").value = item.code; $("device-name").focus(); });
    const reject = button("Từ chối", "btn", () => act("POST", "/api/admin/devices/reject", { code: item.code },
      `Đã từ chối mã ${item.code}.`));
    const actions = el("td");
    actions.append(use, " ", reject);
    // The code grouped "123 456", as the device shows it.
    row.append(el("td", "code", item.code.replace(/(\d{3})(\d{3})/, "$1 $2")), el("td", null, item.kind_name),
      el("td", null, item.counter ?? "—"), el("td", null, time(item.expires_at)), actions);
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
      actions.append(button("Thu hồi", "btn revoke", () => {
        if (!window.confirm(`Thu hồi thiết bị “${device.name}”? Thiết bị sẽ bị ngắt kết nối ngay.`)) return;
        act("POST", `/api/admin/devices/${device.id}/revoke`, undefined, `Đã thu hồi ${device.name}.`);
      }));
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

const { refresh, act } = adminListing({
  url: "/api/admin/devices",
  draw(listing) {
    drawPending(listing.pending);
    drawDevices(listing.devices);
  },
  say,
  signIn: (message) => gate.showSignIn(message),
});

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

// ----- start --------------------------------------------------------------------------------------

const gate = startSignIn({
  roles: ADMIN_ROLES,
  title: "Đăng nhập quản trị",
  help: "Ghép nối, thu hồi máy lấy số, màn hình và máy đánh giá.",
  forbidden: "Chỉ quản trị viên được quản lý thiết bị.",
  onBoard() {
    refresh();
    clearInterval(refreshTimer);
    refreshTimer = setInterval(refresh, REFRESH_MS);
  },
  onLeave() { clearInterval(refreshTimer); },
});

async function start() {
  $("approve-form").addEventListener("submit", approve);
  try {
    const center = await loadCenter();
    $("center-name").textContent = center.name;
    const counters = await request("GET", "/api/queue");
    for (const counter of counters.counters) {
      $("device-counter").append(el("option", { value: counter.number }, `Quầy ${pad2(counter.number)}`));
    }
  } catch (err) {
    // The names are decoration; the counter list falls back to what the device asked for.
  }
}

start();
