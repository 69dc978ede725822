// Rating tablet of one counter (/tablet/5): who serves here, then "how was it?" right after each service.
// It runs unattended all day beside the officer, so every screen returns to the idle one by itself, and a rating
// the citizen gave is never lost: it is written to localStorage before it is sent, and sent again until the
// server has answered for it (the server counts one client_id once, so resending is always safe).
// A tapped level is a rating: when the citizen walks away after choosing "Không hài lòng" (and perhaps reasons),
// or the next citizen is called first, the choice is sent as it stands, marked `timed_out`, with the client id
// it got when the level was tapped. Until then it is kept as a draft in localStorage, so a reload keeps it too.
import { accessToggle, resetAccess } from "/ui/shared/access.js";
import { whenPaired } from "/ui/shared/device.js";
import { $, button, el } from "/ui/shared/dom.js";
import { pad2 } from "/ui/shared/format.js";
import { loadCenter as fetchCenter } from "/ui/shared/http.js";
import { moveFocus, numberedChoices, typing, visibleButtons } from "/ui/shared/keypad.js";
import { actionId, connect } from "/ui/shared/live.js";
import { digitKeys, guide, nameKey } from "/ui/shared/voice.js";

const params = new URLSearchParams(location.search);
const COUNTER = Number(location.pathname.replace(/\/+$/, "").split("/").pop());
const RATING_TIMEOUT_SECONDS = positiveNumber(params.get("timeout"), 30); // ?timeout=2 is for tests only
const THANKS_SECONDS = 5;
const RECENT_FINISH_SECONDS = 30; // after a reconnect, still offer the rating of a service this recent
const RESEND_SECONDS = 15;
const ACK_TIMEOUT_MS = 5000;
const CENTER_RETRY_SECONDS = 3;
const OUTBOX_KEY = "hangdoi.tablet.outbox"; // one key for the browser: an item names its own counter
const CENTER_KEY = "hangdoi.tablet.center"; // the last scale seen, so a tablet reloaded offline still works
const DRAFT_KEY = `hangdoi.tablet.draft.${COUNTER}`; // the level chosen and not yet sent on this counter's tablet
const DEVICE = params.get("device") || `tablet-${pad2(COUNTER)}`;
// Refusals that will never change however often the rating is resent: drop the rating from the outbox.
const FINAL_REFUSALS = new Set(["already_rated", "not_finished", "not_served", "not_served_here",
  "rating_closed", "unknown_counter", "unknown_ticket"]);

// On-screen keyboard: Vietnamese letters first, then the tone marks, then the Latin rows.
const VOWEL_KEYS = ["ă", "â", "ê", "ô", "ơ", "ư", "đ"];
const TONE_KEYS = [ // the combining mark each tone adds, with a sample letter so the key shows its effect
  { name: "sắc", mark: "\u0301", sample: "á" },
  { name: "huyền", mark: "\u0300", sample: "à" },
  { name: "hỏi", mark: "\u0309", sample: "ả" },
  { name: "ngã", mark: "\u0303", sample: "ã" },
  { name: "nặng", mark: "\u0323", sample: "ạ" },
];
const LETTER_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm,.?"];
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const SHAPE_MARKS = /[\u0302\u0306\u031b]/; // â ê ô (circumflex), ă (breve), ơ ư (horn)

const state = {
  center: null,      // {name, rating: {levels, reasons, dissatisfied, reason_required}} from /api/center
  counter: null,     // this counter's view: status, officer_name, current {label, state}
  known: false,      // a snapshot has been drawn (until then the counter is unknown, not closed)
  screen: "idle",
  pending: null,     // the service being rated: {label, service_date}
  choice: null,      // the "Không hài lòng" chosen for it and not sent yet: {client_id, level, reasons, comment}
  offered: new Set(), // "date|label" whose rating screen was already shown: never offer it twice
  connected: false,
  everConnected: false,
};
const timers = {};
const inFlight = new Set(); // client ids sent and not yet answered, so a timer does not send them twice at once
let outbox = loadOutbox();
let live = null;

// ----- small helpers ------------------------------------------------------------------------------

function positiveNumber(text, fallback) {
  const n = Number(text);
  return text && Number.isFinite(n) && n > 0 ? n : fallback;
}

function storageGet(key) {
  try {
    return JSON.parse(localStorage.getItem(key));
  } catch (err) {
    return null;
  }
}

function storageSet(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (err) { // full or disabled storage: the rating is still kept in memory until sent
    console.warn("localStorage", err);
    return false;
  }
}

/** Whether a level asks for reasons: as the server counts it (its list), else by its words (an old saved copy). */
function isDissatisfied(level) {
  const rating = state.center.rating;
  if (Array.isArray(rating.dissatisfied)) return rating.dissatisfied.includes(level);
  return rating.levels[level - 1].toLowerCase().includes("không hài lòng");
}

// ----- the outbox: ratings given but not yet acknowledged by the server ----------------------------

function loadOutbox() {
  const items = storageGet(OUTBOX_KEY);
  return Array.isArray(items) ? items.filter((i) => i && typeof i.client_id === "string") : [];
}

function saveOutbox() {
  storageSet(OUTBOX_KEY, outbox);
  renderBadge();
}

function inOutbox(label, date) {
  return outbox.some((i) => i.counter === COUNTER && i.label === label && i.service_date === date);
}

/** Send one kept rating; it leaves the outbox only on an answer that resending cannot change. */
function send(item) {
  if (!live || !live.socket.connected || inFlight.has(item.client_id)) return;
  inFlight.add(item.client_id);
  const { saved_at: _saved, ...message } = item;
  live.socket.timeout(ACK_TIMEOUT_MS).emit("rate", message, (err, reply) => {
    inFlight.delete(item.client_id);
    if (err || !reply) return; // no answer in time: it stays, and goes again on reconnect or in 15 s
    if (reply.error === "reason_required" && !item.timed_out) {
      // The center began to require a reason after this screen loaded: a complaint is never dropped, so it goes
      // again as a choice the tablet sends on its own (the server keeps those without a reason).
      item.timed_out = true;
      saveOutbox();
      send(item);
      return;
    }
    const final = reply.ok || FINAL_REFUSALS.has(reply.error) || String(reply.error).startsWith("bad_");
    if (!final) return;
    if (!reply.ok) console.warn("rating refused", item.label, reply.error, reply.message);
    outbox = outbox.filter((i) => i.client_id !== item.client_id);
    saveOutbox();
  });
}

function flush() {
  outbox.slice().forEach(send);
}

// ----- screens ------------------------------------------------------------------------------------

const ratingOpen = () => state.screen === "rating" || state.screen === "reasons";

function show(screen) {
  state.screen = screen;
  document.body.dataset.screen = screen;
  for (const section of document.querySelectorAll(".screen")) section.hidden = section.dataset.screen !== screen;
  clearTimeout(timers.untouched);
  clearTimeout(timers.thanks);
  if (screen === "rating" || screen === "reasons") {
    armTimeout();
  } else { // whoever leaves a rating screen has sent or discarded the choice first (leaveRating, submit)
    state.pending = null;
    forgetChoice();
    closeKeyboard();
  }
  if (screen === "thanks") timers.thanks = setTimeout(() => show("idle"), THANKS_SECONDS * 1000);
  if (screen !== "rating") guide.stop();
  if (screen === "idle") {
    resetAccess(); // the next citizen finds the usual screen
    renderIdle();
  }
}

/** Nobody touched the rating for a while: the citizen has left. What they chose is sent; with no level chosen
 * the service stays unrated. */
function armTimeout() {
  clearTimeout(timers.untouched);
  timers.untouched = setTimeout(leaveRating, RATING_TIMEOUT_SECONDS * 1000);
}

function renderIdle() {
  const label = `QUẦY SỐ ${pad2(COUNTER)}`;
  $("idle-counter").textContent = label;
  $("top-counter").textContent = label;
  const counter = state.counter;
  const officer = $("idle-officer");
  const status = $("idle-status");
  const serving = $("idle-serving");
  officer.hidden = serving.hidden = true;
  status.hidden = false;
  status.className = "idle-status";
  if (!state.known) {
    status.textContent = "Đang kết nối…";
  } else if (!counter) {
    status.textContent = "Quầy này không có trong cấu hình của trung tâm";
  } else if (counter.status === "closed") {
    status.textContent = "Quầy chưa mở";
    status.classList.add("idle-status-closed");
  } else {
    officer.textContent = `Công chức: ${counter.officer_name || counter.officer || ""}`;
    officer.hidden = false;
    const current = counter.current;
    if (current && (current.state === "called" || current.state === "serving")) {
      serving.textContent = "";
      serving.append("Đang phục vụ số ", el("strong", "idle-label", current.label));
      serving.hidden = false;
      status.hidden = true;
    } else if (counter.status === "paused") {
      status.textContent = "Quầy tạm dừng, Ông/Bà vui lòng chờ trong giây lát";
      status.classList.add("idle-status-paused");
    } else {
      status.textContent = "Mời Ông/Bà chú ý màn hình và loa gọi số";
    }
  }
}

function renderBadge() {
  const badge = $("badge");
  const parts = [];
  if (!state.connected) parts.push(state.everConnected ? "Mất kết nối" : "Đang kết nối…");
  if (outbox.length) parts.push(`Chưa gửi: ${outbox.length}`);
  badge.textContent = parts.join(" · ");
  badge.hidden = parts.length === 0;
  badge.classList.toggle("badge-offline", !state.connected);
}

// ----- the rating screens ------------------------------------------------------------------------

/** Show the rating of a service that just ended here, unless it was offered or rated already. */
function offer(label, date) {
  const key = `${date}|${label}`;
  if (state.offered.has(key) || inOutbox(label, date)) return;
  leaveRating(); // a rating still open belongs to the service before: what was chosen there goes first
  state.offered.add(key);
  state.pending = { label, service_date: date };
  $("rating-ticket").textContent = `Số thứ tự: ${label}`;
  renderLevels();
  show("rating");
}

/**
 * The citizen has gone (the timeout, the next citizen called): the level they chose, with the reasons and
 * comment as they stand, is sent for the service it was chosen for, marked timed_out; with nothing chosen the
 * service stays unrated. The tablet then returns to idle.
 */
function leaveRating() {
  if (!ratingOpen()) return;
  if (state.choice) submit(state.choice, true);
  show("idle");
}

/** The citizen rated on the phone meanwhile: nothing left to ask, and nothing chosen here is sent. */
function dropRating() {
  if (ratingOpen()) show("idle");
}

// ----- the choice not sent yet, kept as a draft ---------------------------------------------------

function saveDraft() {
  const { label, service_date: date } = state.pending;
  storageSet(DRAFT_KEY, { ...state.choice, counter: COUNTER, label, service_date: date, device: DEVICE });
}

function forgetChoice() {
  state.choice = null;
  try {
    localStorage.removeItem(DRAFT_KEY);
  } catch (err) { // disabled storage: there was no draft either
    console.warn("localStorage", err);
  }
}

/** A choice left by a reload or a power cut: the citizen is gone, so it goes as if the screen had timed out. */
function recoverDraft() {
  const draft = storageGet(DRAFT_KEY);
  if (draft && typeof draft.client_id === "string" && Number.isInteger(draft.level)) {
    if (!outbox.some((i) => i.client_id === draft.client_id)) { // moved already, if storage failed in between
      outbox.push(outboxItem(draft, true));
      saveOutbox();
    }
  }
  forgetChoice();
}

function toneOf(name, index, count) {
  const n = name.toLowerCase();
  if (n.includes("rất không")) return "very-bad";
  if (n.includes("không hài lòng")) return "bad";
  if (n.includes("bình thường")) return "neutral";
  if (n.includes("rất hài lòng")) return "very-good";
  if (n.includes("hài lòng")) return "good";
  const scale = ["very-good", "good", "neutral", "bad", "very-bad"]; // other wording: by position, best first
  return scale[Math.round((index * 4) / Math.max(count - 1, 1))];
}

function face(tone) {
  const node = el("span", `face face-${tone}`);
  node.setAttribute("aria-hidden", "true");
  node.append(el("span", "eye eye-left"), el("span", "eye eye-right"), el("span", "mouth"));
  return node;
}

function renderLevels() {
  const box = $("levels");
  box.textContent = "";
  const levels = state.center ? state.center.rating.levels : [];
  box.dataset.count = String(levels.length);
  levels.forEach((name, i) => {
    const tone = toneOf(name, i, levels.length);
    const level = button(null, `level level-${tone}`, () => chooseLevel(i + 1));
    // The number a keypad presses, beside the face and the words: the colour is never the only cue.
    level.append(el("span", { class: "level-key", "aria-hidden": "true" }, String(i + 1)), face(tone),
      el("span", "level-name", name));
    box.append(level);
  });
}

function chooseLevel(level) {
  if (state.screen !== "rating" || !state.pending) return; // a second tap while the screen changes
  if (isDissatisfied(level)) {
    // From here on this is a rating: it goes when sent, or on its own when the citizen leaves.
    state.choice = { client_id: actionId(), level, reasons: [], comment: null };
    saveDraft();
    openReasons();
  } else {
    submit({ client_id: actionId(), level, reasons: [], comment: null }, false);
  }
}

function openReasons() {
  const box = $("reasons");
  box.textContent = "";
  for (const reason of state.center.rating.reasons) {
    const toggle = button(null, "reason", () => {
      toggle.setAttribute("aria-pressed", String(toggle.getAttribute("aria-pressed") !== "true"));
      chosenChanged();
    });
    toggle.dataset.reason = reason;
    toggle.setAttribute("aria-pressed", "false");
    toggle.append(el("span", "reason-check"), el("span", "reason-text", reason));
    box.append(toggle);
  }
  const required = Boolean(state.center.rating.reason_required);
  $("reasons-help").textContent = required ? "Vui lòng chọn ít nhất một lý do (có thể chọn nhiều)"
    : "Có thể chọn nhiều lý do";
  $("reasons-error").hidden = true;
  $("comment").value = "";
  closeKeyboard();
  show("reasons");
}

/** The reasons ticked and the comment typed so far become the choice (and its draft). */
function chosenChanged() {
  if (state.screen !== "reasons" || !state.choice) return;
  state.choice.reasons = Array.from(document.querySelectorAll(".reason[aria-pressed='true']"),
    (b) => b.dataset.reason);
  state.choice.comment = $("comment").value.normalize("NFC").trim() || null;
  if (state.choice.reasons.length) $("reasons-error").hidden = true;
  saveDraft();
}

function sendReasons() {
  if (state.screen !== "reasons" || !state.pending || !state.choice) return;
  chosenChanged();
  if (state.center.rating.reason_required && !state.choice.reasons.length) {
    $("reasons-error").hidden = false; // the center asks why: the citizen picks one (leaving still sends it)
    return;
  }
  submit(state.choice, false);
}

/** What the outbox keeps of a choice (the client id it got when the level was tapped: one rating, once). */
function outboxItem(choice, timedOut) {
  const item = {
    client_id: choice.client_id, counter: COUNTER, label: choice.label, level: choice.level,
    reasons: choice.reasons || [], comment: choice.comment || null, service_date: choice.service_date,
    device: DEVICE, saved_at: Date.now(),
  };
  if (timedOut) item.timed_out = true;
  return item;
}

/** Keep the rating first, send it second: the citizen is thanked whether or not the server is reachable. */
function submit(choice, timedOut) {
  const item = outboxItem({ ...choice, ...state.pending }, timedOut);
  outbox.push(item);
  saveOutbox();
  forgetChoice(); // after the outbox has it: a reload in between finds the same client id in both
  send(item);
  if (!timedOut) show("thanks");
}

/** The question and each level read aloud ("… chọn số 1, Rất hài lòng …"), when the citizen asks. */
function readAloud() {
  if (state.screen !== "rating" || !state.center) return;
  const levels = state.center.rating.levels;
  guide.say(["hd-cau-hoi-danh-gia",
    ...levels.flatMap((name, i) => ["hd-chon-so", ...digitKeys(i + 1), nameKey(name)])]);
}

/** Keys and keypad: a number takes that level, arrows move the focus, 0 reads the question aloud; Enter
 *  presses the focused button (buttons do that themselves). */
function onKey(event) {
  if (typing(event)) return;
  if (state.screen === "rating") {
    const levels = Array.from(document.querySelectorAll("#levels .level"));
    if (numberedChoices(event, levels)) return;
    if (event.key === "0" || event.code === "Numpad0") {
      event.preventDefault();
      readAloud();
      return;
    }
    moveFocus(event, visibleButtons(screenSection("rating")));
  } else if (state.screen === "reasons") {
    moveFocus(event, visibleButtons(screenSection("reasons")));
  }
}

function screenSection(name) {
  return document.querySelector(`.screen[data-screen="${name}"]`);
}

// ----- on-screen Vietnamese keyboard --------------------------------------------------------------

function key(name, label, className, action, caption) {
  const node = button(null, `key ${className || ""}`.trim(), action);
  node.dataset.key = name; // what the key does, for people reading the page and for tests
  node.setAttribute("aria-label", caption ? `${label} ${caption}` : label);
  node.append(el("span", "key-main", label));
  if (caption) node.append(el("span", "key-caption", caption));
  // Keeping the mouse-down from taking the focus leaves the comment focused; click does the typing.
  node.addEventListener("mousedown", (e) => e.preventDefault());
  return node;
}

function buildKeyboard() {
  const board = $("keyboard");
  const marks = el("div", "key-row key-row-marks");
  for (const letter of VOWEL_KEYS) marks.append(key(letter, letter, "key-vowel", () => type(letter)));
  for (const tone of TONE_KEYS) {
    marks.append(key(tone.name, tone.sample, "key-tone", () => applyTone(tone.mark), tone.name));
  }
  board.append(marks);
  LETTER_ROWS.forEach((row, i) => {
    const line = el("div", "key-row");
    for (const letter of row) line.append(key(letter, letter, "", () => type(letter)));
    if (i === 1) line.append(key("backspace", "⌫ Xóa", "key-wide key-back", backspace));
    board.append(line);
  });
  const last = el("div", "key-row");
  last.append(key("space", "Dấu cách", "key-space", () => type(" ")));
  board.append(last);
}

function comment() {
  return $("comment");
}

function setComment(text) {
  comment().value = text.normalize("NFC").slice(0, 500);
  comment().scrollTop = comment().scrollHeight;
  chosenChanged();
}

function type(text) {
  setComment(comment().value + text);
}

function backspace() {
  setComment(Array.from(comment().value).slice(0, -1).join(""));
}

/**
 * Put a tone on the last word, where Vietnamese writes it: on the vowel carrying a shape mark (â, ơ, …), else
 * on the last vowel when a consonant follows, else the middle of three vowels, else the first of two ("hòa",
 * "mùa", "tài"). "qu" and "gi" count as consonants. The same tone again removes it.
 */
function applyTone(mark) {
  const text = comment().value.normalize("NFC");
  const match = text.match(/[\p{L}\p{M}]+$/u);
  if (!match) return;
  // Split the word into letters, each a base character with its marks, and take any tone off.
  const letters = Array.from(match[0].normalize("NFD").matchAll(/\P{M}\p{M}*/gu), (m) => m[0]);
  const oldTone = (match[0].normalize("NFD").match(TONE_MARKS) || [])[0];
  const bare = letters.map((l) => l.replace(TONE_MARKS, ""));
  const base = bare.map((l) => l[0].toLowerCase());
  const vowel = base.map((b) => "aeiouy".includes(b));
  if (base[0] === "q" && base[1] === "u") vowel[1] = false;
  if (base[0] === "g" && base[1] === "i" && vowel[2]) vowel[1] = false;
  const last = vowel.lastIndexOf(true);
  if (last < 0) return;
  let first = last;
  while (first > 0 && vowel[first - 1]) first -= 1;
  const cluster = [];
  for (let i = first; i <= last; i += 1) cluster.push(i);
  const shaped = cluster.filter((i) => SHAPE_MARKS.test(bare[i]));
  let target;
  if (shaped.length) target = shaped[shaped.length - 1];
  else if (cluster.length === 1 || last < base.length - 1) target = last;
  else if (cluster.length >= 3) target = cluster[1];
  else target = first;
  if (oldTone !== mark) bare[target] += mark;
  setComment(text.slice(0, match.index) + bare.join(""));
}

// The typing rules, for the browser tests (a module's functions are not globals).
window.hangdoiKeyboard = { type, applyTone };

function openKeyboard() {
  if (state.screen !== "reasons") return;
  $("keyboard").hidden = false;
  $("keyboard-done").hidden = false;
  $("reasons-back").hidden = true;
  document.querySelector(".screen-reasons").classList.add("typing");
}

function closeKeyboard() {
  $("keyboard").hidden = true;
  $("keyboard-done").hidden = true;
  $("reasons-back").hidden = false;
  document.querySelector(".screen-reasons").classList.remove("typing");
}

// ----- the server --------------------------------------------------------------------------------

function applyCenter(center) {
  if (!center || !center.rating || !Array.isArray(center.rating.levels) || !center.rating.levels.length) return;
  state.center = { name: center.name, rating: center.rating };
  $("center-name").textContent = center.name || "";
  if (state.screen === "rating") renderLevels();
}

/** The scale and reasons; asked again on every reconnect, since a restarted server may have a new center file. */
async function loadCenter() {
  clearTimeout(timers.center);
  try {
    const center = await fetchCenter();
    applyCenter(center);
    storageSet(CENTER_KEY, { name: center.name, rating: center.rating });
  } catch (err) {
    timers.center = setTimeout(loadCenter, CENTER_RETRY_SECONDS * 1000);
  }
}

function onSnapshot(snapshot) {
  state.known = true;
  state.counter = snapshot.counters.find((c) => c.number === COUNTER) || null;
  const current = state.counter && state.counter.current;
  // A citizen was called while the tablet was away: whoever was rating has gone (their choice is sent).
  if (current && ratingOpen()) leaveRating();
  if (state.screen === "idle") renderIdle();
  // Back after a reconnect: the service that ended in the meantime may still have its citizen at the counter.
  const last = (snapshot.last_finished || {})[String(COUNTER)];
  if (last && !last.rated && !current && snapshot.now - last.ended_at < RECENT_FINISH_SECONDS) {
    offer(last.label, last.local_date);
  }
}

const CALLS = new Set(["ticket_called", "ticket_resumed"]); // a (new) citizen is at the counter
const ACTIVE = new Set(["ticket_called", "ticket_recalled", "service_started", "ticket_resumed"]);
const ENDED = new Set(["ticket_no_show", "ticket_parked", "ticket_transferred", "ticket_cancelled"]);

function onEvent(event) {
  if (event.kind.startsWith("counter_")) {
    if (event.counter && event.counter.number === COUNTER) state.counter = event.counter;
  } else if (event.counter_number !== COUNTER || !state.counter) {
    return;
  } else if (ACTIVE.has(event.kind)) {
    state.counter.current = { label: event.label, state: event.state };
    if (CALLS.has(event.kind)) leaveRating(); // the choice goes for the service before, then the new one shows
  } else if (event.kind === "ticket_finished") {
    state.counter.current = null;
    offer(event.label, event.local_date);
  } else if (ENDED.has(event.kind)) {
    if (state.counter.current && state.counter.current.label === event.label) state.counter.current = null;
  } else if (event.kind === "rating_recorded" && event.channel !== "tablet") {
    // The citizen rated on the phone while this screen waited: nothing left to ask.
    if (state.pending && state.pending.label === event.label) dropRating();
  }
  if (state.screen === "idle") renderIdle();
}

function onStatus(connected) {
  state.connected = connected;
  if (connected) state.everConnected = true;
  renderBadge();
}

// ----- start --------------------------------------------------------------------------------------

function start() {
  // Ratings kept from before a reload were given already: their services are never offered again, even if the
  // first snapshot is drawn before the server has acknowledged them.
  recoverDraft();
  for (const item of outbox) {
    if (item.counter === COUNTER) state.offered.add(`${item.service_date}|${item.label}`);
  }
  applyCenter(storageGet(CENTER_KEY));
  buildKeyboard();
  $("access").append(accessToggle({ className: "tablet-access-toggle" }));
  $("read-aloud").addEventListener("click", readAloud);
  document.addEventListener("keydown", onKey);
  show("idle");
  renderBadge();

  // Any touch on a rating screen means the citizen is still there.
  document.addEventListener("pointerdown", () => { if (ratingOpen()) armTimeout(); }, true);
  document.addEventListener("keydown", () => { if (ratingOpen()) armTimeout(); }, true);
  // "Quay lại" takes the level back: the level screen shows nothing chosen, and nothing chosen is sent.
  $("reasons-back").addEventListener("click", () => {
    if (state.screen !== "reasons") return;
    forgetChoice();
    show("rating");
  });
  $("send").addEventListener("click", sendReasons);
  $("keyboard-done").addEventListener("click", closeKeyboard);
  comment().addEventListener("focus", openKeyboard);
  comment().addEventListener("click", openKeyboard);
  comment().addEventListener("input", chosenChanged); // a hardware keyboard, if one is plugged in

  if (!Number.isInteger(COUNTER) || COUNTER < 1) {
    $("idle-status").textContent = "Địa chỉ trang phải có số quầy, ví dụ /tablet/5";
    return;
  }
  loadCenter();
  live = connect({ screen: "tablet", counter: COUNTER, onSnapshot, onEvent, onStatus,
    onCenterChanged: loadCenter }); // a new scale or reasons from the admin screen
  live.socket.on("connect", () => {
    loadCenter();
    flush(); // what was kept while the server was out of reach goes first
  });
  setInterval(flush, RESEND_SECONDS * 1000);
}

whenPaired({ kind: "tablet", counter: COUNTER }).then(start);
