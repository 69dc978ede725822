// Supervisors' live board (/admin/live): every counter as it is now, and each "Không hài lòng" the moment it is
// given, so a supervisor can walk to the counter while the citizen is still in the building. The alerts are the
// open complaints of the feedback inbox (GET /api/feedback), read again at every (re)connection and after every
// rating or inbox change, so a reload or a server restart loses none; beside them, how many items of the inbox
// (complaints and comments) are not yet handled, linked to /admin/feedback. Beside them, the
// overview the server computes (per service: waiting and the longest wait against its target; per counter: how
// long it has been idle while people wait) and its warnings, asked for every 10 s and shortly after queue events.
// Only supervisors may subscribe; the socket is opened after sign-in because the server reads who is signed in
// from the cookie of the socket's handshake.
//
// One 1920×1080 screen holds a whole provincial center without scrolling: services and counters come sorted by
// urgency from the server (waits over target, then idle counters, then the rest; server/core/overview.py), services
// nobody waits for shrink to one line, counters are small tiles, and warnings past the first few are counted.
// Times are the center's (shared_ui/format.js with the zone of /api/center), written once that zone is known.
import { $, el } from "/ui/shared/dom.js";
import { pad2, time } from "/ui/shared/format.js";
import { json, loadCenter } from "/ui/shared/http.js";
import { coalesce, connect, showConnection } from "/ui/shared/live.js";
import { SUPERVISING_ROLES, startSignIn } from "/ui/shared/signin.js";

const REQUEST_TIMEOUT_MS = 10000;
const RETRY_CENTER_MS = 3000;
const OVERVIEW_EVERY_MS = 10000;      // waits grow with no event at all: ask again on a timer
const OVERVIEW_AFTER_EVENT_MS = 1000; // a burst of queue events costs one request, at most a second late
const ALERTS_AFTER_EVENT_MS = 200;    // a rating and its alert arrive together: one request
// The alerts: complaints not yet handled, newest first (the inbox has them all, comments too).
const ALERTS_QUERY = "/api/feedback?state=new,in_progress&dissatisfied=1&limit=50";
const STATUS = { open: "Đang mở", paused: "Tạm dừng", closed: "Đóng" };
const WARNING_KIND = {
  wait_over_target: "Chờ quá lâu", booking_waiting: "Quá giờ hẹn", counter_idle: "Quầy rảnh",
  officer_department: "Khác Sở, ngành",
};
const MANY_COUNTERS = 24;  // more than this: the compact tiles of a large center
const MANY_SERVICES = 24;  // more services waiting than this: lower rows, so 30 still fit
const WARNINGS_SHOWN = 6; // the rest are counted: the tables below are sorted by the same urgency
const TICKET_STATE = { called: "đang gọi", serving: "đang phục vụ" };
const CHANNEL = { tablet: "Máy đánh giá tại quầy", phone: "Điện thoại của công dân" };
const ACTIVE = new Set(["ticket_called", "ticket_recalled", "service_started", "ticket_resumed"]);
const ENDED = new Set(["ticket_finished", "ticket_no_show", "ticket_parked", "ticket_transferred",
  "ticket_cancelled"]);

const state = {
  officer: null,       // the signed-in supervisor
  counters: new Map(), // number → counter view
  alerts: [],          // open complaints from the inbox, newest first
  seen: new Set(),     // ids of the new ones this page has marked seen (a click); the inbox still has them as new
  idle: new Map(),     // counter number → {seconds, waiting, over} from the latest overview
  rows: new Map(),     // counter number → its row of the latest overview (urgency, waits, department warning)
  order: [],           // counter numbers by urgency, from the latest overview
  zoneKnown: false,    // /api/center has answered: times can be written on the center's clock
  lastOverview: null,  // drawn again once the zone is known
};
let live = null;
const overview = { timer: null, asking: false };
const alerts = { asking: 0 };
const chime = new Audio("/voice/chime.wav");

/** A moment of the server (epoch seconds) on the center's clock; "" until the center's zone is known. */
const clock = (epochSeconds, withSeconds = false) => (state.zoneKnown ? time(epochSeconds * 1000, withSeconds) : "");

// ----- sign-in ------------------------------------------------------------------------------------

let gate = null;

/** Leaving the board (sign-out, refused session): stop listening; the next person starts from empty lists. */
function leaveBoard() {
  stopLive();
  state.officer = null;
  state.alerts = [];
  state.seen.clear();
  renderAlerts();
  renderOpenCount(null);
  $("services").textContent = "";
  $("overview-time").textContent = "";
  state.idle.clear();
  state.rows.clear();
  state.order = [];
  state.lastOverview = null;
  renderWarnings([]);
}

// ----- the board ----------------------------------------------------------------------------------

function startBoard(officer) {
  state.officer = officer;
  stopLive();
  live = connect({
    screen: "supervisor",
    onSnapshot,
    onEvent,
    onStatus: showConnection,
    onRefused: (reply) => gate.showSignIn(reply.message),
  });
  live.socket.on("alert", onAlert);
  live.socket.on("queue_event", overviewSoon);
  overview.timer = setInterval(askOverview, OVERVIEW_EVERY_MS);
}

function stopLive() {
  stopOverview();
  alertsSoon.cancel();
  alerts.asking += 1; // an answer on its way is for the board being left
  if (live) {
    live.socket.off("alert", onAlert);
    live.socket.disconnect();
    live = null;
  }
}

function onSnapshot(snapshot) {
  state.counters = new Map(snapshot.counters.map((c) => [c.number, c]));
  renderCounters();
  askOverview(); // (re)connected: the overview may be minutes old
  loadAlerts();  // and complaints may have come, or been handled, meanwhile
}

function onEvent(event) {
  if (event.kind === "rating_recorded" || event.kind === "feedback_changed") {
    alertsSoon(); // a new complaint or comment, or one taken in hand or closed
    return;
  }
  if (event.counter && typeof event.counter.number === "number") {
    // counter_opened, _paused, _resumed, _closed carry the whole counter view.
    state.counters.set(event.counter.number, event.counter);
    state.idle.delete(event.counter.number); // until the next overview says otherwise
  } else if (ACTIVE.has(event.kind) && state.counters.has(event.counter_number)) {
    state.counters.get(event.counter_number).current = { label: event.label, state: event.state };
  } else if (ENDED.has(event.kind) && state.counters.has(event.counter_number)) {
    const counter = state.counters.get(event.counter_number);
    if (counter.current && counter.current.label === event.label) counter.current = null;
  } else {
    return;
  }
  renderCounters();
}

/** The counters as tiles, in the latest overview's urgency order (a counter it did not list yet goes last). */
function renderCounters() {
  const ranked = state.order.filter((n) => state.counters.has(n));
  const rest = Array.from(state.counters.keys()).filter((n) => !ranked.includes(n)).sort((a, b) => a - b);
  // A large center's counters get smaller tiles in more columns (board.css), so that 70 still fit one screen.
  $("board").dataset.counters = state.counters.size > MANY_COUNTERS ? "many" : "few";
  $("counters").replaceChildren(...ranked.concat(rest).map(counterTile));
}

function counterTile(number) {
  const c = state.counters.get(number);
  const row = state.rows.get(number);
  const idle = state.idle.get(number);
  const tile = el("li", `counter-tile counter-${c.status}`);
  tile.dataset.counter = String(number);
  if (row && row.status === c.status) tile.dataset.urgency = row.urgency;

  const head = el("div", "counter-head");
  head.append(el("span", "counter-number", pad2(number)), el("span", `status status-${c.status}`,
    STATUS[c.status] || c.status));
  if (c.status !== "closed" && c.since && state.zoneKnown) head.append(el("span", "since", `từ ${clock(c.since)}`));
  tile.append(head);
  const officer = c.status === "closed" ? "—" : (c.officer_name || c.officer || "—");
  tile.append(el("p", "counter-officer", officer));
  tile.title = `${c.name || `Quầy ${pad2(number)}`}: ${officer}`;
  if (c.status === "paused" && c.pause_reason) tile.append(el("p", "pause-reason", c.pause_reason));

  const now = el("p", "counter-current");
  if (c.current) {
    now.append(el("strong", "current-label", c.current.label),
      el("span", "current-state", TICKET_STATE[c.current.state] || c.current.state));
  } else if (idle && idle.over && c.status === "open") { // free a moment between two citizens is not idle
    const idleBox = el("span", "counter-idle idle-over");
    idleBox.append(el("strong", "idle-time", `rảnh ${minutes(idle.seconds)}`),
      el("span", "idle-waiting", `${idle.waiting} người chờ`));
    now.append(idleBox);
  } else if (row && row.waiting && c.status !== "closed") {
    now.append(el("span", "counter-waiting", `${row.waiting} người chờ`));
  }
  if (row && row.over_target && c.status !== "closed") {
    now.append(el("span", "counter-over", `chờ lâu nhất ${minutes(row.longest_wait_seconds)}`));
  }
  if (!now.childElementCount) now.textContent = "—";
  tile.append(now);
  if (row && row.department_warning && c.status !== "closed") {
    const warning = el("p", "counter-department", "Khác Sở, ngành");
    warning.title = row.department_warning;
    tile.append(warning);
  }
  return tile;
}

// ----- overview: services, idle counters, warnings ------------------------------------------------

const minutes = (seconds) => (seconds === null || seconds === undefined ? "—" : `${Math.floor(seconds / 60)} phút`);

/** Ask soon after a queue event; events that arrive meanwhile ride on the same request. */
const overviewSoon = coalesce(askOverview, OVERVIEW_AFTER_EVENT_MS);

function askOverview() {
  if (!live || !live.socket.connected || overview.asking) return;
  overview.asking = true;
  const socket = live.socket;
  socket.timeout(REQUEST_TIMEOUT_MS).emit("overview", {}, (err, reply) => {
    overview.asking = false;
    if (!live || live.socket !== socket) return; // signed out meanwhile
    if (err || !reply) return;                   // the timer asks again
    if (!reply.ok) {
      gate.showSignIn(reply.message);
      return;
    }
    renderOverview(reply.overview);
  });
}

function stopOverview() {
  clearInterval(overview.timer);
  overviewSoon.cancel();
  overview.timer = null;
  overview.asking = false;
  if (live) live.socket.off("queue_event", overviewSoon);
}

function renderOverview(data) {
  state.lastOverview = data;
  $("overview-time").textContent = state.zoneKnown ? `Cập nhật lúc ${clock(data.now, true)}` : "";
  renderServices(data.services);
  state.idle = new Map(data.counters.filter((c) => c.idle_seconds !== null).map((c) => [c.number, {
    seconds: c.idle_seconds, waiting: c.waiting, over: c.idle_seconds >= data.idle_after_seconds,
  }]));
  state.rows = new Map(data.counters.map((c) => [c.number, c]));
  state.order = data.counters.map((c) => c.number);
  renderCounters();
  renderWarnings(data.alerts);
}

/** Services with people waiting, in the server's urgency order; those nobody waits for on one line below. */
function renderServices(services) {
  const body = $("services");
  body.textContent = "";
  const empty = services.filter((s) => s.waiting === 0 && !s.over_target);
  const waited = services.filter((x) => !empty.includes(x));
  $("board").dataset.services = waited.length > MANY_SERVICES ? "many" : "few"; // lower rows (board.css)
  for (const s of waited) {
    const row = el("tr", "service-row");
    row.dataset.service = s.service_code;
    row.classList.toggle("service-over", s.over_target);
    row.classList.toggle("service-empty", s.waiting === 0);
    const name = el("th", "service-name", s.service_name);
    name.scope = "row";
    row.append(name, el("td", "service-department", s.department_name),
      el("td", "num service-waiting", String(s.waiting)),
      el("td", "num service-longest", minutes(s.longest_wait_seconds)),
      el("td", "num service-target", minutes(s.target_wait_seconds)));
    body.append(row);
  }
  const idle = $("services-idle");
  idle.hidden = empty.length === 0;
  idle.replaceChildren(el("strong", "services-idle-count", `Không có người chờ (${empty.length}): `),
    ...empty.map((s, i) => {
      const name = el("span", "service-idle", `${i ? ", " : ""}${s.service_name}`);
      name.dataset.service = s.service_code;
      return name;
    }));
}

function renderWarnings(alerts) {
  const list = $("warnings");
  list.textContent = "";
  for (const alert of alerts.slice(0, WARNINGS_SHOWN)) {
    const item = el("li", `warning warning-${alert.kind}`);
    item.append(el("span", "warning-kind", WARNING_KIND[alert.kind] || alert.kind),
      el("span", "warning-message", alert.message));
    list.append(item);
  }
  const more = alerts.length - WARNINGS_SHOWN;
  $("warnings-more").hidden = more <= 0;
  $("warnings-more").textContent = more > 0 ? `và ${more} cảnh báo khác (xem các bảng, đã xếp theo mức khẩn)` : "";
  $("warnings-empty").hidden = alerts.length > 0;
  const count = $("warning-count");
  count.textContent = String(alerts.length);
  count.hidden = alerts.length === 0;
}

// ----- alerts: the open complaints of the feedback inbox ------------------------------------------

/** A "Không hài lòng" as it happens: ring now, list it from the inbox (where it is already stored). */
function onAlert() {
  ring();
  alertsSoon();
}

const alertsSoon = coalesce(loadAlerts, ALERTS_AFTER_EVENT_MS);

async function loadAlerts() {
  const asked = ++alerts.asking;
  try {
    const [page, summary] = await Promise.all([
      json("GET", ALERTS_QUERY), json("GET", "/api/feedback/summary")]);
    if (asked !== alerts.asking) return; // a newer request, or the board was left
    state.alerts = page.items;
    renderAlerts();
    renderOpenCount(summary);
  } catch (err) {
    if (asked !== alerts.asking) return;
    if (err.status === 401 || err.status === 403) gate.showSignIn(err.message);
    // Otherwise the list stays as it was; the next event or reconnection reads it again.
  }
}

function renderOpenCount(summary) {
  const link = $("feedback-open");
  link.hidden = !summary;
  if (!summary) return;
  link.textContent = summary.open ? `${summary.open} phản ánh chưa xử lý xong` : "Không có phản ánh chờ xử lý";
  link.classList.toggle("feedback-open-some", summary.open > 0);
}

function renderAlerts() {
  const open = new Set(state.alerts.map((a) => a.id));
  for (const id of state.seen) if (!open.has(id)) state.seen.delete(id);
  $("alerts").replaceChildren(...state.alerts.map(alertItem));
  $("alerts-empty").hidden = state.alerts.length > 0;
  renderAlertCount();
}

function isUnseen(alert) {
  return alert.state === "new" && !state.seen.has(alert.id);
}

function alertItem(alert) {
  const item = el("li", isUnseen(alert) ? "alert alert-new" : "alert");
  item.dataset.id = String(alert.id);
  item.tabIndex = 0;
  const head = el("div", "alert-head");
  head.append(el("span", "alert-time", clock(alert.opened_at, true)), el("span", "alert-level", alert.level_name),
    el("span", "alert-channel", CHANNEL[alert.channel] || alert.channel || ""));
  item.append(head);

  const who = el("p", "alert-who");
  who.append(el("span", "alert-counter", `Quầy ${pad2(alert.counter_number)}`),
    el("span", "alert-officer", alert.officer_name || alert.officer || "—"),
    el("span", "alert-ticket", `Số ${alert.label}`));
  item.append(who);

  if (alert.reasons.length) {
    const list = el("ul", "alert-reasons");
    for (const reason of alert.reasons) list.append(el("li", "alert-reason", reason));
    item.append(list);
  } else {
    item.append(el("p", "alert-none", "Không chọn lý do"));
  }
  if (alert.comment) {
    const comment = el("p", "alert-comment");
    comment.append(el("span", "alert-comment-label", "Góp ý: "), el("span", "alert-comment-text", alert.comment));
    item.append(comment);
  }

  const foot = el("div", "alert-foot");
  const taken = alert.history.filter((h) => h.to_state === "in_progress").pop();
  foot.append(el("span", `alert-state alert-state-${alert.state}`,
    taken ? `${alert.state_name}: ${taken.actor_name}` : alert.state_name));
  const handle = el("a", "alert-handle", "Xử lý");
  handle.href = `/admin/feedback?item=${alert.id}`;
  foot.append(handle);
  item.append(foot);

  const markSeen = () => {
    if (!item.classList.contains("alert-new")) return;
    item.classList.remove("alert-new");
    state.seen.add(alert.id);
    renderAlertCount();
  };
  item.addEventListener("click", markSeen);
  item.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") markSeen(); });
  return item;
}

function renderAlertCount() {
  const unseen = state.alerts.filter(isUnseen).length;
  const count = $("alert-count");
  count.textContent = unseen ? `${unseen} chưa xem` : `${state.alerts.length}`;
  count.hidden = state.alerts.length === 0;
  count.classList.toggle("alert-count-unseen", unseen > 0);
  // The tab's title shows unseen alerts when the page is behind another window.
  document.title = unseen ? `(${unseen}) Giám sát trực tiếp` : "Giám sát trực tiếp";
}

/** A short chime; browsers refuse sound before the first click, so then offer a button to allow it. */
function ring() {
  chime.currentTime = 0;
  const playing = chime.play();
  if (playing && playing.catch) playing.catch(() => { $("sound-on").hidden = false; });
}

// ----- start --------------------------------------------------------------------------------------

/** The center's name and, above all, its time zone: until it is known no time is written (never the PC's). */
async function loadCenterName() {
  const center = await loadCenter(RETRY_CENTER_MS);
  $("center-name").textContent = center.name || "";
  state.zoneKnown = true;
  renderCounters();
  renderAlerts();
  if (state.lastOverview) renderOverview(state.lastOverview);
}

function start() {
  $("sound-on").addEventListener("click", () => {
    $("sound-on").hidden = true;
    chime.currentTime = 0;
    chime.play().catch(() => { $("sound-on").hidden = false; });
  });
  loadCenterName();
  gate = startSignIn({
    roles: SUPERVISING_ROLES,
    title: "Đăng nhập giám sát",
    help: "Dành cho lãnh đạo, cán bộ giám sát của Trung tâm.",
    forbidden: "Tài khoản này không có quyền giám sát; mời đăng nhập tài khoản giám sát.",
    onBoard: startBoard,
    onLeave: leaveBoard,
  });
}

start();
