// Bàn làm việc của quầy: the officer signs in at a counter, then calls, serves and hands on citizens all day.
//
// The server holds all state (session cookie + database), so a reload simply draws it again. This page:
//   - signs in over HTTP (POST /api/session), then opens a Socket.IO "console" subscription (shared_ui/live.js);
//     the socket's session is read when it connects, which is why the socket is opened only after sign-in;
//   - sends each action as `counter_action` with an id from actionId() (shared_ui/live.js). Until the answer
//     arrives the action is kept in sessionStorage and resent with the SAME id after a reconnect or a reload: the server
//     applies an id once and answers a repeat with the first answer, so nobody is called twice;
//   - redraws from `console_state` after every answer and after live events that touch this counter: the next
//     five tickets this counter would call (the server's own call-next rule, Queue.call_order), its parked ones,
//     and a warning that stays while the officer holds a counter of another department;
//   - keys: Enter only starts a service and H finishes it, so a double press of Enter can never start and finish
//     one citizen's service (the help dialog, key ?, says so);
//   - writes every time on the center's clock (shared_ui/format.js, zone from /api/center), never the PC's.
import { $, choice, el, showMessage } from "/ui/shared/dom.js";
import { counterList, fold, pad2, time } from "/ui/shared/format.js";
import { answer, loadCenter as fetchCenter } from "/ui/shared/http.js";
import { actionId, coalesce, connect } from "/ui/shared/live.js";
import { ALL_ROLES, startSignIn } from "/ui/shared/signin.js";

const ACK_TIMEOUT_MS = 5000;
const REFRESH_DELAY_MS = 200;
const REQUEST_TIMEOUT_MS = 8000;
const RETRY_MS = 3000;
const INFO_MESSAGE_MS = 5000;
const ERROR_MESSAGE_MS = 15000;
// Refusals meaning this tab is no longer signed in: never signed in, or the stored session ended (sign-out
// elsewhere, password reset, account removed, an admin's "sign out everywhere", too long unused).
const SIGNED_OUT = ["not_signed_in", "session_ended"];
const PENDING_KEY = "hangdoi.console.pending";       // sessionStorage: the unanswered action of this tab
const LAST_COUNTER_KEY = "hangdoi.console.counter";  // localStorage: an officer usually sits at the same counter
const OTHER_REASON = "Lý do khác";
const PAUSE_REASONS = ["Nghỉ giải lao", "Họp", "Hỗ trợ công dân", OTHER_REASON];

// Keys by KeyboardEvent.code, not .key: a Vietnamese input method (Telex/VNI) must not change what R or S does.
// Start (Enter) and finish (H) are different keys: one double press can never do both.
const SHORTCUTS = {
  Space: "call_next", F1: "call_next", Enter: "start", NumpadEnter: "start", KeyH: "finish", KeyR: "recall",
  KeyS: "no_show", KeyT: "transfer", KeyP: "park", KeyG: "call_ticket", KeyZ: "pause",
};
// Counters in the transfer dialog: those working now first, then paused ones, closed ones last.
const COUNTER_ORDER = { open: 0, paused: 1, closed: 2 };

const state = {
  session: null,       // {officer: {username, name}, counter}
  center: null,        // GET /api/center: departments with services, priority groups
  services: new Map(), // service code → {name, department}
  counters: [],        // every counter's view, for the transfer dialog (snapshot, then counter events)
  view: null,          // {counter, stats}: what is drawn now
  clockOffset: 0,      // server clock − this PC's clock, in seconds: elapsed times use server timestamps
  pending: null,       // the action sent and not yet answered: {id, action, params, counter, officer}
  settling: false,     // answered, waiting for the fresh view before the buttons come back
};
let gate = null;        // the sign-in flow: gate.showSignIn(message); it also signs out (refused while serving)
let live = null;        // {socket, resync} from connect (live.js), while signed in
let connection = 0;     // which socket is the current one
let refreshSerial = 0;  // console views can arrive out of order; only a newer request may redraw
let drawnSerial = 0;

async function loadCenter() {
  if (state.center) return state.center;
  const body = await fetchCenter();
  state.center = body;
  state.services = new Map();
  for (const department of body.departments) {
    for (const service of department.services) state.services.set(service.code, { ...service, department });
  }
  return body;
}

const serviceName = (code) => (state.services.get(code) || {}).name || code;

function priorityName(code) {
  const group = state.center && state.center.priority_groups.find((g) => g.code === code);
  return group ? group.name : "";
}

// ----- sign-in ---------------------------------------------------------------------------------------

/** The counter list: from /api/queue (every counter, who holds it) and /api/center (service names). */
async function loadCounterChoices() {
  const select = $("signin-counter");
  try {
    const [center, queue] = await Promise.all([loadCenter(),
      answer("GET", "/api/queue", undefined, { timeout: REQUEST_TIMEOUT_MS })]);
    $("signin-center").textContent = center.name;
    const chosen = select.value || localStorage.getItem(LAST_COUNTER_KEY) || "";
    const options = [new Option("— Chọn quầy —", "")];
    for (const counter of (queue.body || {}).counters || []) {
      let text = `${counter.name} · ${counter.services.map(serviceName).join(", ")}`;
      if (counter.status !== "closed") text += ` (đang do ${counter.officer_name} đảm nhận)`;
      options.push(new Option(text, String(counter.number)));
    }
    select.replaceChildren(...options);
    select.value = options.some((o) => o.value === chosen) ? chosen : "";
  } catch (err) {
    select.replaceChildren(new Option("Không tải được danh sách quầy, đang thử lại…", ""));
    setTimeout(() => { if (document.body.dataset.view === "signin") loadCounterChoices(); }, RETRY_MS);
  }
}

/** The shared sign-in flow (shared_ui/signin.js), with the counter choice this page adds to the form. */
function startGate() {
  return startSignIn({
    roles: ALL_ROLES,
    counter: true,
    views: { loading: "loading-view", signin: "signin-view", board: "console-view" },
    boardView: "console",
    forbidden: "Vui lòng đăng nhập và chọn quầy làm việc.",
    incomplete: "Vui lòng nhập tên đăng nhập, mật khẩu và chọn quầy.",
    extra: () => ({ counter: Number($("signin-counter").value) }),
    onSignInShown: loadCounterChoices, // also after a refusal: a counter taken meanwhile shows who has it now
    onBoard(officer, session) {
      localStorage.setItem(LAST_COUNTER_KEY, String(session.counter));
      startConsole(session);
    },
    onLeave() { if (state.session) teardown(); },
    signOutButton: "signout",
    canSignOut: () => !busy(), // not while an action waits for its answer
    onSignOutRefused: (message) => tell(message || "Chưa đăng xuất được.", "error"),
  });
}

// ----- console: connection ---------------------------------------------------------------------------

function startConsole(session) {
  state.session = session;
  state.view = null;
  state.settling = false;
  state.pending = loadPending();
  // Focus left on the hidden sign-in button would swallow the first Enter or Space.
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  drawHeader();
  drawButtons();
  loadServiceNames();
  closeSocket();
  drawnSerial = refreshSerial = 0;
  // Callbacks of an earlier socket (before a sign-out) may still fire once; only this connection's count.
  const generation = connection;
  const mine = (handler) => (...args) => { if (generation === connection) handler(...args); };
  live = connect({
    screen: "console", onSnapshot: mine(onSnapshot), onEvent: mine(onEvent), onStatus: mine(onStatus),
    onRefused: mine(onRefused),
    // An admin changed services or groups: forget the cached /api/center and draw with the new names.
    onCenterChanged: mine(() => { state.center = null; loadServiceNames(); }),
  });
}

function closeSocket() {
  connection += 1;
  if (live) live.socket.disconnect();
  live = null;
}

/** Service and priority names for the current ticket and the transfer dialog; retried until it works. */
function loadServiceNames() {
  loadCenter().then(() => draw(state.view))
    .catch(() => setTimeout(() => { if (state.session) loadServiceNames(); }, RETRY_MS));
}

function onSnapshot(snapshot) {
  state.clockOffset = snapshot.now - Date.now() / 1000;
  state.counters = snapshot.counters;
  drawnSerial = ++refreshSerial;
  draw(snapshot.console);
  // Back after a drop, a server restart or a reload: the unanswered action goes again with its own id.
  if (state.pending) transmit(state.pending);
}

function onEvent(event) {
  if (event.counter && typeof event.counter.number === "number") {
    state.counters = state.counters.map((c) => (c.number === event.counter.number ? event.counter : c));
  }
  if (concernsMe(event)) scheduleRefresh();
}

/** Events about this counter, or about a service it serves (a new ticket changes the waiting count). */
function concernsMe(event) {
  const view = state.view && state.view.counter;
  if (!view || !state.session) return true; // nothing drawn yet: better one refresh too many
  const mine = state.session.counter;
  return event.counter_number === mine || (event.counter && event.counter.number === mine)
    || event.to_counter === mine || view.services.includes(event.service_code)
    || view.services.includes(event.to_service)
    || (event.service_codes || []).some((code) => view.services.includes(code)); // bookings_due: order changed
}

function onStatus(connected) {
  $("offline").hidden = connected;
  document.body.classList.toggle("is-offline", !connected);
}

function onRefused(reply) {
  if (SIGNED_OUT.includes(reply.error)) sessionEnded(reply.message);
  else tell(reply.message || "Máy chủ từ chối kết nối của quầy.", "error");
}

/** The session is gone (expired, or signed out on another tab): back to the sign-in form. */
function sessionEnded(message) {
  teardown();
  gate.showSignIn(message || "Phiên đăng nhập đã hết; mời đăng nhập lại.");
}

function teardown() {
  closeSocket();
  scheduleRefresh.cancel();
  state.session = state.view = state.pending = null;
  state.settling = false;
  sessionStorage.removeItem(PENDING_KEY);
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  hideMessage();
}

/** At most one refresh per REFRESH_DELAY_MS: a burst of events (a busy hall) costs one request, never starves. */
const scheduleRefresh = coalesce(() => refresh(), REFRESH_DELAY_MS);

function refresh(done) {
  if (!live || !live.socket.connected) {
    if (done) done();
    return;
  }
  const serial = ++refreshSerial;
  const socket = live.socket;
  socket.timeout(ACK_TIMEOUT_MS).emit("console_state", (err, reply) => {
    if (live && live.socket === socket && !err && reply) {
      if (reply.ok && serial > drawnSerial) {
        drawnSerial = serial;
        draw(reply.console);
      } else if (SIGNED_OUT.includes(reply.error)) {
        sessionEnded(reply.message);
        return;
      }
    }
    if (done) done();
  });
}

// ----- console: actions ------------------------------------------------------------------------------

function loadPending() {
  try {
    const entry = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
    if (entry && entry.id && entry.counter === state.session.counter
        && entry.officer === state.session.officer.username) return entry;
  } catch (err) { /* unreadable: drop it */ }
  sessionStorage.removeItem(PENDING_KEY);
  return null;
}

const busy = () => Boolean(state.pending) || state.settling;

/** One action at a time: while one waits for its answer, clicks and keys send nothing more. */
function send(action, params = {}) {
  if (!state.session || busy()) return;
  const entry = {
    id: actionId(), action, params,
    counter: state.session.counter, officer: state.session.officer.username,
  };
  state.pending = entry;
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(entry)); // a reload resends it too
  hideMessage();
  drawButtons();
  transmit(entry);
}

function transmit(entry) {
  const socket = live && live.socket;
  if (!socket || !socket.connected) {
    tell("Chưa gửi được thao tác do mất kết nối; thao tác sẽ tự gửi lại khi kết nối lại.", "warn");
    return; // onSnapshot sends it once the console has subscribed again
  }
  const message = { action_id: entry.id, action: entry.action, params: entry.params };
  socket.timeout(ACK_TIMEOUT_MS).emit("counter_action", message, (err, reply) => {
    if (state.pending !== entry) return; // a resend of the same id was answered first
    if (err || !reply) {
      // No answer in time. Still connected: ask again with the same id. Dropped: onSnapshot resends it.
      if (live && live.socket === socket && socket.connected) transmit(entry);
      else tell("Chưa nhận được trả lời; thao tác sẽ tự gửi lại khi kết nối lại.", "warn");
      return;
    }
    answered(entry, reply);
  });
}

function answered(entry, reply) {
  state.pending = null;
  sessionStorage.removeItem(PENDING_KEY);
  if (reply.ok) {
    tell(doneText(entry, reply.result || {}), "info");
  } else if (SIGNED_OUT.includes(reply.error)) {
    sessionEnded(reply.message);
    return;
  } else {
    tell(reply.message || "Không thực hiện được thao tác.", "error");
  }
  // Keep the buttons off until the fresh view arrives, so they never offer what the old state allowed.
  state.settling = true;
  drawButtons();
  refresh(() => {
    state.settling = false;
    drawButtons();
  });
}

function doneText(entry, result) {
  const label = result.label || entry.params.label || "";
  switch (entry.action) {
    case "call_next":
    case "call_ticket": return `Đã gọi số ${label}.`;
    case "recall": return `Đã gọi lại số ${label} (lần ${result.call_count}).`;
    case "start": return `Bắt đầu tiếp nhận số ${label}.`;
    case "finish": return `Đã hoàn thành số ${label}.`;
    case "no_show": return `Số ${label} vắng mặt – đã bỏ qua.`;
    case "park": return `Đã tạm gác số ${label}.`;
    case "resume_parked": return `Tiếp tục phục vụ số ${label}.`;
    case "transfer":
      return entry.params.to_counter
        ? `Đã chuyển số ${label} sang quầy ${pad2(entry.params.to_counter)}.`
        : `Đã chuyển số ${label} sang lĩnh vực ${result.service_name || serviceName(entry.params.to_service)}.`;
    case "pause": return `Quầy đã tạm dừng: ${entry.params.reason}.`;
    case "resume": return "Quầy tiếp tục làm việc.";
    case "open": return "Đã mở quầy.";
    default: return "Đã thực hiện.";
  }
}

/** May this action be taken now? The server decides in the end; this keeps pointless buttons off. */
function allowed(action) {
  const counter = state.view && state.view.counter;
  if (!counter || !state.session) return false;
  const held = counter.status !== "closed" && counter.officer === state.session.officer.username;
  const ticket = counter.current && counter.current.state;
  switch (action) {
    case "open": return !held;
    case "call_next":
    case "call_ticket":
    case "resume_parked": return held && counter.status === "open" && !counter.current;
    case "recall":
    case "start":
    case "no_show": return held && ticket === "called";
    case "finish":
    case "park": return held && ticket === "serving";
    case "transfer": return held && (ticket === "called" || ticket === "serving");
    case "pause": return held; // Tạm dừng, or Tiếp tục when paused
    default: return false;
  }
}

/** A click (or its key) on one of the action buttons. */
function choose(action) {
  if (busy() || !allowed(action)) return;
  if (action === "transfer") openTransfer();
  else if (action === "call_ticket") openCallDialog();
  else if (action === "pause") {
    if (state.view.counter.status === "paused") send("resume");
    else openPauseDialog();
  } else send(action);
}

// ----- console: drawing ------------------------------------------------------------------------------

function draw(view) {
  if (!view || !state.session) return;
  state.view = view;
  drawHeader();
  drawWarning();
  drawCurrent();
  drawStats();
  drawButtons();
  tick();
}

function drawHeader() {
  const number = state.session.counter;
  const counter = state.view && state.view.counter;
  const name = state.session.officer.name;
  $("counter-title").textContent = `QUẦY ${pad2(number)} – ${name}`;
  document.title = `Quầy ${pad2(number)} – Hàng đợi`;
  const status = $("counter-status");
  if (!counter) {
    status.textContent = "";
    status.dataset.status = "";
    return;
  }
  status.dataset.status = counter.status;
  status.textContent = counter.status === "open" ? "Đang làm việc"
    : counter.status === "paused" ? `Tạm dừng – ${counter.pause_reason || ""}` : "Quầy chưa mở";
  $("pause-name").textContent = counter.status === "paused" ? "Tiếp tục" : "Tạm dừng";
}

function drawCurrent() {
  const counter = state.view.counter;
  const ticket = counter.current;
  const card = document.querySelector(".current-card");
  card.dataset.state = ticket ? ticket.state : counter.status === "paused" ? "paused" : "idle";
  $("current-ticket").hidden = !ticket;
  $("current-empty").hidden = Boolean(ticket);
  if (ticket) {
    $("current-label").textContent = ticket.label;
    $("current-service").textContent = serviceName(ticket.service_code);
    $("current-state").textContent = ticket.state === "serving" ? "Đang phục vụ" : "Đã gọi";
    $("current-state").dataset.state = ticket.state;
    const priority = ticket.priority_group ? priorityName(ticket.priority_group) : "";
    $("current-priority").hidden = !ticket.priority_group;
    $("current-priority").textContent = priority ? `Ưu tiên · ${priority}` : "Ưu tiên";
    // How the citizen came, when not by the kiosk: "Lịch hẹn" (a booking), "Từ xa" (a remote number).
    $("current-channel").hidden = !ticket.channel || ticket.channel === "kiosk";
    $("current-channel").textContent = ticket.channel_name || "";
    $("current-calls").textContent = `Lần gọi: ${ticket.call_count}`;
    $("elapsed-caption").textContent = ticket.state === "serving" ? "Thời gian phục vụ" : "Từ lúc gọi";
    return;
  }
  const held = counter.status !== "closed" && counter.officer === state.session.officer.username;
  const waiting = state.view.stats.waiting_total;
  $("open-counter").hidden = held;
  if (!held) {
    $("empty-title").textContent = "Quầy chưa mở";
    $("empty-help").textContent = counter.status === "closed"
      ? "Bấm “Mở quầy” để bắt đầu tiếp nhận công dân."
      : `Quầy đang do ${counter.officer_name} đảm nhận.`;
  } else if (counter.status === "paused") {
    $("empty-title").textContent = "Quầy đang tạm dừng";
    $("empty-help").textContent = "Bấm “Tiếp tục” (phím Z) để gọi số trở lại.";
  } else if (waiting > 0) {
    $("empty-title").textContent = "Chưa gọi số";
    $("empty-help").textContent = `Có ${waiting} công dân đang chờ. Bấm “Gọi số tiếp theo” (phím Space).`;
  } else {
    $("empty-title").textContent = "Chưa có công dân chờ";
    $("empty-help").textContent = "Số mới sẽ hiện ở cột “Số tiếp theo” ngay khi công dân lấy số.";
  }
}

/** The officer's own warning: this counter serves another department's services (null when it does not). */
function drawWarning() {
  const warning = state.view.department_warning;
  $("department-warning").textContent = warning || "";
  $("department-warning").hidden = !warning;
}

function drawStats() {
  const stats = state.view.stats;
  // What this counter may call, per service: tickets sent to another counter are that counter's.
  $("waiting-list").replaceChildren(...stats.waiting.map((s) => {
    const item = el("span", s.waiting ? "waiting-row" : "waiting-row is-zero");
    item.dataset.service = s.service_code;
    item.append(el("span", "waiting-name", s.service_name), " ", el("span", "waiting-count", String(s.waiting)));
    return item;
  }));
  $("waiting-total").textContent = String(stats.waiting_total);
  $("next-list").replaceChildren(...stats.next.map(nextRow));
  $("next-empty").hidden = stats.next.length > 0;
  $("served-today").textContent = String(stats.served_today);
  const meanWait = stats.mean_wait_minutes;
  $("mean-wait").textContent = meanWait === null || meanWait === undefined ? "–"
    : meanWait < 1 ? "dưới 1 phút" : `${Math.round(meanWait)} phút`;
  const parked = stats.parked_tickets.map((ticket) => {
    const row = el("li", "parked-row");
    row.dataset.label = ticket.label;
    const button = el("button", { class: "act act-small", type: "button" }, "Tiếp tục");
    button.dataset.action = "resume_parked";
    button.dataset.label = ticket.label;
    const about = el("span", "parked-about");
    about.append(el("span", "parked-label", ticket.label), el("span", "parked-service", ticket.service_name));
    row.append(about, button);
    return row;
  });
  $("parked-list").replaceChildren(...parked);
  $("parked-empty").hidden = parked.length > 0;
}

/** One of the next tickets: number, service, minutes waited, priority, and how it came when not by the kiosk. */
function nextRow(ticket) {
  const row = el("li", ticket.priority_group ? "next-row is-priority" : "next-row");
  row.dataset.label = ticket.label;
  const about = el("span", "next-about");
  about.append(el("span", "next-service", ticket.service_name));
  const tags = el("span", "next-tags");
  if (ticket.priority_group) tags.append(el("span", "next-tag tag-priority", `Ưu tiên · ${ticket.priority_name}`));
  if (ticket.channel !== "kiosk") tags.append(el("span", "next-tag tag-channel", ticket.channel_name));
  if (ticket.reserved) tags.append(el("span", "next-tag tag-reserved", "Chuyển đến quầy này"));
  if (tags.childElementCount) about.append(tags);
  const waited = el("span", "next-waited", minutesWaited(ticket));
  waited.dataset.arrivedAt = String(ticket.arrived_at);
  row.append(el("span", "next-label", ticket.label), about, waited);
  return row;
}

/** Whole minutes since the citizen took the number (the server's clock), as the row says it. */
function minutesWaited(ticket) {
  const seconds = Math.max(0, Date.now() / 1000 + state.clockOffset - ticket.arrived_at);
  return `${Math.floor(seconds / 60)} phút`;
}

function drawButtons() {
  const pendingAction = state.pending && state.pending.action;
  for (const button of document.querySelectorAll(".console [data-action]")) {
    const action = button.dataset.action;
    button.disabled = busy() || !allowed(action);
    // The button that was pressed shows it is waiting for the server (resume/pause share one button).
    const mine = pendingAction === action || (pendingAction === "resume" && action === "pause");
    const sending = mine && (action !== "resume_parked" || state.pending.params.label === button.dataset.label);
    button.classList.toggle("is-sending", Boolean(sending));
    button.setAttribute("aria-busy", sending ? "true" : "false");
  }
  $("open-counter").disabled = busy() || !allowed("open");
  $("signout").disabled = busy();
}

/** The clock in the header, the minutes waited in the next list and the elapsed time of the current ticket,
 *  once a second. */
function tick() {
  // The center's clock, even on a PC left on another zone: written once /api/center has said the zone.
  $("clock").textContent = state.center ? time(Date.now()) : "";
  for (const waited of document.querySelectorAll("#next-list .next-waited")) {
    waited.textContent = minutesWaited({ arrived_at: Number(waited.dataset.arrivedAt) });
  }
  const ticket = state.view && state.view.counter.current;
  if (!ticket) return;
  const since = ticket.state === "serving" && ticket.service_started_at ? ticket.service_started_at
    : ticket.first_called_at;
  const seconds = Math.max(0, Math.floor(Date.now() / 1000 + state.clockOffset - since));
  $("elapsed-time").textContent = duration(seconds);
}

function duration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}:${pad2(m)}:${pad2(s)}` : `${pad2(m)}:${pad2(s)}`;
}

/** The console's message line: a refusal stays long enough to read, a "done" note goes quickly, a warning stays
 *  until its action is answered. */
function tell(text, kind) {
  const hideAfterMs = { error: ERROR_MESSAGE_MS, info: INFO_MESSAGE_MS }[kind];
  showMessage($("message"), text, { kind, hideAfterMs });
}

function hideMessage() {
  showMessage($("message"), "");
}

// ----- dialogs -----------------------------------------------------------------------------------------

function openTransfer() {
  const dialog = $("transfer-dialog");
  const ticket = state.view.counter.current;
  $("transfer-label").textContent = ticket.label;
  const sections = [];
  for (const department of (state.center ? state.center.departments : [])) { // none until /api/center answers
    const buttons = [];
    for (const service of department.services) {
      if (service.code === ticket.service_code) continue; // "already in this service" would be refused
      const counters = service.counters.length ? `Quầy ${counterList(service.counters)}` : "";
      const button = choice(service.name, counters,
        () => { dialog.close(); send("transfer", { to_service: service.code }); });
      button.dataset.service = service.code;
      button.dataset.search = fold(`${service.name} ${department.name} ${service.code} ${counters}`);
      buttons.push(button);
    }
    if (!buttons.length) continue;
    const group = el("div", "choice-group");
    group.dataset.department = department.code;
    group.append(el("h4", "choice-group-title", department.name), ...buttons);
    sections.push(group);
  }
  $("transfer-services").replaceChildren(...sections);
  const others = state.counters.filter((c) => c.number !== state.session.counter)
    .sort((a, b) => (COUNTER_ORDER[a.status] ?? 3) - (COUNTER_ORDER[b.status] ?? 3) || a.number - b.number);
  const counters = others.map((counter) => {
    const status = counter.status === "open" ? `Đang làm việc – ${counter.officer_name}`
      : counter.status === "paused" ? `Tạm dừng – ${counter.officer_name}` : "Chưa mở";
    const services = counter.services.map(serviceName).join(", ");
    const button = choice(counter.name, `${services} · ${status}`,
      () => { dialog.close(); send("transfer", { to_counter: counter.number }); });
    button.dataset.counter = String(counter.number);
    button.dataset.status = counter.status;
    button.dataset.search = fold(`${counter.name} ${pad2(counter.number)} ${services} ${status}`);
    if (counter.status === "closed") button.classList.add("is-closed");
    return button;
  });
  $("transfer-counters").replaceChildren(...counters);
  $("transfer-search").value = "";
  filterTransfer();
  dialog.showModal();
  $("transfer-search").focus();
}

/** Keep the counters and services whose words contain every word typed (tone marks and case ignored). */
function filterTransfer() {
  const words = fold($("transfer-search").value).split(" ").filter(Boolean);
  let shown = 0;
  for (const button of document.querySelectorAll("#transfer-dialog .choice[data-search]")) {
    button.hidden = !words.every((word) => button.dataset.search.includes(word));
    if (!button.hidden) shown += 1;
  }
  for (const group of document.querySelectorAll("#transfer-services .choice-group")) {
    group.hidden = !group.querySelector(".choice:not([hidden])");
  }
  $("transfer-none").hidden = shown > 0;
}

/** Enter in the search box takes the one choice left, when only one is. */
function pickOnlyTransfer(event) {
  if (event.key !== "Enter") return;
  event.preventDefault();
  const left = document.querySelectorAll("#transfer-dialog .choice[data-search]:not([hidden])");
  if (left.length === 1) left[0].click();
}

function openCallDialog() {
  $("call-label").value = "";
  $("call-error").hidden = true;
  $("call-dialog").showModal();
  $("call-label").focus();
}

function submitCall(event) {
  event.preventDefault();
  // Labels are a 1–2 letter prefix and a number of at least 3 digits (A012): "a12" means A012.
  const parts = /^([A-Z]{1,2})\s*(\d{1,4})$/.exec($("call-label").value.trim().toUpperCase());
  if (!parts) {
    $("call-error").textContent = "Nhập số thứ tự gồm chữ cái và chữ số, ví dụ A012.";
    $("call-error").hidden = false;
    return;
  }
  const label = parts[1] + String(Number(parts[2])).padStart(3, "0");
  $("call-dialog").close();
  send("call_ticket", { label });
}

function openPauseDialog() {
  const reasons = PAUSE_REASONS.map((reason) => {
    const button = choice(reason, "", () => {
      if (reason === OTHER_REASON) {
        $("pause-other").hidden = false;
        $("pause-submit").hidden = false;
        $("pause-other-text").focus();
      } else {
        $("pause-dialog").close();
        send("pause", { reason });
      }
    });
    button.dataset.reason = reason;
    return button;
  });
  $("pause-reasons").replaceChildren(...reasons);
  $("pause-other").hidden = true;
  $("pause-submit").hidden = true;
  $("pause-other-text").value = "";
  $("pause-error").hidden = true;
  $("pause-dialog").showModal();
}

function submitPause(event) {
  event.preventDefault();
  const reason = $("pause-other-text").value.trim();
  if (!reason) {
    $("pause-error").textContent = "Vui lòng nhập lý do tạm dừng.";
    $("pause-error").hidden = false;
    return;
  }
  $("pause-dialog").close();
  send("pause", { reason });
}

// ----- keyboard ----------------------------------------------------------------------------------------

function typing(target) {
  return Boolean(target && target.closest && target.closest("input, textarea, select, [contenteditable]"));
}

function onKeyDown(event) {
  if (document.body.dataset.view !== "console" || event.ctrlKey || event.altKey || event.metaKey) return;
  if (typing(event.target) || document.querySelector("dialog[open]")) return; // dialogs have their own keys
  if (event.key === "?") {
    event.preventDefault();
    $("help-dialog").showModal();
    return;
  }
  const action = event.key === "F1" ? "call_next" : SHORTCUTS[event.code];
  if (!action) return;
  // Enter or Space on a button the officer tabbed to belongs to that button.
  if ((event.key === "Enter" || event.code === "Space") && event.target.closest && event.target.closest("button")) return;
  event.preventDefault(); // no page scroll on Space, no browser help on F1
  if (event.repeat) return; // a key held down is one press
  const button = document.querySelector(`.actions [data-action="${action}"]`);
  if (!button || button.disabled) return;
  button.classList.add("is-pressed"); // the officer sees which button the key pressed
  setTimeout(() => button.classList.remove("is-pressed"), 180);
  choose(action);
}

// ----- wiring --------------------------------------------------------------------------------------------

function bind() {
  $("open-counter").addEventListener("click", () => { if (!busy()) send("open"); });
  document.querySelector(".actions").addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (button && !button.disabled) choose(button.dataset.action);
  });
  $("parked-list").addEventListener("click", (event) => {
    const button = event.target.closest("[data-action=resume_parked]");
    if (button && !button.disabled && allowed("resume_parked")) send("resume_parked", { label: button.dataset.label });
  });
  // A mouse click must not leave focus on a button: the next Enter or Space is a shortcut, not that button again.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest && event.target.closest(".console button")) event.preventDefault();
  });
  document.addEventListener("keydown", onKeyDown);
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  $("call-form").addEventListener("submit", submitCall);
  $("transfer-search").addEventListener("input", filterTransfer);
  $("transfer-search").addEventListener("keydown", pickOnlyTransfer);
  $("help-open").addEventListener("click", () => $("help-dialog").showModal());
  $("pause-form").addEventListener("submit", submitPause);
  setInterval(tick, 1000);
}

bind();
gate = startGate();
