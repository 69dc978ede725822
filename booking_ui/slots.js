// The day and slot pickers of the booking pages (booking.js books, manage.js moves): one definition for both.
//   import { fillDays, showSlots } from "/ui/booking/slots.js";
import { button, el } from "/ui/shared/dom.js";
import { date } from "/ui/shared/format.js";
import { json } from "/ui/shared/http.js";

const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

/** "Thứ Hai, 23/11/2026" of a YYYY-MM-DD day (a calendar day: no time zone involved). */
export function dayName(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]}, ${date(iso)}`;
}

/** The days one may book, as the options of a select. */
export function fillDays(select, days) {
  select.replaceChildren(...days.map((iso) => el("option", { value: iso }, dayName(iso))));
}

/**
 * The slots of a service on a day as buttons in `container`; a click chooses one (`onPick(start)`), a full or
 * closed one cannot be chosen. Resolves with the slots shown.
 */
export async function showSlots(container, service, day, onPick) {
  // The latest choice wins: an answer for a day or service the citizen has already left is dropped.
  const request = `${service}/${day}`;
  container.dataset.request = request;
  delete container.dataset.day;
  container.replaceChildren(el("p", "slots-empty", "Đang tải các khung giờ…"));
  const answer = await json("GET", `/api/appointments/slots?service=${encodeURIComponent(service)}`
    + `&date=${encodeURIComponent(day)}`);
  if (container.dataset.request !== request) return answer.slots;
  const buttons = answer.slots.map((slot) => {
    const detail = slot.open ? `còn ${slot.left} chỗ` : slot.left ? "đã đóng" : "đã đủ";
    const node = button(null, "slot", () => {
      for (const other of container.querySelectorAll(".slot")) other.setAttribute("aria-checked", "false");
      node.setAttribute("aria-checked", "true");
      onPick(slot.start);
    });
    node.append(slot.start, el("small", "", detail));
    node.setAttribute("role", "radio");
    node.setAttribute("aria-checked", "false");
    node.dataset.start = slot.start;
    node.disabled = !slot.open;
    return node;
  });
  const open = answer.slots.filter((slot) => slot.open);
  container.replaceChildren(...(open.length ? buttons : [el("p", "slots-empty", "Ngày này không còn khung giờ trống.")]));
  container.dataset.day = day;  // the day whose slots are on screen
  onPick(null);
  return answer.slots;
}

/** A refusal's next free slots as buttons: choosing one picks its day and time (`onPick(day, start)`). */
export function offerSlots(container, nextSlots, onPick) {
  container.replaceChildren(...nextSlots.map((slot) => {
    const node = button(null, "slot", () => onPick(slot.local_date, slot.start));
    node.append(slot.start, el("small", "", date(slot.local_date)));
    return node;
  }));
}
