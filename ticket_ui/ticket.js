// The citizen's phone page, opened from the QR code on the ticket: /t/<token>.
// Live through shared_ui/live.js followTicket (the server pushes an event, the page asks for its ticket again), with
// a slow HTTP poll as a safety net for phones whose connection drops silently.
import { accessToggle } from "/ui/shared/access.js";
import { $, button, el, setText } from "/ui/shared/dom.js";
import { counterList, pad2, time } from "/ui/shared/format.js";
import { answer, loadCenter } from "/ui/shared/http.js";
import { followTicket } from "/ui/shared/live.js";

const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");

let ticket = null;    // the follower: ticket.poll(), ticket.answered()
let lastAlert = null; // "called:<count>" already signalled by vibration

// ----- rendering ---------------------------------------------------------------------------------------

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
    setText("counters", t.counters.length ? `Quầy phục vụ: ${counterList(t.counters)}` : "");
    // A remote number is called once checked in at the kiosk: the note goes as soon as it is (ticket_checked_in).
    $("remote-note").hidden = t.remote_checked_in !== false;
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

  // The center's time, like the printed ticket, whatever zone the phone is in.
  setText("updated", `Cập nhật lúc ${time(Date.now(), true)}`);
}

function notFound() {
  document.body.dataset.state = "not_found";
  $("loading").hidden = true;
  $("ticket").hidden = true;
  $("offline").hidden = true;
  $("not-found").hidden = false;
  document.title = "Không tìm thấy phiếu";
}

function showTicket(t) {
  if (t.print && t.print.center_name) setText("center-name", t.print.center_name);
  render(t);
}

function showConnected(yes) {
  document.body.dataset.connected = yes ? "1" : "0"; // also tells tests the page is live
  $("offline").hidden = yes || ticket.gone();
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
    const show = ticket.answered();
    const { ok, body } = await answer("POST", `/api/tickets/${encodeURIComponent(token)}/cancel`);
    if (ok && body) {
      closeConfirm();
      show(body);
      return;
    }
    if (body && body.message) message = body.message;
  } catch (err) {
    // the message above
  }
  setText("confirm-error", message);
  $("confirm-error").hidden = false;
  $("confirm-yes").disabled = false;
  ticket.poll(); // the ticket may have been called meanwhile
}

// ----- rating by phone ------------------------------------------------------------------------------------
// Offered once the ticket is finished, when the counter's tablet got no rating, until the end of that day.

let scale = null; // {levels, reasons, dissatisfied, reason_required} from /api/center
let chosenLevel = null;

async function loadScale() {
  try {
    scale = (await loadCenter()).rating;
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
      const tone = dissatisfied(i + 1) ? "bad" : i === 0 ? "best" : "good";
      $("rate-levels").append(button(name, `btn rate-level rate-level-${tone}`, () => chooseLevel(i + 1)));
    });
    scale.reasons.forEach((reason) => {
      const label = el("label", "rate-reason");
      const box = el("input", { type: "checkbox", value: reason });
      label.append(box, ` ${reason}`);
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
    const { ok, body } = await answer("POST", `/api/tickets/${encodeURIComponent(token)}/rating`,
      { level, reasons, comment });
    if (!ok) {
      setText("rate-error", (body && body.message) || "Không gửi được đánh giá, vui lòng thử lại.");
      $("rate-error").hidden = false;
    }
  } catch (err) {
    setText("rate-error", "Không gửi được đánh giá. Ông/Bà vui lòng kiểm tra kết nối mạng và thử lại.");
    $("rate-error").hidden = false;
  }
  ticket.poll(); // shows the thank-you, or the rating a tablet gave meanwhile
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

$("access").append(accessToggle({ remember: true }));
$("cancel").addEventListener("click", openConfirm);
$("confirm-no").addEventListener("click", closeConfirm);
$("confirm-yes").addEventListener("click", cancelTicket);
loadScale(); // the center's time zone for "Cập nhật lúc", and its rating scale for later
ticket = followTicket(token, { onTicket: showTicket, onUnknown: notFound, onStatus: showConnected });
