// The small screen above one counter (/display/counter/5): the counter number and the number it serves, very
// large. Same live state as the lobby (shared_ui/live.js), reduced to this one counter.
import { whenPaired } from "/ui/shared/device.js";
import { $ } from "/ui/shared/dom.js";
import { pad2 } from "/ui/shared/format.js";
import { centerLoader } from "/ui/shared/http.js";
import { connect } from "/ui/shared/live.js";

const BLINK_MS = 5000;   // how long a new call or recall blinks
const CENTER_RETRY_MS = 10000;
const CALL_KINDS = ["ticket_called", "ticket_recalled"];
const CURRENT_KINDS = ["service_started", "ticket_resumed"];
const ENDING_KINDS = ["ticket_finished", "ticket_no_show", "ticket_parked", "ticket_transferred"];
const CLEARING_STATES = ["done", "no_show", "parked", "transferred"];
const COUNTER_KINDS = ["counter_opened", "counter_closed", "counter_paused", "counter_resumed"];

const number = parseInt(location.pathname.split("/").filter(Boolean).pop(), 10);
let counter = null;          // the counter view, null until a snapshot has it
let known = false;           // a snapshot arrived (so a missing counter really is missing)
let serviceNames = {};
let centerName = "";
let blinkUntil = 0;
let blinkTimer = null;

/** Service names and the center's name; asked again until the server answers (it may still be starting). */
const loadCenter = centerLoader(function (data) {
  centerName = data.name;
  serviceNames = Object.fromEntries(data.departments.flatMap(function (d) {
    return d.services.map(function (s) { return [s.code, s.name]; });
  }));
  draw();
}, CENTER_RETRY_MS);

function draw() {
  $("cs-counter").textContent = "QUẦY " + (Number.isInteger(number) ? pad2(number) : "?");
  $("cs-center").textContent = centerName;
  const status = !known ? "loading" : !counter ? "unknown" : counter.status;
  document.body.dataset.status = status;
  let caption = "", big = "", detail = "", officer = "";
  if (status === "unknown") {
    big = "—";
    detail = "Không có quầy số " + (Number.isInteger(number) ? pad2(number) : "này") + " trong cấu hình trung tâm";
  } else if (status === "closed") {
    big = "Quầy đóng";
  } else if (status === "paused") {
    big = "Tạm dừng";
    detail = "Xin Ông/Bà vui lòng chờ trong giây lát";
  } else if (status === "open") {
    const current = counter.current;
    caption = current && current.state === "called" ? "MỜI SỐ" : "ĐANG PHỤC VỤ";
    big = current ? current.label : "—";
    detail = current ? serviceNames[current.service_code] || "" : "Mời Ông/Bà chờ gọi số";
  }
  if (counter && status !== "closed" && counter.officer_name) officer = "Cán bộ tiếp nhận: " + counter.officer_name;
  $("cs-caption").textContent = caption;
  $("cs-number").textContent = big;
  $("cs-detail").textContent = detail;
  $("cs-officer").textContent = officer;
  $("cs-services").textContent = counter ? subtitle(counter) : "";
  document.body.classList.toggle("fresh", status === "open" && !!counter.current && Date.now() < blinkUntil);
}

// A counter with its own name ("Quầy 20 – Hỗ trợ, hướng dẫn") shows it; the others list what they serve.
function subtitle(c) {
  const own = c.name.replace(new RegExp("^Quầy\\s*0*" + c.number + "\\s*[–-]?\\s*", "i"), "");
  if (own) return own;
  return c.services.map(function (code) { return serviceNames[code] || code; }).join(" · ");
}

function blink() {
  document.body.classList.remove("fresh");
  void document.body.offsetWidth;   // restart the animation for a recall during a blink
  blinkUntil = Date.now() + BLINK_MS;
  clearTimeout(blinkTimer);
  blinkTimer = setTimeout(draw, BLINK_MS + 50);
}

function setCurrent(event) {
  counter.current = { label: event.label, state: event.state, service_code: event.service_code,
    call_count: event.call_count, priority: event.priority };
}

function onSnapshot(snapshot) {
  known = true;
  counter = snapshot.counters.find(function (c) { return c.number === number; }) || null;
  blinkUntil = 0;
  document.body.dataset.seq = snapshot.seq;
  loadCenter();   // a restarted server may come with a changed center file
  draw();
}

function onEvent(event) {
  document.body.dataset.seq = event.seq;
  const kind = event.kind;
  if (COUNTER_KINDS.includes(kind)) {
    if (event.counter && event.counter.number === number) { counter = event.counter; draw(); }
    return;
  }
  if (!counter || event.counter_number !== number) return;
  if (CALL_KINDS.includes(kind)) {
    setCurrent(event);
    blink();
  } else if (CURRENT_KINDS.includes(kind)) {
    setCurrent(event);
  } else if (ENDING_KINDS.includes(kind) && CLEARING_STATES.includes(event.state)) {
    if (counter.current && counter.current.label === event.label) counter.current = null;
  } else {
    return;
  }
  draw();
}

draw();
whenPaired({ kind: "counter_display", counter: number }).then(function () {
  connect({
    screen: "counter_display",
    counter: number,
    onSnapshot: onSnapshot,
    onEvent: onEvent,
    onStatus: function (connected) { $("offline").hidden = connected; },
  });
});
