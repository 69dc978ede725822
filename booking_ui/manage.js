// A booking's own page (/hen/<token>, what its QR code holds): the code and QR to check in at the kiosk, the
// booking's state, and for one not used yet: move it to another slot, or cancel it. A remote number links to its
// ticket's phone page (place in the queue, estimated wait).
import { $, setText, showMessage } from "/ui/shared/dom.js";
import { answer, json } from "/ui/shared/http.js";
import { dayName, fillDays, showSlots } from "/ui/booking/slots.js";

const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
let chosenSlot = null;

function render(booking) {
  $("loading").hidden = true;
  $("card").hidden = false;
  const remote = booking.kind === "remote";
  setText("title", remote ? "Số lấy từ xa của Ông/Bà" : "Lịch hẹn của Ông/Bà");
  setText("code", booking.code_shown);
  $("qr").src = booking.qr_url;
  setText("state", booking.state_name);
  setText("service", booking.service_name);
  setText("department", booking.department_name);
  setText("when-label", remote ? "Ngày" : "Giờ hẹn");
  setText("when", remote ? dayName(booking.local_date) : `${booking.slot_start}, ${dayName(booking.local_date)}`);
  setText("name", booking.erased ? "(đã xoá)" : booking.name);
  setText("phone", booking.phone || "");
  setText("how", booking.state === "booked"
    ? "Khi đến trung tâm, Ông/Bà đưa mã QR này vào camera của máy lấy số, hoặc nhập mã hẹn trên máy, để xác nhận có mặt."
    : "");
  $("ticket-link").hidden = !booking.ticket_url;
  if (booking.ticket_url) {
    $("ticket-link").href = booking.ticket_url;
    setText("ticket-link", `Xem số ${booking.ticket_label}: vị trí và thời gian chờ`);
  }
  $("change").hidden = !(booking.can_change || (remote && booking.state === "booked"));
  $("day").closest("label").hidden = remote;
  $("slots").hidden = remote;
  $("move").hidden = remote;
  setText("cancel", remote ? "Hủy số lấy từ xa" : "Hủy lịch hẹn");
}

async function act(method, url, body, done) {
  try {
    const reply = await answer(method, url, body);
    if (!reply.ok) {
      showMessage($("message"), (reply.body && reply.body.message) || "Không thực hiện được.", { kind: "error" });
      return;
    }
    render(reply.body);
    showMessage($("message"), done, { kind: "info" });
  } catch (err) {
    showMessage($("message"), err.message, { kind: "error" });
  }
}

async function start() {
  let booking;
  try {
    await json("GET", "/api/session");
    const center = await json("GET", "/api/center");
    setText("center-name", center.name);
    booking = await json("GET", `/api/appointments/${encodeURIComponent(token)}`);
  } catch (err) {
    $("loading").hidden = true;
    showMessage($("message"), err.message, { kind: "error" });
    return;
  }
  render(booking);
  if (booking.can_change) {
    const options = await json("GET", "/api/appointments/options");
    fillDays($("day"), options.days);
    $("day").value = booking.local_date;
    const pick = (start) => { chosenSlot = start; $("move").disabled = !start; };
    const reload = () => showSlots($("slots"), booking.service_code, $("day").value, pick);
    $("day").addEventListener("change", reload);
    await reload();
  }
  $("move").addEventListener("click", () => act("POST", `/api/appointments/${encodeURIComponent(token)}/move`,
    { date: $("day").value, slot: chosenSlot }, "Đã đổi giờ hẹn."));
  $("cancel").addEventListener("click", () => {
    if (!confirm("Ông/Bà chắc chắn muốn hủy?")) return;
    act("POST", `/api/appointments/${encodeURIComponent(token)}/cancel`, undefined, "Đã hủy.");
  });
}

start();
