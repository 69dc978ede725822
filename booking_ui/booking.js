// The citizen's booking page (/hen): book a slot, or take a number of today's queue from afar, with a name and a
// phone number; then on to the booking's own page (/hen/<token>: code, QR, cancel, move).
import { $, el, showMessage } from "/ui/shared/dom.js";
import { answer, json } from "/ui/shared/http.js";
import { fillDays, offerSlots, showSlots } from "/ui/booking/slots.js";

let options = null;
let chosenSlot = null;

const mode = () => $("form").elements.mode.value;

function servicesFor(departmentCode) {
  const department = options.departments.find((d) => d.code === departmentCode);
  return department ? department.services.filter((s) => (mode() === "booking" ? s.bookable : s.remote)) : [];
}

function fillDepartments() {
  const usable = options.departments.filter((d) => servicesFor(d.code).length);
  const before = $("department").value;
  $("department").replaceChildren(...usable.map((d) => el("option", { value: d.code }, d.name)));
  if (usable.some((d) => d.code === before)) $("department").value = before;
  fillServices();
}

function fillServices() {
  const services = servicesFor($("department").value);
  $("service").replaceChildren(...services.map((s) => el("option", { value: s.code }, s.name)));
  refreshSlots();
}

async function refreshSlots() {
  const booking = mode() === "booking";
  $("when").hidden = !booking;
  $("submit").textContent = booking ? "Đặt lịch hẹn" : "Lấy số từ xa";
  if (!booking || !$("service").value || !$("day").value) return;
  try {
    await showSlots($("slots"), $("service").value, $("day").value, (start) => { chosenSlot = start; });
  } catch (err) {
    showMessage($("message"), err.message, { kind: "error" });
  }
}

async function submit(event) {
  event.preventDefault();
  const booking = mode() === "booking";
  if (booking && !chosenSlot) {
    showMessage($("message"), "Mời Ông/Bà chọn giờ hẹn.", { kind: "warn" });
    return;
  }
  const body = { service_code: $("service").value, name: $("name").value, phone: $("phone").value };
  if (booking) Object.assign(body, { date: $("day").value, slot: chosenSlot });
  $("submit").disabled = true;
  try {
    const reply = await answer("POST", booking ? "/api/appointments" : "/api/remote-tickets", body);
    if (reply.ok) {
      location.assign(`/hen/${encodeURIComponent(reply.body.token)}`);
      return;
    }
    const refusal = reply.body || {};
    showMessage($("message"), refusal.message || "Không đặt được lịch hẹn, vui lòng thử lại.", { kind: "error" });
    if (refusal.next_slots && refusal.next_slots.length) {
      // The slot filled meanwhile: the next free ones, one touch away.
      offerSlots($("slots"), refusal.next_slots, async (day, start) => {
        $("day").value = day;
        await refreshSlots();
        const node = $("slots").querySelector(`[data-start="${start}"]`);
        if (node && !node.disabled) node.click();
      });
    }
  } catch (err) {
    showMessage($("message"), err.message, { kind: "error" });
  } finally {
    $("submit").disabled = false;
  }
}

/** Tra cứu: a booking found again by its code and phone number opens its own page. */
async function lookUp(event) {
  event.preventDefault();
  try {
    const reply = await answer("POST", "/api/appointments/lookup",
      { code: $("lookup-code").value, phone: $("lookup-phone").value });
    if (reply.ok) {
      location.assign(`/hen/${encodeURIComponent(reply.body.token)}`);
      return;
    }
    showMessage($("message"), (reply.body && reply.body.message) || "Không tìm thấy lịch hẹn.", { kind: "error" });
  } catch (err) {
    showMessage($("message"), err.message, { kind: "error" });
  }
  window.scrollTo(0, 0);
}

async function start() {
  try {
    await json("GET", "/api/session"); // the CSRF cookie this page's requests repeat
    const center = await json("GET", "/api/center");
    $("center-name").textContent = center.name;
    options = await json("GET", "/api/appointments/options");
  } catch (err) {
    $("loading").hidden = true;
    showMessage($("message"), err.message, { kind: "error" });
    return;
  }
  $("loading").hidden = true;
  $("form").hidden = false;
  $("lookup").hidden = false;
  $("lookup").addEventListener("submit", lookUp);
  $("slot-minutes").textContent = `(mỗi khung ${options.slot_minutes} phút)`;
  fillDays($("day"), options.days);
  const anyRemote = options.departments.some((d) => d.services.some((s) => s.remote));
  const anyBooking = options.departments.some((d) => d.services.some((s) => s.bookable));
  for (const input of $("form").elements.mode) {
    input.disabled = input.value === "remote" ? !anyRemote : !anyBooking;
  }
  if (!anyBooking) $("form").elements.mode.value = "remote";
  fillDepartments();
  $("department").addEventListener("change", fillServices);
  $("service").addEventListener("change", refreshSlots);
  $("day").addEventListener("change", refreshSlots);
  for (const input of $("form").elements.mode) input.addEventListener("change", fillDepartments);
  $("form").addEventListener("submit", submit);
}

start();
