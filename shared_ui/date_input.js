// Date fields that read and write dd/mm/yyyy whatever the browser's language. Chromium draws <input type="date">
// in the browser's locale (mm/dd/yyyy on an English Windows, which most center PCs run), so a leader typing
// 03/11/2026 meant 3 November and got 11 March. `dateInput` turns such an input into a text field shown and typed
// as dd/mm/yyyy, with a "Chọn ngày" button opening the browser's calendar. For scripts the field keeps a date
// input's contract: its `value` reads and takes "YYYY-MM-DD" ("" when empty), so reports, feedback filters and the
// configuration read it as before. Text that is no date reads as typed, marked invalid with a Vietnamese message:
// the server then names the problem too.
import { date as shownDate } from "/ui/shared/format.js";
import { el } from "/ui/shared/dom.js";

const SHOWN = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
export const PLACEHOLDER = "dd/mm/yyyy";
export const INVALID = "Ngày phải có dạng ngày/tháng/năm, ví dụ 23/11/2026.";
const TEXT = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");

/** "3/11/2026", "03.11.2026" or "03-11-2026" → "2026-11-03" (and "2026-11-03" pasted as it is, which cannot be
 *  misread); null for anything that is no calendar day. */
export function isoFromShown(text) {
  const iso = ISO.exec(text.trim());
  const found = iso ? [iso[3], iso[2], iso[1]] : SHOWN.exec(text.trim())?.slice(1);
  if (!found) return null;
  const [day, month, year] = found.map(Number);
  const moment = new Date(Date.UTC(year, month - 1, day));
  if (moment.getUTCFullYear() !== year || moment.getUTCMonth() !== month - 1 || moment.getUTCDate() !== day) {
    return null; // 31/02, 00/13
  }
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Make `input` (an <input type="date"> or a new one) a dd/mm/yyyy field; returns the input. Its `value` is ISO. */
export function dateInput(input = el("input")) {
  const initial = input.value;
  input.type = "text";
  input.inputMode = "numeric";
  input.autocomplete = "off";
  input.placeholder = PLACEHOLDER;
  input.classList.add("date-input");
  input.dataset.dateInput = "";
  Object.defineProperty(input, "value", {
    configurable: true,
    get() {
      const text = TEXT.get.call(this).trim();
      return text === "" ? "" : isoFromShown(text) || text;
    },
    set(iso) {
      const text = String(iso ?? "");
      TEXT.set.call(this, ISO.test(text) ? shownDate(text) : text);
      check(this);
    },
  });
  input.addEventListener("input", () => check(input));
  input.addEventListener("change", () => { // "3/11/2026" is shown as "03/11/2026" once typed
    const iso = input.value;
    if (ISO.test(iso)) TEXT.set.call(input, shownDate(iso));
  });
  input.value = initial;
  return input;
}

/** The browser's calendar for a dd/mm/yyyy field: a button beside it; the chosen day is written dd/mm/yyyy. */
export function withCalendar(input) {
  const picker = el("input", "date-picker");
  picker.type = "date";
  picker.tabIndex = -1;
  picker.setAttribute("aria-hidden", "true");
  const open = el("button", "date-open");
  open.type = "button";
  open.append(calendarIcon());
  open.title = "Chọn ngày";
  open.setAttribute("aria-label", "Chọn ngày");
  open.addEventListener("click", () => {
    picker.value = ISO.test(input.value) ? input.value : "";
    try {
      picker.showPicker();
    } catch {
      input.focus(); // no calendar in this browser: the field is typed
    }
  });
  picker.addEventListener("change", () => {
    input.value = picker.value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const box = el("span", "date-field");
  input.replaceWith(box);
  box.append(input, open, picker);
  return input;
}

/** Every <input type="date"> under `root` as a dd/mm/yyyy field with its calendar button. */
export function upgradeDateInputs(root = document) {
  for (const input of root.querySelectorAll('input[type="date"]:not(.date-picker)')) withCalendar(dateInput(input));
}

/** A small calendar drawn in SVG (no emoji font on the center's PCs). */
function calendarIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "22");
  svg.setAttribute("height", "22");
  svg.setAttribute("aria-hidden", "true");
  const shapes = [["rect", { x: 3, y: 5, width: 18, height: 16, rx: 2 }], ["path", { d: "M3 10h18M8 3v4M16 3v4" }]];
  for (const [tag, attributes] of shapes) {
    const shape = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attributes)) shape.setAttribute(name, String(value));
    shape.setAttribute("fill", "none");
    shape.setAttribute("stroke", "currentColor");
    shape.setAttribute("stroke-width", "2");
    svg.append(shape);
  }
  return svg;
}

function check(input) {
  const text = TEXT.get.call(input).trim();
  const invalid = text !== "" && !isoFromShown(text);
  input.setCustomValidity(invalid ? INVALID : "");
  if (invalid) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}
