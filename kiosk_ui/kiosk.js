// Kiosk "Lấy số thứ tự": the touch screen in the lobby where citizens take a number.
// It runs unattended for days, so every path ends somewhere that recovers by itself: an idle timeout back to the
// start, and a "Đang kết nối lại…" screen that retries until the server answers again.
import { forget, whenPaired } from "/ui/shared/device.js";
import { $, button, choice, el } from "/ui/shared/dom.js";
import { counterList, setTimeZone, time, weekdayDate } from "/ui/shared/format.js";
import { answer } from "/ui/shared/http.js";
import { guidanceSpeaking, setTicketSentence, startKioskGuidance } from "/ui/shared/voice_guide.js";
import { mountCheckIn } from "/ui/booking/checkin.js";

const RESULT_SECONDS = 10; // the result screen goes back to the start after this
const AFTER_VOICE_SECONDS = 5; // …and never sooner than this after the voice has read the ticket (to take it)
const IDLE_SECONDS = 30; // any other screen goes back to the start after this long untouched
// The kiosk has no socket: an admin's change (services, names, hours) shows up within this (docs/CONFIG.md).
const RELOAD_SECONDS = 15;
// Which services can be taken now (daily cap, counters open) is asked this often, so a service comes back by itself.
const AVAILABILITY_SECONDS = 5;
const CLOSED_RELOAD_SECONDS = 15; // check sooner while closed, so the kiosk opens on time
const RETRY_SECONDS = 3; // while the server does not answer
const REQUEST_TIMEOUT_MS = 10000;
const MANY_CHOICES = 12; // more choices than this are drawn smaller, so a provincial center's fit one screen
const SEARCH_MIN_SERVICES = 7; // the search is offered when there are more than 6 services

const params = new URLSearchParams(location.search);
const KIOSK_ID = params.get("kiosk") || null;
const PRINTING = params.get("print") !== "0"; // ?print=0 for trying the kiosk on a desk without a printer
const KEYBOARD_ROWS = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];

const state = {
  center: null, // the last good answer of /api/center
  centerJson: "",
  services: new Map(), // service code → {service, department}, for the search's answers
  availability: {}, // service code → {available, reason_code, reason}: /api/services/availability
  availabilityJson: "",
  searchSeq: 0, // the latest search asked: an older answer arriving late is dropped
  screen: "home",
  backTo: null, // where "Quay lại" leads from the current screen
  service: null,
  department: null,
  serviceFrom: "home", // the screen the service was chosen on, for "Quay lại" after the priority step
  busy: false, // a ticket request is on its way: ignore further taps
};
const timers = {};
// Check-in of bookings and remote numbers (booking_ui/checkin.js): the result is a ticket, shown and printed as one.
const checkIn = mountCheckIn($("checkin"), {
  device: KIOSK_ID,
  onTicket: (reply) => showResult(reply.ticket, reply.message),
});

/** The server did not answer (down, restarting, or a proxy page instead of our JSON). */
class Offline extends Error {}

// ----- small helpers ------------------------------------------------------------------------------

/** The server's JSON answer as {ok, body}, or Offline when it cannot be reached or answers with something that is
 *  not ours (a proxy's page). */
async function request(method, url, body) {
  try {
    return await answer(method, url, body, { timeout: REQUEST_TIMEOUT_MS, needBody: true });
  } catch (err) {
    throw new Offline();
  }
}

// ----- center configuration and connection ------------------------------------------------------------

async function refreshCenter() {
  const { ok, body } = await request("GET", "/api/center");
  if (!ok) throw new Offline();
  setTimeZone(body.timezone);
  clock();  // at once: the first tick, before the center answered, wrote the default zone's time
  // Unchanged: leave the screen alone (a citizen may be scrolling the list or about to tap).
  const text = JSON.stringify(body);
  if (text === state.centerJson) return;
  state.centerJson = text;
  state.center = body;
  state.services = new Map(body.departments.flatMap((department) =>
    department.services.map((service) => [service.code, { service, department }])));
  $("center-name").textContent = body.name;
  $("center-notice").textContent = body.notice || "";
  // Re-draw the start only if nobody is in the middle of taking a number.
  if (state.screen === "home" || state.screen === "closed") showHome();
}

/** Ask which services can be taken now; redraw the lists on screen when that changed (a cap reached, a counter
 *  opened). A failure is left to refresh(), which owns the "Đang kết nối lại…" screen. */
async function refreshAvailability() {
  clearTimeout(timers.availability);
  timers.availability = setTimeout(refreshAvailability, AVAILABILITY_SECONDS * 1000);
  let reply;
  try {
    reply = await request("GET", "/api/services/availability");
  } catch (err) {
    return;
  }
  if (!reply.ok) return;
  const text = JSON.stringify(reply.body.services);
  if (text === state.availabilityJson) return;
  state.availabilityJson = text;
  state.availability = reply.body.services;
  redrawChoices();
}

/** The lists on screen drawn again with the current availability, where the citizen is. */
function redrawChoices() {
  const main = $("main");
  const scrolled = main.scrollTop;
  if (state.screen === "home" && state.center) renderHome();
  else if (state.screen === "services" && state.department) renderServices(state.department);
  else if (state.screen === "search") renderResults(state.searchResults || [], !$("search-input").value.trim());
  main.scrollTop = scrolled;
}

/** Why a service cannot be taken now, or null when it can. */
function unavailable(service) {
  const answer = state.availability[service.code];
  return answer && !answer.available ? answer.reason : null;
}

/** Load the configuration now; on failure show "Đang kết nối lại…" and keep trying. */
async function refresh() {
  clearTimeout(timers.reload);
  clearTimeout(timers.retry);
  try {
    await refreshCenter();
    await refreshCheckIn();
    setOnline();
    const seconds = state.center.issuing ? RELOAD_SECONDS : CLOSED_RELOAD_SECONDS;
    timers.reload = setTimeout(refresh, seconds * 1000);
  } catch (err) {
    setOffline();
  }
}

function setOffline() {
  $("offline").hidden = false;
  clearTimeout(timers.retry);
  timers.retry = setTimeout(refresh, RETRY_SECONDS * 1000);
}

function setOnline() {
  $("offline").hidden = true;
}

// ----- screens -----------------------------------------------------------------------------------------

function show(name, backTo = null) {
  if (name !== "checkin") checkIn.stop(); // the camera is on only while the check-in screen shows
  for (const section of document.querySelectorAll(".screen")) section.hidden = section.dataset.screen !== name;
  state.screen = name;
  state.backTo = backTo;
  document.body.dataset.screen = name; // layout per screen, and a hook for tests
  $("back").hidden = !backTo;
  $("home").hidden = name === "home" || name === "issuing";
  $("nav").hidden = $("back").hidden && $("home").hidden;
  $("main").scrollTop = 0;
  armTimers();
}

function goBack() {
  if (state.backTo === "home") showHome();
  else if (state.backTo === "services") {
    renderServices(state.department); // drawn with what can be taken now (a cap may have run out meanwhile)
    show("services", "home");
  } else if (state.backTo === "search") {
    renderResults(state.searchResults || [], !$("search-input").value.trim());
    show("search", "home");
  }
  else if (state.backTo === "priority") show("priority", state.serviceFrom);
}

function showHome() {
  state.service = state.department = null;
  state.busy = false;
  const center = state.center;
  if (!center) return show("home"); // still loading; the first answer draws the start
  if (!center.issuing) return showClosed();
  renderHome();
  show("home");
}

function showClosed() {
  const sessions = (state.center && state.center.sessions) || [];
  // The hours numbers are actually given: issuing stops before the session ends (issuing_end, docs/CONFIG.md).
  $("closed-hours").textContent = sessions.length
    ? `Giờ lấy số: ${sessions.map((s) => `${s.start}–${s.issuing_end || s.end}`).join(", ")}` : "";
  show("closed");
}

function showMessageScreen(text, backTo) {
  $("message-title").textContent = text;
  show("message", backTo);
}

function fillChoices(container, buttons) {
  container.replaceChildren(...buttons);
  container.dataset.count = String(buttons.length); // fewer items get wider buttons (kiosk.css)
  if (buttons.length > MANY_CHOICES) container.dataset.many = "";
  else delete container.dataset.many;
}

function renderHome() {
  const departments = state.center.departments.filter((d) => d.services.length);
  // A center with a single department goes straight to its services.
  const buttons = departments.length === 1
    ? departments[0].services.map((s) => serviceChoice(s, departments[0], "home"))
    : departments.map(departmentChoice);
  fillChoices($("departments"), buttons);
  requestAnimationFrame(updateScrollCue);
  $("open-search").hidden = state.services.size < SEARCH_MIN_SERVICES;
}

/** A department's button: its services on the second line; shown as unavailable when none can be taken now. */
function departmentChoice(department) {
  const reasons = department.services.map(unavailable);
  const node = choice(department.name, department.services.map((s) => s.name).join(" · "),
    () => chooseDepartment(department));
  if (reasons.every(Boolean)) {
    // One reason for all (the cap of its only service) is said as it is; different ones need the list.
    markUnavailable(node, new Set(reasons).size === 1 ? reasons[0] : "Các lĩnh vực tạm ngưng lấy số");
  }
  return node;
}

/** A choice that cannot be taken now: greyed, not tappable, with the reason in words on it. */
function markUnavailable(node, reason) {
  node.disabled = true;
  node.classList.add("choice-unavailable");
  node.dataset.reason = reason;
  node.append(el("span", "choice-reason", reason));
}

function serviceChoice(service, department, from, withDepartment = false, procedure = null) {
  const counters = service.counters.length ? `Quầy ${counterList(service.counters)}` : "";
  const detail = withDepartment ? [department.name, counters].filter(Boolean).join(" · ") : counters;
  const node = choice(service.name, detail, () => chooseService(service, department, from), "choice-service");
  if (procedure) node.prepend(el("span", "choice-procedure", procedure)); // what the citizen searched for, first
  const reason = unavailable(service);
  if (reason) markUnavailable(node, reason);
  return node;
}

function chooseDepartment(department) {
  if (department.services.length === 1) return chooseService(department.services[0], department, "home");
  state.department = department;
  renderServices(department);
  show("services", "home");
}

function renderServices(department) {
  $("services-title").textContent = department.name;
  fillChoices($("services"), department.services.map((s) => serviceChoice(s, department, "services")));
}

function chooseService(service, department, from) {
  state.service = service;
  state.department = department;
  state.serviceFrom = from;
  $("chosen-service").textContent = service.name;
  $("chosen-department").textContent = department.name;
  const groups = state.center.priority_groups || [];
  $("take-normal").textContent = groups.length ? "Không, lấy số thường" : "Lấy số";
  $("priority-block").hidden = !groups.length;
  fillChoices($("priority-groups"), groups.map((g) => choice(g.name, null, () => issue(g.code), "choice-priority")));
  show("priority", from);
}

// ----- search ------------------------------------------------------------------------------------------
// The server searches (GET /api/search, server/core/search.py): one matching rule, tested once, and the kiosk
// never loads the center's ~1,400 procedure names. A keystroke is one small request on the LAN; an answer that
// arrives after a newer keystroke's is dropped.

function openSearch() {
  $("search-input").value = "";
  runSearch();
  show("search", "home");
}

async function runSearch() {
  const query = $("search-input").value;
  const asked = ++state.searchSeq;
  if (!query.trim()) return renderResults([], true);
  let reply;
  try {
    reply = await request("GET", `/api/search?q=${encodeURIComponent(query)}`);
  } catch (err) {
    if (asked === state.searchSeq) setOffline();
    return;
  }
  if (asked !== state.searchSeq) return;
  renderResults(reply.ok ? reply.body.results : []);
}

function renderResults(results, empty = false) {
  state.searchResults = results;
  const found = results.map((r) => ({ ...state.services.get(r.service_code), procedure: r.procedure }))
    .filter((entry) => entry.service);
  fillChoices($("search-results"),
    found.map((e) => serviceChoice(e.service, e.department, "search", true, e.procedure)));
  $("search-empty").hidden = empty || found.length > 0;
  document.body.dataset.searched = String(state.searchSeq); // which keystroke the results answer (tests, bench)
}

function buildKeyboard() {
  const keyboard = $("keyboard");
  const input = $("search-input");
  const key = (label, className, apply) => button(label, `key ${className || ""}`.trim(), () => {
    input.value = apply(input.value);
    runSearch();
  });
  for (const row of KEYBOARD_ROWS) {
    const line = el("div", "key-row");
    for (const letter of row) line.append(key(letter, "", (v) => v + letter.toLowerCase()));
    keyboard.append(line);
  }
  const last = el("div", "key-row");
  last.append(
    key("Xóa hết", "key-wide", () => ""),
    key("Dấu cách", "key-space", (v) => (v && !v.endsWith(" ") ? `${v} ` : v)),
    key("⌫ Xóa", "key-wide", (v) => v.slice(0, -1)),
  );
  keyboard.append(last);
  input.addEventListener("input", runSearch); // a physical keyboard, or a test filling the box
}

// ----- issuing -----------------------------------------------------------------------------------------

async function issue(priorityGroup) {
  if (state.busy || !state.service) return;
  state.busy = true;
  show("issuing");
  const body = { service_code: state.service.code, channel: "kiosk" };
  if (priorityGroup) body.priority_group = priorityGroup;
  if (KIOSK_ID) body.device = KIOSK_ID;
  try {
    const reply = await request("POST", "/api/tickets", body);
    state.busy = false;
    if (reply.ok) return showResult(reply.body);
    if (reply.body.error === "device_not_paired") return forget();
    if (reply.body.error === "daily_cap_reached") refreshAvailability(); // grey it out for the next citizen
    if (reply.body.error === "closed") {
      state.center.issuing = false;
      state.centerJson = ""; // the next answer redraws the start, whatever it says
      showClosed();
      clearTimeout(timers.reload);
      timers.reload = setTimeout(refresh, CLOSED_RELOAD_SECONDS * 1000);
      return;
    }
    showMessageScreen(reply.body.message || "Không lấy được số.", state.serviceFrom);
  } catch (err) {
    // No answer: the number may or may not exist. Put the citizen back one step so a single tap retries once
    // the server is back, and look for the server until it answers.
    state.busy = false;
    show("priority", state.serviceFrom);
    setOffline();
  }
}

/** The check-in screen, camera on, when the center takes bookings or remote numbers. */
function openCheckIn() {
  show("checkin", "home");
  checkIn.start();
}

/** Whether to offer check-in: the center has bookings or remote numbers (asked with the center's refresh). */
async function refreshCheckIn() {
  const { ok } = await request("GET", "/api/appointments/options");
  $("open-checkin").hidden = !ok;
}

function showResult(ticket, note = "") {
  const lines = ticket.print || {};
  $("result-note").textContent = note; // a check-in's word on when the citizen is called, or why not first
  $("result-note").hidden = !note;
  $("result-label").textContent = ticket.label;
  $("result-service").textContent = lines.service || `Lĩnh vực: ${ticket.service_name}`;
  $("result-department").textContent = lines.department || ticket.department_name || "";
  $("result-counters").textContent = lines.counters || `Quầy phục vụ: ${counterList(ticket.counters)}`;
  $("result-priority").textContent = lines.priority || "";
  $("result-priority").hidden = !lines.priority;
  $("result-ahead").textContent = lines.ahead || "";
  $("result-wait").textContent = lines.wait || "";
  $("result-qr").src = ticket.qr_url;
  setTicketSentence(ticket.guidance_clips); // read by the voice guidance as the lobby reads numbers
  show("result");
  printTicket(ticket);
}

/** Print through a hidden frame: the print page calls window.print() itself once the QR code has loaded;
 *  Chrome started with --kiosk-printing prints it without a dialog. */
function printTicket(ticket) {
  if (!PRINTING || !ticket.print_url) return;
  const old = $("printer");
  if (old) old.remove(); // a fresh frame each time: no history entries, no half-printed page reused
  const frame = el("iframe", "printer");
  frame.id = "printer";
  frame.title = "In phiếu";
  frame.tabIndex = -1;
  frame.setAttribute("aria-hidden", "true");
  frame.src = `${ticket.print_url}?auto=1`;
  document.body.append(frame);
}

// ----- timers: back to the start -------------------------------------------------------------------------

function armTimers() {
  clearTimeout(timers.idle);
  clearInterval(timers.countdown);
  if (state.screen === "result") {
    let left = RESULT_SECONDS;
    const tick = () => {
      // While the ticket is read aloud the start waits; after the reading, a blind citizen still needs a moment to
      // find the printed ticket before the next one can press a key.
      if (guidanceSpeaking()) left = Math.max(left, AFTER_VOICE_SECONDS);
      if (left <= 0) return showHome();
      $("result-countdown").textContent = `Màn hình sẽ trở về trang đầu sau ${left} giây`;
      left -= 1;
    };
    tick();
    timers.countdown = setInterval(tick, 1000);
  } else if (!["home", "closed", "issuing"].includes(state.screen)) {
    // A citizen listening to a long list of choices is still there.
    timers.idle = setTimeout(() => (guidanceSpeaking() ? armTimers() : showHome()), IDLE_SECONDS * 1000);
  }
}

/** The center's time, even on a kiosk whose system clock was left on UTC. */
function clock() {
  $("clock-time").textContent = time(Date.now());
  $("clock-date").textContent = weekdayDate(Date.now());
}

// ----- start ---------------------------------------------------------------------------------------------

function start() {
  buildKeyboard();
  startKioskGuidance({ toolbar: $("citizen-aids") });
  $("open-search").addEventListener("click", openSearch);
  $("open-checkin").addEventListener("click", openCheckIn);
  $("take-normal").addEventListener("click", () => issue(null));
  $("back").addEventListener("click", goBack);
  // On the closed screen "Về trang đầu" asks the server again: the hours may have begun.
  $("home").addEventListener("click", () => (state.screen === "closed" ? refresh() : showHome()));
  $("kiosk-id").textContent = KIOSK_ID ? `Máy ${KIOSK_ID}` : "";
  // Any touch restarts the idle countdown (but not the result screen's, which always lasts RESULT_SECONDS).
  for (const type of ["pointerdown", "keydown", "input"]) {
    document.addEventListener(type, () => { if (state.screen !== "result") armTimers(); }, true);
  }
  document.addEventListener("contextmenu", (event) => event.preventDefault()); // long press on a touch screen
  clock();
  setInterval(clock, 10000);
  $("main").addEventListener("scroll", updateScrollCue, { passive: true });
  // Whatever changes the height of the screen or of what it shows (a screen switched, a list redrawn, the check-in
  // button or a reason line appearing after load, fonts) says again whether anything lies below the edge.
  const resized = new ResizeObserver(updateScrollCue);
  for (const node of [$("main"), ...document.querySelectorAll(".screen")]) resized.observe(node);
  $("scroll-cue").addEventListener("click", () => $("main").scrollBy({ top: $("main").clientHeight * 0.7 }));
  showHome();
  refresh();
  refreshAvailability();
}

/** "Kéo xuống để xem thêm": shown while the list goes on below the screen's edge (portrait with many departments). */
function updateScrollCue() {
  const main = $("main");
  const more = main.scrollHeight - main.clientHeight - main.scrollTop > 8;
  $("scroll-cue").hidden = !more || !["home", "services", "search"].includes(state.screen);
}

whenPaired({ kind: "kiosk" }).then(start);
