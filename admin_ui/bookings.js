// Supervisors' /admin/bookings: a day's bookings per service and slot (and remote numbers per service), with
// arrivals, no-shows and booked citizens still waiting past their slot; from GET /api/appointments/day. No names.
import { upgradeDateInputs } from "/ui/shared/date_input.js";
import { $, el, setText } from "/ui/shared/dom.js";
import { int, isoToday } from "/ui/shared/format.js";
import { json, loadCenter } from "/ui/shared/http.js";
import { SUPERVISING_ROLES, startSignIn } from "/ui/shared/signin.js";

const RELOAD_SECONDS = 30;
const COLUMNS = ["places", "booked", "checked_in", "late", "no_show", "cancelled", "called", "waiting_past_slot"];
let timer = null;

async function load() {
  clearTimeout(timer);
  timer = setTimeout(load, RELOAD_SECONDS * 1000);
  let answer;
  try {
    answer = await json("GET", `/api/appointments/day?date=${encodeURIComponent($("day").value)}`);
  } catch (err) {
    setText("error", err.message);
    $("error").hidden = false;
    return;
  }
  $("error").hidden = true;
  const total = (key) => answer.rows.reduce((sum, row) => sum + row[key], 0);
  $("rows").replaceChildren(...answer.rows.map((row) => {
    const line = el("tr");
    line.append(el("td", "", row.service_name),
      el("td", "", row.kind === "remote" ? "Lấy số từ xa" : row.slot_start));
    for (const key of COLUMNS) {
      line.append(el("td", key === "waiting_past_slot" && row[key] ? "warn" : "", int(row[key])));
    }
    return line;
  }));
  setText("summary", answer.rows.length
    ? `${int(total("places"))} chỗ đã đặt, ${int(total("checked_in") + total("late"))} người đã có mặt, `
      + `${int(total("no_show"))} vắng mặt, ${int(total("waiting_past_slot"))} người chờ quá giờ hẹn.`
    : "Chưa có lịch hẹn nào trong ngày này.");
}

async function start() {
  upgradeDateInputs(); // dd/mm/yyyy whatever the browser's language; its value stays YYYY-MM-DD
  const center = await loadCenter(3000);
  setText("center-name", center.name);
  $("day").value = isoToday();
  $("day").addEventListener("change", load);
  startSignIn({
    roles: SUPERVISING_ROLES,
    title: "Đăng nhập giám sát",
    help: "Lịch hẹn trong ngày: dành cho lãnh đạo, cán bộ giám sát của Trung tâm.",
    forbidden: "Tài khoản này không có quyền xem lịch hẹn; mời đăng nhập tài khoản giám sát.",
    onBoard: load,
    onLeave: () => clearTimeout(timer),
  });
}

start();
