// Vietnamese formats for every screen: numbers (1.545; 12,5; 95,3%), dates (23/11/2026) and clock times (08:05),
// the times always in the center's time zone (/api/center `timezone`), whatever zone the PC, TV or phone is set to.
//   import * as fmt from "/ui/shared/format.js";
//   fmt.int(1545) === "1.545"; fmt.pct(95.31) === "95,3%"; fmt.time(at * 1000) === "08:05"

// Việt Nam has one zone and no daylight saving; a center's own zone replaces it once /api/center has answered.
const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";
const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Two digits, as counters and clock times are written: 5 → "05". */
export const pad2 = (n) => String(n).padStart(2, "0");

/** Counter numbers as a list: [1, 12] → "01, 12". */
export const counterList = (numbers) => numbers.map(pad2).join(", ");

// ----- numbers ------------------------------------------------------------------------------------

const missing = (v) => v === null || v === undefined || typeof v !== "number" || !Number.isFinite(v);

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** A whole number with '.' between thousands: "1.545"; "–" for no value. */
export function int(v) {
  if (missing(v)) return "–";
  const n = Math.round(v);
  return (n < 0 ? "-" : "") + groupThousands(String(Math.abs(n)));
}

/** A decimal with ',' ("12,5"), `places` decimals; "–" for no value. */
export function dec(v, places = 1) {
  if (missing(v)) return "–";
  const fixed = Math.abs(v).toFixed(places);
  const [whole, fraction] = fixed.split(".");
  const sign = v < 0 && Number(fixed) !== 0 ? "-" : "";
  return sign + groupThousands(whole) + (fraction ? "," + fraction : "");
}

/** A percentage: "95,3%" (or "97,19%" with two places); "–" for no value. */
export function pct(v, places = 1) {
  return missing(v) ? "–" : dec(v, places) + "%";
}

/** Hours as h:mm ("7:30"), for time at the counter. */
export function hm(hours) {
  if (missing(hours)) return "–";
  const total = Math.round(hours * 60);
  return `${groupThousands(String(Math.floor(total / 60)))}:${pad2(total % 60)}`;
}

// ----- dates and times in the center's zone -------------------------------------------------------

let zone = DEFAULT_TIME_ZONE;
let partsFormat = formatFor(zone);

function formatFor(timeZone) {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Write every time in this zone from now on (the center's, from /api/center); an unknown zone is ignored. */
export function setTimeZone(timeZone) {
  if (!timeZone || timeZone === zone) return;
  try {
    partsFormat = formatFor(timeZone);
    zone = timeZone;
  } catch (err) {
    // A zone this browser does not know: keep Việt Nam's rather than the device's own.
  }
}

/** The center's clock at a moment (a Date or milliseconds): {year, month, day, hour, minute, second} as
 *  two-digit strings (four for the year) and weekday 0–6 (Sunday first). */
export function clockParts(when = Date.now()) {
  const parts = {};
  for (const part of partsFormat.formatToParts(new Date(when))) parts[part.type] = part.value;
  parts.weekday = new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day)).getUTCDay();
  return parts;
}

/** "08:05", or "08:05:09" with seconds. */
export function time(when, seconds = false) {
  const p = clockParts(when);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** "23/11/2026" of a moment. */
export function day(when) {
  const p = clockParts(when);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "Thứ Hai, 23/11/2026". */
export function weekdayDate(when) {
  return `${WEEKDAYS[clockParts(when).weekday]}, ${day(when)}`;
}

/** "08:05 23/11/2026", as lists of events write a moment. */
export function dateTime(when) {
  return `${time(when)} ${day(when)}`;
}

/** "2026-11-23" → "23/11/2026", as in tables (a date the server already gave in the center's calendar). */
export function date(iso) {
  if (!iso || !ISO_DATE.test(iso)) return iso || "";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/** "ngày 05 tháng 3 năm 2026": as in document headers (a 0 before days under 10 and months 1 and 2). */
export function longDate(when = Date.now()) {
  const p = clockParts(when);
  const d = Number(p.day);
  const m = Number(p.month);
  return `ngày ${d < 10 ? p.day : d} tháng ${m < 3 ? p.month : m} năm ${p.year}`;
}

/** Today at the center, YYYY-MM-DD. */
export function isoToday(when = Date.now()) {
  const p = clockParts(when);
  return `${p.year}-${p.month}-${p.day}`;
}

// ----- searching Vietnamese text ------------------------------------------------------------------

/** Text as a search compares it: without tone marks or other diacritics, đ as d, lower case, spaces squeezed
 *  ("Hộ  Tịch" → "ho tich"), so an officer may type with or without marks. */
export function fold(text) {
  return String(text || "").normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase()
    .replace(/\s+/g, " ").trim();
}
