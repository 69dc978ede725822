// The citizen's phone page, opened from the QR code on the ticket: /t/<token>.
// Live through Socket.IO (the server pushes an event, the page asks for its ticket again), with a slow HTTP poll
// as a safety net for phones whose connection drops silently.
"use strict";

const POLL_SECONDS = 30;
const DEBOUNCE_MS = 300; // a burst of events (a counter calling several numbers) becomes one refresh
const ACK_TIMEOUT_MS = 10000;

const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const $ = (id) => document.getElementById(id);
const pad2 = (n) => String(n).padStart(2, "0");

let socket = null;
let debounce = null;
let pollTimer = null;
let lastAlert = null; // "called:<count>" already signalled by vibration
let started = 0; // requests started, and the newest one whose answer was shown: an older answer never wins
let shown = 0;
let gone = false; // unknown token: stop asking

// ----- rendering ---------------------------------------------------------------------------------------

function setText(id, text) {
  $(id).textContent = text || ""; // textContent only: names come from the center's config
}

/** The estimated wait as the printed ticket words it (server/core/vietnamese.py wait_phrase). */
function waitPhrase(minutes, ahead) {
  if (minutes === null || minutes === undefined) return "";
  if (ahead === 0 || minutes <= 1) return "Sắp đến lượt";
  return `khoảng ${minutes} phút`;
}

/** What a finished or non-waiting ticket says, by state. */
function otherStatus(t) {
  const counter = t.counter_number ? pad2(t.counter_number) : "";
  switch (t.state) {
    case "serving":
      return ["Đang được phục vụ", `Ông/Bà đang được phục vụ tại quầy ${counter}.`];
    case "parked":
      return ["Hồ sơ đang tạm gác",
        `Mời Ông/Bà bổ sung giấy tờ theo hướng dẫn, sau đó quay lại quầy ${counter} để tiếp tục.`];
    case "done":
      return ["Đã hoàn thành", "Trân trọng cảm ơn Ông/Bà đã sử dụng dịch vụ của Trung tâm."];
    case "no_show":
      return ["Vắng mặt khi được gọi",
        "Số này đã được gọi nhưng Ông/Bà không có mặt. Mời Ông/Bà liên hệ cán bộ hướng dẫn hoặc lấy số mới."];
    case "cancelled":
      return ["Đã hủy số", "Ông/Bà đã hủy số này. Nếu vẫn cần giải quyết, mời Ông/Bà lấy số mới tại máy lấy số."];
    case "transferred":
      return ["Đã chuyển", "Số của Ông/Bà đã được chuyển sang lĩnh vực khác."];
    case "expired":
      return ["Số đã hết hiệu lực",
        "Số này được cấp trong một ngày trước và không còn được gọi. Nếu vẫn cần giải quyết, mời Ông/Bà lấy số mới tại máy lấy số."];
    default:
      return [t.state_name || "", ""];
  }
}

function render(t) {
  document.body.dataset.state = t.state;
  $("loading").hidden = true;
  $("ticket").hidden = false;
  setText("label", t.label);
  setText("service", `Lĩnh vực: ${t.service_name}`);
  setText("department", t.department_name);
  setText("priority", t.priority_name ? `Ưu tiên: ${t.priority_name}` : "");
  $("priority").hidden = !t.priority_name;

  // After a transfer the server already answers with the new ticket, in its new service.
  const moved = t.transferred && t.state === "waiting";
  setText("transferred", moved ? `Đã chuyển sang lĩnh vực ${t.service_name}` : "");
  $("transferred").hidden = !moved;

  const waiting = t.state === "waiting";
  const called = t.state === "called";
  $("st-waiting").hidden = !waiting;
  $("st-called").hidden = !called;
  $("st-other").hidden = waiting || called;
  $("cancel").hidden = !waiting;
  if (!waiting) closeConfirm();

  if (waiting) {
    setText("ahead", String(t.ahead ?? 0));
    const wait = waitPhrase(t.estimated_wait_minutes, t.ahead);
    setText("wait", wait);
    $("wait-caption").hidden = !wait || wait === "Sắp đến lượt";
    setText("counters", t.counters.length ? `Quầy phục vụ: ${t.counters.map(pad2).join(", ")}` : "");
    document.title = `${t.label} – còn ${t.ahead ?? 0} người trước`;
  } else if (called) {
    setText("called-text", `MỜI ÔNG/BÀ ĐẾN QUẦY ${pad2(t.counter_number)}`);
    setText("called-count", t.call_count > 1 ? `Đã gọi ${t.call_count} lần` : "");
    document.title = `MỜI ĐẾN QUẦY ${pad2(t.counter_number)} – ${t.label}`;
  } else {
    const [title, text] = otherStatus(t);
    setText("other-title", title);
    setText("other-text", text);
    document.title = `${t.label} – ${title}`;
  }

  renderRating(t);

  // Buzz once per call (and again on each recall), never for a state already signalled.
  const alert = called ? `called:${t.call_count}` : null;
  if (alert && alert !== lastAlert && typeof navigator.vibrate === "function") {
    navigator.vibrate([400, 200, 400, 200, 400]);
  }
  lastAlert = alert;

  // Việt Nam time (UTC+7, no daylight saving), like the printed ticket.
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  setText("updated", `Cập nhật lúc ${pad2(now.getUTCHours())}:${pad2(now.getUTCMinutes())}:${pad2(now.getUTCSeconds())}`);
}

function notFound() {
  gone = true;
  document.body.dataset.state = "not_found";
  $("loading").hidden = true;
  $("ticket").hidden = true;
  $("offline").hidden = true;
  $("not-found").hidden = false;
  document.title = "Không tìm thấy phiếu";
  clearInterval(pollTimer);
  if (socket) socket.disconnect();
}

/** Show an answer unless a newer request's answer is already on screen. */
function apply(seq, ticket) {
  if (gone || seq < shown) return;
  shown = seq;
  render(ticket);
}

// ----- fetching ----------------------------------------------------------------------------------------

async function poll() {
  if (gone) return;
  const seq = ++started;
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(token)}`, { cache: "no-store" });
    const body = await response.json().catch(() => null);
    if (response.ok && body) {
      if (body.print && body.print.center_name) setText("center-name", body.print.center_name);
      apply(seq, body);
    } else if (body && body.error === "unknown_ticket") {
      notFound();
    }
  } catch (err) {
    // Offline: the socket's reconnection and the next poll will catch up.
  }
}

/** Join the ticket's rooms and get its state; called on every (re)connection and after every event. */
function follow() {
  if (gone || !socket || !socket.connected) return;
  const seq = ++started;
  socket.timeout(ACK_TIMEOUT_MS).emit("follow_ticket", { token }, (err, answer) => {
    if (err || !answer) return; // no answer in time: the poll is the fallback
    if (answer.ok) apply(seq, answer.ticket);
    else if (answer.error === "unknown_ticket") notFound();
  });
}

function scheduleFollow() {
  clearTimeout(debounce);
  debounce = setTimeout(follow, DEBOUNCE_MS);
}

function connect() {
  if (typeof io !== "function") return; // the socket library did not load: polling alone still works
  socket = io({ reconnection: true });
  const connected = (yes) => {
    document.body.dataset.connected = yes ? "1" : "0"; // also tells tests the page is live
    $("offline").hidden = yes || gone;
  };
  socket.on("connect", () => {
    connected(true);
    follow();
  });
  socket.on("disconnect", () => connected(false));
  socket.on("connect_error", () => connected(false));
  socket.on("ticket_event", scheduleFollow);
  socket.on("service_event", scheduleFollow);
}

// ----- cancelling ----------------------------------------------------------------------------------------

function openConfirm() {
  setText("confirm-title", `Ông/Bà muốn hủy số ${$("label").textContent}?`);
  $("confirm-error").hidden = true;
  $("confirm-yes").disabled = false;
  $("confirm").hidden = false;
  $("confirm-no").focus();
}

function closeConfirm() {
  $("confirm").hidden = true;
}

async function cancelTicket() {
  $("confirm-yes").disabled = true;
  let message = "Không gửi được yêu cầu. Ông/Bà vui lòng kiểm tra kết nối mạng và thử lại.";
  try {
    const seq = ++started;
    const response = await fetch(`/api/tickets/${encodeURIComponent(token)}/cancel`, { method: "POST" });
    const body = await response.json().catch(() => null);
    if (response.ok && body) {
      closeConfirm();
      apply(seq, body);
      return;
    }
    if (body && body.message) message = body.message;
  } catch (err) {
    // the message above
  }
  setText("confirm-error", message);
  $("confirm-error").hidden = false;
  $("confirm-yes").disabled = false;
  poll(); // the ticket may have been called meanwhile
}

// ----- rating by phone ------------------------------------------------------------------------------------
// Offered once the ticket is finished, when the counter's tablet got no rating, until the end of that day.

let scale = null; // {levels, reasons, dissatisfied, reason_required} from /api/center
let chosenLevel = null;

async function loadScale() {
  try {
    const response = await fetch("/api/center", { cache: "no-store" });
    if (response.ok) scale = (await response.json()).rating;
  } catch (err) {
    // try again at the next render
  }
}

// The levels the center counts as "Không hài lòng" (its [rating.official] mapping decides, not the wording).
const dissatisfied = (level) => scale.dissatisfied.includes(level);

function renderRating(t) {
  $("rated").hidden = !t.rating;
  if (t.rating) setText("rated", `Ông/Bà đã đánh giá: ${t.rating.level_name}. Trân trọng cảm ơn Ông/Bà!`);
  const open = Boolean(t.can_rate);
  if (open && !scale) {
    loadScale().then(() => { if (scale) renderRating(t); });
    return;
  }
  if (open && !$("rate-levels").childElementCount) {
    scale.levels.forEach((name, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `btn rate-level rate-level-${dissatisfied(i + 1) ? "bad" : i === 0 ? "best" : "good"}`;
      button.textContent = name;
      button.addEventListener("click", () => chooseLevel(i + 1));
      $("rate-levels").append(button);
    });
    scale.reasons.forEach((reason) => {
      const label = document.createElement("label");
      label.className = "rate-reason";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = reason;
      label.append(box, document.createTextNode(` ${reason}`));
      $("rate-reasons").append(label);
    });
  }
  $("rate").hidden = !open;
}

function chooseLevel(level) {
  chosenLevel = level;
  if (dissatisfied(level)) {
    $("rate-reasons-box").hidden = false; // reasons and a comment first, then "Gửi đánh giá"
    return;
  }
  sendRating(level, [], null);
}

async function sendRating(level, reasons, comment) {
  $("rate-error").hidden = true;
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(token)}/rating`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ level, reasons, comment }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      setText("rate-error", (body && body.message) || "Không gửi được đánh giá, vui lòng thử lại.");
      $("rate-error").hidden = false;
    }
  } catch (err) {
    setText("rate-error", "Không gửi được đánh giá. Ông/Bà vui lòng kiểm tra kết nối mạng và thử lại.");
    $("rate-error").hidden = false;
  }
  poll(); // shows the thank-you, or the rating a tablet gave meanwhile
}

$("rate-send").addEventListener("click", () => {
  const reasons = Array.from($("rate-reasons").querySelectorAll("input:checked"), (box) => box.value);
  if (scale.reason_required && !reasons.length) { // the center asks for a reason: say so before sending
    setText("rate-error", "Ông/Bà vui lòng chọn ít nhất một lý do chưa hài lòng.");
    $("rate-error").hidden = false;
    return;
  }
  sendRating(chosenLevel, reasons, $("rate-comment").value.trim() || null);
});

// ----- start ---------------------------------------------------------------------------------------------

$("cancel").addEventListener("click", openConfirm);
$("confirm-no").addEventListener("click", closeConfirm);
$("confirm-yes").addEventListener("click", cancelTicket);
// Phones freeze background tabs: catch up as soon as the page is looked at again.
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") poll(); });

poll();
connect();
pollTimer = setInterval(poll, POLL_SECONDS * 1000);
